"""Cases: the category catalogue, grid matters lists, the holiday table, cases with
their assignments, timeline, photos, and the notification outbox; unit membership.

Create Date: 2026-11-29 00:55:12.661076
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0003_cases"
down_revision: str | None = "0002_territory_and_registry"


def upgrade() -> None:
    table(
        "category",
        string("code", 16),
        string("parent_code", 16, nullable=True),
        string("name_zh", 64),
        string("name_en", 128),
        string("start_level", 16, nullable=True),
        string("department", 64, nullable=True),
        integer("response_amount", nullable=True),
        string("response_unit", 16, nullable=True),
        integer("resolution_amount", nullable=True),
        string("resolution_unit", 16, nullable=True),
        boolean("reporter_confirms"),
        boolean("grid_allowed"),
        string("urgency", 16, nullable=True),
        boolean("active"),
        sa.UniqueConstraint("code", name=op.f("uq_category_code")),
    )
    index("category", "parent_code")

    op.create_table(
        "holiday",
        date("day"),
        boolean("is_workday"),
        string("note", 128),
        pk("holiday", "day"),
    )
    table(
        "grid_matter",
        string("grid_code", 18),
        string("category_code", 16),
        sa.UniqueConstraint("grid_code", "category_code", name=op.f("uq_grid_matter_grid_code")),
        refs={"category_code": "category.code", "grid_code": "region.code"},
    )
    index("grid_matter", "grid_code")

    table(
        "case_file",
        string("tracking_code", 16),
        string("idempotency_key", 128, nullable=True),
        string("channel", 16),
        string("state", 16),
        text("description"),
        string("category_code", 16, nullable=True),
        string("suggested_category", 16, nullable=True),
        real("lon", nullable=True),
        real("lat", nullable=True),
        string("address", 256),
        string("grid_code", 18, nullable=True),
        string("level", 16),
        string("unit_code", 18, nullable=True),
        integer("department_id", nullable=True),
        string("reporter_name", 64),
        binary("reporter_phone_enc", nullable=True),
        string("reporter_phone_index", 64, nullable=True),
        string("reporter_phone_masked", 32, nullable=True),
        integer("reporter_user_id", nullable=True),
        boolean("anonymous"),
        string("source", 128),
        boolean("spam_suspected"),
        integer("duplicate_of_id", nullable=True),
        ts("created_at"),
        ts("updated_at"),
        ts("assigned_at", nullable=True),
        ts("response_due_at", nullable=True),
        ts("resolution_due_at", nullable=True),
        ts("acknowledged_at", nullable=True),
        ts("resolved_at", nullable=True),
        ts("closed_at", nullable=True),
        ts("overdue_at", nullable=True),
        string("due_warning", 256),
        integer("escalations"),
        integer("reworks"),
        boolean("contested"),
        boolean("suspension_requested"),
        string("rating", 24, nullable=True),
        ts("rated_at", nullable=True),
        integer("version"),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_case_file_idempotency_key")),
        sa.UniqueConstraint("tracking_code", name=op.f("uq_case_file_tracking_code")),
        checks={
            "channel": ("web", "api", "open311", "chat", "hotline", "staff"),
            "level": ("grid", "community", "street", "department"),
            "rating": ("satisfied", "basically_satisfied", "dissatisfied"),
            "state": (
                "submitted",
                "accepted",
                "rejected",
                "assigned",
                "acknowledged",
                "in_progress",
                "resolved",
                "verified",
                "closed",
                "escalated",
                "returned",
                "suspended",
            ),
        },
        refs={
            "category_code": "category.code",
            "department_id": "organisation.id",
            "duplicate_of_id": "case_file.id",
            "grid_code": "region.code",
            "reporter_user_id": "user_account.id",
        },
    )
    index("case_file", "category_code")
    index("case_file", "created_at")
    index("case_file", "department_id")
    index("case_file", "grid_code", "state", name="ix_case_file_grid_code_state")
    index("case_file", "category_code", "lat", name="ix_case_file_category_code_lat")
    index("case_file", "reporter_phone_index")
    index("case_file", "state", "resolution_due_at", name="ix_case_file_state_resolution_due_at")
    index("case_file", "unit_code")

    table(
        "case_assignment",
        integer("case_id"),
        string("level", 16),
        string("unit_code", 18),
        integer("department_id", nullable=True),
        boolean("lead"),
        boolean("active"),
        ts("assigned_at"),
        ts("response_due_at", nullable=True),
        ts("acknowledged_at", nullable=True),
        refs={"case_id": "case_file.id", "department_id": "organisation.id"},
    )
    index("case_assignment", "case_id")
    index("case_assignment", "unit_code")

    table(
        "case_event",
        integer("case_id"),
        ts("at"),
        string("actor", 64),
        string("role", 32),
        string("kind", 32),
        string("from_state", 16, nullable=True),
        string("to_state", 16, nullable=True),
        text("note"),
        boolean("public"),
        refs={"case_id": "case_file.id"},
    )
    index("case_event", "case_id")

    table(
        "outbox",
        ts("created_at"),
        ts("available_at"),
        string("channel", 16),
        string("recipient", 128),
        string("subject", 256),
        text("body"),
        integer("case_id", nullable=True),
        string("dedupe_key", 128),
        ts("sent_at", nullable=True),
        integer("attempts"),
        string("last_error", 256),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_outbox_dedupe_key")),
        refs={"case_id": "case_file.id"},
    )
    index("outbox", "case_id")
    index("outbox", "sent_at", "available_at", name="ix_outbox_sent_at_available_at")

    table(
        "case_photo",
        integer("case_id"),
        integer("event_id", nullable=True),
        string("content_type", 32),
        integer("size"),
        string("sha256", 64),
        binary("data"),
        ts("created_at"),
        refs={"case_id": "case_file.id", "event_id": "case_event.id"},
    )
    index("case_photo", "case_id")

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(integer("organisation_id", nullable=True))
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

    drop_tables(
        "case_photo",
        "outbox",
        "case_event",
        "case_assignment",
        "case_file",
        "grid_matter",
        "holiday",
        "category",
    )
