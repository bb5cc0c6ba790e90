"""The work list on a person's home page: counts of what waits for them and the chosen
list's cases, one tap from each case. Grid workers and unit staff see their grid's or
unit's cases; dispatchers see results awaiting their check (their queues are on /desk).
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases import service, worklist
from gridgov.cases.page_helpers import case_row
from gridgov.msgids import N_
from gridgov.web.render import language_of, local_time

# The lists' names as people read them.
LIST_LABELS = {
    "new": N_("New for me"),
    "today": N_("Due today"),
    "overdue": N_("Overdue"),
    "rework": N_("Back for rework"),
    "check": N_("Awaiting my check"),
    "open": N_("Everything to do"),
}


def work_context(
    request: Request, session: Session, actor: Actor, now: Any, chosen: str
) -> dict[str, Any] | None:
    """What home.html's work list needs, or None for roles without one."""
    if actor.role not in worklist.HANDLER_ROLES | {"dispatcher", "admin"}:
        return None
    tz = ZoneInfo(request.app.state.gridgov.settings.timezone)
    language = language_of(request)
    found = worklist.work_list(session, actor=actor, now=now, tz=tz, chosen=chosen or "open")
    categories = {c.code: c for c in service.list_categories(session, leaves_only=False)}
    rows = [case_row(case, categories, language, now, tz) for case in found.cases]
    return {
        "counts": [(name, LIST_LABELS[name], n) for name, n in found.counts.items()],
        "chosen": found.chosen,
        "chosen_label": LIST_LABELS[found.chosen],
        "rows": rows,
    }


def my_reports(request: Request, session: Session, actor: Actor) -> list[dict[str, Any]] | None:
    """A signed-in resident's own reports, newest first, each to its tracking page."""
    from sqlalchemy import select

    from gridgov.cases.models import Case

    if actor.role != "resident" or actor.user_id is None:
        return None
    tz = ZoneInfo(request.app.state.gridgov.settings.timezone)
    found = session.scalars(
        select(Case)
        .where(Case.reporter_user_id == actor.user_id)
        .order_by(Case.created_at.desc(), Case.id.desc())
        .limit(50)
    )
    return [{"case": case, "created": local_time(case.created_at, tz)} for case in found]
