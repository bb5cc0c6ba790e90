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


def test_a_bulk_load_trades_durability_per_commit_only_while_it_runs(db: Database) -> None:
    # (the PostgreSQL test databases have synchronous_commit off already: where a
    # connection's value comes from tells the bulk load's own SET apart)
    sqlite = db.dialect == "sqlite"
    setting = text(
        "PRAGMA synchronous"
        if sqlite
        else "SELECT setting || ' from ' || source FROM pg_settings"
        " WHERE name = 'synchronous_commit'"
    )
    # Given a connection opened before the bulk load
    with db.engine.connect() as connection:
        before = connection.execute(setting).scalar()
    # When a bulk load runs, then its connections commit without waiting for the disk
    with db.bulk_load(), db.transaction() as session:
        assert session.execute(setting).scalar() == (1 if sqlite else "off from session")
        if sqlite:  # 1: NORMAL
            assert session.execute(text("PRAGMA cache_size")).scalar() == -262144
            assert session.execute(text("PRAGMA temp_store")).scalar() == 2  # MEMORY
    # and after it, every connection is back to the usual settings
    with db.engine.connect() as connection:
        assert connection.execute(setting).scalar() == before
        if sqlite:
            assert before == 2  # FULL
            assert connection.execute(text("PRAGMA cache_size")).scalar() == -2000
        else:
            assert not str(before).endswith("from session")


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
