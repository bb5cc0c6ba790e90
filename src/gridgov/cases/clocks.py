"""The service-level clocks of a case, as pure functions of its timestamps.

A case carries three clocks (docs/cases.md, "Clocks"):

- **response**, one per assignment (``case_assignment.response_due_at``): starts when
  the unit is assigned and stops when it reports in (报到). Each assignment keeps its
  own; a reassignment or an escalation starts a new one and does not erase the old,
  so a unit that did not report in time stays late in its own figures.
- **resolution**, one per case (``case_file.resolution_due_at``): starts at the first
  assignment and runs while someone should be working on the case (``RUNNING``). It
  stops at ``resolved`` and pauses while ``suspended`` (挂账); when work resumes (a
  failed check, a resumed suspension, a contested close) the due time moves on by the
  working time the clock stood still (``extend_due``).
- **verification** (``case_file.verification_due_at``): starts at ``resolved``, stops
  at the check on the spot.

"Overdue" means the running resolution clock has passed its due time, and nothing
else: ``RUNNING`` is the one definition of the states in which a case can be overdue;
``cases.service.overdue_clause`` is the same rule in SQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from gridgov.cases.calendar import DeadlineUnit, WorkCalendar
from gridgov.cases.rules import State

S = State
# The states in which the resolution clock runs: the only ones that can be overdue.
RUNNING = frozenset({S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.ESCALATED, S.RETURNED})
# The states in which the resolution clock stands still, to resume later.
PAUSED = frozenset({S.SUSPENDED, S.RESOLVED})
# Where a unit's response clock runs: assigned (or escalated) and not yet reported in.
AWAITING_RESPONSE = frozenset({S.ASSIGNED, S.ESCALATED})
# How long the grid worker has to check a resolved case on the spot (one working day).
VERIFICATION = (1, DeadlineUnit.WORKING_DAYS)


class Outcome(StrEnum):
    """Where a clock stands: still running within time, met, or missed."""

    PENDING = "pending"
    ON_TIME = "on_time"
    LATE = "late"


def is_overdue(state: State, due: datetime | None, now: datetime) -> bool:
    """The resolution clock runs in ``state`` and its due time has passed."""
    return state in RUNNING and due is not None and due < now


def response_outcome(
    *,
    due: datetime | None,
    acknowledged_at: datetime | None,
    ended_at: datetime | None,
    now: datetime,
) -> Outcome:
    """One assignment's response clock. Reported in by the due time (inclusive): on
    time; later, or never while the assignment was active past its due time: late. An
    assignment ended (escalated past, returned, reassigned) before its due time without
    reporting in is pending forever: it never counts, for or against the unit."""
    if due is None:
        return Outcome.PENDING
    if acknowledged_at is not None:
        return Outcome.ON_TIME if acknowledged_at <= due else Outcome.LATE
    stopped = ended_at if ended_at is not None else now
    return Outcome.LATE if stopped > due else Outcome.PENDING


def resolution_outcome(
    *, state: State, due: datetime | None, resolved_at: datetime | None, now: datetime
) -> Outcome:
    """The case's resolution clock: resolved by the due time (inclusive) is on time; a
    running clock past its due time is late; anything else is still pending."""
    if due is None:
        return Outcome.PENDING
    if state in PAUSED | {S.VERIFIED, S.CLOSED} and resolved_at is not None:
        return Outcome.ON_TIME if resolved_at <= due else Outcome.LATE
    return Outcome.LATE if is_overdue(state, due, now) else Outcome.PENDING


def extend_due(
    due: datetime,
    *,
    paused_at: datetime,
    resumed_at: datetime,
    unit: DeadlineUnit,
    calendar: WorkCalendar,
) -> datetime:
    """The due time after the clock stood still from ``paused_at`` to ``resumed_at``:
    moved on by the paused time as the clock counts it, natural time for a deadline in
    ``hours``, working time (working days and hours of the calendar) otherwise."""
    if resumed_at <= paused_at:
        return due
    if DeadlineUnit(unit) is DeadlineUnit.HOURS:
        return due + (resumed_at - paused_at)
    paused = timedelta(hours=calendar.working_hours_between(paused_at, resumed_at))
    return calendar.add_working_time(due, paused)
