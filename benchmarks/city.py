"""A city on PostgreSQL: gridgov's reads and its sweep next to hand-written SQL.

Builds, with COPY, on a scratch database: a city district's regions (streets of 50
communities of 10 grids: 20,000 grids at full size, each a square of the map), its
households (4 million at full size, 200 a grid) and three years of cases (10 million
at full size, 2 % of them open, spread over the grids and the months), then measures, in
one run, each of these next to the hand-written SQL that fetches the same rows:

    locate                   territory's in-memory locator vs a bounding-box query
    a dispatcher's queue     cases.list_cases(state=assigned), the district's 20 most due
    an overdue list          cases.list_cases(overdue=True)
    search                   cases.get_by_tracking_code
    the case page            cases.get_case + cases.timeline
    the three-rate figures   cases.figures.compute for one month, per grid
    both indicator trees     indicators.compute_many(three_rates, org_strength) for a month
                             vs one GROUP BY of the three rates per grid
    the leader's dashboard   indicators' dashboard (open, overdue, six months' rates, top
                             categories, most overdue units) vs the same five statements
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
import shapely
from sqlalchemy import text

import gridgov.cases.figures as figures
import gridgov.cases.service as cases
import gridgov.cases.sweep as sweep
from gridgov.audit.service import Actor
from gridgov.cases.rules import OPEN_STATES
from gridgov.config import Keys
from gridgov.db import Database, upgrade
from gridgov.indicators import service as indicators
from gridgov.indicators.rules import PeriodKind, parse_period, recent_periods
from gridgov.indicators.service.overview import dashboard
from gridgov.territory import service as territory
from indicators import HAND_SQL, TREES, TZ
from scratch import scratch_postgres

KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DISTRICT = "440512"
FULL_GRIDS = 20_000
FULL_CASES = 10_000_000
HOUSEHOLDS_PER_GRID = 200  # 4 million at full size
ORIGIN = (116.60, 23.25)  # the south-west corner of the city's lattice of grids
CELL = 0.004  # a grid's side in degrees, about 400 m
OPEN_SHARE = 0.02  # 200,000 open of 10 million
RECENT_DAYS = 30  # the open cases are among the last month's
YEARS = 3
CATEGORIES = ("E0101", "C0102", "C0201", "E0102")
RUNNING_SQL = "'assigned', 'acknowledged', 'escalated', 'returned', 'in_progress'"
OPEN_SQL = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATES))


@dataclass(frozen=True)
class City:
    grids: list[str]
    cases: int
    streets: list[str]
    households: int
    side: int  # grids per row of the lattice


def grid_square(n: int, side: int) -> tuple[float, float, float, float]:
    """The n-th grid's square on the lattice: min lon, min lat, max lon, max lat."""
    x = ORIGIN[0] + (n % side) * CELL
    y = ORIGIN[1] + (n // side) * CELL
    return x, y, x + CELL, y + CELL


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
    side = max(1, round(grids_wanted**0.5))
    with psycopg.connect(conninfo) as conn:
        with conn.cursor().copy(
            "COPY region (code, name, level, parent_code, kind, geometry, min_lon, min_lat, "
            "max_lon, max_lat, centroid_lon, centroid_lat, area_m2) FROM STDIN"
        ) as copy:
            for code, name, level, parent in region_rows(grids_wanted):
                shape: tuple[object, ...] = (None,) * 8
                if level == "grid":
                    x0, y0, x1, y1 = grid_square(len(grids), side)
                    wkb = shapely.to_wkb(shapely.box(x0, y0, x1, y1))
                    shape = (wkb, x0, y0, x1, y1, (x0 + x1) / 2, (y0 + y1) / 2, 400.0 * 400.0)
                    grids.append(code)
                elif level == "street":
                    streets.append(code)
                copy.write_row((code, name, level, parent, "comprehensive", *shape))
        households = 0
        with conn.cursor().copy(
            "COPY household (number, address, lon, lat, grid_code) FROM STDIN"
        ) as copy:
            for n, grid in enumerate(grids):
                x0, y0, _x1, _y1 = grid_square(n, side)
                for h in range(HOUSEHOLDS_PER_GRID):
                    lon = x0 + CELL * rng.random()
                    lat = y0 + CELL * rng.random()
                    copy.write_row((f"H{grid}{h:04d}", f"网格{n + 1}第{h + 1}户", lon, lat, grid))
                    households += 1
        columns = (
            "tracking_code, channel, state, description, category_code, address, grid_code, "
            "level, unit_code, reporter_name, anonymous, source, spam_suspected, spam_reasons, "
            "language, suggestions, created_at, updated_at, assigned_at, response_due_at, "
            "resolution_due_at, acknowledged_at, resolved_at, closed_at, due_warning, "
            "escalations, reworks, contested, suspension_requested, rating, version"
        )
        span = YEARS * 365 * 86400
        with conn.cursor().copy(f"COPY case_file ({columns}) FROM STDIN") as copy:
            # Oldest first, as a real table grows: a month's cases lie together on disk.
            # The open ones are among the last RECENT_DAYS' cases.
            open_recent = min(1.0, OPEN_SHARE * YEARS * 365 / RECENT_DAYS)
            for n in range(count):
                grid = grids[n % len(grids)]
                age = max(600.0, span * (1 - (n + rng.random()) / count))
                open_ = age < RECENT_DAYS * 86400 and rng.random() < open_recent
                created = NOW - timedelta(seconds=age)
                assigned = created + timedelta(minutes=5)
                ack = min(NOW, created + timedelta(hours=rng.uniform(0.5, 30)))
                done = min(NOW, created + timedelta(days=rng.uniform(0.5, 9)))
                resolved = None if open_ else done
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
    return City(grids=grids, cases=count, streets=streets, households=households, side=side)


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
        started = time.perf_counter()
        locator = territory.get_locator(session)
        print(f"  locator of {len(locator):,} grids built in {time.perf_counter() - started:.2f} s")

        def point() -> tuple[float, float]:
            n = rng.randrange(len(city.grids))
            x0, y0, _x1, _y1 = grid_square(n, city.side)
            return x0 + CELL * rng.random(), y0 + CELL * rng.random()

        def locate() -> None:
            found = territory.get_locator(session).locate(*point())
            assert found.grid is not None

        def locate_sql() -> None:
            lon, lat = point()
            conn.execute(
                text(
                    "SELECT code FROM region WHERE level = 'grid' AND min_lon <= :x "
                    "AND max_lon >= :x AND min_lat <= :y AND max_lat >= :y"
                ),
                {"x": lon, "y": lat},
            ).first()

        row("locate", timed(locate, repeat), timed(locate_sql, repeat))

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
        measure_trees(db, slow)
        with db.session() as session:
            measure_dashboard(session, slow)

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


def measure_trees(db: Database, repeat: int) -> None:
    """Both indicator trees for October, computed and rolled back each time (the month is
    provisional at NOW), next to the hand-written three rates per grid."""
    with db.transaction() as session:
        indicators.ensure_shipped(session, now=NOW)
    period = "2026-10"
    start, end = parse_period(PeriodKind.MONTH, period).bounds(TZ)
    settle = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # October is not settled yet

    def trees() -> None:
        session = db.session(write=True)
        try:
            indicators.compute_many(
                session, keys=TREES, period=period, now=settle, actor=Actor.system("city"), tz=TZ
            )
            session.flush()
        finally:
            session.rollback()
            session.close()

    def trees_sql() -> None:
        with db.session() as session:
            session.execute(HAND_SQL, {"start": start, "end": end}).all()

    row("both trees, one month", timed(trees, repeat), timed(trees_sql, repeat))


def measure_dashboard(session: Any, repeat: int) -> None:
    """The leader's dashboard for the district next to the statements it needs: open and
    overdue counts, six months' rates, the month's top categories, the most overdue units."""
    conn = session.connection()
    months = [p.bounds(TZ) for p in recent_months(6)]

    def board() -> None:
        dashboard(session, scope=DISTRICT, now=NOW, tz=TZ)

    def board_sql() -> None:
        scope = {"scope": f"{DISTRICT}%", "now": NOW}
        for states in (OPEN_SQL, RUNNING_SQL):
            due = "" if states == OPEN_SQL else "AND resolution_due_at < :now "
            conn.execute(
                text(
                    f"SELECT count(*) FROM case_file WHERE state IN ({states}) {due}"
                    "AND grid_code LIKE :scope"
                ),
                scope,
            ).one()
        for start, end in months:
            conn.execute(
                text(
                    "SELECT count(*), count(acknowledged_at), count(resolved_at), "
                    "count(*) FILTER (WHERE rating = 'satisfied') FROM case_file "
                    "WHERE created_at >= :s AND created_at < :e AND state <> 'rejected' "
                    "AND grid_code LIKE :scope"
                ),
                {"s": start, "e": end, **scope},
            ).one()
        conn.execute(
            text(
                "SELECT category_code, count(*) FROM case_file WHERE created_at >= :s "
                "AND created_at < :e AND grid_code LIKE :scope GROUP BY category_code "
                "ORDER BY count(*) DESC LIMIT 8"
            ),
            {"s": months[-1][0], "e": months[-1][1], **scope},
        ).all()
        conn.execute(
            text(
                "SELECT unit_code, department_id, count(*) FROM case_file "
                f"WHERE state IN ({RUNNING_SQL}) AND resolution_due_at < :now "
                "AND grid_code LIKE :scope GROUP BY unit_code, department_id "
                "ORDER BY count(*) DESC LIMIT 8"
            ),
            scope,
        ).all()

    row("leader's dashboard", timed(board, repeat), timed(board_sql, repeat))


def recent_months(count: int) -> list[Any]:
    """The last ``count`` months up to NOW's, oldest first, as the dashboard reads them."""
    return list(recent_periods(PeriodKind.MONTH, NOW.astimezone(TZ).date(), count))


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
            f"{city.households:,} households, "
            f"{city.cases:,} cases over {YEARS} years ({OPEN_SHARE:.0%} open), built with "
            f"COPY in {time.perf_counter() - started:.0f} s"
        )
        measure(url, city, args.repeat)


if __name__ == "__main__":
    main()
