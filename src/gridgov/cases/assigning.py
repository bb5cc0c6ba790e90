"""Assignment: route and assign a case, start its clocks, escalate it one rung, retire
assignments, and move the resolution clock on after a pause."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases import clocks, permissions, rules
from gridgov.cases.calendar import DeadlineUnit
from gridgov.cases.holidays import calendar_for
from gridgov.cases.models import (
    Assignment,
    Case,
)
from gridgov.cases.notifications import flag_unstaffed, notify_unit
from gridgov.cases.routing import (
    category_of,
    deadlines_of,
    department_district,
    department_id_of,
    route_case,
    unit_of,
)
from gridgov.cases.rules import Level, Route, State
from gridgov.cases.steps import lock_case, move
from gridgov.db import insert_now
from gridgov.errors import Conflict, InvalidInput


def do_assign(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    now: datetime,
    route: Route | None = None,
    tz: str = "Asia/Shanghai",
    co_handlers: Sequence[Route] = (),
) -> Assignment:
    """Route (most specific wins) and assign; the response and resolution clocks start."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="assign")
    return assign(session, case, actor, now, route=route, tz=tz, co_handlers=co_handlers)


def assign(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    *,
    route: Route | None,
    tz: str,
    co_handlers: Sequence[Route] = (),
) -> Assignment:
    chosen = route or route_case(session, case)
    if case.grid_code is None and chosen.level is not Level.DEPARTMENT:
        raise InvalidInput("The case is in no grid: assign it to a department by name.")
    move(
        session,
        case,
        actor,
        now,
        State.ASSIGNED,
        "assigned",
        note=" ".join(filter(None, (chosen.level.value, chosen.department, f"({chosen.source})"))),
    )
    return _new_assignment(session, case, actor, chosen, now, tz, co_handlers=co_handlers)


def _new_assignment(
    session: Session,
    case: Case,
    actor: Actor,
    chosen: Route,
    now: datetime,
    tz: str,
    *,
    co_handlers: Sequence[Route] = (),
) -> Assignment:
    calendar = calendar_for(session, tz)
    (response_amount, response_unit), (resolution_amount, resolution_unit) = deadlines_of(
        session, case
    )
    response = calendar.due(now, response_amount, response_unit)
    if case.assigned_at is not None:  # a first assignment has nothing to retire
        end_assignments(session, case, now)
    lead: Assignment | None = None
    for is_lead, route in [(True, chosen), *((False, r) for r in co_handlers)]:
        unit = unit_of(case, route.level)
        department = (
            department_id_of(session, route.department, unit[:6])
            if route.level is Level.DEPARTMENT
            else None
        )
        if department is not None and not unit:  # a case in no grid sits with its department
            unit = department_district(session, department)
        assignment = Assignment(
            case_id=case.id,
            level=route.level.value,
            unit_code=unit,
            department_id=department,
            lead=is_lead,
            active=True,
            assigned_at=now,
            response_due_at=response.at,
        )
        # Inserted now, alone: its id names the unstaffed notice's key, and a flush here
        # would write every other row the request has pending one by one.
        insert_now(session, assignment)
        lead = lead or assignment
        notify_unit(session, case, assignment, now, tz)
        flag_unstaffed(session, case, assignment, now)
    assert lead is not None  # noqa: S101 - the lead is always first
    case.level = chosen.level.value
    case.unit_code = lead.unit_code
    case.department_id = lead.department_id
    case.assigned_at = case.assigned_at or now
    case.acknowledged_at = None
    case.response_due_at = response.at
    if case.resolution_due_at is None:
        resolution = calendar.due(now, resolution_amount, resolution_unit)
        case.resolution_due_at = resolution.at
        case.due_warning = " ".join(response.warnings + resolution.warnings)[:256]
    return lead


def end_assignments(session: Session, case: Case, now: datetime) -> None:
    """Retire the case's active assignments; each one's response clock stops now (a unit
    that was already late stays late in its own figures)."""
    session.execute(
        update(Assignment)
        .where(Assignment.case_id == case.id, Assignment.active.is_(True))
        .values(active=False, ended_at=now)
        .execution_options(synchronize_session="fetch")
    )


def _resolution_unit(session: Session, case: Case) -> DeadlineUnit:
    return deadlines_of(session, case)[1][1]


def resume_clock(session: Session, case: Case, now: datetime, tz: str) -> None:
    """Work starts again: the resolution due time moves on by the time its clock stood
    still (``clocks.extend_due``)."""
    if case.paused_at is not None and case.resolution_due_at is not None:
        case.resolution_due_at = clocks.extend_due(
            case.resolution_due_at,
            paused_at=case.paused_at,
            resumed_at=now,
            unit=_resolution_unit(session, case),
            calendar=calendar_for(session, tz),
        )
    case.paused_at = None
    case.verification_due_at = None
    case.overdue_at = None


def escalate_one(
    session: Session, case: Case, actor: Actor, now: datetime, reason: str, tz: str
) -> Assignment:
    current = Level(case.level)
    upper = rules.next_level(current)
    if upper is None:
        raise Conflict("The case is already with a department; it cannot go higher.")
    category = category_of(session, case)
    department = category.department if category and upper is Level.DEPARTMENT else None
    case.escalations += 1
    move(
        session,
        case,
        actor,
        now,
        State.ESCALATED,
        "escalated",
        note=f"{current.value} → {upper.value}: {reason}",
    )
    return _new_assignment(session, case, actor, Route(upper, department, "escalation"), now, tz)
