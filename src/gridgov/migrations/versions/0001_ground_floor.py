"""Ground floor: accounts, sessions, API keys, login attempts, regions, the audit chain.

Revision ID: 0001_ground_floor
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_ground_floor"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = (
    "resident",
    "grid_worker",
    "dispatcher",
    "unit_staff",
    "branch_secretary",
    "leader",
    "auditor",
    "admin",
)
LEVELS = ("district", "street", "community", "grid", "micro_grid")


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def ts(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(15), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("is_active", sa.Boolean, nullable=False),
        ts("created_at"),
        ts("disabled_at", nullable=True),
        ts("password_changed_at"),
        sa.PrimaryKeyConstraint("id", name="pk_user_account"),
        sa.UniqueConstraint("username", name="uq_user_account_username"),
        sa.CheckConstraint(_in("role", ROLES), name="ck_user_account_role"),
    )
    op.create_index("ix_user_account_scope", "user_account", ["scope"])

    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        ts("created_at"),
        ts("expires_at"),
        ts("revoked_at", nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_auth_session"),
        sa.UniqueConstraint("token_hash", name="uq_auth_session_token_hash"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name="fk_auth_session_user_id_user_account"
        ),
        sa.CheckConstraint("kind IN ('cookie', 'bearer')", name="ck_auth_session_kind"),
    )
    op.create_index("ix_auth_session_user_id", "auth_session", ["user_id"])

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        ts("created_at"),
        sa.Column("created_by", sa.String(64), nullable=False),
        ts("revoked_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_api_key"),
        sa.UniqueConstraint("name", name="uq_api_key_name"),
        sa.UniqueConstraint("prefix", name="uq_api_key_prefix"),
    )

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        ts("at"),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_attempt"),
    )
    op.create_index("ix_login_attempt_ip_at", "login_attempt", ["ip", "at"])
    op.create_index("ix_login_attempt_username_at", "login_attempt", ["username", "at"])

    op.create_table(
        "region",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("code", sa.String(18), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("parent_code", sa.String(18), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_region"),
        sa.UniqueConstraint("code", name="uq_region_code"),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["region.code"], name="fk_region_parent_code_region"
        ),
        sa.CheckConstraint(_in("level", LEVELS), name="ck_region_level"),
    )
    op.create_index("ix_region_parent_code", "region", ["parent_code"])

    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        ts("at"),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(64), nullable=True),
        sa.Column("region_code", sa.String(18), nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_action", "audit_event", ["action"])

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": "0" * 64}])

    if op.get_bind().dialect.name == "postgresql":
        # Audit rows are append-only. A retention purge sets gridgov.audit_purge for its
        # own transaction; nothing else may update, delete or truncate.
        op.execute(
            """
            CREATE FUNCTION gridgov_audit_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE'
                   AND current_setting('gridgov.audit_purge', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION gridgov_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION gridgov_audit_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS gridgov_audit_append_only()")
    for table in (
        "audit_head",
        "audit_event",
        "region",
        "login_attempt",
        "api_key",
        "auth_session",
        "user_account",
    ):
        op.drop_table(table)
