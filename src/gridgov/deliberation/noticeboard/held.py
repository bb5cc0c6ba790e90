"""Objections to public notices held as possible spam: the moderation queue's
objections part (``/deliberation/moderation`` lists them beside held reports and posts).

``noticeboard.objections.do_object`` keeps :func:`objection_hold`'s reason in
``hidden_reason``; :func:`held_objections` lists them for the queue, and a moderator in
the notice's area releases them (public from then on) or removes them (hidden for good,
never public), both audited in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, record_about
from gridgov.deliberation.models import Notice, NoticeObjection
from gridgov.errors import Conflict, Forbidden, NotFound

# An objection's ``hidden_reason`` while it is held, and once removed as spam (English
# prefixes kept in the row, like the moderators' own reasons; pages show labels).
OBJECTION_HELD = "held for review"
OBJECTION_REMOVED = "removed as spam"
# Who moderates held objections: staff in the notice's area (not auditors or residents),
# as for held discussions and comments (``deliberation.discussion.MODERATOR_ROLES``).
OBJECTION_MODERATORS = frozenset(Role) - {Role.AUDITOR, Role.RESIDENT}


def objection_hold(signals: Sequence[str]) -> str | None:
    """The ``hidden_reason`` of a new objection: held, with its reasons, when the spam
    screen or the flood check raised any signal; else ``None`` (public)."""
    if not signals:
        return None
    return f"{OBJECTION_HELD}: {', '.join(sorted(set(signals)))}"[:200]


def objection_is_held(objection: NoticeObjection) -> bool:
    return bool(objection.hidden_reason and objection.hidden_reason.startswith(OBJECTION_HELD))


def objection_reasons(objection: NoticeObjection) -> list[str]:
    """The screen's reasons a held objection names (catalogue ids, ``REASON_LABELS``)."""
    if not objection_is_held(objection):
        return []
    _, _, rest = (objection.hidden_reason or "").partition(":")
    return [r.strip() for r in rest.split(",") if r.strip()]


@dataclass(frozen=True, slots=True)
class HeldObjection:
    """A held objection with the notice it was sent to, for the moderation queue."""

    objection: NoticeObjection
    notice: Notice
    reasons: tuple[str, ...]


def may_moderate_objections(actor: Actor) -> bool:
    return actor.role in OBJECTION_MODERATORS


def held_objections(session: Session, *, viewer: Actor, limit: int = 200) -> list[HeldObjection]:
    """Objections held as possible spam on notices in the viewer's area, oldest first."""
    if not may_moderate_objections(viewer):
        return []
    rows = session.execute(
        select(NoticeObjection, Notice)
        .join(Notice, Notice.id == NoticeObjection.notice_id)
        .where(
            NoticeObjection.hidden_reason.startswith(OBJECTION_HELD, autoescape=True),
            scope_clause(viewer.scope, Notice.region_code),
        )
        .order_by(NoticeObjection.at, NoticeObjection.id)
        .limit(limit)
    )
    return [HeldObjection(o, n, tuple(objection_reasons(o))) for o, n in rows]


def _held_objection(
    session: Session, actor: Actor, objection_id: int
) -> tuple[NoticeObjection, Notice]:
    objection = session.get(NoticeObjection, objection_id)
    notice = session.get(Notice, objection.notice_id) if objection is not None else None
    if objection is None or notice is None or not may_access(actor.scope, notice.region_code):
        raise NotFound("There is no objection %(id)s.", params={"id": objection_id})
    if not may_moderate_objections(actor):
        raise Forbidden("Your role may not moderate.")
    if not objection_is_held(objection):
        raise Conflict("This objection is not held for review.")
    return objection, notice


def do_release_objection(
    session: Session, *, actor: Actor, objection_id: int, now: datetime
) -> NoticeObjection:
    """Not spam after all: the objection is shown on the public notice page."""
    return _decide(session, actor, objection_id, now, None, "notice.objection_released")


def do_remove_objection(
    session: Session, *, actor: Actor, objection_id: int, now: datetime
) -> NoticeObjection:
    """Spam: the objection stays hidden for good (kept for audit, never public)."""
    return _decide(session, actor, objection_id, now, OBJECTION_REMOVED, "notice.objection_removed")


def _decide(
    session: Session,
    actor: Actor,
    objection_id: int,
    now: datetime,
    hidden_reason: str | None,
    action: str,
) -> NoticeObjection:
    objection, notice = _held_objection(session, actor, objection_id)
    previous = objection.hidden_reason
    objection.hidden_reason = hidden_reason
    session.flush()
    summary = {"objection": objection.id, "was": previous}
    record_about(session, actor, action, notice, now=now, summary=summary)
    return objection
