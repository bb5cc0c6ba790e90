"""Enterprises: service records under the seven priorities, enterprises' requests and
their handling, and party organisations' brands (一支部一品牌).

Revision ID: 0016_enterprises
Revises: 0015_programmes
Create Date: 2026-12-06 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0016_enterprises"
down_revision: str | None = "0015_programmes"

PRIORITIES = (
    "priority IN ('policy', 'approval', 'talent_housing', 'financing', 'site', 'dispute', "
    "'party_building')"
)


def upgrade() -> None:
    op.create_table(
        "enterprise_request",
        integer("id"),
        integer("enterprise_id"),
        string("region_code", 18),
        string("priority", 24),
        text("ask"),
        date("received_on"),
        date("due_on"),
        string("state", 16),
        string("recorded_by", 64),
        string("accepted_by", 64, nullable=True),
        date("accepted_on", nullable=True),
        integer("branch_id", nullable=True),
        text("reply"),
        string("closed_by", 64, nullable=True),
        date("closed_on", nullable=True),
        ts("created_at"),
        ts("updated_at"),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_enterprise_request_priority")),
        sa.CheckConstraint(
            "state IN ('received', 'accepted', 'resolved', 'declined')",
            name=op.f("ck_enterprise_request_state"),
        ),
        fk("enterprise_request", "branch_id", "organisation.id"),
        fk("enterprise_request", "enterprise_id", "organisation.id"),
        pk("enterprise_request"),
    )
    index("enterprise_request", "branch_id")
    index("enterprise_request", "enterprise_id")
    index("enterprise_request", "region_code", "state", name="ix_enterprise_request_region_state")

    op.create_table(
        "enterprise_service",
        integer("id"),
        integer("enterprise_id"),
        string("region_code", 18),
        string("priority", 24),
        date("served_on"),
        string("served_by", 64),
        text("done"),
        text("outcome"),
        ts("created_at"),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_enterprise_service_priority")),
        fk("enterprise_service", "enterprise_id", "organisation.id"),
        pk("enterprise_service"),
    )
    index(
        "enterprise_service",
        "enterprise_id",
        "served_on",
        name="ix_enterprise_service_enterprise_on",
    )
    index("enterprise_service", "region_code")
    index("enterprise_service", "served_on")

    op.create_table(
        "party_brand",
        integer("id"),
        integer("branch_id"),
        string("region_code", 18),
        string("name", 64),
        string("slogan", 128),
        text("description"),
        boolean("published"),
        string("updated_by", 64),
        ts("created_at"),
        ts("updated_at"),
        fk("party_brand", "branch_id", "organisation.id"),
        pk("party_brand"),
        sa.UniqueConstraint("branch_id", name=op.f("uq_party_brand_branch_id")),
    )
    index("party_brand", "region_code")


def downgrade() -> None:
    drop_tables("party_brand", "enterprise_service", "enterprise_request")
