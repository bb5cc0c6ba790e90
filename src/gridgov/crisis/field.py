"""The field app's offline writes, applied once each. The browser keeps what a worker
does offline in an IndexedDB outbox and replays it with an idempotency key per item;
the key belongs to the user, and a replay answers with the result stored the first
time. A check-in or a case step carries the version the worker saw: when the server's
version moved on, the answer is a conflict with the server's state, for the worker to
resolve."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.rules import Channel
from gridgov.crisis import checkins, service
from gridgov.crisis.models import SyncReceipt
from gridgov.errors import Conflict, InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.outreach import service as outreach
from gridgov.outreach.rules import VisitKind

KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
CASE_STEPS = ("acknowledge", "start", "resolve")


class CaseConflict(Conflict):
    def __init__(self, server: dict[str, object]) -> None:
        super().__init__(N_("The case changed since you loaded it: compare and choose."))
        self.server = server


def check_key(key: str | None) -> str:
    if not key or not KEY.fullmatch(key):
        raise InvalidInput(
            N_("An idempotency key has 8 to 64 letters, digits, - or _."),
            details=[Problem("Idempotency-Key", N_("An idempotency key is required."))],
        )
    return key


def find_receipt(session: Session, *, user_id: int, key: str) -> dict[str, Any] | None:
    receipt = session.scalar(
        select(SyncReceipt).where(SyncReceipt.user_id == user_id, SyncReceipt.key == key)
    )
    if receipt is None:
        return None
    stored: dict[str, Any] = json.loads(receipt.result)
    return {**stored, "replayed": True}


def _once(
    session: Session,
    *,
    user_id: int,
    key: str,
    kind: str,
    now: datetime,
    apply: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """One offline item, applied once per key: a replay answers with the result stored
    the first time; otherwise ``apply`` takes the item and its result, named ``kind``,
    is stored with the key."""
    replay = find_receipt(session, user_id=user_id, key=key)
    if replay is not None:
        return replay
    result = {"kind": kind, **apply()}
    session.add(
        SyncReceipt(user_id=user_id, key=key, kind=kind, result=json.dumps(result), created_at=now)
    )
    session.flush()  # a concurrent replay of the same key fails here: the caller retries
    return {**result, "replayed": False}


def case_state(case: Any) -> dict[str, object]:
    return {
        "id": case.id,
        "tracking_code": case.tracking_code,
        "state": case.state,
        "version": case.version,
        "updated_at": case.updated_at.isoformat() if case.updated_at else None,
    }


def do_sync_report(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    key: str,
    description: str,
    address: str,
    lon: float | None,
    lat: float | None,
    now: datetime,
    tz: str,
) -> dict[str, Any]:
    """A problem reported offline: taken through the normal intake, once."""

    def apply() -> dict[str, Any]:
        intake = cases.do_intake(
            session,
            actor=actor,
            value=cases.IntakeInput(
                description=description,
                channel=Channel.STAFF,
                lon=lon,
                lat=lat,
                address=address,
                reporter_user_id=user_id,
                idempotency_key=f"field:{user_id}:{key}",
                source=f"field:{actor.username}",
            ),
            now=now,
            tz=tz,
        )
        return {"case": case_state(intake.case)}

    return _once(session, user_id=user_id, key=key, kind="report", now=now, apply=apply)


def do_sync_checkin(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    key: str,
    incident_id: int,
    household_id: int,
    status: str,
    needs: list[str],
    note: str,
    base_version: int | None,
    now: datetime,
) -> dict[str, Any]:
    def apply() -> dict[str, Any]:
        incident = service.get_incident(session, incident_id=incident_id, viewer=actor)
        checkin = checkins.do_checkin(
            session,
            actor=actor,
            incident=incident,
            household_id=household_id,
            status=status,
            needs=needs,
            note=note,
            base_version=base_version,
            now=now,
        )
        return {"checkin": checkins.checkin_state(checkin)}

    return _once(session, user_id=user_id, key=key, kind="checkin", now=now, apply=apply)


def do_sync_case_step(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    key: str,
    case_id: int,
    step: str,
    note: str,
    base_version: int,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> dict[str, Any]:
    """A case update made offline: applied only when the case is still at the version
    the worker saw; otherwise a conflict carrying the case as it is now. ``tz`` is the
    office's zone, for the steps whose deadlines count local working days."""

    def apply() -> dict[str, Any]:
        if step not in CASE_STEPS:
            raise InvalidInput(N_("Unknown step."), details=[Problem("step", N_("Unknown step."))])
        case = cases.get_case(session, case_id=case_id, viewer=actor)
        if case.version != base_version:
            raise CaseConflict(case_state(case))
        cases.take_step(session, actor=actor, case=case, step=step, text=note, now=now, tz=tz)
        session.flush()
        return {"case": case_state(case)}

    return _once(session, user_id=user_id, key=key, kind="case_step", now=now, apply=apply)


def do_sync_visit(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    key: str,
    household_id: int,
    visited_on: date,
    kind: VisitKind,
    heard: str,
    now: datetime,
    today: date,
) -> dict[str, Any]:
    """A household visit logged offline, recorded through outreach once per key; a
    household outside the worker's scope answers 404 like any other."""

    def apply() -> dict[str, Any]:
        visit = outreach.do_record_visit(
            session,
            actor=actor,
            household_id=household_id,
            visited_on=visited_on,
            kind=kind,
            heard=heard,
            now=now,
            today=today,
        )
        return {
            "visit": {"id": visit.id, "household_id": household_id, "visited_on": str(visited_on)}
        }

    return _once(session, user_id=user_id, key=key, kind="visit", now=now, apply=apply)


def is_duplicate_key(error: IntegrityError) -> bool:
    return "field_sync_receipt" in str(error.orig) or "uq_field_sync_receipt" in str(error)
