"""What other domains may read of outreach: the contact-group and visit counts of the
indicator trees (a metric provider, ``gridgov.metrics``) and the programmes' overdue
tasks of an area (the leader's dashboard)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy.orm import Session

from gridgov.metrics import GroupedCounts, Window
from gridgov.outreach import programmes
from gridgov.outreach.programmes import OverdueTask
from gridgov.outreach.service import VISIT_METRICS, visit_figures

VISIT_COUNTS = VISIT_METRICS
__all__ = ["VISIT_COUNTS", "OverdueTask", "overdue_tasks", "visit_counts"]


def visit_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Households in a contact group, households visited and visits made in the window,
    by grid."""
    # [start, end) are the local midnights in UTC; visits are dated by local day. Noon
    # after a local midnight falls on that local day for any UTC offset within ±12
    # hours, so the period's first and last-plus-one days are these:
    first, after = ((moment + timedelta(hours=12)).date() for moment in (window.start, window.end))
    wanted = [m for m in VISIT_COUNTS if m in metrics]
    return GroupedCounts(
        by_region={
            code: {m: values[m] for m in wanted}
            for code, values in visit_figures(session, start=first, end=after).items()
        }
    )


def overdue_tasks(
    session: Session, *, scope: str | None, today: date, limit: int = 10
) -> tuple[int, list[OverdueTask]]:
    """Programmes' tasks overdue in ``scope`` at ``today`` (the office's local date):
    how many, and the ``limit`` most overdue (earliest due first), for the leader's
    dashboard."""
    return programmes.overdue_tasks(session, scope=scope, today=today, limit=limit)
