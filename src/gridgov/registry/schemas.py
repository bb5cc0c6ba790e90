"""API shapes of the register. ID numbers and phones appear only masked, except in
``RevealedOut`` which only the audited reveal returns."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ResidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    doc_type: str
    id_number_masked: str
    phone_masked: str | None
    birth_date: date | None
    sex: str | None
    nationality: str
    language: str | None
    household_id: int | None
    relation: str | None
    tags: list[str]
    grid_code: str

    @field_validator("tags", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return [t for t in value.split(",") if t] if isinstance(value, str) else value


class RevealRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class RevealedOut(BaseModel):
    id: int
    id_number: str
    phone: str | None


class HouseholdOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    address: str
    building_id: int | None
    lon: float | None
    lat: float | None
    grid_code: str


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    region_code: str
    macau_funded: bool


class WorkerOut(BaseModel):
    resident_id: int
    name: str
    phone_masked: str | None
    full_time: bool


class GridSummaryOut(BaseModel):
    code: str
    households: int
    residents: int
    buildings: int
    workers: list[WorkerOut]
    organisations: list[OrganisationOut]
