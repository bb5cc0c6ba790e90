"""Reading cases: one by id or tracking code, its timeline, the scoped list, and
"overdue" in SQL and in Python."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.audit.service import Actor
from gridgov.cases import clocks
from gridgov.cases.access import DISTRICT_CODE_LENGTH, may_see
from gridgov.cases.models import (
    Case,
    CaseEvent,
)
from gridgov.cases.rules import State
from gridgov.db import visible_row
from gridgov.errors import NotFound


def get_case(session: Session, *, case_id: int, viewer: Actor) -> Case:
    return visible_row(session, Case, case_id, lambda case: may_see(viewer, case))


def get_by_tracking_code(session: Session, code: str) -> Case:
    case = session.scalar(select(Case).where(Case.tracking_code == code.strip().upper()))
    if case is None:
        raise NotFound("No case has this tracking code.")
    return case


def timeline(session: Session, case: Case, *, public_only: bool = False) -> list[CaseEvent]:
    query = (
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
    )
    if public_only:
        query = query.where(CaseEvent.public.is_(True))
    return list(session.scalars(query))


def list_cases(
    session: Session,
    *,
    viewer: Actor,
    state: str | None = None,
    overdue: bool = False,
    region_code: str | None = None,
    unit: bool = False,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    query = select(Case).order_by(Case.resolution_due_at.is_(None), Case.resolution_due_at, Case.id)
    if viewer.role != "system":
        visible = [
            scope_clause(viewer.scope, Case.grid_code),
            scope_clause(viewer.scope, Case.unit_code),
        ]
        if viewer.scope and len(viewer.scope) == DISTRICT_CODE_LENGTH:
            # Not located anywhere yet: the district's dispatchers place it.
            visible.append(Case.grid_code.is_(None) & Case.unit_code.is_(None))
        query = query.where(or_(*visible))
    if unit and viewer.organisation_id is not None:
        query = query.where(Case.department_id == viewer.organisation_id)
    if state:
        query = query.where(Case.state == state)
    if overdue and now is not None:
        query = query.where(overdue_clause(now))
    if region_code:
        query = query.where(scope_clause(region_code, Case.grid_code))
    return list(session.scalars(query.limit(limit).offset(offset)))


def overdue_clause(now: datetime):  # type: ignore[no-untyped-def]
    """ "Overdue" defined once (``clocks.is_overdue``), in SQL: the resolution clock runs
    (``clocks.RUNNING``) and its due time is in the past."""
    return Case.state.in_([s.value for s in clocks.RUNNING]) & (Case.resolution_due_at < now)


def is_overdue(case: Case, now: datetime) -> bool:
    """The same definition in Python."""
    return clocks.is_overdue(State(case.state), case.resolution_due_at, now)
