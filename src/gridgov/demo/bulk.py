"""Bulk inserts in batches, on both engines: what the demo makes by the hundred
thousand goes in without the services (and their audit rows), as a migration would."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

BATCH = 2000


def insert_returning(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Bulk insert in batches; the new ids in the order of ``rows`` (both engines)."""
    ids: list[int] = []
    table: Table = model.__table__
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(row[0] for row in result)
    return ids


def insert_rows(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    table: Table = model.__table__
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)
        count += len(batch)
    return count
