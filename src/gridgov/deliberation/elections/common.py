"""Who runs an election, its state machine, and its rules as data (the shipped YAML)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.datafiles import DataFileError
from gridgov.deliberation import rules
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import (
    Election,
)
from gridgov.deliberation.rules import (
    ElectionRules,
    ElectionState,
    TieBreak,
)
from gridgov.errors import Forbidden, InvalidInput, NotFound, checked_transition
from gridgov.msgids import N_

DEFAULT_TEMPLATE = "community_council"
TZ = "Asia/Shanghai"
# Who runs an election (within their scope), and who may record a paper ballot at the
# polling station.
ELECTION_ROLES = frozenset({Role.LEADER, Role.ADMIN, Role.BRANCH_SECRETARY})
CLERK_ROLES = ELECTION_ROLES | {Role.GRID_WORKER, Role.UNIT_STAFF}
MAX_CONSTITUENCIES = 50
MAX_SEATS = 99
STATEMENT_LIMIT = 2000
REASON_LIMIT = 300

MACAU_NATIONALITY = "MAC"
HONG_KONG_NATIONALITY = "HKG"
TAIWAN_NATIONALITY = "TWN"
_HMT_NATIONALITIES = frozenset({MACAU_NATIONALITY, HONG_KONG_NATIONALITY, TAIWAN_NATIONALITY})
_HMT_DOCUMENTS = frozenset({"hk_macau_permit", "taiwan_permit", "hmt_residence"})

# --------------------------------------------------------------------------- the machine

ALLOWED: dict[ElectionState, frozenset[ElectionState]] = {
    ElectionState.NOMINATION: frozenset({ElectionState.REVIEW}),
    ElectionState.REVIEW: frozenset({ElectionState.VOTING}),
    ElectionState.VOTING: frozenset({ElectionState.COUNTED}),
    ElectionState.COUNTED: frozenset({ElectionState.PUBLISHED}),
    ElectionState.PUBLISHED: frozenset(),
}


def transition(current: ElectionState, target: ElectionState) -> ElectionState:
    """``target`` if the table allows the move from ``current``; Conflict otherwise."""
    refusal = N_("An election cannot go from %(current)s to %(target)s.")
    return checked_transition(ALLOWED, current, target, refusal)


def state_of(election: Election) -> ElectionState:
    return ElectionState(election.state)


def _move(election: Election, target: ElectionState) -> None:
    election.state = transition(state_of(election), target).value


def box_of(election_id: int) -> str:
    """The receipt box: who has voted in the election."""
    return f"election:{election_id}"


def ballot_box_of(election_id: int, constituency_id: int) -> str:
    """The ballot box of one constituency: what was chosen there."""
    return f"election:{election_id}/{constituency_id}"


def voter_key(resident_id: int) -> str:
    return f"resident:{resident_id}"


# --------------------------------------------------------------------------- rules as data


def rules_text(election_rules: ElectionRules) -> str:
    """The election rules written back as the YAML ``load_election_rules`` reads."""
    rule = election_rules.eligibility

    def flag(value: bool) -> str:
        return "true" if value else "false"

    lines = [
        "eligibility:",
        f"  min_age: {rule.min_age}",
        f"  residence_in_region: {flag(rule.residence_in_region)}",
        f"  include_macau_residents: {flag(rule.include_macau_residents)}",
        f"  include_foreign_residents: {flag(rule.include_foreign_residents)}",
        f"tie_break: {election_rules.tie_break.value}",
    ]
    if election_rules.winning_share is not None:
        share = election_rules.winning_share
        lines.append(f'winning_share: "{share.numerator}/{share.denominator}"')
    return "\n".join(lines) + "\n"


def check_rules(text: str) -> ElectionRules:
    """Election rules typed by an administrator; InvalidInput names the line to fix."""
    try:
        return rules.load_election_rules(text)
    except DataFileError as exc:
        raise InvalidInput(
            "The election rules are refused at line %(line)s: %(reason)s",
            params={"line": exc.line, "reason": exc.problem.text()},
            details=[exc.problem],
        ) from exc


def template_rules(session: Session, key: str = DEFAULT_TEMPLATE) -> ElectionRules:
    """The ``election:`` section of a procedure template: the stored revision an
    administrator may have edited, else the shipped file."""
    row = deliberation.latest_template(session, key)
    if row is not None:
        procedure = deliberation.parse_template(row.source)
    else:
        try:
            procedure = deliberation.parse_template(deliberation.shipped_template(key))
        except FileNotFoundError:
            raise NotFound("There is no procedure %(key)s.", params={"key": key}) from None
    if procedure.election is None:
        raise InvalidInput("The procedure %(key)s has no election section.", params={"key": key})
    return procedure.election


def rules_of(election: Election) -> ElectionRules:
    return _parse_rules(election.rules)


_RULES_CACHE: dict[str, ElectionRules] = {}


def _parse_rules(text: str) -> ElectionRules:
    cached = _RULES_CACHE.get(text)
    if cached is None:
        cached = rules.load_election_rules(text)
        if len(_RULES_CACHE) > 256:
            _RULES_CACHE.clear()
        _RULES_CACHE[text] = cached
    return cached


@dataclass(frozen=True)
class RuleLine:
    """One eligibility rule in words: a catalogue id and its parameters."""

    message: str
    params: dict[str, Any]

    def text(self) -> str:
        return self.message % self.params if self.params else self.message


def rules_in_words(election_rules: ElectionRules, region_name: str) -> list[RuleLine]:
    rule = election_rules.eligibility
    lines = [
        RuleLine(
            "Voters and candidates are %(min_age)s or older on the day voting opens.",
            {"min_age": rule.min_age},
        )
    ]
    if rule.residence_in_region:
        lines.append(RuleLine("Voters and candidates live in %(region)s.", {"region": region_name}))
    lines.append(
        RuleLine("Macau residents may vote and stand.", {})
        if rule.include_macau_residents
        else RuleLine("Macau residents may not vote or stand in this election.", {})
    )
    lines.append(
        RuleLine("Foreign residents may vote and stand.", {})
        if rule.include_foreign_residents
        else RuleLine("Foreign residents may not vote or stand in this election.", {})
    )
    lines.append(
        RuleLine(
            {
                TieBreak.LOT: "A tie for the last seat is broken by a recorded draw of lots.",
                TieBreak.OLDER_FIRST: "A tie for the last seat goes to the older candidate.",
                TieBreak.RUNOFF: "A tie for the last seat is decided by a runoff.",
            }[election_rules.tie_break],
            {},
        )
    )
    if election_rules.winning_share is not None:
        share = election_rules.winning_share
        lines.append(
            RuleLine(
                "A candidate needs more than %(share)s of the ballots cast to be elected.",
                {"share": f"{share.numerator}/{share.denominator}"},
            )
        )
    return lines


# --------------------------------------------------------------------------- who may


def check_may_run(actor: Actor, region_code: str) -> None:
    """Leaders, administrators and branch secretaries run elections in their area."""
    if not actor.acts_in(ELECTION_ROLES, region_code):
        raise Forbidden("You may not run elections in this area.")


def check_may_clerk(actor: Actor, region_code: str) -> None:
    """Who may record a paper ballot at the polling station."""
    if not actor.acts_in(CLERK_ROLES, region_code):
        raise Forbidden("You may not record ballots in this area.")


def may_see_staff(actor: Actor, election: Election) -> bool:
    return actor.acts_in(CLERK_ROLES, election.region_code)
