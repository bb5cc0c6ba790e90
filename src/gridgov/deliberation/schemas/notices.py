"""The JSON shapes of the deliberation API for notices and their objections."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gridgov.deliberation.rules import NoticeKind


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region_code: str
    kind: str
    title: str
    body: str
    language: str
    state: str
    matter_id: int | None
    election_id: int | None
    posting_days: int
    objection_days: int
    channels: str
    masked_findings: int
    posted_at: datetime | None
    closes_at: datetime | None
    objections_until: datetime | None
    closed_at: datetime | None


class ObjectionOut(BaseModel):
    id: int
    kind: str
    text: str
    language: str
    author: str
    at: datetime
    answer: str
    answered_at: datetime | None


class NoticeDetailOut(NoticeOut):
    objections: list[ObjectionOut]


class NoticeIn(BaseModel):
    region_code: str = Field(max_length=18)
    kind: NoticeKind
    title: str = Field(max_length=400)
    body: str = Field(max_length=40000)
    matter_id: int | None = None
    election_id: int | None = None
    posting_days: int | None = None
    objection_days: int | None = None
    channels: list[str] = Field(default_factory=lambda: ["portal"], max_length=3)
    language: str = Field(default="zh_Hans", max_length=16)


class ObjectionIn(BaseModel):
    kind: Literal["objection", "question"] = "objection"
    text: str = Field(max_length=4000)
    author_name: str = Field(max_length=128)
    language: str = Field(default="zh_Hans", max_length=16)


class AnswerIn(BaseModel):
    answer: str = Field(max_length=8000)
