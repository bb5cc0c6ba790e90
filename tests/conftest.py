"""Fixtures. Integration tests take ``db`` (or anything built on it) and run once per
engine: SQLite always; PostgreSQL when ``GRIDGOV_TEST_DATABASE_URL`` is set. With
CI=true an unreachable PostgreSQL fails the tests instead of skipping them.

Every test database is built by running the migrations: SQLite once per session into
a template file that each test copies; PostgreSQL once into a template database that
each worker clones once (``PgScratch``) and puts back to the template's state after
every test, which costs a tenth of a CREATE DATABASE ... TEMPLATE.

A test that only reads what an expensive builder makes (the demo's simulated months,
say) takes ``@pytest.mark.prebuilt(builder)``: the builder runs once per engine per
session (per xdist worker) on a copy of the migrated template, and each test gets its
own copy of the result. Clones skip waiting for the disk on commit
(``synchronous_commit = off``): nothing a test checks depends on surviving a crash.

Password hashing is argon2 with its default parameters, as in production, but each
worker hashes a given password once and checks a given (hash, password) pair once
(``RememberingHasher``): thousands of test accounts share a handful of passwords, and
each default hash costs a fifth of a second of CPU. The shipped classifier and spam
screen are trained once and then loaded from a pickle (``tests/model_cache.py``).

Each test's app shares FastAPI's analysis of the routes (dependency trees, body and
response fields) with the worker's earlier apps (``tests/route_memo.py``): built per app,
it cost half a second of CPU on every test's first request.
"""

from __future__ import annotations

import base64
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import psycopg
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from gridgov.accounts import service as accounts_service
from gridgov.config import Keys, Settings
from gridgov.db import Database, upgrade
from gridgov.web.app import create_app
from gridgov.web.deps import get_now
from tests import model_cache, route_memo

PG_ENV = "GRIDGOV_TEST_DATABASE_URL"
route_memo.install()  # each app's route analysis shared with the worker's other apps
FIXED_NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)  # a Monday, 17:30 in Shanghai
TEST_KEYS = Keys(session=b"s" * 32, audit=b"a" * 32, field=b"f" * 32)


class RememberingHasher(PasswordHasher):
    """argon2 with the production parameters, remembering what it worked out: one real
    hash per password (its salt shared by the accounts that use that password) and one
    real check per (hash, password) pair, its answer or its error given again."""

    def __init__(self) -> None:
        super().__init__()
        self._hashes: dict[str | bytes, str] = {}
        self._checks: dict[tuple[str | bytes, str | bytes], Exception | None] = {}

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        if salt is not None:
            return super().hash(password, salt=salt)
        if password not in self._hashes:
            self._hashes[password] = super().hash(password)
        return self._hashes[password]

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        key = (hash, password)
        if key not in self._checks:
            try:
                super().verify(hash, password)
                self._checks[key] = None
            except Exception as exc:  # the argon2 errors: mismatch, bad hash
                self._checks[key] = exc
        error = self._checks[key]
        if error is not None:
            raise type(error)(*error.args)
        return True


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow run first, their PostgreSQL legs before the others (the
    longest, the demo build on PostgreSQL, first of all): with ``--dist worksteal`` a
    long test that starts near the end of the run keeps one worker busy after the
    other has run out of work, while at the start the other worker's short tests and
    the ones it steals fill the same time. Only the order changes."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("slow") is None:
            return 3
        if item.name == "test_demo_build_makes_the_district_once[postgresql]":
            return 0
        return 1 if "postgresql" in item.name else 2

    items.sort(key=rank)  # stable: the collection order within each rank


@pytest.fixture(scope="session", autouse=True)
def remembering_hasher() -> Iterator[None]:
    production = accounts_service._hasher
    accounts_service._hasher = RememberingHasher()
    yield
    accounts_service._hasher = production


@pytest.fixture(scope="session", autouse=True)
def trained_models(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """The shipped classifier and spam screen, loaded from a pickle the run's workers
    (and later runs, through the pytest cache) share instead of trained in each one
    (tests/model_cache.py)."""
    cache = getattr(request.config, "cache", None)
    if cache is not None:
        directory = cache.mkdir("gridgov-models")
    else:  # -p no:cacheprovider: the run's base directory, shared by its workers
        directory = tmp_path_factory.getbasetemp().parent / "gridgov-models"
    with model_cache.installed(directory):
        yield


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


Builder = Callable[[Database], object]


def _clone_pg(admin_url: str, template_name: str, prefix: str) -> str:
    """A new database copied from ``template_name``; commits there do not wait for the
    disk (a per-database setting, so it is set on each copy)."""
    name = f"{prefix}_{_worker()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_conninfo(admin_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"')
        admin.execute(f'ALTER DATABASE "{name}" SET synchronous_commit TO off')
    return name


def _drop_pg(admin_url: str, name: str) -> None:
    with psycopg.connect(_pg_conninfo(admin_url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _build(url: str, build: Builder) -> None:
    database = Database.from_url(url, keys=TEST_KEYS)
    try:
        build(database)
    finally:
        database.dispose()


class Prebuilt:
    """Templates made by builders, once per engine per session: a builder's result is
    the migrated template plus whatever the builder wrote."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._tmp = tmp_path_factory
        self._sqlite: dict[Builder, Path] = {}
        self._pg: dict[Builder, str] = {}
        self._admin_url: str | None = None

    def sqlite(self, build: Builder, base: Path) -> Path:
        if build not in self._sqlite:
            path = self._tmp.mktemp("prebuilt") / "gridgov.sqlite3"
            shutil.copyfile(base, path)
            _build(f"sqlite:///{path}", build)
            self._sqlite[build] = path
        return self._sqlite[build]

    def postgresql(self, build: Builder, admin_url: str, base: str) -> str:
        if build not in self._pg:
            self._admin_url = admin_url
            name = _clone_pg(admin_url, base, "gridgov_pre")
            try:
                _build(_with_database(admin_url, name), build)
            except BaseException:
                _drop_pg(admin_url, name)
                raise
            self._pg[build] = name
        return self._pg[build]

    def drop(self) -> None:
        if self._admin_url is not None:
            for name in self._pg.values():
                _drop_pg(self._admin_url, name)


@pytest.fixture(scope="session")
def prebuilt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prebuilt]:
    templates = Prebuilt(tmp_path_factory)
    yield templates
    templates.drop()


def _builder(request: pytest.FixtureRequest) -> Builder | None:
    marker = request.node.get_closest_marker("prebuilt")
    return None if marker is None else marker.args[0]


class PgScratch:
    """One database per worker for the PostgreSQL leg, cloned once from the migrated
    template and put back to it after each test: the tables a test wrote to are
    emptied and vacuumed down to no page, the rows the migrations wrote and the
    sequences are restored. Cloning a database per test writes the whole
    template (13 MB) to the write-ahead log and waits for the disk twice; this costs a
    few small statements. When a test changed more than rows (a table, a column, a
    trigger switched off), or anything goes wrong, the database is dropped and cloned
    again, so every test still starts from exactly the template."""

    _SHAPE = """
        SELECT md5(coalesce(string_agg(x, ',' ORDER BY x), '')) FROM (
            SELECT 'c' || c.oid || c.relname || c.relkind::text || c.relnatts AS x
              FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
            UNION ALL SELECT 't' || t.oid || t.tgenabled::text FROM pg_trigger t
            UNION ALL SELECT 'k' || k.oid FROM pg_constraint k
            UNION ALL SELECT 'p' || p.oid FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace
            UNION ALL SELECT 'n' || n.oid FROM pg_namespace n
        ) shape
    """
    # The tables with a page on disk: any a test wrote to (a freshly truncated table
    # has none), without reading a row of them.
    _WRITTEN = """
        SELECT format('%I', relname) FROM pg_class
         WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
           AND pg_relation_size(oid) > 0
    """
    _SEQUENCES = """
        SELECT format('%I.%I', schemaname, sequencename), last_value, start_value
          FROM pg_sequences WHERE schemaname = 'public'
    """

    def __init__(self, admin_url: str, template_name: str) -> None:
        self._admin_url = admin_url
        self._template = template_name
        self.name = _clone_pg(admin_url, template_name, "gridgov_t")
        with self._connect() as conn:
            self._shape = conn.execute(self._SHAPE).fetchone()
            self._seeds: dict[str, bytes] = {}
            for (name,) in conn.execute(self._WRITTEN).fetchall():
                table = str(name)
                if conn.execute(f"SELECT FROM {table} LIMIT 1").fetchone() is None:
                    continue
                with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                    self._seeds[table] = b"".join(bytes(chunk) for chunk in copy)
            self._sequences = {
                name: last for name, last, _ in conn.execute(self._SEQUENCES).fetchall()
            }

    def url(self) -> str:
        """The database's URL, told apart from every other test's by its application
        name: the caches the application keeps per database URL (the catalogue, the
        holidays, the locator, the signed-in users) start empty, as with a new database."""
        return (
            make_url(_with_database(self._admin_url, self.name))
            .update_query_dict({"application_name": f"gridgov_test_{uuid.uuid4().hex[:12]}"})
            .render_as_string(hide_password=False)
        )

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            _pg_conninfo(_with_database(self._admin_url, self.name)), autocommit=True
        )

    def reset(self) -> None:
        try:
            if not self._restore():
                self._reclone()
        except psycopg.Error:
            self._reclone()

    def _restore(self) -> bool:
        with self._connect() as conn:
            others = (
                "FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            conn.execute(f"SELECT pg_terminate_backend(pid) {others}")
            for _ in range(500):  # wait for them to be gone, their snapshots with them
                if conn.execute(f"SELECT pid {others}").fetchone() is None:
                    break
                time.sleep(0.01)
            else:
                return False
            if conn.execute(self._SHAPE).fetchone() != self._shape:
                return False
            written = sorted(
                {str(row[0]) for row in conn.execute(self._WRITTEN)} | self._seeds.keys()
            )
            # Emptied row by row (a TRUNCATE ... CASCADE would make new files for the
            # three hundred tables and indexes that hang on a region by foreign keys),
            # then vacuumed back to no page at all, as in a fresh clone: the next rows
            # go where they would have gone there.
            with conn.transaction():
                conn.execute("SET LOCAL session_replication_role = replica")  # no triggers
                for table in written:
                    conn.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the catalogue
            conn.execute(f"VACUUM {', '.join(written)}")
            if conn.execute(self._WRITTEN).fetchall():
                return False  # a page left behind: start again from a clone
            with conn.transaction():
                for table, rows in self._seeds.items():
                    with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                        copy.write(rows)
                for name, last, start in conn.execute(self._SEQUENCES).fetchall():
                    origin = self._sequences.get(name)
                    if last != origin:
                        conn.execute(
                            "SELECT setval(%s, %s, %s)",
                            (name, start if origin is None else origin, origin is not None),
                        )
        return True

    def _reclone(self) -> None:
        _drop_pg(self._admin_url, self.name)
        self.name = _clone_pg(self._admin_url, self._template, "gridgov_t")

    def drop(self) -> None:
        _drop_pg(self._admin_url, self.name)


@pytest.fixture(scope="session")
def pg_scratch(pg_template: tuple[str, str]) -> Iterator[PgScratch]:
    scratch = PgScratch(*pg_template)
    yield scratch
    scratch.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    build = _builder(request)
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        if build is not None:
            template = request.getfixturevalue("prebuilt").sqlite(build, template)
        path = tmp_path / "gridgov.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin_url, template_name = request.getfixturevalue("pg_template")
    if build is None:
        scratch: PgScratch = request.getfixturevalue("pg_scratch")
        yield scratch.url()
        scratch.reset()
        return
    template_name = request.getfixturevalue("prebuilt").postgresql(build, admin_url, template_name)
    name = _clone_pg(admin_url, template_name, "gridgov_t")
    try:
        yield _with_database(admin_url, name)
    finally:
        _drop_pg(admin_url, name)


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
        warm_models=False,  # the tests that classify train the models themselves
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
