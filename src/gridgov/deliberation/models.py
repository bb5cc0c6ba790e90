"""Deliberation and public disclosure: procedure templates, matters and their steps,
meetings with their roster snapshot, sign-ins and votes, secret ballots, files,
notices with objections, implementation records, the discussion loop, and elections.

Secret ballots are two tables on purpose: a receipt (who has voted in which ballot box)
and the ballot (what was chosen), with nothing that joins one to the other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, Row, UTCDateTime, enum_check
from gridgov.deliberation.rules import (
    CandidateState,
    Choice,
    ElectionState,
    ImplementationState,
    MatterState,
    MeetingState,
    NoticeKind,
    NoticeState,
    Outcome,
    ProposalState,
    Voting,
)
from gridgov.revisions import StoredRevision


class ProcedureTemplate(StoredRevision, Base):
    """One revision of a procedure file (四议两公开, a community council…). A matter keeps
    the revision it started under."""

    __tablename__ = "procedure_template"
    __table_args__ = (UniqueConstraint("key", "revision"),)


class BodyMember(Row):
    """A seat on a standing body of a village or community: the Party organisation's
    committee, the residents' (villagers') committee, a deliberation council, the
    supervision committee. Meetings of these bodies draw their roster from here; party
    members, representatives, villagers and households come from the register."""

    __tablename__ = "body_member"
    __table_args__ = (
        UniqueConstraint("region_code", "body", "resident_id"),
        Index("ix_body_member_region_code_body", "region_code", "body"),
    )

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    body: Mapped[str] = mapped_column(String(32))  # branch_committee, residents_committee…
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    title: Mapped[str] = mapped_column(String(64), default="")  # 书记, 主任, 委员…
    since: Mapped[date | None] = mapped_column(Date)


class Matter(Row):
    """A collective matter taken through a procedure (议题), in a village or community."""

    __tablename__ = "matter"
    audit_type: ClassVar[str] = "matter"  # its audited actions are "deliberation.*"
    __table_args__ = (CheckConstraint(enum_check("state", MatterState), name="state"),)

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    template_id: Mapped[int] = mapped_column(ForeignKey("procedure_template.id"))
    one_person: Mapped[bool] = mapped_column(Boolean, default=False)  # 一肩挑
    stage_id: Mapped[str | None] = mapped_column(String(48))  # None once the chain ended
    state: Mapped[str] = mapped_column(String(16))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class MatterStep(Row):
    """A stage's outcome in a matter's history, with the arithmetic that decided it."""

    __tablename__ = "matter_step"
    __table_args__ = (CheckConstraint(enum_check("outcome", Outcome), name="outcome"),)

    matter_id: Mapped[int] = mapped_column(ForeignKey("matter.id"), index=True)
    stage_id: Mapped[str] = mapped_column(String(48))
    outcome: Mapped[str] = mapped_column(String(16))
    next_stage_id: Mapped[str | None] = mapped_column(String(48))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"))
    explanation: Mapped[str] = mapped_column(Text, default="")  # JSON: message ids + params
    note: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Meeting(Row):
    """A meeting of a body: convened with notice, a roster snapshot, sign-in, a vote,
    minutes. Quorum and decision are computed from the stage's rules."""

    __tablename__ = "meeting"
    audit_type: ClassVar[str] = "meeting"  # its audited actions are "deliberation.*"
    __table_args__ = (
        CheckConstraint(enum_check("state", MeetingState), name="state"),
        CheckConstraint(enum_check("voting", Voting), name="voting"),
    )

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matter.id"), index=True)
    stage_id: Mapped[str | None] = mapped_column(String(48))
    body: Mapped[str] = mapped_column(String(48))
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200), default="")
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    proxies_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    members: Mapped[int] = mapped_column(Integer)  # roster size at convening
    households_total: Mapped[int] = mapped_column(Integer, default=0)
    households_represented: Mapped[int] = mapped_column(Integer, default=0)
    present: Mapped[int] = mapped_column(Integer, default=0)
    proxies: Mapped[int] = mapped_column(Integer, default=0)
    yes: Mapped[int] = mapped_column(Integer, default=0)
    no: Mapped[int] = mapped_column(Integer, default=0)
    abstain: Mapped[int] = mapped_column(Integer, default=0)
    quorum_met: Mapped[bool | None] = mapped_column(Boolean)
    outcome: Mapped[str | None] = mapped_column(String(16))
    explanation: Mapped[str] = mapped_column(Text, default="")  # JSON: message ids + params
    minutes: Mapped[str] = mapped_column(Text, default="")
    clerk: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class MeetingMember(Row):
    """One person on a meeting's roster as it stood at convening; signs in once."""

    __tablename__ = "meeting_member"
    __table_args__ = (UniqueConstraint("meeting_id", "resident_id"),)

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    name: Mapped[str] = mapped_column(String(128))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    proxy_for_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_member.id"))
    recorded_by: Mapped[str | None] = mapped_column(String(64))


class MeetingVote(Row):
    """A member's recorded vote (roll call). Secret ballots use ``SecretBallot``."""

    __tablename__ = "meeting_vote"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        CheckConstraint(enum_check("choice", Choice), name="choice"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("meeting_member.id"))
    choice: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(64))


class BallotReceipt(Row):
    """That ``voter`` has voted in ballot box ``box`` ("meeting:12", "election:3"): the
    unique key stores one vote per voter however many requests race."""

    __tablename__ = "ballot_receipt"
    __table_args__ = (UniqueConstraint("box", "voter"),)

    box: Mapped[str] = mapped_column(String(48))
    voter: Mapped[str] = mapped_column(String(48))  # "resident:123" or "member:45"
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class SecretBallot(Row):
    """What was chosen in a ballot box; nothing links it to a receipt. No timestamp, and
    rows are read in choice order, never in insertion order."""

    __tablename__ = "secret_ballot"

    box: Mapped[str] = mapped_column(String(48), index=True)
    choices: Mapped[str] = mapped_column(Text)  # JSON list of candidate ids, or a Choice


class DeliberationFile(Row):
    """A scan or photo: a signed sign-in sheet, minutes, a notice on the board."""

    __tablename__ = "deliberation_file"
    __table_args__ = (Index("ix_deliberation_file_owner", "owner_type", "owner_id"),)

    owner_type: Mapped[str] = mapped_column(String(24))  # meeting, notice, implementation…
    owner_id: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(24))  # sign_in, minutes, board, evidence
    name: Mapped[str] = mapped_column(String(128))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notice(Row):
    """A public notice (公示/公开) with its posting period and objection window. The body
    is stored masked: ID numbers and phones found before publishing are masked."""

    __tablename__ = "notice"
    __table_args__ = (
        CheckConstraint(enum_check("kind", NoticeKind), name="kind"),
        CheckConstraint(enum_check("state", NoticeState), name="state"),
        Index("ix_notice_region_code_kind", "region_code", "kind"),
    )

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), default="zh_Hans")
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matter.id"), index=True)
    election_id: Mapped[int | None] = mapped_column(ForeignKey("election.id"))
    state: Mapped[str] = mapped_column(String(16))
    posting_days: Mapped[int] = mapped_column(Integer)
    objection_days: Mapped[int] = mapped_column(Integer)
    channels: Mapped[str] = mapped_column(String(64), default="portal")  # portal,board,chat
    masked_findings: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    posted_by: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    objections_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NoticeObjection(Row):
    """A resident's objection or question on a notice; the answer is public."""

    __tablename__ = "notice_objection"

    notice_id: Mapped[int] = mapped_column(ForeignKey("notice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # objection, question
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16), default="zh_Hans")
    author_name: Mapped[str] = mapped_column(String(64), default="")
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hidden_reason: Mapped[str | None] = mapped_column(String(200))


class Implementation(Row):
    """Carrying out an adopted matter or an accepted proposal: milestones, progress,
    dated updates, ending in the implementation-result disclosure."""

    __tablename__ = "implementation"
    audit_type: ClassVar[str] = "implementation"  # its audited actions are "deliberation.*"
    __table_args__ = (CheckConstraint(enum_check("state", ImplementationState), name="state"),)

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("matter.id"), unique=True)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(128), default="")  # the unit carrying it out
    state: Mapped[str] = mapped_column(String(16))
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Milestone(Row):
    __tablename__ = "milestone"

    implementation_id: Mapped[int] = mapped_column(ForeignKey("implementation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)


class ImplementationUpdate(Row):
    __tablename__ = "implementation_update"

    implementation_id: Mapped[int] = mapped_column(ForeignKey("implementation.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    progress: Mapped[int] = mapped_column(Integer)


class Authored:
    """A resident's post (a discussion, a proposal, a comment): in the author's language,
    under the name shown, from their account when they have one (a declarative mixin)."""

    language: Mapped[str] = mapped_column(String(16))
    author_name: Mapped[str] = mapped_column(String(64))
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Moderated:
    """A post the moderators may hold as suspected spam, for review, or hide with a public
    reason shown in its place (a declarative mixin)."""

    held: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_reason: Mapped[str | None] = mapped_column(String(200))


class Discussion(Authored, Moderated, Base):
    """A residents' discussion (讨论) in a community, in the author's language."""

    __tablename__ = "discussion"
    audit_type: ClassVar[str] = "discussion"  # its audited actions are "deliberation.*"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Proposal(Authored, Moderated, Base):
    """A proposal (献策) the community must answer: accepted, merged or not adopted, each
    with a reason. An accepted proposal becomes a governance action (Implementation)."""

    __tablename__ = "proposal"
    audit_type: ClassVar[str] = "proposal"  # its audited actions are "deliberation.*"
    __table_args__ = (CheckConstraint(enum_check("state", ProposalState), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    discussion_id: Mapped[int | None] = mapped_column(ForeignKey("discussion.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposal.id"))


class Comment(Authored, Moderated, Base):
    """A comment on a discussion or proposal, or a supervision comment (监督) on any
    stage of a matter, a notice or an implementation record."""

    __tablename__ = "deliberation_comment"
    __table_args__ = (Index("ix_deliberation_comment_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[int] = mapped_column(Integer)
    stage_id: Mapped[str | None] = mapped_column(String(48))
    supervision: Mapped[bool] = mapped_column(Boolean, default=False)
    text: Mapped[str] = mapped_column(Text)
    author_role: Mapped[str] = mapped_column(String(32))


class ContentReport(Row):
    """A reader's report of a discussion, proposal or comment, for the moderators."""

    __tablename__ = "content_report"
    __table_args__ = (Index("ix_content_report_target", "target_type", "target_id"),)

    target_type: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))


class Election(Row):
    """An election of deliberation representatives with constituencies and seats;
    eligibility and the tie rule are data (``rules`` holds the election section)."""

    __tablename__ = "election"
    __table_args__ = (CheckConstraint(enum_check("state", ElectionState), name="state"),)

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    rules: Mapped[str] = mapped_column(Text)  # YAML: eligibility, tie_break, winning_share
    state: Mapped[str] = mapped_column(String(16))
    voting_opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    voting_closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # JSON of the count, with the draw; the result notice points here (notice.election_id)
    result: Mapped[str] = mapped_column(Text, default="")


class Constituency(Row):
    __tablename__ = "constituency"

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    seats: Mapped[int] = mapped_column(Integer)


class Candidate(Row):
    __tablename__ = "candidate"
    __table_args__ = (
        UniqueConstraint("election_id", "resident_id"),
        CheckConstraint(enum_check("state", CandidateState), name="state"),
    )

    election_id: Mapped[int] = mapped_column(ForeignKey("election.id"), index=True)
    constituency_id: Mapped[int] = mapped_column(ForeignKey("constituency.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"))
    name: Mapped[str] = mapped_column(String(128))
    statement: Mapped[str] = mapped_column(Text, default="")
    nominated_by: Mapped[str] = mapped_column(String(64))
    nominated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16))
    review_reason: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    votes: Mapped[int | None] = mapped_column(Integer)
    elected: Mapped[bool | None] = mapped_column(Boolean)
