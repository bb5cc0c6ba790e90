"""Who may see and act on a case: scope by region code, the dispatcher's check, and
the active assignment an actor works for."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access
from gridgov.audit.service import Actor
from gridgov.cases.models import (
    Assignment,
    Case,
)
from gridgov.cases.rules import Level
from gridgov.errors import Conflict, Forbidden

DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
SUPERVISOR_ROLES = frozenset({Role.LEADER, Role.ADMIN})

DISTRICT_CODE_LENGTH = 6


def _in_scope(actor: Actor, case: Case) -> bool:
    """A case belongs where it was located or is handled; one not located anywhere yet
    belongs to the whole district (its dispatchers place it)."""
    if actor.role == "system":
        return True
    code = case.grid_code or case.unit_code
    if code is None:
        return bool(actor.scope) and len(actor.scope or "") == DISTRICT_CODE_LENGTH
    return may_access(actor.scope, code)


def may_see(actor: Actor, case: Case) -> bool:
    return _in_scope(actor, case)


def check_dispatch(actor: Actor, case: Case) -> None:
    if actor.role != "system" and (actor.role not in DISPATCH_ROLES or not _in_scope(actor, case)):
        raise Forbidden("Only a dispatcher may do this.")


def active_assignments(session: Session, case: Case) -> list[Assignment]:
    """The case's active assignments, the lead first."""
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.case_id == case.id, Assignment.active.is_(True))
            .order_by(Assignment.lead.desc(), Assignment.id)
        )
    )


def check_handler(
    session: Session,
    actor: Actor,
    case: Case,
    *,
    assignments: Sequence[Assignment] | None = None,
) -> Assignment:
    """The active assignment the actor works for: grid workers for their grid, unit staff
    for their unit (department by membership, offices by scope), dispatchers for any.
    ``assignments``: the case's ``active_assignments`` when the caller has them already
    (the case page checks a dozen steps against one read)."""
    if assignments is None:
        assignments = active_assignments(session, case)
    if not assignments:
        raise Conflict("The case is not assigned to anyone.")
    if actor.role == "system" or (actor.role in DISPATCH_ROLES and _in_scope(actor, case)):
        return assignments[0]
    for assignment in assignments:
        if _works_for(actor, assignment):
            return assignment
    raise Forbidden("This case is not assigned to your unit.")


def _works_for(actor: Actor, assignment: Assignment) -> bool:
    if assignment.level == Level.GRID.value:
        return actor.role == Role.GRID_WORKER and may_access(actor.scope, assignment.unit_code)
    if assignment.department_id is not None:
        return actor.role == Role.UNIT_STAFF and actor.organisation_id == assignment.department_id
    return (
        actor.role in (Role.UNIT_STAFF, Role.BRANCH_SECRETARY)
        and actor.scope == assignment.unit_code
    )
