"""A city on PostgreSQL: gridgov's reads and its sweep next to hand-written SQL.

Builds, with COPY, on a scratch database: a city district's regions (streets of 50
communities of 10 grids: 20,000 grids at full size) and three years of cases (10 million
at full size, 2 % of them open, spread over the grids and the months), then measures, in
one run, each of these next to the hand-written SQL that fetches the same rows:

    a dispatcher's queue     cases.list_cases(state=assigned), the district's 20 most due
    an overdue list          cases.list_cases(overdue=True)
    search                   cases.get_by_tracking_code
    the case page            cases.get_case + cases.timeline
    the three-rate figures   cases.figures.compute for one month, per grid
    the sweep                cases.sweep.sweep (one pass) vs a bare count of what it marks

p50/p95 over ``--repeat`` calls with fresh random parameters, in milliseconds. A cost
that grows with history rather than with the rows asked for shows as a ratio far above
1 that grows with ``--scale``.

    python benchmarks/city.py --postgres URL [--scale 0.01] [--repeat 30]

``--scale 1`` is the full city (10 M cases; needs about 6 GB of disk and, on the shared
2-core development machine, hours); ``make bench`` runs ``--scale 0.01``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import text

import gridgov.cases.figures as figures
import gridgov.cases.service as cases
import gridgov.cases.sweep as sweep
from gridgov.audit.service import Actor
from gridgov.config import Keys
from gridgov.db import Database, upgrade
from scratch import scratch_postgres

KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DISTRICT = "440512"
FULL_GRIDS = 20_000
FULL_CASES = 10_000_000
OPEN_SHARE = 0.02  # 200,000 open of 10 million
YEARS = 3
CATEGORIES = ("E0101", "C0102", "C0201", "E0102")
RUNNING_SQL = "'assigned', 'acknowledged', 'escalated', 'returned', 'in_progress'"


@dataclass(frozen=True)
class City:
    grids: list[str]
    cases: int
    streets: list[str]


def region_rows(grids: int) -> Iterator[tuple[str, str, str, str | None]]:
    """code, name, level, parent: one district, streets of 50 communities of 10 grids."""
    yield DISTRICT, "濠江区", "district", None
    communities = max(1, grids // 10)
    streets = max(1, communities // 50)
    for s in range(streets):
        street = f"{DISTRICT}{s + 1:03d}"
        yield street, f"街道{s + 1}", "street", DISTRICT
    for c in range(communities):
        street = f"{DISTRICT}{c % streets + 1:03d}"
        community = f"{street}{c // streets + 1:03d}"
        yield community, f"社区{c + 1}", "community", street
        for g in range(10):
            yield f"{community}{g + 1:03d}", f"网格{c + 1}-{g + 1}", "grid", community


def build(url: str, scale: float) -> City:
    upgrade(url)
    db = Database.from_url(url, keys=KEYS)
    with db.transaction() as session:
        cases.do_load_categories(
            session,
            actor=Actor.system(),
            now=NOW,
            rows=cases.category_rows(cases.default_category_document()),
        )
    db.dispose()
    conninfo = url.replace("postgresql+psycopg", "postgresql")
    grids_wanted = max(10, int(FULL_GRIDS * scale))
    count = max(1000, int(FULL_CASES * scale))
    rng = random.Random(18)
    grids: list[str] = []
    streets: list[str] = []
    with psycopg.connect(conninfo) as conn:
        with conn.cursor().copy(
            "COPY region (code, name, level, parent_code, kind) FROM STDIN"
        ) as copy:
            for code, name, level, parent in region_rows(grids_wanted):
                copy.write_row((code, name, level, parent, "comprehensive"))
                if level == "grid":
                    grids.append(code)
                elif level == "street":
                    streets.append(code)
        columns = (
            "tracking_code, channel, state, description, category_code, address, grid_code, "
            "level, unit_code, reporter_name, anonymous, source, spam_suspected, spam_reasons, "
            "language, suggestions, created_at, updated_at, assigned_at, response_due_at, "
            "resolution_due_at, acknowledged_at, resolved_at, closed_at, due_warning, "
            "escalations, reworks, contested, suspension_requested, rating, version"
        )
        span = YEARS * 365 * 86400
        with conn.cursor().copy(f"COPY case_file ({columns}) FROM STDIN") as copy:
            for n in range(count):
                grid = grids[n % len(grids)]
                open_ = rng.random() < OPEN_SHARE
                age = rng.uniform(3600, 20 * 86400) if open_ else rng.uniform(86400, span)
                created = NOW - timedelta(seconds=age)
                assigned = created + timedelta(minutes=5)
                ack = created + timedelta(hours=rng.uniform(0.5, 30))
                resolved = None if open_ else created + timedelta(days=rng.uniform(0.5, 9))
                late = rng.random() < 0.01
                copy.write_row(
                    (
                        f"C{n:011d}",
                        "web",
                        ("assigned" if late else "acknowledged") if open_ else "closed",
                        "城市基准案件",
                        CATEGORIES[n % len(CATEGORIES)],
                        "",
                        grid,
                        "grid",
                        grid,
                        "",
                        False,
                        "",
                        False,
                        "",
                        "",
                        "",
                        created,
                        resolved or created,
                        assigned,
                        assigned + timedelta(hours=24),
                        NOW - timedelta(hours=2) if late else assigned + timedelta(days=7),
                        None if (open_ and late) else ack,
                        resolved,
                        resolved,
                        "",
                        0,
                        0,
                        False,
                        False,
                        None if open_ else ("satisfied" if rng.random() < 0.9 else "dissatisfied"),
                        1,
                    )
                )
        conn.execute("ANALYZE")
    return City(grids=grids, cases=count, streets=streets)


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def row(label: str, mine: tuple[float, float], ref: tuple[float, float]) -> None:
    ratio = mine[0] / max(ref[0], 1e-6)
    print(f"  {label:<26}{mine[0]:>9.1f}{mine[1]:>9.1f}{ref[0]:>9.1f}{ref[1]:>9.1f}{ratio:>8.1f}x")


def measure(url: str, city: City, repeat: int) -> None:
    db = Database.from_url(url, keys=KEYS)
    rng = random.Random(7)
    dispatcher = Actor(username="d", role="dispatcher", user_id=1, scope=DISTRICT)
    print(f"  {'request (ms)':<26}{'p50':>9}{'p95':>9}{'SQL p50':>9}{'SQL p95':>9}{'ratio':>9}")
    with db.session() as session:
        conn = session.connection()

        def queue() -> None:
            cases.list_cases(session, viewer=dispatcher, state="assigned", limit=20)

        def queue_sql() -> None:
            conn.execute(
                text(
                    "SELECT * FROM case_file WHERE state = 'assigned' "
                    "ORDER BY resolution_due_at, id LIMIT 20"
                )
            ).all()

        row("dispatcher's queue", timed(queue, repeat), timed(queue_sql, repeat))

        def overdue() -> None:
            cases.list_cases(session, viewer=dispatcher, overdue=True, now=NOW, limit=20)

        def overdue_sql() -> None:
            conn.execute(
                text(
                    f"SELECT * FROM case_file WHERE state IN ({RUNNING_SQL}) "
                    "AND resolution_due_at < :now "
                    "ORDER BY resolution_due_at, id LIMIT 20"
                ),
                {"now": NOW},
            ).all()

        row("overdue list", timed(overdue, repeat), timed(overdue_sql, repeat))

        def code() -> str:
            return f"C{rng.randrange(city.cases):011d}"

        row(
            "search by tracking code",
            timed(lambda: cases.get_by_tracking_code(session, code()), repeat),
            timed(
                lambda: conn.execute(
                    text("SELECT * FROM case_file WHERE tracking_code = :c"), {"c": code()}
                ).one(),
                repeat,
            ),
        )

        def case_page() -> None:
            found = cases.get_case(session, case_id=rng.randrange(1, city.cases), viewer=dispatcher)
            cases.timeline(session, found)
            session.expunge_all()

        def case_page_sql() -> None:
            case_id = rng.randrange(1, city.cases)
            conn.execute(text("SELECT * FROM case_file WHERE id = :i"), {"i": case_id}).one()
            conn.execute(
                text("SELECT * FROM case_event WHERE case_id = :i ORDER BY at, id"), {"i": case_id}
            ).all()

        row("case page", timed(case_page, repeat), timed(case_page_sql, repeat))

        start = datetime(2026, 10, 1, tzinfo=UTC) - timedelta(hours=8)
        end = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(hours=8)

        def rates() -> None:
            figures.compute(session, start=start, end=end, now=NOW, group="grid", scope=DISTRICT)

        def rates_sql() -> None:
            conn.execute(
                text(
                    "SELECT grid_code, count(*), count(acknowledged_at), count(resolved_at), "
                    "count(*) FILTER (WHERE rating = 'satisfied') FROM case_file "
                    "WHERE created_at >= :s AND created_at < :e AND state <> 'rejected' "
                    "GROUP BY grid_code ORDER BY grid_code"
                ),
                {"s": start, "e": end},
            ).all()

        slow = max(3, repeat // 5)
        row("three rates, one month", timed(rates, slow), timed(rates_sql, slow))
        session.rollback()

    def bare_count() -> None:
        with db.session() as s:
            s.execute(
                text(
                    f"SELECT count(*) FROM case_file WHERE state IN ({RUNNING_SQL}) "
                    "AND resolution_due_at < :now"
                ),
                {"now": NOW},
            ).one()

    reference = timed(bare_count, 3)
    started = time.perf_counter()
    result = sweep.sweep(db, now=NOW)
    first = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    sweep.sweep(db, now=NOW + timedelta(minutes=1))
    second = (time.perf_counter() - started) * 1000
    row("sweep (first pass)", (first, first), reference)
    row("sweep (next pass)", (second, second), reference)
    print(f"    first pass: {result.overdue:,} marked overdue, {result.escalated} escalated")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    parser.add_argument("--scale", type=float, default=0.01, help="1 = the full city")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    if not args.postgres:
        print("skipped: the city runs on PostgreSQL (--postgres URL or GRIDGOV_TEST_DATABASE_URL)")
        return
    with scratch_postgres(args.postgres, "city") as url:
        started = time.perf_counter()
        city = build(url, args.scale)
        print(
            f"engine: postgresql; city at scale {args.scale:g}: {len(city.grids):,} grids, "
            f"{city.cases:,} cases over {YEARS} years ({OPEN_SHARE:.0%} open), built with "
            f"COPY in {time.perf_counter() - started:.0f} s"
        )
        measure(url, city, args.repeat)


if __name__ == "__main__":
    main()
