"""Users, their sessions and tokens, integration API keys and login attempts."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridgov.accounts.rules import Role
from gridgov.db import Row, UTCDateTime, enum_check


class User(Row):
    __tablename__ = "user_account"
    __table_args__ = (CheckConstraint(enum_check("role", Role), name="role"),)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128), default="")
    role: Mapped[str] = mapped_column(String(32))
    # Staff: the region-code prefix they may act on. Residents: their home region,
    # which grants nothing (see ``effective_scope``).
    scope: Mapped[str] = mapped_column(String(15), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Unit staff belong to a unit (a department, a street or community office): its inbox.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # A resident's account linked to their register entry (after a grid worker checked
    # their document): what lets them vote and speak in their community.
    resident_id: Mapped[int | None] = mapped_column(ForeignKey("resident.id"), unique=True)
    # When the user last opened their notifications: newer ones count as unread.
    notifications_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    sessions: Mapped[list[AuthSession]] = relationship(back_populates="user")

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def effective_scope(self) -> str | None:
        """The prefix this user may act on; None for residents."""
        return None if self.role == Role.RESIDENT else self.scope

    @property
    def region_code(self) -> str:
        """Where audit rows about the user place them: their scope."""
        return self.scope


class AuthSession(Row):
    """A server-side session: a page cookie or an API bearer token.

    Only the SHA-256 of the random token is stored; logout and disabling the user set
    ``revoked_at``, which every request checks.
    """

    __tablename__ = "auth_session"
    __table_args__ = (CheckConstraint("kind IN ('cookie', 'bearer')", name="kind"),)

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ip: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship(back_populates="sessions", lazy="joined")


class ApiKey(Row):
    """A key for an integration (Open311 clients, chat-group bridges, hotline systems)."""

    __tablename__ = "api_key"
    # Audit entries about a key (``record_about``) name it ``api_key``, in no region.
    audit_type: ClassVar[str] = "api_key"

    name: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def region_code(self) -> None:
        return None


class LoginAttempt(Row):
    """One login attempt; the throttle counts recent failures per IP and per account.

    Kept in the database so that every app instance behind a load balancer sees them.
    """

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_ip_at", "ip", "at"),
        Index("ix_login_attempt_username_at", "username", "at"),
    )

    at: Mapped[datetime] = mapped_column(UTCDateTime())
    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean)
