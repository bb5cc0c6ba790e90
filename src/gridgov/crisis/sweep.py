"""The crisis sweep: households still unreached after the set hours go up to the
community, overdue tasks climb one level, and the sensitive flags and notes of an
incident closed longer than its retention period are blanked. Takes ``now``; safe to
run any number of times and on several instances."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.cases import outbox
from gridgov.cases.messages import DEFAULT_LANGUAGE
from gridgov.crisis import rules
from gridgov.crisis.models import HouseholdCheckin, Incident, IncidentTask
from gridgov.crisis.rules import (
    IncidentState,
    TaskLevel,
    TaskState,
)
from gridgov.i18n import gettext
from gridgov.msgids import N_
from gridgov.territory import service as territory

MAX_AREA_CODES = 50


# ---------------------------------------------------------------- the sweep


@dataclass
class SweepResult:
    unreached_escalated: int = 0
    tasks_escalated: int = 0
    anonymised: int = 0


def sweep(session: Session, *, now: datetime, actor: Actor | None = None) -> SweepResult:
    """Escalate households still unreached ``unreached_hours`` after the incident
    started, escalate overdue tasks one level up, and blank the sensitive flags and
    notes of incidents closed longer than their retention period. Runs any number of
    times with the same result."""
    actor = actor or Actor.system("crisis-sweep")
    result = SweepResult()
    for incident in session.scalars(select(Incident).where(Incident.anonymised_at.is_(None))):
        if incident.state == IncidentState.ACTIVE.value:
            if rules.unreached_due(incident.started_at, incident.unreached_hours, now):
                result.unreached_escalated += _escalate_unreached(session, incident, actor, now)
            result.tasks_escalated += _escalate_tasks(session, incident, actor, now)
        elif rules.due_for_anonymisation(incident.closed_at, incident.retention_days, now):
            result.anonymised += _anonymise(session, incident, actor, now)
    return result


def _text(message: str, **params: object) -> str:
    """A message for a unit's inbox, in the office's language (units read the default)."""
    return gettext(DEFAULT_LANGUAGE, message, params or None)


def _escalate_unreached(session: Session, incident: Incident, actor: Actor, now: datetime) -> int:
    waiting = list(
        session.execute(
            select(HouseholdCheckin.id, HouseholdCheckin.grid_code).where(
                HouseholdCheckin.incident_id == incident.id,
                HouseholdCheckin.status.in_([s.value for s in rules.UNREACHED]),
                HouseholdCheckin.escalated_at.is_(None),
            )
        )
    )
    if not waiting:
        return 0
    ids = [row[0] for row in waiting]
    for start in range(0, len(ids), 500):
        session.execute(
            update(HouseholdCheckin)
            .where(HouseholdCheckin.id.in_(ids[start : start + 500]))
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
    per_community = Counter(grid[:12] for _id, grid in waiting)
    outbox.queue_notifications(
        session,
        now=now,
        messages=[
            _unit_notice(
                community,
                _text(
                    N_("[%(incident)s] %(count)s households not reached"),
                    incident=incident.title,
                    count=count,
                ),
                _text(
                    N_(
                        "%(count)s households in your community have not been reached. "
                        "Send someone to check on them: %(link)s"
                    ),
                    count=count,
                    link=f"/crisis/{incident.id}/checkins",
                ),
                f"crisis:unreached:{incident.id}:{community}:{now.isoformat()}",
            )
            for community, count in sorted(per_community.items())
        ],
    )
    summary = {"households": len(ids)}
    record_about(session, actor, "incident.unreached_escalated", incident, now=now, summary=summary)
    return len(ids)


def _escalate_tasks(session: Session, incident: Incident, actor: Actor, now: datetime) -> int:
    moved = 0
    overdue = session.scalars(
        select(IncidentTask).where(
            IncidentTask.incident_id == incident.id,
            IncidentTask.state.in_([TaskState.OPEN.value, TaskState.IN_PROGRESS.value]),
            IncidentTask.due_at < now,
        )
    )
    for task in overdue:
        up = rules.next_level(TaskLevel(task.level))
        if up is None:
            continue
        task.level = up.value
        task.escalations += 1
        task.version += 1
        task.updated_at = now
        unit = task.grid_code[:12] if up is TaskLevel.COMMUNITY else task.grid_code[:9]
        outbox.queue_notifications(
            session,
            now=now,
            messages=[
                _unit_notice(
                    unit,
                    _text(
                        N_("[%(incident)s] Overdue task: %(kind)s"),
                        incident=incident.title,
                        kind=_text(task.kind),
                    ),
                    _text(
                        N_(
                            "The task (%(kind)s) in grid %(grid)s is past its deadline and "
                            "now comes to you. %(link)s"
                        ),
                        kind=_text(task.kind),
                        grid=territory.region_name(session, task.grid_code),
                        link=f"/crisis/{incident.id}",
                    ),
                    f"crisis:task:{task.id}:{task.escalations}",
                )
            ],
        )
        record_about(
            session, actor, "incident.task_escalated", task, now=now, summary={"to": up.value}
        )
        moved += 1
    return moved


def _unit_notice(unit: str, subject: str, body: str, dedupe_key: str) -> outbox.Notification:
    """An in-app notice to the staff of ``unit``."""
    return outbox.Notification(
        channel="in_app",
        recipient=f"unit:{unit}",
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
    )


def _anonymise(session: Session, incident: Incident, actor: Actor, now: datetime) -> int:
    result = session.execute(
        update(HouseholdCheckin)
        .where(HouseholdCheckin.incident_id == incident.id)
        .values(flags="", note="", priority=10, anonymised=True)
        .execution_options(synchronize_session=False)
    )
    incident.anonymised_at = now
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    summary = {"checkins": count, "retention_days": incident.retention_days}
    record_about(session, actor, "incident.anonymised", incident, now=now, summary=summary)
    return count
