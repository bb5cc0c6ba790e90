"""Crisis mode: incidents with their posts (three levels, two teams) and tasks,
household check-ins with sensitive flags, broadcasts with one block per language and
their deliveries, and the field app's sync receipts.

Revision ID: 0012_crisis
Revises: 0005_deliberation
Create Date: 2026-12-06 14:35:46.619445
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_crisis"
down_revision: str | None = "0011_service_circles"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("area_codes", sa.Text(), nullable=False),
        sa.Column("area_geojson", sa.Text(), nullable=True),
        sa.Column("unreached_hours", sa.Integer(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('epidemic', 'typhoon', 'flood', 'fire', 'outage')",
            name=op.f("ck_incident_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('level_iv', 'level_iii', 'level_ii', 'level_i')",
            name=op.f("ck_incident_level"),
        ),
        sa.CheckConstraint("state IN ('ongoing', 'ended')", name=op.f("ck_incident_state")),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_incident_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_region_code"), ["region_code"], unique=False)

    op.create_table(
        "broadcast",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("area_codes", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("fallback_language", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("severity IN ('bulletin', 'alert')", name=op.f("ck_broadcast_severity")),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_broadcast_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_broadcast_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast")),
    )
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_broadcast_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_broadcast_region_code"), ["region_code"], unique=False)

    op.create_table(
        "broadcast_block",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("headline", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcast.id"],
            name=op.f("fk_broadcast_block_broadcast_id_broadcast"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_block")),
        sa.UniqueConstraint(
            "broadcast_id", "language", name=op.f("uq_broadcast_block_broadcast_id")
        ),
    )
    op.create_table(
        "broadcast_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("outbox_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "channel IN ('in_app', 'sms', 'chat')", name=op.f("ck_broadcast_delivery_channel")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'delivered', 'read', 'failed')",
            name=op.f("ck_broadcast_delivery_status"),
        ),
        sa.ForeignKeyConstraint(
            ["broadcast_id"],
            ["broadcast.id"],
            name=op.f("fk_broadcast_delivery_broadcast_id_broadcast"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_broadcast_delivery_household_id_household"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_broadcast_delivery")),
        sa.UniqueConstraint(
            "broadcast_id", "household_id", name=op.f("uq_broadcast_delivery_broadcast_id")
        ),
        sa.UniqueConstraint("outbox_key", name=op.f("uq_broadcast_delivery_outbox_key")),
    )
    with op.batch_alter_table("broadcast_delivery", schema=None) as batch_op:
        batch_op.create_index(
            "ix_broadcast_delivery_broadcast_id_status", ["broadcast_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_broadcast_delivery_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "household_checkin",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("needs", sa.String(length=128), nullable=False),
        sa.Column("flags", sa.String(length=128), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("missed_broadcast", sa.Boolean(), nullable=False),
        sa.Column("anonymised", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('unreached', 'reached', 'safe', 'needs_help', 'absent', 'refused')",
            name=op.f("ck_household_checkin_status"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_household_checkin_household_id_household"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_household_checkin_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_checkin")),
        sa.UniqueConstraint(
            "incident_id", "household_id", name=op.f("uq_household_checkin_incident_id")
        ),
    )
    with op.batch_alter_table("household_checkin", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_household_checkin_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            "ix_household_checkin_incident_id_grid_code", ["incident_id", "grid_code"], unique=False
        )

    op.create_table(
        "incident_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("post", sa.String(length=24), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "post IN ('community_lead', 'grid_lead', 'building_lead', 'vanguard', 'volunteer')",
            name=op.f("ck_incident_post_post"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_post_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_incident_post_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_post")),
        sa.UniqueConstraint(
            "incident_id",
            "post",
            "resident_id",
            "unit_code",
            name=op.f("uq_incident_post_incident_id"),
        ),
    )
    with op.batch_alter_table("incident_post", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_post_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_post_resident_id"), ["resident_id"], unique=False
        )

    op.create_table(
        "field_sync_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_field_sync_receipt_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_sync_receipt")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_field_sync_receipt_user_id")),
    )
    op.create_table(
        "incident_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("grid_code", sa.String(length=18), nullable=False),
        sa.Column("building_id", sa.Integer(), nullable=True),
        sa.Column("assignee_post_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('door_to_door', 'supply_delivery', 'transfer')",
            name=op.f("ck_incident_task_kind"),
        ),
        sa.CheckConstraint(
            "level IN ('grid', 'community', 'street')", name=op.f("ck_incident_task_level")
        ),
        sa.CheckConstraint(
            "state IN ('open', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_incident_task_state"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_post_id"],
            ["incident_post.id"],
            name=op.f("fk_incident_task_assignee_post_id_incident_post"),
        ),
        sa.ForeignKeyConstraint(
            ["building_id"], ["building.id"], name=op.f("fk_incident_task_building_id_building")
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["region.code"], name=op.f("fk_incident_task_grid_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_task_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_task")),
    )
    with op.batch_alter_table("incident_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_task_grid_code"), ["grid_code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_task_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index("ix_incident_task_state_due_at", ["state", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("incident_task", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_task_state_due_at")
        batch_op.drop_index(batch_op.f("ix_incident_task_incident_id"))
        batch_op.drop_index(batch_op.f("ix_incident_task_grid_code"))

    op.drop_table("incident_task")
    op.drop_table("field_sync_receipt")
    with op.batch_alter_table("incident_post", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_post_resident_id"))
        batch_op.drop_index(batch_op.f("ix_incident_post_incident_id"))

    op.drop_table("incident_post")
    with op.batch_alter_table("household_checkin", schema=None) as batch_op:
        batch_op.drop_index("ix_household_checkin_incident_id_grid_code")
        batch_op.drop_index(batch_op.f("ix_household_checkin_household_id"))

    op.drop_table("household_checkin")
    with op.batch_alter_table("broadcast_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_delivery_household_id"))
        batch_op.drop_index("ix_broadcast_delivery_broadcast_id_status")

    op.drop_table("broadcast_delivery")
    op.drop_table("broadcast_block")
    with op.batch_alter_table("broadcast", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_broadcast_region_code"))
        batch_op.drop_index(batch_op.f("ix_broadcast_incident_id"))

    op.drop_table("broadcast")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_region_code"))

    op.drop_table("incident")
