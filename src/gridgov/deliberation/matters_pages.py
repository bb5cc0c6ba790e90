"""Matter pages: the matters of the viewer's area with their chain of stages, a matter's
page (stages, outcomes with their arithmetic in the reader's language, meetings, notices,
implementation), the clerk's meeting console (phone/tablet: tap to sign in, live quorum
arithmetic, votes, minutes, the signed sheet's photo, close and decide), the
implementation record, and the supervision committee's view.

Every staff role reads within its scope; branch secretaries, the community office's
staff (unit_staff), leaders and admins run matters and meetings. The supervision view is
for auditors (the village supervision committee's members use auditor accounts scoped to
their village), leaders, admins and branch secretaries.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.deliberation import discussion, elections, implementation_pages, meeting_pages, service
from gridgov.deliberation.matter_pages_common import (
    ReaderPage,
    RunnerPage,
    ScopedMatter,
    SupervisorPage,
    _explanations,
    _tz,
    chain,
    parsed,
    stage_name,
)
from gridgov.deliberation.models import Matter, Meeting
from gridgov.deliberation.rules import Procedure, Voting
from gridgov.errors import DomainError
from gridgov.msgids import N_
from gridgov.territory.rules import Level
from gridgov.territory.service import region_names
from gridgov.web.deps import Now, SessionDep, StateDep, actor_of
from gridgov.web.regions import region_choices
from gridgov.web.render import error_message, language_of, local_time, no_store, render
from gridgov.web.toolkit import Desk, desk, form_post

# ---------------------------------------------------------------- matters

router = APIRouter(include_in_schema=False)
# The console and the implementation record are their own modules, served with these.
router.include_router(meeting_pages.router)
router.include_router(implementation_pages.router)


ReaderDesk = Annotated[Desk, Depends(desk(ReaderPage, name="reader_desk"))]
RunnerDesk = Annotated[Desk, Depends(desk(RunnerPage, name="runner_desk"))]


@router.get("/deliberation", response_class=HTMLResponse)
def matters_page(desk: ReaderDesk) -> HTMLResponse:
    session, user = desk.session, desk.user
    language = language_of(desk.request)
    actor = desk.actor
    rows = []
    matters = service.list_matters(session, viewer=actor)
    # One query for every matter's meetings, one per template: not one per matter.
    meetings = service.meetings_by_matter(session, [m.id for m in matters])
    procedures: dict[tuple[int, bool], Procedure] = {}
    for matter in matters:
        key = (matter.template_id, matter.one_person)
        if key not in procedures:
            procedures[key] = service.procedure_of(session, matter)
        procedure = procedures[key]
        open_meetings = [m for m in meetings[matter.id] if m.state in service.OPEN_MEETING_STATES]
        rows.append(
            {
                "matter": matter,
                "chain": chain(procedure, matter, language),
                "meetings": open_meetings,
            }
        )
    context = {
        "rows": rows,
        "places": region_names(session, {m.region_code for m in matters}),
        "may_run": user.role in service.RUN_ROLES,
        "may_supervise": user.role in service.SUPERVISION_ROLES,
        # the tabs a viewer may open, and no other (a tab that answers 403 is a dead end)
        "may_answer": user.role in discussion.ANSWER_ROLES,
        "may_elect": user.role in elections.CLERK_ROLES,
        "may_moderate": user.role in discussion.MODERATOR_ROLES,
    }
    return no_store(render(desk.request, "deliberation/matters.html", context))


def _new_page(
    desk: Desk, *, error: DomainError | None = None, values: dict[str, Any]
) -> HTMLResponse:
    language = language_of(desk.request)
    context = {
        "error": error_message(language, error) if error else None,
        "values": values,
        "templates": service.shipped_template_names(language),
        # the villages and communities of the runner's scope, picked by name
        "communities": region_choices(desk.session, desk.actor, (Level.COMMUNITY,)),
    }
    status = error.status if error else 200
    return no_store(
        render(desk.request, "deliberation/matter_new.html", context, status_code=status)
    )


@router.get("/deliberation/matters/new", response_class=HTMLResponse)
def new_matter_page(desk: RunnerDesk) -> HTMLResponse:
    return _new_page(desk, values={"region_code": desk.user.effective_scope or ""})


@form_post(router, "/deliberation/matters")
def new_matter_submit(
    desk: RunnerDesk,
    region_code: Annotated[str, Form(max_length=18)],
    title: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=20_000)] = "",
    template_key: Annotated[str, Form(max_length=48)] = "si_yi_liang_gong_kai",
    one_person: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    values = {
        "region_code": region_code,
        "title": title,
        "description": description,
        "template_key": template_key,
        "one_person": bool(one_person),
    }
    return desk.form(
        desk.action(
            service.do_open_matter,
            region_code=region_code.strip(),
            title=title,
            description=description,
            template_key=template_key,
            one_person=bool(one_person),
        ),
        to=lambda matter: f"/deliberation/matters/{matter.id}",
        on_error=lambda exc: _new_page(desk, error=exc, values=values),
    )


def _matter_page(
    desk: Desk,
    matter: Matter,
    now: datetime,
    *,
    error: DomainError | None = None,
) -> HTMLResponse:
    session = desk.session
    language = language_of(desk.request)
    tz = _tz(desk.state)
    procedure = service.procedure_of(session, matter)
    stage = service.current_stage(session, matter)
    steps = [
        {
            "step": s,
            "stage": stage_name(procedure.stage(s.stage_id), language)
            if s.stage_id in {x.id for x in procedure.stages}
            else s.stage_id,
            "at": local_time(s.at, tz),
            "explanations": _explanations(s.explanation),
        }
        for s in service.matter_steps(session, matter.id)
    ]
    comments = service.supervision_comments(session, [matter.id]).get(matter.id, [])
    local_now = now.astimezone(tz)
    context = {
        "matter": matter,
        "chain": chain(procedure, matter, language),
        "stage": stage,
        "stage_name": stage_name(stage, language) if stage else "",
        "bodies": ([stage.body.value, *[a.body.value for a in stage.alternatives]])
        if stage and stage.voted
        else [],
        "steps": steps,
        "meetings": [
            (m, local_time(m.starts_at, tz)) for m in service.meetings_of(session, matter.id)
        ],
        "notices": service.notices_of(session, matter.id),
        "implementation": service.implementation_of(session, matter.id),
        "comments": comments,
        "may_run": service.may_run(desk.actor, matter.region_code),
        "votings": [v.value for v in Voting],
        "default_notified": local_now.date().isoformat(),
        "default_starts": (local_now + timedelta(days=max(stage.notice_days, 1) if stage else 1))
        .replace(hour=9, minute=0)
        .strftime("%Y-%m-%dT%H:%M"),
        "error": error_message(language, error) if error else None,
    }
    status = error.status if error else 200
    return no_store(render(desk.request, "deliberation/matter.html", context, status_code=status))


@router.get("/deliberation/matters/{matter_id}", response_class=HTMLResponse)
def matter_page(matter: ScopedMatter, desk: ReaderDesk) -> HTMLResponse:
    return _matter_page(desk, matter, desk.now)


def _start_of_day(text: str) -> datetime:
    return datetime.combine(date.fromisoformat(text), datetime.min.time())


# The meeting's times by the words their form shows.
_TIME_LABELS = {"notified_on": N_("Notice given on"), "starts_at": N_("Meeting starts")}


def _parse_local(text: str, tz: ZoneInfo, field: str, *, day_only: bool = False) -> datetime:
    moment = parsed(
        _start_of_day if day_only else datetime.fromisoformat,
        text,
        field,
        _TIME_LABELS[field],
        N_("%(field)s is not a date and time."),
        N_("Not a date and time."),
    )
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


@form_post(router, "/deliberation/matters/{matter_id}/meetings")
def convene_submit(
    matter: ScopedMatter,
    desk: RunnerDesk,
    notified_on: Annotated[str, Form(max_length=32)],
    starts_at: Annotated[str, Form(max_length=32)],
    voting: Annotated[str, Form(max_length=16)] = Voting.SHOW_OF_HANDS.value,
    body: Annotated[str, Form(max_length=48)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    session, now = desk.session, desk.now
    tz = _tz(desk.state)

    def convene() -> Meeting:
        notified = _parse_local(notified_on, tz, "notified_on", day_only=True)
        return service.do_convene(
            session,
            actor=desk.actor,
            matter_id=matter.id,
            notified_at=min(notified, now),  # notice given that day, by now at the latest
            starts_at=_parse_local(starts_at, tz, "starts_at"),
            voting=voting,
            body=body or None,
            place=place,
            now=now,
            tz=str(tz),
        )

    return desk.form(
        convene,
        to=lambda meeting: f"/deliberation/meetings/{meeting.id}",
        on_error=lambda exc: _matter_page(desk, matter, now, error=exc),
    )


# ---------------------------------------------------------------- supervision


@router.get("/deliberation/supervision", response_class=HTMLResponse)
def supervision_page(
    request: Request,
    user: SupervisorPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> HTMLResponse:
    language = language_of(request)
    tz = _tz(state)
    view = service.supervision_view(
        session, viewer=actor_of(request, user), today=now.astimezone(tz).date()
    )
    stages = {
        matter_id: stage_name(stage, language) if stage else ""
        for matter_id, stage in view.stages.items()
    }
    titles = {m.id: m.title for m in view.matters}
    context = {
        "view": view,
        "stages": stages,
        "titles": titles,
        "no_quorum": [
            (m, local_time(m.starts_at, tz), _explanations(m.explanation)) for m in view.no_quorum
        ],
        "today": now.astimezone(tz).date(),
    }
    return no_store(render(request, "deliberation/supervision.html", context))
