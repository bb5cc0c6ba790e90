"""Moderation: hiding and restoring comments, with the reason, audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.deliberation.discussion.comments import target_region
from gridgov.deliberation.discussion.common import (
    MODERATED,
    MODERATOR_ROLES,
    REASON_MAX,
    REPORT_MAX,
    Content,
    Target,
    _is,
    may_moderate,
    no_such,
    visible,
)
from gridgov.deliberation.models import (
    Comment,
    ContentReport,
    Discussion,
    Proposal,
)
from gridgov.deliberation.rules import mask_personal_data
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_

# ---------------------------------------------------------------- moderation


class _Item(NamedTuple):
    """A moderated item: its kind, its row and the region it belongs to."""

    kind: Target
    row: Content
    region_code: str


def _record(
    session: Session,
    actor: Actor,
    item: _Item,
    action: str,
    *,
    now: datetime,
    summary: dict[str, Any],
) -> None:
    """``record`` an entry about a moderated item."""
    record(
        session,
        actor=actor,
        action=action,
        object_type=item.kind.value,
        object_id=item.row.id,
        region_code=item.region_code,
        now=now,
        summary=summary,
    )


def _content(session: Session, target_type: str, target_id: int) -> _Item:
    try:
        kind = Target(target_type)
    except ValueError as exc:
        raise InvalidInput("Unknown kind of item: %(kind)s.", params={"kind": target_type}) from exc
    if kind not in MODERATED:
        raise InvalidInput(
            "Only discussions, proposals and comments are moderated here.",
        )
    model: Any = {
        Target.DISCUSSION: Discussion,
        Target.PROPOSAL: Proposal,
        Target.COMMENT: Comment,
    }[kind]
    row: Content | None = session.get(model, target_id)
    if row is None:
        raise no_such(kind)
    return _Item(kind, row, target_region(session, kind.value, target_id))


def _reason(text: str, limit: int, message: str, missing: str) -> str:
    """A report's or a hiding's reason, stripped: refused with ``message`` when it is
    empty (the field says ``missing``) or longer than ``limit``."""
    text = text.strip()
    if not text:
        raise InvalidInput(message, details=[Problem("reason", missing)])
    if len(text) > limit:
        raise InvalidInput(
            message, details=[Problem("reason", "At most %(n)s characters.", n=limit)]
        )
    return text


def do_report(
    session: Session,
    *,
    user: User,
    actor: Actor,
    target_type: str,
    target_id: int,
    reason: str,
    now: datetime,
) -> ContentReport:
    """A signed-in reader reports content to the moderators. Reporting the same item
    again while the first report is open returns that report."""
    item = _content(session, target_type, target_id)
    kind, row, region_code = item
    if not visible(user, row, region_code):
        raise no_such(kind)
    reason = _reason(reason, REPORT_MAX, N_("Say what is wrong with it."), N_("Say what is wrong."))
    existing = session.scalars(
        select(ContentReport).where(
            ContentReport.target_type == kind.value,
            ContentReport.target_id == target_id,
            ContentReport.reporter_user_id == user.id,
            ContentReport.resolved_at.is_(None),
        )
    ).first()
    if existing is not None:
        return existing
    report = ContentReport(
        target_type=kind.value,
        target_id=target_id,
        reason=mask_personal_data(reason),
        reporter_user_id=user.id,
        at=now,
    )
    session.add(report)
    session.flush()
    summary = {"report": report.id}
    _record(session, actor, item, "deliberation.content_reported", now=now, summary=summary)
    return report


def _require_moderator(user: User, region_code: str) -> None:
    if not may_moderate(user, region_code):
        raise Forbidden("Only moderators of this community may do this.")


def _resolve_reports(
    session: Session, kind: Target, target_id: int, actor: Actor, now: datetime
) -> list[int]:
    reports = list(
        session.scalars(
            select(ContentReport).where(
                ContentReport.target_type == kind.value,
                ContentReport.target_id == target_id,
                ContentReport.resolved_at.is_(None),
            )
        )
    )
    for report in reports:
        report.resolved_at = now
        report.resolved_by = actor.username
    return [r.id for r in reports]


def do_hide(
    session: Session,
    *,
    user: User,
    actor: Actor,
    target_type: str,
    target_id: int,
    reason: str,
    now: datetime,
) -> Content:
    """Hide content with a public reason; its open reports are resolved. The text stays
    stored (and audited) but is never shown again."""
    item = _content(session, target_type, target_id)
    kind, row, region_code = item
    _require_moderator(user, region_code)
    reason = _reason(
        reason,
        REASON_MAX,
        N_("Give the reason: it is shown in place of the text."),
        N_("Give the reason."),
    )
    if row.hidden_reason is not None:
        raise Conflict("This is already hidden.")
    row.hidden_reason = mask_personal_data(reason)
    resolved = _resolve_reports(session, kind, target_id, actor, now)
    session.flush()
    summary = {"reason": row.hidden_reason, "reports": resolved, "was_held": row.held}
    _record(session, actor, item, "deliberation.content_hidden", now=now, summary=summary)
    return row


def do_release(
    session: Session, *, user: User, actor: Actor, target_type: str, target_id: int, now: datetime
) -> Content:
    """Release held content: it was not spam after all, and is shown from now on."""
    item = _content(session, target_type, target_id)
    _require_moderator(user, item.region_code)
    if not item.row.held:
        raise Conflict("This is not held for review.")
    item.row.held = False
    session.flush()
    _record(session, actor, item, "deliberation.content_released", now=now, summary={})
    return item.row


def do_dismiss_report(
    session: Session, *, user: User, actor: Actor, report_id: int, now: datetime
) -> ContentReport:
    """Close a report without hiding anything."""
    report = session.get(ContentReport, report_id)
    if report is None:
        raise NotFound("There is no such report.")
    region_code = target_region(session, report.target_type, report.target_id)
    _require_moderator(user, region_code)
    if report.resolved_at is not None:
        raise Conflict("This report is already closed.")
    report.resolved_at = now
    report.resolved_by = actor.username
    session.flush()
    record(
        session,
        actor=actor,
        action="deliberation.report_dismissed",
        object_type=report.target_type,
        object_id=report.target_id,
        region_code=region_code,
        now=now,
        summary={"report": report.id},
    )
    return report


@dataclass(frozen=True)
class QueueItem:
    """An item for the moderators: reported or held, with its open reports."""

    kind: Target
    item: Content
    region_code: str
    reports: Sequence[ContentReport]


def moderation_queue(session: Session, *, user: User, limit: int = 200) -> list[QueueItem]:
    """Open reports and held items in the moderator's scope, oldest first."""
    if not _is(user, MODERATOR_ROLES):
        return []
    found: dict[tuple[Target, int], QueueItem] = {}
    reports = session.scalars(
        select(ContentReport)
        .where(ContentReport.resolved_at.is_(None))
        .order_by(ContentReport.at, ContentReport.id)
        .limit(limit * 5)
    )
    grouped: dict[tuple[str, int], list[ContentReport]] = {}
    for report in reports:
        grouped.setdefault((report.target_type, report.target_id), []).append(report)
    for (target_type, target_id), items in grouped.items():
        try:
            kind, row, region_code = _content(session, target_type, target_id)
        except (NotFound, InvalidInput):
            continue
        if may_access(user.scope, region_code):
            found[(kind, row.id)] = QueueItem(kind, row, region_code, items)
    for kind, model in (
        (Target.DISCUSSION, Discussion),
        (Target.PROPOSAL, Proposal),
    ):
        held: Any = model
        for row in session.scalars(
            select(held)
            .where(
                held.held.is_(True),
                held.hidden_reason.is_(None),
                scope_clause(user.scope, held.region_code),
            )
            .order_by(held.created_at, held.id)
            .limit(limit)
        ):
            found.setdefault((kind, row.id), QueueItem(kind, row, row.region_code, ()))
    for comment in session.scalars(
        select(Comment)
        .where(Comment.held.is_(True), Comment.hidden_reason.is_(None))
        .order_by(Comment.created_at, Comment.id)
        .limit(limit * 5)
    ):
        region_code = target_region(session, comment.target_type, comment.target_id)
        if may_access(user.scope, region_code):
            found.setdefault(
                (Target.COMMENT, comment.id), QueueItem(Target.COMMENT, comment, region_code, ())
            )
    return list(found.values())[:limit]
