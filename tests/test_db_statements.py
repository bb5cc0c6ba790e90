"""Statements run on the DBAPI cursor (``run_statement``, ``read_value``), on both
engines: the same rows and the same values as ``Connection.execute`` writes and reads,
the same errors, and every statement seen by whatever listens for statements."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError, StatementError

from gridgov.cases.models import Case
from gridgov.cases.rules import State
from gridgov.db import Database, read_value, row_insert, run_statement, table_of
from tests.conftest import FIXED_NOW
from tests.querycount import count_queries

CASE = table_of(Case)
# Built once, as the statements run_statement is for are.
_READ = select(CASE.c.id, CASE.c.created_at, CASE.c.lon, CASE.c.spam_suspected).where(
    CASE.c.created_at >= bindparam("since")
)
_COUNT = select(func.count()).select_from(CASE)


def _values(code: str) -> dict[str, Any]:
    shape = row_insert(Case)
    return {
        **shape.columns,
        "tracking_code": code,
        "channel": "web",
        "state": State.SUBMITTED.value,
        "description": "路灯坏了",
        "lon": 116.7051234,
        "lat": 23.2912345,
        "spam_suspected": True,
        "created_at": FIXED_NOW,
        "updated_at": FIXED_NOW + timedelta(microseconds=7),
    }


def _stored(db: Database, code: str) -> dict[str, Any]:
    with db.session() as session:
        case = session.scalars(select(Case).where(Case.tracking_code == code)).one()
        return {c.key: getattr(case, c.key) for c in CASE.columns if c.key != "id"}


def test_a_row_inserted_on_the_cursor_is_the_row_sqlalchemy_inserts(db: Database) -> None:
    statement = row_insert(Case).returning_id
    # Given the same case inserted both ways
    with db.transaction() as session:
        connection = session.connection()
        fast_id = run_statement(connection, statement, _values("FASTPATH01"))[0][0]
        slow_id = connection.execute(statement, _values("SLOWPATH01")).scalar_one()
    # Then both have their ids and the same stored values
    assert isinstance(fast_id, int)
    assert fast_id != slow_id
    fast, slow = _stored(db, "FASTPATH01"), _stored(db, "SLOWPATH01")
    assert fast.pop("tracking_code") != slow.pop("tracking_code")
    assert fast == slow
    # And the rows read on the cursor are those SQLAlchemy reads, with their types
    with db.session() as session:
        connection = session.connection()
        params = {"since": FIXED_NOW - timedelta(days=1)}
        read = run_statement(connection, _READ, params)
        assert read == [tuple(row) for row in connection.execute(_READ, params)]
        assert read[0][1] == FIXED_NOW
        assert read[0][1].tzinfo is not None


def test_many_rows_on_the_cursor_and_a_refused_one(db: Database) -> None:
    statement = row_insert(Case).statement
    with db.transaction() as session:
        # Given two cases inserted by one executemany
        many = [_values("MANYROW001"), _values("MANYROW002")]
        run_statement(session.connection(), statement, many)
    with db.session() as session:
        assert run_statement(session.connection(), _COUNT, {}) == [(2,)]
    # When a third takes a tracking code already stored
    with db.session(write=True) as session, pytest.raises(IntegrityError):
        # Then it is refused as SQLAlchemy refuses it
        run_statement(session.connection(), statement, _values("MANYROW001"))


def test_statement_listeners_see_the_statements_run_on_the_cursor(db: Database) -> None:
    with db.transaction() as session:
        # Given something listening for statements
        with count_queries(db) as counted:
            # When statements run on the cursor
            run_statement(session.connection(), row_insert(Case).statement, _values("SEENROW001"))
            run_statement(session.connection(), _COUNT, {})
        # Then it saw each of them
        assert counted.count == 2, counted.statements


def test_read_value_flushes_what_the_session_has_pending_first(db: Database) -> None:
    with db.transaction() as session:
        # Given a case pending in the session
        values = {k: v for k, v in _values("PENDING001").items() if v is not None}
        session.add(Case(**values))
        # Then a read of the table counts it, as session.scalar would
        assert read_value(session, _COUNT, {}) == 1
        # And without autoflush it is not flushed for the read
        session.add(Case(**{**values, "tracking_code": "PENDING002"}))
        with session.no_autoflush:
            assert read_value(session, _COUNT, {}) == 1


def test_a_missing_parameter_is_refused_as_sqlalchemy_refuses_it(db: Database) -> None:
    # Given a read whose parameter is left out
    with db.transaction() as session:
        connection = session.connection()
        # Then the cursor is not sent NULL for it: SQLAlchemy refuses the call
        with pytest.raises(StatementError, match="since"):
            run_statement(connection, _READ, {})


def test_a_python_side_default_is_written_as_sqlalchemy_writes_it(db: Database) -> None:
    # Given a table whose column has a default computed in Python
    table = Table(
        "python_default_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, default=lambda: 7),
    )
    with db.transaction() as session:
        connection = session.connection()
        table.create(connection)
        # When a row is inserted without it
        run_statement(connection, insert(table), {"id": 1})
        # Then the default is written, as Connection.execute writes it
        assert connection.execute(select(table.c.n)).scalar_one() == 7
