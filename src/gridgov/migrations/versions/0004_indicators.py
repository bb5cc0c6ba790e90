"""Indicators: tree revisions, computed snapshots with every unit's score, and manual
assessments with their evidence and second review.

Revision ID: 0004_indicators
Revises: 0003_cases
Create Date: 2026-11-29 02:55:29.342606
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_indicators"
down_revision: str | None = "0003_cases"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_key", sa.String(length=48), nullable=False),
        sa.Column("indicator_id", sa.String(length=48), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("attachment", sa.LargeBinary(), nullable=True),
        sa.Column("attachment_name", sa.String(length=128), nullable=False),
        sa.Column("attachment_type", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("scored_by", sa.String(length=64), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'confirmed', 'rejected')",
            name=op.f("ck_indicator_assessment_state"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_assessment")),
        sa.UniqueConstraint(
            "tree_key",
            "indicator_id",
            "period",
            "unit",
            name=op.f("uq_indicator_assessment_tree_key"),
        ),
    )
    with op.batch_alter_table("indicator_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_assessment_period"), ["period"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_indicator_assessment_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "indicator_tree",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_tree")),
        sa.UniqueConstraint("key", "revision", name=op.f("uq_indicator_tree_key")),
    )
    op.create_table(
        "indicator_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tree_id", sa.Integer(), nullable=False),
        sa.Column("tree_key", sa.String(length=48), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("computed_by", sa.String(length=64), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["tree_id"],
            ["indicator_tree.id"],
            name=op.f("fk_indicator_snapshot_tree_id_indicator_tree"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_snapshot")),
        sa.UniqueConstraint("tree_id", "period", name=op.f("uq_indicator_snapshot_tree_id")),
    )
    with op.batch_alter_table("indicator_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_snapshot_tree_id"), ["tree_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_indicator_snapshot_tree_key"), ["tree_key"], unique=False
        )

    op.create_table(
        "indicator_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("unit_name", sa.String(length=128), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("league", sa.String(length=24), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=8), nullable=False),
        sa.Column("previous_rank", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["indicator_snapshot.id"],
            name=op.f("fk_indicator_score_snapshot_id_indicator_snapshot"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_score")),
        sa.UniqueConstraint("snapshot_id", "unit", name=op.f("uq_indicator_score_snapshot_id")),
    )
    with op.batch_alter_table("indicator_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_indicator_score_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_indicator_score_snapshot_id"), ["snapshot_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_score_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_indicator_score_region_code"))

    op.drop_table("indicator_score")
    with op.batch_alter_table("indicator_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_snapshot_tree_key"))
        batch_op.drop_index(batch_op.f("ix_indicator_snapshot_tree_id"))

    op.drop_table("indicator_snapshot")
    op.drop_table("indicator_tree")
    with op.batch_alter_table("indicator_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_assessment_region_code"))
        batch_op.drop_index(batch_op.f("ix_indicator_assessment_period"))

    op.drop_table("indicator_assessment")
