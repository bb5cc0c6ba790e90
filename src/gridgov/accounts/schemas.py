"""API shapes of accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from gridgov.accounts.rules import Role


class TokenRequest(BaseModel):
    username: str = Field(max_length=128)
    password: str = Field(max_length=1024)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_at: datetime


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    scope: str
    is_active: bool
    created_at: datetime
    disabled_at: datetime | None
    # The unit (department, street or community office) a staff account works in.
    organisation_id: int | None = None


class UserCreate(BaseModel):
    username: str = Field(max_length=64)
    role: Role
    # Optional with ``unit``: the unit's region code is the scope then.
    scope: str = Field(default="", max_length=15)
    password: str = Field(max_length=1024)
    display_name: str = Field(default="", max_length=128)
    unit: str | None = Field(default=None, max_length=128, description="unit code or name")


class UnitSet(BaseModel):
    """The unit an account works in, by code or name; null for none."""

    unit: str | None = Field(default=None, max_length=128)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    prefix: str
    created_at: datetime


class ThrottleOut(BaseModel):
    """Recent failed logins on one account from one address."""

    model_config = ConfigDict(from_attributes=True)

    username: str
    ip: str
    failures: int
    last_at: datetime


class ThrottleClear(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    ip: str | None = Field(default=None, max_length=64)
