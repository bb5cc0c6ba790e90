"""The short-lived memory of who a token belongs to (web/auth_cache.py, ADR 0021): a
repeated call authenticates without SQL, a change made through this process is seen at
once, and one made behind its back (another instance, raw SQL) within the TTL."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from gridgov.accounts.models import User
from gridgov.accounts.service import token_digest
from gridgov.db import Database
from gridgov.web import auth_cache
from tests.factories import bearer, make_user
from tests.querycount import count_queries


@pytest.fixture
def short_ttl() -> Iterator[float]:
    """A TTL short enough to wait out in a test; the real one comes back after."""
    kept = auth_cache.CACHE.ttl
    auth_cache.CACHE.ttl = 0.5
    auth_cache.CACHE.clear()
    try:
        yield auth_cache.CACHE.ttl
    finally:
        auth_cache.CACHE.ttl = kept
        auth_cache.CACHE.clear()


def test_a_repeated_read_authenticates_without_sql(db: Database, client: TestClient) -> None:
    # Given a worker whose token has been used once
    make_user(db, "chen.ming", "grid_worker", "440512001")
    headers = bearer(client, "chen.ming")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # When the same token reads again
    with count_queries(db) as queries:
        again = client.get("/api/v1/me", headers=headers)
    # Then the answer is the same user, and no statement reached the database
    assert again.status_code == 200
    assert again.json()["username"] == "chen.ming"
    assert queries.statements == []


def test_a_role_change_through_the_app_shows_on_the_next_call(
    db: Database, client: TestClient
) -> None:
    # Given a worker whose token is remembered
    worker = make_user(db, "chen.ming", "grid_worker", "440512001")
    headers = bearer(client, "chen.ming")
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "grid_worker"
    # When their role changes in a transaction of this process
    with db.transaction() as session:
        user = session.get(User, worker.id)
        assert user is not None
        user.role = "dispatcher"
    # Then the very next call sees it
    assert client.get("/api/v1/me", headers=headers).json()["role"] == "dispatcher"


def test_a_revocation_behind_the_process_takes_effect_within_the_ttl(
    db: Database, client: TestClient, short_ttl: float
) -> None:
    # Given a worker whose token is remembered
    make_user(db, "chen.ming", "grid_worker", "440512001")
    headers = bearer(client, "chen.ming")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # When another instance revokes the session (raw SQL: no event reaches this process)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE auth_session SET revoked_at = created_at"))
    # Then the token works at most until the TTL has passed, and is refused after it
    time.sleep(short_ttl + 0.1)
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401


def test_an_expired_session_is_refused_even_when_remembered(
    db: Database, client: TestClient
) -> None:
    # Given a remembered token whose session has just expired (in the database's terms)
    make_user(db, "chen.ming", "grid_worker", "440512001")
    headers = bearer(client, "chen.ming")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    token = headers["Authorization"].removeprefix("Bearer ")
    key = (db.url, "bearer", token_digest(token))
    entry = auth_cache.CACHE.entries[key]
    auth_cache.CACHE.entries[key] = auth_cache.Entry(
        entry.user, entry.expires_at.replace(year=2000), entry.stored_at
    )
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE auth_session SET expires_at = created_at"))
    # When it is used again, then it is refused
    assert client.get("/api/v1/me", headers=headers).status_code == 401
