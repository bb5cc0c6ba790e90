"""Regions API: list within the caller's scope, read one (404 outside it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from gridgov.accounts.rules import may_access
from gridgov.territory import service
from gridgov.territory.models import Region
from gridgov.territory.schemas import RegionOut
from gridgov.web.deps import CurrentUser, SessionDep
from gridgov.web.regions import ScopedRegion
from gridgov.web.toolkit import CurrentDesk

router = APIRouter(tags=["territory"])


@router.get("/regions", response_model=list[RegionOut])
def list_regions(desk: CurrentDesk, parent: str | None = None) -> list[Region]:
    """Regions inside the caller's scope, optionally the children of ``parent``."""
    return service.list_regions(desk.session, viewer=desk.actor, parent_code=parent)


@router.get("/regions/{code}", response_model=RegionOut)
def get_region(region: ScopedRegion) -> Region:
    return region


@router.get("/regions/{code}/children.geojson")
def region_children_geojson(region: ScopedRegion, session: SessionDep) -> dict[str, Any]:
    """The region's children as GeoJSON (the map's drill-down), the region in ``parent``."""
    return service.children_geojson(session, parent=region)


@router.get("/regions/{code}/grids.geojson")
def region_grids_geojson(region: ScopedRegion, session: SessionDep) -> dict[str, Any]:
    """Every grid inside the region as GeoJSON (the map draws them under the drill-down)."""
    return service.grids_geojson(session, under=region.code)


@router.get("/locate")
def locate_point(
    user: CurrentUser,
    session: SessionDep,
    lon: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> dict[str, Any]:
    """The grid containing a point and its ancestors, or outside with the nearest grid."""
    location = service.get_locator(session).locate(lon, lat)
    visible = location.grid is not None and may_access(user.effective_scope, location.grid.code)
    if location.grid is None or not visible:
        nearest = location.nearest
        return {
            "outside": location.grid is None,
            "grid": None,
            "nearest": None
            if nearest is None or not may_access(user.effective_scope, nearest.code)
            else {"code": nearest.code, "name": nearest.name},
            "distance_m": location.distance_m,
        }
    return {
        "outside": False,
        "grid": {"code": location.grid.code, "name": location.grid.name},
        "ancestors": [
            {"code": r.code, "name": r.name, "level": r.level.value} for r in location.ancestors
        ],
    }
