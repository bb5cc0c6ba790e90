"""API shapes of regions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from gridgov.territory.rules import Level


class RegionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: Level
    parent_code: str | None
