"""Metric providers: how a domain publishes the grouped counts other domains score.

The indicator trees (``gridgov.indicators``) never read another domain's tables. Each
domain that owns a base metric publishes a provider in its ``public.py``: a function
``provider(session, metrics, window) -> GroupedCounts`` that answers the ``metrics`` it
was asked for (a subset of the ones it owns), grouped by the grid or region code the
counts belong to, and by department when ``window.departments`` asks for it and the
domain has them. Counts are not added up the region codes: the caller does that.
``indicators.service.counting.PROVIDERS`` maps each metric name to its provider.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Window:
    """The period counted: events in [start, end) (UTC instants of the local midnights),
    the clock ``now`` for counts that depend on it (overdue), and whether counts are
    wanted per department as well."""

    start: datetime
    end: datetime
    now: datetime
    departments: bool = False

    def local_day(self, moment: datetime) -> date:
        """The office's local date of ``moment``: ``start`` is a local midnight, so the
        whole days since it count from the period's first local day."""
        return self.first_day() + timedelta(days=(moment - self.start) // timedelta(days=1))

    def first_day(self) -> date:
        """The period's first local day. ``start`` is a local midnight in UTC; noon
        after it falls on that local day for any UTC offset within ±12 hours."""
        return (self.start + timedelta(hours=12)).date()

    def after_day(self) -> date:
        """The local day after the period's last."""
        return (self.end + timedelta(hours=12)).date()


@dataclass
class GroupedCounts:
    """Metric name → count, per grid or region code and per department id."""

    by_region: dict[str, dict[str, float]] = field(default_factory=dict)
    by_department: dict[int, dict[str, float]] = field(default_factory=dict)


class MetricProvider(Protocol):
    def __call__(
        self, session: Session, metrics: Sequence[str], window: Window
    ) -> GroupedCounts: ...
