"""The period's figures of pairings, volunteers and programmes for the indicator trees
(the organisational-strength index), by the region code they belong to; ``public.py``
publishes them as metric providers (``gridgov.metrics``). One grouped query each,
whatever the number of rows.

- Pairings (结对共建), by the paired village or community: ``pairings`` signed before
  the period's end, ``joint_activities`` held in the period and the ``problems_solved``
  those activities recorded.
- Volunteers, by the volunteer's home grid (where the register has them living,
  whichever team they served with, so a grid's branch is credited with its own
  residents' service and ``residents`` and ``volunteers`` divide like with like):
  ``volunteer_hours`` credited for activities that started in the period, and
  ``active_volunteers``, the people credited with any.
- Programme tasks (党建+项目), by the project's region: ``tasks_due`` in the period (not
  cancelled), ``tasks_done_on_time`` and ``tasks_overdue`` (``programme_rules.
  task_standing``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.outreach.models import (
    JointActivity,
    Pairing,
    ProjectTask,
    VolunteerActivity,
    VolunteerSignup,
)
from gridgov.outreach.programme_rules import TaskStatus, task_standing
from gridgov.outreach.rules import credited_hours
from gridgov.registry.models import Resident

PAIRING_METRICS = ("pairings", "joint_activities", "problems_solved")
VOLUNTEER_METRICS = ("volunteer_hours", "active_volunteers")
TASK_METRICS = ("tasks_due", "tasks_done_on_time", "tasks_overdue")

Figures = dict[str, dict[str, float]]


def _put(figures: Figures, metrics: tuple[str, ...], code: str, metric: str, value: float) -> None:
    figures.setdefault(code, dict.fromkeys(metrics, 0.0))[metric] += value


def pairing_figures(session: Session, *, first: date, after: date) -> Figures:
    """Pairings signed before ``after`` and their joint activities held in the local
    days [``first``, ``after``), by the paired place."""
    figures: Figures = {}
    pairings = session.execute(
        select(Pairing.region_code, func.count())
        .where(Pairing.signed_on < after)
        .group_by(Pairing.region_code)
    )
    for code, n in pairings:
        _put(figures, PAIRING_METRICS, code, "pairings", float(n))
    activities = session.execute(
        select(
            Pairing.region_code,
            func.count(JointActivity.id),
            func.coalesce(func.sum(JointActivity.problems_solved), 0),
        )
        .join(JointActivity, JointActivity.pairing_id == Pairing.id)
        .where(JointActivity.held_on >= first, JointActivity.held_on < after)
        .group_by(Pairing.region_code)
    )
    for code, n, solved in activities:
        _put(figures, PAIRING_METRICS, code, "joint_activities", float(n))
        _put(figures, PAIRING_METRICS, code, "problems_solved", float(solved))
    return figures


def volunteer_figures(session: Session, *, start: datetime, end: datetime) -> Figures:
    """Hours credited for activities starting in [``start``, ``end``) and the people
    credited with any, by the volunteer's home grid."""
    figures: Figures = {}
    rows = session.execute(
        select(
            Resident.grid_code,
            func.coalesce(func.sum(VolunteerSignup.minutes), 0),
            func.count(func.distinct(VolunteerSignup.resident_id)),
        )
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .join(Resident, Resident.id == VolunteerSignup.resident_id)
        .where(
            VolunteerActivity.starts_at >= start,
            VolunteerActivity.starts_at < end,
            VolunteerSignup.minutes > 0,
        )
        .group_by(Resident.grid_code)
    )
    for code, minutes, people in rows:
        _put(figures, VOLUNTEER_METRICS, code, "volunteer_hours", credited_hours(int(minutes)))
        _put(figures, VOLUNTEER_METRICS, code, "active_volunteers", float(people))
    return figures


def task_figures(session: Session, *, first: date, after: date, as_of: date) -> Figures:
    """Programme tasks due in the local days [``first``, ``after``), done on time and
    overdue on the day ``as_of``, by the project's region."""
    figures: Figures = {}
    rows = session.execute(
        select(ProjectTask.region_code, ProjectTask.due_on, ProjectTask.status, ProjectTask.done_on)
        .where(
            ProjectTask.due_on >= first,
            ProjectTask.due_on < after,
            ProjectTask.status != TaskStatus.CANCELLED.value,
        )
        .order_by(ProjectTask.id)
    )
    for code, due_on, status, done_on in rows:
        standing = task_standing(
            due_on, TaskStatus(status), done_on, first=first, after=after, as_of=as_of
        )
        if not standing.due:  # pragma: no cover - the query selects only tasks due
            continue
        _put(figures, TASK_METRICS, code, "tasks_due", 1.0)
        _put(figures, TASK_METRICS, code, "tasks_done_on_time", float(standing.done_on_time))
        _put(figures, TASK_METRICS, code, "tasks_overdue", float(standing.overdue))
    return figures
