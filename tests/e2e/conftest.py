"""Real-browser tests: a live uvicorn server on a free loopback port over a migrated
SQLite database, driven by Playwright through the distribution's Chromium
(``/usr/bin/chromium``; never a downloaded browser). Without Chromium the tests skip,
saying why, unless CI=true, where they fail. Phones are 360 px wide.

One server per worker serves every test: each test plugs its own app (on its own copy
of the database) into the server's switch, and unplugs it at the end.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from gridgov.config import Settings
from gridgov.db import Database
from gridgov.web.app import create_app

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture
def database_url(tmp_path: Path, sqlite_template: Path) -> str:
    """End-to-end runs on SQLite only: the browser tests the pages, not the engine."""
    path = tmp_path / "gridgov.sqlite3"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def live_app(settings: Settings, db: Database) -> FastAPI:
    """The real app on the real clock (no override of ``now``)."""
    return create_app(settings, database=db)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Switch:
    """The ASGI app the shared server runs: the current test's app, or a 503 between
    tests. The apps' own start-up work is off in tests (no sweep), so the server runs
    without a lifespan."""

    def __init__(self) -> None:
        self.app: FastAPI | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b"no test is running"})


@pytest.fixture(scope="session")
def shared_server() -> Iterator[tuple[str, Switch]]:
    switch = Switch()
    port = _free_port()
    config = uvicorn.Config(
        switch, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", switch
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def live_server(live_app: FastAPI, shared_server: tuple[str, Switch]) -> Iterator[str]:
    """The shared server, serving this test's app."""
    url, switch = shared_server
    switch.app = live_app
    try:
        yield url
    finally:
        switch.app = None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the e2e tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield launched
        finally:
            launched.close()


Phone = Callable[..., Any]


@pytest.fixture
def phone(browser: Any, live_server: str) -> Iterator[Phone]:
    """A new phone (its own cookies) per person: ``phone(locale="zh-CN")`` → a page at
    360 px whose ``loads`` list counts every page load."""
    contexts: list[Any] = []

    def open_phone(locale: str = "zh-CN", viewport: dict[str, int] = PHONE) -> Any:
        context = browser.new_context(viewport=viewport, locale=locale, base_url=live_server)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.loads = []
        page.on("load", lambda p: p.loads.append(p.url))
        return page

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def page(phone: Phone) -> Any:
    """One phone at 360 px, in Simplified Chinese."""
    return phone()
