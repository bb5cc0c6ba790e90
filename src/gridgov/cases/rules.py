"""Pure case rules: the state machine, the escalation ladder, routing, and the figures'
definitions. No I/O; ``now`` is always passed in.

State machine (the ``ALLOWED`` table below; docs/cases.md draws it)::

    submitted -> accepted | rejected
    accepted -> assigned (the clocks start) | rejected
    assigned -> acknowledged (报到) | escalated (吹哨) | returned (退单)
    acknowledged -> in_progress | escalated | returned
    in_progress -> resolved | escalated | suspended (挂账, approved)
    resolved -> verified | in_progress (返工, failed verification)
    verified -> closed;  closed -> in_progress (the reporter contests, once)
    escalated -> assigned | acknowledged | returned | escalated (up again)
    returned -> assigned | rejected
    suspended -> in_progress
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from gridgov.errors import checked_transition
from gridgov.msgids import N_


class State(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    ESCALATED = "escalated"
    RETURNED = "returned"
    SUSPENDED = "suspended"


S = State
ALLOWED: dict[State, frozenset[State]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.REJECTED}),
    S.ACCEPTED: frozenset({S.ASSIGNED, S.REJECTED}),
    S.ASSIGNED: frozenset({S.ACKNOWLEDGED, S.ESCALATED, S.RETURNED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.ESCALATED, S.RETURNED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.ESCALATED, S.SUSPENDED}),
    S.RESOLVED: frozenset({S.VERIFIED, S.IN_PROGRESS}),
    S.VERIFIED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset({S.IN_PROGRESS}),
    S.ESCALATED: frozenset({S.ASSIGNED, S.ACKNOWLEDGED, S.RETURNED, S.ESCALATED}),
    S.RETURNED: frozenset({S.ASSIGNED, S.REJECTED}),
    S.SUSPENDED: frozenset({S.IN_PROGRESS}),
    S.REJECTED: frozenset(),
}

OPEN_STATES = frozenset(State) - {S.REJECTED, S.CLOSED}
# Where the unit's response clock runs: assigned (or escalated) and not yet reported in.
AWAITING_ACK = frozenset({S.ASSIGNED, S.ESCALATED})
# Where the resolution clock runs.
WORKING = frozenset({S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ESCALATED, S.RETURNED})
PUBLIC_STATUS = {
    state: ("closed" if state in (S.CLOSED, S.REJECTED) else "open") for state in State
}


def transition(current: State, target: State) -> State:
    """The new state, or Conflict naming both states when the table does not allow it."""
    refusal = N_("A case cannot go from %(current)s to %(target)s.")
    return checked_transition(ALLOWED, current, target, refusal)


class Level(StrEnum):
    """Who handles a case, lowest first: the escalation ladder (吹哨报到)."""

    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"


LADDER = (Level.GRID, Level.COMMUNITY, Level.STREET, Level.DEPARTMENT)


def next_level(level: Level) -> Level | None:
    index = LADDER.index(level)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    OPEN311 = "open311"
    CHAT = "chat"
    HOTLINE = "hotline"
    STAFF = "staff"  # raised by a grid worker on patrol


class Rating(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


@dataclass(frozen=True)
class Route:
    """Where a case starts: a level and, for departments, the department's name."""

    level: Level
    department: str | None = None
    source: str = "district default"


def route(
    *,
    override: Route | None,
    category_level: str | None,
    category_department: str | None,
    grid_allowed: bool,
    grid_matters: frozenset[str] | None,
    category_code: str | None,
    district_default: Route,
) -> Route:
    """Most specific wins: the case's own override → its category → the grid's matters
    list → the district default. A matter the category keeps off grids, or that a grid's
    list does not carry, never starts at a grid: it goes to the community instead."""
    if override is not None:
        return override
    chosen: Route
    if category_level is not None:
        chosen = Route(Level(category_level), category_department, "category")
    elif grid_matters is not None and category_code in grid_matters:
        chosen = Route(Level.GRID, None, "grid matters list")
    else:
        chosen = district_default
    if chosen.level is Level.GRID:
        on_list = grid_matters is None or (
            category_code is not None and category_code in grid_matters
        )
        if not grid_allowed or not on_list:
            return Route(Level.COMMUNITY, None, chosen.source + ", not a grid matter")
    return chosen
