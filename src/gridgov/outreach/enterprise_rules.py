"""Pure rules of the enterprise service desk: the seven priorities (七个优先) as data,
the request state machine with its deadlines, priority coverage, and the checks on
what staff type. No I/O; ``today`` is passed in.

The seven priorities are ours: Hengqin promises Macau-funded enterprises priority
service but the list below is a plausible service desk's reading of it, not an
official list (docs/outreach.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from gridgov.errors import Problem, checked_transition
from gridgov.msgids import N_


class Priority(StrEnum):
    POLICY = "policy"  # 政策咨询优先
    APPROVAL = "approval"  # 审批办理优先
    TALENT_HOUSING = "talent_housing"  # 人才安居优先
    FINANCING = "financing"  # 融资对接优先
    SITE = "site"  # 场地空间优先
    DISPUTE = "dispute"  # 纠纷调解优先
    PARTY_BUILDING = "party_building"  # 党建指导优先


@dataclass(frozen=True)
class PriorityRule:
    priority: Priority
    label: str  # a catalogue id
    answer_days: int  # calendar days from receipt to a request's reply


PRIORITIES: dict[Priority, PriorityRule] = {
    rule.priority: rule
    for rule in (
        PriorityRule(Priority.POLICY, N_("Priority in policy consultation"), 5),
        PriorityRule(Priority.APPROVAL, N_("Priority in approval processing"), 10),
        PriorityRule(Priority.TALENT_HOUSING, N_("Priority in talent and housing services"), 15),
        PriorityRule(Priority.FINANCING, N_("Priority in financing connection"), 20),
        PriorityRule(Priority.SITE, N_("Priority in site and space"), 30),
        PriorityRule(Priority.DISPUTE, N_("Priority in dispute mediation"), 10),
        PriorityRule(Priority.PARTY_BUILDING, N_("Priority in party-building guidance"), 15),
    )
}
PRIORITY_ORDER = tuple(Priority)


def label_of(priority: str) -> str:
    """The catalogue id naming a priority (the value itself when unknown)."""
    try:
        return PRIORITIES[Priority(priority)].label
    except ValueError:
        return priority


# ---------------------------------------------------------------- requests


class RequestState(StrEnum):
    RECEIVED = "received"  # the enterprise asked
    ACCEPTED = "accepted"  # someone took it on
    RESOLVED = "resolved"  # answered and done
    DECLINED = "declined"  # refused, with the reason


REQUEST_ALLOWED: dict[RequestState, frozenset[RequestState]] = {
    RequestState.RECEIVED: frozenset({RequestState.ACCEPTED, RequestState.DECLINED}),
    RequestState.ACCEPTED: frozenset({RequestState.RESOLVED, RequestState.DECLINED}),
    RequestState.RESOLVED: frozenset(),
    RequestState.DECLINED: frozenset(),
}
OPEN_STATES = frozenset({RequestState.RECEIVED, RequestState.ACCEPTED})
REPLY_NEEDED = frozenset({RequestState.RESOLVED, RequestState.DECLINED})


def request_transition(current: RequestState, target: RequestState) -> RequestState:
    """The next state, or a refusal naming both (409)."""
    refusal = N_("A request that is %(current)s cannot become %(target)s.")
    return checked_transition(REQUEST_ALLOWED, current, target, refusal)


def due_on(priority: Priority, received_on: date) -> date:
    """The reply is due this many calendar days after receipt, by the priority."""
    return received_on + timedelta(days=PRIORITIES[priority].answer_days)


def is_overdue(state: RequestState, due: date, today: date) -> bool:
    """Still open after the day it was due."""
    return state in OPEN_STATES and today > due


def closed_late(state: RequestState, due: date, closed_on: date | None) -> bool:
    """Resolved or declined after the day it was due."""
    return state in REPLY_NEEDED and closed_on is not None and closed_on > due


# ---------------------------------------------------------------- coverage


def coverage(received: Iterable[str]) -> tuple[Priority, ...]:
    """Which of the seven an enterprise received (in the order of the list); unknown
    values are ignored."""
    got = set(received)
    return tuple(p for p in PRIORITY_ORDER if p.value in got)


def matches_coverage(received: Iterable[str], priority: Priority, covered: bool) -> bool:
    """The list's filter: whether ``priority`` was received (or not) as asked."""
    return (priority in coverage(received)) is covered


# ---------------------------------------------------------------- input checks

MAX_TEXT = 2000
MAX_BRAND_NAME = 64
MAX_SLOGAN = 128
MAX_DESCRIPTION = 4000
EARLIEST = date(2000, 1, 1)


def text_problems(
    value: str, field: str, limit: int, *, required: bool = True
) -> tuple[str, list[Problem]]:
    """The stripped text and what is wrong with it: missing when required, too long."""
    value = value.strip()
    problems: list[Problem] = []
    if required and not value:
        problems.append(Problem(field, N_("This field is required.")))
    if len(value) > limit:
        problems.append(Problem(field, N_("At most %(n)s characters."), n=limit))
    return value, problems


def date_problems(value: date, field: str, today: date) -> list[Problem]:
    """A date of the work: not in the future, not before 2000."""
    if value > today:
        return [Problem(field, N_("A date in the future is not allowed."))]
    if value < EARLIEST:
        return [Problem(field, N_("A date after %(date)s is required."), date="2000-01-01")]
    return []


# Values shown through ``_(value)`` on enterprise pages.
LABELS = (
    N_("received"),
    N_("accepted"),
    N_("resolved"),
    N_("declined"),
)
