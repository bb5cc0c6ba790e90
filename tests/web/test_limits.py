"""Attacks on the web layer, on both engines: huge bodies, huge ids, NUL characters,
deep JSON, a stopped database, wrong methods, and the headers every answer carries."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from gridgov.audit.models import AuditEvent
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.web.app import create_app
from gridgov.web.deps import get_now
from tests.cases.factories import make_cases_world
from tests.conftest import FIXED_NOW
from tests.factories import bearer, make_district, make_user

MIB = 1024 * 1024


def test_a_501_mb_json_body_is_refused_from_its_length_without_reading_it(
    client: TestClient,
) -> None:
    # Given a body that claims 501 MB but sends only its first megabyte
    def body() -> Iterator[bytes]:
        yield b'{"username": "' + b"a" * MIB

    started = time.monotonic()
    response = client.post(
        "/api/v1/auth/token",
        content=body(),
        headers={"Content-Length": str(501 * MIB), "Content-Type": "application/json"},
    )
    # Then it is refused at once, in the API's error shape, with the headers
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert time.monotonic() - started < 5


def test_a_streamed_body_without_a_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    # Given a chunked body of 3 MB (no Content-Length) to a JSON route
    def chunks() -> Iterator[bytes]:
        yield b'{"username": "'
        for _ in range(3):
            yield b"a" * MIB
        yield b'"}'

    response = client.post(
        "/api/v1/auth/token", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_a_page_form_over_its_limit_gets_a_friendly_page(client: TestClient) -> None:
    response = client.post(
        "/login",
        content=b"username=" + b"a" * (2 * MIB),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"},
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "too large" in response.text


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/users/{2**63}",
        f"/api/v1/users/{2**31}",
        f"/api/v1/users/-{2**63}",
        f"/api/v1/cases/{2**64}",
        "/api/v1/cases?offset=" + str(2**63),
        "/api/v1/cases?offset=99999999999999999999999",
        "/api/v1/cases?offset=4³",  # a digit to str.isdigit, not to int()
        "/api/v1/users/4²",
    ],
)
def test_ids_and_offsets_beyond_the_column_range_answer_422(
    db: Database, client: TestClient, path: str
) -> None:
    make_district(db)
    make_user(db, "zhou.admin", "admin")
    response = client.get(path, headers=bearer(client, "zhou.admin"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_input"


def test_a_huge_id_in_a_json_body_answers_422_naming_the_field(
    db: Database, client: TestClient
) -> None:
    people = make_cases_world(db)
    assert people
    headers = bearer(client, "lin.dispatch")
    response = client.post("/api/v1/cases/1/merge", json={"original_id": 2**63}, headers=headers)
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "original_id"


def test_nul_characters_are_refused_with_a_clear_message(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    headers = {**bearer(client, "lin.dispatch"), "Accept-Language": "en"}
    response = client.post(
        "/api/v1/cases",
        json={"description": "路灯坏了\u0000三天", "lon": 116.7, "lat": 23.28},
        headers=headers,
    )
    assert response.status_code == 422
    detail = response.json()["error"]["details"][0]
    assert detail == {"field": "description", "message": "Text may not contain NUL characters."}
    in_query = client.get("/api/v1/cases?region=4405%00", headers=headers)
    assert in_query.status_code == 422
    form = client.post(
        "/login",
        data={"username": "a\x00b", "password": "x"},
        headers={"Accept-Language": "en"},
    )
    assert form.status_code == 422


def test_json_nested_too_deep_is_refused(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    deep: object = "x"
    for _ in range(100):
        deep = [deep]
    response = client.post(
        "/api/v1/cases",
        json={"description": "路灯坏了三天", "extra": deep},
        headers=bearer(client, "lin.dispatch"),
    )
    assert response.status_code == 422


def test_a_wrong_method_gets_405_with_the_whole_allow_list(client: TestClient) -> None:
    # /report has a GET route and a POST route: Allow names both
    response = client.put("/report", headers={"Accept": "application/json"})
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST", "HEAD"} <= allowed
    assert response.headers["X-Frame-Options"] == "DENY"


def test_a_500_carries_the_security_headers(app: FastAPI) -> None:
    @app.get("/api/v1/explode-for-test")
    def explode() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode-for-test")
    assert response.status_code == 500
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert "boom" not in response.text


def test_secure_cookies_bring_hsts_and_secure_on_every_cookie(
    settings: Settings, db: Database
) -> None:
    secure = settings.model_copy(update={"secure_cookies": True})
    app = create_app(secure, database=db)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        response = client.get("/lang/en")
        login = client.get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.get_list("set-cookie") + login.headers.get_list("set-cookie")
    assert cookies
    assert all("secure" in cookie.lower() for cookie in cookies)


def test_api_answers_are_not_stored_by_caches(db: Database, client: TestClient) -> None:
    make_district(db)
    make_user(db, "zhou.admin", "admin")
    response = client.get("/api/v1/users", headers=bearer(client, "zhou.admin"))
    assert response.headers["Cache-Control"] == "no-store"


def _stopped(settings: Settings, db: Database, url: str) -> FastAPI:
    """The app, started on a live database that then stops answering."""
    app = create_app(settings, database=db)
    app.dependency_overrides[get_now] = lambda: FIXED_NOW
    dead = create_engine(url, pool_pre_ping=True)
    app.state.gridgov.db = Database(
        url=url, engine=dead, audit_key=db.audit_key, field_cipher=db.field_cipher
    )
    return app


def _unreachable_url(db: Database) -> str:
    if db.dialect == "sqlite":
        return "sqlite:////nonexistent-directory/for-gridgov/db.sqlite3"
    return "postgresql+psycopg://postgres@127.0.0.1:9/stopped?connect_timeout=2"


def test_a_stopped_database_answers_503_with_retry_after_in_each_family(
    settings: Settings, db: Database
) -> None:
    make_district(db)
    app = _stopped(settings, db, _unreachable_url(db))
    with TestClient(app, follow_redirects=False) as client:
        api = client.get("/api/v1/users", headers={"Authorization": "Bearer nope"})
        open311 = client.get("/open311/v2/services.json")
        page = client.get("/report", headers={"Accept-Language": "en"})
    assert api.status_code == 503
    assert api.headers["Retry-After"].isdigit()
    assert api.json()["error"]["code"] == "unavailable"
    assert open311.status_code == 503
    assert open311.headers["Retry-After"].isdigit()
    assert open311.json()[0]["code"] == 503  # Open311's own error list
    assert page.status_code == 503
    assert "try again" in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_the_refusal_of_a_public_rating_is_audited(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    case = client.post(
        "/api/v1/cases",
        json={"description": "小区门口垃圾堆了三天", "category": "E0101"},
        headers=bearer(client, "lin.dispatch"),
    ).json()
    refused = client.post(
        f"/api/v1/track/{case['tracking_code']}/rating", json={"rating": "dissatisfied"}
    )
    assert refused.status_code == 403
    with db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "case.reporter_refused")
        ).all()
    assert actions == ["case.reporter_refused"]


def test_a_heic_photo_is_recognised_as_the_attachment_message_promises() -> None:
    from gridgov.deliberation.service import FILE_TYPES
    from gridgov.web.render import sniff

    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"
    assert sniff(heic) == "image/heic"
    assert sniff(heic) in FILE_TYPES
    assert sniff(b"\x00\x00\x00\x18ftypisom") is None  # an MP4 video is not a photo


def test_a_value_over_its_limit_is_explained_in_the_readers_language(
    client: TestClient,
) -> None:
    # Given a sign-in whose user name is far longer than any user name may be
    for language, expected in (
        ("zh-CN", "最多 128 个字符。"),
        ("en", "At most 128 characters."),
    ):
        # When it is posted by a reader of that language, asking for JSON
        response = client.post(
            "/api/v1/auth/token",
            json={"username": "x" * 5000, "password": "secret"},
            headers={"Accept-Language": language},
        )
        # Then the field's problem reads in their language, not in pydantic's English
        assert response.status_code == 422
        details = response.json()["error"]["details"]
        assert [d["field"] for d in details] == ["username"]
        assert [d["message"] for d in details] == [expected]
