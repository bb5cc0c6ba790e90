"""What other domains may read of outreach: the contact-group and visit counts, the
pairings', volunteers' and programme tasks' figures of the indicator trees (metric
providers, ``gridgov.metrics``; ``figures.py`` says what each counts) and the
programmes' overdue tasks of an area (the leader's dashboard)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from gridgov.metrics import GroupedCounts, Window
from gridgov.outreach import figures, programmes
from gridgov.outreach.programmes import OverdueTask
from gridgov.outreach.service import VISIT_METRICS, visit_figures

VISIT_COUNTS = VISIT_METRICS
PAIRING_COUNTS = figures.PAIRING_METRICS
VOLUNTEER_COUNTS = figures.VOLUNTEER_METRICS
TASK_COUNTS = figures.TASK_METRICS
__all__ = [
    "PAIRING_COUNTS",
    "TASK_COUNTS",
    "VISIT_COUNTS",
    "VOLUNTEER_COUNTS",
    "OverdueTask",
    "overdue_tasks",
    "pairing_counts",
    "task_counts",
    "visit_counts",
    "volunteer_counts",
]


def _only(found: figures.Figures, metrics: Sequence[str], owned: tuple[str, ...]) -> GroupedCounts:
    wanted = [m for m in owned if m in metrics]
    return GroupedCounts(
        by_region={code: {m: values[m] for m in wanted} for code, values in found.items()}
    )


def visit_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Households in a contact group, households visited and visits made in the window,
    by grid."""
    # Visits are dated by local day: the window's first and last-plus-one local days.
    first, after = window.first_day(), window.after_day()
    return _only(visit_figures(session, start=first, end=after), metrics, VISIT_COUNTS)


def pairing_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Pairings signed by the period's end, their joint activities held in the period
    and the problems those solved, by the paired village or community."""
    found = figures.pairing_figures(session, first=window.first_day(), after=window.after_day())
    return _only(found, metrics, PAIRING_COUNTS)


def volunteer_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Volunteer hours credited for activities that started in the period and the
    volunteers credited with any, by the volunteer's home grid."""
    found = figures.volunteer_figures(session, start=window.start, end=window.end)
    return _only(found, metrics, VOLUNTEER_COUNTS)


def task_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Programme tasks due in the period, done on time, and overdue on its last day (on
    today, the office's date at ``window.now``, while the period runs), by the
    project's region."""
    first, after = window.first_day(), window.after_day()
    as_of = min(after - timedelta(days=1), window.local_day(window.now))
    found = figures.task_figures(session, first=first, after=after, as_of=as_of)
    return _only(found, metrics, TASK_COUNTS)


def overdue_tasks(
    session: Session, *, scope: str | None, today: date, limit: int = 10
) -> tuple[int, list[OverdueTask]]:
    """Programmes' tasks overdue in ``scope`` at ``today`` (the office's local date):
    how many, and the ``limit`` most overdue (earliest due first), for the leader's
    dashboard."""
    return programmes.overdue_tasks(session, scope=scope, today=today, limit=limit)
