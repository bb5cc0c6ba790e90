"""The application factory."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType

import anyio
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse

from gridgov import __version__, clock, settings_store
from gridgov.config import Settings
from gridgov.db import Database, ensure_migrated
from gridgov.guard import service as guard
from gridgov.web import errors, hardening, limits, static_files
from gridgov.web.context import RequestContext
from gridgov.web.deps import CSRF_COOKIE, AppState

log = logging.getLogger("gridgov.access")
STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

SECURITY_HEADERS = hardening.SECURITY_HEADERS

API = "/api/v1"


def tile_origin(template: str | None) -> str | None:
    """The origin a tile URL template loads from, for the content-security policy:
    ``https://{s}.tile.example/{z}/{x}/{y}.png`` → ``https://*.tile.example``."""
    if not template:
        return None
    found = re.match(r"(https?)://([^/?#]+)", template.strip())
    if found is None:
        return None
    host = re.sub(r"\{[a-z]+\}", "*", found[2])
    if not re.fullmatch(r"(\*\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?", host):
        return None
    return f"{found[1]}://{host}"


def with_tile_host(headers: dict[str, str], template: str | None) -> dict[str, str]:
    """The security headers, with the configured tile server admitted for images."""
    origin = tile_origin(template)
    if origin is None:
        return headers
    policy = headers["Content-Security-Policy"].replace(
        "img-src 'self' data: blob:", f"img-src 'self' data: blob: {origin}"
    )
    return {**headers, "Content-Security-Policy": policy}


async def _periodic_sweep(state: AppState) -> None:
    """The background jobs (``gridgov.jobs``: the case sweep, the notices' sweep, outbox
    delivery), each when its interval has passed, checked every ``sweep_seconds``, off
    the event loop. Each job is isolated: one failing does not block the others. Safe on
    every instance at once: escalations and messages happen exactly once."""
    from datetime import UTC, datetime

    from gridgov import jobs

    scheduler = jobs.Scheduler()

    def one_pass() -> None:
        context = jobs.JobContext(db=state.db, settings=state.settings, now=datetime.now(UTC))
        scheduler.tick(context)

    while True:
        await asyncio.sleep(state.settings.sweep_seconds)
        try:
            await anyio.to_thread.run_sync(one_pass)
        except Exception:
            log.exception("periodic jobs failed")


def settle_heap() -> None:
    """Collect once, then move every object alive now into the collector's permanent
    generation (``gc.freeze``), where no collection walks it again.

    A serving process holds some 440,000 long-lived tracked objects (the trained models,
    the territory, the route table with its pydantic models, the templates). Each full
    collection walked all of them, and a page that allocates a few thousand objects set
    one off every few dozen requests: on the dispatcher's list page that was 6.7 ms of
    every request's CPU (issue #18). Objects made after this are collected as before;
    only what start-up left alive is exempt (it lives as long as the process anyway)."""
    gc.collect()
    gc.freeze()


def _warm_models(freeze_heap: bool = False) -> None:
    """Train the classifier and the spam screen (each once per process, cached) before
    the first report needs them; then settle the heap the models added to."""
    from gridgov.cases import classify, spam

    try:
        classify.default()
        spam.default()
    except Exception:  # a report would train them again, and log its own error
        log.exception("warming the models failed")
    if freeze_heap:
        settle_heap()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: AppState = app.state.gridgov
    if state.freeze_heap:
        settle_heap()
    if state.settings.warm_models:
        threading.Thread(
            target=_warm_models, args=(state.freeze_heap,), name="warm-models", daemon=True
        ).start()
    task = None
    if state.settings.sweep_seconds > 0:
        task = asyncio.create_task(_periodic_sweep(state))
    state.intake.start()
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
        # The reports still queued are filed before the process ends.
        await anyio.to_thread.run_sync(state.intake.stop)


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app. Refuses to start on a database that is not migrated."""
    db = database or Database.from_url(settings.resolved_database_url, keys=settings.keys)
    ensure_migrated(db.engine)
    clock.set_office_timezone(settings.timezone)
    guard.set_limit_factor(settings.rate_limit_factor)
    app = FastAPI(
        lifespan=_lifespan,
        title="gridgov",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        responses=limits.COMMON_RESPONSES,
        # FastAPI's native OpenTelemetry asks the global providers on every request
        # whether any is configured (about a tenth of a health probe); gridgov configures
        # none and logs its own access lines with request ids (web/logs.py).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    with db.session() as session:
        demo_mode = settings_store.demo_mode(session)
    app.state.gridgov = AppState(settings=settings, db=db, demo_mode=demo_mode)
    errors.install(app)
    limits.install(app)
    security_headers = with_tile_host(SECURITY_HEADERS, settings.map_tile_url)
    # One layer: inside it the body limit (a 413 gets the headers and the log) and gzip
    # of HTML and JSON answers for clients that accept it (static files are gzipped
    # once, at start-up, by static_files).
    app.add_middleware(
        RequestContext,
        headers=security_headers,
        csrf_cookie=CSRF_COOKIE,
        secure=settings.secure_cookies,
    )

    # Bounded ids, no NUL, shallow JSON, before any route code (web/limits.py): on every
    # route but the health probes, which read nothing of the request (no parameters, no
    # body, not even the query string) and are called the most; there the dependency
    # was a tenth of the answer (issue #18). tests/web/test_routes.py pins the list.
    bounded = [Depends(limits.bounded_input)]

    # Imported here, not at the top: every route module imports this package. Each
    # module's ``router``, in the order its routes are matched, with its prefix.
    from gridgov.accounts import account_pages as accounts_account_pages
    from gridgov.accounts import api as accounts_api
    from gridgov.accounts import pages as accounts_pages
    from gridgov.accounts import units_pages as accounts_units_pages
    from gridgov.audit import api as audit_api
    from gridgov.audit import pages as audit_pages
    from gridgov.cases import api as cases_api
    from gridgov.cases import calendar_pages as cases_calendar_pages
    from gridgov.cases import desk_pages as cases_desk_pages
    from gridgov.cases import moderation_api as cases_moderation_api
    from gridgov.cases import moderation_pages as cases_moderation_pages
    from gridgov.cases import open311 as cases_open311
    from gridgov.cases import pages as cases_pages
    from gridgov.crisis import api as crisis_api
    from gridgov.crisis import broadcast_pages as crisis_broadcast_pages
    from gridgov.crisis import field_pages as crisis_field_pages
    from gridgov.crisis import pages as crisis_pages
    from gridgov.deliberation import api as deliberation_api
    from gridgov.deliberation import ballot_pages as deliberation_ballot_pages
    from gridgov.deliberation import discussion_api as deliberation_discussion_api
    from gridgov.deliberation import discussion_pages as deliberation_discussion_pages
    from gridgov.deliberation import election_public_pages as deliberation_election_public_pages
    from gridgov.deliberation import elections_api as deliberation_elections_api
    from gridgov.deliberation import elections_pages as deliberation_elections_pages
    from gridgov.deliberation import matters_pages as deliberation_matters_pages
    from gridgov.deliberation import moderation_pages as deliberation_moderation_pages
    from gridgov.deliberation import notice_actions_pages as deliberation_notice_actions_pages
    from gridgov.deliberation import notices_api as deliberation_notices_api
    from gridgov.deliberation import notices_pages as deliberation_notices_pages
    from gridgov.deliberation import portal_pages as deliberation_portal_pages
    from gridgov.indicators import api as indicators_api
    from gridgov.indicators import dashboard as indicators_dashboard
    from gridgov.indicators import pages as indicators_pages
    from gridgov.outreach import enterprise_pages as outreach_enterprise_pages
    from gridgov.outreach import pages as outreach_pages
    from gridgov.outreach import programme_pages as outreach_programme_pages
    from gridgov.outreach import volunteer_pages as outreach_volunteer_pages
    from gridgov.registry import api as registry_api
    from gridgov.registry import pages as registry_pages
    from gridgov.registry import places_pages as registry_places_pages
    from gridgov.services import api as services_api
    from gridgov.services import pages as services_pages
    from gridgov.territory import api as territory_api
    from gridgov.territory import pages as territory_pages
    from gridgov.web import pages as web_pages
    from gridgov.web import probes as web_probes

    routers: list[tuple[ModuleType, str]] = [
        (web_probes, ""),
        (web_pages, ""),
        (accounts_api, API),
        (territory_api, API),
        (audit_api, API),
        (registry_api, API),
        (cases_api, API),
        (cases_moderation_api, API),
        (indicators_api, API),
        (deliberation_api, API),
        (deliberation_notices_api, API),
        (deliberation_discussion_api, API),
        (deliberation_elections_api, API),
        (accounts_pages, ""),
        (accounts_units_pages, ""),  # units and their staff
        (cases_desk_pages, ""),  # the dispatcher's desk (issue 10)
        (territory_pages, ""),
        (audit_pages, ""),
        (registry_pages, ""),
        (registry_places_pages, ""),  # the report map's buildings
        (cases_pages, ""),
        (cases_moderation_pages, ""),
        (indicators_dashboard, ""),  # before /indicators/{key}/…
        (indicators_pages, ""),
        (deliberation_portal_pages, ""),
        (deliberation_matters_pages, ""),
        (deliberation_notices_pages, ""),
        (deliberation_notice_actions_pages, ""),
        (deliberation_discussion_pages, ""),
        (deliberation_moderation_pages, ""),
        (deliberation_elections_pages, ""),
        (deliberation_election_public_pages, ""),
        (deliberation_ballot_pages, ""),
        (cases_open311, ""),
        (cases_calendar_pages, ""),
        (outreach_pages, ""),
        (outreach_enterprise_pages, ""),  # 七个优先 and 一支部一品牌
        (outreach_volunteer_pages, ""),
        (outreach_programme_pages, ""),
        (services_api, API),
        (services_pages, ""),
        (crisis_api, API),
        (crisis_pages, ""),
        (crisis_broadcast_pages, ""),
        (crisis_field_pages, ""),
        (accounts_account_pages, ""),
    ]
    if demo_mode:
        from gridgov.demo import pages as demo_pages

        routers.append((demo_pages, ""))
    for module, prefix in routers:
        # The probes read no input: see ``bounded`` above.
        app.include_router(
            module.router, prefix=prefix, dependencies=None if module is web_probes else bounded
        )

    @app.get("/api/docs", include_in_schema=False, dependencies=bounded)
    def api_docs() -> HTMLResponse:
        """Swagger UI from the vendored bundle; works offline."""
        return HTMLResponse((TEMPLATES_DIR / "api_docs.html").read_text())

    app.mount("/static", static_files.assets(), name="static")
    return app
