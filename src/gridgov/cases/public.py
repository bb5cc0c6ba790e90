"""What other domains may read of cases, besides ``figures``: the case counts of the
indicator trees (a metric provider, ``gridgov.metrics``) and the figures of the
leader's dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.cases import figures
from gridgov.cases.models import Case, Category
from gridgov.cases.rules import OPEN_STATES
from gridgov.cases.service import overdue_clause
from gridgov.metrics import GroupedCounts, Window

# The summable counts of ``figures.count_columns``, in its order (docs/cases.md).
CASE_COUNTS = (
    "cases",
    "assigned",
    "responded_on_time",
    "closed",
    "closed_on_time",
    "resolved_ok",
    "rated",
    "satisfied",
    "resolved",
    "rework_cases",
    "overdue_cases",
    "responses",
)


def case_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """The ``metrics`` (of ``CASE_COUNTS``) over the cases created in the window, by
    grid and, when asked, by department: one grouped query for all of them."""
    metrics = list(metrics)
    columns = figures.count_columns(window.now)
    chosen = [columns[CASE_COUNTS.index(metric)] for metric in metrics]
    departments = window.departments
    keys = [Case.grid_code, Case.department_id] if departments else [Case.grid_code]
    query = (
        select(*keys, *chosen).where(figures.in_period(window.start, window.end)).group_by(*keys)
    )
    per_grid: dict[str, list[float]] = {}
    per_department: dict[int, list[float]] = {}
    width = len(keys)
    for row in session.execute(query):
        values = row[width:]
        targets = []
        if row[0]:
            targets.append(per_grid.setdefault(row[0], [0.0] * len(metrics)))
        if departments and row[1] is not None:
            targets.append(per_department.setdefault(row[1], [0.0] * len(metrics)))
        for total in targets:
            for i, value in enumerate(values):
                total[i] += float(value or 0)
    return GroupedCounts(
        by_region={code: dict(zip(metrics, t, strict=True)) for code, t in per_grid.items()},
        by_department={
            oid: dict(zip(metrics, t, strict=True)) for oid, t in per_department.items()
        },
    )


def open_and_overdue(session: Session, *, scope: str | None, now: datetime) -> tuple[int, int]:
    """Cases open now, and those of them overdue, in ``scope``."""
    in_scope = scope_clause(scope, Case.grid_code)
    open_states = [s.value for s in OPEN_STATES]
    open_cases = (
        session.scalar(select(func.count()).where(Case.state.in_(open_states), in_scope)) or 0
    )
    overdue = session.scalar(select(func.count()).where(overdue_clause(now), in_scope)) or 0
    return open_cases, overdue


def top_categories(
    session: Session, *, scope: str | None, start: datetime, end: datetime, limit: int
) -> list[tuple[str, str, str, int]]:
    """The commonest categories of the cases created in [start, end): code, Chinese and
    English name, count."""
    rows = session.execute(
        select(Case.category_code, Category.name_zh, Category.name_en, func.count())
        .join(Category, Category.code == Case.category_code)
        .where(figures.in_period(start, end), scope_clause(scope, Case.grid_code))
        .group_by(Case.category_code, Category.name_zh, Category.name_en)
        .order_by(func.count().desc(), Case.category_code)
        .limit(limit)
    )
    return [(code or "", zh, en, n) for code, zh, en, n in rows]


def most_overdue(
    session: Session, *, scope: str | None, now: datetime, limit: int
) -> list[tuple[str | None, int | None, int]]:
    """The units holding the most overdue cases: unit code (a region's office), the
    department id when a department holds them, count."""
    rows = session.execute(
        select(Case.unit_code, Case.department_id, func.count())
        .where(overdue_clause(now), scope_clause(scope, Case.grid_code))
        .group_by(Case.unit_code, Case.department_id)
        .order_by(func.count().desc(), Case.unit_code)
        .limit(limit)
    )
    return [(unit, department, n) for unit, department, n in rows]
