"""The request context middleware: standard headers and the CSRF seed cookie."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.web.deps import CSRF_COOKIE
from tests.factories import bearer, make_user


def test_a_first_page_sets_the_csrf_seed_once_and_every_answer_has_the_headers(
    client: TestClient,
) -> None:
    # given a browser without cookies, when it opens the login page
    first = client.get("/login")
    # then the page sets a CSRF seed cookie, http-only and same-site
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    # and the next page, sent with that cookie, sets none
    client.cookies.set(CSRF_COOKIE, client.cookies[CSRF_COOKIE])
    again = client.get("/login")
    assert "set-cookie" not in again.headers
    # and every answer, a page, JSON, an error, carries the standard headers
    for response in (first, client.get("/healthz"), client.get("/api/v1/me")):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_client_without_gzip_gets_every_header_on_the_shortest_paths(
    db: Database, client: TestClient
) -> None:
    # Given a signed-in worker whose client does not accept gzip (as a load balancer's
    # probe or a script), sending its own request id
    make_user(db, "chen.ming", "grid_worker", "440512001")
    plain = {"Accept-Encoding": "identity", "X-Request-ID": "probe-0001-abcd"}
    headers = {**bearer(client, "chen.ming"), **plain}
    # When it calls the health probe and reads itself
    health = client.get("/healthz", headers=plain)
    me = client.get("/api/v1/me", headers=headers)
    # Then both carry the security headers and its request id, the personal answer is
    # not to be stored, and nothing was compressed
    for response in (health, me):
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "probe-0001-abcd"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "content-encoding" not in response.headers
    assert me.headers["Cache-Control"] == "no-store"
    assert me.json()["username"] == "chen.ming"
    assert me.json()["scope"] == "440512001"
    # and an answer too small to compress does not vary with Accept-Encoding
    assert "vary" not in health.headers


def test_a_page_says_it_varies_with_accept_encoding_whether_or_not_it_was_gzipped(
    client: TestClient,
) -> None:
    # Given the login page (HTML well over gzip's 1 KiB minimum)
    # When a browser that accepts gzip and a client that does not both open it
    gzipped = client.get("/login", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/login", headers={"Accept-Encoding": "identity"})
    # Then the first is compressed, the second not, and both tell caches the answer
    # depends on Accept-Encoding
    assert gzipped.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in plain.headers
    assert gzipped.headers["vary"] == "Accept-Encoding"
    assert plain.headers["vary"] == "Accept-Encoding"
    assert len(plain.content) > 1024
    assert "<html" in gzipped.text


def test_a_body_on_a_request_without_gzip_is_still_held_to_its_limit(client: TestClient) -> None:
    # Given a client that does not accept gzip
    # When it declares a JSON body of 2 MiB
    response = client.post(
        "/api/v1/auth/token",
        content=b"{}",
        headers={
            "Accept-Encoding": "identity",
            "Content-Type": "application/json",
            "Content-Length": str(2 * 1024 * 1024),
        },
    )
    # Then it is refused from its length, with the standard headers
    assert response.status_code == 413
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Request-ID"]


def test_a_head_request_gets_the_get_answers_headers_and_no_body(client: TestClient) -> None:
    # Given an uptime monitor that checks pages with HEAD, as monitors and link checkers do
    page = client.get("/login", headers={"Accept-Encoding": "identity"})
    # When it asks for the login page, a probe and a page that does not exist
    head = client.head("/login", headers={"Accept-Encoding": "identity"})
    probe = client.head("/healthz")
    missing = client.head("/no-such-page")
    # Then the page answers as its GET would, with the same length and no body
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == page.headers["content-type"]
    assert head.headers["content-length"] == page.headers["content-length"]
    assert head.headers["X-Content-Type-Options"] == "nosniff"
    assert (probe.status_code, probe.content) == (200, b"")
    # and a missing page is still missing, not a 405
    assert missing.status_code == 404
    # while a route that only takes POST still refuses HEAD
    assert client.head("/logout").status_code == 405
