"""Who may take which step on a case, in one place: the case page shows exactly the
steps :func:`check_step` admits, and the service's ``do_*`` functions authorise with the
same ``check_*`` functions it calls (docs/adr/0011-units-and-permissions.md).

A step is allowed when the state table lets the case move that way *and* the actor
passes the step's check. Separation of duties: nobody verifies a result they recorded
themselves; the check (核查) is the dispatcher's, the community's, the grid's (another
worker) or, where the category says so, the reporter's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access
from gridgov.audit.service import Actor
from gridgov.cases import access, routing, rules
from gridgov.cases.models import Assignment, Case, CaseEvent
from gridgov.cases.rules import Level, State
from gridgov.errors import Conflict, DomainError, Forbidden

# Each step and the state it moves the case to (checked against rules.ALLOWED).
STEP_TARGET: dict[str, State] = {
    "accept": State.ACCEPTED,
    "reject": State.REJECTED,
    "merge": State.REJECTED,
    "assign": State.ASSIGNED,
    "acknowledge": State.ACKNOWLEDGED,
    "start": State.IN_PROGRESS,
    "resolve": State.RESOLVED,
    "verify": State.VERIFIED,
    "escalate": State.ESCALATED,
    "return": State.RETURNED,
    "request-suspension": State.SUSPENDED,
    "approve-suspension": State.SUSPENDED,
    "resume": State.IN_PROGRESS,
}
STEPS = tuple(STEP_TARGET)
# Steps whose check asks which active assignment the actor works for.
HANDLER_STEPS = frozenset(
    {"acknowledge", "start", "resolve", "return", "escalate", "request-suspension"}
)
# Steps that start from fewer states than "the target is allowed" would admit.
STEP_FROM: dict[str, frozenset[State]] = {
    "start": frozenset({State.ACKNOWLEDGED}),
    "resume": frozenset({State.SUSPENDED}),
}
# Resolving implies reporting in and starting: a worker on the spot records the result
# in one step (the timeline still shows each step).
RESOLVE_FROM = frozenset({State.ASSIGNED, State.ESCALATED, State.ACKNOWLEDGED, State.IN_PROGRESS})
COMMUNITY_CODE_LENGTH = 12


def resolver_of(session: Session, case: Case) -> str | None:
    """The username that recorded the latest result, if any."""
    return session.scalar(
        select(CaseEvent.actor)
        .where(CaseEvent.case_id == case.id, CaseEvent.kind == "resolved")
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(1)
    )


def check_verifier(session: Session, actor: Actor, case: Case) -> None:
    """The check on the spot (核查): a dispatcher in scope, the community office, a worker
    of the grid, or the reporter where the category asks for it; never whoever recorded
    the result."""
    if actor.role == "system":
        return
    if actor.user_id is not None and resolver_of(session, case) == actor.username:
        raise Forbidden("You recorded this result: someone else checks it.")
    if actor.role in access.DISPATCH_ROLES and access.may_see(actor, case):
        return
    grid = case.grid_code or ""
    if actor.role == Role.GRID_WORKER and grid and may_access(actor.scope, grid):
        return
    community = grid[:COMMUNITY_CODE_LENGTH]
    if (
        actor.role in (Role.UNIT_STAFF, Role.BRANCH_SECRETARY)
        and len(community) == COMMUNITY_CODE_LENGTH
        and actor.scope == community
    ):
        return
    category = routing.category_of(session, case)
    if (
        actor.role == Role.RESIDENT
        and actor.user_id is not None
        and actor.user_id == case.reporter_user_id
        and category is not None
        and _reporter_confirms(session, case)
    ):
        return
    raise Forbidden("Only the community, the grid or a dispatcher checks a result.")


def _reporter_confirms(session: Session, case: Case) -> bool:
    from gridgov.cases.models import Category

    return bool(
        session.scalar(
            select(Category.reporter_confirms).where(Category.code == case.category_code)
        )
    )


def _state_allows(step: str, case: Case) -> bool:
    state = State(case.state)
    if step == "resolve":
        return state in RESOLVE_FROM
    return STEP_TARGET[step] in rules.ALLOWED[state] and state in STEP_FROM.get(
        step, frozenset(State)
    )


def check_step(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    step: str,
    assignments: Sequence[Assignment] | None = None,
) -> None:
    """Raise Conflict when the case's state does not allow ``step``, Forbidden when the
    actor may not take it; return when the step would be accepted. ``assignments``: the
    case's active assignments when the caller has read them already."""
    if step not in STEP_TARGET:
        raise Conflict("Unknown step %(step)s.", params={"step": step})
    if not _state_allows(step, case):
        raise Conflict(
            "A case cannot go from %(current)s to %(target)s.",
            params={"current": case.state, "target": STEP_TARGET[step].value},
        )
    if step in ("accept", "reject"):
        access.check_dispatch(actor, case)
    elif step == "assign":
        # An unlocated case may still go to a department named by the dispatcher: the
        # grid is required by ``assign`` once the route is known, not here.
        access.check_dispatch(actor, case)
    elif step == "merge":
        access.check_dispatch(actor, case)
        if case.duplicate_of_id is not None:
            raise Conflict("A case cannot be merged into itself or into a merged case.")
    elif step == "acknowledge":
        assignment = access.check_handler(session, actor, case, assignments=assignments)
        if not assignment.lead and assignment.acknowledged_at is not None:
            raise Conflict("Your unit has reported in already.")
    elif step in ("start", "resolve", "return"):
        access.check_handler(session, actor, case, assignments=assignments)
    elif step == "escalate":
        access.check_handler(session, actor, case, assignments=assignments)
        if rules.next_level(Level(case.level)) is None:
            raise Conflict("The case is already with a department; it cannot go higher.")
    elif step == "request-suspension":
        access.check_handler(session, actor, case, assignments=assignments)
        if case.suspension_requested:
            raise Conflict("A suspension has been asked for already.")
    elif step == "approve-suspension":
        if actor.role not in access.SUPERVISOR_ROLES or not access.may_see(actor, case):
            raise Forbidden("Only a supervisor may approve a suspension.")
        if not case.suspension_requested:
            raise Conflict("Nobody has asked to suspend this case.")
    elif step == "resume":
        roles = access.SUPERVISOR_ROLES | access.DISPATCH_ROLES
        if actor.role not in roles or not access.may_see(actor, case):
            raise Forbidden("Your role may not do this.")
    elif step == "verify":
        check_verifier(session, actor, case)


def may(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    step: str,
    assignments: Sequence[Assignment] | None = None,
) -> bool:
    try:
        check_step(session, actor=actor, case=case, step=step, assignments=assignments)
    except DomainError:
        return False
    return True


def allowed_steps(session: Session, *, actor: Actor, case: Case) -> list[str]:
    """The steps the actor may take on the case now, in workflow order: what the case
    page offers."""
    open_steps = [step for step in STEPS if _state_allows(step, case)]
    if not open_steps:
        return []
    # One read of the assignments for every step that asks who handles the case.
    assignments = (
        access.active_assignments(session, case)
        if any(step in HANDLER_STEPS for step in open_steps)
        else None
    )
    return [
        step
        for step in open_steps
        if may(session, actor=actor, case=case, step=step, assignments=assignments)
    ]
