"""The implementation record (落实): milestones, progress updates, completion."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.deliberation import service
from gridgov.deliberation.matter_pages_common import (
    ReaderPage,
    RunnerPage,
    ScopedImplementation,
    _tz,
)
from gridgov.deliberation.meeting_pages import _count
from gridgov.deliberation.models import (
    Implementation,
    Milestone,
)
from gridgov.errors import DomainError, InvalidInput, NotFound, Problem
from gridgov.web.deps import (
    CsrfChecked,
    Now,
    SessionDep,
    StateDep,
    actor_of,
)
from gridgov.web.render import error_message, language_of, local_time, no_store, render
from gridgov.web.toolkit import form_action


def _implementation_page(
    request: Request,
    session: Session,
    state: Any,
    user: User,
    implementation: Implementation,
    now: datetime,
    *,
    error: DomainError | None = None,
) -> HTMLResponse:
    language = language_of(request)
    tz = _tz(state)
    today = now.astimezone(tz).date()
    context = {
        "implementation": implementation,
        "milestones": service.milestones_of(session, implementation.id),
        "updates": [
            (u, local_time(u.at, tz))
            for u in service.implementation_updates(session, implementation.id)
        ],
        "today": today,
        "may_run": service.may_run(actor_of(request, user), implementation.region_code)
        and implementation.state != "done",
        "error": error_message(language, error) if error else None,
    }
    status = error.status if error else 200
    return no_store(
        render(request, "deliberation/implementation.html", context, status_code=status)
    )


router = APIRouter(include_in_schema=False)


@router.get("/deliberation/implementations/{implementation_id}", response_class=HTMLResponse)
def implementation_page(
    request: Request,
    implementation: ScopedImplementation,
    user: ReaderPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> HTMLResponse:
    return _implementation_page(request, session, state, user, implementation, now)


def _implementation_act(
    request: Request,
    session: Session,
    state: Any,
    user: User,
    implementation: Implementation,
    now: datetime,
    action: Any,
) -> Response:
    return form_action(
        session,
        lambda: action(actor_of(request, user)),
        to=f"/deliberation/implementations/{implementation.id}",
        on_error=lambda exc: _implementation_page(
            request, session, state, user, implementation, now, error=exc
        ),
    )


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "%(field)s is not a date.",
            params={"field": field},
            details=[Problem(field, "Not a date.")],
        ) from None


@router.post(
    "/deliberation/implementations/{implementation_id}/milestones", dependencies=[CsrfChecked]
)
def milestone_submit(
    request: Request,
    implementation: ScopedImplementation,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    title: Annotated[str, Form(max_length=200)],
    due_on: Annotated[str, Form(max_length=16)],
) -> Response:
    return _implementation_act(
        request,
        session,
        state,
        user,
        implementation,
        now,
        lambda actor: service.do_add_milestone(
            session,
            actor=actor,
            implementation_id=implementation.id,
            title=title,
            due_on=_day(due_on, "due_on"),
            now=now,
        ),
    )


@router.post(
    "/deliberation/implementations/{implementation_id}/milestones/{milestone_id}/done",
    dependencies=[CsrfChecked],
)
def milestone_done_submit(
    request: Request,
    milestone_id: int,
    implementation: ScopedImplementation,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    done_on: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    def act(actor: Actor) -> None:
        milestone = session.get(Milestone, milestone_id)
        if milestone is None or milestone.implementation_id != implementation.id:
            raise NotFound("Not found, or outside your area.")
        day = _day(done_on, "done_on") if done_on.strip() else service.local_date(now)
        service.do_mark_milestone_done(
            session, actor=actor, milestone_id=milestone_id, done_on=day, now=now
        )

    return _implementation_act(request, session, state, user, implementation, now, act)


@router.post(
    "/deliberation/implementations/{implementation_id}/updates", dependencies=[CsrfChecked]
)
def update_submit(
    request: Request,
    implementation: ScopedImplementation,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    text: Annotated[str, Form(max_length=20_000)],
    progress: Annotated[str, Form(max_length=4)] = "0",
) -> Response:
    return _implementation_act(
        request,
        session,
        state,
        user,
        implementation,
        now,
        lambda actor: service.do_post_update(
            session,
            actor=actor,
            implementation_id=implementation.id,
            text=text,
            progress=_count(progress, "progress"),
            now=now,
        ),
    )


@router.post(
    "/deliberation/implementations/{implementation_id}/complete", dependencies=[CsrfChecked]
)
def complete_submit(
    request: Request,
    implementation: ScopedImplementation,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    note: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    return _implementation_act(
        request,
        session,
        state,
        user,
        implementation,
        now,
        lambda actor: service.do_complete_implementation(
            session, actor=actor, implementation_id=implementation.id, note=note, now=now
        ),
    )
