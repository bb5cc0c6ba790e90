"""Reports held as possible spam: the moderation queue's cases part, release and remove.

A held report (``Case.spam_suspected``) is not public (Open311 and the tracking pages
leave it out), not routed, and waits in the one moderation queue
(``/deliberation/moderation``) beside held discussions, proposals, comments and
objections. A dispatcher in scope releases it (it goes on as intake would have taken
it: routed when it has a category and a grid) or removes it (rejected as spam). Both
are audited in the caller's transaction.

Objections to public notices held the same way are deliberation's
(``deliberation.noticeboard.held``); the queue page lists both.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.cases import access, assigning, steps
from gridgov.cases.models import Case
from gridgov.cases.rules import State
from gridgov.errors import Conflict
from gridgov.msgids import N_

REMOVED_NOTE = "spam"
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
    return actor.role in access.DISPATCH_ROLES


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
    return [c for c in session.scalars(query) if access.may_see(viewer, c)][:limit]


def check_held(actor: Actor, case: Case) -> None:
    access.check_dispatch(actor, case)
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
    steps.add_event(session, case, actor, now, "released", None, None, public=False)
    record_about(
        session, actor, "case.released", case, now=now, summary={"reasons": case.spam_reasons}
    )
    if case.category_code and case.grid_code:
        system = Actor.system("router")
        steps.move(session, case, system, now, State.ACCEPTED, "accepted")
        assigning.do_assign(session, actor=system, case=case, now=now, tz=tz)


def do_remove_case(session: Session, *, actor: Actor, case: Case, now: datetime) -> None:
    """Spam: the report is rejected (never public, never routed); the row stays for audit."""
    check_held(actor, case)
    steps.move(
        session, case, actor, now, State.REJECTED, "removed", note=REMOVED_NOTE, public=False
    )
