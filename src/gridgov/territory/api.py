"""Regions API: list within the caller's scope, read one (404 outside it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access
from gridgov.territory import service
from gridgov.territory.models import Region
from gridgov.territory.schemas import RegionOut
from gridgov.web.deps import (
    CurrentUser,
    Now,
    PageUser,
    SessionDep,
    actor_of,
    in_scope,
)

router = APIRouter(tags=["territory"])


def _scoped_region(
    request: Request, session: SessionDep, now: Now, user: User, code: str
) -> Region:
    return in_scope(
        request,
        session,
        now,
        user,
        service.find_region(session, code=code),
        visible=lambda region: may_access(user.effective_scope, region.code),
        object_type="region",
        object_id=code,
    )


def scoped_region(
    code: str, request: Request, session: SessionDep, now: Now, user: CurrentUser
) -> Region:
    """The region if the caller's scope covers it; 404 (audited) otherwise."""
    return _scoped_region(request, session, now, user, code)


def scoped_region_page(
    code: str, request: Request, session: SessionDep, now: Now, user: PageUser
) -> Region:
    return _scoped_region(request, session, now, user, code)


ScopedRegion = Annotated[Region, Depends(scoped_region)]
ScopedRegionPage = Annotated[Region, Depends(scoped_region_page)]


@router.get("/regions", response_model=list[RegionOut])
def list_regions(
    request: Request, user: CurrentUser, session: SessionDep, parent: str | None = None
) -> list[Region]:
    """Regions inside the caller's scope, optionally the children of ``parent``."""
    return service.list_regions(session, viewer=actor_of(request, user), parent_code=parent)


@router.get("/regions/{code}", response_model=RegionOut)
def get_region(region: ScopedRegion) -> Region:
    return region
