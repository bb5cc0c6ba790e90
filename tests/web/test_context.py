"""The request context middleware: standard headers and the CSRF seed cookie."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.web.deps import CSRF_COOKIE


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
