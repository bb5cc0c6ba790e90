"""Intake's CPU per report, in-process (issue #18).

Builds httpbench's world (one district, the default categories, a dispatcher) and files
N reports like httpbench's (six texts at 200 points, each with a phone), after 30 to
warm up, timing each:

- by default through ``POST /api/v1/cases`` on the app served in this process
  (Starlette's TestClient: the same routing, dependencies and worker-thread hop as
  uvicorn, without the socket), with ``time.process_time()`` (every thread, the test
  client's too);
- with ``--concurrent K``, the same requests K at a time (httpx on the app's ASGI
  interface, in this process), the whole process's CPU divided by the reports: what the
  intake writer's group commit (``cases/intake_writer.py``) shares between the reports
  that arrive together; it prints how many reports a batch held on average;
- with ``--direct``, what ``create_case`` does (a write session, the rate limit,
  ``do_intake``, the commit, the answer's model) called in this thread, with
  ``time.thread_time()``: the part intake's own code decides.

Prints the minimum, median and mean CPU per report. ``--profile`` (with ``--direct``:
cProfile sees only this thread) adds cProfile's top entries by cumulative time and the
number of Python function calls, which unlike the times does not move with the load of
a shared machine; ``--statements`` prints one report's SQL.

    python benchmarks/intake_cpu.py [--reports 300] [--postgres URL] [--direct]
                                    [--concurrent K] [--profile] [--statements]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from gridgov.cases.schemas import CaseOut
from gridgov.config import Settings
from gridgov.db import Database
from httpbench import PASSWORD, TEXTS, prepare
from scratch import scratch_postgres


def direct(
    db: Database,
    body: Callable[[int], dict[str, Any]],
    reports: int,
    profiler: cProfile.Profile | None,
    first: int = 30,
) -> list[float]:
    """What ``create_case`` does for a dispatcher, without HTTP: one write session, the
    rate limit, ``do_intake``, the commit, the answer's model; CPU of this thread only."""
    from sqlalchemy import select

    from gridgov.accounts import service as accounts
    from gridgov.accounts.models import User
    from gridgov.cases import service
    from gridgov.cases.rules import Channel
    from gridgov.cases.schemas import CaseCreatedOut
    from gridgov.guard.rules import Write
    from gridgov.guard.service import check_rate

    with db.session() as session:
        user = session.scalars(select(User).where(User.username == "bench.dispatch")).one()
    spent = []
    for n in range(first, first + reports):
        if profiler is not None:
            profiler.enable()
        start = time.thread_time()
        now = datetime.now(UTC)
        with db.session(write=True) as session:
            me = session.merge(user, load=False)
            check_rate(session, write=Write.REPORT_STAFF, source=f"user:{me.id}", now=now)
            got = body(n)
            intake = service.do_intake(
                session,
                actor=accounts.actor_for(me),
                value=service.IntakeInput(
                    description=str(got["description"]),
                    channel=Channel.API,
                    lon=float(got["lon"]),
                    lat=float(got["lat"]),
                    reporter_phone=str(got["reporter_phone"]),
                    reporter_user_id=me.id,
                    source=f"staff:{me.username}",
                    principal=f"user:{me.id}",
                ),
                now=now,
            )
            session.commit()
            CaseCreatedOut.model_validate(
                {**CaseOut.model_validate(intake.case).model_dump(), "reporter_token": "x"}
            ).model_dump(mode="json")
        spent.append(time.thread_time() - start)
        if profiler is not None:
            profiler.disable()
    return spent


def concurrent(
    app: Any,
    auth: dict[str, str],
    body: Callable[[int], dict[str, Any]],
    reports: int,
    k: int,
    profiler: cProfile.Profile | None = None,
) -> float:
    """File ``reports`` reports ``k`` at a time through the app's ASGI interface; the
    process's CPU per report in ms (the client's share included, alike before and after).
    ``profiler`` sees the event loop's thread: the client, the ASGI app and the route,
    not the intake writer's thread."""
    import asyncio

    import httpx2 as httpx

    async def go() -> None:
        numbers = iter(range(30, 30 + reports))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def worker() -> None:
                for n in numbers:
                    reply = await client.post("/api/v1/cases", json=body(n), headers=auth)
                    if reply.status_code != 201:
                        raise RuntimeError(reply.text)

            await asyncio.gather(*(worker() for _ in range(k)))

    start = time.process_time()
    if profiler is not None:
        profiler.enable()
    asyncio.run(go())
    if profiler is not None:
        profiler.disable()
    return (time.process_time() - start) * 1000 / reports


def run(url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        prepare(url, data_dir)
        settings = Settings(
            data_dir=data_dir,
            database_url=url,
            sweep_seconds=0,
            notify_mode="record",
            warm_models=False,
            rate_limit_factor=1_000_000.0,
        )
        from gridgov.cases import classify, spam
        from gridgov.web.app import create_app, settle_heap

        classify.default()
        spam.default()
        db = Database.from_url(url, keys=settings.keys)
        app = create_app(settings, database=db)
        with TestClient(app) as client:
            token = client.post(
                "/api/v1/auth/token", json={"username": "bench.dispatch", "password": PASSWORD}
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}

            def body(n: int) -> dict[str, Any]:
                return {
                    "description": TEXTS[n % len(TEXTS)] + f"（{n}）",
                    "lon": 116.70 + (n % 50) * 0.0012,
                    "lat": 23.26 + (n % 8) * 0.008,
                    "reporter_phone": f"139{n:08d}",
                }

            for n in range(30):  # warm: caches, the locator, the first statements
                client.post("/api/v1/cases", json=body(n), headers=auth).raise_for_status()
            settle_heap()
            if args.statements:
                from sqlalchemy import event

                def show(_c: object, _k: object, statement: str, *_a: object) -> None:
                    print("  SQL:", " ".join(statement.split())[:160])

                event.listen(db.engine, "before_cursor_execute", show)
                if args.direct:  # a report that is routed at once (no duplicate near)
                    direct(db, body, 1, None, first=10_000)
                else:
                    client.post("/api/v1/cases", json=body(7), headers=auth)
                event.remove(db.engine, "before_cursor_execute", show)
            if args.concurrent:
                writer = getattr(app.state.gridgov, "intake", None)
                before = writer.batches if writer is not None else 0
                profiler = cProfile.Profile() if args.profile else None
                per_report = concurrent(app, auth, body, args.reports, args.concurrent, profiler)
                batches = (writer.batches - before) if writer is not None else args.reports
                print(
                    f"{url.split(':')[0]}: {args.reports} reports, {args.concurrent} at a time: "
                    f"process CPU/report {per_report:.2f} ms, "
                    f"{args.reports / max(batches, 1):.1f} reports per commit"
                )
                db.dispose()
                if profiler is not None:
                    pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(
                        args.top
                    )
                return
            profiler = cProfile.Profile() if args.profile else None
            spent: list[float] = []
            if args.direct:
                spent = direct(db, body, args.reports, profiler)
            for n in range(30, 30 + args.reports * (not args.direct)):
                if profiler is not None:
                    profiler.enable()
                start = time.process_time()
                reply = client.post("/api/v1/cases", json=body(n), headers=auth)
                spent.append(time.process_time() - start)
                if profiler is not None:
                    profiler.disable()
                if reply.status_code != 201:
                    raise RuntimeError(reply.text)
        db.dispose()
        gc.collect()
    ms = [s * 1000 for s in spent]
    print(
        f"{url.split(':')[0]}: {len(ms)} reports, CPU/report min {min(ms):.2f} ms, "
        f"median {statistics.median(ms):.2f} ms, mean {statistics.fmean(ms):.2f} ms"
    )
    if profiler is not None:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--postgres", default=None, help="a PostgreSQL URL (scratch db)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--sort", default="cumulative", help="pstats order: cumulative, tottime, calls …"
    )
    parser.add_argument(
        "--direct", action="store_true", help="call do_intake in this thread, without HTTP"
    )
    parser.add_argument(
        "--concurrent", type=int, default=0, help="K requests at a time (process CPU)"
    )
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--statements", action="store_true", help="print one report's SQL")
    args = parser.parse_args()
    if args.postgres:
        with scratch_postgres(args.postgres, "intake_cpu") as url:
            run(url, args)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{tmp}/intake.db", args)


if __name__ == "__main__":
    main()
