"""Clocks you can trust: each assignment's response clock keeps its end, the
resolution clock pauses (paused_at) and verification has its own due time; the years
an administrator marked complete in the holiday table; the indexes the sweep and the
outbox delivery scan by.

Create Date: 2026-12-06 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0006_clocks"
down_revision: str | None = "0005_deliberation"


def upgrade() -> None:
    op.create_table(
        "holiday_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        boolean("complete"),
        string("marked_by", 64),
        ts("marked_at", nullable=True),
        pk("holiday_year", "year"),
    )
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(ts("paused_at", nullable=True))
        batch.add_column(ts("verification_due_at", nullable=True))
    with op.batch_alter_table("case_assignment") as batch:
        batch.add_column(ts("ended_at", nullable=True))
    partial_index(
        "ix_case_assignment_awaiting_due",
        "case_assignment",
        "response_due_at",
        "active AND acknowledged_at IS NULL",
    )
    partial_index("ix_outbox_unsent_available_at", "outbox", "available_at", "sent_at IS NULL")


def downgrade() -> None:
    op.drop_index("ix_outbox_unsent_available_at", table_name="outbox")
    op.drop_index("ix_case_assignment_awaiting_due", table_name="case_assignment")
    with op.batch_alter_table("case_assignment") as batch:
        batch.drop_column("ended_at")
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("verification_due_at")
        batch.drop_column("paused_at")
    op.drop_table("holiday_year")
