"""Fixed-value builders for tests: the Haojiang district and its people."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.territory import service as territory
from tests.conftest import FIXED_NOW

PASSWORD = "Haojiang-grid-2026"
SYSTEM = Actor.system("test")

# 汕头市濠江区 and two of its streets, with one community each.
REGIONS = (
    ("440512", "濠江区", "district", None),
    ("440512001", "达濠街道", "street", "440512"),
    ("440512002", "广澳街道", "street", "440512"),
    ("440512001001", "青篮社区", "community", "440512001"),
    ("440512002001", "东湖社区", "community", "440512002"),
)


def make_district(db: Database, now: datetime = FIXED_NOW) -> None:
    with db.transaction() as session:
        for code, name, level, parent in REGIONS:
            territory.do_create_region(
                session,
                actor=SYSTEM,
                code=code,
                name=name,
                level=level,
                parent_code=parent,
                now=now,
            )


def make_user(
    db: Database,
    username: str,
    role: str,
    scope: str = "440512",
    *,
    password: str = PASSWORD,
    now: datetime = FIXED_NOW,
) -> User:
    with db.transaction() as session:
        return accounts.do_create_user(
            session,
            actor=SYSTEM,
            username=username,
            role=role,
            scope=scope,
            password=password,
            now=now,
        )


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page hands out (the page also sets the csrf cookie)."""
    html = str(client.get(path).text)
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def page_login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text
