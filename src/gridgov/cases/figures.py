"""The figures every office is judged by, computed in SQL from the case timestamps.

Over the cases created in a period [start, end), per group (grid, community, street,
unit or the whole area):

- 响应率 response rate = assignments reported in by their own response due time /
  assignments whose response clock has run out (reported in, or past due while active:
  ``clocks.response_outcome``). Every assignment keeps its clock, so a unit escalated
  past for not reporting in stays late in its own figures.
- 解决率 resolution rate = closed and not rated dissatisfied / assigned
- 满意率 satisfaction rate = rated satisfied or basically satisfied / rated
- 按期结案率 on-time closure rate = closed and resolved by the resolution due time (moved
  on by the time its clock stood still: suspended, awaiting the check) / assigned
- 结案率 closure rate = closed / assigned
- 返工率 rework rate = sent back at least once (failed check or contested) / resolved
- overdue = the resolution clock runs and is past its due time (``clocks.RUNNING``,
  ``service.overdue_clause``)

A rate with nothing to divide by is None, not zero. docs/cases.md explains each.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.cases import service
from gridgov.cases.models import Assignment, Case
from gridgov.db import UTCDateTime

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
    responses: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def response_rate(self) -> float | None:
        return self._rate(self.responded_on_time, self.responses)

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


def response_on_time(now: datetime) -> Any:
    """An assignment reported in by its own response due time (``clocks.ON_TIME``)."""
    del now  # the same signature as response_counted
    return and_(
        Assignment.acknowledged_at.is_not(None),
        Assignment.acknowledged_at <= Assignment.response_due_at,
    )


def response_counted(now: datetime) -> Any:
    """An assignment whose response clock has run out, on time or late (not pending):
    ``clocks.response_outcome`` in SQL."""
    stopped = func.coalesce(Assignment.ended_at, literal(now, UTCDateTime()))
    return and_(
        Assignment.response_due_at.is_not(None),
        or_(
            Assignment.acknowledged_at.is_not(None),
            stopped > Assignment.response_due_at,
        ),
    )


def _per_case(condition: Any) -> Any:
    """SUM over cases of how many of each case's assignments meet ``condition``."""
    return func.coalesce(
        func.sum(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.case_id == Case.id, condition)
            .correlate(Case)
            .scalar_subquery()
        ),
        0,
    )


def count_columns(now: datetime) -> list[Any]:
    """The aggregate columns behind every figure, in the order of ``Figures``' counts;
    indicators group them their own way."""
    closed = Case.closed_at.is_not(None) & (Case.state == "closed")
    return [
        func.count(),
        _count(Case.assigned_at.is_not(None)),
        _per_case(response_on_time(now)),
        _count(closed),
        _count(
            and_(
                closed,
                func.coalesce(Case.resolved_at, Case.closed_at) <= Case.resolution_due_at,
            )
        ),
        _count(and_(closed, func.coalesce(Case.rating, "") != "dissatisfied")),
        _count(Case.rating.is_not(None)),
        _count(Case.rating.in_(("satisfied", "basically_satisfied"))),
        _count(Case.resolved_at.is_not(None)),
        _count(Case.reworks > 0),
        _count(service.overdue_clause(now)),
        _per_case(response_counted(now)),
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
    rows = [Figures(str(row[0]), *(int(v or 0) for v in row[1:])) for row in session.execute(query)]
    if group != "unit":
        return rows
    # A unit's response counts are its own assignments', wherever the case went after.
    unit_key = case(
        (
            Assignment.department_id.is_not(None),
            literal("department:") + cast(Assignment.department_id, String),
        ),
        else_=Assignment.unit_code,
    ).label("key")
    responses_query = (
        select(unit_key, _count(response_on_time(now)), _count(response_counted(now)))
        .join(Case, Case.id == Assignment.case_id)
        .where(in_period(start, end))
        .group_by(unit_key)
    )
    if scope:
        responses_query = responses_query.where(scope_clause(scope, Case.grid_code))
    own = {str(k): (int(a or 0), int(b or 0)) for k, a, b in session.execute(responses_query)}
    by_key = {row.group: row for row in rows}
    for key in own.keys() - by_key.keys():
        by_key[key] = Figures(key, *([0] * 11))
    return [
        replace(row, responded_on_time=own.get(key, (0, 0))[0], responses=own.get(key, (0, 0))[1])
        for key, row in sorted(by_key.items())
    ]
