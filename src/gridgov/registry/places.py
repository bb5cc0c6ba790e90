"""Buildings of the register as places on a map: those inside a view, and those whose
name or address starts with what someone typed (the report form's address box).

Read-only and bounded: every query caps its rows before the database is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.registry.models import Building

MAX_PLACES = 200  # buildings drawn in one view
MAX_MATCHES = 10  # answers to one search
MAX_QUERY = 64  # characters of a search


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    address: str
    lon: float
    lat: float


def _place(b: Building) -> Place:
    return Place(b.code, b.name, b.address, b.lon, b.lat)


def buildings_within(
    session: Session,
    *,
    west: float,
    south: float,
    east: float,
    north: float,
    limit: int = MAX_PLACES,
) -> list[Place]:
    """Buildings inside the box, at most ``limit`` (by code, so the answer is stable)."""
    rows = session.scalars(
        select(Building)
        .where(
            Building.lon >= west,
            Building.lon <= east,
            Building.lat >= south,
            Building.lat <= north,
        )
        .order_by(Building.code)
        .limit(max(0, min(limit, MAX_PLACES)))
    )
    return [_place(b) for b in rows]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def find_buildings(session: Session, *, prefix: str, limit: int = MAX_MATCHES) -> list[Place]:
    """Buildings whose name or address starts with ``prefix`` (case as typed; the
    wildcards % and _ are taken literally)."""
    text = prefix.strip()[:MAX_QUERY]
    if not text:
        return []
    pattern = _escape_like(text) + "%"
    rows = session.scalars(
        select(Building)
        .where(
            or_(
                Building.name.like(pattern, escape="\\"),
                Building.address.like(pattern, escape="\\"),
            )
        )
        .order_by(Building.name, Building.code)
        .limit(max(0, min(limit, MAX_MATCHES)))
    )
    return [_place(b) for b in rows]
