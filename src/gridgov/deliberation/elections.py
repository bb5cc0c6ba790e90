"""Elections of deliberation representatives (议事代表选举): constituencies and seats,
eligibility rules as data, nomination and eligibility review, one secret vote per
eligible voter, the count with the election's tie rule, and the result published as a
notice with its objection window.

``check_*`` validates and authorises, ``do_*`` changes state in the caller's
transaction and appends an audit row. ``now`` is always passed in.

Secrecy. Casting a vote writes two rows with nothing in common: a ``BallotReceipt``
(box ``election:<id>``, voter ``resident:<id>``, unique: one vote per voter however
many requests race) and a ``SecretBallot`` (box ``election:<id>/<constituency id>``, the
chosen candidate ids sorted) with no timestamp, whose id is drawn at random so that
ballot ids do not follow receipt ids. The audit row of a vote names the voter, never
the choices. Ballots are per constituency so that blank ballots are counted where
they were cast.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access
from gridgov.audit.service import Actor, record
from gridgov.datafiles import DataFileError
from gridgov.deliberation import rules
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import (
    BallotReceipt,
    Candidate,
    Constituency,
    Election,
    Notice,
    SecretBallot,
)
from gridgov.deliberation.rules import (
    CandidateState,
    ElectionRules,
    ElectionState,
    NoticeKind,
    TieBreak,
    Voter,
)
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.registry import service as registry
from gridgov.registry.models import Resident
from gridgov.territory import service as territory

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
_BALLOT_ID_LOW = 1 << 30  # random ballot ids above any sequence a table will reach
_BALLOT_ID_SPAN = (1 << 31) - 1 - _BALLOT_ID_LOW

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
    if target not in ALLOWED[current]:
        raise Conflict(
            "An election cannot go from %(current)s to %(target)s.",
            params={"current": current.value, "target": target.value},
        )
    return target


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
    if actor.role == "system":
        return
    if actor.role not in ELECTION_ROLES or not may_access(actor.scope, region_code):
        raise Forbidden("You may not run elections in this area.")


def check_may_clerk(actor: Actor, region_code: str) -> None:
    """Who may record a paper ballot at the polling station."""
    if actor.role == "system":
        return
    if actor.role not in CLERK_ROLES or not may_access(actor.scope, region_code):
        raise Forbidden("You may not record ballots in this area.")


def may_see_staff(actor: Actor, election: Election) -> bool:
    return actor.role == "system" or (
        actor.role in CLERK_ROLES and may_access(actor.scope, election.region_code)
    )


# --------------------------------------------------------------------------- reading


def get_election(session: Session, election_id: int, *, lock: bool = False) -> Election:
    """The election; ``lock`` loads its row to change it (``SELECT … FOR UPDATE`` on
    PostgreSQL, fresh from the database), so two steps at once run one after the other
    and the second sees the first's state (a refused move is a 409)."""
    if lock:
        election = session.scalars(
            select(Election)
            .where(Election.id == election_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one_or_none()
    else:
        election = session.get(Election, election_id)
    if election is None:
        raise NotFound("There is no election %(id)s.", params={"id": election_id})
    return election


def constituencies_of(session: Session, election_id: int) -> list[Constituency]:
    return list(
        session.scalars(
            select(Constituency)
            .where(Constituency.election_id == election_id)
            .order_by(Constituency.region_code, Constituency.id)
        )
    )


def candidates_of(session: Session, election_id: int) -> list[Candidate]:
    return list(
        session.scalars(
            select(Candidate)
            .where(Candidate.election_id == election_id)
            .order_by(Candidate.constituency_id, Candidate.id)
        )
    )


def list_elections(
    session: Session, *, region_code: str | None = None, limit: int = 100
) -> list[Election]:
    """Elections in ``region_code`` and below, newest first."""
    query = select(Election).order_by(Election.voting_opens_at.desc(), Election.id.desc())
    if region_code:
        query = query.where(Election.region_code.startswith(region_code, autoescape=True))
    return list(session.scalars(query.limit(limit)))


def result_notice(session: Session, election_id: int) -> Notice | None:
    """The notice that published the result, if any."""
    return session.scalars(
        select(Notice)
        .where(Notice.election_id == election_id, Notice.kind == NoticeKind.ELECTION_RESULT.value)
        .order_by(Notice.id.desc())
        .limit(1)
    ).first()


def result_of(election: Election) -> dict[str, Any] | None:
    """The stored count, or None before counting."""
    if not election.result:
        return None
    value: dict[str, Any] = json.loads(election.result)
    return value


def receipts_count(session: Session, election_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(BallotReceipt)
            .where(BallotReceipt.box == box_of(election_id))
        )
        or 0
    )


def has_voted(session: Session, election_id: int, resident_id: int) -> bool:
    return (
        session.scalar(
            select(BallotReceipt.id).where(
                BallotReceipt.box == box_of(election_id),
                BallotReceipt.voter == voter_key(resident_id),
            )
        )
        is not None
    )


@dataclass(frozen=True)
class Review:
    """A candidate's eligibility review: the automatic finding and any override."""

    message: str | None  # the automatic finding (a catalogue id), None before review
    params: dict[str, Any]
    override: str | None  # the staff's reason when they overrode the finding

    def text(self) -> str:
        if self.message is None:
            return ""
        return self.message % self.params if self.params else self.message


def review_of(candidate: Candidate) -> Review:
    if not candidate.review_reason:
        return Review(None, {}, None)
    try:
        data = json.loads(candidate.review_reason)
    except ValueError:
        return Review(candidate.review_reason, {}, None)
    return Review(data.get("message"), data.get("params") or {}, data.get("override"))


# --------------------------------------------------------------------------- voters


def _id_number(session: Session, resident: Resident) -> str:
    return registry.cipher_of(session).decrypt(resident.id_number_enc, field=registry.ID_FIELD)


def voter_of(session: Session, resident: Resident) -> Voter:
    """A resident as the eligibility rules see them. Macau residents: Macau nationality,
    a travel permit beginning with M (回乡证) or a residence permit numbered 820000…;
    foreign residents: any other nationality than China, Macau, Hong Kong or Taiwan, on
    a document that is not a Hong Kong, Macau or Taiwan one."""
    if resident.birth_date is None:
        raise InvalidInput(
            "The register has no date of birth for %(name)s; correct the register first.",
            params={"name": resident.name},
            details=[Problem("birth_date", "The date of birth is missing.")],
        )
    nationality = (resident.nationality or "CHN").upper()
    macau = nationality == MACAU_NATIONALITY
    if not macau and resident.doc_type == "hk_macau_permit":
        macau = _id_number(session, resident).upper().startswith("M")
    if not macau and resident.doc_type == "hmt_residence":
        macau = resident.id_number_masked.startswith("820000")
    foreign = (
        nationality != "CHN"
        and nationality not in _HMT_NATIONALITIES
        and resident.doc_type not in _HMT_DOCUMENTS
    )
    return Voter(
        id=str(resident.id),
        born=resident.birth_date,
        grid_code=resident.grid_code,
        macau_resident=macau,
        foreign_resident=foreign,
    )


def election_day(election: Election, tz: str = TZ) -> date:
    """The day ages are reckoned on: the local date voting opens."""
    return election.voting_opens_at.astimezone(ZoneInfo(tz)).date()


def constituency_for(constituencies: Sequence[Constituency], grid_code: str) -> Constituency | None:
    """The constituency whose region code prefixes the grid code (the longest one)."""
    matching = [c for c in constituencies if grid_code.startswith(c.region_code)]
    return max(matching, key=lambda c: len(c.region_code)) if matching else None


def eligibility_problem(
    session: Session,
    election: Election,
    resident: Resident,
    *,
    region_code: str | None = None,
    tz: str = TZ,
) -> Problem | None:
    """Why ``resident`` may not take part (vote, or stand in ``region_code``), or None."""
    try:
        voter = voter_of(session, resident)
    except InvalidInput as exc:
        return exc.details[0] if exc.details else Problem("resident", exc.message, **exc.params)
    return rules.check_eligibility(
        rules_of(election).eligibility,
        voter,
        election_day(election, tz),
        region_code=region_code or election.region_code,
    )


# --------------------------------------------------------------------------- creating


@dataclass(frozen=True)
class ConstituencyInput:
    name: str
    region_code: str
    seats: int


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def check_create_election(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    title: str,
    constituencies: Sequence[ConstituencyInput | tuple[str, str, int]],
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    now: datetime,
) -> list[ConstituencyInput]:
    _aware(voting_opens_at, "voting_opens_at")
    _aware(voting_closes_at, "voting_closes_at")
    region = territory.find_region(session, code=region_code)
    if region is None:
        raise NotFound("No such region.")
    check_may_run(actor, region_code)
    problems: list[Problem] = []
    if not title.strip():
        problems.append(Problem("title", "A title is required."))
    elif len(title.strip()) > 200:
        problems.append(Problem("title", "At most %(n)s characters.", n=200))
    if voting_closes_at <= voting_opens_at:
        problems.append(Problem("voting_closes_at", "Voting must close after it opens."))
    elif voting_closes_at <= now:
        problems.append(Problem("voting_closes_at", "Voting must close in the future."))
    items = [
        c if isinstance(c, ConstituencyInput) else ConstituencyInput(*c) for c in constituencies
    ]
    if not items:
        problems.append(Problem("constituencies", "An election has at least one constituency."))
    if len(items) > MAX_CONSTITUENCIES:
        problems.append(
            Problem("constituencies", "At most %(n)s constituencies.", n=MAX_CONSTITUENCIES)
        )
    codes: list[str] = []
    for item in items:
        if not item.name.strip():
            problems.append(Problem("constituencies", "Each constituency needs a name."))
        if not 1 <= item.seats <= MAX_SEATS:
            problems.append(
                Problem(
                    "constituencies",
                    "A constituency has from 1 to %(n)s seats.",
                    n=MAX_SEATS,
                )
            )
        code = item.region_code.strip()
        if not code.startswith(region_code) or territory.find_region(session, code=code) is None:
            problems.append(
                Problem(
                    "constituencies",
                    "The constituency %(code)s is not a region within %(region)s.",
                    code=code,
                    region=region_code,
                )
            )
        for other in codes:
            if code.startswith(other) or other.startswith(code):
                problems.append(
                    Problem(
                        "constituencies",
                        "The constituencies %(a)s and %(b)s overlap.",
                        a=other,
                        b=code,
                    )
                )
        codes.append(code)
    if problems:
        raise InvalidInput("The election was not created.", details=problems)
    return [ConstituencyInput(i.name.strip()[:128], i.region_code.strip(), i.seats) for i in items]


def do_create_election(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    title: str,
    constituencies: Sequence[ConstituencyInput | tuple[str, str, int]],
    voting_opens_at: datetime,
    voting_closes_at: datetime,
    now: datetime,
    rules_yaml: str | None = None,
    template_key: str = DEFAULT_TEMPLATE,
) -> Election:
    """Open an election for nominations. Its rules are ``rules_yaml`` (the election
    section as YAML) or the ``election:`` section of the procedure ``template_key``."""
    items = check_create_election(
        session,
        actor=actor,
        region_code=region_code,
        title=title,
        constituencies=constituencies,
        voting_opens_at=voting_opens_at,
        voting_closes_at=voting_closes_at,
        now=now,
    )
    if rules_yaml is not None and rules_yaml.strip():
        check_rules(rules_yaml)
        text = rules_yaml
    else:
        text = rules_text(template_rules(session, template_key))
    election = Election(
        region_code=region_code,
        title=title.strip(),
        rules=text,
        state=ElectionState.NOMINATION.value,
        voting_opens_at=voting_opens_at,
        voting_closes_at=voting_closes_at,
        created_by=actor.username,
        created_at=now,
        result="",
    )
    session.add(election)
    session.flush()
    for item in items:
        session.add(
            Constituency(
                election_id=election.id,
                name=item.name,
                region_code=item.region_code,
                seats=item.seats,
            )
        )
    session.flush()
    record(
        session,
        actor=actor,
        action="election.created",
        object_type="election",
        object_id=election.id,
        region_code=region_code,
        now=now,
        summary={
            "title": election.title,
            "constituencies": [[i.name, i.region_code, i.seats] for i in items],
            "rules": text,
            "voting_opens_at": voting_opens_at.isoformat(),
            "voting_closes_at": voting_closes_at.isoformat(),
        },
    )
    return election


# --------------------------------------------------------------------------- nomination


def do_nominate(
    session: Session,
    *,
    actor: Actor,
    election_id: int,
    constituency_id: int,
    resident_id: int,
    statement: str,
    now: datetime,
) -> Candidate:
    """A resident of the register as a candidate of a constituency, with their
    statement. One candidacy per resident per election."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    if state_of(election) is not ElectionState.NOMINATION:
        raise Conflict("Nominations are closed for this election.")
    constituency = session.get(Constituency, constituency_id)
    if constituency is None or constituency.election_id != election.id:
        raise NotFound("This election has no such constituency.")
    resident = session.get(Resident, resident_id)
    if resident is None or not (
        actor.role == "system" or may_access(actor.scope, resident.grid_code)
    ):
        raise NotFound("No such resident in your area.")
    text = statement.strip()
    if len(text) > STATEMENT_LIMIT:
        raise InvalidInput(
            "The candidate was not nominated.",
            details=[Problem("statement", "At most %(n)s characters.", n=STATEMENT_LIMIT)],
        )
    if session.scalar(
        select(Candidate.id).where(
            Candidate.election_id == election.id, Candidate.resident_id == resident.id
        )
    ):
        raise Conflict(
            "%(name)s is already a candidate in this election.", params={"name": resident.name}
        )
    candidate = Candidate(
        election_id=election.id,
        constituency_id=constituency.id,
        resident_id=resident.id,
        name=resident.name,
        statement=text,
        nominated_by=actor.username,
        nominated_at=now,
        state=CandidateState.NOMINATED.value,
        review_reason="",
    )
    try:
        with session.begin_nested():
            session.add(candidate)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "%(name)s is already a candidate in this election.", params={"name": resident.name}
        ) from None
    record(
        session,
        actor=actor,
        action="election.nominated",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={
            "candidate": candidate.id,
            "resident": resident.id,
            "constituency": constituency.id,
        },
    )
    return candidate


def _candidate(session: Session, election: Election, candidate_id: int) -> Candidate:
    candidate = session.get(Candidate, candidate_id)
    if candidate is None or candidate.election_id != election.id:
        raise NotFound("This election has no such candidate.")
    return candidate


def _auto_review(session: Session, election: Election, candidate: Candidate) -> Problem | None:
    constituency = session.get(Constituency, candidate.constituency_id)
    resident = session.get(Resident, candidate.resident_id)
    if constituency is None or resident is None:  # pragma: no cover - foreign keys
        return Problem("resident", "The candidate is not in the register.")
    return eligibility_problem(session, election, resident, region_code=constituency.region_code)


_MEETS = "Meets the eligibility rules."


def do_review_candidate(
    session: Session,
    *,
    actor: Actor,
    election_id: int,
    candidate_id: int,
    now: datetime,
    override: CandidateState | None = None,
    reason: str = "",
) -> Candidate:
    """Review a nominee: the eligibility rules decide and their reason is recorded; staff
    may confirm it (no ``override``) or override it to ``eligible``/``ineligible`` with a
    reason. Allowed during nomination and review."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    if state_of(election) not in (ElectionState.NOMINATION, ElectionState.REVIEW):
        raise Conflict("Candidates are reviewed before voting opens.")
    candidate = _candidate(session, election, candidate_id)
    if CandidateState(candidate.state) is CandidateState.WITHDRAWN:
        raise Conflict("This candidate has withdrawn.")
    problem = _auto_review(session, election, candidate)
    found = CandidateState.ELIGIBLE if problem is None else CandidateState.INELIGIBLE
    text = reason.strip()[:REASON_LIMIT]
    if override is not None:
        if override not in (CandidateState.ELIGIBLE, CandidateState.INELIGIBLE):
            raise InvalidInput("A review finds a candidate eligible or ineligible.")
        if override is not found and not text:
            raise InvalidInput(
                "Say why you override the eligibility rules.",
                details=[Problem("reason", "A reason is required.")],
            )
    decided = override or found
    review: dict[str, Any] = {
        "message": problem.message if problem else _MEETS,
        "params": problem.params if problem else {},
        "found": found.value,
    }
    if decided is not found:
        review["override"] = text
    elif text:
        review["note"] = text
    candidate.state = decided.value
    candidate.review_reason = json.dumps(review, ensure_ascii=False, default=str)[:500]
    candidate.reviewed_by = actor.username
    record(
        session,
        actor=actor,
        action="election.candidate_reviewed",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={
            "candidate": candidate.id,
            "found": found.value,
            "decided": decided.value,
            "reason": problem.text() if problem else _MEETS,
            "override": text if decided is not found else None,
        },
    )
    return candidate


def do_withdraw_candidate(
    session: Session,
    *,
    actor: Actor,
    election_id: int,
    candidate_id: int,
    reason: str,
    now: datetime,
) -> Candidate:
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    if state_of(election) not in (ElectionState.NOMINATION, ElectionState.REVIEW):
        raise Conflict("A candidate withdraws before voting opens.")
    candidate = _candidate(session, election, candidate_id)
    candidate.state = CandidateState.WITHDRAWN.value
    record(
        session,
        actor=actor,
        action="election.candidate_withdrawn",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={"candidate": candidate.id, "reason": reason.strip()[:REASON_LIMIT]},
    )
    return candidate


def do_open_review(session: Session, *, actor: Actor, election_id: int, now: datetime) -> Election:
    """Close nominations and review every nominee against the rules automatically."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    _move(election, ElectionState.REVIEW)
    reviewed = 0
    for candidate in candidates_of(session, election.id):
        if CandidateState(candidate.state) is CandidateState.NOMINATED:
            do_review_candidate(
                session, actor=actor, election_id=election.id, candidate_id=candidate.id, now=now
            )
            reviewed += 1
    record(
        session,
        actor=actor,
        action="election.review_opened",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={"reviewed": reviewed},
    )
    return election


def do_open_voting(session: Session, *, actor: Actor, election_id: int, now: datetime) -> Election:
    """End the review: every nominee reviewed, every constituency with a candidate.
    Votes are taken from ``voting_opens_at`` to ``voting_closes_at``."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    transition(state_of(election), ElectionState.VOTING)
    if now >= election.voting_closes_at:
        raise Conflict("The voting period is already over.")
    candidates = candidates_of(session, election.id)
    pending = [c.name for c in candidates if CandidateState(c.state) is CandidateState.NOMINATED]
    if pending:
        raise Conflict(
            "Review every candidate first: %(names)s.", params={"names": ", ".join(pending)}
        )
    eligible = {c.constituency_id for c in candidates if c.state == CandidateState.ELIGIBLE}
    empty = [c.name for c in constituencies_of(session, election.id) if c.id not in eligible]
    if empty:
        raise Conflict(
            "These constituencies have no eligible candidate: %(names)s.",
            params={"names": ", ".join(empty)},
        )
    _move(election, ElectionState.VOTING)
    record(
        session,
        actor=actor,
        action="election.voting_opened",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={"eligible": [c.id for c in candidates if c.state == CandidateState.ELIGIBLE]},
    )
    return election


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
            "The ballot was not taken.",
            details=[Problem("choices", "Choose each candidate at most once.")],
        )
    seats = ballot.constituency.seats
    if len(chosen) > seats:
        raise InvalidInput(
            "The ballot was not taken.",
            details=[Problem("choices", "Choose at most %(n)s candidates.", n=seats)],
        )
    allowed = {c.id for c in ballot.candidates}
    stray = [c for c in chosen if c not in allowed]
    if stray:
        raise InvalidInput(
            "The ballot was not taken.",
            details=[
                Problem(
                    "choices",
                    "Candidate %(id)s is not on the ballot of %(constituency)s.",
                    id=stray[0],
                    constituency=ballot.constituency.name,
                )
            ],
        )
    return sorted(chosen)


def _cast(
    session: Session,
    *,
    actor: Actor,
    election: Election,
    resident: Resident,
    choices: Sequence[int],
    channel: str,
    now: datetime,
    tz: str,
) -> None:
    check_voting_open(election, now)
    ballot = check_voter(session, election, resident, tz=tz)
    chosen = _check_choices(ballot, choices)
    try:
        with session.begin_nested():
            session.add(
                BallotReceipt(box=box_of(election.id), voter=voter_key(resident.id), at=now)
            )
            session.flush()
    except IntegrityError:
        raise Conflict(
            "%(name)s has already voted in this election.", params={"name": resident.name}
        ) from None
    content = json.dumps(chosen)
    box = ballot_box_of(election.id, ballot.constituency.id)
    for attempt in range(8):
        try:
            with session.begin_nested():
                session.add(
                    SecretBallot(
                        id=_BALLOT_ID_LOW + secrets.randbelow(_BALLOT_ID_SPAN),
                        box=box,
                        choices=content,
                    )
                )
                session.flush()
            break
        except IntegrityError:  # pragma: no cover - a random id already taken
            if attempt == 7:
                raise
    record(
        session,
        actor=actor,
        action="election.voted",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        # Who voted and how, never what they chose.
        summary={"voter": voter_key(resident.id), "channel": channel},
    )


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
    _cast(
        session,
        actor=actor,
        election=election,
        resident=resident,
        choices=choices,
        channel="online",
        now=now,
        tz=tz,
    )


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
    if resident is None or not (
        actor.role == "system" or may_access(actor.scope, resident.grid_code)
    ):
        raise NotFound("No such resident in your area.")
    _cast(
        session,
        actor=actor,
        election=election,
        resident=resident,
        choices=choices,
        channel="paper",
        now=now,
        tz=tz,
    )


def find_voter(
    session: Session, *, actor: Actor, election: Election, name: str, id_number: str
) -> Resident:
    """The resident with this name and whole document number (matched through the blind
    index, never by decrypting), in the election's area and the clerk's."""
    check_may_clerk(actor, election.region_code)
    number = id_number.strip()
    if not name.strip() or len(number) < 5:
        raise InvalidInput(
            "Give the voter's name and whole document number.",
            details=[Problem("id_number", "Give the whole document number.")],
        )
    resident = registry.find_resident_by_id_number(session, doc_type="mainland_id", number=number)
    if (
        resident is None
        or resident.name.strip() != name.strip()
        or not (actor.role == "system" or may_access(actor.scope, resident.grid_code))
    ):
        raise NotFound("No resident has this name and document number in your area.")
    return resident


# --------------------------------------------------------------------------- counting


def _ensure(condition: bool, what: str) -> None:
    """A count that does not add up is a bug, never a result: stop before storing it."""
    if not condition:
        raise RuntimeError(f"election count does not add up: {what}")


def do_count(session: Session, *, actor: Actor, election_id: int, now: datetime) -> Election:
    """Count each constituency once voting has closed; store each candidate's votes and
    whether elected, and the whole count (with a lot's seed and draw) on the election."""
    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    transition(state_of(election), ElectionState.COUNTED)
    if now < election.voting_closes_at:
        raise Conflict(
            "Counting starts after voting closes at %(closes)s.",
            params={
                "closes": election.voting_closes_at.astimezone(ZoneInfo(TZ)).strftime(
                    "%Y-%m-%d %H:%M"
                )
            },
        )
    election_rules = rules_of(election)
    candidates = candidates_of(session, election.id)
    residents = {
        r.id: r
        for r in session.scalars(
            select(Resident).where(Resident.id.in_([c.resident_id for c in candidates]))
        )
    }
    counted: list[dict[str, Any]] = []
    ballots_total = 0
    for constituency in constituencies_of(session, election.id):
        standing = [
            c
            for c in candidates
            if c.constituency_id == constituency.id and c.state == CandidateState.ELIGIBLE.value
        ]
        # Read in choice order, never in insertion order.
        stored = list(
            session.scalars(
                select(SecretBallot.choices)
                .where(SecretBallot.box == ballot_box_of(election.id, constituency.id))
                .order_by(SecretBallot.choices)
            )
        )
        ballots = [[str(choice) for choice in json.loads(text)] for text in stored]
        result = rules.count_votes(
            election_id=str(election.id) + "/" + str(constituency.id),
            seats=constituency.seats,
            candidates=[
                rules.Candidate(str(c.id), residents[c.resident_id].birth_date) for c in standing
            ],
            ballots=ballots,
            tie_break=election_rules.tie_break,
            winning_share=election_rules.winning_share,
        )
        # Tallies equal the stored ballots: every stored ballot was counted, every mark
        # on it is a vote for a candidate and every unused choice a blank.
        marked = sum(len(b) for b in ballots)
        blanks = sum(constituency.seats - len(b) for b in ballots)
        _ensure(result.ballots_cast == len(stored), "every stored ballot is counted")
        _ensure(result.balanced, "votes and blanks fill every valid ballot's seats")
        _ensure(
            result.invalid_ballots > 0
            or marked + blanks == sum(result.votes.values()) + result.blank_choices,
            "the choices on the ballots equal the votes and blanks counted",
        )
        ballots_total += len(stored)
        elected = set(result.elected)
        for c in standing:
            c.votes = result.votes[str(c.id)]
            c.elected = str(c.id) in elected
        counted.append(
            {
                "constituency": constituency.id,
                "name": constituency.name,
                "region_code": constituency.region_code,
                "seats": constituency.seats,
                "ballots_cast": result.ballots_cast,
                "valid_ballots": result.valid_ballots,
                "invalid_ballots": result.invalid_ballots,
                "blank_choices": result.blank_choices,
                "votes": {k: v for k, v in result.votes.items()},
                "elected": [int(c) for c in result.elected],
                "tied": [int(c) for c in result.tied],
                "runoff": [int(c) for c in result.runoff],
                "runoff_seats": result.runoff_seats,
                "unfilled": result.unfilled,
                "tie_break": result.tie_break.value,
                "seed": result.seed,
                "draw": [int(c) for c in result.draw],
            }
        )
    receipts = receipts_count(session, election.id)
    _ensure(receipts == ballots_total, "every receipt has its ballot")
    share = election_rules.winning_share
    election.result = json.dumps(
        {
            "counted_at": now.isoformat(),
            "receipts": receipts,
            "ballots": ballots_total,
            "tie_break": election_rules.tie_break.value,
            "winning_share": f"{share.numerator}/{share.denominator}" if share else None,
            "constituencies": counted,
        },
        ensure_ascii=False,
    )
    election.counted_at = now
    _move(election, ElectionState.COUNTED)
    record(
        session,
        actor=actor,
        action="election.counted",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={
            "ballots": ballots_total,
            "elected": [e for item in counted for e in item["elected"]],
            "runoff": [e for item in counted for e in item["runoff"]],
            "seeds": [item["seed"] for item in counted if item["seed"]],
        },
    )
    return election


# --------------------------------------------------------------------------- publishing


def result_notice_text(
    election: Election, constituencies: Sequence[Constituency], candidates: Sequence[Candidate]
) -> tuple[str, str]:
    """The result notice (选举结果公告), in Chinese as posted on the board."""
    result = result_of(election) or {"constituencies": []}
    by_id = {c.id: c for c in candidates}
    lines = [f"{election.title}投票已于计票结束，现将选举结果公告如下：", ""]
    for item in result["constituencies"]:
        lines.append(
            f"【{item['name']}】应选{item['seats']}名；收回选票{item['ballots_cast']}张，"
            f"有效{item['valid_ballots']}张，无效{item['invalid_ballots']}张。"
        )
        for key, votes in item["votes"].items():
            candidate = by_id.get(int(key))
            if candidate is None:
                continue
            mark = "（当选）" if int(key) in item["elected"] else ""
            lines.append(f"  {candidate.name}：{votes}票{mark}")
        if item["draw"]:
            drawn = "、".join(by_id[c].name for c in item["draw"] if c in by_id)
            lines.append(f"  得票相等，经抽签确定顺序：{drawn}（种子 {item['seed']}）。")
        if item["runoff"]:
            tied = "、".join(by_id[c].name for c in item["runoff"] if c in by_id)
            lines.append(f"  {tied}得票相等，{item['runoff_seats']}个名额另行选举。")
        if item["unfilled"]:
            lines.append(f"  {item['unfilled']}个名额无人当选，另行选举。")
        lines.append("")
    lines.append("对选举结果有异议的，请在公示期内提出。")
    del constituencies
    return f"{election.title}选举结果公告", "\n".join(lines)


def do_publish(session: Session, *, actor: Actor, election_id: int, now: datetime) -> Notice:
    """Publish the count as an election-result notice with its objection window."""
    from gridgov.deliberation import notices  # written alongside; imported when needed

    election = get_election(session, election_id, lock=True)
    check_may_run(actor, election.region_code)
    transition(state_of(election), ElectionState.PUBLISHED)
    title, body = result_notice_text(
        election, constituencies_of(session, election.id), candidates_of(session, election.id)
    )
    notice = notices.do_draft(
        session,
        actor=actor,
        region_code=election.region_code,
        kind=NoticeKind.ELECTION_RESULT,
        title=title,
        body=body,
        now=now,
        election_id=election.id,
    )
    notices.do_post(session, actor=actor, notice_id=notice.id, now=now)
    _move(election, ElectionState.PUBLISHED)
    record(
        session,
        actor=actor,
        action="election.published",
        object_type="election",
        object_id=election.id,
        region_code=election.region_code,
        now=now,
        summary={"notice": notice.id},
    )
    return notice
