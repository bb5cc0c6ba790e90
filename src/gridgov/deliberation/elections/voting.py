"""Voting: ballots at the polling station and the secret ballot box."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.deliberation.elections.common import (
    TZ,
    ballot_box_of,
    box_of,
    check_may_clerk,
    state_of,
    voter_key,
)
from gridgov.deliberation.elections.roll import (
    candidates_of,
    constituencies_of,
    constituency_for,
    eligibility_problem,
    get_election,
)
from gridgov.deliberation.models import (
    Candidate,
    Constituency,
    Election,
)
from gridgov.deliberation.rules import (
    CandidateState,
    ElectionState,
)
from gridgov.deliberation.voting import cast_secret_ballot
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry import service as registry
from gridgov.registry.models import Resident

# --------------------------------------------------------------------------- voting


def check_voting_open(election: Election, now: datetime) -> None:
    if state_of(election) is not ElectionState.VOTING:
        raise Conflict("This election is not taking votes.")
    if not election.voting_opens_at <= now < election.voting_closes_at:
        raise Conflict(
            "Voting is open from %(opens)s to %(closes)s.",
            params={
                "opens": election.voting_opens_at.astimezone(ZoneInfo(TZ)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "closes": election.voting_closes_at.astimezone(ZoneInfo(TZ)).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
        )


@dataclass(frozen=True)
class Ballot:
    """What a voter may choose: their constituency, its seats and eligible candidates."""

    constituency: Constituency
    candidates: list[Candidate]


def check_voter(
    session: Session, election: Election, resident: Resident, *, tz: str = TZ
) -> Ballot:
    """The voter's ballot, or InvalidInput with the reason they may not vote."""
    problem = eligibility_problem(session, election, resident, tz=tz)
    if problem is not None:
        raise InvalidInput(
            "%(name)s may not vote in this election: %(reason)s",
            params={"name": resident.name, "reason": problem.text()},
            details=[problem],
        )
    constituency = constituency_for(constituencies_of(session, election.id), resident.grid_code)
    if constituency is None:
        problem = Problem(
            "grid_code",
            "No constituency of this election covers grid %(grid)s.",
            grid=resident.grid_code,
        )
        raise InvalidInput(
            "%(name)s may not vote in this election: %(reason)s",
            params={"name": resident.name, "reason": problem.text()},
            details=[problem],
        )
    candidates = [
        c
        for c in candidates_of(session, election.id)
        if c.constituency_id == constituency.id and c.state == CandidateState.ELIGIBLE.value
    ]
    return Ballot(constituency, candidates)


def _check_choices(ballot: Ballot, choices: Sequence[int]) -> list[int]:
    chosen = list(choices)
    if len(set(chosen)) != len(chosen):
        raise InvalidInput(
            N_("The ballot was not taken."),
            details=[Problem("choices", N_("Choose each candidate at most once."))],
        )
    seats = ballot.constituency.seats
    if len(chosen) > seats:
        raise InvalidInput(
            N_("The ballot was not taken."),
            details=[Problem("choices", N_("Choose at most %(n)s candidates."), n=seats)],
        )
    allowed = {c.id for c in ballot.candidates}
    stray = [c for c in chosen if c not in allowed]
    if stray:
        raise InvalidInput(
            N_("The ballot was not taken."),
            details=[
                Problem(
                    "choices",
                    N_("Candidate %(id)s is not on the ballot of %(constituency)s."),
                    id=stray[0],
                    constituency=ballot.constituency.name,
                )
            ],
        )
    return sorted(chosen)


def _cast(
    session: Session,
    actor: Actor,
    election: Election,
    resident: Resident,
    choices: Sequence[int],
    *,
    channel: str,
    now: datetime,
    tz: str,
) -> None:
    check_voting_open(election, now)
    ballot = check_voter(session, election, resident, tz=tz)
    chosen = _check_choices(ballot, choices)
    cast_secret_ballot(
        session,
        box=box_of(election.id),
        voter=voter_key(resident.id),
        at=now,
        ballot_box=ballot_box_of(election.id, ballot.constituency.id),
        choices=json.dumps(chosen),
        already=Conflict(
            "%(name)s has already voted in this election.", params={"name": resident.name}
        ),
    )
    # Who voted and how, never what they chose.
    summary = {"voter": voter_key(resident.id), "channel": channel}
    record_about(session, actor, "election.voted", election, now=now, summary=summary)


def do_vote(
    session: Session,
    *,
    actor: Actor,
    election_id: int,
    resident_id: int | None,
    choices: Sequence[int],
    now: datetime,
    tz: str = TZ,
) -> None:
    """A resident votes with their own account (``resident_id`` is the register entry
    their account is linked to): at most ``seats`` eligible candidates of their
    constituency. One vote per voter: a second one is a Conflict."""
    if resident_id is None:
        raise Forbidden(
            "Your account is not linked to an entry in the register; ask your grid worker."
        )
    election = get_election(session, election_id)
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("No such resident in your area.")
    _cast(session, actor, election, resident, choices, channel="online", now=now, tz=tz)


def do_record_paper_ballot(
    session: Session,
    *,
    actor: Actor,
    election_id: int,
    resident_id: int,
    choices: Sequence[int],
    now: datetime,
    tz: str = TZ,
) -> None:
    """A clerk at the polling station records the paper ballot of a named voter."""
    election = get_election(session, election_id)
    check_may_clerk(actor, election.region_code)
    resident = session.get(Resident, resident_id)
    if resident is None or not actor.covers(resident.grid_code):
        raise NotFound("No such resident in your area.")
    _cast(session, actor, election, resident, choices, channel="paper", now=now, tz=tz)


def find_voter(
    session: Session, *, actor: Actor, election: Election, name: str, id_number: str
) -> Resident:
    """The resident with this name and whole document number (matched through the blind
    index, never by decrypting), in the election's area and the clerk's."""
    check_may_clerk(actor, election.region_code)
    number = id_number.strip()
    if not name.strip() or len(number) < 5:
        raise InvalidInput(
            N_("Give the voter's name and whole document number."),
            details=[Problem("id_number", N_("Give the whole document number."))],
        )
    resident = registry.find_resident_by_id_number(session, doc_type="mainland_id", number=number)
    if (
        resident is None
        or resident.name.strip() != name.strip()
        or not actor.covers(resident.grid_code)
    ):
        raise NotFound("No resident has this name and document number in your area.")
    return resident
