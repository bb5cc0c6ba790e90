"""Election rules: nomination, the ballot, counting and ties."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from gridgov.deliberation.rules.vocabulary import EligibilityRule, TieBreak
from gridgov.errors import InvalidInput, Problem

__all__ = [
    "Candidate",
    "CountResult",
    "Voter",
    "check_eligibility",
    "count_votes",
]

# --------------------------------------------------------------------------- elections


@dataclass(frozen=True)
class Voter:
    id: str
    born: date
    grid_code: str
    macau_resident: bool = False
    foreign_resident: bool = False


def _birthday(born: date, years: int) -> date:
    """The day ``born`` turns ``years`` old; 29 February turns on 1 March in other years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def check_eligibility(
    rule: EligibilityRule, voter: Voter, on: date, *, region_code: str
) -> Problem | None:
    """Why ``voter`` may not vote on ``on`` in an election of ``region_code``, or None."""
    turns = _birthday(voter.born, rule.min_age)
    if turns > on:
        return Problem(
            "born",
            "Too young: voters must be %(min_age)s by %(on)s, and this voter turns "
            "%(min_age)s on %(birthday)s.",
            min_age=rule.min_age,
            on=on.isoformat(),
            birthday=turns.isoformat(),
        )
    if rule.residence_in_region and not voter.grid_code.startswith(region_code):
        return Problem(
            "grid_code",
            "Not resident in this election's area: grid %(grid)s is outside %(region)s.",
            grid=voter.grid_code,
            region=region_code,
        )
    if voter.macau_resident and not rule.include_macau_residents:
        return Problem("macau_resident", "Macau residents are not eligible in this election.")
    if voter.foreign_resident and not rule.include_foreign_residents:
        return Problem("foreign_resident", "Foreign residents are not eligible in this election.")
    return None


@dataclass(frozen=True)
class Candidate:
    id: str
    born: date | None = None  # needed for the older_first tie-break


@dataclass(frozen=True)
class CountResult:
    """An election's count. Every valid ballot carries ``seats`` choices, each a vote for
    a candidate or left blank, so ``sum(votes) + blank_choices == valid_ballots * seats``."""

    seats: int
    ballots_cast: int
    valid_ballots: int
    invalid_ballots: int
    votes: dict[str, int]  # every candidate, most votes first
    blank_choices: int
    elected: tuple[str, ...]
    tied: tuple[str, ...]  # tied for the last seat(s), before the tie-break
    runoff: tuple[str, ...]  # still tied: a runoff between them decides runoff_seats
    runoff_seats: int
    unfilled: int  # seats no candidate qualified for (另行选举)
    tie_break: TieBreak
    seed: str | None = None  # lot: the recorded seed of the draw
    draw: tuple[str, ...] = ()  # lot: the tied candidates in drawn order

    @property
    def balanced(self) -> bool:
        return sum(self.votes.values()) + self.blank_choices == self.valid_ballots * self.seats


def _lot_seed(election_id: str, tied: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join([election_id, *sorted(tied)]).encode()).hexdigest()


def _lot_order(seed: str, tied: Sequence[str]) -> list[str]:
    return sorted(tied, key=lambda c: (hashlib.sha256(f"{seed}\x1f{c}".encode()).hexdigest(), c))


def _tally(
    ids: Sequence[str], seats: int, ballots: Sequence[Sequence[str]]
) -> tuple[dict[str, int], int, int]:
    """Each candidate's votes, the valid ballots and the blank choices on them; a ballot
    marking more than ``seats``, someone twice or someone not listed is invalid."""
    votes = dict.fromkeys(ids, 0)
    valid = blank = 0
    for ballot in ballots:
        if (
            len(ballot) > seats
            or len(set(ballot)) != len(ballot)
            or not set(ballot) <= votes.keys()
        ):
            continue
        valid += 1
        blank += seats - len(ballot)
        for choice in ballot:
            votes[choice] += 1
    return votes, valid, blank


def _older_first(
    candidates: Sequence[Candidate], tied: Sequence[str], needed: int
) -> tuple[list[str], list[str], int]:
    """Break a tie for ``needed`` seats by age: those elected, oldest first, and, when
    the last seats fall among people born the same day, those left to a runoff and the
    seats it fills."""
    ids = [candidate.id for candidate in candidates]
    births = {candidate.id: candidate.born for candidate in candidates}
    missing = [c for c in tied if births[c] is None]
    if missing:
        raise InvalidInput(
            "older_first needs the date of birth of every tied candidate; %(candidate)s has none.",
            params={"candidate": missing[0]},
        )
    born = {c: b for c in tied if (b := births[c]) is not None}
    oldest_first = sorted(tied, key=lambda c: (born[c], ids.index(c)))
    boundary = born[oldest_first[needed - 1]]
    older = [c for c in oldest_first if born[c] < boundary]
    same = [c for c in oldest_first if born[c] == boundary]
    if len(older) + len(same) == needed:
        return older + same, [], 0
    return older, same, needed - len(older)


def count_votes(
    *,
    election_id: str,
    seats: int,
    candidates: Sequence[Candidate],
    ballots: Sequence[Sequence[str]],
    tie_break: TieBreak,
    winning_share: Fraction | None = None,
) -> CountResult:
    """Count ``ballots`` (each the candidate ids marked) for ``seats`` seats.

    A ballot is invalid if it marks more candidates than seats, the same candidate twice,
    or someone not on the list. A candidate needs at least one vote and, with
    ``winning_share``, more than that share of the ballots cast. A tie for the last
    seat(s) goes to ``tie_break``: ``lot`` draws with a seed derived from the election
    and the tied candidates (recorded, so anyone can redo it), ``older_first`` takes the
    older (same birth date: a runoff between those), ``runoff`` leaves the tied
    candidates to a runoff."""
    if seats < 1:
        raise InvalidInput("An election fills at least one seat.")
    ids = [candidate.id for candidate in candidates]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Each candidate is listed once.")
    votes, valid, blank = _tally(ids, seats, ballots)
    ranked = sorted(ids, key=lambda c: (-votes[c], ids.index(c)))

    def qualifies(c: str) -> bool:
        if votes[c] == 0:
            return False
        if winning_share is None:
            return True
        return votes[c] * winning_share.denominator > winning_share.numerator * len(ballots)

    qualified = [c for c in ranked if qualifies(c)]
    elected: list[str] = qualified[:seats]
    tied: list[str] = []
    runoff: list[str] = []
    runoff_seats = 0
    seed: str | None = None
    draw: tuple[str, ...] = ()
    if len(qualified) > seats and votes[qualified[seats]] == votes[qualified[seats - 1]]:
        cutoff = votes[qualified[seats - 1]]
        above = [c for c in qualified if votes[c] > cutoff]
        tied = [c for c in qualified if votes[c] == cutoff]
        needed = seats - len(above)
        elected = above
        if tie_break is TieBreak.LOT:
            seed = _lot_seed(election_id, tied)
            draw = tuple(_lot_order(seed, tied))
            elected = above + list(draw[:needed])
        elif tie_break is TieBreak.OLDER_FIRST:
            older, runoff, runoff_seats = _older_first(candidates, tied, needed)
            elected = above + older
        else:
            runoff, runoff_seats = tied, needed
    return CountResult(
        seats=seats,
        ballots_cast=len(ballots),
        valid_ballots=valid,
        invalid_ballots=len(ballots) - valid,
        votes={c: votes[c] for c in ranked},
        blank_choices=blank,
        elected=tuple(elected),
        tied=tuple(tied),
        runoff=tuple(runoff),
        runoff_seats=runoff_seats,
        unfilled=seats - len(elected) - runoff_seats,
        tie_break=tie_break,
        seed=seed,
        draw=draw,
    )
