"""API shapes of cases. Reporter phones appear masked; public views carry no person."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgov.cases.rules import Channel, Rating


class CaseIn(BaseModel):
    description: str = Field(min_length=1, max_length=2000)
    category: str | None = Field(default=None, max_length=16)
    lon: float | None = None
    lat: float | None = None
    address: str = Field(default="", max_length=256)
    reporter_name: str = Field(default="", max_length=64)
    reporter_phone: str = Field(default="", max_length=32)
    anonymous: bool = False
    channel: Channel = Channel.API


class ChatMessageIn(BaseModel):
    """A message posted in a grid's group chat, as a WeCom/WeChat bridge forwards it."""

    group_id: str = Field(min_length=1, max_length=128)
    message_id: str = Field(min_length=8, max_length=128)
    sender_name: str = Field(default="", max_length=64)
    text: str = Field(min_length=1, max_length=2000)
    lon: float | None = None
    lat: float | None = None


class SuggestionOut(BaseModel):
    code: str
    probability: float


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    tracking_code: str
    channel: str
    state: str
    description: str
    category_code: str | None
    suggested_category: str | None
    lon: float | None
    lat: float | None
    address: str
    grid_code: str | None
    level: str
    unit_code: str | None
    reporter_name: str
    reporter_phone_masked: str | None
    anonymous: bool
    spam_suspected: bool
    spam_reasons: str = ""
    language: str = ""  # ISO 639-1 of the report's text; "und" when unknown
    # The classifier's top three, most likely first (the dispatcher's triage list).
    suggestions: list[SuggestionOut] = Field(default_factory=list)
    duplicate_of_id: int | None
    created_at: datetime
    assigned_at: datetime | None
    response_due_at: datetime | None
    resolution_due_at: datetime | None
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    overdue_at: datetime | None
    due_warning: str
    # One warning per year the due times run through that the holiday calendar does not
    # know, in the caller's language (docs/cases.md, "Working days").
    due_warnings: list[str] = []
    verification_due_at: datetime | None = None
    escalations: int
    reworks: int
    rating: str | None

    @field_validator("suggestions", mode="before")
    @classmethod
    def _parse_suggestions(cls, value: object) -> object:
        if isinstance(value, str):
            out = []
            for part in value.split():
                code, _, probability = part.partition(":")
                try:
                    out.append({"code": code, "probability": float(probability)})
                except ValueError:
                    continue
            return out
        return value


class CaseCreatedOut(CaseOut):
    """A new case with the reporter's secret, shown this once: it rates and contests the
    case at /track/{tracking_code} (header X-Reporter-Token). Null on a retry."""

    reporter_token: str | None = None


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    actor: str
    role: str
    kind: str
    from_state: str | None
    to_state: str | None
    note: str


class CaseDetailOut(CaseOut):
    timeline: list[EventOut]


class PublicCaseOut(BaseModel):
    """What anyone with the tracking code sees: no names, no phones, public steps only."""

    tracking_code: str
    status: str
    state: str
    category_code: str | None
    created_at: datetime
    resolution_due_at: datetime | None
    closed_at: datetime | None
    rating: str | None
    timeline: list[EventOut]


class ActionIn(BaseModel):
    note: str = Field(default="", max_length=2000)


class AssignIn(BaseModel):
    level: str | None = Field(default=None, max_length=16)
    department: str | None = Field(default=None, max_length=64)


class VerifyIn(BaseModel):
    passed: bool
    note: str = Field(default="", max_length=2000)


class RateIn(BaseModel):
    rating: Rating
    note: str = Field(default="", max_length=500)


class ContestIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class MergeIn(BaseModel):
    original_id: int


class RevealIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class RevealedDescriptionOut(BaseModel):
    """A case's description as typed, numbers and all (an audited reveal)."""

    id: int
    description: str
