"""Household check-ins of an incident: one row per household, recorded by the workers
of its grid (404 outside their area), with a version so that a stale edit is a
conflict; the live board's counts; paper sheets typed in at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause, within_view
from gridgov.audit.service import Actor, record_about
from gridgov.crisis import rules
from gridgov.crisis.models import HouseholdCheckin, Incident
from gridgov.crisis.rules import (
    FIELD_ROLES,
    CheckinStatus,
    IncidentState,
)
from gridgov.crisis.service import may_see_household
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.territory import service as territory

MAX_AREA_CODES = 50


class CheckinConflict(Conflict):
    """The household's check-in changed since the worker loaded it."""

    def __init__(self, checkin: HouseholdCheckin) -> None:
        super().__init__(N_("Someone else recorded this household meanwhile: compare and choose."))
        self.server = checkin_state(checkin)


def checkin_state(checkin: HouseholdCheckin) -> dict[str, object]:
    return {
        "id": checkin.id,
        "household_id": checkin.household_id,
        "status": checkin.status,
        "needs": rules.split(checkin.needs),
        "version": checkin.version,
        "updated_by": checkin.updated_by,
        "updated_at": checkin.updated_at.isoformat() if checkin.updated_at else None,
    }


# ---------------------------------------------------------------- check-ins


def get_checkin(
    session: Session, *, incident: Incident, household_id: int, viewer: Actor
) -> HouseholdCheckin:
    """A household's check-in: 404 when it is not in the incident or not in the
    viewer's own area (the same answer, so scope leaks nothing)."""
    checkin = session.scalar(
        select(HouseholdCheckin).where(
            HouseholdCheckin.incident_id == incident.id,
            HouseholdCheckin.household_id == household_id,
        )
    )
    if checkin is None or not may_see_household(viewer, checkin.grid_code):
        raise NotFound("Not found, or outside your area.")
    return checkin


def list_checkins(
    session: Session,
    *,
    incident: Incident,
    viewer: Actor,
    grid_code: str | None = None,
    status: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[HouseholdCheckin]:
    """The viewer's households, the vulnerable and the ones a broadcast missed first,
    then the unreached."""
    query = select(HouseholdCheckin).where(HouseholdCheckin.incident_id == incident.id)
    query = within_view(query, viewer, HouseholdCheckin.grid_code)
    if grid_code:
        query = query.where(scope_clause(grid_code, HouseholdCheckin.grid_code))
    if status:
        query = query.where(HouseholdCheckin.status == status)
    query = query.order_by(
        HouseholdCheckin.priority,
        HouseholdCheckin.missed_broadcast.desc(),
        HouseholdCheckin.grid_code,
        HouseholdCheckin.household_id,
    )
    return list(session.scalars(query.limit(limit).offset(offset)))


def check_checkin_allowed(actor: Actor, incident: Incident) -> None:
    if actor.role != "system" and actor.role not in FIELD_ROLES:
        raise Forbidden("Your role may not record check-ins.")
    if incident.state != IncidentState.ACTIVE.value:
        raise Conflict("The incident is closed.")


def do_checkin(
    session: Session,
    *,
    actor: Actor,
    incident: Incident,
    household_id: int,
    status: str,
    needs: Sequence[str] = (),
    flags: Sequence[str] | None = None,
    note: str = "",
    base_version: int | None = None,
    now: datetime,
) -> HouseholdCheckin:
    """Record what a worker found at a household. Outside the incident or the worker's
    area: 404. ``base_version`` (the version the worker saw) detects a concurrent
    change: a conflict, never a silent overwrite."""
    check_checkin_allowed(actor, incident)
    checkin = get_checkin(session, incident=incident, household_id=household_id, viewer=actor)
    problems = rules.checkin_problems(status, needs, note)
    known_flags = {v.value for v in rules.Vulnerability}
    if flags is not None and any(f not in known_flags for f in flags):
        problems.append(Problem("flags", "Unknown flag."))
    if problems:
        raise InvalidInput("The check-in was not recorded.", details=problems)
    if base_version is not None and base_version != checkin.version:
        raise CheckinConflict(checkin)
    values: dict[str, object] = {
        "status": status,
        "needs": rules.join(needs),
        "note": note.strip(),
        "updated_at": now,
        "updated_by": actor.username[:64],
        "version": checkin.version + 1,
    }
    if flags is not None and not checkin.anonymised:
        values["flags"] = rules.join(flags)
        values["priority"] = rules.priority(flags)
    # Compare-and-set on the version: of two concurrent writers, one wins.
    result = session.execute(
        update(HouseholdCheckin)
        .where(HouseholdCheckin.id == checkin.id, HouseholdCheckin.version == checkin.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(checkin)
        raise CheckinConflict(checkin)
    session.refresh(checkin)
    # No flags or notes in the audit trail: they are sensitive and will be erased.
    summary = {"incident": incident.id, "household": household_id, "status": status}
    record_about(session, actor, "checkin.recorded", checkin, now=now, summary=summary)
    return checkin


@dataclass(frozen=True)
class BoardRow:
    code: str
    name: str
    total: int
    counts: dict[str, int]
    vulnerable_waiting: int

    @property
    def reached(self) -> int:
        return self.total - self.counts.get(CheckinStatus.PENDING.value, 0)


def board(
    session: Session, *, incident: Incident, viewer: Actor, by: str = "grid"
) -> list[BoardRow]:
    """Counts per grid (or per community: the grid code's first 12 digits)."""
    query = select(
        HouseholdCheckin.grid_code, HouseholdCheckin.status, HouseholdCheckin.flags
    ).where(HouseholdCheckin.incident_id == incident.id)
    query = within_view(query, viewer, HouseholdCheckin.grid_code)
    counts: dict[str, Counter[str]] = {}
    vulnerable: Counter[str] = Counter()
    for grid_code, status, flags in session.execute(query):
        unit = grid_code[:12] if by == "community" else grid_code
        counts.setdefault(unit, Counter())[status] += 1
        if flags and status in (CheckinStatus.PENDING.value, CheckinStatus.ABSENT.value):
            vulnerable[unit] += 1
    names = {code: territory.find_region(session, code=code) for code in counts}
    return [
        BoardRow(
            code=code,
            name=region.name if (region := names[code]) else code,
            total=sum(c.values()),
            counts=dict(c),
            vulnerable_waiting=vulnerable[code],
        )
        for code, c in sorted(counts.items())
    ]


# ---------------------------------------------------------------- paper sheets


@dataclass(frozen=True)
class SheetEntry:
    household_id: int
    status: str
    needs: tuple[str, ...] = ()
    flags: tuple[str, ...] | None = None
    note: str = ""


def do_record_sheet(
    session: Session,
    *,
    actor: Actor,
    incident: Incident,
    entries: Sequence[SheetEntry],
    now: datetime,
) -> int:
    """Many check-ins at once, as from the paper sheets of a door-to-door round: all or
    nothing, every household inside the incident and the actor's area, one audit row."""
    check_checkin_allowed(actor, incident)
    rows = {
        household_id: (checkin_id, grid_code)
        for checkin_id, household_id, grid_code in session.execute(
            select(
                HouseholdCheckin.id, HouseholdCheckin.household_id, HouseholdCheckin.grid_code
            ).where(HouseholdCheckin.incident_id == incident.id)
        )
    }
    problems: list[Problem] = []
    known_flags = {v.value for v in rules.Vulnerability}
    updates = []
    for line, entry in enumerate(entries, start=1):
        found = rows.get(entry.household_id)
        if found is None or not may_see_household(actor, found[1]):
            problems.append(Problem(f"line {line}", "Not found, or outside your area."))
            continue
        for problem in rules.checkin_problems(entry.status, entry.needs, entry.note):
            problems.append(Problem(f"line {line}", problem.message, **problem.params))
        if entry.flags is not None and any(f not in known_flags for f in entry.flags):
            problems.append(Problem(f"line {line}", "Unknown flag."))
        values: dict[str, object] = {
            "row_id": found[0],
            "status": entry.status,
            "needs": rules.join(entry.needs),
            "note": entry.note.strip(),
            "updated_at": now,
            "updated_by": actor.username[:64],
        }
        updates.append((values, entry.flags))
    if problems:
        raise InvalidInput("The check-in was not recorded.", details=problems[:50])
    plain = [v for v, flags in updates if flags is None]
    flagged = [
        {**v, "flags": rules.join(flags), "priority": rules.priority(flags)}
        for v, flags in updates
        if flags is not None
    ]
    table = cast(Table, HouseholdCheckin.__table__)
    base = {
        "status": bindparam("status"),
        "needs": bindparam("needs"),
        "note": bindparam("note"),
        "updated_at": bindparam("updated_at"),
        "updated_by": bindparam("updated_by"),
        "version": table.c.version + 1,
    }
    where = table.c.id == bindparam("row_id")
    if plain:
        session.execute(table.update().where(where).values(**base), plain)
    if flagged:
        session.execute(
            table.update()
            .where(where)
            .values(**base, flags=bindparam("flags"), priority=bindparam("priority")),
            flagged,
        )
    statuses = Counter(v["status"] for v, _flags in updates)
    summary = {"households": len(updates), "statuses": dict(sorted(statuses.items()))}
    record_about(session, actor, "checkin.sheet_recorded", incident, now=now, summary=summary)
    return len(updates)
