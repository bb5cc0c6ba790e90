"""Lockout as a weapon, on both engines: many addresses guessing an administrator's
password slow the guessing down but never lock the administrator out."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.web.deps import get_now
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, make_district, make_user

ADMIN_HOME = ("198.51.100.10", 40000)


def _login(app: FastAPI, address: str, password: str, username: str = "zhou.admin") -> int:
    with TestClient(app, client=(address, 5555)) as client:
        response = client.post(
            "/api/v1/auth/token", json={"username": username, "password": password}
        )
        return response.status_code


def test_ten_addresses_cannot_lock_out_the_admin(db: Database, app: FastAPI) -> None:
    # Given an administrator who signed in from the office before
    make_district(db)
    make_user(db, "zhou.admin", "admin")
    assert _login(app, ADMIN_HOME[0], PASSWORD) == 200
    # When ten addresses each guess three times
    guesses = [_login(app, f"203.0.113.{n}", f"guess-{n}-{k}") for n in range(10) for k in range(3)]
    assert guesses.count(401) >= 10
    assert set(guesses) <= {401, 429}
    # Then the administrator still signs in from the office at once
    assert _login(app, ADMIN_HOME[0], PASSWORD) == 200
    # and from a new address after a delay of at most a minute, not fifteen
    with TestClient(app, client=("192.0.2.50", 5555)) as laptop:
        waited = laptop.post(
            "/api/v1/auth/token", json={"username": "zhou.admin", "password": PASSWORD}
        )
    assert waited.status_code == 429
    assert 0 < int(waited.headers["Retry-After"]) <= 60
    app.dependency_overrides[get_now] = lambda: FIXED_NOW + timedelta(seconds=61)
    assert _login(app, "192.0.2.50", PASSWORD) == 200


def test_one_address_guessing_one_account_is_stopped_for_the_window(
    db: Database, app: FastAPI
) -> None:
    make_district(db)
    make_user(db, "zhou.admin", "admin")
    codes = [_login(app, "203.0.113.9", f"guess-{n}") for n in range(11)]
    assert codes == [401] * 10 + [429]
    app.dependency_overrides[get_now] = lambda: FIXED_NOW + timedelta(minutes=5)
    assert _login(app, "203.0.113.9", PASSWORD) == 429
    # while the owner elsewhere is not held up
    assert _login(app, "198.51.100.77", PASSWORD) == 200


def test_an_admin_sees_and_clears_throttles(db: Database, app: FastAPI) -> None:
    make_district(db)
    make_user(db, "zhou.admin", "admin")
    make_user(db, "chen.ming", "grid_worker", "440512001")
    for n in range(11):
        _login(app, "203.0.113.9", f"guess-{n}", username="chen.ming")
    with TestClient(app, client=ADMIN_HOME) as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": "zhou.admin", "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        listed = client.get("/api/v1/auth/throttles", headers=headers).json()
        assert {k: listed[0][k] for k in ("username", "ip", "failures")} == {
            "username": "chen.ming",
            "ip": "203.0.113.9",
            "failures": 10,
        }
        cleared = client.post(
            "/api/v1/auth/throttles/clear", json={"username": "chen.ming"}, headers=headers
        )
        assert cleared.json() == {"cleared": 10}
        assert client.get("/api/v1/auth/throttles", headers=headers).json() == []
    assert _login(app, "203.0.113.9", PASSWORD, username="chen.ming") == 200
