"""Crisis mode: open an incident over an area, staff its three levels and two teams
from the register, give out tasks per grid and building, check on every household
(vulnerable ones first).

Check-ins and the board are in ``checkins.py``, the sweep (escalation, anonymisation)
in ``sweep.py``, broadcasts in ``broadcasts.py``, the field app's offline sync in
``field.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from shapely.geometry import Point, shape
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause, within_view
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.crisis import rules
from gridgov.crisis.models import HouseholdCheckin, Incident, IncidentPost, IncidentTask
from gridgov.crisis.rules import (
    COMMAND_ROLES,
    FIELD_ROLES,
    CheckinStatus,
    IncidentKind,
    IncidentLevel,
    IncidentState,
    Post,
    TaskKind,
    TaskLevel,
    TaskState,
)
from gridgov.db import visible_row
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry import service as registry
from gridgov.territory import service as territory

MAX_AREA_CODES = 50


# ---------------------------------------------------------------- visibility


def overlaps(scope: str | None, codes: Sequence[str]) -> bool:
    return bool(scope) and any(
        code.startswith(scope or "") or (scope or "").startswith(code) for code in codes
    )


def may_see_incident(actor: Actor, incident: Incident) -> bool:
    """Command staff above the incident's region, and everyone whose area lies in it."""
    if actor.role == "system":
        return True
    if actor.role == Role.RESIDENT:
        return False
    return may_access(actor.scope, incident.region_code) or overlaps(
        actor.scope, rules.split(incident.area_codes)
    )


def may_see_household(actor: Actor, grid_code: str) -> bool:
    """Sensitive flags and check-ins: only inside the viewer's own area."""
    return actor.role == "system" or (
        actor.role != Role.RESIDENT and may_access(actor.scope, grid_code)
    )


def check_command(actor: Actor, region_code: str) -> None:
    if not actor.acts_in(COMMAND_ROLES, region_code):
        raise Forbidden("Only command staff of this area may do this.")


def get_incident(session: Session, *, incident_id: int, viewer: Actor) -> Incident:
    return visible_row(session, Incident, incident_id, partial(may_see_incident, viewer))


def list_incidents(session: Session, *, viewer: Actor, active_only: bool = False) -> list[Incident]:
    query = select(Incident).order_by(Incident.started_at.desc(), Incident.id.desc())
    if active_only:
        query = query.where(Incident.state == IncidentState.ACTIVE.value)
    return [i for i in session.scalars(query.limit(200)) if may_see_incident(viewer, i)]


# ---------------------------------------------------------------- incidents


@dataclass(frozen=True)
class IncidentInput:
    title: str
    kind: str
    level: str
    region_code: str
    area_codes: tuple[str, ...]
    area_geojson: str | None = None
    unreached_hours: int = 12
    retention_days: int = 30


def _polygon(text: str | None):  # type: ignore[no-untyped-def]
    if not text:
        return None
    try:
        document = json.loads(text)
        if not isinstance(document, dict):
            return None
        polygon = shape(document.get("geometry", document))
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    if polygon.is_empty or polygon.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return polygon


def incident_problems(session: Session, value: IncidentInput) -> list[Problem]:
    problems: list[Problem] = []
    if not value.title.strip() or len(value.title) > 128:
        problems.append(Problem("title", "A title of 1 to 128 characters is required."))
    if value.kind not in {k.value for k in IncidentKind}:
        problems.append(Problem("kind", "Unknown kind of incident."))
    if value.level not in {v.value for v in IncidentLevel}:
        problems.append(Problem("level", "Unknown response level."))
    if len(value.area_codes) > MAX_AREA_CODES:
        problems.append(Problem("area", "At most %(n)s regions.", n=MAX_AREA_CODES))
    else:
        problems.extend(rules.area_problems(value.region_code, value.area_codes))
        for code in value.area_codes:
            if territory.find_region(session, code=code) is None:
                problems.append(Problem("area", "%(code)s is not a known region.", code=code))
    if value.area_geojson and (
        len(value.area_geojson) > 200_000 or _polygon(value.area_geojson) is None
    ):
        problems.append(Problem("area_geojson", "The drawn area is not a polygon."))
    if not 1 <= value.unreached_hours <= 240:
        problems.append(Problem("unreached_hours", "Between 1 and 240 hours."))
    if not 1 <= value.retention_days <= 3650:
        problems.append(Problem("retention_days", "Between 1 and 3650 days."))
    if territory.find_region(session, code=value.region_code) is None:
        problems.append(
            Problem("region_code", "%(code)s is not a known region.", code=value.region_code)
        )
    return problems


def do_open_incident(
    session: Session, *, actor: Actor, value: IncidentInput, now: datetime
) -> Incident:
    """Open an incident and put every household of its area on the check-in list, the
    vulnerable first (flags from the register)."""
    check_command(actor, value.region_code)
    problems = incident_problems(session, value)
    if problems:
        raise InvalidInput("The incident was not opened.", details=problems)
    incident = Incident(
        title=value.title.strip(),
        kind=value.kind,
        level=value.level,
        state=IncidentState.ACTIVE.value,
        region_code=value.region_code,
        area_codes=rules.join(value.area_codes),
        area_geojson=value.area_geojson or None,
        unreached_hours=value.unreached_hours,
        retention_days=value.retention_days,
        started_at=now,
        created_by=actor.username[:64],
        version=1,
    )
    session.add(incident)
    session.flush()
    seeded = _seed_checkins(session, incident)
    summary = {
        "kind": incident.kind,
        "level": incident.level,
        "area": incident.area_codes,
        "households": seeded,
    }
    record_about(session, actor, "incident.opened", incident, now=now, summary=summary)
    return incident


def households_of(session: Session, incident: Incident) -> list[registry.HouseholdFacts]:
    """The households inside the incident's area (and its drawn polygon, when any)."""
    facts = registry.household_facts(session, prefixes=rules.split(incident.area_codes))
    polygon = _polygon(incident.area_geojson)
    if polygon is None:
        return facts
    return [
        f
        for f in facts
        if f.lon is not None and f.lat is not None and polygon.covers(Point(f.lon, f.lat))
    ]


def _seed_checkins(session: Session, incident: Incident) -> int:
    rows = []
    for facts in households_of(session, incident):
        flags = rules.flags_from_tags(facts.tags)
        rows.append(
            {
                "incident_id": incident.id,
                "household_id": facts.id,
                "grid_code": facts.grid_code,
                "status": CheckinStatus.PENDING.value,
                "needs": "",
                "flags": rules.join(flags),
                "priority": rules.priority(flags),
                "note": "",
                "updated_by": "",
                "missed_broadcast": False,
                "anonymised": False,
                "version": 1,
            }
        )
    for start in range(0, len(rows), 2000):
        session.execute(insert(HouseholdCheckin), rows[start : start + 2000])
    return len(rows)


def do_set_level(
    session: Session, *, actor: Actor, incident: Incident, level: str, now: datetime
) -> None:
    check_command(actor, incident.region_code)
    if level not in {v.value for v in IncidentLevel}:
        raise InvalidInput(
            "Unknown response level.", details=[Problem("level", "Unknown response level.")]
        )
    if incident.state != IncidentState.ACTIVE.value:
        raise Conflict("The incident is closed.")
    before = incident.level
    incident.level = level
    incident.version += 1
    summary = {"from": before, "to": level}
    record_about(session, actor, "incident.level_changed", incident, now=now, summary=summary)


def do_close_incident(session: Session, *, actor: Actor, incident: Incident, now: datetime) -> None:
    """Close the incident; its sensitive data is kept ``retention_days`` more."""
    check_command(actor, incident.region_code)
    if incident.state != IncidentState.ACTIVE.value:
        raise Conflict("The incident is closed.")
    incident.state = IncidentState.CLOSED.value
    incident.closed_at = now
    incident.version += 1
    summary = {"anonymise_after": str(rules.anonymise_after(now, incident.retention_days))}
    record_about(session, actor, "incident.closed", incident, now=now, summary=summary)


# ---------------------------------------------------------------- three levels, two teams


def do_add_post(
    session: Session,
    *,
    actor: Actor,
    incident: Incident,
    post: str,
    unit_code: str,
    resident_id: int,
    now: datetime,
) -> IncidentPost:
    """Put a resident from the register on a post: a lead at community, grid or building
    level, or a member of the vanguard or volunteer team."""
    check_command(actor, incident.region_code)
    problems: list[Problem] = []
    if post not in {p.value for p in Post}:
        problems.append(Problem("post", "Unknown post."))
    resident = registry.residents_by_id(session, ids=[resident_id]).get(resident_id)
    if resident is None or not resident.grid_code.startswith(incident.region_code):
        problems.append(Problem("resident_id", "No such resident in the incident's region."))
    if not unit_code.strip() or len(unit_code) > 32:
        problems.append(Problem("unit_code", "Name the community, grid or building."))
    elif not _unit_in_area(session, incident, unit_code):
        problems.append(Problem("unit_code", "No such community, grid or building in the area."))
    if problems:
        raise InvalidInput("The post was not filled.", details=problems)
    existing = session.scalar(
        select(IncidentPost).where(
            IncidentPost.incident_id == incident.id,
            IncidentPost.post == post,
            IncidentPost.resident_id == resident_id,
            IncidentPost.unit_code == unit_code,
        )
    )
    if existing is not None:
        return existing
    row = IncidentPost(
        incident_id=incident.id, post=post, unit_code=unit_code, resident_id=resident_id
    )
    summary = {"post": post, "unit": unit_code, "resident": resident_id}
    return add_and_record(
        session, actor, "incident.post_filled", row, about=incident, now=now, summary=summary
    )


def _unit_in_area(session: Session, incident: Incident, code: str) -> bool:
    """A post's unit: a region of the incident's area, or a building in one of its grids."""
    area = rules.split(incident.area_codes)
    if territory.find_region(session, code=code) is not None:
        return rules.in_area(area, code)
    building = registry.building_by_code(session, code=code)
    return building is not None and rules.in_area(area, building.grid_code)


def list_posts(session: Session, *, incident: Incident) -> list[IncidentPost]:
    order = {p.value: i for i, p in enumerate(Post)}
    posts = list(
        session.scalars(select(IncidentPost).where(IncidentPost.incident_id == incident.id))
    )
    return sorted(posts, key=lambda p: (order.get(p.post, 9), p.unit_code, p.id))


# ---------------------------------------------------------------- tasks


def do_add_task(
    session: Session,
    *,
    actor: Actor,
    incident: Incident,
    kind: str,
    grid_code: str,
    now: datetime,
    due_at: datetime | None = None,
    building_id: int | None = None,
    assignee_post_id: int | None = None,
    note: str = "",
) -> IncidentTask:
    check_command(actor, incident.region_code)
    problems: list[Problem] = []
    if kind not in {k.value for k in TaskKind}:
        problems.append(Problem("kind", "Unknown kind of task."))
    if not rules.in_area(rules.split(incident.area_codes), grid_code):
        problems.append(Problem("grid_code", "The grid lies outside the incident's area."))
    if assignee_post_id is not None:
        post = session.get(IncidentPost, assignee_post_id)
        if post is None or post.incident_id != incident.id:
            problems.append(Problem("assignee_post_id", "Choose someone on this incident's posts."))
    if len(note) > 1000:
        problems.append(Problem("note", "At most %(n)s characters.", n=1000))
    if due_at is not None and due_at <= now:
        problems.append(Problem("due_at", "The deadline must be in the future."))
    if problems:
        raise InvalidInput("The task was not created.", details=problems)
    if incident.state != IncidentState.ACTIVE.value:
        raise Conflict("The incident is closed.")
    task = IncidentTask(
        incident_id=incident.id,
        kind=kind,
        state=TaskState.OPEN.value,
        level=TaskLevel.GRID.value,
        grid_code=grid_code,
        building_id=building_id,
        assignee_post_id=assignee_post_id,
        note=note.strip(),
        due_at=due_at,
        created_at=now,
        updated_at=now,
        escalations=0,
        version=1,
    )
    summary = {"incident": incident.id, "kind": kind}
    return add_and_record(session, actor, "incident.task_created", task, now=now, summary=summary)


def do_move_task(
    session: Session,
    *,
    actor: Actor,
    task: IncidentTask,
    target: str,
    now: datetime,
    version: int | None = None,
) -> None:
    if not actor.acts_in(FIELD_ROLES, task.grid_code):
        raise NotFound("Not found, or outside your area.")
    if version is not None and version != task.version:
        raise Conflict("The task changed meanwhile: reload it.")
    try:
        goal = TaskState(target)
    except ValueError:
        raise InvalidInput(
            N_("Unknown task state."), details=[Problem("state", N_("Unknown task state."))]
        ) from None
    before = task.state
    task.state = rules.transition(TaskState(task.state), goal).value
    task.updated_at = now
    if goal is TaskState.DONE:
        task.done_at = now
    task.version += 1
    summary = {"from": before, "to": task.state}
    record_about(session, actor, "incident.task_moved", task, now=now, summary=summary)


def get_task(session: Session, *, task_id: int, viewer: Actor) -> IncidentTask:
    return visible_row(
        session, IncidentTask, task_id, lambda task: may_see_household(viewer, task.grid_code)
    )


def list_tasks(session: Session, *, incident: Incident, viewer: Actor) -> list[IncidentTask]:
    query = select(IncidentTask).where(IncidentTask.incident_id == incident.id)
    query = within_view(query, viewer, IncidentTask.grid_code)
    return list(
        session.scalars(query.order_by(IncidentTask.state, IncidentTask.due_at, IncidentTask.id))
    )


def tasks_for(session: Session, *, viewer: Actor, limit: int = 100) -> list[IncidentTask]:
    """Open tasks of active incidents inside the viewer's area: the field app's work."""
    query = (
        select(IncidentTask)
        .join(Incident, Incident.id == IncidentTask.incident_id)
        .where(
            Incident.state == IncidentState.ACTIVE.value,
            IncidentTask.state.in_([TaskState.OPEN.value, TaskState.IN_PROGRESS.value]),
            scope_clause(viewer.scope, IncidentTask.grid_code),
        )
        .order_by(IncidentTask.due_at, IncidentTask.id)
        .limit(limit)
    )
    return list(session.scalars(query))
