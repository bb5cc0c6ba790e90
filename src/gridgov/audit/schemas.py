"""API shapes of the audit log."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str | None
    region_code: str | None
    summary: dict[str, Any]
    request_id: str | None
    ip: str | None
    hash: str

    @field_validator("summary", mode="before")
    @classmethod
    def _parse(cls, value: object) -> object:
        return json.loads(value) if isinstance(value, str) else value


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_seq: int
    broken_seq: int | None = None
    reason: str | None = None
