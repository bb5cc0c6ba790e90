"""Volunteers: teams serving a region (an international flag, a leader from the register),
their members, activities with places and credited minutes, sign-ups with check-in and
check-out, and service-hours certificates with verification codes.

Revision ID: 0014_volunteers
Revises: 0013_photo_thumbnails
Create Date: 2026-12-06 20:59:45.155689
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_volunteers"
down_revision: str | None = "0013_photo_thumbnails"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "volunteer_team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("international", sa.Boolean(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["leader_id"], ["resident.id"], name=op.f("fk_volunteer_team_leader_id_resident")
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name=op.f("fk_volunteer_team_region_code_region")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_team")),
        sa.UniqueConstraint("region_code", "name", name=op.f("uq_volunteer_team_region_code")),
    )
    with op.batch_alter_table("volunteer_team", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_team_leader_id"), ["leader_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_team_region_code"), ["region_code"], unique=False
        )

    op.create_table(
        "volunteer_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("credit_minutes", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_volunteer_activity_capacity")),
        sa.CheckConstraint("credit_minutes > 0", name=op.f("ck_volunteer_activity_credit_minutes")),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_team.id"],
            name=op.f("fk_volunteer_activity_team_id_volunteer_team"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_activity")),
    )
    with op.batch_alter_table("volunteer_activity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_activity_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_activity_starts_at"), ["starts_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_activity_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "volunteer_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"],
            ["resident.id"],
            name=op.f("fk_volunteer_certificate_resident_id_resident"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_team.id"],
            name=op.f("fk_volunteer_certificate_team_id_volunteer_team"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_certificate")),
        sa.UniqueConstraint("code", name=op.f("uq_volunteer_certificate_code")),
    )
    with op.batch_alter_table("volunteer_certificate", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_certificate_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_certificate_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_certificate_team_id"), ["team_id"], unique=False
        )

    op.create_table(
        "volunteer_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("since", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_volunteer_member_resident_id_resident")
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["volunteer_team.id"],
            name=op.f("fk_volunteer_member_team_id_volunteer_team"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_member")),
        sa.UniqueConstraint("team_id", "resident_id", name=op.f("uq_volunteer_member_team_id")),
    )
    with op.batch_alter_table("volunteer_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_member_resident_id"), ["resident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_volunteer_member_team_id"), ["team_id"], unique=False)

    op.create_table(
        "volunteer_signup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Integer(), nullable=False),
        sa.Column("signed_up_by", sa.String(length=64), nullable=False),
        sa.Column("signed_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["volunteer_activity.id"],
            name=op.f("fk_volunteer_signup_activity_id_volunteer_activity"),
        ),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name=op.f("fk_volunteer_signup_resident_id_resident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_volunteer_signup")),
        sa.UniqueConstraint(
            "activity_id", "resident_id", name=op.f("uq_volunteer_signup_activity_id")
        ),
    )
    with op.batch_alter_table("volunteer_signup", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_volunteer_signup_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_volunteer_signup_resident_id"), ["resident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("volunteer_signup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_signup_resident_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_signup_activity_id"))

    op.drop_table("volunteer_signup")
    with op.batch_alter_table("volunteer_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_member_team_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_member_resident_id"))

    op.drop_table("volunteer_member")
    with op.batch_alter_table("volunteer_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_certificate_team_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_certificate_resident_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_certificate_region_code"))

    op.drop_table("volunteer_certificate")
    with op.batch_alter_table("volunteer_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_activity_team_id"))
        batch_op.drop_index(batch_op.f("ix_volunteer_activity_starts_at"))
        batch_op.drop_index(batch_op.f("ix_volunteer_activity_region_code"))

    op.drop_table("volunteer_activity")
    with op.batch_alter_table("volunteer_team", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_volunteer_team_region_code"))
        batch_op.drop_index(batch_op.f("ix_volunteer_team_leader_id"))

    op.drop_table("volunteer_team")
