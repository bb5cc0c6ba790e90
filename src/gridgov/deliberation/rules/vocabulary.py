"""The words of deliberation as data: bodies, rosters, counts, stage kinds, outcomes, and
the rule and stage records a procedure is made of.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from gridgov.errors import NotFound

__all__ = [
    "DEFAULT_POSTING_DAYS",
    "END",
    "AnyOf",
    "Basis",
    "Body",
    "Comparator",
    "Count",
    "ElectionRules",
    "EligibilityRule",
    "Names",
    "Outcome",
    "Procedure",
    "Roster",
    "Rule",
    "Stage",
    "StageKind",
    "Threshold",
    "TieBreak",
]

# --------------------------------------------------------------------------- vocabulary


class StageKind(StrEnum):
    PROPOSAL = "proposal"  # 提议
    DELIBERATION = "deliberation"  # 商议
    REVIEW = "review"  # 审议
    DECISION = "decision"  # 决议
    DISCLOSURE = "disclosure"  # 公开


class Body(StrEnum):
    """Who holds a stage."""

    BRANCH_COMMITTEE = "branch_committee"  # 村（社区）党组织委员会
    TWO_COMMITTEES = "two_committees"  # “两委”联席会议
    PARTY_MEMBERS_MEETING = "party_members_meeting"  # 党员大会
    VILLAGERS_MEETING = "villagers_meeting"  # 村民会议
    VILLAGERS_REPRESENTATIVES_MEETING = "villagers_representatives_meeting"  # 村民代表会议
    DELIBERATION_COUNCIL = "deliberation_council"  # 议事会
    PUBLIC = "public"  # 公开栏、公示


class Roster(StrEnum):
    """Whom a body draws on: ``Tally.members`` is the size of this roster."""

    BRANCH_COMMITTEE_MEMBERS = "branch_committee_members"
    TWO_COMMITTEES_MEMBERS = "two_committees_members"
    PARTY_MEMBERS = "party_members"
    VILLAGERS_18_PLUS = "villagers_18_plus"
    HOUSEHOLDS = "households"
    REPRESENTATIVES = "representatives"
    COUNCIL_MEMBERS = "council_members"


class Outcome(StrEnum):
    ADOPTED = "adopted"  # 通过 (a disclosure: its period closed)
    REJECTED = "rejected"  # 未通过
    RETURNED = "returned"  # 退回修改


class Count(StrEnum):
    """What a threshold counts."""

    PRESENT = "present"
    HOUSEHOLDS_REPRESENTED = "households_represented"
    IN_FAVOUR = "in_favour"


class Comparator(StrEnum):
    AT_LEAST = "at_least"  # 以上 (≥)
    MORE_THAN = "more_than"  # 超过、过半数 (>)


class Basis(StrEnum):
    """What a threshold is a fraction of. ``members`` and ``roster`` are both the size of
    the body's roster (``Tally.members``); ``roster`` reads better for open bodies such as
    a villagers' meeting."""

    MEMBERS = "members"
    ROSTER = "roster"
    HOUSEHOLDS = "households"
    PRESENT = "present"


class TieBreak(StrEnum):
    LOT = "lot"  # 抽签: a deterministic, recorded draw
    OLDER_FIRST = "older_first"  # 年长者当选
    RUNOFF = "runoff"  # 另行选举 between the tied candidates


END = "end"
DEFAULT_POSTING_DAYS = 7
_ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_FRACTION_PATTERN = re.compile(r"\s*([0-9]+)\s*(?:/\s*([0-9]+)\s*)?")

# Which counts a quorum or a decision may use, and what each count may be measured against.
_ROLE_COUNTS: dict[str, frozenset[Count]] = {
    "quorum": frozenset({Count.PRESENT, Count.HOUSEHOLDS_REPRESENTED}),
    "decision": frozenset({Count.IN_FAVOUR}),
}
_COUNT_BASES: dict[Count, frozenset[Basis]] = {
    Count.PRESENT: frozenset({Basis.MEMBERS, Basis.ROSTER}),
    Count.HOUSEHOLDS_REPRESENTED: frozenset({Basis.HOUSEHOLDS}),
    Count.IN_FAVOUR: frozenset({Basis.PRESENT, Basis.MEMBERS, Basis.ROSTER}),
}

# --------------------------------------------------------------------------- rules as data


@dataclass(frozen=True)
class Threshold:
    """``count`` must be ``comparator`` ``fraction`` of ``of``: e.g. present at_least n/d
    of members."""

    count: Count
    comparator: Comparator
    fraction: Fraction
    of: Basis


@dataclass(frozen=True)
class AnyOf:
    """Met when any one alternative is met (村民会议: enough villagers, or enough
    households represented)."""

    alternatives: tuple[Threshold, ...]


Rule = Threshold | AnyOf


@dataclass(frozen=True)
class Names:
    zh_Hans: str
    en: str


@dataclass(frozen=True)
class Stage:
    id: str
    kind: StageKind
    names: Names
    body: Body
    roster: Roster | None
    notice_days: int
    quorum: Rule | None  # None only for a disclosure
    decision: Rule | None  # None only for a disclosure
    proxies: bool
    outcomes: Mapping[Outcome, str | None]  # None: the matter ends
    posting_days: int | None = None  # a disclosure's posting period
    objection_days: int | None = None  # a disclosure's objection window
    merge_when_one_person: str | None = None  # 一肩挑: merges into this (next) stage
    merged_from: tuple[str, ...] = ()  # stages merged into this one
    # Other bodies that may hold this stage instead (村民代表会议 或 村民会议): each a copy
    # of the stage with that body's roster and rules; see :func:`held_by`.
    alternatives: tuple[Stage, ...] = ()
    line: int = 0

    @property
    def voted(self) -> bool:
        return self.kind is not StageKind.DISCLOSURE


@dataclass(frozen=True)
class EligibilityRule:
    min_age: int
    residence_in_region: bool  # the voter's grid code starts with the election's region code
    include_macau_residents: bool
    include_foreign_residents: bool


@dataclass(frozen=True)
class ElectionRules:
    eligibility: EligibilityRule
    tie_break: TieBreak
    winning_share: Fraction | None = None  # elected only with more than this of ballots cast


@dataclass(frozen=True)
class Procedure:
    id: str
    names: Names
    stages: tuple[Stage, ...]
    version: int = 1
    election: ElectionRules | None = None

    @property
    def first(self) -> Stage:
        return self.stages[0]

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise NotFound(
            "The procedure %(procedure)s has no stage %(stage)s.",
            params={"procedure": self.id, "stage": stage_id},
        )
