"""Request shapes of the indicators API (``indicators/api.py``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ScoreIn(BaseModel):
    tree: str = Field(max_length=48)
    indicator: str = Field(max_length=48)
    period: str = Field(max_length=8)
    unit: str = Field(max_length=32)
    points: float
    evidence: str = Field(min_length=1, max_length=4000)


class ReviewIn(BaseModel):
    confirm: bool
    note: str = Field(default="", max_length=2000)
