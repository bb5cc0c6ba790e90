"""Outreach tables: contact-group schemes, their groups and households, the history of
every move, visits with the opinions heard, public pledges, and the member pipeline.

Each row carries the region code it is scoped by: a scheme and its groups the village's
or community's, a visit and a pledge the grid's, a pipeline record the branch's region.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import (
    BigInteger,
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
from gridgov.outreach.programme_rules import TaskStatus
from gridgov.outreach.rules import (
    ChangeReason,
    OpinionOutcome,
    PledgeState,
    Stage,
    Step,
    VisitKind,
)


class ContactScheme(Row):
    """A village's or community's households cut into fixed contact groups."""

    __tablename__ = "contact_scheme"

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    groups: Mapped[int] = mapped_column(Integer)
    size_low: Mapped[int] = mapped_column(Integer)
    size_high: Mapped[int] = mapped_column(Integer)
    member_max: Mapped[int] = mapped_column(Integer, default=15)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class ContactGroup(Row):
    __tablename__ = "contact_group"
    __table_args__ = (UniqueConstraint("scheme_id", "number"),)

    scheme_id: Mapped[int] = mapped_column(ForeignKey("contact_scheme.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1-based, as printed
    member_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)


class ContactHousehold(Row):
    """A household's place in a scheme: one group per household per scheme."""

    __tablename__ = "contact_household"
    __table_args__ = (UniqueConstraint("scheme_id", "household_id"),)

    scheme_id: Mapped[int] = mapped_column(ForeignKey("contact_scheme.id"))
    group_id: Mapped[int] = mapped_column(ForeignKey("contact_group.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)


class ContactChange(Row):
    """History: a household entered, left or changed group, and why."""

    __tablename__ = "contact_change"
    __table_args__ = (CheckConstraint(enum_check("reason", ChangeReason), name="reason"),)

    scheme_id: Mapped[int] = mapped_column(ForeignKey("contact_scheme.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    from_number: Mapped[int | None] = mapped_column(Integer)
    to_number: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Visit(Row):
    """A visit to a household (走访): who went, what was heard, what became of it."""

    __tablename__ = "outreach_visit"
    __table_args__ = (
        CheckConstraint(enum_check("kind", VisitKind), name="kind"),
        CheckConstraint(enum_check("outcome", OpinionOutcome), name="outcome"),
        Index("ix_outreach_visit_household_on", "household_id", "visited_on"),
    )

    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("contact_group.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)  # the household's grid
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    heard: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str] = mapped_column(String(16), default=OpinionOutcome.NONE.value)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    photo: Mapped[bytes | None] = mapped_column(LargeBinary)
    photo_type: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Pledge(Row):
    """A member's public pledge for the year (亮承诺)."""

    __tablename__ = "outreach_pledge"
    __table_args__ = (CheckConstraint(enum_check("state", PledgeState), name="state"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    year: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    deliverables: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # the member's consent
    state: Mapped[str] = mapped_column(String(16))
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    evidence: Mapped[str] = mapped_column(Text, default="")
    fulfilled_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PledgeComment(Row):
    __tablename__ = "outreach_pledge_comment"

    pledge_id: Mapped[int] = mapped_column(ForeignKey("outreach_pledge.id"), index=True)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    held: Mapped[bool] = mapped_column(Boolean, default=False)  # suspected spam: not shown
    source: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Candidate(Row):
    """A person in a branch's member pipeline (发展党员). Sensitive: only the branch's
    own officers see it, and every read of the list is audited."""

    __tablename__ = "outreach_candidate"
    audit_type: ClassVar[str] = "candidate"  # its audited actions are "pipeline.*"
    __table_args__ = (CheckConstraint(enum_check("stage", Stage), name="stage"),)

    branch_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"))
    name: Mapped[str] = mapped_column(String(128))
    stage: Mapped[str] = mapped_column(String(16))
    stage_since: Mapped[date] = mapped_column(Date)
    reserve_cadre: Mapped[bool] = mapped_column(Boolean, default=False)  # 后备干部
    plan: Mapped[str] = mapped_column(Text, default="")  # development plan
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CandidateStep(Row):
    __tablename__ = "outreach_candidate_step"
    __table_args__ = (
        CheckConstraint(enum_check("step", Step), name="step"),
        CheckConstraint(enum_check("stage", Stage), name="stage"),
    )

    candidate_id: Mapped[int] = mapped_column(ForeignKey("outreach_candidate.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(24))
    done_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[int] = mapped_column(Integer, default=0)
    adopted: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))


class Pairing(Row):
    """An organ's party branch paired with a village or community (结对共建)."""

    __tablename__ = "outreach_pairing"
    __table_args__ = (UniqueConstraint("branch_id", "region_code"),)

    branch_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    agreement: Mapped[str] = mapped_column(Text, default="")
    signed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JointActivity(Row):
    __tablename__ = "outreach_joint_activity"

    pairing_id: Mapped[int] = mapped_column(ForeignKey("outreach_pairing.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    participants: Mapped[int] = mapped_column(Integer, default=0)
    problems_solved: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PairedWorker(Row):
    """A member of the organ branch enrolled as a part-time grid worker of a paired grid."""

    __tablename__ = "outreach_paired_worker"
    __table_args__ = (UniqueConstraint("pairing_id", "resident_id"),)

    pairing_id: Mapped[int] = mapped_column(ForeignKey("outreach_pairing.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    grid_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    since: Mapped[date] = mapped_column(Date)


class VolunteerTeam(Row):
    """A volunteer team (志愿服务队) serving a region; an international team gathers
    foreign residents with local ones. Its leader is a resident of the register."""

    __tablename__ = "volunteer_team"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    international: Mapped[bool] = mapped_column(Boolean, default=False)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VolunteerMember(Row):
    """A resident in a team (they also hold a volunteer role in the register)."""

    __tablename__ = "volunteer_member"
    __table_args__ = (UniqueConstraint("team_id", "resident_id"),)

    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    since: Mapped[date] = mapped_column(Date)


class VolunteerActivity(Row):
    """A team's activity: where, when (stored in UTC, shown local), how many places,
    and how many minutes it credits at most."""

    __tablename__ = "volunteer_activity"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("credit_minutes > 0", name="credit_minutes"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)  # the team's
    title: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column(Integer)
    credit_minutes: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VolunteerSignup(Row):
    """A volunteer signed up for an activity, checked in and out by the organiser; the
    minutes credited are set at check-out."""

    __tablename__ = "volunteer_signup"
    __table_args__ = (UniqueConstraint("activity_id", "resident_id"),)

    activity_id: Mapped[int] = mapped_column(ForeignKey("volunteer_activity.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    signed_up_by: Mapped[str] = mapped_column(String(64))
    signed_up_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    minutes: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[str | None] = mapped_column(String(64))


class VolunteerCertificate(Row):
    """A certificate of service hours issued for a period; its code verifies it."""

    __tablename__ = "volunteer_certificate"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("volunteer_team.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    activities: Mapped[int] = mapped_column(Integer)
    issuer: Mapped[str] = mapped_column(String(200))
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())


# ---------------------------------------------------------------- programmes (党建+项目)


class Programme(Row):
    """A programme (the "1" of 1+6+9, or one of its "6" and "9"): a node of a tree."""

    __tablename__ = "outreach_programme"

    parent_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_programme.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Project(Row):
    """A project under a programme, owned by a staff account or a party organisation,
    with its budget (fen), dates, and the place it serves (``region_code``)."""

    __tablename__ = "outreach_project"
    __table_args__ = (
        CheckConstraint("(owner_user_id IS NULL) <> (owner_org_id IS NULL)", name="one_owner"),
        CheckConstraint("budget_fen >= 0", name="budget"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
    )

    programme_id: Mapped[int] = mapped_column(ForeignKey("outreach_programme.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    budget_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ProjectGrid(Base):
    """A grid (or any region inside the project's) the project serves."""

    __tablename__ = "outreach_project_grid"

    project_id: Mapped[int] = mapped_column(ForeignKey("outreach_project.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)


class ProjectUnit(Base):
    """A unit of the register (a party organisation, a department) the project serves
    or works with."""

    __tablename__ = "outreach_project_unit"

    project_id: Mapped[int] = mapped_column(ForeignKey("outreach_project.id"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)


class ProjectTask(Row):
    """A task of a project: owner, due date, a milestone or not, status, progress and
    the money spent. ``region_code`` is the project's, kept for scoped lists."""

    __tablename__ = "outreach_task"
    __table_args__ = (
        CheckConstraint(enum_check("status", TaskStatus), name="status"),
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("spent_fen >= 0", name="spent"),
        Index("ix_outreach_task_region_due", "region_code", "due_on"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("outreach_project.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18))
    title: Mapped[str] = mapped_column(String(200))
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    owner_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    due_on: Mapped[date] = mapped_column(Date)
    milestone: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=TaskStatus.PLANNED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    spent_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    note: Mapped[str] = mapped_column(Text, default="")
    done_on: Mapped[date | None] = mapped_column(Date)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
