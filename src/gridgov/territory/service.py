"""Regions: read within a scope, create with validation and an audit row."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause, within_view
from gridgov.audit.service import Actor, record, record_region
from gridgov.db import database_key
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.territory import geo
from gridgov.territory.locate import Locator, RegionInfo
from gridgov.territory.models import ChatGroup, Region, TerritoryVersion
from gridgov.territory.rules import LEVEL_DEPTH, Level, code_problem


def get_region(session: Session, *, code: str, viewer: Actor) -> Region:
    """The region, if the viewer's scope covers it; NotFound otherwise."""
    region = session.scalar(select(Region).where(Region.code == code))
    if region is None or not viewer.covers(region.code):
        raise NotFound("No such region.")
    return region


def find_region(session: Session, *, code: str) -> Region | None:
    """The region with this code, whoever asks: callers apply the scope."""
    return session.scalar(select(Region).where(Region.code == code))


def region_name(session: Session, code: str) -> str:
    """The name of the region with this code, for a page or a message; the code itself
    when there is no such region."""
    region = find_region(session, code=code)
    return region.name if region else code


def region_names(session: Session, codes: Iterable[str] | None = None) -> dict[str, str]:
    """Region code → name: every region, or only those of ``codes`` that are regions."""
    query = select(Region.code, Region.name)
    if codes is not None:
        wanted = sorted(set(codes))
        if not wanted:
            return {}
        query = query.where(Region.code.in_(wanted))
    return {code: name for code, name in session.execute(query)}


def regions_at(
    session: Session, *, levels: Iterable[str], code: str | None = None
) -> list[tuple[str, str, str]]:
    """Regions of ``levels`` (only the one with ``code`` when given), by code: code,
    name, level."""
    query = select(Region.code, Region.name, Region.level).where(Region.level.in_(list(levels)))
    if code is not None:
        query = query.where(Region.code == code)
    return [(c, name, level) for c, name, level in session.execute(query.order_by(Region.code))]


def region_levels(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Region code → level, for the codes that are regions."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(select(Region.code, Region.level).where(Region.code.in_(wanted)))
    return {c: level for c, level in rows}


def root_codes(session: Session) -> list[str]:
    """The top regions' codes (those without a parent), in order."""
    return list(
        session.scalars(
            select(Region.code).where(Region.parent_code.is_(None)).order_by(Region.code)
        )
    )


def list_regions(
    session: Session,
    *,
    viewer: Actor,
    parent_code: str | None = None,
    levels: Collection[str] | None = None,
    limit: int = 1000,
) -> list[Region]:
    """The regions ``viewer`` may see, by code; the children of ``parent_code`` and of
    ``levels`` only when given."""
    query = select(Region).order_by(Region.code).limit(limit)
    query = within_view(query, viewer, Region.code)
    if parent_code is not None:
        query = query.where(Region.parent_code == parent_code)
    if levels is not None:
        query = query.where(Region.level.in_(levels))
    return list(session.scalars(query))


def chat_groups(session: Session, *, code: str) -> list[ChatGroup]:
    return list(
        session.scalars(
            select(ChatGroup).where(ChatGroup.region_code == code).order_by(ChatGroup.id)
        )
    )


def chat_group_by_external_id(session: Session, external_id: str) -> ChatGroup | None:
    return session.scalar(select(ChatGroup).where(ChatGroup.external_id == external_id))


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
    _bump_version(session)
    summary = {"name": region.name, "level": region.level}
    record_region(session, actor, "region.created", code, now=now, summary=summary)
    return region


# ---------------------------------------------------------------- geometry and locate


def territory_version(session: Session) -> int:
    return session.scalar(select(TerritoryVersion.version).where(TerritoryVersion.id == 1)) or 0


def _bump_version(session: Session) -> None:
    _locator_cache.clear()  # this instance sees its own change at once
    session.execute(
        update(TerritoryVersion)
        .where(TerritoryVersion.id == 1)
        .values(version=TerritoryVersion.version + 1)
    )


_locator_cache: dict[str, tuple[int, Locator, float]] = {}
_locator_lock = threading.Lock()
VERSION_CHECK_SECONDS = 2.0


def get_locator(session: Session) -> Locator:
    """The locator for the current territory: built once per process and rebuilt when
    any instance has changed the territory. The version is checked (one tiny query) at
    most every ``VERSION_CHECK_SECONDS``; this instance's own changes rebuild at once."""
    key = database_key(session)
    cached = _locator_cache.get(key)
    if cached is not None and time.monotonic() - cached[2] < VERSION_CHECK_SECONDS:
        return cached[1]
    version = territory_version(session)
    if cached is not None and cached[0] == version:
        _locator_cache[key] = (version, cached[1], time.monotonic())
        return cached[1]
    with _locator_lock:
        locator = build_locator(session)
        _locator_cache[key] = (version, locator, time.monotonic())
        return locator


def build_locator(session: Session) -> Locator:
    rows = session.execute(
        select(
            Region.code, Region.name, Region.level, Region.parent_code, Region.geometry
        ).order_by(Region.code)
    ).all()
    regions: list[RegionInfo] = []
    geometries = []
    for code, name, level, parent_code, geometry in rows:
        info = RegionInfo(code, name, Level(level), parent_code)
        if info.level in (Level.GRID, Level.MICRO_GRID):
            if geometry is None:
                continue
            geometries.append(shapely.from_wkb(geometry))
        regions.append(info)
    return Locator(regions, geometries)


def _geometry_columns(geometry: BaseGeometry) -> dict[str, object]:
    minx, miny, maxx, maxy = geometry.bounds
    # A label point that lies inside the polygon even when the centroid would not.
    centroid = (
        geometry.centroid if geometry.centroid.within(geometry) else geometry.representative_point()
    )
    return {
        "geometry": shapely.to_wkb(geometry),
        "min_lon": minx,
        "min_lat": miny,
        "max_lon": maxx,
        "max_lat": maxy,
        "centroid_lon": centroid.x,
        "centroid_lat": centroid.y,
        "area_m2": geo.area_m2(geometry),
    }


def existing_for_import(session: Session) -> list[geo.Existing]:
    rows = session.execute(
        select(Region.code, Region.level, Region.parent_code, Region.geometry)
    ).all()
    return [
        geo.Existing(
            code, Level(level), parent_code, shapely.from_wkb(geometry) if geometry else None
        )
        for code, level, parent_code, geometry in rows
    ]


def check_import_geojson(
    session: Session, *, document: dict[str, Any], tolerance_m2: float = geo.DEFAULT_TOLERANCE_M2
) -> geo.Checked:
    """Every problem of the file, judged with what the database holds; writes nothing."""
    checked = geo.parse_features(document)
    if not checked.ok:
        return checked
    return geo.check_import(checked, existing_for_import(session), tolerance_m2=tolerance_m2)


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def do_import_geojson(
    session: Session,
    *,
    actor: Actor,
    checked: geo.Checked,
    now: datetime,
    source: str = "",
) -> ImportResult:
    """Write a checked import: all of it, in the caller's transaction, parents first."""
    if not checked.ok:
        raise InvalidInput(
            "The territory file has %(n)s problem(s); nothing was imported.",
            params={"n": len(checked.problems)},
        )
    existing = {
        code: region_id for code, region_id in session.execute(select(Region.code, Region.id)).all()
    }
    created = updated = 0
    for feature in sorted(checked.features, key=lambda f: (LEVEL_DEPTH[f.level], f.code)):
        values: dict[str, object] = {
            "name": feature.name,
            "level": feature.level.value,
            "parent_code": feature.parent_code,
            "kind": feature.kind.value,
            **_geometry_columns(feature.geometry),
        }
        if feature.code in existing:
            session.execute(update(Region).where(Region.code == feature.code).values(**values))
            updated += 1
        else:
            session.execute(insert(Region).values(code=feature.code, **values))
            created += 1
    _bump_version(session)
    record(
        session,
        actor=actor,
        action="territory.imported",
        object_type="territory",
        now=now,
        summary={"created": created, "updated": updated, "source": source[-200:]},
    )
    return ImportResult(created, updated)


def _feature(region: Region) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "parent_code": region.parent_code,
            "kind": region.kind,
        },
        "geometry": (
            json.loads(shapely.to_geojson(shapely.from_wkb(region.geometry)))
            if region.geometry
            else None
        ),
    }


def children_geojson(session: Session, *, parent: Region) -> dict[str, Any]:
    """The children of ``parent`` as a FeatureCollection, with the parent itself in
    ``parent``: what the map draws at each step of a drill-down."""
    children = session.scalars(
        select(Region).where(Region.parent_code == parent.code).order_by(Region.code)
    )
    return {
        "type": "FeatureCollection",
        "features": [_feature(child) for child in children],
        "parent": _feature(parent),
    }


def grids_geojson(session: Session, *, under: str) -> dict[str, Any]:
    """Every grid under a region (the code prefix), for drawing them all at once."""
    grids = session.scalars(
        select(Region)
        .where(scope_clause(under, Region.code), Region.level == Level.GRID.value)
        .order_by(Region.code)
    )
    return {"type": "FeatureCollection", "features": [_feature(grid) for grid in grids]}


def export_geojson(session: Session, *, viewer: Actor) -> dict[str, Any]:
    """Every region the viewer may see as a GeoJSON FeatureCollection."""
    query = select(Region).order_by(Region.code)
    query = within_view(query, viewer, Region.code)
    features = [_feature(region) for region in session.scalars(query)]
    return {"type": "FeatureCollection", "features": features}
