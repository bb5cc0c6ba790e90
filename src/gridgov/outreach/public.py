"""What other domains may read of outreach: the contact-group and visit counts of the
indicator trees (a metric provider, ``gridgov.metrics``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.orm import Session

from gridgov.metrics import GroupedCounts, Window
from gridgov.outreach.service import VISIT_METRICS, visit_figures

VISIT_COUNTS = VISIT_METRICS


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
