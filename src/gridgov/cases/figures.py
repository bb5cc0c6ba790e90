"""The figures every office is judged by, computed in SQL from the case timestamps.

Over the cases created in a period [start, end), per group (grid, community, street,
unit or the whole area):

- 响应率 response rate = acknowledged by the response due time / assigned
- 解决率 resolution rate = closed and not rated dissatisfied / assigned
- 满意率 satisfaction rate = rated satisfied or basically satisfied / rated
- 按期结案率 on-time closure rate = closed by the resolution due time / assigned
- 结案率 closure rate = closed / assigned
- 返工率 rework rate = sent back at least once (failed check or contested) / resolved
- overdue = open now and past the resolution due time (``service.overdue_clause``)

A rate with nothing to divide by is None, not zero. docs/cases.md explains each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.cases import service
from gridgov.cases.models import Case

GROUPS = ("grid", "community", "street", "unit", "all")


@dataclass(frozen=True)
class Figures:
    group: str
    cases: int
    assigned: int
    responded_on_time: int
    closed: int
    closed_on_time: int
    resolved_ok: int
    rated: int
    satisfied: int
    resolved: int
    reworked: int
    overdue: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.responded_on_time, self.assigned)

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved_ok, self.assigned)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    @property
    def on_time_closure_rate(self) -> float | None:
        return self._rate(self.closed_on_time, self.assigned)

    @property
    def closure_rate(self) -> float | None:
        return self._rate(self.closed, self.assigned)

    @property
    def rework_rate(self) -> float | None:
        return self._rate(self.reworked, self.resolved)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.__dict__,
            "response_rate": self.response_rate,
            "resolution_rate": self.resolution_rate,
            "satisfaction_rate": self.satisfaction_rate,
            "on_time_closure_rate": self.on_time_closure_rate,
            "closure_rate": self.closure_rate,
            "rework_rate": self.rework_rate,
        }


def _count(condition: Any) -> Any:
    """COUNT(*) FILTER (WHERE …): both engines have it (SQLite since 3.30)."""
    return func.count().filter(condition)


def _group_column(group: str) -> Any:
    if group == "grid":
        return Case.grid_code
    if group == "community":
        return func.substr(Case.grid_code, 1, 12)
    if group == "street":
        return func.substr(Case.grid_code, 1, 9)
    if group == "unit":
        department = literal("department:") + cast(Case.department_id, String)
        return case((Case.department_id.is_not(None), department), else_=Case.unit_code)
    return literal("all")


def count_columns(now: datetime) -> list[Any]:
    """The aggregate columns behind every figure, in the order of ``Figures``' counts;
    indicators group them their own way."""
    closed = Case.closed_at.is_not(None) & (Case.state == "closed")
    return [
        func.count(),
        _count(Case.assigned_at.is_not(None)),
        _count(
            and_(Case.acknowledged_at.is_not(None), Case.acknowledged_at <= Case.response_due_at)
        ),
        _count(closed),
        _count(and_(closed, Case.closed_at <= Case.resolution_due_at)),
        _count(and_(closed, func.coalesce(Case.rating, "") != "dissatisfied")),
        _count(Case.rating.is_not(None)),
        _count(Case.rating.in_(("satisfied", "basically_satisfied"))),
        _count(Case.resolved_at.is_not(None)),
        _count(Case.reworks > 0),
        _count(service.overdue_clause(now)),
    ]


def in_period(start: datetime, end: datetime) -> Any:
    """The cases a period's figures count: created in [start, end), not rejected."""
    return and_(Case.created_at >= start, Case.created_at < end, Case.state != "rejected")


def compute(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    group: str = "grid",
    scope: str | None = None,
) -> list[Figures]:
    """One SQL query: every figure for every group of the viewer's area."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    key = _group_column(group).label("key")
    query = (
        select(key, *count_columns(now)).where(in_period(start, end)).group_by(key).order_by(key)
    )
    if scope:
        query = query.where(scope_clause(scope, Case.grid_code))
    return [Figures(str(row[0]), *(int(v or 0) for v in row[1:])) for row in session.execute(query)]
