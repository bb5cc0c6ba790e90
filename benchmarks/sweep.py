"""One sweep over 1,000,000 open cases: its time and its number of queries.

Builds a scratch database with the demo-sized territory left out (the sweep does not
locate): 1,000,000 open cases assigned to grids, of which 0.05 % are past their
response due time (the sweep escalates them, at most ``batch`` per pass) and 1 % past
their resolution due time (marked overdue in one statement). Prints the sweep's wall
time and query count next to the reference: a bare indexed count of the same overdue
rows, measured in the same run.

    python benchmarks/sweep.py [--cases N] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases import sweep
from gridgov.cases.models import Assignment, Case
from gridgov.config import Keys
from gridgov.db import Database, upgrade
from gridgov.territory import service as territory
from scratch import scratch_postgres

KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
GRIDS = [f"4405120010010{n}" for n in range(1, 10)]


def populate(db: Database, count: int) -> None:
    rng = random.Random(7)
    with db.transaction() as session:
        territory.do_create_region(
            session, actor=Actor.system(), code="440512", name="濠江区", level="district", now=NOW
        )
        territory.do_create_region(
            session,
            actor=Actor.system(),
            code="440512001",
            name="达濠街道",
            level="street",
            parent_code="440512",
            now=NOW,
        )
        territory.do_create_region(
            session,
            actor=Actor.system(),
            code="440512001001",
            name="青篮社区",
            level="community",
            parent_code="440512001",
            now=NOW,
        )
        for code in GRIDS:
            territory.do_create_region(
                session,
                actor=Actor.system(),
                code=code,
                name=code,
                level="grid",
                parent_code="440512001001",
                now=NOW,
            )
        cases.do_load_categories(
            session,
            actor=Actor.system(),
            now=NOW,
            rows=cases.category_rows(cases.default_category_document()),
        )
    batch = 20_000
    made = 0
    while made < count:
        rows = []
        for n in range(made, min(made + batch, count)):
            late_ack = rng.random() < 0.0005
            overdue = rng.random() < 0.01
            created = NOW - timedelta(days=rng.uniform(1, 20))
            rows.append(
                {
                    "tracking_code": f"B{n:09d}",
                    "channel": "web",
                    "state": "assigned" if late_ack else "acknowledged",
                    "description": "benchmark",
                    "category_code": "E0101",
                    "address": "",
                    "grid_code": rng.choice(GRIDS),
                    "level": "grid",
                    "unit_code": None,
                    "reporter_name": "",
                    "anonymous": False,
                    "source": "",
                    "spam_suspected": False,
                    "created_at": created,
                    "updated_at": created,
                    "assigned_at": created,
                    "response_due_at": NOW - timedelta(hours=1)
                    if late_ack
                    else created + timedelta(days=1),
                    "resolution_due_at": NOW - timedelta(hours=2)
                    if overdue
                    else NOW + timedelta(days=5),
                    "due_warning": "",
                    "escalations": 0,
                    "reworks": 0,
                    "contested": False,
                    "suspension_requested": False,
                    "version": 1,
                }
            )
        with db.transaction() as session:
            ids = session.execute(
                insert(Case).returning(
                    Case.id,
                    Case.state,
                    Case.grid_code,
                    Case.response_due_at,
                    Case.assigned_at,
                    sort_by_parameter_order=True,
                ),
                rows,
            ).all()
            late = [
                {
                    "case_id": i,
                    "level": "grid",
                    "unit_code": grid,
                    "lead": True,
                    "active": True,
                    "assigned_at": assigned,
                    "response_due_at": due,
                }
                for i, state, grid, due, assigned in ids
                if state == "assigned"
            ]
            if late:
                session.execute(insert(Assignment), late)
        made += len(rows)


class QueryCounter:
    def __init__(self, db: Database) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.count += 1


def run(url: str, count: int) -> None:
    upgrade(url)
    db = Database.from_url(url, keys=KEYS)
    started = time.perf_counter()
    populate(db, count)
    print(
        f"engine: {db.dialect}; {count:,} open cases made in {time.perf_counter() - started:.0f} s"
    )
    # Reference: a bare indexed count of the overdue rows, in the same run.
    started = time.perf_counter()
    with db.session() as session:
        overdue = session.scalar(
            select(func.count()).select_from(Case).where(cases.overdue_clause(NOW))
        )
    reference = time.perf_counter() - started
    counter = QueryCounter(db)
    started = time.perf_counter()
    result = sweep.sweep(db, now=NOW)
    elapsed = time.perf_counter() - started
    print(f"  bare overdue count (ref):   {reference * 1000:9.1f} ms  ({overdue:,} rows)")
    print(
        f"  one sweep:                  {elapsed * 1000:9.1f} ms  ({counter.count:,} queries; "
        f"{result.escalated} escalated, {result.overdue:,} marked overdue, "
        f"{result.reminders} reminders)"
    )
    print(f"  ratio sweep/reference:      {elapsed / reference:9.1f}x")
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'sweep.sqlite3'}", args.cases)
    if args.postgres:
        with scratch_postgres(args.postgres, "sweep") as url:
            run(url, args.cases)


if __name__ == "__main__":
    main()
