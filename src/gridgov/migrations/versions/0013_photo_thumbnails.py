"""Photos keep a thumbnail (at most 320 px) beside the resized photo, for lists.

Create Date: 2026-12-06 16:30:00
"""

from __future__ import annotations

from alembic import op

from gridgov.migrations.columns import *

revision: str = "0013_photo_thumbnails"
down_revision: str | None = "0012_crisis"


def upgrade() -> None:
    with op.batch_alter_table("case_photo") as batch:
        batch.add_column(binary("thumbnail", nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_photo") as batch:
        batch.drop_column("thumbnail")
