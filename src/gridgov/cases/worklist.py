"""A person's work: the cases that wait for them, counted by what they need.

A grid worker's phone and a unit's inbox show the same lists: new (not reported in
yet), due today, overdue, returned for rework, awaiting my check. "Mine" is one
definition in SQL: a case with an active assignment the person works for (the grid's
workers; a department's staff by membership; an office's staff by its region), which
is exactly what ``service.check_handler`` admits. Dispatchers' queues are in ``desk``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, scope_clause
from gridgov.audit.service import Actor
from gridgov.cases import rules
from gridgov.cases.models import Assignment, Case, CaseEvent, OutboxMessage
from gridgov.cases.rules import Level, State

LISTS = ("new", "today", "overdue", "rework", "check")
WORKING = sorted(
    s.value for s in rules.OPEN_STATES - {State.SUBMITTED, State.ACCEPTED, State.SUSPENDED}
)
COMMUNITY_CODE_LENGTH = 12
HANDLER_ROLES = frozenset(
    {Role.GRID_WORKER.value, Role.UNIT_STAFF.value, Role.BRANCH_SECRETARY.value}
)


def assignment_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL: this active assignment is one the actor works for."""
    if actor.role == Role.GRID_WORKER:
        return and_(
            Assignment.level == Level.GRID.value, scope_clause(actor.scope, Assignment.unit_code)
        )
    if actor.role in (Role.UNIT_STAFF, Role.BRANCH_SECRETARY):
        office = and_(
            Assignment.department_id.is_(None),
            Assignment.level != Level.GRID.value,
            Assignment.unit_code == (actor.scope or "-"),
        )
        if actor.role == Role.UNIT_STAFF and actor.organisation_id is not None:
            return or_(Assignment.department_id == actor.organisation_id, office)
        return office
    return false()


def mine_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL: the case is assigned to the actor's grid or unit, as lead or co-handler."""
    return exists().where(
        Assignment.case_id == Case.id, Assignment.active.is_(True), assignment_clause(actor)
    )


def not_reported_in(actor: Actor) -> ColumnElement[bool]:
    return exists().where(
        Assignment.case_id == Case.id,
        Assignment.active.is_(True),
        Assignment.acknowledged_at.is_(None),
        assignment_clause(actor),
    )


def check_clause(actor: Actor) -> ColumnElement[bool]:
    """SQL: a result waits for this actor's check (permissions.check_verifier's rule),
    never one they recorded themselves."""
    grid = Case.grid_code
    if actor.role in (Role.DISPATCHER, Role.ADMIN):
        who = or_(scope_clause(actor.scope, grid), scope_clause(actor.scope, Case.unit_code))
    elif actor.role == Role.GRID_WORKER or (
        actor.role in (Role.UNIT_STAFF, Role.BRANCH_SECRETARY)
        and len(actor.scope or "") == COMMUNITY_CODE_LENGTH
    ):
        who = scope_clause(actor.scope, grid)
    else:
        return false()
    own = exists().where(
        CaseEvent.case_id == Case.id,
        CaseEvent.kind == "resolved",
        CaseEvent.actor == actor.username,
        CaseEvent.at == Case.resolved_at,
    )
    return and_(Case.state == State.RESOLVED.value, who, ~own)


def local_day(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Today in the office's timezone, as a UTC-comparable [start, end)."""
    today = now.astimezone(tz).date()
    start = datetime.combine(today, time(0), tzinfo=tz)
    return start, start + timedelta(days=1)


def list_clause(actor: Actor, name: str, now: datetime, tz: ZoneInfo) -> ColumnElement[bool]:
    """SQL for one of ``LISTS`` (or "open": everything of mine still to do)."""
    from gridgov.cases.service import overdue_clause

    if name == "check":
        return check_clause(actor)
    working = and_(mine_clause(actor), Case.state.in_(WORKING))
    if name == "new":
        return and_(working, not_reported_in(actor))
    if name == "today":
        start, end = local_day(now, tz)
        return and_(working, Case.resolution_due_at >= start, Case.resolution_due_at < end)
    if name == "overdue":
        return and_(working, overdue_clause(now))
    if name == "rework":
        return and_(working, Case.state == State.IN_PROGRESS.value, Case.reworks > 0)
    return or_(working, check_clause(actor))


@dataclass(frozen=True)
class WorkList:
    counts: dict[str, int]
    chosen: str
    cases: list[Case]


def work_list(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    tz: ZoneInfo,
    chosen: str = "open",
    limit: int = 50,
) -> WorkList:
    """The counts of every list (one query) and the chosen list's cases, most urgent
    first (overdue, then soonest due)."""
    if actor.role not in HANDLER_ROLES | {Role.DISPATCHER.value, Role.ADMIN.value}:
        return WorkList({name: 0 for name in LISTS}, chosen, [])
    names = LISTS if actor.role in HANDLER_ROLES else ("check",)
    columns = [
        func.coalesce(func.sum(_as_int(list_clause(actor, name, now, tz))), 0).label(name)
        for name in names
    ]
    row = session.execute(select(*columns).select_from(Case)).one()
    counts = {name: int(getattr(row, name)) for name in names}
    if chosen not in (*names, "open"):
        chosen = "open"
    query = (
        select(Case)
        .where(list_clause(actor, chosen, now, tz))
        .order_by(Case.resolution_due_at.is_(None), Case.resolution_due_at, Case.id)
        .limit(limit)
    )
    return WorkList(counts, chosen, list(session.scalars(query)))


def _as_int(clause: ColumnElement[bool]) -> ColumnElement[int]:
    from sqlalchemy import case as sql_case

    return sql_case((clause, 1), else_=0)


# ---------------------------------------------------------------- unread notifications


def unread_count(
    session: Session, *, recipients: Sequence[str], since: datetime | None, cap: int = 99
) -> int:
    """In-app messages to these recipients newer than ``since`` (all when None), up to
    ``cap`` (the badge shows "99+" beyond)."""
    if not recipients:
        return 0
    query = select(OutboxMessage.id).where(
        OutboxMessage.channel == "in_app",
        OutboxMessage.recipient.in_(list(recipients)),
        OutboxMessage.created_at > since if since is not None else true(),
    )
    return int(
        session.scalar(select(func.count()).select_from(query.limit(cap + 1).subquery())) or 0
    )
