"""Fixtures. Integration tests take ``db`` (or anything built on it) and run once per
engine: SQLite always; PostgreSQL when ``GRIDGOV_TEST_DATABASE_URL`` is set. With
CI=true an unreachable PostgreSQL fails the tests instead of skipping them.

Every test database is built by running the migrations: SQLite once per session into
a template file that each test copies; PostgreSQL once into a template database that
each test clones with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import base64
import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from gridgov.config import Keys, Settings
from gridgov.db import Database, upgrade
from gridgov.web.app import create_app
from gridgov.web.deps import get_now

PG_ENV = "GRIDGOV_TEST_DATABASE_URL"
FIXED_NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # a Monday, 17:30 in Shanghai
TEST_KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_conninfo(url: str) -> str:
    parsed = make_url(url)
    parts = {
        "host": parsed.host or "127.0.0.1",
        "port": str(parsed.port or 5432),
        "user": parsed.username or "postgres",
        "dbname": parsed.database or "postgres",
    }
    if parsed.password:
        parts["password"] = parsed.password
    return " ".join(f"{k}={v}" for k, v in parts.items())


def _with_database(url: str, name: str) -> str:
    return (
        make_url(url)
        .set(drivername="postgresql+psycopg", database=name)
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "gridgov.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[tuple[str, str]]:
    """(admin URL, template database name), or skip/fail when PostgreSQL is absent."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {PG_ENV} is not set: the PostgreSQL leg must run")
        pytest.skip(f"{PG_ENV} not set: PostgreSQL leg skipped")
    try:
        admin = psycopg.connect(_pg_conninfo(url), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {PG_ENV} is unreachable under CI: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    name = f"gridgov_tpl_{_worker()}_{uuid.uuid4().hex[:6]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        upgrade(_with_database(url, name))
        yield url, name
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "gridgov.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin_url, template_name = request.getfixturevalue("pg_template")
    name = f"gridgov_t_{_worker()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(admin_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
    try:
        yield _with_database(admin_url, name)
    finally:
        with psycopg.connect(_pg_conninfo(admin_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        session_key=_b64(TEST_KEYS.session),
        audit_key=_b64(TEST_KEYS.audit),
        field_key=_b64(TEST_KEYS.field),
        sweep_seconds=0,
        notify_mode="record",
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database.from_url(settings.resolved_database_url, keys=settings.keys)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    application = create_app(settings, database=db)
    application.dependency_overrides[get_now] = lambda: FIXED_NOW
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, client=("198.51.100.10", 40000), follow_redirects=False) as test_client:
        yield test_client
