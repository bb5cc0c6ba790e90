"""Comments in a discussion, and the supervision comments on matters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor, record
from gridgov.deliberation import service
from gridgov.deliberation.discussion.common import (
    COMMENT_MAX,
    COMMENT_TARGETS,
    SUPERVISION_TARGETS,
    Target,
    _author_name,
    _held,
    _language,
    _require_writer,
    language_problem,
    may_supervise,
    no_such,
    text_problems,
    visible,
)
from gridgov.deliberation.discussion.proposals import get_proposal
from gridgov.deliberation.discussion.threads import get_discussion
from gridgov.deliberation.models import (
    Comment,
    Discussion,
    Implementation,
    Matter,
    Notice,
    Proposal,
)
from gridgov.deliberation.rules import mask_personal_data
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_

# ---------------------------------------------------------------- comments


def target_region(session: Session, target_type: str, target_id: int) -> str:
    """The region of what a comment, report or moderation points at; NotFound if none."""
    try:
        kind = Target(target_type)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of item: %(kind)s.", params={"kind": target_type}) from exc
    model: Any = {
        Target.DISCUSSION: Discussion,
        Target.PROPOSAL: Proposal,
        Target.MATTER: Matter,
        Target.NOTICE: Notice,
        Target.IMPLEMENTATION: Implementation,
        Target.COMMENT: Comment,
    }[kind]
    row = session.get(model, target_id)
    if row is None:
        raise no_such(kind)
    if isinstance(row, Comment):
        return target_region(session, row.target_type, row.target_id)
    region: str = row.region_code
    return region


def _check_stage(session: Session, matter_id: int, stage_id: str | None) -> str:
    matter = session.get(Matter, matter_id)
    if matter is None:
        raise no_such(Target.MATTER)
    if not stage_id:
        raise InvalidInput(
            N_("Name the stage of the matter."),
            details=[Problem("stage_id", N_("Name the stage of the matter."))],
        )
    _, procedure = service.template_by_id(session, matter.template_id)
    if stage_id not in {stage.id for stage in procedure.stages}:
        raise NotFound(
            "The procedure %(procedure)s has no stage %(stage)s.",
            params={"procedure": procedure.id, "stage": stage_id},
        )
    return stage_id


def _commentable(
    session: Session, user: User, target_type: str, target_id: int, *, supervision: bool
) -> tuple[Target, str]:
    """The kind of item commented on and its region, when comments of this kind may go
    on it: a discussion or proposal must be open (neither held nor hidden)."""
    try:
        kind = Target(target_type)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of item: %(kind)s.", params={"kind": target_type}) from exc
    allowed = SUPERVISION_TARGETS if supervision else COMMENT_TARGETS
    if kind not in allowed:
        raise InvalidInput(
            "Comments on a %(kind)s are supervision comments.", params={"kind": kind.value}
        )
    region_code = target_region(session, kind.value, target_id)
    if kind is Target.DISCUSSION:
        discussion = get_discussion(session, target_id, viewer=user)
        if discussion.held or discussion.hidden_reason is not None:
            raise Conflict("This discussion is not open for comments.")
    elif kind is Target.PROPOSAL:
        proposal = get_proposal(session, target_id, viewer=user)
        if proposal.held or proposal.hidden_reason is not None:
            raise Conflict("This proposal is not open for comments.")
    return kind, region_code


def do_comment(
    session: Session,
    *,
    user: User,
    actor: Actor,
    target_type: str,
    target_id: int,
    text: str,
    language: str,
    now: datetime,
    supervision: bool = False,
    stage_id: str | None = None,
) -> Comment:
    """Comment on a discussion or a proposal; or, as supervision (监督), on any stage of
    a matter, a notice or an implementation record."""
    kind, region_code = _commentable(session, user, target_type, target_id, supervision=supervision)
    if kind is Target.MATTER:
        stage_id = _check_stage(session, target_id, stage_id)
    elif stage_id:
        raise InvalidInput("Only a matter has stages.")
    if supervision:
        if not may_supervise(user, region_code):
            raise Forbidden("Supervision comments come from residents and supervisors here.")
    else:
        _require_writer(user, region_code)
    problems = text_problems(title=None, body=text, body_max=COMMENT_MAX, body_field="text")
    if problem := language_problem(language.strip() or (user.language or "")):
        problems.append(problem)
    if problems:
        raise InvalidInput("The comment was not posted.", details=problems)
    masked = mask_personal_data(text.strip())
    signals = _held(session, user, masked, now=now)
    row = Comment(
        target_type=kind.value,
        target_id=target_id,
        stage_id=stage_id,
        supervision=supervision,
        text=masked,
        language=_language(language, user.language),
        author_name=_author_name(user),
        author_user_id=user.id,
        author_role=user.role,
        created_at=now,
        held=bool(signals),
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.supervision_commented" if supervision else "deliberation.commented",
        object_type="comment",
        object_id=row.id,
        region_code=region_code,
        now=now,
        summary={
            "target": f"{kind.value}:{target_id}",
            "stage": stage_id,
            "language": row.language,
            "held": row.held,
            "signals": signals,
        },
    )
    return row


def comments_of(
    session: Session,
    target_type: str,
    target_id: int,
    *,
    viewer: User | None,
    region_code: str,
    supervision: bool | None = None,
) -> list[Comment]:
    """Comments on an item in order, without the held ones the viewer may not see.
    ``supervision`` None gives both kinds."""
    query = select(Comment).where(
        Comment.target_type == target_type, Comment.target_id == target_id
    )
    if supervision is not None:
        query = query.where(Comment.supervision.is_(supervision))
    rows = session.scalars(query.order_by(Comment.created_at, Comment.id))
    return [c for c in rows if visible(viewer, c, region_code)]
