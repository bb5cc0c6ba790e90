"""Volunteers: teams serving a region (an international flag, a leader from the register),
their members, activities with places and credited minutes, sign-ups with check-in and
check-out, and service-hours certificates with verification codes.

Revision ID: 0014_volunteers
Revises: 0013_photo_thumbnails
Create Date: 2026-12-06 20:59:45.155689
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0014_volunteers"
down_revision: str | None = "0013_photo_thumbnails"


def upgrade() -> None:
    op.create_table(
        "volunteer_team",
        integer("id"),
        string("region_code", 18),
        string("name", 128),
        boolean("international"),
        integer("leader_id", nullable=True),
        string("created_by", 64),
        ts("created_at"),
        fk("volunteer_team", "leader_id", "resident.id"),
        fk("volunteer_team", "region_code", "region.code"),
        pk("volunteer_team"),
        sa.UniqueConstraint("region_code", "name", name=op.f("uq_volunteer_team_region_code")),
    )
    index("volunteer_team", "leader_id")
    index("volunteer_team", "region_code")

    op.create_table(
        "volunteer_activity",
        integer("id"),
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
        fk("volunteer_activity", "team_id", "volunteer_team.id"),
        pk("volunteer_activity"),
    )
    index("volunteer_activity", "region_code")
    index("volunteer_activity", "starts_at")
    index("volunteer_activity", "team_id")

    op.create_table(
        "volunteer_certificate",
        integer("id"),
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
        fk("volunteer_certificate", "resident_id", "resident.id"),
        fk("volunteer_certificate", "team_id", "volunteer_team.id"),
        pk("volunteer_certificate"),
        sa.UniqueConstraint("code", name=op.f("uq_volunteer_certificate_code")),
    )
    index("volunteer_certificate", "region_code")
    index("volunteer_certificate", "resident_id")
    index("volunteer_certificate", "team_id")

    op.create_table(
        "volunteer_member",
        integer("id"),
        integer("team_id"),
        integer("resident_id"),
        date("since"),
        fk("volunteer_member", "resident_id", "resident.id"),
        fk("volunteer_member", "team_id", "volunteer_team.id"),
        pk("volunteer_member"),
        sa.UniqueConstraint("team_id", "resident_id", name=op.f("uq_volunteer_member_team_id")),
    )
    index("volunteer_member", "resident_id")
    index("volunteer_member", "team_id")

    op.create_table(
        "volunteer_signup",
        integer("id"),
        integer("activity_id"),
        integer("resident_id"),
        string("signed_up_by", 64),
        ts("signed_up_at"),
        ts("checked_in_at", nullable=True),
        ts("checked_out_at", nullable=True),
        integer("minutes"),
        string("recorded_by", 64, nullable=True),
        fk("volunteer_signup", "activity_id", "volunteer_activity.id"),
        fk("volunteer_signup", "resident_id", "resident.id"),
        pk("volunteer_signup"),
        sa.UniqueConstraint(
            "activity_id", "resident_id", name=op.f("uq_volunteer_signup_activity_id")
        ),
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
