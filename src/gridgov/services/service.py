"""Service points, the matters catalogue and service records: readers, ``check_*`` and
``do_*`` (audited, never committing). The walking network, coverage and siting are in
``circle.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, add_and_record, record
from gridgov.datafiles import DataFileError, load_yaml
from gridgov.errors import Forbidden, InvalidInput, NotFound, Problem
from gridgov.services import rules
from gridgov.services.models import PointMatter, ServiceMatter, ServicePoint, ServiceRecord
from gridgov.services.rules import Matter
from gridgov.services.rules import PointInput as PointInput  # callers name it service.PointInput
from gridgov.territory.models import Region

MANAGERS = frozenset({Role.ADMIN, Role.LEADER, Role.UNIT_STAFF})
RECORDERS = frozenset({Role.ADMIN, Role.UNIT_STAFF, Role.GRID_WORKER})


def _require(actor: Actor, roles: frozenset[Role], region_code: str | None = None) -> None:
    if actor.role != "system" and actor.role not in roles:
        raise Forbidden("Your role may not do this.")
    if (
        region_code is not None
        and actor.role != "system"
        and not may_access(actor.scope, region_code)
    ):
        raise NotFound("Not found, or outside your area.")


# -- the catalogue -------------------------------------------------------------------


def shipped_catalogue() -> str:
    return (resources.files("gridgov.services") / "data" / "matters.yaml").read_text("utf-8")


def check_catalogue(text: str) -> list[Matter]:
    try:
        return rules.parse_catalogue(load_yaml(text))
    except DataFileError as exc:
        raise InvalidInput(
            "The matters catalogue is refused at line %(line)s: %(reason)s",
            params={"line": exc.line, "reason": exc.problem.message % exc.problem.params},
            details=[exc.problem],
        ) from exc


def do_load_catalogue(
    session: Session, *, actor: Actor, now: datetime, matters: list[Matter]
) -> int:
    """Add new matters and update existing ones by code; none is deleted (records
    refer to them)."""
    _require(actor, frozenset({Role.ADMIN}))
    existing = {m.code: m for m in session.scalars(select(ServiceMatter))}
    for matter in matters:
        row = existing.get(matter.code) or ServiceMatter(code=matter.code)
        row.names = json.dumps(matter.names, ensure_ascii=False)
        row.documents = json.dumps(matter.documents, ensure_ascii=False)
        row.department = matter.department
        row.one_trip = matter.one_trip
        row.average_minutes = matter.average_minutes
        session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="service_matter.catalogue_loaded",
        object_type="service_matter",
        now=now,
        summary={"matters": len(matters)},
    )
    return len(matters)


def matter_of(row: ServiceMatter) -> Matter:
    return Matter(
        code=row.code,
        names=json.loads(row.names),
        documents=json.loads(row.documents),
        one_trip=row.one_trip,
        average_minutes=row.average_minutes,
        department=row.department,
    )


def list_matters(session: Session) -> list[tuple[ServiceMatter, Matter]]:
    rows = session.scalars(select(ServiceMatter).order_by(ServiceMatter.code))
    return [(row, matter_of(row)) for row in rows]


def find_matter(session: Session, code: str) -> ServiceMatter:
    row = session.scalar(select(ServiceMatter).where(ServiceMatter.code == code))
    if row is None:
        raise NotFound("No matter %(code)s in the catalogue.", params={"code": code[:32]})
    return row


# -- points --------------------------------------------------------------------------


def check_point(session: Session, *, actor: Actor, data: PointInput, new: bool) -> None:
    _require(actor, MANAGERS, data.region_code)
    problems = rules.check_point(data)
    if session.scalar(select(Region.id).where(Region.code == data.region_code)) is None:
        problems.append(Problem("region_code", "No such region."))
    if new and session.scalar(select(ServicePoint.id).where(ServicePoint.code == data.code)):
        problems.append(Problem("code", "This code is taken."))
    if problems:
        raise InvalidInput("The service point cannot be saved.", details=problems)


def do_create_point(
    session: Session, *, actor: Actor, now: datetime, data: PointInput, matters: list[str]
) -> ServicePoint:
    check_point(session, actor=actor, data=data, new=True)
    point = ServicePoint(**data.__dict__, active=True, created_at=now, updated_at=now)
    session.add(point)
    session.flush()
    _set_matters(session, point, matters)
    summary = {"kind": point.kind, "lon": point.lon, "lat": point.lat, "matters": matters}
    _record_point(session, actor, "service_point.created", point, now=now, summary=summary)
    return point


def do_update_point(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    point: ServicePoint,
    data: PointInput,
    matters: list[str] | None = None,
) -> ServicePoint:
    """Change a point (a move is a change of lon/lat); the code stays."""
    _require(actor, MANAGERS, point.region_code)
    check_point(session, actor=actor, data=data, new=False)
    before = {k: getattr(point, k) for k in data.__dict__}
    for key, value in data.__dict__.items():
        if key != "code":
            setattr(point, key, value)
    point.updated_at = now
    if matters is not None:
        _set_matters(session, point, matters)
    changed = {k: [before[k], getattr(point, k)] for k in before if before[k] != getattr(point, k)}
    summary = {"changed": changed, **({"matters": matters} if matters is not None else {})}
    _record_point(session, actor, "service_point.updated", point, now=now, summary=summary)
    return point


def do_set_active(
    session: Session, *, actor: Actor, now: datetime, point: ServicePoint, active: bool
) -> ServicePoint:
    """Close a point (it stays on record, out of coverage) or reopen it."""
    _require(actor, MANAGERS, point.region_code)
    point.active = active
    point.updated_at = now
    action = "service_point.reopened" if active else "service_point.closed"
    _record_point(session, actor, action, point, now=now)
    return point


def _record_point(
    session: Session,
    actor: Actor,
    action: str,
    point: ServicePoint,
    *,
    now: datetime,
    summary: dict[str, Any] | None = None,
) -> None:
    """Audit ``action`` on a point: entries about points name them by code, not id."""
    record(
        session,
        actor=actor,
        action=action,
        object_type="service_point",
        object_id=point.code,
        region_code=point.region_code,
        now=now,
        summary=summary,
    )


def _set_matters(session: Session, point: ServicePoint, codes: list[str]) -> None:
    found = {
        code: matter_id
        for code, matter_id in session.execute(
            select(ServiceMatter.code, ServiceMatter.id).where(ServiceMatter.code.in_(codes))
        )
    }
    unknown = sorted(set(codes) - set(found))
    if unknown:
        raise InvalidInput("Unknown matters: %(codes)s", params={"codes": ", ".join(unknown)[:200]})
    session.execute(delete(PointMatter).where(PointMatter.point_id == point.id))
    for code in dict.fromkeys(codes):
        session.add(PointMatter(point_id=point.id, matter_id=found[code]))
    session.flush()


def find_point(session: Session, code: str) -> ServicePoint | None:
    return session.scalar(select(ServicePoint).where(ServicePoint.code == code))


def list_points(
    session: Session, *, scope: str | None = None, active_only: bool = False
) -> list[ServicePoint]:
    """Points in ``scope`` (all points when None: they are public places)."""
    query = select(ServicePoint).order_by(ServicePoint.region_code, ServicePoint.code)
    if scope is not None:
        query = query.where(scope_clause(scope, ServicePoint.region_code))
    if active_only:
        query = query.where(ServicePoint.active.is_(True))
    return list(session.scalars(query))


def matters_of(session: Session, point_ids: list[int]) -> dict[int, list[Matter]]:
    rows = session.execute(
        select(PointMatter.point_id, ServiceMatter)
        .join(ServiceMatter, ServiceMatter.id == PointMatter.matter_id)
        .where(PointMatter.point_id.in_(point_ids))
        .order_by(ServiceMatter.code)
    )
    out: dict[int, list[Matter]] = {pid: [] for pid in point_ids}
    for point_id, row in rows:
        out[point_id].append(matter_of(row))
    return out


def points_offering(session: Session, matter_code: str) -> list[ServicePoint]:
    return list(
        session.scalars(
            select(ServicePoint)
            .join(PointMatter, PointMatter.point_id == ServicePoint.id)
            .join(ServiceMatter, ServiceMatter.id == PointMatter.matter_id)
            .where(ServiceMatter.code == matter_code, ServicePoint.active.is_(True))
        )
    )


# -- service records -------------------------------------------------------------------


def do_record_service(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    point: ServicePoint,
    matter_code: str,
    visits: int,
    minutes: int,
) -> ServiceRecord:
    """A matter handled at the point's window: trips the resident made, minutes it took."""
    _require(actor, RECORDERS, point.region_code)
    problems: list[Problem] = []
    if not 1 <= visits <= 20:
        problems.append(Problem("visits", "Trips must be between 1 and 20."))
    if not 0 <= minutes <= 600:
        problems.append(Problem("minutes", "Minutes must be between 0 and 600."))
    if problems:
        raise InvalidInput("The service record cannot be saved.", details=problems)
    matter = find_matter(session, matter_code)
    row = ServiceRecord(
        point_id=point.id,
        matter_id=matter.id,
        region_code=point.region_code,
        handled_at=now,
        visits=visits,
        minutes=minutes,
        recorded_by=actor.username,
    )
    summary = {"point": point.code, "matter": matter.code, "visits": visits}
    return add_and_record(session, actor, "service_record.created", row, now=now, summary=summary)


@dataclass(frozen=True)
class RecordStats:
    records: int
    one_trip: int
    average_minutes: float | None

    @property
    def one_trip_rate(self) -> float | None:
        return rules.one_trip_rate(self.records, self.one_trip)


def record_stats(
    session: Session, *, point_id: int | None = None, scope: str | None = None
) -> dict[str, RecordStats]:
    """Records by matter code (and "" for all): count, one-trip count, mean minutes."""
    query = select(
        ServiceMatter.code,
        func.count(),
        func.sum(func.cast(ServiceRecord.visits == 1, ServiceRecord.visits.type)),
        func.avg(ServiceRecord.minutes),
    ).join(ServiceMatter, ServiceMatter.id == ServiceRecord.matter_id)
    if point_id is not None:
        query = query.where(ServiceRecord.point_id == point_id)
    if scope is not None:
        query = query.where(scope_clause(scope, ServiceRecord.region_code))
    out: dict[str, RecordStats] = {}
    count = one_count = 0
    weighted = 0.0
    for code, n, one, avg in session.execute(query.group_by(ServiceMatter.code)):
        out[code] = RecordStats(int(n), int(one or 0), float(avg) if avg is not None else None)
        count += int(n)
        one_count += int(one or 0)
        weighted += float(avg or 0) * int(n)
    out[""] = RecordStats(count, one_count, weighted / count if count else None)
    return out
