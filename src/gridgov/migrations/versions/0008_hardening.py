"""Hardening: rate-limit hits, the reporter's credential and sealed free text on cases.

Create Date: 2026-12-06 14:40:00.000000
"""

from __future__ import annotations

from alembic import op

from gridgov.migrations.columns import *

revision: str = "0008_hardening"
down_revision: str | None = "0007_units"


def upgrade() -> None:
    table("rate_hit", string("bucket", 160), ts("at"))
    index("rate_hit", "bucket", "at", name="ix_rate_hit_bucket_at")
    index("rate_hit", "at")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(string("reporter_secret_hash", 64, nullable=True))
        batch_op.add_column(binary("description_enc", nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("description_enc")
        batch_op.drop_column("reporter_secret_hash")
    op.drop_index(op.f("ix_rate_hit_at"), table_name="rate_hit")
    op.drop_index("ix_rate_hit_bucket_at", table_name="rate_hit")
    op.drop_table("rate_hit")
