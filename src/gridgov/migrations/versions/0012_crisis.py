"""Crisis mode: incidents with their posts (three levels, two teams) and tasks,
household check-ins with sensitive flags, broadcasts with one block per language and
their deliveries, and the field app's sync receipts.

Create Date: 2026-12-06 14:35:46.619445
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0012_crisis"
down_revision: str | None = "0011_service_circles"


def upgrade() -> None:
    table(
        "incident",
        string("title", 128),
        string("kind", 16),
        string("level", 16),
        string("state", 16),
        string("region_code", 18),
        text("area_codes"),
        text("area_geojson", nullable=True),
        integer("unreached_hours"),
        integer("retention_days"),
        ts("started_at"),
        ts("closed_at", nullable=True),
        ts("anonymised_at", nullable=True),
        string("created_by", 64),
        integer("version"),
        checks={
            "kind": ("epidemic", "typhoon", "flood", "fire", "outage"),
            "level": ("level_iv", "level_iii", "level_ii", "level_i"),
            "state": ("ongoing", "ended"),
        },
        refs={"region_code": "region.code"},
    )
    index("incident", "region_code")

    table(
        "broadcast",
        integer("incident_id", nullable=True),
        string("region_code", 18),
        text("area_codes"),
        string("severity", 16),
        string("fallback_language", 16),
        ts("created_at"),
        string("created_by", 64),
        ts("sent_at", nullable=True),
        checks={"severity": ("bulletin", "alert")},
        refs={"incident_id": "incident.id", "region_code": "region.code"},
    )
    index("broadcast", "incident_id")
    index("broadcast", "region_code")

    table(
        "broadcast_block",
        integer("broadcast_id"),
        string("language", 16),
        string("headline", 200),
        text("body"),
        sa.UniqueConstraint(
            "broadcast_id", "language", name=op.f("uq_broadcast_block_broadcast_id")
        ),
        refs={"broadcast_id": "broadcast.id"},
    )
    table(
        "broadcast_delivery",
        integer("broadcast_id"),
        integer("household_id"),
        string("grid_code", 32),
        string("language", 16),
        string("channel", 16),
        string("recipient", 128),
        string("outbox_key", 128),
        string("status", 16),
        ts("queued_at"),
        ts("delivered_at", nullable=True),
        ts("read_at", nullable=True),
        sa.UniqueConstraint(
            "broadcast_id", "household_id", name=op.f("uq_broadcast_delivery_broadcast_id")
        ),
        sa.UniqueConstraint("outbox_key", name=op.f("uq_broadcast_delivery_outbox_key")),
        checks={
            "channel": ("in_app", "sms", "chat"),
            "status": ("queued", "delivered", "read", "failed"),
        },
        refs={"broadcast_id": "broadcast.id", "household_id": "household.id"},
    )
    index(
        "broadcast_delivery",
        "broadcast_id",
        "status",
        name="ix_broadcast_delivery_broadcast_id_status",
    )
    index("broadcast_delivery", "household_id")

    table(
        "household_checkin",
        integer("incident_id"),
        integer("household_id"),
        string("grid_code", 32),
        string("status", 16),
        string("needs", 128),
        string("flags", 128),
        integer("priority"),
        text("note"),
        ts("updated_at", nullable=True),
        string("updated_by", 64),
        ts("escalated_at", nullable=True),
        boolean("missed_broadcast"),
        boolean("anonymised"),
        integer("version"),
        sa.UniqueConstraint(
            "incident_id", "household_id", name=op.f("uq_household_checkin_incident_id")
        ),
        checks={"status": ("unreached", "reached", "safe", "needs_help", "absent", "refused")},
        refs={"household_id": "household.id", "incident_id": "incident.id"},
    )
    index("household_checkin", "household_id")
    index(
        "household_checkin",
        "incident_id",
        "grid_code",
        name="ix_household_checkin_incident_id_grid_code",
    )

    table(
        "incident_post",
        integer("incident_id"),
        string("post", 24),
        string("unit_code", 32),
        integer("resident_id"),
        sa.UniqueConstraint(
            "incident_id",
            "post",
            "resident_id",
            "unit_code",
            name=op.f("uq_incident_post_incident_id"),
        ),
        checks={"post": ("community_lead", "grid_lead", "building_lead", "vanguard", "volunteer")},
        refs={"incident_id": "incident.id", "resident_id": "resident.id"},
    )
    index("incident_post", "incident_id")
    index("incident_post", "resident_id")

    table(
        "field_sync_receipt",
        integer("user_id"),
        string("key", 64),
        string("kind", 24),
        text("result"),
        ts("created_at"),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_field_sync_receipt_user_id")),
        refs={"user_id": "user_account.id"},
    )
    table(
        "incident_task",
        integer("incident_id"),
        string("kind", 24),
        string("state", 16),
        string("level", 16),
        string("grid_code", 18),
        integer("building_id", nullable=True),
        integer("assignee_post_id", nullable=True),
        text("note"),
        ts("due_at", nullable=True),
        ts("created_at"),
        ts("updated_at"),
        ts("done_at", nullable=True),
        integer("escalations"),
        integer("version"),
        checks={
            "kind": ("door_to_door", "supply_delivery", "transfer"),
            "level": ("grid", "community", "street"),
            "state": ("open", "in_progress", "done", "cancelled"),
        },
        refs={
            "assignee_post_id": "incident_post.id",
            "building_id": "building.id",
            "grid_code": "region.code",
            "incident_id": "incident.id",
        },
    )
    index("incident_task", "grid_code")
    index("incident_task", "incident_id")
    index("incident_task", "state", "due_at", name="ix_incident_task_state_due_at")


def downgrade() -> None:
    drop_tables(
        "incident_task",
        "field_sync_receipt",
        "incident_post",
        "household_checkin",
        "broadcast_delivery",
        "broadcast_block",
        "broadcast",
        "incident",
    )
