"""Cases API: intake (idempotent), lists and the case with its timeline, one route per
workflow step, the public tracking view, and chat-group intake for bridges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases import figures, reporter, service
from gridgov.cases.calendar_pages import due_warnings
from gridgov.cases.models import Case
from gridgov.cases.rules import PUBLIC_STATUS, Channel, Level, Route, State
from gridgov.cases.schemas import (
    ActionIn,
    AssignIn,
    CaseCreatedOut,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    ChatMessageIn,
    ContestIn,
    EventOut,
    MergeIn,
    PublicCaseOut,
    RateIn,
    RevealedDescriptionOut,
    RevealIn,
    VerifyIn,
)
from gridgov.cases.track_pages import as_reporter
from gridgov.errors import InvalidInput, NotFound
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.territory import service as territory
from gridgov.web.deps import (
    ApiKeyAuth,
    AppState,
    CurrentIdentity,
    CurrentUser,
    Now,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    require_roles,
)
from gridgov.web.render import language_of
from gridgov.web.toolkit import CurrentDesk, Paging, VisitorDep, filled, paging, scoped

router = APIRouter(tags=["cases"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
ReporterToken = Annotated[str | None, Header(alias="X-Reporter-Token", max_length=128)]


# The case if inside the caller's area; 404 (audited) otherwise.
scoped_case = scoped(Case, "case_id", CurrentUser, service.may_see)


ScopedCase = Annotated[Case, Depends(scoped_case)]


def case_out(session: Session, case: Case, request: Request) -> CaseOut:
    """The case with its unknown-year warnings in the caller's language."""
    state: AppState = request.app.state.gridgov
    warnings = due_warnings(session, case, language_of(request), state.settings.timezone)
    return CaseOut.model_validate(case).model_copy(
        update={"due_warning": " ".join(warnings), "due_warnings": warnings}
    )


def detail(session: SessionDep, case: Case, request: Request) -> CaseDetailOut:
    events = [EventOut.model_validate(e) for e in service.timeline(session, case)]
    return CaseDetailOut.model_validate(
        {**case_out(session, case, request).model_dump(), "timeline": events}
    )


@router.post("/cases", response_model=CaseCreatedOut, status_code=201)
async def create_case(
    body: CaseIn,
    request: Request,
    user: CurrentIdentity,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Report a problem (web, app, or a hotline operator for a caller). A retry with the
    same Idempotency-Key by the same caller returns the first case (200) instead of making
    another; another caller's key never finds it. The channel is the caller's to name only
    for staff (hotline, staff); the answer carries the reporter's secret once. The
    timeline is at GET /cases/{id}."""
    # Filed by the intake writer (cases/intake_writer.py) with the reports that arrive
    # meanwhile, in one transaction; the answer leaves after it commits. The caller comes
    # from the token cache (CurrentIdentity): no session of the route's own, no worker
    # thread. (A comment, not the docstring: that is the OpenAPI description.)
    state: AppState = request.app.state.gridgov
    channel = Channel(
        reporter.channel_for(role=user.role, asked=body.channel.value, route=Channel.API.value)
    )
    staff = reporter.is_staff(user.role)
    write = Write.REPORT_STAFF if staff else Write.REPORT
    source = f"user:{user.id}"
    actor = actor_of(request, user)
    language, tz = language_of(request), state.settings.timezone
    value = service.IntakeInput(
        description=body.description,
        channel=channel,
        category_code=body.category,
        lon=body.lon,
        lat=body.lat,
        address=body.address,
        reporter_name=body.reporter_name,
        reporter_phone=body.reporter_phone,
        anonymous=body.anonymous,
        reporter_user_id=user.id if channel is not Channel.HOTLINE else None,
        idempotency_key=idempotency_key,
        # Staff entering callers' reports are limited by check_rate below, not held
        # as a flood (the source's "user:" prefix is what the flood check reads).
        source=f"{'staff' if staff else 'user'}:{user.username}",
        principal=source,
    )

    def file(session: Session) -> tuple[dict[str, Any], int]:
        # The caller in the batch's session, without SQL (as CurrentUser merges it into
        # a request's), held for the job (the identity map keeps clean rows weakly): the
        # reporter's language is read from it, not selected again.
        caller = session.merge(user, load=False)
        check_rate(session, write=write, source=source, now=now)
        intake = service.do_intake(session, actor=actor, value=value, now=now, tz=tz)
        del caller
        warnings = due_warnings(session, intake.case, language, tz)
        # One model from the case, as case_out builds it, with the secret added:
        # not a CaseOut dumped and validated again as a CaseCreatedOut.
        out = CaseCreatedOut.model_validate(intake.case).model_copy(
            update={
                "due_warning": " ".join(warnings),
                "due_warnings": warnings,
                "reporter_token": intake.secret,
            }
        )
        return out.model_dump(mode="json"), 201 if intake.created else 200

    answer, status = await state.intake.run(file)
    return JSONResponse(answer, status_code=status)


@router.post("/intake/chat", response_model=CaseOut, status_code=201)
def chat_message(
    body: ChatMessageIn,
    request: Request,
    key: ApiKeyAuth,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> JSONResponse:
    """A message from a grid's group chat: the group's binding decides the grid; the
    bridge's message id makes redelivery harmless."""
    group = territory.chat_group_by_external_id(session, body.group_id)
    if group is None:
        raise NotFound("No chat group is bound to %(value)s.", params={"value": body.group_id})
    intake = service.do_intake(
        session,
        actor=anonymous_actor(request),
        value=service.IntakeInput(
            description=body.text,
            channel=Channel.CHAT,
            lon=body.lon,
            lat=body.lat,
            grid_code=group.region_code,
            reporter_name=body.sender_name,
            idempotency_key=f"chat:{body.group_id}:{body.message_id}",
            source=f"chat:{body.group_id}:{body.sender_name}"[:128],
            principal=f"apikey:{key.id}",
        ),
        now=now,
        tz=state.settings.timezone,
    )
    session.commit()
    return JSONResponse(
        case_out(session, intake.case, request).model_dump(mode="json"),
        status_code=201 if intake.created else 200,
    )


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    desk: CurrentDesk,
    page: Annotated[Paging, Depends(paging())],
    state: Annotated[State | None, Query()] = None,
    overdue: bool = False,
    region: Annotated[str | None, Query(max_length=18)] = None,
    mine: bool = False,
) -> list[CaseOut]:
    """Cases in the caller's area, soonest due first; ``mine`` keeps the caller's unit's."""
    found = service.list_cases(
        desk.session,
        viewer=desk.actor,
        state=state.value if state else None,
        overdue=overdue,
        region_code=region,
        unit=mine,
        now=desk.now,
        limit=page.limit,
        offset=page.offset,
    )
    return [case_out(desk.session, case, desk.request) for case in found]


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case: ScopedCase, session: SessionDep, request: Request) -> CaseDetailOut:
    return detail(session, case, request)


def _step(
    name: str,
) -> Any:
    """One endpoint per workflow step; the service checks who may take it."""

    def endpoint(case: ScopedCase, body: ActionIn, desk: CurrentDesk) -> CaseDetailOut:
        desk.commit(service.take_step, case=case, step=name, text=body.note, tz=desk.tz)
        return detail(desk.session, case, desk.request)

    endpoint.__name__ = "case_" + name.replace("-", "_")
    endpoint.__doc__ = f"Workflow step: {name}."
    return endpoint


for _name in service.PLAIN_STEPS:
    router.add_api_route(
        f"/cases/{{case_id}}/{_name}",
        _step(_name),
        methods=["POST"],
        response_model=CaseDetailOut,
        name=f"case_{_name}",
    )


@router.post("/cases/{case_id}/assign", response_model=CaseDetailOut)
def assign_case(case: ScopedCase, body: AssignIn, desk: CurrentDesk) -> CaseDetailOut:
    """Assign by the routing rules, or to a level (and department) the dispatcher chooses."""
    service.check_dispatch(desk.actor, case)
    override = None
    if body.level:
        try:
            override = Route(Level(body.level), body.department, "dispatcher")
        except ValueError as exc:
            raise InvalidInput("Unknown level %(level)s.", params={"level": body.level}) from exc
    desk.commit(service.do_assign, case=case, route=override, tz=desk.tz)
    return detail(desk.session, case, desk.request)


@router.post("/cases/{case_id}/verify", response_model=CaseDetailOut)
def verify_case(case: ScopedCase, body: VerifyIn, desk: CurrentDesk) -> CaseDetailOut:
    desk.commit(service.do_verify, case=case, passed=body.passed, note=body.note)
    return detail(desk.session, case, desk.request)


@router.post("/cases/{case_id}/merge", response_model=CaseDetailOut)
def merge_case(case: ScopedCase, body: MergeIn, desk: CurrentDesk) -> CaseDetailOut:
    """Merge this case, a duplicate, into the original."""
    session = desk.session
    actor = desk.actor
    original = service.get_case(session, case_id=body.original_id, viewer=actor)
    desk.commit(service.do_merge, duplicate=case, original=original)
    return detail(session, case, desk.request)


FigureReader = Annotated[
    User,
    Depends(require_roles(Role.LEADER, Role.AUDITOR, Role.ADMIN, Role.DISPATCHER, Role.UNIT_STAFF)),
]


@router.get("/cases-figures")
def case_figures(
    user: FigureReader,
    session: SessionDep,
    now: Now,
    start: datetime,
    end: datetime,
    group: Annotated[str, Query(pattern="^(grid|community|street|unit|all)$")] = "grid",
) -> list[dict[str, Any]]:
    """Response, resolution, satisfaction, on-time closure, closure and rework rates and
    the overdue count, per group, over cases created in [start, end) (docs/cases.md)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidInput("Give start and end with a time zone.")
    rows = figures.compute(
        session, start=start, end=end, now=now, group=group, scope=user.effective_scope
    )
    return [row.as_dict() for row in rows]


# ---------------------------------------------------------------- public tracking


def public_view(session: SessionDep, case: Case) -> PublicCaseOut:
    events = service.timeline(session, case, public_only=True)
    return filled(
        PublicCaseOut,
        case,
        status=PUBLIC_STATUS[State(case.state)],
        timeline=[
            filled(EventOut, e, actor="", note="" if e.role not in ("reporter",) else e.note)
            for e in events
        ],
    )


@router.get("/track/{tracking_code}", response_model=PublicCaseOut)
def track(tracking_code: str, session: SessionDep) -> PublicCaseOut:
    """Anyone with the tracking code follows the case: no account, no personal data."""
    return public_view(session, service.get_by_tracking_code(session, tracking_code))


@dataclass(frozen=True)
class ReporterCall:
    """A call on a case by its tracking code that only its reporter may make: signed in,
    or with the secret they were given (header X-Reporter-Token). A dependency: FastAPI
    fills its fields."""

    seen: VisitorDep
    token: ReporterToken = None

    def case(self, tracking_code: str, write: Write) -> Case:
        """The case, for its reporter only (403, audited, otherwise); rate-limited."""
        found = service.get_by_tracking_code(self.seen.session, tracking_code)
        return as_reporter(self.seen, found, self.token, write)


ByReporter = Annotated[ReporterCall, Depends()]
NOT_THE_REPORTER: dict[int | str, dict[str, Any]] = {
    403: {"description": "Not the reporter (no or wrong X-Reporter-Token)"}
}


@router.post(
    "/track/{tracking_code}/rating", response_model=PublicCaseOut, responses=NOT_THE_REPORTER
)
def rate(tracking_code: str, body: RateIn, call: ByReporter) -> PublicCaseOut:
    """The reporter rates the closed case (满意 / 基本满意 / 不满意), once. The tracking
    code finds the case; the reporter proves who they are with the secret they were given
    (header X-Reporter-Token) or by signing in."""
    case, session = call.case(tracking_code, Write.RATING), call.seen.session
    service.do_rate(session, case=case, rating=body.rating, now=call.seen.now, note=body.note)
    session.commit()
    return public_view(session, case)


@router.post(
    "/track/{tracking_code}/contest", response_model=PublicCaseOut, responses=NOT_THE_REPORTER
)
def contest(tracking_code: str, body: ContestIn, call: ByReporter) -> PublicCaseOut:
    """The reporter disputes the close, once: the case goes back to work. Needs the
    reporter, as for the rating."""
    case, session = call.case(tracking_code, Write.CONTEST), call.seen.session
    service.do_contest(session, case=case, reason=body.reason, now=call.seen.now)
    session.commit()
    return public_view(session, case)


@router.post("/cases/{case_id}/reveal", response_model=RevealedDescriptionOut)
def reveal_description(
    case: ScopedCase, body: RevealIn, desk: CurrentDesk
) -> RevealedDescriptionOut:
    """The description as typed: ID, phone and bank-card numbers in it are masked in
    every answer; grid workers, dispatchers and administrators may see them, one audited
    reveal at a time, with a reason."""
    text = desk.commit(reporter.do_reveal_description, case=case, reason=body.reason)
    return RevealedDescriptionOut(id=case.id, description=text)
