"""Rows written without the ORM's flush, on both engines: a new row inserted alone and
attached clean (``insert_row``, ``attach_row``), and rows buffered as values and
written a table at a time (``rows_at_once``), as intake writes a report."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridgov.audit.service import Actor
from gridgov.cases.models import Case, CaseEvent, OutboxMessage
from gridgov.cases.rules import State
from gridgov.cases.steps import add_event, move
from gridgov.db import (
    Database,
    attach_row,
    changed_columns,
    insert_row,
    row_buffer,
    rows_at_once,
)
from tests.conftest import FIXED_NOW
from tests.querycount import count_queries

ROUTER = Actor.system("router")


def _new_case(code: str) -> Case:
    return Case(
        tracking_code=code,
        channel="web",
        state=State.SUBMITTED.value,
        description="路灯坏了",
        created_at=FIXED_NOW,
        updated_at=FIXED_NOW,
    )


def test_buffered_rows_are_written_in_order_with_the_defaults_a_flush_writes(
    db: Database,
) -> None:
    # Given three messages buffered as values, one of them naming a column's default
    with db.transaction() as session, rows_at_once(session) as buffer:
        for n in range(3):
            buffer.add(
                OutboxMessage,
                {
                    "created_at": FIXED_NOW,
                    "available_at": FIXED_NOW,
                    "channel": "in_app",
                    "recipient": f"user:{n}",
                    "subject": "s",
                    "body": "b",
                    "dedupe_key": f"test:{n}",
                    **({"attempts": 0} if n == 1 else {}),
                },
            )
        # When the buffer is written
        buffer.write(session.connection())
        # Then nothing of it is left in the buffer or the session
        assert buffer.rows == {}
        assert not session.new
    # And the rows are stored in the order they were buffered, with the defaults
    with db.session() as session:
        stored = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.recipient for m in stored] == ["user:0", "user:1", "user:2"]
    assert [(m.attempts, m.sent_at, m.last_error, m.case_id) for m in stored] == [
        (0, None, "", None)
    ] * 3


def test_a_row_inserted_alone_and_changed_is_updated_once_and_attached_clean(
    db: Database,
) -> None:
    with db.transaction() as session:
        # Given a case inserted outside the session, then moved on twice
        case = _new_case("TESTROW001")
        written = insert_row(session, case)
        assert case.id is not None
        assert case not in session
        with rows_at_once(session) as buffer:
            move(session, case, ROUTER, FIXED_NOW, State.ACCEPTED, "accepted")
            add_event(session, case, ROUTER, FIXED_NOW, "noted", None, None, note="n")
            move(session, case, ROUTER, FIXED_NOW, State.ASSIGNED, "assigned")
            # When its events and its changed columns are written together
            buffer.update(case, changed_columns(case, written))
            with count_queries(db) as written_at_once:
                buffer.write(session.connection())
        attach_row(session, case)
        # Then the case is the session's, with nothing pending
        assert case in session
        assert not session.dirty
        assert not session.new
        with count_queries(db) as at_commit:
            session.flush()
    # One statement on PostgreSQL (the events a CTE of the UPDATE); on SQLite the
    # events' executemany and the UPDATE; the flush writes nothing of the case
    assert written_at_once.count == {"postgresql": 1, "sqlite": 2}[db.dialect]
    assert at_commit.count == 0, at_commit.statements
    with db.session() as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        assert (stored.state, stored.version) == ("assigned", 3)
        events = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
    assert [(e.kind, e.from_state, e.to_state, e.note) for e in events] == [
        ("accepted", "submitted", "accepted", ""),
        ("noted", None, None, "n"),
        ("assigned", "accepted", "assigned", ""),
    ]


def test_an_event_outside_rows_at_once_is_a_row_of_the_session(db: Database) -> None:
    with db.transaction() as session:
        case = _new_case("TESTROW002")
        insert_row(session, case)
        attach_row(session, case)
        # When an event is logged with no buffer open
        add_event(session, case, ROUTER, FIXED_NOW, "noted", None, None, note="n")
        # Then it is a new ORM row the commit's flush writes
        assert row_buffer(session) is None
        assert [type(row) for row in session.new] == [CaseEvent]
    with db.session() as session:
        assert session.scalar(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)) == (
            "noted"
        )


def test_leaving_rows_at_once_by_an_error_drops_what_it_buffered(db: Database) -> None:
    with db.transaction() as session:
        case = _new_case("TESTROW003")
        insert_row(session, case)

        def refused() -> None:
            with rows_at_once(session):
                add_event(session, case, ROUTER, FIXED_NOW, "noted", None, None)
                raise RuntimeError("refused")

        # When the block fails after buffering an event
        with pytest.raises(RuntimeError):
            refused()
        # Then no buffer is left open, and the event was not written
        assert row_buffer(session) is None
    with db.session() as session:
        assert session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all() == []
