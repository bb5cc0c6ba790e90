"""The 10-minute service circle: service points, the matters catalogue, service records,
walking networks, coverage snapshots and siting runs.

Revision ID: 0011_service_circles
Revises: 0005_deliberation
Create Date: 2026-12-06 14:39:22.796005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0011_service_circles"
down_revision: str | None = "0010_outreach"


def upgrade() -> None:
    op.create_table(
        "service_matter",
        integer("id"),
        string("code", 32),
        text("names"),
        text("documents"),
        string("department", 128),
        boolean("one_trip"),
        integer("average_minutes"),
        pk("service_matter"),
        sa.UniqueConstraint("code", name=op.f("uq_service_matter_code")),
    )
    op.create_table(
        "walk_network",
        integer("id"),
        string("name", 128),
        string("source", 16),
        integer("nodes"),
        integer("edges"),
        real("length_km"),
        binary("data"),
        string("digest", 64),
        boolean("active"),
        text("note"),
        ts("created_at"),
        string("created_by", 64),
        sa.CheckConstraint(
            "source IN ('geojson', 'osm_pbf', 'synthetic')", name=op.f("ck_walk_network_source")
        ),
        pk("walk_network"),
    )
    op.create_table(
        "coverage_snapshot",
        integer("id"),
        integer("network_id"),
        ts("computed_at"),
        string("reason", 64),
        real("minutes"),
        real("speed"),
        string("points_digest", 64),
        integer("points"),
        integer("households"),
        integer("covered"),
        text("by_region"),
        text("by_point"),
        binary("distances"),
        text("isochrones"),
        fk("coverage_snapshot", "network_id", "walk_network.id"),
        pk("coverage_snapshot"),
    )
    index("coverage_snapshot", "computed_at")
    index("coverage_snapshot", "network_id")

    op.create_table(
        "service_point",
        integer("id"),
        string("code", 32),
        string("name", 128),
        string("kind", 24),
        string("region_code", 18),
        string("address", 256),
        real("lon"),
        real("lat"),
        string("opening_hours", 256),
        integer("staff"),
        boolean("active"),
        ts("created_at"),
        ts("updated_at"),
        sa.CheckConstraint(
            "kind IN ('party_people_centre', 'community_station', 'convenience_window')",
            name=op.f("ck_service_point_kind"),
        ),
        fk("service_point", "region_code", "region.code"),
        pk("service_point"),
        sa.UniqueConstraint("code", name=op.f("uq_service_point_code")),
    )
    index("service_point", "region_code")

    op.create_table(
        "service_point_matter",
        integer("id"),
        integer("point_id"),
        integer("matter_id"),
        fk("service_point_matter", "matter_id", "service_matter.id"),
        fk("service_point_matter", "point_id", "service_point.id"),
        pk("service_point_matter"),
        sa.UniqueConstraint("point_id", "matter_id", name=op.f("uq_service_point_matter_point_id")),
    )
    index("service_point_matter", "matter_id")
    index("service_point_matter", "point_id")

    op.create_table(
        "service_record",
        integer("id"),
        integer("point_id"),
        integer("matter_id"),
        string("region_code", 18),
        ts("handled_at"),
        integer("visits"),
        integer("minutes"),
        string("recorded_by", 64),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_service_record_minutes")),
        sa.CheckConstraint("visits >= 1", name=op.f("ck_service_record_visits")),
        fk("service_record", "matter_id", "service_matter.id"),
        fk("service_record", "point_id", "service_point.id"),
        pk("service_record"),
    )
    index("service_record", "handled_at")
    index("service_record", "matter_id")
    index("service_record", "point_id")
    index("service_record", "region_code")

    op.create_table(
        "siting_run",
        integer("id"),
        string("region_code", 18),
        string("method", 8),
        string("solver", 8),
        integer("k"),
        real("minutes"),
        integer("snapshot_id"),
        text("result"),
        ts("created_at"),
        string("created_by", 64),
        sa.CheckConstraint("method IN ('mclp', 'lscp')", name=op.f("ck_siting_run_method")),
        sa.CheckConstraint("solver IN ('greedy', 'exact')", name=op.f("ck_siting_run_solver")),
        fk("siting_run", "snapshot_id", "coverage_snapshot.id"),
        pk("siting_run"),
    )
    index("siting_run", "region_code")
    index("siting_run", "snapshot_id")


def downgrade() -> None:
    drop_tables(
        "siting_run",
        "service_record",
        "service_point_matter",
        "service_point",
        "coverage_snapshot",
        "walk_network",
        "service_matter",
    )
