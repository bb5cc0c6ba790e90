"""The dispatcher's desk page: queue counts, the chosen queue, and the search form."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases import desk, service
from gridgov.cases.page_helpers import case_row
from gridgov.cases.pages import category_groups
from gridgov.cases.rules import State
from gridgov.errors import InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.web import toolkit
from gridgov.web.deps import require_roles
from gridgov.web.regions import region_choices
from gridgov.web.render import error_message, language_of, local_time, no_store, render

router = APIRouter(include_in_schema=False)

DeskPage = Annotated[
    User, Depends(require_roles(Role.DISPATCHER, Role.ADMIN, Role.LEADER, page=True))
]
DispatchDesk = Annotated[toolkit.Desk, Depends(toolkit.desk(DeskPage, name="dispatch_desk"))]
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


class DeskForm(BaseModel):
    """The desk's search form, as typed (the days are read when it searches)."""

    q: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=64)
    category: str = Field(default="", max_length=64)
    region: str = Field(default="", max_length=64)
    unit: str = Field(default="", max_length=64)
    state: str = Field(default="", max_length=16)
    start: str = Field(default="", max_length=64)
    end: str = Field(default="", max_length=64)

    def search(self, queue: str) -> desk.Search:
        """The search asked for: an unknown state is none; without criteria, ``queue``
        (the new reports when it is none of the desk's queues)."""
        blank = not any(self.model_dump().values())
        return desk.Search(
            **self.model_dump(exclude={"state", "start", "end"}),
            state=self.state if self.state in {s.value for s in State} else "",
            start=_day(self.start, "start"),
            end=_day(self.end, "end"),
            queue=queue if queue in desk.QUEUES else ("new" if blank else ""),
        )


@router.get("/desk", response_class=HTMLResponse)
def desk_page(
    work: DispatchDesk, asked: Annotated[DeskForm, Query()], queue: Short = ""
) -> HTMLResponse:
    """Queues and search over the dispatcher's area (``work``: the dispatcher's desk)."""
    request, session, actor, now = work.request, work.session, work.actor, work.now
    language = language_of(request)
    tz = ZoneInfo(work.tz)
    error = None
    rows = []
    try:
        query = asked.search(queue)
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
        "form": asked.model_dump(),
        "rows": rows,
        "error": error,
        "groups": category_groups(categories, language),
        "states": [s.value for s in State],
        # where to search, by name: the streets, communities and grids of the area
        "regions": region_choices(session, actor, ("street", "community", "grid")),
    }
    return no_store(render(request, "cases/desk.html", context))
