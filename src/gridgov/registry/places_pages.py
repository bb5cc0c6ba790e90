"""The register's buildings for the public report map (no login needed).

``/report/buildings.json?bbox=W,S,E,N`` — the buildings in the current view, at most
``places.MAX_PLACES``; ``/report/places.json?q=…`` — buildings whose name or address
starts with the text (the address box), at most ``places.MAX_MATCHES``, rate-limited per
address for visitors. Answers are JSON: names are data, drawn as text by the page.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from gridgov.errors import InvalidInput
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.msgids import N_
from gridgov.registry import places
from gridgov.web.deps import Now, OptionalUser, SessionDep, client_ip

router = APIRouter(tags=["register"])

MAX_SPAN = 0.05  # degrees: about 5 km; a wider view draws no buildings


def _box(text: str) -> tuple[float, float, float, float]:
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidInput(N_("The map view is not valid."))
    west, south, east, north = values
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise InvalidInput(N_("The map view is not valid."))
    return west, south, east, north


def _feature(p: places.Place) -> dict[str, object]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
        "properties": {"code": p.code, "name": p.name, "address": p.address},
    }


@router.get("/report/buildings.json")
def report_buildings(session: SessionDep, bbox: str = Query("", max_length=128)) -> JSONResponse:
    """The register's buildings inside the map's view (empty when the view is too wide)."""
    west, south, east, north = _box(bbox)
    found: list[places.Place] = []
    if east - west <= MAX_SPAN and north - south <= MAX_SPAN:
        found = places.buildings_within(session, west=west, south=south, east=east, north=north)
    return JSONResponse(
        {"type": "FeatureCollection", "features": [_feature(p) for p in found]},
        headers={"Cache-Control": "public, max-age=600"},
    )


@router.get("/report/places.json")
def report_places(
    request: Request,
    session: SessionDep,
    user: OptionalUser,
    now: Now,
    q: str = Query("", max_length=places.MAX_QUERY),
) -> JSONResponse:
    """Buildings whose name or address starts with ``q``; visitors are rate-limited."""
    text = q.strip()
    if not text:
        return JSONResponse({"type": "FeatureCollection", "features": []})
    if user is None:
        check_rate(session, write=Write.PLACE_SEARCH, source=client_ip(request), now=now)
        session.commit()
    found = places.find_buildings(session, prefix=text)
    return JSONResponse(
        {"type": "FeatureCollection", "features": [_feature(p) for p in found]},
        headers={"Cache-Control": "no-store"},
    )
