"""Elections API (under ``/api/v1``): an election with its candidates and, once counted,
its result (public); a resident's vote; a clerk's paper ballot; counting; publishing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.deliberation import elections
from gridgov.deliberation.models import Election
from gridgov.deliberation.schemas.elections import (
    BallotIn,
    CandidateOut,
    ConstituencyOut,
    ElectionOut,
    EligibilityOut,
    NoticeRef,
    ResultOut,
    RulesOut,
    VotedOut,
    VoteIn,
)
from gridgov.errors import Conflict, NotFound
from gridgov.territory import service as territory
from gridgov.web.deps import CurrentUser, SessionDep, require_roles
from gridgov.web.toolkit import CurrentDesk, Desk, desk, filled

router = APIRouter(tags=["deliberation"])

ElectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ClerkUser = Annotated[User, Depends(require_roles(*elections.CLERK_ROLES))]
RunUser = Annotated[User, Depends(require_roles(*elections.ELECTION_ROLES))]


ClerkDesk = Annotated[Desk, Depends(desk(ClerkUser, name="clerk_desk"))]
RunDesk = Annotated[Desk, Depends(desk(RunUser, name="run_desk"))]


def _election(session: Session, election_id: int) -> Election:
    return elections.get_election(session, election_id)


def _out(session: Session, election: Election) -> ElectionOut:
    election_rules = elections.rules_of(election)
    rule = election_rules.eligibility
    share = election_rules.winning_share
    notice = elections.result_notice(session, election.id)
    region = territory.find_region(session, code=election.region_code)
    candidates = []
    for c in elections.candidates_of(session, election.id):
        review = elections.review_of(c)
        candidates.append(filled(CandidateOut, c, review=review.text(), override=review.override))
    return filled(
        ElectionOut,
        election,
        rules=RulesOut(
            eligibility=filled(EligibilityOut, rule),
            tie_break=election_rules.tie_break.value,
            winning_share=f"{share.numerator}/{share.denominator}" if share else None,
            in_words=[
                line.text()
                for line in elections.rules_in_words(
                    election_rules, region.name if region else election.region_code
                )
            ],
        ),
        constituencies=[
            filled(ConstituencyOut, c) for c in elections.constituencies_of(session, election.id)
        ],
        candidates=candidates,
        result_notice_id=notice.id if notice is not None else None,
    )


@router.get("/elections/{election_id}", response_model=ElectionOut)
def election_detail(election_id: ElectionId, session: SessionDep) -> ElectionOut:
    """An election for anyone: constituencies, rules, candidates and their review."""
    return _out(session, _election(session, election_id))


@router.get("/elections/{election_id}/result", response_model=ResultOut)
def election_result(election_id: ElectionId, session: SessionDep) -> ResultOut:
    """The count, once made: votes per candidate, the elected, ties, seeds and draws."""
    election = _election(session, election_id)
    result: dict[str, Any] | None = elections.result_of(election)
    if result is None:
        raise NotFound("This election has not been counted yet.")
    notice = elections.result_notice(session, election.id)
    return ResultOut.model_validate(
        {
            **result,
            "election_id": election.id,
            "result_notice_id": notice.id if notice is not None else None,
        }
    )


@router.post("/elections/{election_id}/vote", response_model=VotedOut, status_code=201)
def vote(election_id: ElectionId, body: VoteIn, desk: CurrentDesk) -> VotedOut:
    """The caller's own vote, as the resident their account is linked to."""
    desk.commit(
        elections.do_vote,
        election_id=election_id,
        resident_id=desk.user.resident_id,
        choices=body.choices,
        tz=desk.tz,
    )
    return VotedOut(election_id=election_id, voted=True)


@router.get("/elections/{election_id}/vote", response_model=VotedOut)
def my_vote(election_id: ElectionId, session: SessionDep, user: CurrentUser) -> VotedOut:
    """Whether the caller has voted; never what they chose."""
    election = _election(session, election_id)
    voted = user.resident_id is not None and elections.has_voted(
        session, election.id, user.resident_id
    )
    return VotedOut(election_id=election.id, voted=voted)


@router.post("/elections/{election_id}/ballots", response_model=VotedOut, status_code=201)
def record_ballot(election_id: ElectionId, body: BallotIn, desk: ClerkDesk) -> VotedOut:
    """A clerk records the paper ballot of a named voter at the polling station."""
    desk.commit(
        elections.do_record_paper_ballot,
        election_id=election_id,
        resident_id=body.resident_id,
        choices=body.choices,
        tz=desk.tz,
    )
    return VotedOut(election_id=election_id, voted=True)


@router.post("/elections/{election_id}/count", response_model=ResultOut)
def count(election_id: ElectionId, desk: RunDesk) -> ResultOut:
    """Count once voting has closed."""
    election = elections.do_count(
        desk.session, actor=desk.actor, election_id=election_id, now=desk.now
    )
    desk.session.commit()
    result = elections.result_of(election)
    if result is None:  # pragma: no cover - do_count always stores one
        raise Conflict("This election has not been counted yet.")
    return ResultOut.model_validate(
        {**result, "election_id": election.id, "result_notice_id": None}
    )


@router.post("/elections/{election_id}/publish", response_model=NoticeRef, status_code=201)
def publish(election_id: ElectionId, desk: RunDesk) -> NoticeRef:
    """Publish the count as an election-result notice with its objection window."""
    notice = elections.do_publish(
        desk.session, actor=desk.actor, election_id=election_id, now=desk.now
    )
    desk.session.commit()
    return NoticeRef(election_id=election_id, state=notice.state, notice_id=notice.id)
