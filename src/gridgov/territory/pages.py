"""Region pages and the map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gridgov.audit.service import Actor
from gridgov.registry import service as registry
from gridgov.territory import service
from gridgov.web.deps import PageUser, SessionDep, StateDep, actor_of
from gridgov.web.regions import ScopedRegionPage
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request, user: PageUser, session: SessionDep) -> HTMLResponse:
    regions = service.list_regions(session, viewer=actor_of(request, user))
    return render(request, "territory/regions.html", {"regions": regions})


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(
    request: Request,
    region: ScopedRegionPage,
    user: PageUser,
    session: SessionDep,
    state: StateDep,
) -> HTMLResponse:
    """A region's card: its children, counts of what lies inside, and for a grid its
    workers, organisations and chat groups; a small map of its outline."""
    children = service.list_regions(
        session, viewer=actor_of(request, user), parent_code=region.code
    )
    return render(
        request,
        "territory/region.html",
        {
            "region": region,
            "children": children,
            "summary": registry.grid_summary(session, code=region.code),
            "chat_groups": service.chat_groups(session, code=region.code),
            "tile_url": state.settings.map_tile_url or "",
        },
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(
    request: Request, user: PageUser, state: StateDep, session: SessionDep, code: str = ""
) -> HTMLResponse:
    """The grids drawn from their own polygons (no tile server needed); tap to drill down.

    Never blank: a resident (no scope) sees the district's outline and grid lines, as
    on the report form; with no area imported the page says so."""
    scope = user.effective_scope
    public = scope is None and not code
    start = "" if public else code or scope or ""
    viewer = Actor.system() if public else actor_of(request, user)
    has_area = bool(service.list_regions(session, viewer=viewer, limit=1))
    return render(
        request,
        "territory/map.html",
        {
            "start": start,
            "public": public,
            "has_area": has_area,
            "tile_url": state.settings.map_tile_url or "",
            "tile_attribution": state.settings.map_tile_attribution,
        },
    )
