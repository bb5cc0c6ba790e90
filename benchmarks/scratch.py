"""A scratch PostgreSQL database for a benchmark: created on the given server, dropped
afterwards, so a benchmark never writes into a database that holds anything."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


@contextmanager
def scratch_postgres(admin_url: str, purpose: str) -> Iterator[str]:
    """Yield the URL of a new empty database on ``admin_url``'s server."""
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    name = f"gridgov_bench_{purpose}_{os.getpid()}"
    conninfo = f"host={url.host} port={url.port or 5432} user={url.username} dbname={url.database}"
    with psycopg.connect(conninfo, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
