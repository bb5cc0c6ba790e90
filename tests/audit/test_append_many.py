"""Many audit rows in one transaction, on both engines: PostgreSQL writes them with the
new head in one statement (an array per column) whatever their number."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit import service as audit
from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM
from tests.querycount import count_queries


def _record(session: Session, action: str, n: int, **extra: Any) -> None:
    """One entry by the system about case ``n``."""
    audit.record(
        session,
        actor=SYSTEM,
        action=action,
        object_type="case",
        object_id=n,
        now=FIXED_NOW,
        **extra,
    )


def test_a_transaction_of_many_audit_rows_chains_them_all(db: Database) -> None:
    # Given a transaction that records 250 entries (a sweep's worth)
    with count_queries(db) as committed, db.transaction() as session:
        for n in range(250):
            _record(session, "test.swept", n, region_code="440512", summary={"n": n})
    # Then they are chained in the order recorded and the chain verifies
    with db.session() as session:
        result = audit.verify(session)
        recorded = [
            row.object_id
            for row in session.query(AuditEvent)
            .filter(AuditEvent.action == "test.swept")
            .order_by(AuditEvent.seq)
        ]
    assert result.ok, result.reason
    assert recorded == [str(n) for n in range(250)]
    # And the head's bump and the rows with the new head are two statements on
    # PostgreSQL; SQLite inserts the rows, then stores the head
    assert committed.count == {"postgresql": 2, "sqlite": 3}[db.dialect], committed.statements


_ENTRIES = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "test.read")


def test_a_read_of_the_audit_log_built_once_sees_the_transactions_own_rows_each_time(
    db: Database,
) -> None:
    # Given one statement object, run twice in a transaction that records meanwhile
    with db.transaction() as session:
        counted = []
        for n in range(2):
            _record(session, "test.read", n)
            counted.append(session.scalar(_ENTRIES))
    # Then each read saw every row recorded before it
    assert counted == [1, 2]
