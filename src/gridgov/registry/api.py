"""Register API: residents (masked; reveal is separate and audited), households,
organisations, and a region's summary."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

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
from gridgov.web.deps import CurrentUser, SessionDep
from gridgov.web.regions import ScopedRegion
from gridgov.web.toolkit import Desk, Paging, desk, paging, scoped

router = APIRouter(tags=["registry"])

Window = Annotated[Paging, Depends(paging())]
Search = Annotated[str, Query(max_length=64)]


# The resident if inside the caller's scope; 404 (audited) otherwise.
scoped_resident = scoped(Resident, "resident_id", CurrentUser, service.may_see_resident)


ScopedResident = Annotated[Resident, Depends(scoped_resident)]


CurrentDesk = Annotated[Desk, Depends(desk(CurrentUser, name="current_desk"))]


@router.get("/residents", response_model=list[ResidentOut])
def list_residents(
    desk: CurrentDesk,
    page: Window,
    q: Search = "",
    region: str | None = None,
    tag: str | None = None,
) -> list[Resident]:
    """Residents in the caller's scope; ``q`` is a name prefix or a whole ID/phone number."""
    return service.list_residents(
        desk.session,
        viewer=desk.actor,
        q=q,
        region_code=region,
        tag=tag,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/residents/{resident_id}", response_model=ResidentOut)
def get_resident(resident: ScopedResident) -> Resident:
    return resident


@router.post("/residents/{resident_id}/reveal", response_model=RevealedOut)
def reveal_resident(
    body: RevealRequest, resident: ScopedResident, desk: CurrentDesk
) -> RevealedOut:
    """The full ID number and phone, for grid workers, dispatchers and administrators;
    each reveal is audited with its reason."""
    revealed = service.do_reveal_resident(
        desk.session, actor=desk.actor, resident=resident, reason=body.reason, now=desk.now
    )
    desk.session.commit()
    return RevealedOut(id=resident.id, id_number=revealed.id_number, phone=revealed.phone)


@router.get("/households", response_model=list[HouseholdOut])
def list_households(
    desk: CurrentDesk,
    page: Window,
    q: Search = "",
    region: str | None = None,
) -> list[Household]:
    return service.list_households(
        desk.session,
        viewer=desk.actor,
        q=q,
        region_code=region,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(
    desk: CurrentDesk,
    page: Window,
    q: Search = "",
    kind: str | None = None,
    region: str | None = None,
) -> list[Organisation]:
    return service.list_organisations(
        desk.session,
        viewer=desk.actor,
        q=q,
        kind=kind,
        region_code=region,
        limit=page.limit,
        offset=page.offset,
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
