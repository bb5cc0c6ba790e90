"""Ground floor: accounts, sessions, API keys, login attempts, regions, the audit chain.

Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from gridgov.migrations.columns import *

revision: str = "0001_ground_floor"
down_revision: str | None = None

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


def upgrade() -> None:
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer, primary_key=True),
        string("username", 64),
        string("display_name", 128),
        string("role", 32),
        string("scope", 15),
        string("password_hash", 255),
        string("language", 16, nullable=True),
        boolean("is_active"),
        ts("created_at"),
        ts("disabled_at", nullable=True),
        ts("password_changed_at"),
        pk("user_account"),
        sa.UniqueConstraint("username", name="uq_user_account_username"),
        sa.CheckConstraint(one_of("role", ROLES), name="ck_user_account_role"),
    )
    index("user_account", "scope")

    op.create_table(
        "auth_session",
        sa.Column("id", sa.Integer, primary_key=True),
        string("token_hash", 64),
        integer("user_id"),
        string("kind", 8),
        ts("created_at"),
        ts("expires_at"),
        ts("revoked_at", nullable=True),
        string("ip", 64, nullable=True),
        pk("auth_session"),
        sa.UniqueConstraint("token_hash", name="uq_auth_session_token_hash"),
        fk("auth_session", "user_id", "user_account.id"),
        sa.CheckConstraint("kind IN ('cookie', 'bearer')", name="ck_auth_session_kind"),
    )
    index("auth_session", "user_id")

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer, primary_key=True),
        string("name", 128),
        string("prefix", 16),
        string("key_hash", 64),
        ts("created_at"),
        string("created_by", 64),
        ts("revoked_at", nullable=True),
        pk("api_key"),
        sa.UniqueConstraint("name", name="uq_api_key_name"),
        sa.UniqueConstraint("prefix", name="uq_api_key_prefix"),
    )

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer, primary_key=True),
        ts("at"),
        string("username", 64),
        string("ip", 64),
        boolean("success"),
        pk("login_attempt"),
    )
    index("login_attempt", "ip", "at", name="ix_login_attempt_ip_at")
    index("login_attempt", "username", "at", name="ix_login_attempt_username_at")

    op.create_table(
        "region",
        sa.Column("id", sa.Integer, primary_key=True),
        string("code", 18),
        string("name", 128),
        string("level", 16),
        string("parent_code", 18, nullable=True),
        pk("region"),
        sa.UniqueConstraint("code", name="uq_region_code"),
        fk("region", "parent_code", "region.code"),
        sa.CheckConstraint(one_of("level", LEVELS), name="ck_region_level"),
    )
    index("region", "parent_code")

    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        ts("at"),
        integer("actor_id", nullable=True),
        string("actor", 64),
        string("role", 32),
        string("action", 64),
        string("object_type", 64),
        string("object_id", 64, nullable=True),
        string("region_code", 18, nullable=True),
        text("summary"),
        string("request_id", 64, nullable=True),
        string("ip", 64, nullable=True),
        string("prev_hash", 64),
        string("hash", 64),
        pk("audit_event", "seq"),
    )
    index("audit_event", "at")
    index("audit_event", "action")

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        integer("seq"),
        string("hash", 64),
        pk("audit_head"),
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
