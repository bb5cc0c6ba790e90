"""Territory geometry, chat groups, and the register of people and places.

Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0002_territory_and_registry"
down_revision: str | None = "0001_ground_floor"

SEXES = ("male", "female")
RELATIONS = (
    "householder",
    "spouse",
    "child",
    "parent",
    "grandchild",
    "grandparent",
    "sibling",
    "other_relative",
    "tenant",
    "other",
)
ORG_KINDS = (
    "party_committee",
    "general_branch",
    "party_branch",
    "party_group",
    "department",
    "street_office",
    "community_office",
    "social_org",
    "enterprise",
)
ROLES = ("grid_worker", "party_member", "central_household", "volunteer", "deliberation_rep")
GRID_KINDS = ("comprehensive", "dedicated")
# A region's bounding box, centroid and area, kept beside its geometry.
EXTENT_COLUMNS = (
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "centroid_lon",
    "centroid_lat",
    "area_m2",
)


def upgrade() -> None:
    with op.batch_alter_table("region") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="comprehensive")
        )
        batch.add_column(binary("geometry", nullable=True))
        for name in EXTENT_COLUMNS:
            batch.add_column(sa.Column(name, sa.Float, nullable=True))
        batch.create_check_constraint("ck_region_kind", one_of("kind", GRID_KINDS))

    version = op.create_table(
        "territory_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        integer("version"),
        pk("territory_version"),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])

    op.create_table(
        "chat_group",
        sa.Column("id", sa.Integer, primary_key=True),
        string("region_code", 18),
        string("platform", 16),
        string("name", 128),
        string("external_id", 128, nullable=True),
        pk("chat_group"),
        fk("chat_group", "region_code", "region.code"),
        sa.UniqueConstraint("external_id", name="uq_chat_group_external_id"),
        sa.CheckConstraint(
            "platform IN ('wecom', 'wechat', 'dingtalk', 'other')", name="ck_chat_group_platform"
        ),
    )
    index("chat_group", "region_code")

    op.create_table(
        "building",
        sa.Column("id", sa.Integer, primary_key=True),
        string("code", 32),
        string("name", 128),
        string("address", 256),
        real("lon"),
        real("lat"),
        string("grid_code", 18),
        pk("building"),
        sa.UniqueConstraint("code", name="uq_building_code"),
        fk("building", "grid_code", "region.code"),
    )
    index("building", "grid_code")

    op.create_table(
        "household",
        sa.Column("id", sa.Integer, primary_key=True),
        string("number", 32),
        string("address", 256),
        integer("building_id", nullable=True),
        real("lon", nullable=True),
        real("lat", nullable=True),
        string("grid_code", 18),
        pk("household"),
        sa.UniqueConstraint("number", name="uq_household_number"),
        fk("household", "building_id", "building.id"),
        fk("household", "grid_code", "region.code"),
    )
    index("household", "building_id")
    index("household", "grid_code")

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer, primary_key=True),
        string("name", 128),
        string("doc_type", 32),
        binary("id_number_enc"),
        string("id_number_index", 64),
        string("id_number_masked", 32),
        binary("phone_enc", nullable=True),
        string("phone_index", 64, nullable=True),
        string("phone_masked", 32, nullable=True),
        date("birth_date", nullable=True),
        string("sex", 8, nullable=True),
        string("nationality", 3),
        string("language", 16, nullable=True),
        integer("household_id", nullable=True),
        string("relation", 16, nullable=True),
        string("tags", 256),
        string("grid_code", 18),
        ts("created_at"),
        pk("resident"),
        sa.UniqueConstraint("id_number_index", name="uq_resident_id_number_index"),
        fk("resident", "household_id", "household.id"),
        fk("resident", "grid_code", "region.code"),
        sa.CheckConstraint(one_of("sex", SEXES), name="ck_resident_sex"),
        sa.CheckConstraint(one_of("relation", RELATIONS), name="ck_resident_relation"),
    )
    index("resident", "phone_index")
    index("resident", "household_id")
    index("resident", "grid_code")
    index("resident", "grid_code", "name", name="ix_resident_grid_code_name")

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer, primary_key=True),
        string("code", 32),
        string("name", 128),
        string("kind", 24),
        integer("parent_id", nullable=True),
        string("region_code", 18),
        boolean("macau_funded"),
        string("credit_code", 18, nullable=True),
        text("note"),
        pk("organisation"),
        sa.UniqueConstraint("code", name="uq_organisation_code"),
        fk("organisation", "parent_id", "organisation.id"),
        fk("organisation", "region_code", "region.code"),
        sa.CheckConstraint(one_of("kind", ORG_KINDS), name="ck_organisation_kind"),
    )
    index("organisation", "kind")
    index("organisation", "parent_id")
    index("organisation", "region_code")

    op.create_table(
        "person_role",
        sa.Column("id", sa.Integer, primary_key=True),
        integer("resident_id"),
        string("role", 24),
        string("region_code", 18),
        integer("organisation_id", nullable=True),
        date("since", nullable=True),
        boolean("full_time"),
        pk("person_role"),
        fk("person_role", "resident_id", "resident.id"),
        fk("person_role", "region_code", "region.code"),
        fk("person_role", "organisation_id", "organisation.id"),
        sa.CheckConstraint(one_of("role", ROLES), name="ck_person_role_role"),
    )
    index("person_role", "resident_id")
    index("person_role", "organisation_id")
    index("person_role", "region_code", "role", name="ix_person_role_region_code_role")

    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(64), primary_key=True),
        text("value"),
        pk("app_setting", "key"),
    )


def downgrade() -> None:
    for table in (
        "app_setting",
        "person_role",
        "organisation",
        "resident",
        "household",
        "building",
        "chat_group",
        "territory_version",
    ):
        op.drop_table(table)
    with op.batch_alter_table("region") as batch:
        batch.drop_constraint("ck_region_kind", type_="check")
        for name in ("kind", "geometry", *EXTENT_COLUMNS):
            batch.drop_column(name)
