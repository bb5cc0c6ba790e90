"""Regenerate docs/screenshots/: the main pages of the demo district at a phone's 360 px
and a laptop's 1366 px, in Simplified Chinese and English.

    .venv/bin/python scripts/screenshots.py [--cases 300] [--out docs/screenshots]
    .venv/bin/python scripts/screenshots.py --database data/gridgov.sqlite3  # a built demo

Builds the demo into a temporary SQLite database (or opens a built one, whose keys are in
its directory's secrets/), serves it on a free loopback port and
drives the distribution's Chromium (/usr/bin/chromium) through Playwright; nothing is
downloaded. Chinese text needs a CJK font (Debian: fonts-wqy-microhei). Takes a couple
of minutes (the demo build dominates).
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from sqlalchemy import select

from gridgov.cases.models import Case
from gridgov.config import Settings
from gridgov.db import Database, upgrade
from gridgov.demo import build as demo
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
SIZES = {"360": {"width": 360, "height": 740}, "1366": {"width": 1366, "height": 768}}
LANGUAGES = {"zh_Hans": "zh-CN", "en": "en-GB"}


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _staff_password(settings: Settings) -> str:
    """The demo staff accounts' shared password, from the demo's credentials file."""
    for line in (settings.data_dir / "demo-accounts.txt").read_text("utf-8").splitlines():
        if line.startswith("staff-*"):
            return line.split("\t")[-1]
    raise SystemExit("no staff password in demo-accounts.txt")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--database", type=Path, default=None, help="a built demo (SQLite)")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        if args.database is not None:
            url = f"sqlite:///{args.database.resolve()}"
            settings = Settings(
                data_dir=args.database.resolve().parent,
                database_url=url,
                sweep_seconds=0,
                notify_mode="record",
            )
            db = Database.from_url(url, keys=settings.keys)
        else:
            url = f"sqlite:///{tmp}/demo.sqlite3"
            settings = Settings(
                data_dir=Path(tmp),
                database_url=url,
                session_key=_key(),
                audit_key=_key(),
                field_key=_key(),
                sweep_seconds=0,
                notify_mode="record",
            )
            upgrade(url)
            db = Database.from_url(url, keys=settings.keys)
            print("building the demo district …", flush=True)
            demo.build(db, data_dir=Path(tmp), now=datetime.now(UTC), case_count=args.cases)
        with db.session() as session:
            busy_grid = session.scalar(
                select(Case.grid_code)
                .where(Case.level == "grid", Case.state.in_(("assigned", "in_progress")))
                .order_by(Case.id.desc())
                .limit(1)
            )
            closed = session.scalar(
                select(Case).where(Case.state == "closed").order_by(Case.closed_at.desc()).limit(1)
            )
            worker_case = session.scalar(
                select(Case).where(Case.state == "resolved").order_by(Case.id.desc()).limit(1)
            )
        app = create_app(settings, database=db)
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        pages: list[tuple[str, str | None, str]] = [
            ("start", None, "/"),
            ("report", None, "/report"),
            ("track", None, f"/track/{closed.tracking_code}" if closed else "/track"),
            ("worker-home", f"gw-{busy_grid}" if busy_grid else "demo-worker", "/"),
            ("case", "demo-dispatcher", f"/cases/{worker_case.id}" if worker_case else "/cases"),
            ("desk", "demo-dispatcher", "/desk?queue=check"),
            ("department-home", "demo-department", "/"),
            ("dashboard", "demo-leader", "/dashboard"),
        ]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for language, locale in LANGUAGES.items():
                for size, viewport in SIZES.items():
                    contexts: dict[str | None, object] = {}
                    for name, who, path in pages:
                        if who not in contexts:
                            context = browser.new_context(
                                viewport=viewport, locale=locale, base_url=base
                            )
                            page = context.new_page()
                            page.goto(f"/lang/{language}?next=/")
                            if who and who.startswith("demo-"):
                                page.goto("/login")
                                page.click(f"form[action='/demo/sign-in/{who}'] button")
                            elif who:
                                page.goto("/login")
                                page.fill("input[name=username]", who)
                                page.fill("input[name=password]", _staff_password(settings))
                                page.click("form[action='/login'] button[type=submit]")
                            contexts[who] = page
                        page = contexts[who]  # type: ignore[assignment]
                        page.goto(path)  # type: ignore[attr-defined]
                        page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
                        target = args.out / f"{name}-{language}-{size}.png"
                        page.screenshot(path=str(target), full_page=size == "1366")  # type: ignore[attr-defined]
                        print(target, flush=True)
            browser.close()
        server.should_exit = True
        thread.join(timeout=10)
        db.dispose()


if __name__ == "__main__":
    main()
