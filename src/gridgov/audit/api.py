"""Audit API for auditors and administrators: read the log, verify the chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit import service
from gridgov.audit.models import AuditEvent
from gridgov.audit.schemas import AuditEventOut, VerificationOut
from gridgov.web.deps import SessionDep, require_roles

router = APIRouter(tags=["audit"])

AuditReader = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.ADMIN))]


@router.get("/audit/events", response_model=list[AuditEventOut])
def list_events(
    reader: AuditReader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before: Annotated[int | None, Query(ge=1)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> list[AuditEvent]:
    """Newest first; page with ``before=<seq>``. Scoped rows only, unless the reader's
    scope is the whole installation's (audit rows without a region are global)."""
    return service.list_events(
        session, limit=limit, before_seq=before, action=action, scope=reader.effective_scope
    )


@router.get("/audit/verify", response_model=VerificationOut)
def verify(reader: AuditReader, session: SessionDep) -> VerificationOut:
    """Walk the whole chain now."""
    return VerificationOut.model_validate(service.verify(session), from_attributes=True)
