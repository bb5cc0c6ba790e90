"""Triage: a report keeps the language it was written in, the classifier's top three
suggestions, and why it was held as possible spam.

Create Date: 2026-12-06 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0009_triage"
down_revision: str | None = "0008_hardening"


def upgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.add_column(
            sa.Column("language", sa.String(length=16), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("suggestions", sa.String(length=160), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("spam_reasons", sa.String(length=160), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("case_file") as batch:
        batch.drop_column("spam_reasons")
        batch.drop_column("suggestions")
        batch.drop_column("language")
