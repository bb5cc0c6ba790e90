"""The supervision committee's view (村务监督): matters with their comments, notices
and implementation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.audit.service import Actor
from gridgov.db import rows
from gridgov.deliberation.access import SUPERVISION_ROLES
from gridgov.deliberation.implementation import overdue_milestones
from gridgov.deliberation.matters import _implementation_of, current_stage, list_matters
from gridgov.deliberation.models import (
    Comment,
    Implementation,
    Matter,
    Meeting,
    Milestone,
    Notice,
)
from gridgov.deliberation.rules import (
    MeetingState,
    NoticeState,
    Stage,
    StageKind,
)
from gridgov.errors import Forbidden

# -- supervision --------------------------------------------------------------------


def supervision_comments(session: Session, matter_ids: list[int]) -> dict[int, list[Comment]]:
    """Supervision comments (监督) on matters, by matter, oldest first; hidden ones left
    out."""
    if not matter_ids:
        return {}
    rows = session.scalars(
        select(Comment)
        .where(
            Comment.supervision.is_(True),
            Comment.target_type == "matter",
            Comment.target_id.in_(matter_ids),
            Comment.hidden_reason.is_(None),
            Comment.held.is_(False),
        )
        .order_by(Comment.created_at, Comment.id)
    )
    result: dict[int, list[Comment]] = {}
    for comment in rows:
        result.setdefault(comment.target_id, []).append(comment)
    return result


def notices_of(session: Session, matter_id: int) -> list[Notice]:
    return rows(session, Notice, Notice.matter_id == matter_id, order_by=(Notice.id,))


@dataclass(frozen=True)
class SupervisionView:
    matters: list[Matter]
    stages: dict[int, Stage | None]
    no_quorum: list[Meeting]
    overdue: list[tuple[Milestone, Implementation]]
    disclosures_due: list[tuple[Matter, Notice | None]]  # at a disclosure, notice not closed
    comments: dict[int, list[Comment]]


def supervision_view(
    session: Session, *, viewer: Actor, today: date, region_code: str | None = None
) -> SupervisionView:
    """What the village supervision committee watches: every matter with its stage,
    meetings that ended without a quorum, overdue milestones, disclosures that are due
    (a matter at a disclosure stage whose notice is not posted or not closed yet), and
    the supervision comments."""
    if viewer.role != "system" and viewer.role not in SUPERVISION_ROLES:
        raise Forbidden("Your role may not do this.")
    matters = list_matters(session, viewer=viewer, region_code=region_code)
    if viewer.role == "auditor":  # auditors read matters too, through this view
        query = select(Matter).where(scope_clause(viewer.scope, Matter.region_code))
        if region_code:
            query = query.where(Matter.region_code.startswith(region_code, autoescape=True))
        matters = list(session.scalars(query.order_by(Matter.updated_at.desc(), Matter.id)))
    stages = {m.id: current_stage(session, m) for m in matters}
    ids = [m.id for m in matters]
    no_quorum = (
        list(
            session.scalars(
                select(Meeting)
                .where(Meeting.matter_id.in_(ids), Meeting.state == MeetingState.NO_QUORUM.value)
                .order_by(Meeting.starts_at.desc())
            )
        )
        if ids
        else []
    )
    due: list[tuple[Matter, Notice | None]] = []
    for matter in matters:
        stage = stages[matter.id]
        if stage is None or stage.kind is not StageKind.DISCLOSURE:
            continue
        pending = [
            n
            for n in notices_of(session, matter.id)
            if n.state in (NoticeState.DRAFT.value, NoticeState.POSTED.value)
        ]
        due.append((matter, pending[-1] if pending else None))
    return SupervisionView(
        matters=matters,
        stages=stages,
        no_quorum=no_quorum,
        overdue=overdue_milestones(session, viewer=viewer, today=today, region_code=region_code),
        disclosures_due=due,
        comments=supervision_comments(session, ids),
    )


def implementation_of(session: Session, matter_id: int) -> Implementation | None:
    """The implementation record of an adopted matter, if any."""
    return _implementation_of(session, matter_id)
