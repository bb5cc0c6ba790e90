"""Hardening: rate-limit hits, the reporter's credential and sealed free text on cases.

Revision ID: 0008_hardening
Revises: 0005_deliberation
Create Date: 2026-12-06 14:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_hardening"
down_revision: str | None = "0007_units"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(length=160), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_hit")),
    )
    op.create_index("ix_rate_hit_bucket_at", "rate_hit", ["bucket", "at"], unique=False)
    op.create_index(op.f("ix_rate_hit_at"), "rate_hit", ["at"], unique=False)
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reporter_secret_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("description_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_column("description_enc")
        batch_op.drop_column("reporter_secret_hash")
    op.drop_index(op.f("ix_rate_hit_at"), table_name="rate_hit")
    op.drop_index("ix_rate_hit_bucket_at", table_name="rate_hit")
    op.drop_table("rate_hit")
