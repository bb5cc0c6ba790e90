"""Volunteer pages through the app, in Chinese: a grid worker makes an international
team from the register, an activity, signs members up (a duplicate is refused with a
clear message), checks them in and out, reads the hours and downloads a certificate;
a volunteer signs in, signs themselves up and reads their own hours; anyone checks a
certificate's code."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select, update

from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.outreach.models import VolunteerActivity, VolunteerCertificate, VolunteerSignup
from gridgov.registry import service as registry
from tests.conftest import FIXED_NOW
from tests.factories import csrf_of, mainland_id, make_territory, make_user, page_login

GRID = "44051200100101"
COMMUNITY = "440512001001"


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    make_territory(db)
    make_user(db, "wang.worker", "grid_worker", COMMUNITY)
    make_user(db, "wu.worker", "grid_worker", "440512002001")
    make_user(db, "park", "resident", GRID)
    ids: dict[str, int] = {}
    with db.transaction() as session:
        for key, value in {
            "chen": registry.ResidentInput(
                name="陈志愿",
                doc_type="mainland_id",
                id_number=mainland_id("19800101", "011"),
                grid_code=GRID,
            ),
            "park": registry.ResidentInput(
                name="Park Seo-yeon",
                doc_type="passport",
                id_number="M12345678",
                nationality="KOR",
                tags=("foreign_resident",),
                grid_code=GRID,
            ),
        }.items():
            ids[key] = registry.do_create_resident(
                session, actor=Actor.system(), value=value, now=FIXED_NOW - timedelta(days=60)
            ).id
        session.execute(update(User).where(User.username == "park").values(resident_id=ids["park"]))
    return ids


def _post(client: TestClient, path: str, form: dict[str, str], page: str) -> Response:
    return client.post(
        path, data={**form, "csrf_token": csrf_of(client, page)}, follow_redirects=False
    )


def test_a_worker_runs_an_activity_and_a_volunteer_reads_their_hours(
    client: TestClient, db: Database, people: dict[str, int]
) -> None:
    client.cookies.set("gg_lang", "zh_Hans")
    page_login(client, "wang.worker")
    # Given an international team made on the page
    made = _post(
        client,
        "/volunteers/teams",
        {"region_code": COMMUNITY, "name": "青篮国际志愿服务队", "international": "true"},
        "/volunteers",
    )
    assert made.status_code == 303, made.text
    team_path = made.headers["location"]
    team_page = client.get(team_path).text
    # then the register's foreign resident is offered (not yet a volunteer there)
    assert "Park Seo-yeon" in team_page
    assert "境外人员" in team_page
    for key in ("chen", "park"):
        added = _post(client, f"{team_path}/members", {"resident_id": str(people[key])}, team_path)
        assert added.status_code == 303
    # when an activity is set for a Saturday morning two weeks ago, 2 hours credited
    created = _post(
        client,
        f"{team_path}/activities",
        {
            "title": "涉外社区清洁日",
            "place": "青篮公园",
            "starts_at": "2026-11-14T09:00",
            "ends_at": "2026-11-14T12:00",
            "capacity": "2",
            "hours": "2",
        },
        team_path,
    )
    assert created.status_code == 303, created.text
    activity_path = created.headers["location"]
    with db.transaction() as session:
        activity = session.scalars(select(VolunteerActivity)).one()
        assert activity.starts_at == datetime(2026, 11, 14, 1, 0, tzinfo=UTC)  # local 09:00
        # (sign-ups close once it is over: open it again, as if it were still ahead)
        activity.ends_at = FIXED_NOW + timedelta(hours=1)
        activity.starts_at = FIXED_NOW - timedelta(hours=2)
    signup = _post(
        client, f"{activity_path}/signups", {"resident_id": str(people["chen"])}, activity_path
    )
    assert signup.status_code == 303
    twice = _post(
        client, f"{activity_path}/signups", {"resident_id": str(people["chen"])}, activity_path
    )
    assert twice.status_code == 409
    assert "陈志愿 已报名此活动。" in twice.text
    with db.transaction() as session:
        chen_signup = session.scalars(select(VolunteerSignup)).one().id
    # and the worker checks 陈志愿 in at 15:45 and out now (17:30): 1 h 45 min present
    base = f"{activity_path}/signups/{chen_signup}"
    assert _post(client, f"{base}/check-in", {"at": "15:45"}, activity_path).status_code == 303
    assert _post(client, f"{base}/check-out", {"at": ""}, activity_path).status_code == 303
    page = client.get(activity_path).text
    assert "15:45" in page
    assert "17:30" in page
    assert "1.8" in page
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", page)
    hours = client.get("/volunteers/hours?start=2026-11-01&end=2026-11-30").text
    assert "陈志愿" in hours
    assert "1.8" in hours
    assert "服务时长" in hours
    # when the worker downloads 陈志愿's certificate
    issued = _post(
        client,
        "/volunteers/certificates",
        {
            "team_id": team_path.rsplit("/", 1)[1],
            "resident_id": str(people["chen"]),
            "start": "2026-11-01",
            "end": "2026-11-30",
        },
        "/volunteers/hours",
    )
    assert issued.status_code == 303, issued.text
    pdf = client.get(issued.headers["location"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert b"/Count 1" in pdf.content
    with db.transaction() as session:
        code = session.scalars(select(VolunteerCertificate.code)).one()
    assert code.encode() in pdf.content  # the subject carries the code
    # then anyone can check the code and sees a masked name and the hours
    client.cookies.clear()
    client.cookies.set("gg_lang", "zh_Hans")
    checked = client.get(f"/volunteer-certificates/verify?code={code}").text
    assert "陈**" in checked
    assert "1.8" in checked
    assert "陈志愿" not in checked
    assert "没有" in client.get("/volunteer-certificates/verify?code=AAAAAAAAAAAA").text
    # and a worker of another community cannot open the team or the certificate
    page_login(client, "wu.worker")
    assert client.get(team_path).status_code == 404
    assert client.get(issued.headers["location"]).status_code == 404


def test_a_volunteer_signs_up_and_sees_only_their_hours(
    client: TestClient, db: Database, people: dict[str, int]
) -> None:
    client.cookies.set("gg_lang", "zh_Hans")
    page_login(client, "wang.worker")
    team_path = _post(
        client, "/volunteers/teams", {"region_code": COMMUNITY, "name": "青篮志愿队"}, "/volunteers"
    ).headers["location"]
    _post(client, f"{team_path}/members", {"resident_id": str(people["park"])}, team_path)
    activity_path = _post(
        client,
        f"{team_path}/activities",
        {
            "title": "敬老院陪伴",
            "place": "青篮养老院",
            "starts_at": "2026-12-05T09:00",
            "ends_at": "2026-12-05T11:00",
            "capacity": "5",
            "hours": "2",
        },
        team_path,
    ).headers["location"]
    client.cookies.clear()
    client.cookies.set("gg_lang", "zh_Hans")
    page_login(client, "park")
    home = client.get("/volunteers").text
    assert "青篮志愿队" in home
    assert "新建服务队" not in home
    page = client.get(activity_path).text
    assert "我要报名" in page
    # the volunteer signs up (no one named: themselves)
    assert _post(client, f"{activity_path}/signups", {}, activity_path).status_code == 303
    after = client.get(activity_path).text
    assert "Park Seo-yeon" in after
    assert "我要报名" not in after
    # but cannot check themselves in
    with db.transaction() as session:
        signup_id = session.scalars(select(VolunteerSignup.id)).one()
    refused = _post(
        client, f"{activity_path}/signups/{signup_id}/check-in", {"at": ""}, activity_path
    )
    assert refused.status_code == 403
    assert client.get("/volunteers/hours").status_code == 200
    # and may not create a team
    assert (
        _post(
            client, "/volunteers/teams", {"region_code": COMMUNITY, "name": "x"}, "/volunteers"
        ).status_code
        == 403
    )


def test_bad_input_is_answered_on_the_form_not_with_a_500(
    client: TestClient, db: Database, people: dict[str, int]
) -> None:
    client.cookies.set("gg_lang", "zh_Hans")
    page_login(client, "wang.worker")
    team_path = _post(
        client, "/volunteers/teams", {"region_code": COMMUNITY, "name": "青篮志愿队"}, "/volunteers"
    ).headers["location"]
    bad = _post(
        client,
        f"{team_path}/activities",
        {
            "title": "清洁",
            "place": "河边",
            "starts_at": "not a time",
            "ends_at": "2026-12-05T11:00",
            "capacity": "5",
            "hours": "2",
        },
        team_path,
    )
    assert bad.status_code == 422
    assert "清洁" in bad.text
    backwards = _post(
        client,
        f"{team_path}/activities",
        {
            "title": "清洁",
            "place": "河边",
            "starts_at": "2026-12-05T11:00",
            "ends_at": "2026-12-05T09:00",
            "capacity": "5",
            "hours": "2",
        },
        team_path,
    )
    assert backwards.status_code == 422
    assert "结束时间必须晚于开始时间" in backwards.text
    period = client.get("/volunteers/hours?start=2026-12-01&end=2026-01-01")
    assert period.status_code == 422
    assert client.get("/volunteers/hours?start=garbage").status_code == 422
    assert client.get("/volunteers/teams/999999").status_code == 404


def test_a_new_team_picks_the_region_it_serves_by_name(
    client: TestClient, db: Database, people: dict[str, int]
) -> None:
    # Given a worker of 青篮社区 on the volunteers page
    page_login(client, "wang.worker")
    page = client.get("/volunteers").text
    # Then the region a new team serves is picked by name: their community and its grids,
    # their own preselected, the codes only as values
    assert f'<option value="{COMMUNITY}" selected>青篮社区</option>' in page
    assert f'<option value="{GRID}">青篮社区第1网格</option>' in page
    assert "东湖社区" not in page  # outside their scope
