"""Bulk inserts in batches, on both engines: what the demo makes by the hundred
thousand goes in without the services (and their audit rows), as a migration would.

On PostgreSQL a large batch goes in by COPY (psycopg's ``cursor.copy``), its ids
drawn from the table's sequence beforehand when the caller wants them; on SQLite by
the driver's own ``executemany`` of a one-row ``INSERT``, its ids the next ones after
the table's highest (what SQLite gives a table without AUTOINCREMENT), written
explicitly. Either way the rows stored are those an ``INSERT`` through SQLAlchemy
would store (each value through its column type's bind processing, the columns'
Python defaults applied, the same ids in the same order), at a fraction of the cost
of a multi-row ``INSERT ... RETURNING`` and of SQLAlchemy's per-row work. A batch
whose columns have defaults only an ``INSERT`` computes takes the ``INSERT``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from psycopg import sql
from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

BATCH = 2000
# Below this many rows an INSERT costs less than setting up a COPY (or the driver's
# executemany on SQLite).
COPY_FROM = 200

Processor = Callable[[Any], Any] | None
_MISSING = object()  # a row's own value, not a column default


def insert_returning(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Bulk insert in batches; the new ids in the order of ``rows`` (both engines)."""
    table: Table = model.__table__
    if len(rows) >= COPY_FROM:
        ids = _copy(session, table, rows, with_ids=True)
        if ids is not None:
            return ids
    ids = []
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(row[0] for row in result)
    return ids


def insert_rows(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    table: Table = model.__table__
    if session.get_bind().dialect.name in ("postgresql", "sqlite"):
        materialised = list(rows)
        if len(materialised) >= COPY_FROM and _copy(session, table, materialised) is not None:
            return len(materialised)
        rows = materialised
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


def _copy_columns(
    table: Table, keys: Sequence[str], dialect: Dialect
) -> list[tuple[str, str, Any, Processor]] | None:
    """(row key, column name, default, bind processor) for each column COPY writes: the
    rows' own keys, then the columns with a plain Python default the rows leave out.
    None when a column left out has a default only an INSERT computes (a callable, a
    SQL expression, a sequence of its own)."""
    columns: list[tuple[str, str, Any, Processor]] = []
    for key in keys:
        column = table.c[key]
        columns.append((key, column.name, _MISSING, _processor(column.type, dialect)))
    for column in table.c:
        if column.key in keys or column.default is None:
            continue
        default: Any = column.default
        if not default.is_scalar:
            return None
        columns.append((column.key, column.name, default.arg, _processor(column.type, dialect)))
    return columns


def _processor(type_: Any, dialect: Dialect) -> Processor:
    """What an INSERT does to a value of this type before the driver sees it."""
    processor: Processor = type_.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _values(row: dict[str, Any], columns: list[tuple[str, str, Any, Processor]]) -> list[Any]:
    values: list[Any] = []
    for key, _name, default, process in columns:
        value = row[key] if default is _MISSING else default
        values.append(value if process is None else process(value))
    return values


def _copy(
    session: Session, table: Table, rows: Sequence[dict[str, Any]], *, with_ids: bool = False
) -> list[int] | None:
    """COPY ``rows`` into ``table`` on PostgreSQL (with new ids from its sequence when
    ``with_ids``, returned in row order), or ``executemany`` them on SQLite; None,
    writing nothing, when the rows need an ``INSERT``."""
    connection = session.connection()
    dialect = connection.dialect
    if dialect.name not in ("postgresql", "sqlite") or not rows:
        return None
    keys = list(rows[0])
    if with_ids and "id" in keys:
        return None
    columns = _copy_columns(table, keys, dialect)
    if columns is None:
        return None
    raw = connection.connection.driver_connection
    assert raw is not None  # noqa: S101 - an open connection has its driver's
    if dialect.name == "sqlite":
        return _executemany(raw, table, rows, columns, dialect, with_ids=with_ids)
    ids: list[int] = []
    names = [name for _key, name, _default, _process in columns]
    with raw.cursor() as cursor:
        if with_ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table.name, len(rows)),
            )
            ids = sorted(int(row[0]) for row in cursor.fetchall())
            names.insert(0, "id")
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, names))
        )
        with cursor.copy(statement) as copy:
            if with_ids:
                for new_id, row in zip(ids, rows, strict=True):
                    copy.write_row([new_id, *_values(row, columns)])
            else:
                for row in rows:
                    copy.write_row(_values(row, columns))
    return ids


def _executemany(
    raw: Any,
    table: Table,
    rows: Sequence[dict[str, Any]],
    columns: list[tuple[str, str, Any, Processor]],
    dialect: Dialect,
    *,
    with_ids: bool,
) -> list[int]:
    """``rows`` into ``table`` on SQLite by the driver's ``executemany`` (one C loop, no
    per-row statement building). With ``with_ids`` each row gets the id SQLite would
    give it, the next after the table's highest, written explicitly; the transaction
    holds the write lock by then or its INSERT fails, so no other writer takes them."""
    quote = dialect.identifier_preparer.quote
    names = [quote(name) for _key, name, _default, _process in columns]
    cursor = raw.cursor()
    try:
        ids: list[int] = []
        if with_ids:
            # A bare max() on the primary key: SQLite reads it off the end of the b-tree.
            cursor.execute(f"SELECT max(id) FROM {quote(table.name)}")  # noqa: S608 - our names
            first = (cursor.fetchone()[0] or 0) + 1
            ids = list(range(first, first + len(rows)))
            names.insert(0, quote("id"))
            values: Iterable[list[Any]] = (
                [new_id, *_values(row, columns)] for new_id, row in zip(ids, rows, strict=True)
            )
        else:
            values = (_values(row, columns) for row in rows)
        statement = (
            f"INSERT INTO {quote(table.name)} ({', '.join(names)}) "  # noqa: S608 - our names
            f"VALUES ({', '.join('?' * len(names))})"
        )
        cursor.executemany(statement, values)
    finally:
        cursor.close()
    return ids
