"""Enterprises: service records under the seven priorities, enterprises' requests and
their handling, and party organisations' brands (一支部一品牌).

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
    table(
        "enterprise_request",
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
        checks={"state": ("received", "accepted", "resolved", "declined")},
        refs={"branch_id": "organisation.id", "enterprise_id": "organisation.id"},
    )
    index("enterprise_request", "branch_id")
    index("enterprise_request", "enterprise_id")
    index("enterprise_request", "region_code", "state", name="ix_enterprise_request_region_state")

    table(
        "enterprise_service",
        integer("enterprise_id"),
        string("region_code", 18),
        string("priority", 24),
        date("served_on"),
        string("served_by", 64),
        text("done"),
        text("outcome"),
        ts("created_at"),
        sa.CheckConstraint(PRIORITIES, name=op.f("ck_enterprise_service_priority")),
        refs={"enterprise_id": "organisation.id"},
    )
    index(
        "enterprise_service",
        "enterprise_id",
        "served_on",
        name="ix_enterprise_service_enterprise_on",
    )
    index("enterprise_service", "region_code")
    index("enterprise_service", "served_on")

    table(
        "party_brand",
        integer("branch_id"),
        string("region_code", 18),
        string("name", 64),
        string("slogan", 128),
        text("description"),
        boolean("published"),
        string("updated_by", 64),
        ts("created_at"),
        ts("updated_at"),
        sa.UniqueConstraint("branch_id", name=op.f("uq_party_brand_branch_id")),
        refs={"branch_id": "organisation.id"},
    )
    index("party_brand", "region_code")


def downgrade() -> None:
    drop_tables("party_brand", "enterprise_service", "enterprise_request")
