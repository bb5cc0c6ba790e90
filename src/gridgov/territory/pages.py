"""Region pages and the map."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from gridgov.audit.service import Actor
from gridgov.registry import service as registry
from gridgov.territory import service
from gridgov.web.regions import ScopedRegionPage
from gridgov.web.render import render
from gridgov.web.toolkit import PageDesk

router = APIRouter(include_in_schema=False)


@router.get("/regions", response_class=HTMLResponse)
def regions_page(desk: PageDesk) -> HTMLResponse:
    regions = service.list_regions(desk.session, viewer=desk.actor)
    return render(desk.request, "territory/regions.html", {"regions": regions})


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(region: ScopedRegionPage, desk: PageDesk) -> HTMLResponse:
    """A region's card: its children, counts of what lies inside, and for a grid its
    workers, organisations and chat groups; a small map of its outline."""
    session = desk.session
    children = service.list_regions(session, viewer=desk.actor, parent_code=region.code)
    return render(
        desk.request,
        "territory/region.html",
        {
            "region": region,
            "children": children,
            "summary": registry.grid_summary(session, code=region.code),
            "chat_groups": service.chat_groups(session, code=region.code),
            "tile_url": desk.state.settings.map_tile_url or "",
        },
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(desk: PageDesk, code: str = "") -> HTMLResponse:
    """The grids drawn from their own polygons (no tile server needed); tap to drill down.

    Never blank: a resident (no scope) sees the district's outline and grid lines, as
    on the report form; with no area imported the page says so."""
    scope = desk.user.effective_scope
    public = scope is None and not code
    start = "" if public else code or scope or ""
    viewer = Actor.system() if public else desk.actor
    has_area = bool(service.list_regions(desk.session, viewer=viewer, limit=1))
    return render(
        desk.request,
        "territory/map.html",
        {
            "start": start,
            "public": public,
            "has_area": has_area,
            "tile_url": desk.state.settings.map_tile_url or "",
            "tile_attribution": desk.state.settings.map_tile_attribution,
        },
    )
