"""What other domains may read of the 10-minute service circle: households covered, per
grid, from the current coverage snapshot (a metric provider, ``gridgov.metrics``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from gridgov.metrics import GroupedCounts, Window
from gridgov.services.circle import covered_households

COVERAGE_COUNTS = ("households_covered",)


def coverage_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """Households within the walking threshold by grid, as the circle stands now (the
    window does not apply)."""
    if "households_covered" not in metrics:
        return GroupedCounts()
    return GroupedCounts(
        by_region={
            code: {"households_covered": float(covered)}
            for code, covered in covered_households(session)
        }
    )
