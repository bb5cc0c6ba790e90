"""Counting the SQL statements a page or an API call runs: list pages and APIs must run
the same number of queries for 10 rows as for 100 (no query per row)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from gridgov.db import Database
from gridgov.web import auth_cache


@dataclass
class Queries:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0  # BEGINs on the engine: one per session that touched the database

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(db: Database) -> Iterator[Queries]:
    """Every statement sent on ``db``'s engine inside the block (BEGIN/SAVEPOINT aside).

    The signed-in user stays remembered inside the block: the requests compared must not
    differ by a login lookup because a loaded machine put more than the cache's few
    seconds between them."""
    queries = Queries()
    ttl = auth_cache.CACHE.ttl
    auth_cache.CACHE.ttl = 3600.0

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            queries.statements.append(statement)

    def begin(_conn: Any) -> None:
        queries.transactions += 1

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "begin", begin)
    try:
        yield queries
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "begin", begin)
        auth_cache.CACHE.ttl = ttl


def assert_constant_queries(
    db: Database,
    client: Any,
    path: str,
    add_rows: Callable[[int, int], object],
    headers: dict[str, str] | None = None,
) -> None:
    """Given 10 rows of the listed thing, then 100: ``path`` answers 200 both times, with
    more content the second time, after the same number of SQL statements."""
    headers = headers or {}
    add_rows(10, 0)
    client.get(path, headers=headers)  # warm the per-process caches
    with count_queries(db) as ten:
        first = client.get(path, headers=headers)
    add_rows(90, 10)
    client.get(path, headers=headers)
    with count_queries(db) as hundred:
        second = client.get(path, headers=headers)
    assert first.status_code == 200, first.text[:500]
    assert second.status_code == 200, second.text[:500]
    assert len(second.content) > len(first.content), path
    assert hundred.count == ten.count, (ten.statements, hundred.statements)
