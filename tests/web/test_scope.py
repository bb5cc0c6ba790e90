"""A user scoped to one street sees nothing of another street, in API and pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gridgov.audit import service as audit
from gridgov.db import Database
from tests.factories import bearer, make_district, make_user, page_login


@pytest.fixture
def district(db: Database) -> Database:
    make_district(db)
    make_user(db, "dahao.admin", "admin", "440512001")  # 达濠街道's administrator
    make_user(db, "guangao.worker", "grid_worker", "440512002")  # a worker in 广澳街道
    return db


def test_api_region_of_another_street_is_404(district: Database, client: TestClient) -> None:
    headers = bearer(client, "dahao.admin")
    own = client.get("/api/v1/regions/440512001001", headers=headers)
    assert own.status_code == 200
    assert own.json()["name"] == "青篮社区"
    other = client.get("/api/v1/regions/440512002001", headers=headers)
    missing = client.get("/api/v1/regions/440512009009", headers=headers)
    # Out of scope and non-existent answer alike
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    listed = client.get("/api/v1/regions", headers=headers).json()
    assert [r["code"] for r in listed] == ["440512001", "440512001001"]


def test_api_user_of_another_street_is_404(district: Database, client: TestClient) -> None:
    headers = bearer(client, "dahao.admin")
    users = client.get("/api/v1/users", headers=headers).json()
    assert [u["username"] for u in users] == ["dahao.admin"]
    other_id = 2  # guangao.worker
    assert client.get(f"/api/v1/users/{other_id}", headers=headers).status_code == 404
    assert client.post(f"/api/v1/users/{other_id}/disable", headers=headers).status_code == 404


def test_pages_of_another_street_are_404(district: Database, client: TestClient) -> None:
    page_login(client, "dahao.admin")
    assert client.get("/regions/440512001").status_code == 200
    response = client.get("/regions/440512002")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert client.get("/users/2").status_code == 404


def test_an_admin_cannot_create_accounts_outside_their_scope(
    district: Database, client: TestClient
) -> None:
    headers = bearer(client, "dahao.admin")
    response = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "li.na",
            "role": "admin",
            "scope": "440512",
            "password": "Guangao-street-77",
        },
    )
    assert response.status_code == 403


def test_out_of_scope_reads_and_wrong_roles_are_audited(
    district: Database, client: TestClient
) -> None:
    client.get("/api/v1/regions/440512002001", headers=bearer(client, "dahao.admin"))
    client.get("/api/v1/users", headers=bearer(client, "guangao.worker"))
    with district.session() as session:
        refused = audit.list_events(session, scope="440512", action="authz.refused")
    assert {(e.actor, e.object_type) for e in refused} == {
        ("dahao.admin", "region"),
        ("guangao.worker", "route"),
    }


def test_a_grid_worker_may_not_list_accounts(district: Database, client: TestClient) -> None:
    response = client.get("/api/v1/users", headers=bearer(client, "guangao.worker"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
