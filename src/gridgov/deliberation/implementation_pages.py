"""The implementation record (落实): milestones, progress updates, completion."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from gridgov.deliberation import service
from gridgov.deliberation.matter_pages_common import (
    ReaderDesk,
    RunnerDesk,
    ScopedImplementation,
    _tz,
    parsed,
)
from gridgov.deliberation.meeting_pages import _count
from gridgov.deliberation.models import Implementation, Milestone
from gridgov.errors import DomainError, NotFound
from gridgov.msgids import N_
from gridgov.web.render import error_message, language_of, local_time, no_store, render
from gridgov.web.toolkit import Desk, form_post


def _implementation_page(
    desk: Desk, implementation: Implementation, *, error: DomainError | None = None
) -> HTMLResponse:
    session, tz = desk.session, _tz(desk.state)
    context = {
        "implementation": implementation,
        "milestones": service.milestones_of(session, implementation.id),
        "updates": [
            (u, local_time(u.at, tz))
            for u in service.implementation_updates(session, implementation.id)
        ],
        "today": desk.now.astimezone(tz).date(),
        "may_run": service.may_run(desk.actor, implementation.region_code)
        and implementation.state != "done",
        "error": error_message(language_of(desk.request), error) if error else None,
    }
    status = error.status if error else 200
    return no_store(
        render(desk.request, "deliberation/implementation.html", context, status_code=status)
    )


router = APIRouter(include_in_schema=False)


@router.get("/deliberation/implementations/{implementation_id}", response_class=HTMLResponse)
def implementation_page(implementation: ScopedImplementation, desk: ReaderDesk) -> HTMLResponse:
    return _implementation_page(desk, implementation)


def _implementation_act(
    desk: Desk, implementation: Implementation, action: Callable[[], object]
) -> Response:
    return desk.form(
        action,
        to=f"/deliberation/implementations/{implementation.id}",
        on_error=lambda exc: _implementation_page(desk, implementation, error=exc),
    )


# The date fields by the words their form shows.
_DAY_LABELS = {"due_on": N_("Due on"), "done_on": N_("Done on")}


def _day(text: str, field: str) -> date:
    label = _DAY_LABELS[field]
    return parsed(
        date.fromisoformat, text, field, label, N_("%(field)s is not a date."), N_("Not a date.")
    )


@form_post(router, "/deliberation/implementations/{implementation_id}/milestones")
def milestone_submit(
    implementation: ScopedImplementation,
    desk: RunnerDesk,
    title: Annotated[str, Form(max_length=200)],
    due_on: Annotated[str, Form(max_length=16)],
) -> Response:
    return _implementation_act(
        desk,
        implementation,
        lambda: desk.run(
            service.do_add_milestone,
            implementation_id=implementation.id,
            title=title,
            due_on=_day(due_on, "due_on"),
        ),
    )


@form_post(
    router, "/deliberation/implementations/{implementation_id}/milestones/{milestone_id}/done"
)
def milestone_done_submit(
    milestone_id: int,
    implementation: ScopedImplementation,
    desk: RunnerDesk,
    done_on: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    def act() -> None:
        milestone = desk.session.get(Milestone, milestone_id)
        if milestone is None or milestone.implementation_id != implementation.id:
            raise NotFound("Not found, or outside your area.")
        day = _day(done_on, "done_on") if done_on.strip() else service.local_date(desk.now)
        service.do_mark_milestone_done(
            desk.session, actor=desk.actor, milestone_id=milestone_id, done_on=day, now=desk.now
        )

    return _implementation_act(desk, implementation, act)


@form_post(router, "/deliberation/implementations/{implementation_id}/updates")
def update_submit(
    implementation: ScopedImplementation,
    desk: RunnerDesk,
    text: Annotated[str, Form(max_length=20_000)],
    progress: Annotated[str, Form(max_length=4)] = "0",
) -> Response:
    return _implementation_act(
        desk,
        implementation,
        lambda: desk.run(
            service.do_post_update,
            implementation_id=implementation.id,
            text=text,
            progress=_count(progress, "progress"),
        ),
    )


@form_post(router, "/deliberation/implementations/{implementation_id}/complete")
def complete_submit(
    implementation: ScopedImplementation,
    desk: RunnerDesk,
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    return _implementation_act(
        desk,
        implementation,
        desk.action(
            service.do_complete_implementation,
            implementation_id=implementation.id,
            note=note,
        ),
    )
