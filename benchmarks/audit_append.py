"""What chaining the audit log costs a write, against an unchained audit row.

Every write appends an audit row in its transaction. This measures, in one run and on
one engine, three variants of a one-row write transaction: the bare insert; the insert
plus a plain (unchained) audit row, the reference; and the insert plus the chained row
as gridgov writes it (head bump with UPDATE ... RETURNING, HMAC, insert, head update).
The figure is chained/reference: what the tamper evidence adds.

    python benchmarks/audit_append.py [--postgres URL] [-n 200]

SQLite runs in a temporary file. With ``--postgres`` (default: the environment's
GRIDGOV_TEST_DATABASE_URL) it also runs on PostgreSQL, in a scratch database that it
creates from that server and drops afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from gridgov.audit.service import Actor, record
from gridgov.config import Keys
from gridgov.db import Database, upgrade
from scratch import scratch_postgres

KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)
NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
ACTOR = Actor.system("benchmark")


PLAIN_AUDIT = text(
    "INSERT INTO audit_event (seq, at, actor, role, action, object_type, object_id, "
    "region_code, summary, prev_hash, hash) VALUES (:seq, :at, 'benchmark', 'system', "
    "'region.created', 'region', :code, :code, :summary, :h, :h)"
)


def _insert(db: Database, code: str, *, audit: str) -> None:
    with db.transaction() as session:
        session.execute(
            text("INSERT INTO region (code, name, level) VALUES (:code, :name, 'district')"),
            {"code": code, "name": "基准区"},
        )
        if audit == "plain":
            session.execute(
                PLAIN_AUDIT,
                {
                    "seq": int(code) + 10_000_000,
                    "at": NOW,
                    "code": code,
                    "summary": '{"name":"基准区"}',
                    "h": "0" * 64,
                },
            )
        elif audit == "chained":
            record(
                session,
                actor=ACTOR,
                action="region.created",
                object_type="region",
                object_id=code,
                region_code=code,
                now=NOW,
                summary={"name": "基准区"},
            )


def measure(db: Database, n: int, *, audit: str, offset: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        _insert(db, f"{offset + i:06d}", audit=audit)
    return time.perf_counter() - started


def run(url: str, n: int) -> None:
    upgrade(url)
    db = Database.from_url(url, keys=KEYS)
    # Interleave the variants in rounds so that drift on a shared machine hits all.
    totals = {"none": 0.0, "plain": 0.0, "chained": 0.0}
    rounds = 3
    for round_ in range(rounds):
        for index, variant in enumerate(totals):
            offset = 100_000 * (1 + round_ * 3 + index)
            totals[variant] += measure(db, n, audit=variant, offset=offset)
    dialect = db.dialect
    db.dispose()
    per = {k: v / (rounds * n) * 1000 for k, v in totals.items()}
    print(f"engine: {dialect}, transactions per variant: {rounds * n}")
    print(f"  insert, no audit row:            {per['none']:7.3f} ms/transaction")
    print(f"  insert + plain audit row (ref):  {per['plain']:7.3f} ms/transaction")
    print(f"  insert + chained audit row:      {per['chained']:7.3f} ms/transaction")
    print(f"  ratio chained/reference:         {per['chained'] / per['plain']:7.2f}x  (goal <= 2x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    parser.add_argument("-n", type=int, default=200, help="transactions per variant a round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.n)
    if args.postgres:
        with scratch_postgres(args.postgres, "audit") as url:
            run(url, args.n)


if __name__ == "__main__":
    main()
