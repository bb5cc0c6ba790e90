"""Enterprises: service records under the seven priorities, enterprises' requests and
their handling, and party organisations' brands (一支部一品牌).

Revision ID: 0016_enterprises
Revises: 0015_programmes
Create Date: 2026-12-06 21:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_enterprises"
down_revision: str | None = "0015_programmes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRIORITIES = (
    "priority IN ('policy', 'approval', 'talent_housing', 'financing', 'site', 'dispute', "
    "'party_building')"
)


def upgrade() -> None:
    op.create_table(
        "enterprise_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("priority", sa.String(length=24), nullable=False),
        sa.Column("ask", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("accepted_by", sa.String(length=64), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_enterprise_request_priority")),
        sa.CheckConstraint(
            "state IN ('received', 'accepted', 'resolved', 'declined')",
            name=op.f("ck_enterprise_request_state"),
        ),
        sa.ForeignKeyConstraint(
            ["branch_id"],
            ["organisation.id"],
            name=op.f("fk_enterprise_request_branch_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["organisation.id"],
            name=op.f("fk_enterprise_request_enterprise_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_request")),
    )
    with op.batch_alter_table("enterprise_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enterprise_request_branch_id"), ["branch_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_request_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            "ix_enterprise_request_region_state", ["region_code", "state"], unique=False
        )

    op.create_table(
        "enterprise_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("priority", sa.String(length=24), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("served_by", sa.String(length=64), nullable=False),
        sa.Column("done", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_enterprise_service_priority")),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["organisation.id"],
            name=op.f("fk_enterprise_service_enterprise_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enterprise_service")),
    )
    with op.batch_alter_table("enterprise_service", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enterprise_service_enterprise_on", ["enterprise_id", "served_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_service_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_enterprise_service_served_on"), ["served_on"], unique=False
        )

    op.create_table(
        "party_brand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("slogan", sa.String(length=128), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_id"], ["organisation.id"], name=op.f("fk_party_brand_branch_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_brand")),
        sa.UniqueConstraint("branch_id", name=op.f("uq_party_brand_branch_id")),
    )
    with op.batch_alter_table("party_brand", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_brand_region_code"), ["region_code"], unique=False
        )


def downgrade() -> None:
    op.drop_table("party_brand")
    op.drop_table("enterprise_service")
    op.drop_table("enterprise_request")
