"""API shapes of crisis mode. Sensitive flags appear only to viewers inside the
household's area (the service decides; the shapes carry what they are given)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from gridgov.outreach.rules import VisitKind


class IncidentIn(BaseModel):
    title: str = Field(min_length=1, max_length=128)
    kind: str = Field(max_length=16)
    level: str = Field(max_length=16)
    region_code: str = Field(pattern=r"^[0-9]{6,17}$")
    area_codes: list[str] = Field(min_length=1, max_length=50)
    area_geojson: str | None = Field(default=None, max_length=200_000)
    unreached_hours: int = Field(default=12, ge=1, le=240)
    retention_days: int = Field(default=30, ge=1, le=3650)


class IncidentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    kind: str
    level: str
    state: str
    region_code: str
    area_codes: str
    unreached_hours: int
    retention_days: int
    started_at: datetime
    closed_at: datetime | None
    anonymised_at: datetime | None
    version: int


class LevelIn(BaseModel):
    level: str = Field(max_length=16)


class PostIn(BaseModel):
    post: str = Field(max_length=24)
    unit_code: str = Field(min_length=1, max_length=32)
    resident_id: int


class PostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    post: str
    unit_code: str
    resident_id: int


class TaskIn(BaseModel):
    kind: str = Field(max_length=24)
    grid_code: str = Field(pattern=r"^[0-9]{6,17}$")
    building_id: int | None = None
    assignee_post_id: int | None = None
    due_at: datetime | None = None
    note: str = Field(default="", max_length=1000)


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    incident_id: int
    kind: str
    state: str
    level: str
    grid_code: str
    building_id: int | None
    assignee_post_id: int | None
    due_at: datetime | None
    escalations: int
    version: int


class TaskStateIn(BaseModel):
    state: str = Field(max_length=16)
    version: int | None = None


class CheckinIn(BaseModel):
    status: str = Field(max_length=16)
    needs: list[str] = Field(default_factory=list, max_length=4)
    flags: list[str] | None = Field(default=None, max_length=4)
    note: str = Field(default="", max_length=1000)
    base_version: int | None = None


class CheckinOut(BaseModel):
    household_id: int
    grid_code: str
    status: str
    needs: list[str]
    flags: list[str] | None  # None: not visible to this viewer, or anonymised
    priority: int
    missed_broadcast: bool
    escalated: bool
    updated_at: datetime | None
    version: int


class BoardRowOut(BaseModel):
    code: str
    name: str
    total: int
    reached: int
    counts: dict[str, int]
    vulnerable_waiting: int


class BlockIn(BaseModel):
    language: str = Field(min_length=2, max_length=16)
    headline: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=4000)


class BroadcastIn(BaseModel):
    incident_id: int | None = None
    region_code: str = Field(pattern=r"^[0-9]{6,17}$")
    area_codes: list[str] = Field(min_length=1, max_length=50)
    severity: str = Field(default="bulletin", max_length=16)
    fallback_language: str = Field(max_length=16)
    blocks: list[BlockIn] = Field(min_length=1, max_length=20)


class BroadcastOut(BaseModel):
    id: int
    incident_id: int | None
    region_code: str
    severity: str
    fallback_language: str
    languages: list[str]
    sent_at: datetime | None
    receipts: dict[str, dict[str, int]]


class ReceiptIn(BaseModel):
    household_id: int
    status: str = Field(pattern=r"^(read|failed)$")


class FieldReportIn(BaseModel):
    description: str = Field(min_length=1, max_length=2000)
    address: str = Field(default="", max_length=256)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)


class FieldCheckinIn(CheckinIn):
    incident_id: int
    household_id: int


class FieldCaseStepIn(BaseModel):
    case_id: int
    step: str = Field(max_length=16)
    note: str = Field(default="", max_length=2000)
    base_version: int


class FieldVisitIn(BaseModel):
    """A household visit logged offline (outreach): when, how, and what was heard."""

    household_id: int
    visited_on: date
    kind: VisitKind = VisitKind.HOME
    heard: str = Field(default="", max_length=2000)
