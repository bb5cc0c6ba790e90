"""Photos keep a thumbnail (at most 320 px) beside the resized photo, for lists.

Revision ID: 0013_photo_thumbnails
Revises: 0012_crisis
Create Date: 2026-12-06 16:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_photo_thumbnails"
down_revision: str | None = "0012_crisis"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_photo") as batch:
        batch.add_column(sa.Column("thumbnail", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_photo") as batch:
        batch.drop_column("thumbnail")
