"""Backup → restore into a fresh directory → the audit chain verifies against the
archive's anchor and every row is there, on both engines."""

from __future__ import annotations

import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import MetaData, func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.registry import service as registry
from tests.audit.test_service import _cli_env
from tests.cases.factories import make_cases_world, report
from tests.conftest import _pg_conninfo, _with_database

PASSPHRASE = "Haojiang-backup-drill-2026"
runner = CliRunner()


def _counts(db: Database) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(db.engine)
    with db.session() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in metadata.tables.items()
        }


@pytest.fixture
def target_url(db: Database, tmp_path: Path) -> object:
    """Where the restore goes: a fresh data directory's SQLite file, or a new empty
    PostgreSQL database."""
    if db.dialect == "sqlite":
        yield None
        return
    admin = make_url(db.url).set(database="postgres").render_as_string(hide_password=False)
    name = f"gridgov_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(admin), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield _with_database(admin, name)
    with psycopg.connect(_pg_conninfo(admin), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_a_fresh_directory_keeps_everything(
    settings: Settings,
    db: Database,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    target_url: str | None,
) -> None:
    # Given a district with cases, a reporter's phone sealed with the field key
    make_cases_world(db)
    case = report(db, phone="13812345678")
    before = _counts(db)
    _cli_env(monkeypatch, settings)
    monkeypatch.setenv("GRIDGOV_BACKUP_PASSPHRASE", PASSPHRASE)
    archive = tmp_path / "backup" / "gridgov.tar.gz"
    # When it is backed up
    done = runner.invoke(cli, ["backup", str(archive)])
    assert done.exit_code == 0, done.output
    assert "Audit anchor:" in done.output
    with tarfile.open(archive) as opened:
        names = set(opened.getnames())
        sealed = opened.extractfile("keys.sealed")
        assert sealed is not None
        sealed_text = sealed.read().decode()
    assert {"manifest.json", "keys.sealed"} < names
    for key in (settings.audit_key, settings.field_key, settings.session_key):
        assert key
        assert key not in sealed_text  # the keys travel sealed
    # And restored into a fresh data directory, with no keys in the environment
    fresh = tmp_path / "restored"
    monkeypatch.setenv("GRIDGOV_DATA_DIR", str(fresh))
    for name in ("SESSION", "AUDIT", "FIELD"):
        monkeypatch.delenv(f"GRIDGOV_{name}_KEY")
    if target_url is None:
        monkeypatch.delenv("GRIDGOV_DATABASE_URL")
    else:
        monkeypatch.setenv("GRIDGOV_DATABASE_URL", target_url)
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not-the-passphrase-at-all")
    refused = runner.invoke(cli, ["restore", str(archive), "--passphrase-file", str(wrong)])
    assert refused.exit_code == 2
    assert "Wrong passphrase" in refused.output
    restored = runner.invoke(cli, ["restore", str(archive)])
    # Then the audit chain verifies against the archive's anchor and every row is back
    assert restored.exit_code == 0, restored.output
    assert "Audit chain intact against the anchor" in restored.output
    url = target_url or f"sqlite:///{(fresh / 'gridgov.sqlite3').resolve()}"
    copy = Database.from_url(url, keys=Settings(data_dir=fresh, database_url=url).keys)
    try:
        assert _counts(copy) == before
        with copy.session() as session:
            from gridgov.cases.models import Case

            stored = session.get(Case, case.id)
            assert stored is not None
            assert stored.reporter_phone_enc is not None
            phone = registry.cipher_of(session).decrypt(
                stored.reporter_phone_enc, field=registry.PHONE_FIELD
            )
        assert phone == "13812345678"
    finally:
        copy.dispose()
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    # And a second restore over it is refused: the directory is no longer empty
    again = runner.invoke(cli, ["restore", str(archive)])
    assert again.exit_code == 2
