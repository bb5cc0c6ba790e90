"""Units and their staff (issue 10): an account belongs to a department, a street office
or a community office, set from the CLI, the API or the admin's page; the unit's page
lists its staff; the unit's inbox holds exactly its cases, as lead or co-handler."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from typer.testing import CliRunner

from gridgov.accounts import service as accounts
from gridgov.accounts import units
from gridgov.audit.models import AuditEvent
from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.errors import Forbidden, InvalidInput
from gridgov.registry.models import Organisation
from tests.audit.test_service import _cli_env
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, bearer, csrf_of, make_territory, make_user, page_login

BUREAU = "汕头市濠江区城市管理和综合执法局"


def make_units(db: Database) -> dict[str, int]:
    make_territory(db)
    rows = [
        ("D001", BUREAU, "department", "440512"),
        ("D002", "汕头市濠江区水务局", "department", "440512"),
        ("S001", "达濠街道办事处", "street_office", "440512001"),
        ("C001", "青篮社区居委会", "community_office", "440512001001"),
        ("P001", "青篮社区党委", "party_committee", "440512001001"),
    ]
    with db.transaction() as session:
        ids = session.execute(
            insert(Organisation).returning(Organisation.code, Organisation.id),
            [
                {"code": c, "name": n, "kind": k, "region_code": r, "macau_funded": False}
                for c, n, k, r in rows
            ],
        ).all()
    return {code: id_ for code, id_ in ids}


def test_a_unit_is_found_by_code_name_or_a_unique_part(db: Database) -> None:
    ids = make_units(db)
    with db.session() as session:
        assert units.find_unit(session, text="D001").id == ids["D001"]
        assert units.find_unit(session, text=BUREAU).id == ids["D001"]
        assert units.find_unit(session, text="水务").id == ids["D002"]
        assert units.find_unit(session, text=f"#{ids['S001']}").kind == "street_office"
        with pytest.raises(InvalidInput, match="Several units"):
            units.find_unit(session, text="濠江区")
        with pytest.raises(InvalidInput, match="No department or office"):
            units.find_unit(session, text="青篮社区党委")  # a party body is not a unit


def test_belonging_to_a_unit_sets_the_scope_and_is_audited(db: Database) -> None:
    ids = make_units(db)
    make_user(db, "wu.office", "unit_staff", "440512")
    with db.transaction() as session:
        user = accounts.get_user_by_username(session, username="wu.office")
        unit = units.find_unit(session, text="青篮社区居委会")
        units.do_set_unit(session, actor=SYSTEM, user=user, unit=unit, now=FIXED_NOW)
    with db.session() as session:
        user = accounts.get_user_by_username(session, username="wu.office")
        audit = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.unit_set")
        ).one()
        staff = units.list_staff(session, unit=units.find_unit(session, text="C001"))
    assert (user.organisation_id, user.scope) == (ids["C001"], "440512001001")
    summary = audit.summary if isinstance(audit.summary, dict) else json.loads(audit.summary)
    assert summary["before"] == {"unit_id": None, "scope": "440512"}
    assert [u.username for u in staff] == ["wu.office"]


def test_only_unit_roles_belong_and_only_admins_of_the_scope_decide(db: Database) -> None:
    make_units(db)
    make_user(db, "chen.worker", "grid_worker", "44051200100101")
    make_user(db, "gao.staff", "unit_staff", "440512001")
    street_admin = accounts.actor_for(make_user(db, "street.admin", "admin", "440512001"))
    with db.transaction() as session:
        unit = units.find_unit(session, text="D001")
        worker = accounts.get_user_by_username(session, username="chen.worker")
        with pytest.raises(InvalidInput, match="Only unit staff"):
            units.do_set_unit(session, actor=SYSTEM, user=worker, unit=unit, now=FIXED_NOW)
        staff = accounts.get_user_by_username(session, username="gao.staff")
        # A street's admin may not put its staff into a district department
        with pytest.raises(Forbidden):
            units.do_set_unit(session, actor=street_admin, user=staff, unit=unit, now=FIXED_NOW)


def test_the_cli_creates_an_account_in_a_unit_and_moves_it(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cli_env(monkeypatch, settings)
    ids = make_units(db)
    runner = CliRunner()
    created = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--username",
            "xu.light",
            "--role",
            "unit_staff",
            "--unit",
            "城市管理",
            "--password",
            "Haojiang-light-2026",
        ],
    )
    assert created.exit_code == 0, created.output
    assert BUREAU in created.output
    moved = runner.invoke(cli, ["user", "set-unit", "xu.light", "S001"])
    assert moved.exit_code == 0, moved.output
    wrong = runner.invoke(cli, ["user", "set-unit", "xu.light", "不存在的单位"])
    assert wrong.exit_code == 1
    assert "No department or office" in wrong.output
    with db.session() as session:
        user = accounts.get_user_by_username(session, username="xu.light")
    assert (user.organisation_id, user.scope) == (ids["S001"], "440512001")


def test_the_api_takes_a_unit_on_create_and_on_its_own(db: Database, client: TestClient) -> None:
    ids = make_units(db)
    make_user(db, "zhou.admin", "admin", "440512")
    admin = bearer(client, "zhou.admin")
    created = client.post(
        "/api/v1/users",
        json={
            "username": "xu.water",
            "role": "unit_staff",
            "unit": "D002",
            "password": "Haojiang-water-2026",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert (created.json()["organisation_id"], created.json()["scope"]) == (ids["D002"], "440512")
    moved = client.put(
        f"/api/v1/users/{created.json()['id']}/unit", json={"unit": "青篮社区"}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["scope"] == "440512001001"
    cleared = client.put(
        f"/api/v1/users/{created.json()['id']}/unit", json={"unit": None}, headers=admin
    )
    assert cleared.json()["organisation_id"] is None


def test_the_admin_sets_the_unit_on_the_page_and_the_unit_lists_its_staff(
    db: Database, client: TestClient
) -> None:
    ids = make_units(db)
    make_user(db, "zhou.admin", "admin", "440512")
    target = make_user(db, "xu.light", "unit_staff", "440512")
    page_login(client, "zhou.admin")
    token = csrf_of(client, f"/users/{target.id}")
    saved = client.post(f"/users/{target.id}/unit", data={"csrf_token": token, "unit": "D001"})
    assert saved.status_code == 303
    page = client.get(f"/users/{target.id}")
    assert BUREAU in page.text
    unit_page = client.get(f"/units/{ids['D001']}")
    assert unit_page.status_code == 200
    assert "xu.light" in unit_page.text
    refused = client.post(
        f"/users/{target.id}/unit", data={"csrf_token": token, "unit": "没有这个单位"}
    )
    assert refused.status_code == 422
    # An office with nobody says so
    empty = client.get(f"/units/{ids['S001']}", headers={"Accept-Language": "en"})
    assert "Nobody can work this unit" in empty.text


def test_a_signed_in_resident_sees_their_reports_and_a_visitor_the_start_page(
    db: Database, client: TestClient
) -> None:
    from gridgov.cases import service as cases
    from gridgov.cases.rules import Channel

    make_units(db)
    resident = make_user(db, "li.resident", "resident", "44051200100101")
    with db.transaction() as session:
        cases.do_load_categories(
            session,
            actor=SYSTEM,
            rows=cases.category_rows(cases.default_category_document()),
            now=FIXED_NOW,
        )
        mine = cases.do_intake(
            session,
            actor=SYSTEM,
            value=cases.IntakeInput(
                description="楼下路灯坏了",
                channel=Channel.WEB,
                category_code="C0102",
                lon=116.705,
                lat=23.29,
                reporter_user_id=resident.id,
            ),
            now=FIXED_NOW,
        ).case
    start = client.get("/", headers={"Accept-Language": "en"})
    assert start.status_code == 200
    assert 'href="/report"' in start.text
    assert 'href="/track"' in start.text
    assert 'href="/login"' in start.text
    page_login(client, "li.resident")
    home = client.get("/")
    assert 'id="my-reports"' in home.text
    assert f"/track/{mine.tracking_code}" in home.text
