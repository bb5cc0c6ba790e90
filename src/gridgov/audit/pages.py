"""The audit log page: newest rows first and the chain's state."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit import service
from gridgov.audit.actions import action_label
from gridgov.web.deps import SessionDep, StateDep, require_roles
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)

AuditReaderPage = Annotated[User, Depends(require_roles(Role.AUDITOR, Role.ADMIN, page=True))]


def local_second(moment: datetime, tz: ZoneInfo) -> str:
    """An audit row's time on the office's wall clock, to the second (a naive time is UTC,
    as SQLite hands it back)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    reader: AuditReaderPage,
    session: SessionDep,
    state: StateDep,
    before: int | None = None,
) -> HTMLResponse:
    events = service.list_events(
        session, scope=reader.effective_scope, limit=100, before_seq=before
    )
    tz = ZoneInfo(state.settings.timezone)
    rows = [
        {
            "event": event,
            "label": action_label(event.action),
            "at": local_second(event.at, tz),
            "summary": json.loads(event.summary),
        }
        for event in events
    ]
    verification = service.verify(session) if request.query_params.get("verify") else None
    return render(request, "audit/events.html", {"rows": rows, "verification": verification})
