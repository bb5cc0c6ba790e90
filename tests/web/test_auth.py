"""Logins, sessions, tokens, CSRF, throttling and API keys over HTTP."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from gridgov.accounts import service as accounts
from gridgov.db import Database
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, SYSTEM, bearer, csrf_of, make_district, make_user, page_login


def test_a_page_login_sets_a_session_and_logout_ends_it(db: Database, client: TestClient) -> None:
    # Given an admin, when they log in through the form
    make_user(db, "zhou.admin", "admin")
    page_login(client, "zhou.admin")
    home = client.get("/")
    assert home.status_code == 200
    assert "zhou.admin" in home.text
    cookie = client.cookies.get("gg_session")
    # When they log out
    response = client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    assert response.status_code == 303
    # Then the old cookie no longer works, even if replayed: a staff page sends to the
    # login, and the home is the visitor's start page again
    client.cookies.set("gg_session", cookie or "")
    assert client.get("/users").status_code == 303
    assert "zhou.admin" not in client.get("/").text


def test_a_login_form_without_the_csrf_token_is_refused(db: Database, client: TestClient) -> None:
    make_user(db, "zhou.admin", "admin")
    client.get("/login")
    response = client.post("/login", data={"username": "zhou.admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "gg_session" not in response.cookies


def test_pages_redirect_anonymous_users_to_the_login(client: TestClient) -> None:
    response = client.get("/users?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fusers%3Fx%3D1"


def test_login_never_redirects_off_site(db: Database, client: TestClient) -> None:
    make_user(db, "zhou.admin", "admin")
    token = csrf_of(client)
    response = client.post(
        "/login",
        data={
            "username": "zhou.admin",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert response.headers["location"] == "/"


def test_a_disabled_users_token_stops_working_at_once(db: Database, client: TestClient) -> None:
    # Given a grid worker with a live token
    worker = make_user(db, "chen.ming", "grid_worker", "440512001")
    headers = bearer(client, "chen.ming")
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    # When an admin disables the account
    admin = make_user(db, "zhou.admin", "admin")
    admin_headers = bearer(client, "zhou.admin")
    response = client.post(f"/api/v1/users/{worker.id}/disable", headers=admin_headers)
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    # Then the very next call with the old token is refused
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthenticated"
    # and the account cannot log in again
    again = client.post("/api/v1/auth/token", json={"username": "chen.ming", "password": PASSWORD})
    assert again.status_code == 401
    assert admin.id != worker.id


def test_token_logout_is_server_side(db: Database, client: TestClient) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    headers = bearer(client, "chen.ming")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_the_11th_rapid_failure_from_one_ip_gets_429_and_others_still_log_in(
    db: Database, app: FastAPI
) -> None:
    # Given two accounts, and an attacker at one IP guessing at the first
    make_user(db, "chen.ming", "grid_worker", "440512001")
    make_user(db, "lin.hua", "dispatcher", "440512002")
    with TestClient(app, client=("203.0.113.7", 5555)) as attacker:
        codes = [
            attacker.post(
                "/api/v1/auth/token", json={"username": "chen.ming", "password": f"guess-{n:04d}"}
            ).status_code
            for n in range(11)
        ]
        # Then ten wrong guesses get 401 and the eleventh 429, with Retry-After
        assert codes == [401] * 10 + [429]
        last = attacker.post(
            "/api/v1/auth/token", json={"username": "chen.ming", "password": "guess"}
        )
        assert last.json()["error"]["code"] == "too_many_requests"
        assert int(last.headers["Retry-After"]) > 0
    # And another account logs in from its own address meanwhile
    with TestClient(app, client=("198.51.100.22", 6666)) as colleague:
        response = colleague.post(
            "/api/v1/auth/token", json={"username": "lin.hua", "password": PASSWORD}
        )
        assert response.status_code == 200


def test_failed_logins_and_throttling_are_audited(db: Database, app: FastAPI) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    with TestClient(app, client=("203.0.113.7", 5555)) as attacker:
        for n in range(11):
            attacker.post("/api/v1/auth/token", json={"username": "chen.ming", "password": f"g{n}"})
    from gridgov.audit import service as audit

    with db.session() as session:
        events = audit.list_events(session, scope="440512", limit=50)
    actions = [e.action for e in events]
    assert actions.count("auth.login_failed") == 10
    assert actions.count("auth.login_throttled") == 1
    failed = next(e for e in events if e.action == "auth.login_failed")
    assert failed.ip == "203.0.113.7"
    assert "guess" not in failed.summary


def test_cookie_sessions_need_the_csrf_header_for_api_writes(
    db: Database, client: TestClient
) -> None:
    # Given an admin logged in by cookie
    make_district(db)
    make_user(db, "zhou.admin", "admin")
    page_login(client, "zhou.admin")
    body = {
        "username": "wu.jie",
        "role": "grid_worker",
        "scope": "440512001",
        "password": "Dahao-street-88",
    }
    # When they call the API with the cookie but no CSRF header, it is refused
    assert client.post("/api/v1/users", json=body).status_code == 403
    # and with the header it is accepted
    token = csrf_of(client, "/")
    response = client.post("/api/v1/users", json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 201, response.text


def test_api_keys_authenticate_integrations(db: Database, client: TestClient) -> None:
    with db.transaction() as session:
        plaintext, _ = accounts.do_create_api_key(
            session, actor=SYSTEM, name="open311-gateway", now=FIXED_NOW
        )
    assert client.get("/api/v1/integrations/whoami").status_code == 401
    ok = client.get("/api/v1/integrations/whoami", headers={"X-API-Key": plaintext})
    assert ok.status_code == 200
    assert ok.json()["name"] == "open311-gateway"
    assert client.get(f"/api/v1/integrations/whoami?api_key={plaintext}").status_code == 200
    with db.transaction() as session:
        accounts.do_revoke_api_key(session, actor=SYSTEM, name="open311-gateway", now=FIXED_NOW)
    assert (
        client.get("/api/v1/integrations/whoami", headers={"X-API-Key": plaintext}).status_code
        == 401
    )


def test_a_weak_password_is_refused_with_every_reason(db: Database, client: TestClient) -> None:
    make_user(db, "zhou.admin", "admin")
    headers = bearer(client, "zhou.admin")
    response = client.post(
        "/api/v1/users",
        headers={**headers, "Accept-Language": "en"},
        json={
            "username": "wu.jie",
            "role": "grid_worker",
            "scope": "440512001",
            "password": "qwerty",
        },
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert [d["message"] for d in error["details"]] == [
        "At least 10 characters.",
        "This is one of the most common passwords.",
    ]
