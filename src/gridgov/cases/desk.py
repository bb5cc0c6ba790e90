"""The dispatcher's desk: queues and search over the cases of the dispatcher's area.

Queues: new (waiting to be accepted), returned (退单), awaiting verification, overdue,
suspension requests, contested, and cases with a unit nobody staffs. Search: tracking
code, words of the description or address, the reporter's phone (by its blind index:
the phone itself is never compared or stored in clear), category, grid or region, unit,
state and a date range in the office's calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from gridgov.accounts import units
from gridgov.accounts.models import User
from gridgov.accounts.rules import scope_clause
from gridgov.audit.service import Actor
from gridgov.cases import rules
from gridgov.cases.models import Assignment, Case
from gridgov.cases.rules import Level, State
from gridgov.registry import service as registry
from gridgov.registry.rules import normalise_phone, phone_problem

QUEUES = ("new", "returned", "check", "overdue", "suspension", "contested", "unstaffed")
OPEN = sorted(s.value for s in rules.OPEN_STATES)
DISTRICT_CODE_LENGTH = 6


def visible_clause(actor: Actor) -> ColumnElement[bool]:
    """The same "may see" as ``service.list_cases``: located or handled in the scope; an
    unlocated case belongs to the district's dispatchers."""
    if actor.role == "system":
        return true()
    parts = [scope_clause(actor.scope, Case.grid_code), scope_clause(actor.scope, Case.unit_code)]
    if actor.scope and len(actor.scope) == DISTRICT_CODE_LENGTH:
        parts.append(Case.grid_code.is_(None) & Case.unit_code.is_(None))
    return or_(*parts)


def unstaffed_clause() -> ColumnElement[bool]:
    """Open and assigned to a department or office with no active account to work it."""
    staffed_departments = select(User.organisation_id).where(
        User.is_active.is_(True), User.organisation_id.is_not(None)
    )
    staffed_offices = select(User.scope).where(
        User.is_active.is_(True), User.role.in_(sorted(units.UNIT_ROLES))
    )
    lead = (
        select(Assignment.id)
        .where(
            Assignment.case_id == Case.id,
            Assignment.active.is_(True),
            Assignment.lead.is_(True),
            Assignment.level != Level.GRID.value,
            or_(
                and_(
                    Assignment.level == Level.DEPARTMENT.value,
                    or_(
                        Assignment.department_id.is_(None),
                        Assignment.department_id.not_in(staffed_departments),
                    ),
                ),
                and_(
                    Assignment.level != Level.DEPARTMENT.value,
                    Assignment.unit_code.not_in(staffed_offices),
                ),
            ),
        )
        .exists()
    )
    return and_(Case.state.in_(OPEN), lead)


def queue_clause(name: str, now: datetime) -> ColumnElement[bool]:
    from gridgov.cases.service import overdue_clause

    if name == "new":
        return Case.state == State.SUBMITTED.value
    if name == "returned":
        return Case.state == State.RETURNED.value
    if name == "check":
        return Case.state == State.RESOLVED.value
    if name == "overdue":
        return overdue_clause(now)  # type: ignore[no-any-return]
    if name == "suspension":
        return and_(Case.suspension_requested.is_(True), Case.state.in_(OPEN))
    if name == "contested":
        return and_(Case.contested.is_(True), Case.state.in_(OPEN))
    if name == "unstaffed":
        return unstaffed_clause()
    return false()


def queue_counts(session: Session, *, actor: Actor, now: datetime) -> dict[str, int]:
    """Every queue's size in one query."""
    columns = [
        func.coalesce(func.sum(case((queue_clause(name, now), 1), else_=0)), 0).label(name)
        for name in QUEUES
    ]
    row = session.execute(select(*columns).where(visible_clause(actor))).one()
    return {name: int(getattr(row, name)) for name in QUEUES}


@dataclass
class Search:
    q: str = ""
    phone: str = ""
    category: str = ""
    region: str = ""
    unit: str = ""
    state: str = ""
    start: date | None = None
    end: date | None = None
    queue: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            (self.q, self.phone, self.category, self.region, self.unit, self.state, self.start)
        ) and not (self.end or self.queue)


def search(
    session: Session,
    *,
    actor: Actor,
    query: Search,
    now: datetime,
    tz: ZoneInfo,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    """Cases matching every criterion given, in the actor's area; newest first. A phone
    that is not a phone number, or a unit that names nothing, matches nothing."""
    where: list[ColumnElement[bool]] = [visible_clause(actor)]
    text = query.q.strip()
    if text:
        code = text.upper()
        where.append(
            or_(
                Case.tracking_code == code,
                Case.description.contains(text, autoescape=True),
                Case.address.contains(text, autoescape=True),
            )
        )
    if query.phone.strip():
        phone = normalise_phone(query.phone)
        if phone_problem(phone) is not None:
            return []
        sealed = registry.seal_phone(registry.cipher_of(session), phone)
        where.append(Case.reporter_phone_index == sealed.index)
    if query.category:
        where.append(
            or_(Case.category_code == query.category, Case.category_code.startswith(query.category))
        )
    if query.region.strip():
        where.append(scope_clause(query.region.strip(), Case.grid_code))
    if query.unit.strip():
        where.append(_unit_clause(session, query.unit, actor))
    if query.state:
        where.append(Case.state == query.state)
    if query.start is not None:
        where.append(Case.created_at >= datetime.combine(query.start, time(0), tzinfo=tz))
    if query.end is not None:
        end = datetime.combine(query.end + timedelta(days=1), time(0), tzinfo=tz)
        where.append(Case.created_at < end)
    if query.queue in QUEUES:
        where.append(queue_clause(query.queue, now))
    order = (
        (Case.resolution_due_at.is_(None), Case.resolution_due_at, Case.id)
        if query.queue
        else (Case.created_at.desc(), Case.id.desc())
    )
    return list(
        session.scalars(select(Case).where(*where).order_by(*order).limit(limit).offset(offset))
    )


def _unit_clause(session: Session, text: str, actor: Actor) -> ColumnElement[bool]:
    found = units.units_matching(session, text=text, viewer=actor)
    if not found:
        return false()
    departments = [u.id for u in found if u.kind == "department"]
    offices = [u.region_code for u in found if u.kind != "department"]
    return or_(
        Case.department_id.in_(departments) if departments else false(),
        and_(Case.department_id.is_(None), Case.unit_code.in_(offices)) if offices else false(),
    )
