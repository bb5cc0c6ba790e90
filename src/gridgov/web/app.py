"""The application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from starlette.middleware.gzip import GZipMiddleware

from gridgov import __version__, settings_store
from gridgov.config import Settings
from gridgov.db import Database, ensure_migrated
from gridgov.web import errors, static_files
from gridgov.web.context import RequestContext
from gridgov.web.deps import CSRF_COOKIE, AppState

log = logging.getLogger("gridgov.access")
STATIC_DIR = Path(__file__).parent / "static"
TEMPLATES_DIR = Path(__file__).parent / "templates"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
    ),
}


async def _periodic_sweep(state: AppState) -> None:
    """The case sweep, the notices' sweep (closing notices whose period is over, reminding
    of routine disclosures due) and outbox delivery every ``sweep_seconds``, off the event
    loop. Safe on every instance at once: escalations and messages happen exactly once."""
    from datetime import UTC, datetime

    from gridgov.audit.service import Actor
    from gridgov.cases import notify, sweep
    from gridgov.deliberation import notices

    def one_pass() -> None:
        now = datetime.now(UTC)
        sweep.sweep(state.db, now=now, tz=state.settings.timezone)
        with state.db.transaction() as session:
            notices.sweep(session, now=now, actor=Actor.system("sweep"), tz=state.settings.timezone)
        sweep.deliver(state.db, channels=notify.channels(state.settings), now=now)

    while True:
        await asyncio.sleep(state.settings.sweep_seconds)
        try:
            await anyio.to_thread.run_sync(one_pass)
        except Exception:
            log.exception("periodic sweep failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: AppState = app.state.gridgov
    task = None
    if state.settings.sweep_seconds > 0:
        task = asyncio.create_task(_periodic_sweep(state))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()


def create_app(settings: Settings, *, database: Database | None = None) -> FastAPI:
    """Build the app. Refuses to start on a database that is not migrated."""
    db = database or Database.from_url(settings.resolved_database_url, keys=settings.keys)
    ensure_migrated(db.engine)
    app = FastAPI(
        lifespan=_lifespan,
        title="gridgov",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    with db.session() as session:
        demo_mode = settings_store.demo_mode(session)
    app.state.gridgov = AppState(settings=settings, db=db, demo_mode=demo_mode)
    errors.install(app)

    # HTML and JSON answers gzipped for clients that accept it (static files are gzipped
    # once, at start-up, by static_files).
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=6)
    app.add_middleware(
        RequestContext,
        headers=SECURITY_HEADERS,
        csrf_cookie=CSRF_COOKIE,
        secure=settings.secure_cookies,
    )

    from gridgov.accounts import api as accounts_api
    from gridgov.accounts import pages as accounts_pages
    from gridgov.audit import api as audit_api
    from gridgov.audit import pages as audit_pages
    from gridgov.cases import api as cases_api
    from gridgov.cases import open311
    from gridgov.cases import pages as cases_pages
    from gridgov.deliberation import (
        api as deliberation_api,
    )
    from gridgov.deliberation import (
        discussion_api,
        discussion_pages,
        elections_api,
        elections_pages,
        matters_pages,
        notices_api,
        notices_pages,
        portal_pages,
    )
    from gridgov.indicators import api as indicators_api
    from gridgov.indicators import dashboard as indicators_dashboard
    from gridgov.indicators import pages as indicators_pages
    from gridgov.registry import api as registry_api
    from gridgov.registry import pages as registry_pages
    from gridgov.territory import api as territory_api
    from gridgov.territory import pages as territory_pages
    from gridgov.web import pages, probes

    app.include_router(probes.router)
    app.include_router(pages.router)
    app.include_router(accounts_api.router, prefix="/api/v1")
    app.include_router(territory_api.router, prefix="/api/v1")
    app.include_router(audit_api.router, prefix="/api/v1")
    app.include_router(registry_api.router, prefix="/api/v1")
    app.include_router(cases_api.router, prefix="/api/v1")
    app.include_router(indicators_api.router, prefix="/api/v1")
    for api in (deliberation_api, notices_api, discussion_api, elections_api):
        app.include_router(api.router, prefix="/api/v1")
    app.include_router(accounts_pages.router)
    app.include_router(territory_pages.router)
    app.include_router(audit_pages.router)
    app.include_router(registry_pages.router)
    app.include_router(cases_pages.router)
    app.include_router(indicators_dashboard.router)  # before /indicators/{key}/…
    app.include_router(indicators_pages.router)
    for module in (portal_pages, matters_pages, notices_pages, discussion_pages, elections_pages):
        app.include_router(module.router)
    app.include_router(open311.router)
    if demo_mode:
        from gridgov.demo import pages as demo_pages

        app.include_router(demo_pages.router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        """Swagger UI from the vendored bundle; works offline."""
        return HTMLResponse((TEMPLATES_DIR / "api_docs.html").read_text())

    app.mount("/static", static_files.assets(), name="static")
    return app
