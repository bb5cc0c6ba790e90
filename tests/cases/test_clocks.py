"""The service-level clocks as pure functions, at every boundary: just in time, one
minute late, across a suspension, across a reassignment, across a holiday."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from gridgov.cases.calendar import BEIJING, DeadlineUnit, WorkCalendar
from gridgov.cases.clocks import (
    AWAITING_RESPONSE,
    PAUSED,
    RUNNING,
    Outcome,
    extend_due,
    is_overdue,
    resolution_outcome,
    response_outcome,
)
from gridgov.cases.rules import OPEN_STATES, State

MINUTE = timedelta(minutes=1)


def bj(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Beijing wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


DUE = bj(2026, 11, 30, 17, 30)


@pytest.mark.parametrize(
    ("acknowledged_at", "ended_at", "now", "expected"),
    [
        pytest.param(DUE, None, DUE + timedelta(days=1), Outcome.ON_TIME, id="just-in-time"),
        pytest.param(DUE + MINUTE, None, DUE + MINUTE, Outcome.LATE, id="one-minute-late"),
        pytest.param(None, None, DUE, Outcome.PENDING, id="unanswered-at-the-due-time"),
        pytest.param(None, None, DUE + MINUTE, Outcome.LATE, id="unanswered-a-minute-past"),
        # escalated past for not reporting in: the escalation does not erase the lateness
        pytest.param(None, DUE + MINUTE, DUE + timedelta(days=9), Outcome.LATE, id="escalated"),
        # reassigned by the dispatcher before its time ran out: counts neither way
        pytest.param(
            None, DUE - MINUTE, DUE + timedelta(days=9), Outcome.PENDING, id="reassigned-in-time"
        ),
    ],
)
def test_each_assignment_keeps_its_own_response_clock(
    acknowledged_at: datetime | None, ended_at: datetime | None, now: datetime, expected: Outcome
) -> None:
    # given an assignment due to report in at DUE
    # when its clock is read
    outcome = response_outcome(due=DUE, acknowledged_at=acknowledged_at, ended_at=ended_at, now=now)
    # then it stands as the unit's own record
    assert outcome is expected


@pytest.mark.parametrize(
    ("state", "now", "overdue"),
    [
        pytest.param(State.IN_PROGRESS, DUE, False, id="in-progress-at-the-due-time"),
        pytest.param(State.IN_PROGRESS, DUE + MINUTE, True, id="in-progress-a-minute-past"),
        pytest.param(State.ASSIGNED, DUE + MINUTE, True, id="assigned-a-minute-past"),
        pytest.param(State.RESOLVED, DUE + timedelta(days=3), False, id="awaiting-verification"),
        pytest.param(State.SUSPENDED, DUE + timedelta(days=3), False, id="suspended"),
        pytest.param(State.CLOSED, DUE + timedelta(days=3), False, id="closed"),
        pytest.param(State.SUBMITTED, DUE + timedelta(days=3), False, id="not-yet-assigned"),
    ],
)
def test_only_a_running_resolution_clock_can_be_overdue(
    state: State, now: datetime, overdue: bool
) -> None:
    assert is_overdue(state, DUE, now) is overdue


def test_the_state_groups_are_defined_once_and_do_not_overlap() -> None:
    # running and paused are disjoint open states; a unit responds only where it runs
    assert not RUNNING & PAUSED
    assert RUNNING | PAUSED <= OPEN_STATES
    assert AWAITING_RESPONSE <= RUNNING


@pytest.mark.parametrize(
    ("state", "resolved_at", "now", "expected"),
    [
        pytest.param(State.RESOLVED, DUE, DUE + timedelta(days=2), Outcome.ON_TIME, id="on-time"),
        pytest.param(State.CLOSED, DUE + MINUTE, DUE + MINUTE, Outcome.LATE, id="a-minute-late"),
        pytest.param(State.IN_PROGRESS, None, DUE, Outcome.PENDING, id="running-at-due"),
        pytest.param(State.IN_PROGRESS, None, DUE + MINUTE, Outcome.LATE, id="running-past"),
    ],
)
def test_the_resolution_clock_stops_at_resolved(
    state: State, resolved_at: datetime | None, now: datetime, expected: Outcome
) -> None:
    assert resolution_outcome(state=state, due=DUE, resolved_at=resolved_at, now=now) is expected


CALENDAR = WorkCalendar()


def test_a_suspension_extends_the_due_time_by_the_working_time_it_lasted() -> None:
    # given a working-days case due Tuesday 1 December 17:30, suspended on Monday 10:00
    due = bj(2026, 12, 1, 17, 30)
    # when it resumes on Wednesday 10:00 (Mon 2 h + 4 h, Tue 7.5 h, Wed 1.5 h: 15 h paused)
    moved = extend_due(
        due,
        paused_at=bj(2026, 11, 30, 10),
        resumed_at=bj(2026, 12, 2, 10),
        unit=DeadlineUnit.WORKING_DAYS,
        calendar=CALENDAR,
    )
    # then the 15 working hours run on from Tuesday 17:30: Thursday 17:30
    assert moved == bj(2026, 12, 3, 17, 30)


def test_a_suspension_across_national_day_counts_only_working_time() -> None:
    # given a case due Wednesday 30 September 17:00, suspended that day at 16:00
    due = bj(2026, 9, 30, 17)
    # when it resumes on Thursday 8 October at 09:30 (2 h on the 30th, 1 h on the 8th)
    moved = extend_due(
        due,
        paused_at=bj(2026, 9, 30, 16),
        resumed_at=bj(2026, 10, 8, 9, 30),
        unit=DeadlineUnit.WORKING_HOURS,
        calendar=CALENDAR,
    )
    # then three working hours run on from the old due time: 1 h on the 30th, 2 h on the 8th
    assert moved == bj(2026, 10, 8, 10, 30)


def test_a_natural_hours_clock_moves_on_by_natural_time() -> None:
    # given an emergency due in natural hours, suspended for a weekend day
    moved = extend_due(
        DUE,
        paused_at=bj(2026, 11, 28, 9),
        resumed_at=bj(2026, 11, 29, 9),
        unit=DeadlineUnit.HOURS,
        calendar=CALENDAR,
    )
    # then it moves on by the full 24 hours
    assert moved == DUE + timedelta(hours=24)


def test_a_resume_before_the_pause_changes_nothing() -> None:
    assert (
        extend_due(
            DUE, paused_at=DUE, resumed_at=DUE, unit=DeadlineUnit.WORKING_DAYS, calendar=CALENDAR
        )
        == DUE
    )
