"""The field app: the grid worker's home (their grid, active incidents, today's tasks,
their open cases, a report form), the service worker that keeps it usable offline and
the web app manifest that makes it installable. Offline writes go to an IndexedDB
outbox in the browser (static/js/field.js) and sync through crisis/api.py."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from gridgov import clock
from gridgov.cases import service as cases
from gridgov.cases.rules import State
from gridgov.crisis import service
from gridgov.crisis.pages import StaffPage, field_labels
from gridgov.msgids import N_
from gridgov.outreach.rules import VisitKind
from gridgov.registry import service as registry
from gridgov.territory.service import region_names
from gridgov.web import i18n
from gridgov.web.render import language_of, local_time, no_store, render
from gridgov.web.toolkit import Desk, desk

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).parents[1] / "web" / "static"
OPEN_CASE_STATES = (State.ASSIGNED, State.ACKNOWLEDGED, State.IN_PROGRESS)


StaffDesk = Annotated[Desk, Depends(desk(StaffPage, name="staff_desk"))]


@router.get("/field", response_class=HTMLResponse)
def field_home(desk: StaffDesk) -> HTMLResponse:
    session = desk.session
    actor = desk.actor
    tz = ZoneInfo(desk.tz)
    today = clock.local_today(desk.now, tz)
    tasks = service.tasks_for(session, viewer=actor)
    open_cases = [
        c
        for s in OPEN_CASE_STATES
        for c in cases.list_cases(session, viewer=actor, state=s.value, limit=20)
    ][:30]
    return no_store(
        render(
            desk.request,
            "crisis/field.html",
            {
                "incidents": service.list_incidents(session, viewer=actor, active_only=True),
                "tasks": tasks,
                "today_tasks": [
                    t for t in tasks if t.due_at is None or t.due_at.astimezone(tz).date() <= today
                ],
                "due": {t.id: local_time(t.due_at, tz) for t in tasks},
                "cases": open_cases,
                "labels": field_labels(desk.request),
                "scope": desk.user.effective_scope or "",
                "places": region_names(
                    session, {desk.user.effective_scope or "", *(t.grid_code for t in tasks)}
                ),
                "today": today.isoformat(),
                "loaded": local_time(desk.now, tz),
                # the households a visit may be logged for, offline too (outreach)
                "households": registry.list_households(session, viewer=actor, limit=300),
                "visit_kinds": [k.value for k in VisitKind],
            },
        )
    )


@cache
def service_worker_script() -> bytes:
    """sw.js with its cache named after the content of the files it keeps.

    Static files are served cache-first offline, so a phone would keep an old field.js
    for ever if the cache's name stayed the same. Naming it after a hash of sw.js and
    every shell file makes a release change the worker's bytes: the browser installs
    the new worker, which drops the old cache when it activates."""
    script = (STATIC / "js" / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(script.encode())
    shell = re.search(r"const SHELL = \[(.*?)\];", script, re.S)
    for url in re.findall(r'"/static/([^"]+)"', shell.group(1) if shell else ""):
        digest.update((STATIC / url).read_bytes())
    version = f"gridgov-field-{digest.hexdigest()[:12]}"
    return re.sub(r'const VERSION = "[^"]*";', f'const VERSION = "{version}";', script).encode()


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served from the root so that it may control every page."""
    return Response(
        service_worker_script(),
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
    )


@router.get("/manifest.webmanifest")
def manifest(request: Request) -> Response:
    language = language_of(request)

    document = {
        "name": i18n.gettext(language, N_("gridgov field app")),
        "short_name": i18n.gettext(language, N_("Field app")),
        "start_url": "/field",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#1d4f91",
        "lang": i18n.HTML_LANG.get(language, "zh-Hans"),
        "icons": [{"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"}],
    }
    return Response(
        json.dumps(document, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )
