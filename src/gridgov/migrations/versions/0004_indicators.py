"""Indicators: tree revisions, computed snapshots with every unit's score, and manual
assessments with their evidence and second review.

Create Date: 2026-11-29 02:55:29.342606
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0004_indicators"
down_revision: str | None = "0003_cases"


def upgrade() -> None:
    table(
        "indicator_assessment",
        string("tree_key", 48),
        string("indicator_id", 48),
        string("period", 8),
        string("unit", 32),
        string("region_code", 18),
        real("points"),
        text("evidence"),
        binary("attachment", nullable=True),
        string("attachment_name", 128),
        string("attachment_type", 64),
        string("state", 16),
        string("scored_by", 64),
        ts("scored_at"),
        string("reviewed_by", 64, nullable=True),
        ts("reviewed_at", nullable=True),
        text("review_note"),
        sa.UniqueConstraint(
            "tree_key",
            "indicator_id",
            "period",
            "unit",
            name=op.f("uq_indicator_assessment_tree_key"),
        ),
        checks={"state": ("pending", "confirmed", "rejected")},
    )
    index("indicator_assessment", "period")
    index("indicator_assessment", "region_code")

    table(
        "indicator_tree",
        string("key", 48),
        integer("revision"),
        string("name_zh", 128),
        string("name_en", 128),
        text("source"),
        string("sha256", 64),
        ts("loaded_at"),
        string("loaded_by", 64),
        sa.UniqueConstraint("key", "revision", name=op.f("uq_indicator_tree_key")),
    )
    table(
        "indicator_snapshot",
        integer("tree_id"),
        string("tree_key", 48),
        string("period", 8),
        ts("computed_at"),
        string("computed_by", 64),
        boolean("final"),
        string("digest", 64),
        sa.UniqueConstraint("tree_id", "period", name=op.f("uq_indicator_snapshot_tree_id")),
        refs={"tree_id": "indicator_tree.id"},
    )
    index("indicator_snapshot", "tree_id")
    index("indicator_snapshot", "tree_key")

    table(
        "indicator_score",
        integer("snapshot_id"),
        string("unit", 32),
        string("unit_name", 128),
        string("region_code", 18),
        string("league", 24),
        real("total"),
        integer("rank"),
        string("band", 8),
        integer("previous_rank", nullable=True),
        text("detail"),
        sa.UniqueConstraint("snapshot_id", "unit", name=op.f("uq_indicator_score_snapshot_id")),
        refs={"snapshot_id": "indicator_snapshot.id"},
    )
    index("indicator_score", "region_code")
    index("indicator_score", "snapshot_id")


def downgrade() -> None:
    drop_tables("indicator_score", "indicator_snapshot", "indicator_tree", "indicator_assessment")
