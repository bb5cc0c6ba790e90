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

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.deliberation import service
from gridgov.deliberation.models import (
    BallotReceipt,
    DeliberationFile,
    Implementation,
    Matter,
    Meeting,
    MeetingVote,
    Milestone,
)
from gridgov.deliberation.rules import Procedure, Stage, Voting
from gridgov.errors import DomainError, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.web.deps import (
    CsrfChecked,
    Now,
    SessionDep,
    StateDep,
    actor_of,
    in_scope,
    require_roles,
)
from gridgov.web.render import error_message, language_of, local_time, no_store, render, sniff

router = APIRouter(include_in_schema=False)

RUN = tuple(Role(r) for r in sorted(service.RUN_ROLES))
READ = tuple(Role(r) for r in sorted(service.READ_ROLES))
SUPERVISE = tuple(Role(r) for r in sorted(service.SUPERVISION_ROLES))
ReaderPage = Annotated[User, Depends(require_roles(*READ, page=True))]
RunnerPage = Annotated[User, Depends(require_roles(*RUN, page=True))]
SupervisorPage = Annotated[User, Depends(require_roles(*SUPERVISE, page=True))]
FILE_PURPOSES = ("sign_in", "minutes")

# Catalogue ids of values the pages show through ``_(value)``.
LABELS = (
    N_("open"),
    N_("rejected"),
    N_("completed"),
    N_("withdrawn"),
    N_("adopted"),
    N_("returned"),
    N_("convened"),
    N_("in_session"),
    N_("decided"),
    N_("no_quorum"),
    N_("cancelled"),
    N_("show_of_hands"),
    N_("roll_call"),
    N_("secret_ballot"),
    N_("not_started"),
    N_("in_progress"),
    N_("done"),
    N_("yes"),
    N_("no"),
    N_("abstain"),
    N_("villagers_meeting"),
    N_("villagers_representatives_meeting"),
    N_("branch_committee"),
    N_("two_committees"),
    N_("party_members_meeting"),
    N_("deliberation_council"),
)


def stage_name(stage: Stage, language: str) -> str:
    return stage.names.zh_Hans if language.startswith("zh") else stage.names.en


def _tz(state: Any) -> ZoneInfo:
    return ZoneInfo(getattr(state.settings, "timezone", service.TIMEZONE))


def _explanations(text: str) -> list[tuple[str, dict[str, Any]]]:
    return [(v["message"], v.get("params", {})) for v in service.explanation_of(text).values()]


def chain(procedure: Procedure, matter: Matter, language: str) -> list[dict[str, Any]]:
    """The stages as held, each marked done, current or ahead, for the progress bar."""
    ids = [s.id for s in procedure.stages]
    current = ids.index(matter.stage_id) if matter.stage_id in ids else len(ids)
    result = []
    for index, stage in enumerate(procedure.stages):
        if matter.stage_id is None and matter.state != "completed":
            status = "ended"
        elif index < current:
            status = "done"
        elif index == current:
            status = "current"
        else:
            status = "ahead"
        result.append({"id": stage.id, "name": stage_name(stage, language), "status": status})
    return result


def _scoped_matter(
    matter_id: int, request: Request, session: SessionDep, now: Now, user: ReaderPage
) -> Matter:
    actor = actor_of(request, user)
    return in_scope(
        request,
        session,
        now,
        user,
        session.get(Matter, matter_id),
        visible=lambda m: service.may_read(actor, m.region_code),
        object_type="matter",
        object_id=str(matter_id),
    )


def _scoped_meeting(
    meeting_id: int, request: Request, session: SessionDep, now: Now, user: ReaderPage
) -> Meeting:
    actor = actor_of(request, user)
    return in_scope(
        request,
        session,
        now,
        user,
        session.get(Meeting, meeting_id),
        visible=lambda m: service.may_read(actor, m.region_code),
        object_type="meeting",
        object_id=str(meeting_id),
    )


ScopedMatter = Annotated[Matter, Depends(_scoped_matter)]
ScopedMeeting = Annotated[Meeting, Depends(_scoped_meeting)]


# ---------------------------------------------------------------- matters


@router.get("/deliberation", response_class=HTMLResponse)
def matters_page(request: Request, session: SessionDep, user: ReaderPage) -> HTMLResponse:
    language = language_of(request)
    actor = actor_of(request, user)
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
        "may_run": user.role in service.RUN_ROLES,
        "may_supervise": user.role in service.SUPERVISION_ROLES,
    }
    return no_store(render(request, "deliberation/matters.html", context))


def _new_page(
    request: Request, user: User, *, error: DomainError | None = None, values: dict[str, Any]
) -> HTMLResponse:
    language = language_of(request)
    context = {
        "error": error_message(language, error) if error else None,
        "values": values,
        "templates": service.SHIPPED_TEMPLATES,
        "scope": user.effective_scope or "",
    }
    status = error.status if error else 200
    return no_store(render(request, "deliberation/matter_new.html", context, status_code=status))


@router.get("/deliberation/matters/new", response_class=HTMLResponse)
def new_matter_page(request: Request, user: RunnerPage) -> HTMLResponse:
    return _new_page(request, user, values={"region_code": user.effective_scope or ""})


@router.post("/deliberation/matters", dependencies=[CsrfChecked])
def new_matter_submit(
    request: Request,
    session: SessionDep,
    user: RunnerPage,
    now: Now,
    region_code: Annotated[str, Form(max_length=18)],
    title: Annotated[str, Form(max_length=200)],
    description: Annotated[str, Form(max_length=20_000)] = "",
    template_key: Annotated[str, Form(max_length=48)] = "si_yi_liang_gong_kai",
    one_person: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    try:
        matter = service.do_open_matter(
            session,
            actor=actor_of(request, user),
            region_code=region_code.strip(),
            title=title,
            description=description,
            template_key=template_key,
            one_person=bool(one_person),
            now=now,
        )
    except DomainError as exc:
        session.rollback()
        values = {
            "region_code": region_code,
            "title": title,
            "description": description,
            "template_key": template_key,
            "one_person": bool(one_person),
        }
        return _new_page(request, user, error=exc, values=values)
    session.commit()
    return RedirectResponse(f"/deliberation/matters/{matter.id}", status_code=303)


def _matter_page(
    request: Request,
    session: Session,
    state: Any,
    user: User,
    matter: Matter,
    now: datetime,
    *,
    error: DomainError | None = None,
) -> HTMLResponse:
    language = language_of(request)
    tz = _tz(state)
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
        "may_run": service.may_run(actor_of(request, user), matter.region_code),
        "votings": [v.value for v in Voting],
        "default_notified": local_now.date().isoformat(),
        "default_starts": (local_now + timedelta(days=max(stage.notice_days, 1) if stage else 1))
        .replace(hour=9, minute=0)
        .strftime("%Y-%m-%dT%H:%M"),
        "error": error_message(language, error) if error else None,
    }
    status = error.status if error else 200
    return no_store(render(request, "deliberation/matter.html", context, status_code=status))


@router.get("/deliberation/matters/{matter_id}", response_class=HTMLResponse)
def matter_page(
    request: Request,
    matter: ScopedMatter,
    user: ReaderPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> HTMLResponse:
    return _matter_page(request, session, state, user, matter, now)


def _parse_local(text: str, tz: ZoneInfo, field: str, *, day_only: bool = False) -> datetime:
    try:
        if day_only:
            parsed = datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            "%(field)s is not a date and time.",
            params={"field": field},
            details=[Problem(field, "Not a date and time.")],
        ) from None
    return parsed.replace(tzinfo=tz) if parsed.tzinfo is None else parsed


@router.post("/deliberation/matters/{matter_id}/meetings", dependencies=[CsrfChecked])
def convene_submit(
    request: Request,
    matter: ScopedMatter,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    notified_on: Annotated[str, Form(max_length=32)],
    starts_at: Annotated[str, Form(max_length=32)],
    voting: Annotated[str, Form(max_length=16)] = Voting.SHOW_OF_HANDS.value,
    body: Annotated[str, Form(max_length=48)] = "",
    place: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    tz = _tz(state)
    try:
        notified = _parse_local(notified_on, tz, "notified_on", day_only=True)
        notified = min(notified, now)  # notice given that day, by now at the latest
        meeting = service.do_convene(
            session,
            actor=actor_of(request, user),
            matter_id=matter.id,
            notified_at=notified,
            starts_at=_parse_local(starts_at, tz, "starts_at"),
            voting=voting,
            body=body or None,
            place=place,
            now=now,
            tz=str(tz),
        )
    except DomainError as exc:
        session.rollback()
        return _matter_page(request, session, state, user, matter, now, error=exc)
    session.commit()
    return RedirectResponse(f"/deliberation/meetings/{meeting.id}", status_code=303)


# ---------------------------------------------------------------- the meeting console


def _console_context(
    request: Request, session: Session, state: Any, user: User, meeting: Meeting
) -> dict[str, Any]:
    language = language_of(request)
    tz = _tz(state)
    members = service.members_of(session, meeting.id)
    names = {m.id: m.name for m in members}
    live = (
        service.live_count(session, meeting)
        if meeting.state in service.OPEN_MEETING_STATES
        else None
    )
    voted: set[int] = set()
    votes: dict[int, str] = {}
    if meeting.voting == Voting.ROLL_CALL.value:
        for member_id, choice in session.execute(
            select(MeetingVote.member_id, MeetingVote.choice).where(
                MeetingVote.meeting_id == meeting.id
            )
        ):
            votes[member_id] = choice
        voted = set(votes)
    elif meeting.voting == Voting.SECRET_BALLOT.value:
        for voter in session.scalars(
            select(BallotReceipt.voter).where(BallotReceipt.box == service.ballot_box(meeting.id))
        ):
            if voter.startswith("member:"):
                voted.add(int(voter.split(":", 1)[1]))
    stage = service.held_stage(session, meeting)
    return {
        "meeting": meeting,
        "stage_name": stage_name(stage, language),
        "members": members,
        "names": names,
        "live": live,
        "votes": votes,
        "voted": voted,
        "open": meeting.state in service.OPEN_MEETING_STATES,
        "may_run": service.may_run(actor_of(request, user), meeting.region_code),
        "starts": local_time(meeting.starts_at, tz),
        "notified": local_time(meeting.notified_at, tz),
        "explanations": _explanations(meeting.explanation),
        "files": service.files_of(session, "meeting", meeting.id),
        "decided": meeting.state not in service.OPEN_MEETING_STATES,
    }


def _console(
    request: Request,
    session: Session,
    state: Any,
    user: User,
    meeting: Meeting,
    *,
    error: DomainError | None = None,
    partial: bool = False,
) -> HTMLResponse:
    language = language_of(request)
    context = _console_context(request, session, state, user, meeting)
    context["error"] = error_message(language, error) if error else None
    status = error.status if error and not partial else 200
    template = "deliberation/_meeting_console.html" if partial else "deliberation/meeting.html"
    return no_store(render(request, template, context, status_code=status))


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


@router.get("/deliberation/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(
    request: Request,
    meeting: ScopedMeeting,
    user: ReaderPage,
    session: SessionDep,
    state: StateDep,
) -> HTMLResponse:
    return _console(request, session, state, user, meeting, partial=_is_htmx(request))


def _act(
    request: Request,
    session: Session,
    state: Any,
    user: User,
    meeting: Meeting,
    action: Any,
) -> Response:
    """Run one console action; htmx gets the console back, a plain form a redirect."""
    try:
        action(actor_of(request, user))
    except DomainError as exc:
        session.rollback()
        fresh = session.get(Meeting, meeting.id) or meeting
        return _console(request, session, state, user, fresh, error=exc, partial=_is_htmx(request))
    session.commit()
    fresh = session.get(Meeting, meeting.id) or meeting
    if _is_htmx(request):
        return _console(request, session, state, user, fresh, partial=True)
    return RedirectResponse(f"/deliberation/meetings/{meeting.id}", status_code=303)


@router.post("/deliberation/meetings/{meeting_id}/sign-in/{member_id}", dependencies=[CsrfChecked])
def sign_in_submit(
    request: Request,
    member_id: int,
    meeting: ScopedMeeting,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    proxy_holder: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    holder = int(proxy_holder) if proxy_holder.strip().isdigit() else None
    return _act(
        request,
        session,
        state,
        user,
        meeting,
        lambda actor: service.do_sign_in(
            session,
            actor=actor,
            meeting_id=meeting.id,
            member_id=member_id,
            proxy_holder_id=holder,
            now=now,
            tz=str(_tz(state)),
        ),
    )


@router.post("/deliberation/meetings/{meeting_id}/vote/{member_id}", dependencies=[CsrfChecked])
def vote_submit(
    request: Request,
    member_id: int,
    meeting: ScopedMeeting,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    choice: Annotated[str, Form(max_length=8)],
) -> Response:
    def act(actor: Actor) -> None:
        if meeting.voting == Voting.SECRET_BALLOT.value:
            service.do_cast_ballot(
                session,
                actor=actor,
                meeting_id=meeting.id,
                member_id=member_id,
                choice=choice,
                now=now,
            )
        else:
            service.do_record_vote(
                session,
                actor=actor,
                meeting_id=meeting.id,
                member_id=member_id,
                choice=choice,
                now=now,
            )

    return _act(request, session, state, user, meeting, act)


def _count(text: str, field: str) -> int:
    value = text.strip() or "0"
    if not value.isdigit():
        raise InvalidInput(
            "%(field)s must be a whole number.",
            params={"field": field},
            details=[Problem(field, "A whole number.")],
        )
    return int(value)


@router.post("/deliberation/meetings/{meeting_id}/totals", dependencies=[CsrfChecked])
def totals_submit(
    request: Request,
    meeting: ScopedMeeting,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    yes: Annotated[str, Form(max_length=8)] = "0",
    no: Annotated[str, Form(max_length=8)] = "0",
    abstain: Annotated[str, Form(max_length=8)] = "0",
) -> Response:
    return _act(
        request,
        session,
        state,
        user,
        meeting,
        lambda actor: service.do_record_totals(
            session,
            actor=actor,
            meeting_id=meeting.id,
            yes=_count(yes, "yes"),
            no=_count(no, "no"),
            abstain=_count(abstain, "abstain"),
            now=now,
        ),
    )


@router.post("/deliberation/meetings/{meeting_id}/minutes", dependencies=[CsrfChecked])
def minutes_submit(
    request: Request,
    meeting: ScopedMeeting,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    minutes: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    return _act(
        request,
        session,
        state,
        user,
        meeting,
        lambda actor: service.do_edit_minutes(
            session, actor=actor, meeting_id=meeting.id, minutes=minutes, now=now
        ),
    )


@router.post("/deliberation/meetings/{meeting_id}/files", dependencies=[CsrfChecked])
async def file_submit(
    request: Request,
    meeting: ScopedMeeting,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    file: Annotated[UploadFile, File()],
    purpose: Annotated[str, Form(max_length=24)] = "sign_in",
) -> Response:
    data = await file.read(service.FILE_LIMIT + 1)

    def act(actor: Actor) -> None:
        service.check_may_run(actor, meeting.region_code)
        if purpose not in FILE_PURPOSES:
            raise InvalidInput("Unknown purpose %(value)s.", params={"value": purpose})
        service.do_attach_file(
            session,
            actor=actor,
            owner_type="meeting",
            owner_id=meeting.id,
            purpose=purpose,
            name=file.filename or "scan",
            content_type=sniff(data) or "",
            data=data,
            now=now,
            region_code=meeting.region_code,
        )

    return _act(request, session, state, user, meeting, act)


@router.get("/deliberation/meetings/{meeting_id}/files/{file_id}")
def file_view(
    meeting: ScopedMeeting, user: ReaderPage, session: SessionDep, file_id: int
) -> Response:
    row = session.get(DeliberationFile, file_id)
    if row is None or row.owner_type != "meeting" or row.owner_id != meeting.id:
        raise NotFound("Not found, or outside your area.")
    return Response(
        row.data,
        media_type=row.content_type,
        headers={"Cache-Control": "private, max-age=86400", "Content-Disposition": "inline"},
    )


@router.post("/deliberation/meetings/{meeting_id}/close", dependencies=[CsrfChecked])
def close_submit(
    request: Request,
    meeting: ScopedMeeting,
    user: RunnerPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    returned: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    return _act(
        request,
        session,
        state,
        user,
        meeting,
        lambda actor: service.do_close_meeting(
            session, actor=actor, meeting_id=meeting.id, returned=bool(returned), now=now
        ),
    )


# ---------------------------------------------------------------- implementation


def _scoped_implementation(
    implementation_id: int, request: Request, session: SessionDep, now: Now, user: ReaderPage
) -> Implementation:
    actor = actor_of(request, user)
    return in_scope(
        request,
        session,
        now,
        user,
        session.get(Implementation, implementation_id),
        visible=lambda i: service.may_read(actor, i.region_code),
        object_type="implementation",
        object_id=str(implementation_id),
    )


ScopedImplementation = Annotated[Implementation, Depends(_scoped_implementation)]


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
    try:
        action(actor_of(request, user))
    except DomainError as exc:
        session.rollback()
        return _implementation_page(request, session, state, user, implementation, now, error=exc)
    session.commit()
    return RedirectResponse(f"/deliberation/implementations/{implementation.id}", status_code=303)


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
