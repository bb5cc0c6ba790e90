"""Register API: residents (masked; reveal is separate and audited), households,
organisations, and a region's summary."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

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
from gridgov.web.toolkit import CurrentDesk, Desk, Paging, paging, scoped

router = APIRouter(tags=["registry"])
T = TypeVar("T")

Window = Annotated[Paging, Depends(paging())]
Search = Annotated[str, Query(max_length=64)]


# The resident if inside the caller's scope; 404 (audited) otherwise.
scoped_resident = scoped(Resident, "resident_id", CurrentUser, service.may_see_resident)


ScopedResident = Annotated[Resident, Depends(scoped_resident)]


@dataclass(frozen=True)
class Lookup:
    """A register list's call: who asks, a search, a region and the window (the API's
    and the pages' lists alike)."""

    desk: Desk
    q: str
    region: str | None
    limit: int
    offset: int

    def rows(self, reader: Callable[..., list[T]], **filters: Any) -> list[T]:
        """``reader``'s rows for this caller, search, region and window (and ``filters``)."""
        return reader(
            self.desk.session,
            viewer=self.desk.actor,
            q=self.q,
            region_code=self.region,
            limit=self.limit,
            offset=self.offset,
            **filters,
        )


def lookup(desk: CurrentDesk, page: Window, q: Search = "", region: str | None = None) -> Lookup:
    return Lookup(desk, q, region, page.limit, page.offset)


Asked = Annotated[Lookup, Depends(lookup)]


@router.get("/residents", response_model=list[ResidentOut])
def list_residents(asked: Asked, tag: str | None = None) -> list[Resident]:
    """Residents in the caller's scope; ``q`` is a name prefix or a whole ID/phone number."""
    return asked.rows(service.list_residents, tag=tag)


@router.get("/residents/{resident_id}", response_model=ResidentOut)
def get_resident(resident: ScopedResident) -> Resident:
    return resident


@router.post("/residents/{resident_id}/reveal", response_model=RevealedOut)
def reveal_resident(
    body: RevealRequest, resident: ScopedResident, desk: CurrentDesk
) -> RevealedOut:
    """The full ID number and phone, for grid workers, dispatchers and administrators;
    each reveal is audited with its reason."""
    revealed = desk.commit(service.do_reveal_resident, resident=resident, reason=body.reason)
    return RevealedOut(id=resident.id, id_number=revealed.id_number, phone=revealed.phone)


@router.get("/households", response_model=list[HouseholdOut])
def list_households(asked: Asked) -> list[Household]:
    return asked.rows(service.list_households)


@router.get("/organisations", response_model=list[OrganisationOut])
def list_organisations(asked: Asked, kind: str | None = None) -> list[Organisation]:
    return asked.rows(service.list_organisations, kind=kind)


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
