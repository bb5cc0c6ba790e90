"""Cases: the category catalogue, grid matters lists, the holiday table, cases with
their assignments, timeline, photos, and the notification outbox; unit membership.

Revision ID: 0003_cases
Revises: 0002_territory_and_registry
Create Date: 2026-11-29 00:55:12.661076
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_cases"
down_revision: str | None = "0002_territory_and_registry"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("parent_code", sa.String(length=16), nullable=True),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("start_level", sa.String(length=16), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("response_amount", sa.Integer(), nullable=True),
        sa.Column("response_unit", sa.String(length=16), nullable=True),
        sa.Column("resolution_amount", sa.Integer(), nullable=True),
        sa.Column("resolution_unit", sa.String(length=16), nullable=True),
        sa.Column("reporter_confirms", sa.Boolean(), nullable=False),
        sa.Column("grid_allowed", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.String(length=16), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("code", name=op.f("uq_category_code")),
    )
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_category_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "holiday",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("is_workday", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_holiday")),
    )
    op.create_table(
        "grid_matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_code", sa.String(length=18), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_code"], ["category.code"], name=op.f("fk_grid_matter_category_code_category")
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["region.code"], name=op.f("fk_grid_matter_grid_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_matter")),
        sa.UniqueConstraint("grid_code", "category_code", name=op.f("uq_grid_matter_grid_code")),
    )
    with op.batch_alter_table("grid_matter", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_matter_grid_code"), ["grid_code"], unique=False)

    op.create_table(
        "case_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tracking_code", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_code", sa.String(length=16), nullable=True),
        sa.Column("suggested_category", sa.String(length=16), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("grid_code", sa.String(length=18), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.String(length=64), nullable=False),
        sa.Column("reporter_phone_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reporter_phone_index", sa.String(length=64), nullable=True),
        sa.Column("reporter_phone_masked", sa.String(length=32), nullable=True),
        sa.Column("reporter_user_id", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=128), nullable=False),
        sa.Column("spam_suspected", sa.Boolean(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_warning", sa.String(length=256), nullable=False),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("reworks", sa.Integer(), nullable=False),
        sa.Column("contested", sa.Boolean(), nullable=False),
        sa.Column("suspension_requested", sa.Boolean(), nullable=False),
        sa.Column("rating", sa.String(length=24), nullable=True),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('web', 'api', 'open311', 'chat', 'hotline', 'staff')",
            name=op.f("ck_case_file_channel"),
        ),
        sa.CheckConstraint(
            "level IN ('grid', 'community', 'street', 'department')",
            name=op.f("ck_case_file_level"),
        ),
        sa.CheckConstraint(
            "rating IN ('satisfied', 'basically_satisfied', 'dissatisfied')",
            name=op.f("ck_case_file_rating"),
        ),
        sa.CheckConstraint(
            "state IN ('submitted', 'accepted', 'rejected', 'assigned', 'acknowledged', 'in_progress', 'resolved', 'verified', 'closed', 'escalated', 'returned', 'suspended')",
            name=op.f("ck_case_file_state"),
        ),
        sa.ForeignKeyConstraint(
            ["category_code"], ["category.code"], name=op.f("fk_case_file_category_code_category")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["organisation.id"],
            name=op.f("fk_case_file_department_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["case_file.id"],
            name=op.f("fk_case_file_duplicate_of_id_case_file"),
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["region.code"], name=op.f("fk_case_file_grid_code_region")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_user_id"],
            ["user_account.id"],
            name=op.f("fk_case_file_reporter_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_case_file_idempotency_key")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_case_file_tracking_code")),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_file_category_code"), ["category_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_file_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_file_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index("ix_case_file_grid_code_state", ["grid_code", "state"], unique=False)
        batch_op.create_index(
            "ix_case_file_category_code_lat", ["category_code", "lat"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_file_reporter_phone_index"), ["reporter_phone_index"], unique=False
        )
        batch_op.create_index(
            "ix_case_file_state_resolution_due_at", ["state", "resolution_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_case_file_unit_code"), ["unit_code"], unique=False)

    op.create_table(
        "case_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("unit_code", sa.String(length=18), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("response_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_assignment_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["organisation.id"],
            name=op.f("fk_case_assignment_department_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_assignment")),
    )
    with op.batch_alter_table("case_assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_assignment_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_assignment_unit_code"), ["unit_code"], unique=False
        )

    op.create_table(
        "case_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("from_state", sa.String(length=16), nullable=True),
        sa.Column("to_state", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_event_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_event")),
    )
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_event_case_id"), ["case_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=128), nullable=False),
        sa.Column("subject", sa.String(length=256), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=128), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_outbox_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_outbox_sent_at_available_at", ["sent_at", "available_at"], unique=False
        )

    op.create_table(
        "case_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_photo_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["case_event.id"], name=op.f("fk_case_photo_event_id_case_event")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_photo")),
    )
    with op.batch_alter_table("case_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_photo_case_id"), ["case_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_user_account_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_user_account_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_column("organisation_id")

    with op.batch_alter_table("case_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_photo_case_id"))

    op.drop_table("case_photo")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_sent_at_available_at")
        batch_op.drop_index(batch_op.f("ix_outbox_case_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_event_case_id"))

    op.drop_table("case_event")
    with op.batch_alter_table("case_assignment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_assignment_unit_code"))
        batch_op.drop_index(batch_op.f("ix_case_assignment_case_id"))

    op.drop_table("case_assignment")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_file_unit_code"))
        batch_op.drop_index("ix_case_file_state_resolution_due_at")
        batch_op.drop_index("ix_case_file_category_code_lat")
        batch_op.drop_index(batch_op.f("ix_case_file_reporter_phone_index"))
        batch_op.drop_index("ix_case_file_grid_code_state")
        batch_op.drop_index(batch_op.f("ix_case_file_department_id"))
        batch_op.drop_index(batch_op.f("ix_case_file_created_at"))
        batch_op.drop_index(batch_op.f("ix_case_file_category_code"))

    op.drop_table("case_file")
    with op.batch_alter_table("grid_matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_matter_grid_code"))

    op.drop_table("grid_matter")
    op.drop_table("holiday")
    with op.batch_alter_table("category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_parent_code"))

    op.drop_table("category")
