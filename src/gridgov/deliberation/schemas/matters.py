"""The JSON shapes of the deliberation API for matters, meetings, votes, implementation
and supervision."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from gridgov.deliberation.rules import Choice, Voting


class MatterIn(BaseModel):
    region_code: str = Field(min_length=6, max_length=18)
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=20_000)
    template_key: str = Field(default="si_yi_liang_gong_kai", max_length=48)
    one_person: bool = False


class ExplainedOut(BaseModel):
    message: str
    params: dict[str, Any]
    text: str


class StepOut(BaseModel):
    stage_id: str
    outcome: str
    next_stage_id: str | None
    meeting_id: int | None
    notice_id: int | None
    explanation: dict[str, ExplainedOut]
    actor: str
    at: datetime


class StageOut(BaseModel):
    id: str
    kind: str
    name_zh: str
    name_en: str
    body: str
    alternative_bodies: list[str]
    merged_from: list[str]


class MatterOut(BaseModel):
    id: int
    region_code: str
    title: str
    description: str
    state: str
    stage_id: str | None
    one_person: bool
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


class MeetingOut(BaseModel):
    id: int
    matter_id: int | None
    stage_id: str | None
    body: str
    title: str
    place: str
    voting: str
    state: str
    notified_at: datetime
    starts_at: datetime
    proxies_allowed: bool
    members: int
    households_total: int
    households_represented: int
    present: int
    proxies: int
    yes: int
    no: int
    abstain: int
    quorum_met: bool | None
    outcome: str | None
    explanation: dict[str, ExplainedOut]
    minutes: str
    version: int


class MemberOut(BaseModel):
    id: int
    resident_id: int | None
    name: str
    household_id: int | None
    signed_in_at: datetime | None
    proxy_holder_id: int | None


class LiveOut(BaseModel):
    members: int
    present: int
    proxies: int
    households_total: int
    households_represented: int
    yes: int
    no: int
    abstain: int
    quorum: ExplainedOut
    decision: ExplainedOut | None


class MeetingDetailOut(MeetingOut):
    roster: list[MemberOut]
    live: LiveOut | None


class ImplementationOut(BaseModel):
    id: int
    title: str
    state: str
    progress: int
    completed_at: datetime | None


class MatterDetailOut(MatterOut):
    stages: list[StageOut]
    steps: list[StepOut]
    meetings: list[MeetingOut]
    implementation: ImplementationOut | None
    notice_ids: list[int]


class ConveneIn(BaseModel):
    notified_at: datetime
    starts_at: datetime
    voting: Voting = Voting.SHOW_OF_HANDS
    body: str | None = Field(default=None, max_length=48)
    title: str = Field(default="", max_length=200)
    place: str = Field(default="", max_length=200)


class SignInIn(BaseModel):
    member_id: int
    proxy_holder_id: int | None = None


class TotalsIn(BaseModel):
    yes: int = Field(ge=0)
    no: int = Field(ge=0)
    abstain: int = Field(default=0, ge=0)
    version: int | None = None


class VoteIn(BaseModel):
    member_id: int | None = None  # omitted: the caller's own (resident account) ballot
    choice: Choice


class CloseIn(BaseModel):
    returned: bool = False
    version: int | None = None


class OverdueOut(BaseModel):
    milestone_id: int
    title: str
    due_on: date
    implementation_id: int
    implementation: str
    matter_id: int | None


class CommentOut(BaseModel):
    id: int
    stage_id: str | None
    text: str
    language: str
    author_name: str
    created_at: datetime


class SupervisionOut(BaseModel):
    matters: list[MatterOut]
    stages: dict[int, str | None]
    no_quorum_meeting_ids: list[int]
    overdue: list[OverdueOut]
    disclosures_due: list[dict[str, int | None]]
    comments: dict[int, list[CommentOut]]
