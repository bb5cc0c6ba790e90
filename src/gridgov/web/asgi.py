"""Entry point for uvicorn workers: ``uvicorn --factory gridgov.web.asgi:app_factory``."""

from __future__ import annotations

from fastapi import FastAPI

from gridgov.config import get_settings
from gridgov.web.app import create_app
from gridgov.web.logs import configure_logging


def app_factory() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    app.state.gridgov.freeze_heap = True  # a serving process: see web/app.py settle_heap
    return app
