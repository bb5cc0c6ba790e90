"""Demo mode: one-click sign-in exists only when the database says so."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov import settings_store
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.territory.models import Region
from gridgov.web.app import create_app
from tests.factories import csrf_of, make_territory, make_user


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


def test_the_login_page_offers_the_roles_and_the_village_secretary_only(
    db: Database, settings: Settings
) -> None:
    # Given a demo database whose 头村社区 (the outreach demo's village) has its secretary,
    # beside another community's secretary and an election resident made by the demo
    make_territory(db)
    with db.transaction() as session:
        village = session.scalars(select(Region).where(Region.code == "440512002001")).one()
        village.name = "头村社区"
        settings_store.put(session, settings_store.DEMO_MODE, "on")
    make_user(db, "demo-leader", "leader")
    make_user(db, "demo-secretary-440512002001", "branch_secretary", "440512002001")
    make_user(db, "demo-secretary-440512001001", "branch_secretary", "440512001001")
    make_user(db, "demo-resident-77", "resident", "44051200100101")
    app = create_app(settings, database=db)
    with TestClient(app, follow_redirects=False) as client:
        # When the login page is read
        page = client.get("/login").text
    # Then it offers the leader, then 头村's secretary named by her village, and no other
    buttons = re.findall(r'action="/demo/sign-in/([^"]+)"', page)
    assert buttons == ["demo-leader", "demo-secretary-440512002001"]
    assert "党支部书记 · 头村社区" in page
