"""JSON routes of crisis mode under /api/v1: incidents, posts, tasks, check-ins, the
board, broadcasts and their receipts, and the field app's offline sync."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from gridgov.accounts.models import User
from gridgov.crisis import broadcasts, checkins, field, service
from gridgov.crisis.models import Broadcast, HouseholdCheckin, Incident
from gridgov.crisis.rules import FIELD_ROLES, Block
from gridgov.crisis.schemas import (
    BoardRowOut,
    BroadcastIn,
    BroadcastOut,
    CheckinIn,
    CheckinOut,
    FieldCaseStepIn,
    FieldCheckinIn,
    FieldReportIn,
    FieldVisitIn,
    IncidentIn,
    IncidentOut,
    LevelIn,
    PostIn,
    PostOut,
    ReceiptIn,
    TaskIn,
    TaskOut,
    TaskStateIn,
)
from gridgov.errors import Conflict, NotFound
from gridgov.web import i18n
from gridgov.web.deps import ApiKeyAuth, CurrentUser, Now, SessionDep, require_roles
from gridgov.web.render import language_of
from gridgov.web.toolkit import CurrentDesk, Desk, desk, filled, scoped

router = APIRouter(tags=["crisis"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=64)]
FieldUser = Annotated[
    User,
    Depends(require_roles(*FIELD_ROLES)),
]


scoped_incident = scoped(Incident, "incident_id", CurrentUser, service.may_see_incident)
ScopedIncident = Annotated[Incident, Depends(scoped_incident)]
scoped_broadcast = scoped(Broadcast, "broadcast_id", CurrentUser, broadcasts.may_see_broadcast)
ScopedBroadcast = Annotated[Broadcast, Depends(scoped_broadcast)]


FieldDesk = Annotated[Desk, Depends(desk(FieldUser, name="field_desk"))]


def checkin_out(checkin: HouseholdCheckin, *, sees_flags: bool) -> CheckinOut:
    from gridgov.crisis import rules

    return filled(
        CheckinOut,
        checkin,
        needs=rules.split(checkin.needs),
        flags=rules.split(checkin.flags) if sees_flags and not checkin.anonymised else None,
        escalated=checkin.escalated_at is not None,
    )


# ---------------------------------------------------------------- incidents


@router.get("/incidents", response_model=list[IncidentOut])
def list_incidents(desk: CurrentDesk) -> list[IncidentOut]:
    found = service.list_incidents(desk.session, viewer=desk.actor)
    return [IncidentOut.model_validate(i) for i in found]


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def open_incident(body: IncidentIn, desk: CurrentDesk) -> IncidentOut:
    """Open an incident; every household of its area goes on the check-in list."""
    incident = desk.commit(
        service.do_open_incident,
        value=service.IncidentInput(**body.model_dump() | {"area_codes": tuple(body.area_codes)}),
    )
    return IncidentOut.model_validate(incident)


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident: ScopedIncident) -> IncidentOut:
    return IncidentOut.model_validate(incident)


@router.post("/incidents/{incident_id}/level", response_model=IncidentOut)
def set_level(incident: ScopedIncident, body: LevelIn, desk: CurrentDesk) -> IncidentOut:
    desk.commit(service.do_set_level, incident=incident, level=body.level)
    return IncidentOut.model_validate(incident)


@router.post("/incidents/{incident_id}/close", response_model=IncidentOut)
def close_incident(incident: ScopedIncident, desk: CurrentDesk) -> IncidentOut:
    desk.commit(service.do_close_incident, incident=incident)
    return IncidentOut.model_validate(incident)


@router.get("/incidents/{incident_id}/posts", response_model=list[PostOut])
def list_posts(incident: ScopedIncident, session: SessionDep) -> list[PostOut]:
    return [PostOut.model_validate(p) for p in service.list_posts(session, incident=incident)]


@router.post("/incidents/{incident_id}/posts", response_model=PostOut, status_code=201)
def add_post(incident: ScopedIncident, body: PostIn, desk: CurrentDesk) -> PostOut:
    """A post of the incident's command (the body's fields are ``do_add_post``'s)."""
    return PostOut.model_validate(
        desk.commit(service.do_add_post, incident=incident, **body.model_dump())
    )


@router.get("/incidents/{incident_id}/tasks", response_model=list[TaskOut])
def list_tasks(incident: ScopedIncident, desk: CurrentDesk) -> list[TaskOut]:
    found = service.list_tasks(desk.session, incident=incident, viewer=desk.actor)
    return [TaskOut.model_validate(t) for t in found]


@router.post("/incidents/{incident_id}/tasks", response_model=TaskOut, status_code=201)
def add_task(incident: ScopedIncident, body: TaskIn, desk: CurrentDesk) -> TaskOut:
    """A task of the incident (the body's fields are ``do_add_task``'s)."""
    return TaskOut.model_validate(
        desk.commit(service.do_add_task, incident=incident, **body.model_dump())
    )


@router.post("/incident-tasks/{task_id}/state", response_model=TaskOut)
def move_task(task_id: int, body: TaskStateIn, desk: CurrentDesk) -> TaskOut:
    task = service.get_task(desk.session, task_id=task_id, viewer=desk.actor)
    desk.commit(service.do_move_task, task=task, target=body.state, version=body.version)
    return TaskOut.model_validate(task)


# ---------------------------------------------------------------- check-ins and board


@router.get("/incidents/{incident_id}/checkins", response_model=list[CheckinOut])
def list_checkins(
    incident: ScopedIncident,
    desk: CurrentDesk,
    grid: str | None = None,
    status: str | None = None,
    offset: int = 0,
) -> list[CheckinOut]:
    actor = desk.actor
    found = checkins.list_checkins(
        desk.session,
        incident=incident,
        viewer=actor,
        grid_code=grid[:17] if grid else None,
        status=status[:16] if status else None,
        offset=max(0, offset),
    )
    return [checkin_out(c, sees_flags=True) for c in found]


@router.post("/incidents/{incident_id}/checkins/{household_id}", response_model=CheckinOut)
def record_checkin(
    incident: ScopedIncident, household_id: int, body: CheckinIn, desk: CurrentDesk
) -> Any:
    try:
        checkin = desk.run(
            checkins.do_checkin,
            incident=incident,
            household_id=household_id,
            **body.model_dump(),  # named as do_checkin names them
        )
    except checkins.CheckinConflict as conflict:
        return conflict_response(desk.request, conflict, conflict.server)
    desk.session.commit()
    return checkin_out(checkin, sees_flags=True)


@router.get("/incidents/{incident_id}/board", response_model=list[BoardRowOut])
def get_board(incident: ScopedIncident, desk: CurrentDesk, by: str = "grid") -> list[BoardRowOut]:
    rows = checkins.board(
        desk.session,
        incident=incident,
        viewer=desk.actor,
        by="community" if by == "community" else "grid",
    )
    return [BoardRowOut.model_validate(r, from_attributes=True) for r in rows]


# ---------------------------------------------------------------- broadcasts


def broadcast_out(session: SessionDep, broadcast: Broadcast, viewer: Any) -> BroadcastOut:
    return filled(
        BroadcastOut,
        broadcast,
        languages=[b.language for b in broadcasts.blocks_of(session, broadcast)],
        receipts=broadcasts.receipt_counts(session, broadcast=broadcast, viewer=viewer),
    )


@router.post("/broadcasts", response_model=BroadcastOut, status_code=201)
def create_broadcast(body: BroadcastIn, desk: CurrentDesk) -> BroadcastOut:
    session = desk.session
    actor = desk.actor
    incident = None
    if body.incident_id is not None:
        incident = service.get_incident(session, incident_id=body.incident_id, viewer=actor)
    broadcast = desk.run(
        broadcasts.do_create_broadcast,
        incident=incident,
        blocks=[Block(b.language, b.headline, b.body) for b in body.blocks],
        **body.model_dump(exclude={"incident_id", "blocks"}),  # named as the service names them
    )
    session.commit()
    return broadcast_out(session, broadcast, actor)


@router.get("/broadcasts/{broadcast_id}", response_model=BroadcastOut)
def get_broadcast(broadcast: ScopedBroadcast, desk: CurrentDesk) -> BroadcastOut:
    return broadcast_out(desk.session, broadcast, desk.actor)


@router.post("/broadcasts/{broadcast_id}/send", response_model=BroadcastOut)
def send_broadcast(broadcast: ScopedBroadcast, desk: CurrentDesk) -> BroadcastOut:
    session = desk.session
    actor = desk.actor
    broadcasts.do_send_broadcast(session, actor=actor, broadcast=broadcast, now=desk.now)
    session.commit()
    return broadcast_out(session, broadcast, actor)


@router.post("/broadcasts/{broadcast_id}/feed-checkins")
def feed_checkins(broadcast: ScopedBroadcast, desk: CurrentDesk) -> dict[str, int]:
    session = desk.session
    actor = desk.actor
    broadcasts.do_refresh_receipts(session, broadcast=broadcast, now=desk.now)
    count = broadcasts.do_feed_checkins(session, actor=actor, broadcast=broadcast, now=desk.now)
    session.commit()
    return {"households": count}


@router.post("/broadcast-receipts/{broadcast_id}")
def gateway_receipt(
    broadcast_id: int, body: ReceiptIn, key: ApiKeyAuth, session: SessionDep, now: Now
) -> dict[str, bool]:
    """A read or failure receipt from an SMS gateway or chat bridge (API key)."""
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None:
        raise NotFound("Not found, or outside your area.")
    if body.status == "read":
        changed = broadcasts.do_mark_read(
            session, broadcast=broadcast, household_id=body.household_id, now=now
        )
    else:
        changed = broadcasts.do_mark_failed(
            session, broadcast=broadcast, household_id=body.household_id, now=now
        )
    session.commit()
    return {"changed": changed}


# ---------------------------------------------------------------- the field app's sync


def conflict_response(request: Request, error: Conflict, server: dict[str, object]) -> JSONResponse:
    language = language_of(request)
    return JSONResponse(
        {
            "error": {
                "code": error.code.value,
                "message": i18n.gettext(language, error.message, error.params),
                "details": [],
            },
            "server": server,
        },
        status_code=409,
    )


def _synced(
    desk: Desk,
    idempotency_key: str | None,
    write: Callable[..., dict[str, Any]],
    fields: dict[str, Any],
    **extra: Any,
) -> JSONResponse:
    """Run one offline write, ``write(session, actor, user_id, key, now, **fields,
    **extra)`` (``fields`` are the body's, named as the ``do_sync_*`` names them); a replay
    of the key answers 200 with the first result."""
    session = desk.session
    key = field.check_key(idempotency_key)
    actor = desk.actor

    def run() -> dict[str, Any]:
        return write(
            session, actor=actor, user_id=desk.user.id, key=key, now=desk.now, **fields, **extra
        )

    try:
        result = run()
    except (checkins.CheckinConflict, field.CaseConflict) as conflict:
        return conflict_response(desk.request, conflict, conflict.server)
    except IntegrityError:
        session.rollback()  # the same key raced in from another tab: answer with its result
        result = run()
    session.commit()
    return JSONResponse(result, status_code=200 if result.get("replayed") else 201)


@router.post("/field/reports", status_code=201)
def sync_report(
    body: FieldReportIn, desk: FieldDesk, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """A problem reported offline, replayed with its Idempotency-Key: taken once."""
    return _synced(desk, idempotency_key, field.do_sync_report, body.model_dump(), tz=desk.tz)


@router.post("/field/checkins", status_code=201)
def sync_checkin(
    body: FieldCheckinIn, desk: FieldDesk, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """A check-in made offline: once per key; 409 with the server's state when the
    household was recorded by someone else since. (Flags are set on the check-in page.)"""
    return _synced(desk, idempotency_key, field.do_sync_checkin, body.model_dump(exclude={"flags"}))


@router.post("/field/case-steps", status_code=201)
def sync_case_step(
    body: FieldCaseStepIn, desk: FieldDesk, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """A case update made offline, applied only at the version the worker saw."""
    return _synced(desk, idempotency_key, field.do_sync_case_step, body.model_dump(), tz=desk.tz)


@router.post("/field/visits", status_code=201)
def sync_visit(
    body: FieldVisitIn, desk: FieldDesk, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """A household visit logged offline (outreach), replayed with its key: taken once."""
    return _synced(desk, idempotency_key, field.do_sync_visit, body.model_dump(), today=desk.today)
