"""The region in the caller's area, as a route dependency: shared by the territory and
registry routes (and any other route keyed by a region code). 404 (audited) when the
region is missing or outside the caller's scope."""

from __future__ import annotations

from collections.abc import Collection
from typing import Annotated

from fastapi import Depends, Request

from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access
from gridgov.audit.service import Actor
from gridgov.territory.models import Region
from gridgov.territory.service import find_region, list_regions
from gridgov.web.deps import CurrentUser, Now, PageUser, SessionDep, in_scope


def _scoped_region(
    request: Request, session: SessionDep, now: Now, user: User, code: str
) -> Region:
    return in_scope(
        request,
        session,
        now,
        user,
        find_region(session, code=code),
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


def region_choices(
    session: SessionDep, viewer: Actor, levels: Collection[str]
) -> list[tuple[str, str]]:
    """(code, name) of the regions of ``levels`` in the viewer's scope, by code: what a
    form offers to pick a region by name from (``forms.region_select``), the code only
    as the value."""
    regions = list_regions(session, viewer=viewer, levels=levels, limit=5000)
    return [(r.code, r.name) for r in regions]
