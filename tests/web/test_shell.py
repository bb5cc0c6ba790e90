"""The web shell: probes, errors, request ids, languages, home pages, API docs."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gridgov.db import Database
from tests.factories import make_district, make_user, page_login


def test_probes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_every_response_has_a_request_id(client: TestClient) -> None:
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "hotline-20261130-0001"})
    assert echoed.headers["X-Request-ID"] == "hotline-20261130-0001"
    refused = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})
    assert refused.headers["X-Request-ID"] != "bad id\nwith newline"


def test_api_errors_have_one_shape(client: TestClient) -> None:
    body = client.get("/api/v1/me").json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "unauthenticated"
    invalid = client.post("/api/v1/auth/token", json={"username": "x"})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["details"][0]["field"] == "password"
    unknown = client.get("/api/v1/nowhere")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


def test_an_unexpected_error_shows_no_stack_trace(app: FastAPI) -> None:
    @app.get("/api/v1/explode")
    def explode() -> None:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["X-Request-ID"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-CN,zh;q=0.9", "登录"), ("zh-MO", "登入"), ("en-GB,en;q=0.8", "Log in")],
)
def test_login_page_speaks_the_browsers_language(
    client: TestClient, language: str, expected: str
) -> None:
    html = client.get("/login", headers={"Accept-Language": language}).text
    assert f"<h1>{expected}</h1>" in html


def test_the_default_language_is_simplified_chinese(client: TestClient) -> None:
    html = client.get("/login").text
    assert 'lang="zh-Hans"' in html
    assert "<h1>登录</h1>" in html


def test_the_language_switch_sticks(client: TestClient) -> None:
    response = client.get("/lang/en?next=/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    assert "<h1>Log in</h1>" in client.get("/login").text


def test_error_pages_are_friendly_and_translated(db: Database, client: TestClient) -> None:
    make_district(db)
    make_user(db, "dahao.admin", "admin", "440512001")
    page_login(client, "dahao.admin")
    page = client.get("/regions/440512002", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 404
    assert "<!doctype html>" in page.text
    assert "Traceback" not in page.text
    assert page.headers["X-Request-ID"] in page.text


@pytest.mark.parametrize(
    ("role", "tiles"),
    [
        ("admin", ["/users", "/regions", "/audit"]),
        ("auditor", ["/audit", "/users", "/regions"]),
        ("grid_worker", ["/regions"]),
        ("resident", []),
    ],
)
def test_each_role_has_its_home_page(
    db: Database, client: TestClient, role: str, tiles: list[str]
) -> None:
    make_district(db)
    make_user(db, "someone", role, "440512001")
    page_login(client, "someone")
    html = client.get("/", headers={"Accept-Language": "en"}).text
    found = [
        href for href in ("/users", "/regions", "/audit") if f'class="tile" href="{href}"' in html
    ]
    assert sorted(found) == sorted(tiles)
    assert 'name="viewport" content="width=device-width' in html


def test_openapi_and_offline_docs(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/v1/regions/{code}" in spec["paths"]
    docs = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "http" not in docs.replace("http-equiv", "")
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/static/vendor/leaflet/leaflet.js",
        "/static/vendor/leaflet/leaflet.css",
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/css/app.css",
    ],
)
def test_front_end_assets_are_served_locally(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200
