"""The 10-minute service circle: service points, the matters catalogue, service records,
walking networks, coverage snapshots and siting runs.

Create Date: 2026-12-06 14:39:22.796005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0011_service_circles"
down_revision: str | None = "0010_outreach"


def upgrade() -> None:
    table(
        "service_matter",
        string("code", 32),
        text("names"),
        text("documents"),
        string("department", 128),
        boolean("one_trip"),
        integer("average_minutes"),
        sa.UniqueConstraint("code", name=op.f("uq_service_matter_code")),
    )
    table(
        "walk_network",
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
        checks={"source": ("geojson", "osm_pbf", "synthetic")},
    )
    table(
        "coverage_snapshot",
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
        refs={"network_id": "walk_network.id"},
    )
    index("coverage_snapshot", "computed_at")
    index("coverage_snapshot", "network_id")

    table(
        "service_point",
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
        sa.UniqueConstraint("code", name=op.f("uq_service_point_code")),
        checks={"kind": ("party_people_centre", "community_station", "convenience_window")},
        refs={"region_code": "region.code"},
    )
    index("service_point", "region_code")

    table(
        "service_point_matter",
        integer("point_id"),
        integer("matter_id"),
        sa.UniqueConstraint("point_id", "matter_id", name=op.f("uq_service_point_matter_point_id")),
        refs={"matter_id": "service_matter.id", "point_id": "service_point.id"},
    )
    index("service_point_matter", "matter_id")
    index("service_point_matter", "point_id")

    table(
        "service_record",
        integer("point_id"),
        integer("matter_id"),
        string("region_code", 18),
        ts("handled_at"),
        integer("visits"),
        integer("minutes"),
        string("recorded_by", 64),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_service_record_minutes")),
        sa.CheckConstraint("visits >= 1", name=op.f("ck_service_record_visits")),
        refs={"matter_id": "service_matter.id", "point_id": "service_point.id"},
    )
    index("service_record", "handled_at")
    index("service_record", "matter_id")
    index("service_record", "point_id")
    index("service_record", "region_code")

    table(
        "siting_run",
        string("region_code", 18),
        string("method", 8),
        string("solver", 8),
        integer("k"),
        real("minutes"),
        integer("snapshot_id"),
        text("result"),
        ts("created_at"),
        string("created_by", 64),
        checks={"method": ("mclp", "lscp"), "solver": ("greedy", "exact")},
        refs={"snapshot_id": "coverage_snapshot.id"},
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
