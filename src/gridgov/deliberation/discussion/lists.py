"""Lists: a region's discussions and proposals, a resident's own, what waits for an answer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import scope_clause
from gridgov.deliberation.discussion.common import ANSWER_ROLES, Target, _is, visible
from gridgov.deliberation.models import (
    Comment,
    Discussion,
    Proposal,
)
from gridgov.deliberation.rules import ProposalState

# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class DiscussionSummary:
    discussion: Discussion
    proposals: int
    answered: int
    comments: int


def list_discussions(
    session: Session, region_code: str, *, viewer: User | None, limit: int = 200
) -> list[DiscussionSummary]:
    """A community's discussions, newest first, with counts of proposals, of answered
    proposals and of comments (held items are not counted)."""
    rows = [
        d
        for d in session.scalars(
            select(Discussion)
            .where(Discussion.region_code == region_code)
            .order_by(Discussion.created_at.desc(), Discussion.id.desc())
            .limit(limit)
        )
        if visible(viewer, d, region_code)
    ]
    ids = [d.id for d in rows]
    proposals: dict[int, int] = {}
    answered: dict[int, int] = {}
    comments: dict[int, int] = {}
    if ids:
        for discussion_id, state, count in session.execute(
            select(Proposal.discussion_id, Proposal.state, func.count())
            .where(Proposal.discussion_id.in_(ids), Proposal.held.is_(False))
            .group_by(Proposal.discussion_id, Proposal.state)
        ):
            if discussion_id is None:
                continue
            proposals[discussion_id] = proposals.get(discussion_id, 0) + count
            if state != ProposalState.SUBMITTED.value:
                answered[discussion_id] = answered.get(discussion_id, 0) + count
        for target_id, count in session.execute(
            select(Comment.target_id, func.count())
            .where(
                Comment.target_type == Target.DISCUSSION.value,
                Comment.target_id.in_(ids),
                Comment.held.is_(False),
            )
            .group_by(Comment.target_id)
        ):
            comments[target_id] = count
    return [
        DiscussionSummary(d, proposals.get(d.id, 0), answered.get(d.id, 0), comments.get(d.id, 0))
        for d in rows
    ]


def list_proposals(
    session: Session,
    region_code: str,
    *,
    viewer: User | None,
    discussion_id: int | None = None,
    standalone: bool = False,
    limit: int = 200,
) -> list[Proposal]:
    """Proposals of a community (or of one discussion, or those without one)."""
    query = select(Proposal).where(Proposal.region_code == region_code)
    if discussion_id is not None:
        query = query.where(Proposal.discussion_id == discussion_id)
    elif standalone:
        query = query.where(Proposal.discussion_id.is_(None))
    rows = session.scalars(
        query.order_by(Proposal.created_at.desc(), Proposal.id.desc()).limit(limit)
    )
    return [p for p in rows if visible(viewer, p, region_code)]


def proposals_awaiting(session: Session, *, user: User, limit: int = 200) -> list[Proposal]:
    """Proposals in the user's scope that await the community's answer, oldest first."""
    if not _is(user, ANSWER_ROLES):
        return []
    return list(
        session.scalars(
            select(Proposal)
            .where(
                scope_clause(user.scope, Proposal.region_code),
                Proposal.state == ProposalState.SUBMITTED.value,
                Proposal.held.is_(False),
            )
            .order_by(Proposal.created_at, Proposal.id)
            .limit(limit)
        )
    )


def merge_candidates_of(session: Session, proposals: list[Proposal]) -> dict[int, list[Proposal]]:
    """``merge_candidates`` for several proposals, one query per community, not per row."""
    by_region: dict[str, list[Proposal]] = {}
    for code in {p.region_code for p in proposals}:
        by_region[code] = list(
            session.scalars(
                select(Proposal)
                .where(
                    Proposal.region_code == code,
                    Proposal.held.is_(False),
                    Proposal.state != ProposalState.MERGED.value,
                )
                .order_by(Proposal.id.desc())
                .limit(101)
            )
        )
    return {p.id: [c for c in by_region[p.region_code] if c.id != p.id][:100] for p in proposals}


def merge_candidates(session: Session, proposal: Proposal) -> list[Proposal]:
    """Where a proposal may be merged: others of its community, not held or merged."""
    return list(
        session.scalars(
            select(Proposal)
            .where(
                Proposal.region_code == proposal.region_code,
                Proposal.id != proposal.id,
                Proposal.held.is_(False),
                Proposal.state != ProposalState.MERGED.value,
            )
            .order_by(Proposal.id.desc())
            .limit(100)
        )
    )
