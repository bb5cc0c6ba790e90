"""The arithmetic of the pairings', volunteers' and programmes' figures in the indicator
trees, without a database: a task's standing in a month, the window's local days,
hours from minutes, and the built-in rates over those counts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gridgov.indicators.formulas import evaluate_formula
from gridgov.indicators.kinds import BASE_METRICS, BUILT_IN_DERIVED, METRIC_LABELS
from gridgov.metrics import Window
from gridgov.outreach.programme_rules import TaskStanding, TaskStatus, task_standing
from gridgov.outreach.rules import credited_hours

NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))
LAST_DAY = date(2026, 11, 30)


def standing(
    due_on: date, status: TaskStatus, done_on: date | None = None, as_of: date = LAST_DAY
) -> TaskStanding:
    first, after = NOVEMBER
    return task_standing(due_on, status, done_on, first=first, after=after, as_of=as_of)


@pytest.mark.parametrize(
    ("due_on", "status", "done_on", "expected"),
    [
        # done before its due date: on time, never overdue
        (date(2026, 11, 5), TaskStatus.DONE, date(2026, 11, 4), (True, True, False)),
        # done on the due date itself: on time
        (date(2026, 11, 5), TaskStatus.DONE, date(2026, 11, 5), (True, True, False)),
        # done late but within the month: neither on time nor overdue at its end
        (date(2026, 11, 5), TaskStatus.DONE, date(2026, 11, 20), (True, False, False)),
        # done only after the month ended: it was overdue on the month's last day
        (date(2026, 11, 5), TaskStatus.DONE, date(2026, 12, 3), (True, False, True)),
        # still open past its due date; due on the last day itself is not yet overdue
        (date(2026, 11, 12), TaskStatus.IN_PROGRESS, None, (True, False, True)),
        (date(2026, 11, 29), TaskStatus.PLANNED, None, (True, False, True)),
        (date(2026, 11, 30), TaskStatus.PLANNED, None, (True, False, False)),
        # cancelled, or due in another month: not counted
        (date(2026, 11, 15), TaskStatus.CANCELLED, None, (False, False, False)),
        (date(2026, 10, 31), TaskStatus.PLANNED, None, (False, False, False)),
        (date(2026, 12, 1), TaskStatus.PLANNED, None, (False, False, False)),
    ],
)
def test_a_task_counts_as_due_on_time_or_overdue_at_the_month_end(
    due_on: date, status: TaskStatus, done_on: date | None, expected: tuple[bool, bool, bool]
) -> None:
    assert tuple(standing(due_on, status, done_on)) == expected


def test_while_the_month_runs_only_what_is_past_due_today_is_overdue() -> None:
    # Given today is 12 November, the month still running
    today = date(2026, 11, 12)
    # Then a task due today or later is due and not overdue; one due yesterday is
    assert standing(date(2026, 11, 12), TaskStatus.PLANNED, as_of=today) == (True, False, False)
    assert standing(date(2026, 11, 25), TaskStatus.PLANNED, as_of=today) == (True, False, False)
    assert standing(date(2026, 11, 11), TaskStatus.IN_PROGRESS, as_of=today).overdue
    # and a task done today after its due date is no longer overdue
    late = standing(date(2026, 11, 5), TaskStatus.DONE, date(2026, 11, 12), as_of=today)
    assert late == TaskStanding(True, False, False)


def test_the_window_names_its_local_days_in_shanghai() -> None:
    # Given November in Shanghai: local midnights at 16:00 UTC the day before
    window = Window(
        start=datetime(2026, 10, 31, 16, tzinfo=UTC),
        end=datetime(2026, 11, 30, 16, tzinfo=UTC),
        now=datetime(2026, 11, 30, 9, 30, tzinfo=UTC),
    )
    assert (window.first_day(), window.after_day()) == NOVEMBER
    # 09:30 UTC on 30 November is 17:30 in Shanghai, still the 30th; 16:30 UTC is the 1st
    assert window.local_day(window.now) == date(2026, 11, 30)
    assert window.local_day(datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == date(2026, 12, 1)
    assert window.local_day(datetime(2026, 10, 31, 15, 59, tzinfo=UTC)) == date(2026, 10, 31)


def test_hours_are_minutes_over_sixty_unrounded() -> None:
    assert credited_hours(150) == 2.5
    assert credited_hours(0) == 0.0
    assert credited_hours(1) == pytest.approx(1 / 60)


@pytest.mark.parametrize(
    ("metric", "counts", "expected"),
    [
        ("joint_activities_per_pairing", {"joint_activities": 9, "pairings": 6}, 1.5),
        ("problems_solved_per_pairing", {"problems_solved": 3, "pairings": 4}, 0.75),
        ("volunteer_hours_per_100_residents", {"volunteer_hours": 45, "residents": 1500}, 3.0),
        (
            "volunteer_hours_per_active_volunteer",
            {"volunteer_hours": 45, "active_volunteers": 18},
            2.5,
        ),
        ("active_volunteer_rate", {"active_volunteers": 18, "volunteers": 60}, 0.3),
        ("task_completion_rate", {"tasks_done_on_time": 3, "tasks_due": 4}, 0.75),
        ("task_overdue_rate", {"tasks_overdue": 1, "tasks_due": 4}, 0.25),
    ],
)
def test_the_rates_divide_the_counts(
    metric: str, counts: dict[str, float], expected: float
) -> None:
    assert evaluate_formula(BUILT_IN_DERIVED[metric], counts) == pytest.approx(expected)
    # nothing to divide by: no value (the tree's "missing" rule decides the points)
    empty = dict.fromkeys(counts, 0.0)
    assert evaluate_formula(BUILT_IN_DERIVED[metric], empty) is None


def test_every_new_metric_is_a_base_count_or_a_built_in_rate_with_a_label() -> None:
    new = {
        "pairings",
        "joint_activities",
        "problems_solved",
        "volunteer_hours",
        "active_volunteers",
        "tasks_due",
        "tasks_done_on_time",
        "tasks_overdue",
    }
    assert new <= BASE_METRICS
    assert set(METRIC_LABELS) <= BASE_METRICS | set(BUILT_IN_DERIVED)
    assert new | {m for m in BUILT_IN_DERIVED if m.startswith(("task_", "joint_"))} <= set(
        METRIC_LABELS
    )
