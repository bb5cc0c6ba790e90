"""Crisis pages: the command page, check-ins, the live board, broadcasts written per
language, the field app and its service worker; labels instead of codes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.audit.models import AuditEvent
from gridgov.crisis import field_pages
from gridgov.crisis.models import Incident, IncidentPost
from gridgov.db import Database
from tests.crisis.factories import (
    GRID_1,
    OTHER_GRID,
    World,
    add_delivery_task,
    make_world,
    open_typhoon,
)
from tests.factories import csrf_of, page_login

RAW_CODES = re.compile(r">\s*(needs_help|level_ii|door_to_door|elderly_alone|typhoon)\s*<")


def _leader_on_typhoon(client: TestClient, db: Database) -> tuple[World, int]:
    """The world with the typhoon open, and the street leader signed in to the pages."""
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    page_login(client, "zhao.leader")
    return world, incident_id


def test_the_worker_sees_their_households_with_flags_in_chinese(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    page_login(client, "chen.worker")
    page = client.get(f"/crisis/{incident_id}/checkins")
    assert page.status_code == 200
    html = page.text
    assert "QL-001" in html
    assert "QL-004" not in html
    assert "独居老人" in html
    assert "孕产妇" in html
    assert 'data-offline="checkin"' in html
    assert "个待同步" in html
    assert not RAW_CODES.search(html)


def test_a_check_in_form_without_javascript_records_and_returns(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    page_login(client, "chen.worker")
    token = csrf_of(client, f"/crisis/{incident_id}/checkins")
    household = world.households["QL-002"]
    response = client.post(
        f"/crisis/{incident_id}/checkins/{household}",
        data={"csrf_token": token, "status": "needs_help", "needs": ["food"], "base_version": "1"},
    )
    assert response.status_code == 303
    html = client.get(f"/crisis/{incident_id}/checkins?status=needs_help").text
    assert "QL-002" in html
    assert "食物" in html


def test_a_moved_task_goes_back_only_to_a_page_of_this_site(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    task_id = add_delivery_task(db, world, incident_id)
    page_login(client, "zhao.leader")
    token = csrf_of(client, f"/crisis/{incident_id}")
    moves = (("in_progress", f"/crisis/{incident_id}#tasks"), ("done", "/\\example.com"))
    locations = [
        client.post(
            f"/crisis/tasks/{task_id}/state",
            data={"csrf_token": token, "target": target, "back": back},
        ).headers["location"]
        for target, back in moves
    ]
    assert locations == [f"/crisis/{incident_id}#tasks", "/field"]


def test_the_leader_opens_an_incident_and_writes_a_broadcast_in_two_languages(
    client: TestClient, db: Database
) -> None:
    make_world(db)
    page_login(client, "zhao.leader")
    token = csrf_of(client, "/crisis")
    opened = client.post(
        "/crisis",
        data={
            "csrf_token": token,
            "title": "停电抢修",
            "kind": "outage",
            "level": "level_iv",
            "area": "44051200100101",
        },
    )
    assert opened.status_code == 303, opened.text
    incident_url = opened.headers["location"]
    html = client.get(incident_url).text
    assert "停水停电" in html
    assert "四级" in html
    created = client.post(
        f"{incident_url}/broadcasts",
        data={
            "csrf_token": token,
            "severity": "bulletin",
            "fallback": "zh-Hans",
            "headline_zh-Hans": "今晚停电",
            "body_zh-Hans": "今晚20点至22点停电检修。",
            "headline_ko": "오늘 밤 정전",
            "body_ko": "오늘 밤 20시부터 22시까지 정전됩니다.",
        },
    )
    assert created.status_code == 303, created.text
    sent = client.post(f"{created.headers['location']}/send", data={"csrf_token": token})
    assert sent.status_code == 303
    page = client.get(created.headers["location"]).text
    assert "오늘 밤 정전" in page
    assert "已排队" in page


def test_the_live_board_answers_htmx_with_the_fragment(client: TestClient, db: Database) -> None:
    _, incident_id = _leader_on_typhoon(client, db)
    full = client.get(f"/crisis/{incident_id}/board")
    fragment = client.get(
        f"/crisis/{incident_id}/board?by=community", headers={"HX-Request": "true"}
    )
    assert 'hx-trigger="every 15s"' in full.text
    assert "<html" not in fragment.text
    assert "青篮社区" in fragment.text


def test_the_field_app_is_installable_and_its_worker_public(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    open_typhoon(db, world)
    assert client.get("/sw.js").headers["content-type"].startswith("text/javascript")
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["start_url"] == "/field"
    page_login(client, "chen.worker")
    home = client.get("/field")
    assert home.status_code == 200
    assert 'rel="manifest"' in home.text
    assert "/static/js/field.js" in home.text
    assert "台风" in home.text
    assert "青篮社区第1网格" in home.text  # the worker's area by its name
    # someone of another community sees no incident of ours
    client.cookies.clear()
    page_login(client, "wang.worker")
    assert "台风" not in client.get("/field").text


def test_the_worker_cache_is_renamed_when_a_file_it_keeps_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a service worker keeping one script
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "sw.js").write_text(
        'const VERSION = "gridgov-field-v1";\n'
        'const SHELL = [\n  "/field",\n  "/static/js/field.js",\n];\n'
    )
    (tmp_path / "js" / "field.js").write_text("render();")
    monkeypatch.setattr(field_pages, "STATIC", tmp_path)

    def served_version() -> str:
        field_pages.service_worker_script.cache_clear()
        script = field_pages.service_worker_script().decode()
        return script.split('const VERSION = "')[1].split('"')[0]

    # when the script it keeps changes
    before = served_version()
    (tmp_path / "js" / "field.js").write_text("showConnection(); render();")
    after = served_version()
    field_pages.service_worker_script.cache_clear()
    # then the cache is named anew, so phones drop the old copy
    assert before.startswith("gridgov-field-")
    assert before != "gridgov-field-v1"
    assert after != before


def test_the_incident_area_is_picked_from_the_regions_by_name(
    client: TestClient, db: Database
) -> None:
    # Given the district's leader on the crisis page
    make_world(db)
    page_login(client, "zhao.leader")
    page = client.get("/crisis").text
    # Then the area is a choice of the regions of their scope, by name, codes as values
    assert '<optgroup label="社区/村">' in page
    assert '<option value="440512001001">青篮社区</option>' in page
    assert '<option value="44051200200101">东湖社区第1网格</option>' in page
    assert "region codes" not in page
    assert "区划代码" not in page
    # and the kind "flood" reads as the disaster (洪涝), not moderation's burst of reports
    assert '<option value="flood">洪涝</option>' in page
    assert "短时间内大量提交" not in page
    # When two regions are picked
    opened = client.post(
        "/crisis",
        data={
            "csrf_token": csrf_of(client, "/crisis"),
            "title": "台风防御",
            "kind": "typhoon",
            "level": "level_iv",
            "area": ["440512001001", "44051200200101"],
        },
    )
    # Then the incident covers both
    assert opened.status_code == 303, opened.text
    with db.session() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.area_codes == "440512001001,44051200200101"
    # And its page names the area and, for a new task, offers the area's grids by name
    page = client.get(f"/crisis/{incident.id}").text
    assert "青篮社区 · 东湖社区第1网格" in page
    assert '<option value="44051200100102">青篮社区第2网格</option>' in page
    assert "<code>440512001001</code>" not in page
    # and a post's unit is offered by name too, by level, once the person is found by name
    found = client.get(f"/crisis/{incident.id}?who=林").text
    assert '<optgroup label="社区/村"><option value="440512001001">青篮社区</option>' in found
    # When a task is sent to a grid picked there, the task list names the grid
    sent = client.post(
        f"/crisis/{incident.id}/tasks",
        data={
            "csrf_token": csrf_of(client, f"/crisis/{incident.id}"),
            "kind": "door_to_door",
            "grid_code": "44051200100102",
            "hours": "4",
        },
    )
    assert sent.status_code == 303, sent.text
    tasks = client.get(f"/crisis/{incident.id}").text
    assert "<td>青篮社区第2网格</td>" in tasks


def _posted(db: Database, incident_id: int) -> list[tuple[str, str, int]]:
    with db.transaction() as session:
        rows = session.scalars(
            select(IncidentPost).where(IncidentPost.incident_id == incident_id)
        ).all()
        return [(p.post, p.unit_code, p.resident_id) for p in rows]


def test_a_commander_finds_a_resident_by_name_and_puts_them_on_a_post(
    client: TestClient, db: Database
) -> None:
    world, incident_id = _leader_on_typhoon(client, db)
    html = client.get(f"/crisis/{incident_id}?who=林").text
    # the resident offered by name, told apart by the masked ID number and place
    assert re.search(r'type="radio" name="resident_id" value="\d+"', html)
    assert "林阿婆" in html
    assert "138****0001" in html
    assert "青篮社区" in html
    assert "Kim Minji" not in html  # the name's start only
    # the only match comes chosen, with their own grid as the unit
    assert re.search(r'name="resident_id" value="\d+" required checked', html)
    assert f'<option value="{GRID_1}" selected>' in html
    token = csrf_of(client, f"/crisis/{incident_id}")
    response = client.post(
        f"/crisis/{incident_id}/posts",
        data={
            "csrf_token": token,
            "post": "building_lead",
            "unit_code": GRID_1,
            "resident_id": str(world.residents["林阿婆"]),
            "who": "林",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/crisis/{incident_id}#posts"
    assert _posted(db, incident_id) == [("building_lead", GRID_1, world.residents["林阿婆"])]
    with db.transaction() as session:
        filled = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "incident.post_filled")
        ).all()
    assert filled == [str(incident_id)]
    page = client.get(f"/crisis/{incident_id}").text
    posts = page[page.index('id="posts"') :]
    assert "林阿婆" in posts[: posts.index('id="tasks"')]


def test_a_resident_outside_the_incident_or_a_unit_outside_its_area_is_refused(
    client: TestClient, db: Database
) -> None:
    world, incident_id = _leader_on_typhoon(client, db)
    # 东湖住户 lives in the other street: not offered, and refused when posted anyway
    html = client.get(f"/crisis/{incident_id}?who=东湖住户").text
    assert 'name="resident_id"' not in html
    assert "没有" in html[html.index('id="posts"') :]
    token = csrf_of(client, f"/crisis/{incident_id}")
    base = {"csrf_token": token, "post": "volunteer", "unit_code": GRID_1}
    outsider = client.post(
        f"/crisis/{incident_id}/posts",
        data={**base, "resident_id": str(world.residents["东湖住户"]), "who": "东湖住户"},
    )
    assert outsider.status_code == 422
    assert 'role="alert"' in outsider.text
    assert "事件区域内没有这位居民。" in outsider.text  # said in the reader's language
    unknown = client.post(f"/crisis/{incident_id}/posts", data={**base, "resident_id": "999999"})
    assert unknown.status_code == 422
    elsewhere = client.post(
        f"/crisis/{incident_id}/posts",
        data={**base, "unit_code": OTHER_GRID, "resident_id": str(world.residents["林阿婆"])},
    )
    assert elsewhere.status_code == 422
    assert "受灾区域内没有这个社区、网格或楼栋。" in elsewhere.text
    for bad in ("0", str(2**40), "abc"):
        assert (
            client.post(
                f"/crisis/{incident_id}/posts", data={**base, "resident_id": bad}
            ).status_code
            == 422
        )
    too_long = client.get(f"/crisis/{incident_id}?who={'林' * 65}")
    assert too_long.status_code == 422
    assert _posted(db, incident_id) == []


def test_the_post_form_never_asks_for_a_register_number(client: TestClient, db: Database) -> None:
    _, incident_id = _leader_on_typhoon(client, db)
    for path in (f"/crisis/{incident_id}", f"/crisis/{incident_id}?who=Kim"):
        html = client.get(path).text
        assert "Resident number in the register" not in html
        assert "居民在名册中的编号" not in html
        assert 'type="number" min="1" placeholder' not in html
        assert not re.search(r'name="resident_id"[^>]*type="number"', html)
    # two namesakes by the name's start, each with what tells them apart
    assert html.count('name="resident_id"') == 2
    assert "Kim Minji" in html
    assert "Kim Jisoo" in html
    assert '<optgroup label="网格">' in html
