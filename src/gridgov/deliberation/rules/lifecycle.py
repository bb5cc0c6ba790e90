"""The stored states of matters, meetings, notices, elections and proposals."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CandidateState",
    "Choice",
    "ElectionState",
    "ImplementationState",
    "MatterState",
    "MeetingState",
    "NoticeKind",
    "NoticeState",
    "ProposalState",
    "Voting",
]

# --------------------------------------------------------------------------- stored states


class MatterState(StrEnum):
    OPEN = "open"  # a stage is under way
    REJECTED = "rejected"  # a stage rejected it; the chain ended
    COMPLETED = "completed"  # every stage passed, both disclosures closed
    WITHDRAWN = "withdrawn"


class MeetingState(StrEnum):
    CONVENED = "convened"  # notice given, roster snapshot taken
    IN_SESSION = "in_session"  # signing in, voting
    DECIDED = "decided"  # outcome recorded
    NO_QUORUM = "no_quorum"  # closed without a quorum: it could not decide
    CANCELLED = "cancelled"


class Voting(StrEnum):
    SHOW_OF_HANDS = "show_of_hands"  # totals recorded by the clerk
    ROLL_CALL = "roll_call"  # a recorded vote per member
    SECRET_BALLOT = "secret_ballot"  # noqa: S105 - one ballot per member, never linked to them


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class NoticeKind(StrEnum):
    RESOLUTION = "resolution"  # 决议公开
    RESULT = "result"  # 实施结果公开
    VILLAGE_AFFAIRS = "village_affairs"  # 村务公开
    PARTY_AFFAIRS = "party_affairs"  # 党务公开
    FINANCES = "finances"  # 财务公开
    MAJOR_MATTERS = "major_matters"  # 重大事项
    ELECTION_RESULT = "election_result"  # 选举结果公告
    OTHER = "other"


class NoticeState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    CLOSED = "closed"  # the posting period is over
    WITHDRAWN = "withdrawn"


class ImplementationState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ProposalState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # becomes a governance action
    MERGED = "merged"  # folded into another proposal
    NOT_ADOPTED = "not_adopted"


class ElectionState(StrEnum):
    NOMINATION = "nomination"
    REVIEW = "review"  # eligibility review of the nominees
    VOTING = "voting"
    COUNTED = "counted"
    PUBLISHED = "published"  # the result notice is posted


class CandidateState(StrEnum):
    NOMINATED = "nominated"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    WITHDRAWN = "withdrawn"
