"""Proposals (提议): raised by residents or staff, supported, answered by the community,
and, once accepted, carried out as an implementation record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.db import rows
from gridgov.deliberation import service
from gridgov.deliberation.discussion.common import (
    ANSWER_MAX,
    Answer,
    Target,
    get_visible,
    may_answer,
)
from gridgov.deliberation.discussion.threads import get_discussion, posted_columns
from gridgov.deliberation.models import (
    Implementation,
    Milestone,
    Proposal,
)
from gridgov.deliberation.rules import ProposalState
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_

# ---------------------------------------------------------------- proposals


def do_submit_proposal(
    session: Session,
    *,
    user: User,
    actor: Actor,
    title: str,
    body: str,
    language: str,
    now: datetime,
    region_code: str | None = None,
    discussion_id: int | None = None,
) -> Proposal:
    """Submit a proposal (献策) in a community, from a discussion or on its own."""
    discussion = None
    if discussion_id is not None:
        discussion = get_discussion(session, discussion_id, viewer=user)
        if discussion.hidden_reason is not None or discussion.held:
            raise Conflict("This discussion is not open for proposals.")
        if region_code and region_code != discussion.region_code:
            raise InvalidInput("The discussion belongs to another community.")
        region_code = discussion.region_code
    if not region_code:
        raise InvalidInput(
            N_("Choose the community."), details=[Problem("region", N_("Required."))]
        )
    columns, signals = posted_columns(session, user, region_code, title, body, language, now)
    row = Proposal(
        **columns,
        discussion_id=discussion.id if discussion else None,
        state=ProposalState.SUBMITTED.value,
        answer="",
    )
    summary = {
        "discussion": row.discussion_id,
        "language": row.language,
        "held": row.held,
        "signals": signals,
    }
    return add_and_record(
        session, actor, "deliberation.proposal_submitted", row, now=now, summary=summary
    )


def get_proposal(session: Session, proposal_id: int, *, viewer: User | None) -> Proposal:
    return get_visible(session, Target.PROPOSAL, Proposal, proposal_id, viewer)


@dataclass(frozen=True)
class Answered:
    proposal: Proposal
    implementation: Implementation | None
    merged_into: Proposal | None


def check_answer(
    session: Session,
    *,
    user: User,
    proposal: Proposal,
    decision: str,
    reason: str,
    merged_into_id: int | None,
) -> tuple[Answer, str, Proposal | None]:
    if not may_answer(user, proposal.region_code):
        raise Forbidden("Only the community's secretary, leaders or units answer proposals.")
    problems: list[Problem] = []
    try:
        answer = Answer(decision)
    except ValueError:
        problems.append(Problem("decision", "Choose accepted, merged or not adopted."))
        answer = Answer.NOT_ADOPTED
    reason = reason.strip()
    if not reason:
        problems.append(Problem("reason", "Give the reason: it is published with the answer."))
    elif len(reason) > ANSWER_MAX:
        problems.append(Problem("reason", "At most %(n)s characters.", n=ANSWER_MAX))
    if problems:
        raise InvalidInput("The proposal was not answered.", details=problems)
    if proposal.held:
        raise Conflict("This proposal is held for review: release it before answering.")
    if proposal.state != ProposalState.SUBMITTED.value:
        raise Conflict(
            "This proposal has already been answered (%(state)s).",
            params={"state": proposal.state},
        )
    target = None
    if answer is Answer.MERGED:
        if merged_into_id is None:
            raise InvalidInput(
                "The proposal was not answered.",
                details=[Problem("merged_into", "Name the proposal it is merged into.")],
            )
        target = session.get(Proposal, merged_into_id)
        if target is None or target.held:
            raise NotFound("There is no proposal #%(id)s.", params={"id": merged_into_id})
        if target.id == proposal.id:
            raise InvalidInput("A proposal cannot be merged into itself.")
        if target.region_code != proposal.region_code:
            raise InvalidInput("A proposal is merged only into a proposal of the same community.")
        if target.state == ProposalState.MERGED.value:
            raise Conflict(
                "Proposal #%(id)s was itself merged into #%(into)s: merge into that one.",
                params={"id": target.id, "into": target.merged_into_id},
            )
    elif merged_into_id is not None:
        raise InvalidInput("Only a merged proposal names another proposal.")
    return answer, reason, target


def do_answer_proposal(
    session: Session,
    *,
    user: User,
    actor: Actor,
    proposal_id: int,
    decision: str,
    reason: str,
    now: datetime,
    merged_into_id: int | None = None,
) -> Answered:
    """The community's public answer. Accepted opens a governance action (an
    implementation record); merged names the proposal it went into. Once only: a second
    answer, even a concurrent one, is refused."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("There is no such proposal.")
    answer, reason, target = check_answer(
        session,
        user=user,
        proposal=proposal,
        decision=decision,
        reason=reason,
        merged_into_id=merged_into_id,
    )
    claimed = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.state == ProposalState.SUBMITTED.value)
        .values(
            state=answer.value,
            answer=reason,
            answered_by=actor.username,
            answered_at=now,
            merged_into_id=target.id if target else None,
        )
        .execution_options(synchronize_session=False)
    )
    if int(getattr(claimed, "rowcount", 0)) != 1:
        raise Conflict("This proposal has already been answered.")
    session.refresh(proposal)
    implementation = None
    if answer is Answer.ACCEPTED:
        implementation = service.do_start_implementation(
            session,
            actor=actor,
            region_code=proposal.region_code,
            title=proposal.title,
            now=now,
            proposal_id=proposal.id,
        )
    summary = {
        "answer": answer.value,
        "merged_into": target.id if target else None,
        "implementation": implementation.id if implementation else None,
    }
    record_about(
        session, actor, "deliberation.proposal_answered", proposal, now=now, summary=summary
    )
    return Answered(proposal, implementation, target)


def implementation_of(
    session: Session, proposal: Proposal
) -> tuple[Implementation | None, list[Milestone]]:
    """The governance action of an accepted proposal, with its milestones in order."""
    row = session.scalars(
        select(Implementation).where(Implementation.proposal_id == proposal.id)
    ).first()
    if row is None:
        return None, []
    milestones = session.scalars(
        select(Milestone)
        .where(Milestone.implementation_id == row.id)
        .order_by(Milestone.position, Milestone.due_on, Milestone.id)
    )
    return row, list(milestones)


def merged_here(session: Session, proposal: Proposal) -> list[Proposal]:
    """The proposals merged into this one (not held)."""
    return rows(
        session,
        Proposal,
        Proposal.merged_into_id == proposal.id,
        Proposal.held.is_(False),
        order_by=(Proposal.id,),
    )
