"""A signed-in person keeps their interface language on their account."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.accounts.models import User
from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from tests.factories import csrf_of, make_user, page_login


def test_a_worker_keeps_korean_and_it_follows_them_to_a_new_browser(
    db: Database, client: TestClient
) -> None:
    # Given a grid worker signed in, reading the account page in the default language
    make_user(db, "chen.ming", "grid_worker", "440512001")
    page_login(client, "chen.ming")
    page = client.get("/account")
    assert page.status_code == 200
    assert "한국어" in page.text
    assert "Tiếng Việt" in page.text
    # When they choose Korean on the form
    response = client.post(
        "/account/language",
        data={"csrf_token": csrf_of(client, "/account"), "language": "ko"},
    )
    # Then the account keeps it, with one audit row
    assert response.status_code == 303
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.username == "chen.ming")).one()
        assert user.language == "ko"
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.language_set")
        ).all()
        assert len(rows) == 1
    # and a fresh browser without any language cookie shows pages in Korean after login
    client.cookies.clear()
    page_login(client, "chen.ming")
    assert '<html lang="ko"' in client.get("/account").text


def test_the_switch_offers_to_keep_a_language_only_when_it_differs(
    db: Database, client: TestClient
) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    page_login(client, "chen.ming")
    # Given the switch moved the page to Japanese, the header offers to keep it
    client.get("/lang/ja")
    assert 'class="keep-lang"' in client.get("/account").text
    client.post(
        "/account/language",
        data={"csrf_token": csrf_of(client, "/account"), "language": "ja", "next": "/account"},
    )
    # Once kept, the offer is gone
    html = client.get("/account").text
    assert 'class="keep-lang"' not in html


def test_an_unknown_language_or_a_missing_token_changes_nothing(
    db: Database, client: TestClient
) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    page_login(client, "chen.ming")
    token = csrf_of(client, "/account")
    assert client.post("/account/language", data={"language": "ko"}).status_code == 403
    bad = client.post("/account/language", data={"csrf_token": token, "language": "xx"})
    assert bad.status_code == 422
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.username == "chen.ming")).one()
        assert user.language is None
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.language_set")
        ).all()
