"""Crisis mode: incidents, their posts (three levels, two teams), tasks, household
check-ins, broadcasts with one block per language and their deliveries, and the field
app's sync receipts (idempotency keys per user)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.crisis.rules import (
    BroadcastChannel,
    BroadcastSeverity,
    CheckinStatus,
    DeliveryStatus,
    IncidentKind,
    IncidentLevel,
    IncidentState,
    Post,
    TaskKind,
    TaskLevel,
    TaskState,
)
from gridgov.db import GridPlaced, Row, UTCDateTime, enum_check


class Incident(Row):
    __tablename__ = "incident"
    audit_type: ClassVar[str] = "incident"  # also audited under "checkin.*" actions
    __table_args__ = (
        CheckConstraint(enum_check("kind", IncidentKind), name="kind"),
        CheckConstraint(enum_check("level", IncidentLevel), name="level"),
        CheckConstraint(enum_check("state", IncidentState), name="state"),
    )

    title: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=IncidentState.ACTIVE.value)
    # The region that owns the incident (its scope) and the area it covers: region codes
    # under it, comma-separated, and optionally a drawn polygon (GeoJSON).
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_codes: Mapped[str] = mapped_column(Text)
    area_geojson: Mapped[str | None] = mapped_column(Text)
    unreached_hours: Mapped[int] = mapped_column(Integer, default=12)
    retention_days: Mapped[int] = mapped_column(Integer, default=30)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)


class IncidentPost(Row):
    """Who leads at community, grid and building level, and who serves in the vanguard
    and volunteer teams: residents from the register."""

    __tablename__ = "incident_post"
    __table_args__ = (
        CheckConstraint(enum_check("post", Post), name="post"),
        UniqueConstraint("incident_id", "post", "resident_id", "unit_code"),
    )

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    post: Mapped[str] = mapped_column(String(24))
    unit_code: Mapped[str] = mapped_column(String(32))  # region code, or building code
    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)


class IncidentTask(GridPlaced, Row):
    __tablename__ = "incident_task"
    audit_type: ClassVar[str] = "incident_task"  # its audited actions are "incident.*"
    __table_args__ = (
        CheckConstraint(enum_check("kind", TaskKind), name="kind"),
        CheckConstraint(enum_check("state", TaskState), name="state"),
        CheckConstraint(enum_check("level", TaskLevel), name="level"),
        Index("ix_incident_task_state_due_at", "state", "due_at"),
    )

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    state: Mapped[str] = mapped_column(String(16), default=TaskState.OPEN.value)
    level: Mapped[str] = mapped_column(String(16), default=TaskLevel.GRID.value)
    grid_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"))
    assignee_post_id: Mapped[int | None] = mapped_column(ForeignKey("incident_post.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)


class HouseholdCheckin(GridPlaced, Row):
    """One household's state in one incident. ``flags`` and ``note`` are sensitive:
    shown only inside the incident's scope and blanked after the retention period."""

    __tablename__ = "household_checkin"
    audit_type: ClassVar[str] = "household_checkin"  # its audited actions are "checkin.*"
    __table_args__ = (
        CheckConstraint(enum_check("status", CheckinStatus), name="status"),
        UniqueConstraint("incident_id", "household_id"),
        Index("ix_household_checkin_incident_id_grid_code", "incident_id", "grid_code"),
    )

    incident_id: Mapped[int] = mapped_column(ForeignKey("incident.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=CheckinStatus.PENDING.value)
    needs: Mapped[str] = mapped_column(String(128), default="")
    flags: Mapped[str] = mapped_column(String(128), default="")
    priority: Mapped[int] = mapped_column(Integer, default=10)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A broadcast did not reach it: the check-in list puts it before others.
    missed_broadcast: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymised: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)


class Broadcast(Row):
    __tablename__ = "broadcast"
    __table_args__ = (CheckConstraint(enum_check("severity", BroadcastSeverity), name="severity"),)

    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    area_codes: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    fallback_language: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class BroadcastBlock(Row):
    """The notice in one language, written (or checked) by staff, as CAP's <info>."""

    __tablename__ = "broadcast_block"
    __table_args__ = (UniqueConstraint("broadcast_id", "language"),)

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcast.id"))
    language: Mapped[str] = mapped_column(String(16))
    headline: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)


class BroadcastDelivery(Row):
    """A broadcast to one household: once (the unique pair), in one language, on one
    channel, with its receipts."""

    __tablename__ = "broadcast_delivery"
    __table_args__ = (
        CheckConstraint(enum_check("status", DeliveryStatus), name="status"),
        CheckConstraint(enum_check("channel", BroadcastChannel), name="channel"),
        UniqueConstraint("broadcast_id", "household_id"),
        Index("ix_broadcast_delivery_broadcast_id_status", "broadcast_id", "status"),
    )

    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcast.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    grid_code: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(128))
    outbox_key: Mapped[str] = mapped_column(String(128), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.QUEUED.value)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SyncReceipt(Row):
    """An offline write from the field app, applied once: the key belongs to its user,
    and a replay answers with the stored result."""

    __tablename__ = "field_sync_receipt"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(24))
    result: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
