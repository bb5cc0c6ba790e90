"""Territory geometry, chat groups, and the register of people and places.

Revision ID: 0002_territory_and_registry
Revises: 0001_ground_floor
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_territory_and_registry"
down_revision: str | None = "0001_ground_floor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    with op.batch_alter_table("region") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(16), nullable=False, server_default="comprehensive")
        )
        batch.add_column(sa.Column("geometry", sa.LargeBinary, nullable=True))
        for name in (
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "centroid_lon",
            "centroid_lat",
            "area_m2",
        ):
            batch.add_column(sa.Column(name, sa.Float, nullable=True))
        batch.create_check_constraint("ck_region_kind", _in("kind", GRID_KINDS))

    version = op.create_table(
        "territory_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_territory_version"),
    )
    op.bulk_insert(version, [{"id": 1, "version": 0}])

    op.create_table(
        "chat_group",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("region_code", sa.String(18), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("external_id", sa.String(128), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_chat_group"),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name="fk_chat_group_region_code_region"
        ),
        sa.UniqueConstraint("external_id", name="uq_chat_group_external_id"),
        sa.CheckConstraint(
            "platform IN ('wecom', 'wechat', 'dingtalk', 'other')", name="ck_chat_group_platform"
        ),
    )
    op.create_index("ix_chat_group_region_code", "chat_group", ["region_code"])

    op.create_table(
        "building",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("address", sa.String(256), nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("grid_code", sa.String(18), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_building"),
        sa.UniqueConstraint("code", name="uq_building_code"),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["region.code"], name="fk_building_grid_code_region"
        ),
    )
    op.create_index("ix_building_grid_code", "building", ["grid_code"])

    op.create_table(
        "household",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("address", sa.String(256), nullable=False),
        sa.Column("building_id", sa.Integer, nullable=True),
        sa.Column("lon", sa.Float, nullable=True),
        sa.Column("lat", sa.Float, nullable=True),
        sa.Column("grid_code", sa.String(18), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_household"),
        sa.UniqueConstraint("number", name="uq_household_number"),
        sa.ForeignKeyConstraint(
            ["building_id"], ["building.id"], name="fk_household_building_id_building"
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["region.code"], name="fk_household_grid_code_region"
        ),
    )
    op.create_index("ix_household_building_id", "household", ["building_id"])
    op.create_index("ix_household_grid_code", "household", ["grid_code"])

    op.create_table(
        "resident",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("doc_type", sa.String(32), nullable=False),
        sa.Column("id_number_enc", sa.LargeBinary, nullable=False),
        sa.Column("id_number_index", sa.String(64), nullable=False),
        sa.Column("id_number_masked", sa.String(32), nullable=False),
        sa.Column("phone_enc", sa.LargeBinary, nullable=True),
        sa.Column("phone_index", sa.String(64), nullable=True),
        sa.Column("phone_masked", sa.String(32), nullable=True),
        sa.Column("birth_date", sa.Date, nullable=True),
        sa.Column("sex", sa.String(8), nullable=True),
        sa.Column("nationality", sa.String(3), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("household_id", sa.Integer, nullable=True),
        sa.Column("relation", sa.String(16), nullable=True),
        sa.Column("tags", sa.String(256), nullable=False),
        sa.Column("grid_code", sa.String(18), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_resident"),
        sa.UniqueConstraint("id_number_index", name="uq_resident_id_number_index"),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name="fk_resident_household_id_household"
        ),
        sa.ForeignKeyConstraint(
            ["grid_code"], ["region.code"], name="fk_resident_grid_code_region"
        ),
        sa.CheckConstraint(_in("sex", SEXES), name="ck_resident_sex"),
        sa.CheckConstraint(_in("relation", RELATIONS), name="ck_resident_relation"),
    )
    op.create_index("ix_resident_phone_index", "resident", ["phone_index"])
    op.create_index("ix_resident_household_id", "resident", ["household_id"])
    op.create_index("ix_resident_grid_code", "resident", ["grid_code"])
    op.create_index("ix_resident_grid_code_name", "resident", ["grid_code", "name"])

    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("region_code", sa.String(18), nullable=False),
        sa.Column("macau_funded", sa.Boolean, nullable=False),
        sa.Column("credit_code", sa.String(18), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisation"),
        sa.UniqueConstraint("code", name="uq_organisation_code"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["organisation.id"], name="fk_organisation_parent_id_organisation"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name="fk_organisation_region_code_region"
        ),
        sa.CheckConstraint(_in("kind", ORG_KINDS), name="ck_organisation_kind"),
    )
    op.create_index("ix_organisation_kind", "organisation", ["kind"])
    op.create_index("ix_organisation_parent_id", "organisation", ["parent_id"])
    op.create_index("ix_organisation_region_code", "organisation", ["region_code"])

    op.create_table(
        "person_role",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resident_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("region_code", sa.String(18), nullable=False),
        sa.Column("organisation_id", sa.Integer, nullable=True),
        sa.Column("since", sa.Date, nullable=True),
        sa.Column("full_time", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_person_role"),
        sa.ForeignKeyConstraint(
            ["resident_id"], ["resident.id"], name="fk_person_role_resident_id_resident"
        ),
        sa.ForeignKeyConstraint(
            ["region_code"], ["region.code"], name="fk_person_role_region_code_region"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name="fk_person_role_organisation_id_organisation",
        ),
        sa.CheckConstraint(_in("role", ROLES), name="ck_person_role_role"),
    )
    op.create_index("ix_person_role_resident_id", "person_role", ["resident_id"])
    op.create_index("ix_person_role_organisation_id", "person_role", ["organisation_id"])
    op.create_index("ix_person_role_region_code_role", "person_role", ["region_code", "role"])

    op.create_table(
        "app_setting",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_app_setting"),
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
        for name in (
            "kind",
            "geometry",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "centroid_lon",
            "centroid_lat",
            "area_m2",
        ):
            batch.drop_column(name)
