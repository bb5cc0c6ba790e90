"""Units and their staff: find a unit's accounts by their unit, and remember when each
user last read their notifications (the navigation's unread badge).

Create Date: 2026-12-06 14:50:00
"""

from __future__ import annotations

from alembic import op

from gridgov.migrations.columns import *

revision: str = "0007_units"
down_revision: str | None = "0006_clocks"


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(ts("notifications_seen_at", nullable=True))
        batch_op.create_index(
            batch_op.f("ix_user_account_organisation_id"), ["organisation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_account_organisation_id"))
        batch_op.drop_column("notifications_seen_at")
