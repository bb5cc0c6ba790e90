"""Demo mode: one-click sign-in exists only when the database says so."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov import settings_store
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.web.app import create_app
from tests.factories import csrf_of, make_user


def test_outside_demo_mode_there_is_no_one_click_sign_in(db: Database, client: TestClient) -> None:
    make_user(db, "demo-admin", "admin")
    page = client.get("/login").text
    assert "/demo/sign-in/" not in page
    assert "Demo district" not in page
    response = client.post("/demo/sign-in/demo-admin", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 404


def test_in_demo_mode_each_role_signs_in_with_one_click(db: Database, settings: Settings) -> None:
    # Given a database in demo mode with a demo account and an ordinary one
    make_user(db, "demo-leader", "leader")
    make_user(db, "zhou.admin", "admin")
    with db.transaction() as session:
        settings_store.put(session, settings_store.DEMO_MODE, "on")
    app = create_app(settings, database=db)
    with TestClient(app, follow_redirects=False) as client:
        page = client.get("/login", headers={"Accept-Language": "en"}).text
        assert 'action="/demo/sign-in/demo-leader"' in page
        assert "zhou.admin" not in page
        assert "Demo district" in page
        # When the leader button is pressed, then a session opens for that account
        response = client.post("/demo/sign-in/demo-leader", data={"csrf_token": csrf_of(client)})
        assert response.status_code == 303
        assert "demo-leader" in client.get("/").text
        # and an ordinary account cannot be entered that way
        token = csrf_of(client, "/")
        refused = client.post("/demo/sign-in/zhou.admin", data={"csrf_token": token})
        assert refused.status_code == 404
