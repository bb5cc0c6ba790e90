"""Counting the SQL statements a page or an API call runs: list pages and APIs must run
the same number of queries for 10 rows as for 100 (no query per row)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from gridgov.db import Database


@dataclass
class Queries:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def count_queries(db: Database) -> Iterator[Queries]:
    """Every statement sent on ``db``'s engine inside the block (BEGIN/SAVEPOINT aside)."""
    queries = Queries()

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA")):
            queries.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield queries
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
