"""Request and response shapes of the services API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gridgov.services.rules import PointKind
from gridgov.services.siting import Method, Solver

Lon = Field(ge=-180, le=180)
Lat = Field(ge=-90, le=90)


class PointIn(BaseModel):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=128)
    kind: PointKind
    region_code: str = Field(min_length=6, max_length=18, pattern=r"^\d+$")
    lon: float = Lon
    lat: float = Lat
    address: str = Field(default="", max_length=256)
    opening_hours: str = Field(default="", max_length=256)
    staff: int = Field(default=0, ge=0, le=500)
    matters: list[str] = Field(default_factory=list, max_length=200)


class PointPatch(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=128)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=256)
    opening_hours: str | None = Field(default=None, max_length=256)
    staff: int | None = Field(default=None, ge=0, le=500)
    matters: list[str] | None = Field(default=None, max_length=200)


class MatterOut(BaseModel):
    code: str
    name: str
    documents: list[str]
    one_trip: bool
    average_minutes: int
    department: str


class PointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    region_code: str
    address: str
    lon: float
    lat: float
    opening_hours: str
    staff: int
    active: bool


class RecordIn(BaseModel):
    matter: str = Field(min_length=1, max_length=32)
    visits: int = Field(ge=1, le=20)
    minutes: int = Field(ge=0, le=600)


class NearestOut(BaseModel):
    point: PointOut
    metres: float
    minutes: float
    by_network: bool


class RegionCoverageOut(BaseModel):
    code: str
    households: int
    covered: int
    share: float | None


class CoverageOut(BaseModel):
    computed_at: str
    minutes: float
    speed: float
    points: int
    households: int
    covered: int
    regions: list[RegionCoverageOut]


class CoverageIn(BaseModel):
    minutes: float = Field(default=10.0, ge=1, le=60)
    speed: float = Field(default=75.0, ge=30, le=120)


class MoveIn(BaseModel):
    code: str = Field(max_length=32)
    lon: float = Lon
    lat: float = Lat


class WhatIfIn(BaseModel):
    add: list[tuple[float, float]] = Field(default_factory=list, max_length=50)
    move: list[MoveIn] = Field(default_factory=list, max_length=50)
    close: list[str] = Field(default_factory=list, max_length=50)


class WhatIfOut(BaseModel):
    minutes: float
    households: int
    covered_before: int
    covered_after: int
    points_change: float
    gained: list[int]
    lost: list[int]


class SitingIn(BaseModel):
    region_code: str = Field(min_length=6, max_length=18, pattern=r"^\d+$")
    method: Method = Method.MCLP
    solver: Solver = Solver.GREEDY
    k: int = Field(default=1, ge=1, le=50)
