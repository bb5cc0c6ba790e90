"""Storage on both engines: migrations match the models, SQLite is durable, and the
server refuses an unmigrated database."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from gridgov import models  # noqa: F401 - the complete metadata
from gridgov.config import Settings
from gridgov.db import Base, Database, NotMigratedError, current_revision, head_revision
from gridgov.web.app import create_app
from tests.conftest import TEST_KEYS


def test_migrations_reach_the_head_and_match_the_models(db: Database) -> None:
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_with_full_sync_and_foreign_keys(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_an_unmigrated_database_is_refused_with_the_command_to_run(tmp_path: Path) -> None:
    # Given an empty SQLite database
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    settings = Settings(data_dir=tmp_path, database_url=url)
    database = Database.from_url(url, keys=TEST_KEYS)
    # When the app is built, then it refuses and says what to run
    with pytest.raises(NotMigratedError, match="Run: gridgov db upgrade"):
        create_app(settings, database=database)


def test_foreign_keys_are_enforced(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.transaction() as session:
        session.execute(
            text("INSERT INTO region (code, name, level, parent_code) VALUES (:c, :n, :l, :p)"),
            {"c": "440512001", "n": "达濠街道", "l": "street", "p": "440599"},
        )


def test_the_level_check_constraint_holds(db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), db.transaction() as session:
        session.execute(
            text("INSERT INTO region (code, name, level) VALUES ('440512', '濠江区', 'county')")
        )


def _sqlite_db(tmp_path: Path) -> Database:
    url = f"sqlite:///{tmp_path / 'writers.sqlite3'}"
    database = Database.from_url(url, keys=TEST_KEYS)
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    return database


def test_sqlite_writers_in_one_process_queue_and_all_land(tmp_path: Path) -> None:
    import threading

    # Given eight threads, each writing twenty rows in its own write transactions
    database = _sqlite_db(tmp_path)
    failures: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(20):
                with database.transaction() as session:
                    session.execute(
                        text("INSERT INTO note (body) VALUES (:b)"), {"b": f"{worker}-{n}"}
                    )
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then none was refused and every row is there
    assert failures == []
    with database.session() as session:
        assert session.execute(text("SELECT count(*) FROM note")).scalar() == 160
    database.dispose()


def test_a_sqlite_writer_that_rolls_back_or_is_closed_lets_the_next_one_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gridgov import db as db_module

    monkeypatch.setattr(db_module, "WRITER_WAIT_SECONDS", 1)
    database = _sqlite_db(tmp_path)

    # Given a write transaction that fails and rolls back
    def failing_route() -> None:
        with database.transaction() as session:
            session.execute(text("INSERT INTO note (body) VALUES ('lost')"))
            raise RuntimeError("the route failed")

    with pytest.raises(RuntimeError):
        failing_route()
    # and one that is closed without committing (a route that answered an error)
    session = database.session(write=True)
    session.execute(text("INSERT INTO note (body) VALUES ('dropped')"))
    session.close()
    # When the next writer begins, then it is let in at once and its row is kept
    with database.transaction() as session:
        session.execute(text("INSERT INTO note (body) VALUES ('kept')"))
    with database.session() as session:
        assert session.execute(text("SELECT body FROM note")).scalars().all() == ["kept"]
    database.dispose()


def test_a_sqlite_writer_held_too_long_answers_database_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from gridgov import db as db_module

    monkeypatch.setattr(db_module, "WRITER_WAIT_SECONDS", 0.05)
    database = _sqlite_db(tmp_path)
    # Given a writer that holds the database
    holder = database.session(write=True)
    holder.execute(text("INSERT INTO note (body) VALUES ('first')"))
    # When a second writer in the same process waits past the limit
    second = database.session(write=True)
    with pytest.raises(OperationalError, match="database is locked"):
        second.execute(text("INSERT INTO note (body) VALUES ('second')"))
    second.close()
    # Then it was refused as SQLite refuses (a 503 with Retry-After, web/limits.py), and
    # the first writer still commits; reads were never held
    with database.session() as reader:
        assert reader.execute(text("SELECT count(*) FROM note")).scalar() == 0
    holder.commit()
    holder.close()
    with database.session() as reader:
        assert reader.execute(text("SELECT body FROM note")).scalars().all() == ["first"]
    database.dispose()
