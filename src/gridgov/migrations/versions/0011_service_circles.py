"""The 10-minute service circle: service points, the matters catalogue, service records,
walking networks, coverage snapshots and siting runs.

Revision ID: 0011_service_circles
Revises: 0005_deliberation
Create Date: 2026-12-06 14:39:22.796005
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_service_circles"
down_revision: str | None = "0010_outreach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "service_matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("department", sa.String(length=128), nullable=False),
        sa.Column("one_trip", sa.Boolean(), nullable=False),
        sa.Column("average_minutes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_matter")),
        sa.UniqueConstraint("code", name=op.f("uq_service_matter_code")),
    )
    op.create_table(
        "walk_network",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("edges", sa.Integer(), nullable=False),
        sa.Column("length_km", sa.Float(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint(
            "source IN ('geojson', 'osm_pbf', 'synthetic')", name=op.f("ck_walk_network_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_walk_network")),
    )
    op.create_table(
        "coverage_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("points_digest", sa.String(length=64), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("households", sa.Integer(), nullable=False),
        sa.Column("covered", sa.Integer(), nullable=False),
        sa.Column("by_region", sa.Text(), nullable=False),
        sa.Column("by_point", sa.Text(), nullable=False),
        sa.Column("distances", sa.LargeBinary(), nullable=False),
        sa.Column("isochrones", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["walk_network.id"],
            name=op.f("fk_coverage_snapshot_network_id_walk_network"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_snapshot")),
    )
    with op.batch_alter_table("coverage_snapshot", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coverage_snapshot_computed_at"), ["computed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coverage_snapshot_network_id"), ["network_id"], unique=False
        )

    op.create_table(
        "service_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("address", sa.String(length=256), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("opening_hours", sa.String(length=256), nullable=False),
        sa.Column("staff", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('party_people_centre', 'community_station', 'convenience_window')",
            name=op.f("ck_service_point_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_service_point_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_point")),
        sa.UniqueConstraint("code", name=op.f("uq_service_point_code")),
    )
    with op.batch_alter_table("service_point", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_point_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "service_point_matter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["service_matter.id"],
            name=op.f("fk_service_point_matter_matter_id_service_matter"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["service_point.id"],
            name=op.f("fk_service_point_matter_point_id_service_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_point_matter")),
        sa.UniqueConstraint("point_id", "matter_id", name=op.f("uq_service_point_matter_point_id")),
    )
    with op.batch_alter_table("service_point_matter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_point_matter_matter_id"), ["matter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_point_matter_point_id"), ["point_id"], unique=False
        )

    op.create_table(
        "service_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("matter_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_service_record_minutes")),
        sa.CheckConstraint("visits >= 1", name=op.f("ck_service_record_visits")),
        sa.ForeignKeyConstraint(
            ["matter_id"],
            ["service_matter.id"],
            name=op.f("fk_service_record_matter_id_service_matter"),
        ),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["service_point.id"],
            name=op.f("fk_service_record_point_id_service_point"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_record")),
    )
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_service_record_handled_at"), ["handled_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_service_record_matter_id"), ["matter_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_service_record_point_id"), ["point_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_service_record_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "siting_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column("solver", sa.String(length=8), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Float(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("method IN ('mclp', 'lscp')", name=op.f("ck_siting_run_method")),
        sa.CheckConstraint("solver IN ('greedy', 'exact')", name=op.f("ck_siting_run_solver")),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["coverage_snapshot.id"],
            name=op.f("fk_siting_run_snapshot_id_coverage_snapshot"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_siting_run")),
    )
    with op.batch_alter_table("siting_run", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_siting_run_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_siting_run_snapshot_id"), ["snapshot_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("siting_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_siting_run_snapshot_id"))
        batch_op.drop_index(batch_op.f("ix_siting_run_region_code"))

    op.drop_table("siting_run")
    with op.batch_alter_table("service_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_record_region_code"))
        batch_op.drop_index(batch_op.f("ix_service_record_point_id"))
        batch_op.drop_index(batch_op.f("ix_service_record_matter_id"))
        batch_op.drop_index(batch_op.f("ix_service_record_handled_at"))

    op.drop_table("service_record")
    with op.batch_alter_table("service_point_matter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_point_matter_point_id"))
        batch_op.drop_index(batch_op.f("ix_service_point_matter_matter_id"))

    op.drop_table("service_point_matter")
    with op.batch_alter_table("service_point", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_point_region_code"))

    op.drop_table("service_point")
    with op.batch_alter_table("coverage_snapshot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_snapshot_network_id"))
        batch_op.drop_index(batch_op.f("ix_coverage_snapshot_computed_at"))

    op.drop_table("coverage_snapshot")
    op.drop_table("walk_network")
    op.drop_table("service_matter")
