"""The audit log page: newest rows first and the chain's state."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit import service
from gridgov.web.deps import SessionDep, require_roles
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)

AuditReaderPage = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.ADMIN, page=True))]


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, reader: AuditReaderPage, session: SessionDep, before: int | None = None
) -> HTMLResponse:
    events = service.list_events(
        session, scope=reader.effective_scope, limit=100, before_seq=before
    )
    rows = [(event, json.loads(event.summary)) for event in events]
    verification = service.verify(session) if request.query_params.get("verify") else None
    return render(request, "audit/events.html", {"rows": rows, "verification": verification})
