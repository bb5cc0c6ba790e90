"""Regions: read within a scope, create with validation and an audit row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.territory.models import Region
from gridgov.territory.rules import Level, code_problem


def get_region(session: Session, *, code: str, viewer: Actor) -> Region:
    """The region, if the viewer's scope covers it; NotFound otherwise."""
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None or not (viewer.role == "system" or may_access(viewer.scope, region.code)):
        raise NotFound("No such region.")
    return region


def find_region(session: Session, *, code: str) -> Region | None:
    """The region with this code, whoever asks: callers apply the scope."""
    return session.scalar(select(Region).where(Region.code == code))


def list_regions(
    session: Session, *, viewer: Actor, parent_code: str | None = None, limit: int = 1000
) -> list[Region]:
    query = select(Region).order_by(Region.code).limit(limit)
    if viewer.role != "system":
        query = query.where(scope_clause(viewer.scope, Region.code))
    if parent_code is not None:
        query = query.where(Region.parent_code == parent_code)
    return list(session.scalars(query))


def count_regions(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Region)) or 0


def check_create_region(
    session: Session, *, code: str, name: str, level: str, parent_code: str | None
) -> Level:
    try:
        level_enum = Level(level)
    except ValueError as exc:
        raise InvalidInput("Unknown level %(level)s.", params={"level": level}) from exc
    problems: list[Problem] = []
    if problem := code_problem(code, level_enum, parent_code):
        problems.append(problem)
    if not name.strip():
        problems.append(Problem("name", "A name is required."))
    if problems:
        raise InvalidInput(
            "The region was not created.",
            details=problems,
        )
    if session.scalar(select(Region.id).where(Region.code == code)) is not None:
        raise Conflict("Region %(code)s exists.", params={"code": code})
    if (
        parent_code is not None
        and session.scalar(select(Region.id).where(Region.code == parent_code)) is None
    ):
        raise InvalidInput("Parent region %(code)s does not exist.", params={"code": parent_code})
    return level_enum


def do_create_region(
    session: Session,
    *,
    actor: Actor,
    code: str,
    name: str,
    level: str,
    now: datetime,
    parent_code: str | None = None,
) -> Region:
    level_enum = check_create_region(
        session, code=code, name=name, level=level, parent_code=parent_code
    )
    region = Region(code=code, name=name.strip(), level=level_enum.value, parent_code=parent_code)
    session.add(region)
    session.flush()
    record(
        session,
        actor=actor,
        action="region.created",
        object_type="region",
        object_id=code,
        region_code=code,
        now=now,
        summary={"name": region.name, "level": region.level},
    )
    return region
