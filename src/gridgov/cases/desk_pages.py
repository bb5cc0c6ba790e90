"""The dispatcher's desk page: queue counts, the chosen queue, and the search form."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases import desk, service
from gridgov.cases.page_helpers import case_row
from gridgov.cases.pages import category_groups
from gridgov.cases.rules import State
from gridgov.errors import InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.web.deps import Now, SessionDep, StateDep, actor_of, require_roles
from gridgov.web.render import error_message, language_of, local_time, no_store, render

router = APIRouter(include_in_schema=False)

DeskPage = Annotated[
    User, Depends(require_roles(Role.DISPATCHER, Role.ADMIN, Role.LEADER, page=True))
]
Short = Annotated[str, Query(max_length=64)]

QUEUE_LABELS = {
    "new": N_("New reports"),
    "returned": N_("Returned"),
    "check": N_("Awaiting verification"),
    "overdue": N_("Overdue"),
    "suspension": N_("Suspension requests"),
    "contested": N_("Contested"),
    "unstaffed": N_("Unit without staff"),
}


DATES = N_("Give dates as YYYY-MM-DD.")


def _day(text: str, field: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(DATES, details=[Problem(field, DATES)]) from exc


@router.get("/desk", response_class=HTMLResponse)
def desk_page(
    request: Request,
    user: DeskPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    queue: Short = "",
    q: Short = "",
    phone: Short = "",
    category: Short = "",
    region: Short = "",
    unit: Short = "",
    case_state: Annotated[str, Query(alias="state", max_length=16)] = "",
    start: Short = "",
    end: Short = "",
) -> HTMLResponse:
    """Queues and search over the dispatcher's area."""
    actor = actor_of(request, user)
    language = language_of(request)
    tz = ZoneInfo(state.settings.timezone)
    form = {
        "q": q,
        "phone": phone,
        "category": category,
        "region": region,
        "unit": unit,
        "state": case_state,
        "start": start,
        "end": end,
    }
    error = None
    rows = []
    try:
        query = desk.Search(
            q=q,
            phone=phone,
            category=category,
            region=region,
            unit=unit,
            state=case_state if case_state in {s.value for s in State} else "",
            start=_day(start, "start"),
            end=_day(end, "end"),
            queue=queue if queue in desk.QUEUES else ("" if any(form.values()) else "new"),
        )
        found = desk.search(session, actor=actor, query=query, now=now, tz=tz)
    except InvalidInput as exc:
        error, found, query = error_message(language, exc), [], desk.Search()
    categories = {c.code: c for c in service.list_categories(session, leaves_only=False)}
    for case in found:
        row = case_row(case, categories, language, now, tz)
        rows.append({**row, "created": local_time(case.created_at, tz)})
    counts = desk.queue_counts(session, actor=actor, now=now)
    context = {
        "queues": [(name, QUEUE_LABELS[name], counts[name]) for name in desk.QUEUES],
        "queue": query.queue,
        "form": form,
        "rows": rows,
        "error": error,
        "groups": category_groups(categories, language),
        "states": [s.value for s in State],
    }
    return no_store(render(request, "cases/desk.html", context))
