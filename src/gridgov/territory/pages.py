"""Region pages."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gridgov.territory import service
from gridgov.territory.api import ScopedRegionPage
from gridgov.web.deps import PageUser, SessionDep, actor_of
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/regions", response_class=HTMLResponse)
def regions_page(request: Request, user: PageUser, session: SessionDep) -> HTMLResponse:
    regions = service.list_regions(session, viewer=actor_of(request, user))
    return render(request, "territory/regions.html", {"regions": regions})


@router.get("/regions/{code}", response_class=HTMLResponse)
def region_page(
    request: Request, region: ScopedRegionPage, user: PageUser, session: SessionDep
) -> HTMLResponse:
    children = service.list_regions(
        session, viewer=actor_of(request, user), parent_code=region.code
    )
    return render(request, "territory/region.html", {"region": region, "children": children})
