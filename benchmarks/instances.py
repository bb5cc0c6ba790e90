"""More than one machine: two gridgov instances behind a load balancer on one PostgreSQL.

One run, one scratch PostgreSQL database:

1. **Throughput, 1 vs 2 instances.** Two uvicorn processes (one worker each) serve the
   same database; a round-robin TCP proxy (``support/tcp_proxy.py``, in its own process)
   fronts either instance A alone or A and B. Load comes from wrk (or ``support/loadgen``)
   in another process: intake (POST /api/v1/cases: locate, classify, route, audit chain,
   outbox) and an authenticated read. Rounds alternate 1 and 2 so both see the same
   machine. On a 2-core machine the load generator, the proxy, PostgreSQL and both
   instances share the cores, so the ratio shows how much of the second instance's work
   survives contention, not a second machine's full gain.
2. **Sweeps exactly once.** Both instances run their background jobs every second while
   the load runs; cases seeded a month ago are overdue when the run starts. Afterwards
   every one of them must be marked overdue exactly once (``case.marked_overdue`` audit
   rows and ``overdue:`` outbox rows), and the audit chain must verify.
3. **Does the audit chain cap throughput?** 1, 2 and 4 writer processes each commit
   one-row transactions with a chained audit row (gridgov's ``record``), against the same
   with a plain audit row, for the same time. If chained throughput stops growing with
   writers while plain throughput grows, the chain's head row is the ceiling.

    python benchmarks/instances.py [--postgres URL] [--seconds 4] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import func, select

from audit_append import KEYS, _insert
from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor, verify
from gridgov.cases import service as cases
from gridgov.cases.models import OutboxMessage
from gridgov.cases.rules import Channel
from gridgov.config import Settings
from gridgov.db import Database
from httpbench import NOW, PASSWORD, bodies_file, free_port, load, prepare, uvicorn_process
from scratch import scratch_postgres

HERE = Path(__file__).resolve().parent
OVERDUE_CASES = 120


def seed_overdue(url: str, data_dir: Path) -> int:
    """Cases filed a month ago, routed at once (category given), so that their
    deadlines have passed when the instances' sweeps first run."""
    settings = Settings(data_dir=data_dir, database_url=url)
    db = Database.from_url(url, keys=settings.keys)
    past = NOW - timedelta(days=30)
    with db.transaction() as session:
        category = next(
            row["code"]
            for row in cases.category_rows(cases.default_category_document())
            if row["start_level"] is not None
        )
        for n in range(OVERDUE_CASES):
            cases.do_intake(
                session,
                actor=Actor.system("benchmark"),
                value=cases.IntakeInput(
                    description=f"楼道灯坏了很久没人修（{n}）",
                    channel=Channel.HOTLINE,
                    category_code=str(category),
                    lon=116.70 + (n % 50) * 0.0012,
                    lat=23.26 + (n % 8) * 0.008,
                ),
                now=past,
            )
    db.dispose()
    return OVERDUE_CASES


@contextmanager
def proxy(backends: list[int]) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, str(HERE / "support" / "tcp_proxy.py"), str(port)]
    process = subprocess.Popen(  # noqa: S603
        [*command, *map(str, backends)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()  # "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _writer(
    url: str, variant: str, offset: int, seconds: float, done: multiprocessing.Queue[int]
) -> None:
    db = Database.from_url(url, keys=KEYS)
    stop = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < stop:
        _insert(db, f"{offset + n:07d}", audit=variant)
        n += 1
    db.dispose()
    done.put(n)


def chain_contention(url: str, seconds: float) -> dict[tuple[str, int], float]:
    """Transactions per second with P writer processes, chained vs plain audit rows."""
    rates: dict[tuple[str, int], float] = {}
    offset = 1_000_000
    context = multiprocessing.get_context("spawn")
    for writers in (1, 2, 4):
        for variant in ("plain", "chained"):
            queue = context.Queue()
            workers = [
                context.Process(
                    target=_writer, args=(url, variant, offset + w * 100_000, seconds, queue)
                )
                for w in range(writers)
            ]
            offset += writers * 100_000
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            rates[(variant, writers)] = sum(queue.get() for _ in workers) / seconds
    return rates


def run(url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        prepare(url, data_dir)
        seeded = seed_overdue(url, data_dir)
        env = {
            "GRIDGOV_DATABASE_URL": url,
            "GRIDGOV_DATA_DIR": str(data_dir),
            "GRIDGOV_SWEEP_SECONDS": "1",  # both instances run the jobs, every second
            "GRIDGOV_NOTIFY_MODE": "record",
            "GRIDGOV_LOGIN_MAX_FAILURES_PER_IP": "1000000",
            "GRIDGOV_RATE_LIMIT_FACTOR": "1000000",  # count every report, refuse none
        }
        app = ["--factory", "gridgov.web.asgi:app_factory"]
        with uvicorn_process(app, env) as a, uvicorn_process(app, env) as b:
            a_port, b_port = (int(s.base.rsplit(":", 1)[1]) for s in (a, b))
            token = httpx.post(
                f"{a.base}/api/v1/auth/token",
                json={"username": "bench.dispatch", "password": PASSWORD},
            ).json()["access_token"]
            for server in (a, b):  # the first report of a process waits for its models
                warm = httpx.post(
                    f"{server.base}/api/v1/cases",
                    json={"description": "楼下路灯坏了好几天", "lon": 116.70, "lat": 23.26},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=120,
                )
                warm.raise_for_status()
            rates: dict[tuple[str, int], float] = {}
            with proxy([a_port]) as one, proxy([a_port, b_port]) as two:
                for round_ in range(args.rounds):
                    for count, base in ((1, one), (2, two)):
                        for probe, path in (("intake", "/api/v1/cases"), ("read", "/api/v1/me")):
                            bodies = (
                                bodies_file(data_dir, f"i{count}{round_}")
                                if probe == "intake"
                                else None
                            )
                            rate, _ = load(
                                base + path, token, args.seconds, args.connections, bodies
                            )
                            key = (probe, count)
                            rates[key] = rates.get(key, 0.0) + rate / args.rounds
            time.sleep(3)  # let the last sweeps finish
        db = Database.from_url(url, keys=Settings(data_dir=data_dir, database_url=url).keys)
        with db.session() as session:
            marked = [
                int(json.loads(event.summary).get("cases", 0))
                for event in session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "case.marked_overdue")
                )
            ]
            queued = session.execute(
                select(func.count()).where(OutboxMessage.dedupe_key.startswith("overdue:"))
            ).scalar_one()
            chain_ok = verify(session).ok
        db.dispose()
    contention = chain_contention(url, args.seconds)

    print("engine: postgresql; two uvicorn instances (one worker each), round-robin proxy")
    print(f"  {'request':<22}{'1 instance':>12}{'2 instances':>13}{'2 / 1':>8}")
    for probe, label in (("intake", "intake"), ("read", "authenticated read")):
        r1, r2 = rates[(probe, 1)], rates[(probe, 2)]
        print(f"  {label:<22}{r1:>10.0f}/s{r2:>11.0f}/s{r2 / max(r1, 1e-9):>8.2f}")
    once = sum(marked) == seeded == queued
    print(
        f"  sweeps on both instances: {sum(marked)} overdue markings in {len(marked)} sweep "
        f"runs for {seeded} seeded overdue cases, {queued} overdue notices queued; audit "
        f"chain {'verifies' if chain_ok else 'BROKEN'}"
        + ("  ok" if once and chain_ok else "  FAILED")
    )
    print("  audit chain under concurrent writers (one-row transactions per second):")
    print(f"  {'writers':<10}{'plain row':>11}{'chained':>10}{'chained/plain':>15}")
    for writers in (1, 2, 4):
        plain, chained = contention[("plain", writers)], contention[("chained", writers)]
        print(f"  {writers:<10}{plain:>9.0f}/s{chained:>8.0f}/s{chained / plain:>15.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if not args.postgres:
        print("instances.py needs PostgreSQL (--postgres URL or GRIDGOV_TEST_DATABASE_URL)")
        return
    with scratch_postgres(args.postgres, "instances") as url:
        run(url, args)


if __name__ == "__main__":
    main()
