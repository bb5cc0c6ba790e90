"""Volunteers: teams serving a region (an international flag, a leader from the register),
their members, activities with places and credited minutes, sign-ups with check-in and
check-out, and service-hours certificates with verification codes.

Create Date: 2026-12-06 20:59:45.155689
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0014_volunteers"
down_revision: str | None = "0013_photo_thumbnails"


def upgrade() -> None:
    table(
        "volunteer_team",
        string("region_code", 18),
        string("name", 128),
        boolean("international"),
        integer("leader_id", nullable=True),
        string("created_by", 64),
        ts("created_at"),
        sa.UniqueConstraint("region_code", "name", name=op.f("uq_volunteer_team_region_code")),
        refs={"leader_id": "resident.id", "region_code": "region.code"},
    )
    index("volunteer_team", "leader_id")
    index("volunteer_team", "region_code")

    table(
        "volunteer_activity",
        integer("team_id"),
        string("region_code", 18),
        string("title", 200),
        string("place", 200),
        ts("starts_at"),
        ts("ends_at"),
        integer("capacity"),
        integer("credit_minutes"),
        string("created_by", 64),
        ts("created_at"),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_volunteer_activity_capacity")),
        sa.CheckConstraint("credit_minutes > 0", name=op.f("ck_volunteer_activity_credit_minutes")),
        refs={"team_id": "volunteer_team.id"},
    )
    index("volunteer_activity", "region_code")
    index("volunteer_activity", "starts_at")
    index("volunteer_activity", "team_id")

    table(
        "volunteer_certificate",
        string("code", 16),
        integer("resident_id"),
        integer("team_id"),
        string("region_code", 18),
        date("period_start"),
        date("period_end"),
        integer("minutes"),
        integer("activities"),
        string("issuer", 200),
        string("issued_by", 64),
        ts("issued_at"),
        sa.UniqueConstraint("code", name=op.f("uq_volunteer_certificate_code")),
        refs={"resident_id": "resident.id", "team_id": "volunteer_team.id"},
    )
    index("volunteer_certificate", "region_code")
    index("volunteer_certificate", "resident_id")
    index("volunteer_certificate", "team_id")

    table(
        "volunteer_member",
        integer("team_id"),
        integer("resident_id"),
        date("since"),
        sa.UniqueConstraint("team_id", "resident_id", name=op.f("uq_volunteer_member_team_id")),
        refs={"resident_id": "resident.id", "team_id": "volunteer_team.id"},
    )
    index("volunteer_member", "resident_id")
    index("volunteer_member", "team_id")

    table(
        "volunteer_signup",
        integer("activity_id"),
        integer("resident_id"),
        string("signed_up_by", 64),
        ts("signed_up_at"),
        ts("checked_in_at", nullable=True),
        ts("checked_out_at", nullable=True),
        integer("minutes"),
        string("recorded_by", 64, nullable=True),
        sa.UniqueConstraint(
            "activity_id", "resident_id", name=op.f("uq_volunteer_signup_activity_id")
        ),
        refs={"activity_id": "volunteer_activity.id", "resident_id": "resident.id"},
    )
    index("volunteer_signup", "activity_id")
    index("volunteer_signup", "resident_id")


def downgrade() -> None:
    drop_tables(
        "volunteer_signup",
        "volunteer_member",
        "volunteer_certificate",
        "volunteer_activity",
        "volunteer_team",
    )
