"""The JSON shapes of the deliberation API for elections, candidates, ballots and results."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

CandidateIds = Annotated[list[Annotated[int, Field(ge=1, le=2**31 - 1)]], Field(max_length=99)]


class EligibilityOut(BaseModel):
    min_age: int
    residence_in_region: bool
    include_macau_residents: bool
    include_foreign_residents: bool


class RulesOut(BaseModel):
    eligibility: EligibilityOut
    tie_break: str
    winning_share: str | None
    in_words: list[str]


class CandidateOut(BaseModel):
    id: int
    constituency_id: int
    name: str
    statement: str
    state: str
    review: str
    override: str | None
    votes: int | None
    elected: bool | None


class ConstituencyOut(BaseModel):
    id: int
    name: str
    region_code: str
    seats: int


class ElectionOut(BaseModel):
    id: int
    region_code: str
    title: str
    state: str
    voting_opens_at: datetime
    voting_closes_at: datetime
    counted_at: datetime | None
    rules: RulesOut
    constituencies: list[ConstituencyOut]
    candidates: list[CandidateOut]
    result_notice_id: int | None


class ConstituencyResultOut(BaseModel):
    constituency: int
    name: str
    region_code: str
    seats: int
    ballots_cast: int
    valid_ballots: int
    invalid_ballots: int
    blank_choices: int
    votes: dict[str, int]
    elected: list[int]
    tied: list[int]
    runoff: list[int]
    runoff_seats: int
    unfilled: int
    tie_break: str
    seed: str | None
    draw: list[int]


class ResultOut(BaseModel):
    election_id: int
    counted_at: str
    receipts: int
    ballots: int
    tie_break: str
    winning_share: str | None
    constituencies: list[ConstituencyResultOut]
    result_notice_id: int | None


class VoteIn(BaseModel):
    choices: CandidateIds = Field(default_factory=list)


class BallotIn(BaseModel):
    resident_id: int = Field(ge=1, le=2**31 - 1)
    choices: CandidateIds = Field(default_factory=list)


class VotedOut(BaseModel):
    election_id: int
    voted: bool


class NoticeRef(BaseModel):
    election_id: int
    state: str
    notice_id: int
