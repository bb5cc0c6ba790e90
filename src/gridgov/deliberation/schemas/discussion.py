"""The JSON shapes of the deliberation API for discussions, proposals, comments and moderation."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from gridgov.deliberation.discussion import Answer

# ---------------------------------------------------------------- schemas


class PostIn(BaseModel):
    title: str = Field(max_length=400)
    body: str = Field(max_length=10_000)
    language: str = Field(default="", max_length=32, description="BCP-47: ko, ja, pt, en, zh_Hant…")


class ProposalIn(PostIn):
    discussion_id: int | None = Field(default=None, ge=1)


class CommentIn(BaseModel):
    target_type: str = Field(
        max_length=24,
        description="discussion or proposal; with supervision also matter, notice, implementation",
    )
    target_id: int = Field(ge=1)
    text: str = Field(max_length=4000)
    language: str = Field(default="", max_length=32)
    supervision: bool = False
    stage_id: str | None = Field(default=None, max_length=48, description="a matter's stage")


class AnswerIn(BaseModel):
    decision: Answer
    reason: str = Field(max_length=8000, description="required; published with the answer")
    merged_into_id: int | None = Field(default=None, ge=1)


# An item of the discussion loop that a moderator or a reporter names.
class ReleaseIn(BaseModel):
    target_type: str = Field(max_length=24)
    target_id: int = Field(ge=1)


class ReportIn(ReleaseIn):
    target_type: str = Field(max_length=24, description="discussion, proposal or comment")
    reason: str = Field(max_length=1000)


class HideIn(ReleaseIn):
    reason: str = Field(max_length=400)


class CommentOut(BaseModel):
    id: int
    target_type: str
    target_id: int
    stage_id: str | None
    supervision: bool
    text: str | None  # None when hidden
    language: str
    author_name: str
    author_role: str
    created_at: datetime
    held: bool
    hidden_reason: str | None


class DiscussionOut(BaseModel):
    id: int
    region_code: str
    title: str | None  # None when hidden
    body: str | None
    language: str
    author_name: str
    created_at: datetime
    held: bool
    hidden_reason: str | None
    proposals: int = 0
    answered: int = 0
    comments: int = 0


class ProposalOut(BaseModel):
    id: int
    region_code: str
    discussion_id: int | None
    title: str | None  # None when hidden
    body: str | None
    language: str
    author_name: str
    created_at: datetime
    state: str
    answer: str
    answered_by: str | None
    answered_at: datetime | None
    merged_into_id: int | None
    held: bool
    hidden_reason: str | None
    implementation_id: int | None = None


class MilestoneOut(BaseModel):
    title: str
    due_on: date
    done_on: date | None


class ImplementationOut(BaseModel):
    id: int
    state: str
    progress: int
    owner: str
    created_at: datetime
    completed_at: datetime | None
    milestones: list[MilestoneOut]


class DiscussionDetailOut(DiscussionOut):
    proposal_list: list[ProposalOut]
    comment_list: list[CommentOut]


class ProposalDetailOut(ProposalOut):
    implementation: ImplementationOut | None
    comment_list: list[CommentOut]
    supervision: list[CommentOut]


class ReportOut(BaseModel):
    id: int
    target_type: str
    target_id: int
    reason: str
    at: datetime
    resolved_at: datetime | None


class QueueItemOut(BaseModel):
    target_type: str
    target_id: int
    region_code: str
    held: bool
    hidden_reason: str | None
    reports: list[ReportOut]


class AnsweredOut(BaseModel):
    proposal: ProposalOut
    implementation_id: int | None


class ModeratedOut(BaseModel):
    target_type: str
    target_id: int
    held: bool
    hidden_reason: str | None
