"""The services API: points, the catalogue, service records, the nearest point, coverage,
isochrones, what-if and siting. Writes recompute coverage in the same transaction."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import STAFF_ROLES, may_access
from gridgov.errors import NotFound
from gridgov.services import circle, planning, schemas, service
from gridgov.services.models import ServicePoint
from gridgov.territory import service as territory
from gridgov.web.deps import CurrentUser, Now, SessionDep, in_scope, require_roles
from gridgov.web.render import language_of
from gridgov.web.toolkit import CurrentDesk, Desk, desk, filled

router = APIRouter(tags=["services"])
Manager = Annotated[User, Depends(require_roles(*service.MANAGERS))]
Recorder = Annotated[User, Depends(require_roles(*service.RECORDERS))]
Staff = Annotated[User, Depends(require_roles(*STAFF_ROLES))]


ManagerDesk = Annotated[Desk, Depends(desk(Manager, name="manager_desk"))]
RecorderDesk = Annotated[Desk, Depends(desk(Recorder, name="recorder_desk"))]


def point_of(
    request: Request, session: Session, now: datetime, user: User, code: str
) -> ServicePoint:
    """A point anyone signed in may read (they are public places), else 404; changes
    check the scope again in the service."""
    return in_scope(
        request,
        session,
        now,
        user,
        service.find_point(session, code),
        visible=lambda p: True,
        object_type="service_point",
        object_id=code[:32],
    )


def scoped_point(
    code: str, request: Request, session: SessionDep, now: Now, user: CurrentUser
) -> ServicePoint:
    return point_of(request, session, now, user, code)


ScopedPoint = Annotated[ServicePoint, Depends(scoped_point)]


def matter_out(language: str, matter: Any) -> schemas.MatterOut:
    return filled(
        schemas.MatterOut,
        matter,
        name=matter.name(language),
        documents=matter.documents_in(language),
    )


@router.get("/services/matters", response_model=list[schemas.MatterOut])
def list_matters(desk: CurrentDesk) -> list[Any]:
    """The catalogue in the caller's language (``?lang=`` or the usual negotiation)."""
    language = language_of(desk.request)
    return [matter_out(language, m) for _row, m in service.list_matters(desk.session)]


@router.get("/services/points", response_model=list[schemas.PointOut])
def list_points(user: CurrentUser, session: SessionDep) -> list[ServicePoint]:
    return service.list_points(session)


@router.get("/services/points.geojson")
def points_geojson(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    points = service.list_points(session, active_only=True)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": p.code, "name": p.name, "kind": p.kind},
                "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            }
            for p in points
        ],
    }


def _changed(desk: Desk, point: ServicePoint, reason: str) -> ServicePoint:
    """A change of ``point`` made: coverage recomputed with it, and committed."""
    desk.commit(circle.refresh, reason=reason)
    return point


@router.post("/services/points", response_model=schemas.PointOut, status_code=201)
def create_point(body: schemas.PointIn, desk: ManagerDesk) -> ServicePoint:
    data = service.PointInput(**body.model_dump(exclude={"matters"}, mode="json"))
    point = desk.run(service.do_create_point, data=data, matters=body.matters)
    return _changed(desk, point, "service_point.created")


@router.patch("/services/points/{code}", response_model=schemas.PointOut)
def update_point(body: schemas.PointPatch, point: ScopedPoint, desk: ManagerDesk) -> ServicePoint:
    """Change a point; new lon/lat is a move, and coverage is recomputed."""
    current = {
        k: getattr(point, k)
        for k in ("code", "name", "kind", "region_code", "lon", "lat", "address")
    } | {"opening_hours": point.opening_hours, "staff": point.staff}
    changes = body.model_dump(exclude_unset=True, exclude={"matters"})
    data = service.PointInput(**(current | {k: v for k, v in changes.items() if v is not None}))
    desk.run(service.do_update_point, point=point, data=data, matters=body.matters)
    return _changed(desk, point, "service_point.updated")


def _set_active(point: ServicePoint, desk: Desk, active: bool) -> ServicePoint:
    desk.run(service.do_set_active, point=point, active=active)
    return _changed(desk, point, "service_point." + ("reopened" if active else "closed"))


@router.post("/services/points/{code}/close", response_model=schemas.PointOut)
def close_point(point: ScopedPoint, desk: ManagerDesk) -> ServicePoint:
    """Close a point: it leaves coverage; its records stay."""
    return _set_active(point, desk, False)


@router.post("/services/points/{code}/reopen", response_model=schemas.PointOut)
def reopen_point(point: ScopedPoint, desk: ManagerDesk) -> ServicePoint:
    return _set_active(point, desk, True)


@router.post("/services/points/{code}/records", status_code=201)
def record_service(
    body: schemas.RecordIn, point: ScopedPoint, desk: RecorderDesk
) -> dict[str, Any]:
    row = desk.commit(
        service.do_record_service,
        point=point,
        matter_code=body.matter,
        visits=body.visits,
        minutes=body.minutes,
    )
    return {"id": row.id, "one_trip": row.visits == 1}


@router.get("/services/nearest", response_model=list[schemas.NearestOut])
def nearest(
    user: CurrentUser,
    session: SessionDep,
    matter: Annotated[str, Query(min_length=1, max_length=32)],
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> list[schemas.NearestOut]:
    """The nearest open points offering ``matter``, by walking distance."""
    service.find_matter(session, matter)
    found = planning.nearest_offering(session, matter_code=matter, lon=lon, lat=lat)
    return [
        schemas.NearestOut(
            point=schemas.PointOut.model_validate(n.point),
            metres=round(n.metres, 1),
            minutes=round(n.minutes, 1),
            by_network=n.by_network,
        )
        for n in found
    ]


def _snapshot(session: SessionDep) -> Any:
    snapshot = circle.current_snapshot(session)
    if snapshot is None:
        raise NotFound("Coverage has not been computed yet: import a walking network first.")
    return snapshot


@router.get("/services/coverage", response_model=schemas.CoverageOut)
def coverage(user: Staff, session: SessionDep) -> schemas.CoverageOut:
    """Households within the threshold, per region of the caller's area."""
    snapshot = _snapshot(session)
    return filled(
        schemas.CoverageOut,
        snapshot,
        computed_at=snapshot.computed_at.isoformat(),
        regions=[
            filled(schemas.RegionCoverageOut, r)
            for r in circle.coverage_by_region(snapshot, user.effective_scope)
        ],
    )


@router.post("/services/coverage", response_model=schemas.CoverageOut)
def recompute(body: schemas.CoverageIn, desk: ManagerDesk) -> schemas.CoverageOut:
    """Recompute with another threshold or walking speed (later changes keep them)."""
    desk.commit(circle.refresh, reason="parameters", minutes=body.minutes, speed=body.speed)
    return coverage(desk.user, desk.session)


@router.get("/services/coverage/grids.geojson")
def coverage_grids(user: Staff, session: SessionDep) -> dict[str, Any]:
    """The caller's grids with the share of households within the threshold."""
    snapshot = _snapshot(session)
    scope = user.effective_scope or ""
    shares = {r.code: r for r in circle.coverage_by_region(snapshot, scope)}
    grids = territory.grids_geojson(session, under=scope)
    for feature in grids["features"]:
        props = feature["properties"]
        found = shares.get(props.get("code"))
        props["households"] = found.households if found else 0
        props["covered"] = found.covered if found else 0
        props["share"] = found.share if found else None
    return grids


@router.get("/services/coverage/uncovered.geojson")
def uncovered(user: Staff, session: SessionDep) -> dict[str, Any]:
    """Places whose households are beyond the threshold (households, worst minutes)."""
    snapshot = _snapshot(session)
    spots = circle.uncovered_spots(session, snapshot, user.effective_scope)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {k: s[k] for k in ("grid", "households", "minutes")},
                "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
            }
            for s in spots
        ],
    }


@router.get("/services/isochrones.geojson")
def isochrones(user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    """For each open point, the area within the threshold's walk."""
    data: dict[str, Any] = json.loads(_snapshot(session).isochrones)
    return data


@router.post("/services/what-if", response_model=schemas.WhatIfOut)
def what_if(body: schemas.WhatIfIn, user: Manager, session: SessionDep) -> schemas.WhatIfOut:
    """Coverage if points were added, moved or closed; nothing is stored."""
    result = planning.what_if(
        session,
        scenario=planning.Scenario(
            add=list(body.add),
            move={m.code: (m.lon, m.lat) for m in body.move},
            close=list(body.close),
        ),
        scope=user.effective_scope,
    )
    return filled(schemas.WhatIfOut, result, points_change=round(result.points_change, 2))


@router.post("/services/siting", status_code=201)
def site(body: schemas.SitingIn, desk: ManagerDesk) -> dict[str, Any]:
    """Where the next points should go in a region: stored, explained, audited."""
    if not may_access(desk.user.effective_scope, body.region_code):
        raise NotFound("Not found, or outside your area.")
    run = desk.commit(planning.do_site, **body.model_dump())  # named as do_site names them
    return {"id": run.id, **planning.run_result(run)}
