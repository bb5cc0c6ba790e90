"""Nomination (提名): candidates proposed, checked, confirmed, and the final list."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.deliberation.elections.common import (
    REASON_LIMIT,
    STATEMENT_LIMIT,
    _move,
    check_may_run,
    state_of,
    transition,
)
from gridgov.deliberation.elections.roll import (
    candidates_of,
    constituencies_of,
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
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry.models import Resident

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
    if resident is None or not actor.covers(resident.grid_code):
        raise NotFound("No such resident in your area.")
    text = statement.strip()
    if len(text) > STATEMENT_LIMIT:
        raise InvalidInput(
            N_("The candidate was not nominated."),
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
    summary = {
        "candidate": candidate.id,
        "resident": resident.id,
        "constituency": constituency.id,
    }
    record_about(session, actor, "election.nominated", election, now=now, summary=summary)
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
                N_("Say why you override the eligibility rules."),
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
    summary = {
        "candidate": candidate.id,
        "found": found.value,
        "decided": decided.value,
        "reason": problem.text() if problem else _MEETS,
        "override": text if decided is not found else None,
    }
    record_about(session, actor, "election.candidate_reviewed", election, now=now, summary=summary)
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
    summary = {"candidate": candidate.id, "reason": reason.strip()[:REASON_LIMIT]}
    record_about(session, actor, "election.candidate_withdrawn", election, now=now, summary=summary)
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
    record_about(
        session, actor, "election.review_opened", election, now=now, summary={"reviewed": reviewed}
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
    summary = {"eligible": [c.id for c in candidates if c.state == CandidateState.ELIGIBLE]}
    record_about(session, actor, "election.voting_opened", election, now=now, summary=summary)
    return election
