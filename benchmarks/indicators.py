"""Computing both indicator trees for a month of 1,000,000 cases, next to one hand-made
SQL query of the three rates per grid.

Builds a scratch database with the demo district (``gridgov.demo.build``: 269 grids,
~108,000 households, party organisations down to party groups, 14 departments, party
members, central households, volunteers and grid workers), then bulk-inserts 1,000,000
cases created in October 2026, spread over the grids by their households. Each grid
has its own quality, so rates differ between grids: acknowledgement in time or late,
closed in time or late, still open (some overdue), rejected (left out of the figures),
rated satisfied / basically satisfied / dissatisfied or not at all, reworked once or
twice; a quarter of the cases are handled by a department.

Timed, after one warm-up, median of five interleaved rounds:

(a) ``service.compute_many`` of three_rates and org_strength for 2026-10 (one pass
    over the cases for the counts both trees need), ``now`` inside the settle
    window so the month is provisional and recomputed each time (the snapshot rows are
    written, flushed, then rolled back);
(b) the reference: the response, resolution and satisfaction rates per grid for the
    month as ONE hand-written SQL query (GROUP BY grid_code), in the same run.

The figure is (a)/(b), goal within 2x. ``--profile`` prints where (a)'s time goes.

    python benchmarks/indicators.py [--cases N] [--postgres URL] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, event, func, insert, select, text
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases.models import Case
from gridgov.config import Keys
from gridgov.db import Database, UTCDateTime, upgrade
from gridgov.demo.build import build
from gridgov.indicators import service
from gridgov.indicators.models import IndicatorScore
from gridgov.indicators.rules import PeriodKind, parse_period
from gridgov.registry.models import Household, Organisation
from scratch import scratch_postgres

KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)
TZ = ZoneInfo("Asia/Shanghai")
PERIOD = "2026-10"
BUILT_AT = datetime(2026, 10, 1, 0, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # 10:00 on 5 November: October not settled
TREES = ("three_rates", "org_strength")
ACTOR = Actor.system("benchmark")
BATCH = 20_000
ROUNDS = 5
DEPARTMENT_SHARE = 0.25

HAND_SQL = text(
    """
    SELECT grid_code,
           1.0 * SUM(CASE WHEN acknowledged_at IS NOT NULL
                           AND acknowledged_at <= response_due_at THEN 1 ELSE 0 END)
               / NULLIF(SUM(CASE WHEN assigned_at IS NOT NULL THEN 1 ELSE 0 END), 0)
               AS response_rate,
           1.0 * SUM(CASE WHEN state = 'closed' AND closed_at IS NOT NULL
                           AND COALESCE(rating, '') <> 'dissatisfied' THEN 1 ELSE 0 END)
               / NULLIF(SUM(CASE WHEN assigned_at IS NOT NULL THEN 1 ELSE 0 END), 0)
               AS resolution_rate,
           1.0 * SUM(CASE WHEN rating IN ('satisfied', 'basically_satisfied') THEN 1 ELSE 0 END)
               / NULLIF(SUM(CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END), 0)
               AS satisfaction_rate
    FROM case_file
    WHERE created_at >= :start AND created_at < :end AND state <> 'rejected'
    GROUP BY grid_code
    """
).bindparams(bindparam("start", type_=UTCDateTime()), bindparam("end", type_=UTCDateTime()))


# -- the data ----------------------------------------------------------------------


def fast_sqlite_build(db: Database) -> None:
    """No journal and no fsync while building (registered after gridgov's own WAL and
    synchronous=FULL, so it overrides them); the timed runs use a fresh engine."""

    @event.listens_for(db.engine, "connect")
    def _fast(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def populate(db: Database, count: int, data_dir: Path) -> None:
    build(db, data_dir=data_dir, now=BUILT_AT, case_count=0)
    with db.session() as session:
        households = dict(
            session.execute(
                select(Household.grid_code, func.count()).group_by(Household.grid_code)
            ).all()
        )
        departments = list(
            session.scalars(select(Organisation.id).where(Organisation.kind == "department"))
        )
    grids = sorted(households)
    rng = random.Random(11)
    quality = {grid: rng.uniform(0.7, 1.0) for grid in grids}
    start, end = parse_period(PeriodKind.MONTH, PERIOD).bounds(TZ)
    span = (end - start).total_seconds()
    chosen = rng.choices(grids, weights=[households[g] for g in grids], k=count)
    for first in range(0, count, BATCH):
        rows = [
            case_row(n, grid, quality[grid], rng, start, span, departments)
            for n, grid in enumerate(chosen[first : first + BATCH], start=first)
        ]
        with db.transaction() as session:
            session.execute(insert(cast(Table, Case.__table__)), rows)
    with db.engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def case_row(
    n: int,
    grid: str,
    q: float,
    rng: random.Random,
    start: datetime,
    span: float,
    departments: list[int],
) -> dict[str, Any]:
    """One October case as the workflow leaves it (the columns the figures read)."""
    created = start + timedelta(seconds=rng.random() * span)
    department = rng.choice(departments) if rng.random() < DEPARTMENT_SHARE else None
    response_due = created + timedelta(hours=24 if department else 4)
    resolution_due = created + timedelta(days=5)
    draw = rng.random()
    if draw < 0.01:
        state = "rejected"
    elif draw < 0.01 + 0.9 * q:
        state = "closed"
    elif draw < 0.96:
        state = "in_progress"
    elif draw < 0.98:
        state = "resolved"
    elif draw < 0.99:
        state = "acknowledged"
    else:
        state = "assigned"
    assigned = state != "rejected"
    acknowledged = None
    if state not in ("rejected", "assigned"):
        late = rng.random() > 0.8 + 0.2 * q
        acknowledged = response_due + timedelta(hours=rng.uniform(0.5, 12) * (1 if late else -0.3))
    resolved = closed = rated = None
    rating = None
    reworks = 0
    if state in ("closed", "resolved"):
        on_time = rng.random() < 0.75 + 0.25 * q
        closed_at = (
            created + timedelta(days=rng.uniform(0.3, 4.9))
            if on_time
            else resolution_due + timedelta(days=rng.uniform(0.1, 6))
        )
        resolved = closed_at - timedelta(hours=rng.uniform(1, 20))
        reworks = 1 if rng.random() < 0.04 else (2 if rng.random() < 0.01 else 0)
        if state == "closed":
            closed = closed_at
            if rng.random() < 0.7:
                r = rng.random()
                rating = (
                    "satisfied"
                    if r < 0.6 + 0.35 * q
                    else "basically_satisfied"
                    if r < 0.8 + 0.18 * q
                    else "dissatisfied"
                )
                rated = closed_at + timedelta(days=1)
    return {
        "tracking_code": f"B{n:09d}",
        "channel": "web",
        "state": state,
        "description": "benchmark",
        "category_code": "E0101",
        "grid_code": grid,
        "level": "department" if department else "grid",
        "unit_code": "440512" if department else grid,
        "department_id": department,
        "created_at": created,
        "updated_at": created,
        "assigned_at": created if assigned else None,
        "response_due_at": response_due if assigned else None,
        "resolution_due_at": resolution_due if assigned else None,
        "acknowledged_at": acknowledged,
        "resolved_at": resolved,
        "closed_at": closed,
        "rating": rating,
        "rated_at": rated,
        "reworks": reworks,
    }


# -- the two measurements ----------------------------------------------------------


class QueryCounter:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.count += 1


def compute_both(session: Session) -> list[int]:
    """(a): both trees through the service, one pass over the cases; the snapshots' ids."""
    snapshots = service.compute_many(
        session, keys=TREES, period=PERIOD, now=NOW, actor=ACTOR, tz=TZ
    )
    assert not any(s.final for s in snapshots), "the month must be provisional"
    session.flush()
    return [snapshot.id for snapshot in snapshots]


def timed_compute(db: Database, check: Callable[[Session, list[int]], None] | None = None) -> float:
    session = db.session(write=True)
    try:
        started = time.perf_counter()
        ids = compute_both(session)
        elapsed = time.perf_counter() - started
        if check:
            check(session, ids)
    finally:
        session.rollback()  # leaves no snapshot: the next round computes again
        session.close()
    return elapsed


def hand_query(session: Session) -> dict[str, tuple[Any, ...]]:
    """(b): the three rates per grid for the month in one hand-written query."""
    start, end = parse_period(PeriodKind.MONTH, PERIOD).bounds(TZ)
    return {
        row[0]: tuple(row[1:]) for row in session.execute(HAND_SQL, {"start": start, "end": end})
    }


def timed_hand_query(db: Database) -> tuple[float, dict[str, tuple[Any, ...]]]:
    with db.session() as session:
        started = time.perf_counter()
        rates = hand_query(session)
        return time.perf_counter() - started, rates


def same_rates(reference: dict[str, tuple[Any, ...]]) -> Callable[[Session, list[int]], None]:
    """A check that the service's grid rates are the hand query's: same work, same answer."""

    def check(session: Session, ids: list[int]) -> None:
        rows = session.execute(
            select(IndicatorScore.unit, IndicatorScore.detail).where(
                IndicatorScore.snapshot_id == ids[0], IndicatorScore.league == "grid"
            )
        ).all()
        assert len(rows) == len(reference), (len(rows), len(reference))
        for unit, detail in rows:
            leaves = json.loads(detail)["leaves"]
            mine = [leaves[leaf][0] for leaf in ("response", "resolution", "satisfaction")]
            theirs = [None if v is None else float(v) for v in reference[unit]]
            for a, b in zip(mine, theirs, strict=True):
                assert (a is None and b is None) or abs(a - b) < 1e-9, (unit, mine, theirs)

    return check


def profile(db: Database) -> None:
    session = db.session(write=True)
    profiler = cProfile.Profile()
    try:
        profiler.enable()
        compute_both(session)
        profiler.disable()
    finally:
        session.rollback()
        session.close()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
    print(out.getvalue())


def run(url: str, count: int, want_profile: bool) -> None:
    upgrade(url)
    builder = Database.from_url(url, keys=KEYS)
    if builder.dialect == "sqlite":
        fast_sqlite_build(builder)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        populate(builder, count, Path(tmp))
    built = time.perf_counter() - started
    builder.dispose()
    db = Database.from_url(url, keys=KEYS)
    with db.transaction() as session:
        service.ensure_shipped(session, now=NOW)
    print(f"engine: {db.dialect}; demo district and {count:,} October cases built in {built:.0f} s")
    _hand_time, reference = timed_hand_query(db)  # warm-up
    counter = QueryCounter(db)
    timed_compute(db, check=same_rates(reference))  # warm-up, and the same rates
    queries = counter.count
    event.remove(db.engine, "before_cursor_execute", counter._count)
    computes: list[float] = []
    hands: list[float] = []
    for _ in range(ROUNDS):
        hands.append(timed_hand_query(db)[0])
        computes.append(timed_compute(db))
    a, b = statistics.median(computes), statistics.median(hands)
    print(
        f"  hand-made SQL, three rates per grid (ref): {b * 1000:9.1f} ms  "
        f"(best {min(hands) * 1000:.1f}; {len(reference)} grids)"
    )
    print(
        f"  service.compute_many, both trees:          {a * 1000:9.1f} ms  "
        f"(best {min(computes) * 1000:.1f}; {queries} queries)"
    )
    print(f"  ratio compute/reference:                   {a / b:9.2f}x  (goal within 2x)")
    if want_profile:
        profile(db)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    parser.add_argument("--profile", action="store_true", help="cProfile one computation")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'indicators.sqlite3'}", args.cases, args.profile)
    if args.postgres:
        with scratch_postgres(args.postgres, "indicators") as url:
            run(url, args.cases, args.profile)


if __name__ == "__main__":
    main()
