"""Register API: residents (masked; reveal is separate and audited), households,
organisations, and a region's summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from gridgov.registry import service
from gridgov.registry.models import Household, Organisation, Resident
from gridgov.registry.schemas import (
    GridSummaryOut,
    HouseholdOut,
    OrganisationOut,
    ResidentOut,
    RevealedOut,
    RevealRequest,
    WorkerOut,
)
from gridgov.web.deps import CurrentUser, Now, SessionDep, actor_of
from gridgov.web.regions import ScopedRegion
from gridgov.web.toolkit import scoped

router = APIRouter(tags=["registry"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
Search = Annotated[str, Query(max_length=64)]


# The resident if inside the caller's scope; 404 (audited) otherwise.
scoped_resident = scoped(Resident, "resident_id", CurrentUser, service.may_see_resident)


ScopedResident = Annotated[Resident, Depends(scoped_resident)]


@router.get("/residents", response_model=list[ResidentOut])
def list_residents(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    q: Search = "",
    region: str | None = None,
    tag: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Resident]:
    """Residents in the caller's scope; ``q`` is a name prefix or a whole ID/phone number."""
    return service.list_residents(
        session,
        viewer=actor_of(request, user),
        q=q,
        region_code=region,
        tag=tag,
        limit=limit,
        offset=offset,
    )


@router.get("/residents/{resident_id}", response_model=ResidentOut)
def get_resident(resident: ScopedResident) -> Resident:
    return resident


@router.post("/residents/{resident_id}/reveal", response_model=RevealedOut)
def reveal_resident(
    body: RevealRequest,
    request: Request,
    resident: ScopedResident,
    user: CurrentUser,
    session: SessionDep,
    now: Now,
) -> RevealedOut:
    """The full ID number and phone, for grid workers, dispatchers and administrators;
    each reveal is audited with its reason."""
    revealed = service.do_reveal_resident(
        session, actor=actor_of(request, user), resident=resident, reason=body.reason, now=now
    )
    session.commit()
    return RevealedOut(id=resident.id, id_number=revealed.id_number, phone=revealed.phone)


@router.get("/households", response_model=list[HouseholdOut])
def list_households(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    q: Search = "",
    region: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Household]:
    return service.list_households(
        session,
        viewer=actor_of(request, user),
        q=q,
        region_code=region,
        limit=limit,
        offset=offset,
    )


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    q: Search = "",
    kind: str | None = None,
    region: str | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[Organisation]:
    return service.list_organisations(
        session,
        viewer=actor_of(request, user),
        q=q,
        kind=kind,
        region_code=region,
        limit=limit,
        offset=offset,
    )


@router.get("/regions/{code}/summary", response_model=GridSummaryOut)
def region_summary(region: ScopedRegion, session: SessionDep, user: CurrentUser) -> GridSummaryOut:
    """A grid's households, residents, buildings, workers and organisations."""
    summary = service.grid_summary(session, code=region.code)
    return GridSummaryOut(
        code=region.code,
        households=summary.households,
        residents=summary.residents,
        buildings=summary.buildings,
        workers=[
            WorkerOut(
                resident_id=r.id, name=r.name, phone_masked=r.phone_masked, full_time=role.full_time
            )
            for r, role in summary.workers
        ],
        organisations=[OrganisationOut.model_validate(o) for o in summary.organisations],
    )
