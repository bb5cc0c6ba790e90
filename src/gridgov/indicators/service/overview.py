"""The figures of the leader's dashboard: what is open and late now, the three rates
this month and their trend, the commonest problems, the units holding the most overdue
cases; read from cases' published figures (``cases.figures``, ``cases.public``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gridgov.cases import figures
from gridgov.cases import public as cases
from gridgov.indicators.rules import PeriodKind, recent_periods
from gridgov.registry import public as registry
from gridgov.territory import service as territory


@dataclass(frozen=True)
class Dashboard:
    open_cases: int
    overdue_cases: int
    month: figures.Figures | None
    trend: list[tuple[str, figures.Figures | None]]
    top_categories: list[tuple[str, str, str, int]]  # code, zh, en, count
    most_overdue: list[tuple[str, str, int]]  # unit key, name, overdue


def dashboard(
    session: Session, *, scope: str | None, now: datetime, tz: ZoneInfo, months: int = 6
) -> Dashboard:
    """The leader's one screen, for the viewer's area: what is open and late now, the
    three rates this month and their trend, the commonest problems, the latest units."""
    open_cases, overdue = cases.open_and_overdue(session, scope=scope, now=now)
    trend: list[tuple[str, figures.Figures | None]] = []
    for period in recent_periods(PeriodKind.MONTH, now.astimezone(tz).date(), months):
        start, end = period.bounds(tz)
        rows = figures.compute(session, start=start, end=end, now=now, group="all", scope=scope)
        trend.append((period.key, rows[0] if rows else None))
    start, end = recent_periods(PeriodKind.MONTH, now.astimezone(tz).date(), 1)[0].bounds(tz)
    late = cases.most_overdue(session, scope=scope, now=now, limit=8)
    names = _unit_names(session, late)
    return Dashboard(
        open_cases=open_cases,
        overdue_cases=overdue,
        month=trend[-1][1],
        trend=trend,
        top_categories=cases.top_categories(session, scope=scope, start=start, end=end, limit=8),
        most_overdue=[
            (f"department:{d}" if d else (u or ""), names.get((u, d), u or ""), n)
            for u, d, n in late
        ],
    )


def _unit_names(
    session: Session, rows: Sequence[tuple[str | None, int | None, int]]
) -> dict[tuple[str | None, int | None], str]:
    regions = territory.region_names(session, {u for u, d, _n in rows if u and d is None})
    departments = registry.organisation_names(session, {d for _u, d, _n in rows if d is not None})
    names: dict[tuple[str | None, int | None], str] = {
        (code, None): name for code, name in regions.items()
    }
    for u, d, _n in rows:
        if d is not None and d in departments:
            names[(u, d)] = departments[d]
    return names
