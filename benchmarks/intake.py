"""Sustained cases per second through the HTTP intake, next to a bare insert route.

A real uvicorn server on a free localhost port, on a scratch database (SQLite, and
PostgreSQL when --postgres or GRIDGOV_TEST_DATABASE_URL is given) holding the demo
territory and catalogue. Concurrent clients POST reports to /api/v1/cases (locate,
classify the text, screen, route, deadlines, audit chain, outbox) and, in the same run,
to a bare route that authenticates the same way and inserts one row into the same
database. Rounds alternate so that both see the same machine. The figure is the ratio
(goal >= 0.5).

    python benchmarks/intake.py [--clients 8] [--seconds 4] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
import uvicorn
from sqlalchemy import text

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.config import Settings
from gridgov.db import Database, upgrade
from gridgov.demo.geography import build_territory
from gridgov.territory import service as territory
from gridgov.web.app import create_app
from gridgov.web.deps import CurrentUser, SessionDep
from scratch import scratch_postgres

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "Benchmark-intake-2026"  # noqa: S105 - a scratch benchmark account
TEXTS = (
    "小区门口垃圾堆了三天没人清理",
    "楼下路灯坏了好几天，晚上很黑",
    "楼上半夜装修吵得睡不着",
    "消防通道被电动车堵死了",
    "人行道上有个井盖松动了",
    "店铺占道经营把路都堵了",
)


def prepare(url: str, data_dir: Path) -> Settings:
    upgrade(url)
    settings = Settings(
        data_dir=data_dir,
        database_url=url,
        sweep_seconds=0,
        notify_mode="record",
        login_max_failures_per_ip=10**6,
    )
    db = Database.from_url(url, keys=settings.keys)
    land = build_territory(1)
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=land.feature_collection())
        territory.do_import_geojson(session, actor=Actor.system(), checked=checked, now=NOW)
        cases.do_load_categories(
            session,
            actor=Actor.system(),
            now=NOW,
            rows=cases.category_rows(cases.default_category_document()),
        )
        accounts.do_create_user(
            session,
            actor=Actor.system(),
            username="bench.dispatch",
            role="dispatcher",
            scope="440512",
            password=PASSWORD,
            now=NOW,
        )
        key = "SERIAL PRIMARY KEY" if db.dialect == "postgresql" else "INTEGER PRIMARY KEY"
        session.execute(text(f"CREATE TABLE bench_row (id {key}, body TEXT NOT NULL)"))
    db.dispose()
    return settings


def serve(settings: Settings) -> tuple[uvicorn.Server, int]:
    app = create_app(settings)

    @app.post("/bench/bare", include_in_schema=False)
    def bare(user: CurrentUser, session: SessionDep) -> dict[str, str]:
        session.execute(text("INSERT INTO bench_row (body) VALUES (:b)"), {"b": user.username})
        session.commit()
        return {"ok": "1"}

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    return server, port


def hammer(base: str, token: str, path: str, clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def client(index: int) -> None:
        with httpx.Client(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as http:
            n = 0
            while time.perf_counter() < stop:
                n += 1
                body = {
                    "description": TEXTS[n % len(TEXTS)] + f"（{index}-{n}）",
                    "lon": 116.70 + (n % 50) * 0.0012,
                    "lat": 23.26 + (index % 8) * 0.008,
                    "reporter_phone": f"139{index:02d}{n:06d}",
                }
                response = http.post(path, json=body)
                if response.status_code < 300:
                    done[index] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def run(url: str, clients: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = prepare(url, Path(tmp))
        server, port = serve(settings)
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(
            f"{base}/api/v1/auth/token", json={"username": "bench.dispatch", "password": PASSWORD}
        ).json()["access_token"]
        hammer(base, token, "/api/v1/cases", clients, 1.0)  # warm up: classifier, locator
        rates = {"intake": 0.0, "bare": 0.0}
        for _ in range(2):
            rates["bare"] += hammer(base, token, "/bench/bare", clients, seconds) / 2
            rates["intake"] += hammer(base, token, "/api/v1/cases", clients, seconds) / 2
        server.should_exit = True
        dialect = url.split(":")[0].split("+")[0]
    print(f"engine: {dialect}; {clients} concurrent clients, 2 rounds of {seconds:.0f} s each")
    print(f"  bare authenticated insert (ref): {rates['bare']:8.1f} requests/s")
    print(f"  case intake:                     {rates['intake']:8.1f} cases/s")
    ratio = rates["intake"] / max(rates["bare"], 1e-9)
    print(f"  ratio intake/reference:          {ratio:8.2f}  (goal >= 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'intake.sqlite3'}", args.clients, args.seconds)
    if args.postgres:
        with scratch_postgres(args.postgres, "intake") as url:
            run(url, args.clients, args.seconds)


if __name__ == "__main__":
    main()
