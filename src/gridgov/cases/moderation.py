"""Reports held as possible spam: the moderation queue's cases part, release and remove.

A held report (``Case.spam_suspected``) is not public (Open311 and the tracking pages
leave it out), not routed, and waits in the one moderation queue
(``/deliberation/moderation``) beside held discussions, proposals, comments and
objections. A dispatcher in scope releases it (it goes on as intake would have taken
it: routed when it has a category and a grid) or removes it (rejected as spam). Both
are audited in the caller's transaction.

Objections to public notices held as possible spam (``deliberation.notices.do_object``
asks :func:`objection_hold` for the reason it keeps in ``hidden_reason``) are kept here
too: :func:`held_objections` lists them for the queue, and a moderator in the notice's
area releases them (public from then on) or removes them (hidden for good, never
public), both audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.cases import service
from gridgov.cases.models import Case
from gridgov.cases.rules import State
from gridgov.deliberation.models import Notice, NoticeObjection
from gridgov.errors import Conflict, Forbidden, NotFound
from gridgov.msgids import N_

REMOVED_NOTE = "spam"
# An objection's ``hidden_reason`` while it is held, and once removed as spam (English
# prefixes kept in the row, like the moderators' own reasons; pages show labels).
OBJECTION_HELD = "held for review"
OBJECTION_REMOVED = "removed as spam"
# Who moderates held objections: staff in the notice's area (not auditors or residents),
# as for held discussions and comments (``deliberation.discussion.MODERATOR_ROLES``).
OBJECTION_MODERATORS = frozenset(Role) - {Role.AUDITOR, Role.RESIDENT}
# Catalogue ids of the reasons a report is held (``Case.spam_reasons``), shown through _().
REASON_LABELS = (
    N_("link"),
    N_("contact handle"),
    N_("keyword run"),
    N_("repeated characters"),
    N_("repeated words"),
    N_("abuse"),
    N_("gibberish"),
    N_("content model"),
    N_("flood"),
)


def may_moderate(actor: Actor) -> bool:
    return actor.role in service.DISPATCH_ROLES


def held_cases(session: Session, *, viewer: Actor, limit: int = 200) -> list[Case]:
    """Reports held as possible spam in the viewer's area, oldest first (dispatchers)."""
    if not may_moderate(viewer):
        return []
    query = (
        select(Case)
        .where(Case.spam_suspected.is_(True), Case.state == State.SUBMITTED.value)
        .order_by(Case.created_at, Case.id)
        .limit(limit * 2)
    )
    if viewer.scope:
        query = query.where(
            or_(
                Case.grid_code.is_(None),
                Case.grid_code.startswith(viewer.scope, autoescape=True),
            )
        )
    return [c for c in session.scalars(query) if service.may_see(viewer, c)][:limit]


def check_held(actor: Actor, case: Case) -> None:
    service.check_dispatch(actor, case)
    if not case.spam_suspected or State(case.state) is not State.SUBMITTED:
        raise Conflict("This report is not held for review.")


def do_release_case(
    session: Session, *, actor: Actor, case: Case, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    """Not spam after all: publish it, and route it when intake would have."""
    check_held(actor, case)
    case.spam_suspected = False
    case.updated_at = now
    case.version += 1
    service._event(session, case, actor, now, "released", None, None, public=False)
    record(
        session,
        actor=actor,
        action="case.released",
        object_type="case",
        object_id=case.id,
        region_code=case.grid_code,
        now=now,
        summary={"reasons": case.spam_reasons},
    )
    if case.category_code and case.grid_code:
        system = Actor.system("router")
        service._move(session, case, system, now, State.ACCEPTED, "accepted")
        service.do_assign(session, actor=system, case=case, now=now, tz=tz)


def do_remove_case(session: Session, *, actor: Actor, case: Case, now: datetime) -> None:
    """Spam: the report is rejected (never public, never routed); the row stays for audit."""
    check_held(actor, case)
    service._move(
        session, case, actor, now, State.REJECTED, "removed", note=REMOVED_NOTE, public=False
    )


# ---------------------------------------------------------------- held objections


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
    objection, notice = _held_objection(session, actor, objection_id)
    previous = objection.hidden_reason
    objection.hidden_reason = None
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.objection_released",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"objection": objection.id, "was": previous},
    )
    return objection


def do_remove_objection(
    session: Session, *, actor: Actor, objection_id: int, now: datetime
) -> NoticeObjection:
    """Spam: the objection stays hidden for good (kept for audit, never public)."""
    objection, notice = _held_objection(session, actor, objection_id)
    previous = objection.hidden_reason
    objection.hidden_reason = OBJECTION_REMOVED
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.objection_removed",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"objection": objection.id, "was": previous},
    )
    return objection
