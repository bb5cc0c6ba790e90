"""Cases and everything that hangs off them: categories (the catalogue as rows), grid
matters lists, the holiday table, assignments, the timeline, photos and the outbox."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.cases.rules import Channel, Level, Rating, State
from gridgov.db import Base, Row, UTCDateTime, enum_check


class Category(Row):
    """One entry of the catalogue (after GB/T 30428.2), seeded from the shipped default
    and editable by administrators. Groups have no deadlines; leaves are chosen."""

    __tablename__ = "category"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(16), index=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(128))
    start_level: Mapped[str | None] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    response_amount: Mapped[int | None] = mapped_column(Integer)
    response_unit: Mapped[str | None] = mapped_column(String(16))
    resolution_amount: Mapped[int | None] = mapped_column(Integer)
    resolution_unit: Mapped[str | None] = mapped_column(String(16))
    reporter_confirms: Mapped[bool] = mapped_column(Boolean, default=False)
    grid_allowed: Mapped[bool] = mapped_column(Boolean, default=True)
    urgency: Mapped[str | None] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class GridMatter(Row):
    """A grid's matters list (事项清单): the categories its workers settle themselves.
    A grid with no rows has no list of its own and follows the catalogue."""

    __tablename__ = "grid_matter"
    __table_args__ = (UniqueConstraint("grid_code", "category_code"),)

    grid_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    category_code: Mapped[str] = mapped_column(ForeignKey("category.code"))


class Holiday(Base):
    """An administrator's entry in the working calendar: beats the calendar package,
    and covers years it does not know yet."""

    __tablename__ = "holiday"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(128), default="")


class HolidayYear(Base):
    """A year an administrator marked complete: every holiday and make-up working day
    of it is in the holiday table, so deadlines in it carry no warning."""

    __tablename__ = "holiday_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    marked_by: Mapped[str] = mapped_column(String(64), default="")
    marked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Case(Row):
    __tablename__ = "case_file"
    __table_args__ = (
        CheckConstraint(enum_check("state", State), name="state"),
        CheckConstraint(enum_check("channel", Channel), name="channel"),
        CheckConstraint(enum_check("level", Level), name="level"),
        CheckConstraint(enum_check("rating", Rating), name="rating"),
        Index("ix_case_file_state_resolution_due_at", "state", "resolution_due_at"),
        Index("ix_case_file_grid_code_state", "grid_code", "state"),
        # Likely duplicates: same category, near the same latitude.
        Index("ix_case_file_category_code_lat", "category_code", "lat"),
    )

    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    category_code: Mapped[str | None] = mapped_column(ForeignKey("category.code"), index=True)
    suggested_category: Mapped[str | None] = mapped_column(String(16))
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(256), default="")
    grid_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    level: Mapped[str] = mapped_column(String(16), default=Level.GRID.value)
    # Where the case sits now: the region of the handling unit (grid, community, street)
    # or the district for a department; and the department, when one handles it.
    unit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    reporter_phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reporter_phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(32))
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reporter's credential (SHA-256 of a secret shown once), separate from the public
    # tracking code; and the description as typed, sealed, when numbers in it were masked.
    reporter_secret_hash: Mapped[str | None] = mapped_column(String(64))
    description_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    source: Mapped[str] = mapped_column(String(128), default="")  # API key name, chat group…
    spam_suspected: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why it was held (spam screen reasons, comma-separated), for the moderator.
    spam_reasons: Mapped[str] = mapped_column(String(160), default="", server_default="")
    # The language the report was written in (ISO 639-1, "und" when unknown), so staff
    # see it and reply in it; and the classifier's top three "CODE:probability".
    language: Mapped[str] = mapped_column(String(16), default="", server_default="")
    suggestions: Mapped[str] = mapped_column(String(160), default="", server_default="")
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the resolution clock stopped (resolved, suspended); None while it runs.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verification_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_warning: Mapped[str] = mapped_column(String(256), default="")
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    reworks: Mapped[int] = mapped_column(Integer, default=0)
    contested: Mapped[bool] = mapped_column(Boolean, default=False)
    suspension_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    rating: Mapped[str | None] = mapped_column(String(24))
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped by every change: a writer locks the row and goes on only when the version
    # is still the one it read (``service.lock_case``); the sweep updates only the
    # version it read, so each escalation happens once and a person's step never
    # silently overwrites the sweep's, or another person's.
    version: Mapped[int] = mapped_column(Integer, default=1)

    @property
    def region_code(self) -> str | None:
        """Where audit rows about the case place it: the grid it was reported in."""
        return self.grid_code


class Assignment(Row):
    """A unit handling a case: the lead, or a co-handler; each reports in (报到)."""

    __tablename__ = "case_assignment"
    __table_args__ = (
        # The sweep's scan: active assignments not yet reported in, by response due time.
        Index(
            "ix_case_assignment_awaiting_due",
            "response_due_at",
            sqlite_where=text("active AND acknowledged_at IS NULL"),
            postgresql_where=text("active AND acknowledged_at IS NULL"),
        ),
    )

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    level: Mapped[str] = mapped_column(String(16))
    unit_code: Mapped[str] = mapped_column(String(18), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    lead: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    response_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the assignment stopped being active (escalated past, returned, reassigned):
    # its response clock stops there (``clocks.response_outcome``).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class CaseEvent(Row):
    """One line of a case's timeline: who did what, when, with a note and photos."""

    __tablename__ = "case_event"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class Photo(Row):
    """A photo attached at intake or as evidence of a step; kept in the database so
    that every app instance serves it."""

    __tablename__ = "case_photo"

    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id"))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # At most 320 px, for lists and the case page's timeline; None for photos kept
    # before thumbnails were made (the full photo is served instead).
    thumbnail: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Row):
    """A notification written in the same transaction as the change that caused it and
    delivered after commit. ``dedupe_key`` makes a reminder or escalation notice exist
    once, however many sweeps run."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_sent_at_available_at", "sent_at", "available_at"),
        # Delivery's scan: unsent messages by the time they become available.
        Index(
            "ix_outbox_unsent_available_at",
            "available_at",
            sqlite_where=text("sent_at IS NULL"),
            postgresql_where=text("sent_at IS NULL"),
        ),
    )

    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    available_at: Mapped[datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    subject: Mapped[str] = mapped_column(String(256))
    body: Mapped[str] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(256), default="")
