"""The audit chain in a real database: tampering by direct SQL is caught and named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from gridgov.audit import service as audit
from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.errors import InvalidInput
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, make_district, make_user


@pytest.fixture
def chained(db: Database) -> Database:
    """Five regions and two users: seven audit rows."""
    make_district(db)
    make_user(db, "chen.ming", "grid_worker", "440512001")
    make_user(db, "lin.hua", "dispatcher", "440512002")
    return db


@pytest.fixture
def raw_sql(chained: Database) -> Callable[[str], None]:
    """Run SQL as an attacker with database access would (triggers off on PostgreSQL)."""

    def run(statement: str) -> None:
        with chained.engine.begin() as connection:
            _disable_guard(connection)
            connection.execute(text(statement))
            _enable_guard(connection)

    return run


def _disable_guard(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))


def _enable_guard(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))


def verify(db: Database) -> audit.Verification:
    with db.session() as session:
        return audit.verify(session)


def test_every_change_is_chained(chained: Database) -> None:
    result = verify(chained)
    assert result.ok
    assert result.checked == 7
    assert result.head_seq == 7


@pytest.mark.parametrize("rows", [1, 3, 101, 250])
def test_a_transaction_of_many_rows_chains_them_all(chained: Database, rows: int) -> None:
    """One statement appends a few rows and moves the head (PostgreSQL); more than 100
    take the rows' INSERT and the head's UPDATE: both keep the chain whole."""
    with chained.transaction() as session:
        for n in range(rows):
            audit.record(
                session,
                actor=SYSTEM,
                action="test.many",
                object_type="case",
                object_id=n,
                region_code="440512",
                summary={"n": n, "note": "第一条" if n == 0 else ""},
                now=FIXED_NOW,
            )
    result = verify(chained)
    assert result.ok, result.problem
    assert result.checked == result.head_seq == 7 + rows


@pytest.mark.parametrize(
    ("tamper", "row"),
    [
        pytest.param("UPDATE audit_event SET actor = 'nobody' WHERE seq = 4", 4, id="changed"),
        pytest.param("DELETE FROM audit_event WHERE seq = 3", 3, id="deleted"),
        pytest.param("DELETE FROM audit_event WHERE seq = 1", 1, id="first-deleted"),
        pytest.param("DELETE FROM audit_event WHERE seq = 7", 7, id="last-deleted"),
        pytest.param(
            "INSERT INTO audit_event (seq, at, actor, role, action, object_type, summary, "
            "prev_hash, hash) SELECT 8, at, 'ghost', 'admin', 'user.created', 'user', '{}', "
            "hash, hash FROM audit_event WHERE seq = 7",
            8,
            id="inserted-at-end",
        ),
        pytest.param(
            "UPDATE audit_event SET seq = CASE seq WHEN 5 THEN 105 WHEN 6 THEN 106 END "
            "WHERE seq IN (5, 6)",
            5,
            id="moved-away",
        ),
    ],
)
def test_tampering_names_the_row(
    chained: Database, raw_sql: Callable[[str], None], tamper: str, row: int
) -> None:
    # Given an intact chain, when someone changes it by direct SQL
    raw_sql(tamper)
    # then verification fails at that row
    result = verify(chained)
    assert not result.ok
    assert result.problem is not None
    assert result.problem.seq == row, result.problem


def test_swapping_two_rows_is_named(chained: Database, raw_sql: Callable[[str], None]) -> None:
    # Given rows 3 and 4, when their contents are swapped (seq kept in place)
    raw_sql("UPDATE audit_event SET seq = 1003 WHERE seq = 3")
    raw_sql("UPDATE audit_event SET seq = 3 WHERE seq = 4")
    raw_sql("UPDATE audit_event SET seq = 4 WHERE seq = 1003")
    # then the walk stops at row 3
    result = verify(chained)
    assert result.problem is not None
    assert result.problem.seq == 3


def test_cli_verify_exits_non_zero_naming_the_row(
    chained: Database,
    settings: Settings,
    raw_sql: Callable[[str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _cli_env(monkeypatch, settings)
    runner = CliRunner()
    intact = runner.invoke(cli, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "7 rows checked" in intact.output
    raw_sql('UPDATE audit_event SET summary = \'{"username": "x"}\' WHERE seq = 6')
    broken = runner.invoke(cli, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "row 6" in broken.output


def test_an_anchor_catches_a_cut_tail_with_a_rewound_head(
    chained: Database, raw_sql: Callable[[str], None]
) -> None:
    # Given the head recorded outside the database
    before = verify(chained)
    anchor = (before.head_seq, before.head_hash)
    # When the last row is deleted and the head rewound to the row before it
    raw_sql("DELETE FROM audit_event WHERE seq = 7")
    raw_sql("UPDATE audit_head SET seq = 6, hash = (SELECT hash FROM audit_event WHERE seq = 6)")
    # Then the chain alone looks whole, but the anchor does not match
    assert verify(chained).ok
    with chained.session() as session:
        result = audit.verify(session, anchor=anchor)
    assert result.problem is not None
    assert result.problem.seq == 7


def test_postgresql_refuses_updates_and_deletes(chained: Database) -> None:
    if chained.dialect != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's")
    for statement in (
        "UPDATE audit_event SET actor = 'x' WHERE seq = 1",
        "DELETE FROM audit_event WHERE seq = 1",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"), chained.engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(chained).ok


def test_purge_keeps_the_last_180_days_and_the_chain_verifies(chained: Database) -> None:
    # Given rows written at FIXED_NOW, a year later
    later = FIXED_NOW + timedelta(days=365)
    with chained.transaction() as session:
        audit.record(session, actor=SYSTEM, action="test.late", object_type="test", now=later)
    # When rows older than 200 days before "later" are purged
    with chained.transaction() as session:
        purged = audit.do_purge(
            session,
            actor=SYSTEM,
            before=later - timedelta(days=200),
            now=later,
            retention_days=180,
        )
    # Then the old rows are gone, and the chain still verifies from the purge record
    assert purged == 7
    result = verify(chained)
    assert result.ok, result.problem
    assert result.first_seq == 8
    assert result.head_seq == 9


def test_purging_younger_rows_is_refused(chained: Database) -> None:
    with pytest.raises(InvalidInput, match="180"), chained.transaction() as session:
        audit.do_purge(
            session,
            actor=SYSTEM,
            before=FIXED_NOW,
            now=FIXED_NOW + timedelta(days=30),
            retention_days=180,
        )


def _doomed_change(db: Database) -> None:
    with db.transaction() as session:
        audit.record(session, actor=SYSTEM, action="test.doomed", object_type="test", now=FIXED_NOW)
        raise RuntimeError("crash before commit")


def test_a_rolled_back_change_leaves_no_audit_row(chained: Database) -> None:
    with pytest.raises(RuntimeError):
        _doomed_change(chained)
    result = verify(chained)
    assert result.ok
    assert result.head_seq == 7


def _cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(settings.data_dir))
    for name in ("session", "audit", "field"):
        value = getattr(settings, f"{name}_key")
        assert value
        monkeypatch.setenv(f"GRIDGOV_{name.upper()}_KEY", value)


def _actions(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(text("SELECT action FROM audit_event ORDER BY seq")).all())


def test_rows_of_a_rolled_back_savepoint_are_dropped_and_the_chain_holds(
    chained: Database,
) -> None:
    # given a transaction that audits, tries something in a savepoint that fails, and
    # audits again in a savepoint that succeeds
    before = _actions(chained)
    with chained.transaction() as session:
        audit.record(
            session, actor=SYSTEM, action="test.kept_1", object_type="region", now=FIXED_NOW
        )
        try:
            with session.begin_nested():
                audit.record(
                    session, actor=SYSTEM, action="test.undone", object_type="region", now=FIXED_NOW
                )
                raise InvalidInput("refused inside the savepoint")
        except InvalidInput:
            pass
        with session.begin_nested():
            audit.record(
                session, actor=SYSTEM, action="test.kept_2", object_type="region", now=FIXED_NOW
            )
    # then only the kept rows were chained, in order, and the chain verifies
    assert _actions(chained) == [*before, "test.kept_1", "test.kept_2"]
    assert verify(chained).ok


def test_a_rolled_back_transaction_leaves_no_audit_row_behind(chained: Database) -> None:
    before = _actions(chained)

    def refused_change() -> None:
        with chained.transaction() as session:
            audit.record(
                session, actor=SYSTEM, action="test.undone", object_type="region", now=FIXED_NOW
            )
            raise InvalidInput("refused")

    with pytest.raises(InvalidInput):
        refused_change()
    # the connection goes back to the pool; the next transaction must not inherit the row
    with chained.transaction() as session:
        audit.record(session, actor=SYSTEM, action="test.next", object_type="region", now=FIXED_NOW)
    assert _actions(chained) == [*before, "test.next"]
    assert verify(chained).ok
