"""The dispatcher's desk (issue 10): queues with counts, and search by tracking code,
words, phone (blind index), category, region, unit, state and dates."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from gridgov.audit.service import Actor
from gridgov.cases import desk
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.db import Database
from tests.cases.factories import report
from tests.conftest import FIXED_NOW
from tests.factories import page_login

TZ = ZoneInfo("Asia/Shanghai")


def found(db: Database, actor: Actor, **criteria: Any) -> list[str]:
    query = desk.Search(**criteria)
    with db.session() as session:
        rows = desk.search(session, actor=actor, query=query, now=FIXED_NOW, tz=TZ)
        return [c.tracking_code for c in rows]


def test_search_finds_by_every_criterion(db: Database, people: dict[str, Actor]) -> None:
    dispatcher = people["lin.dispatch"]
    litter = report(db, text="小区门口垃圾堆了三天没人清理", phone="13812345678")
    light = report(db, category="C0102", text="路灯不亮了好几天", phone="13987654321")
    assert found(db, dispatcher, q=litter.tracking_code) == [litter.tracking_code]
    assert found(db, dispatcher, q="路灯") == [light.tracking_code]
    # The phone is compared by its blind index, in any common spelling
    assert found(db, dispatcher, phone="139 8765 4321") == [light.tracking_code]
    assert found(db, dispatcher, phone="not a phone") == []
    assert found(db, dispatcher, category="C0102") == [light.tracking_code]
    assert found(db, dispatcher, unit="城市管理") == [light.tracking_code]
    assert found(db, dispatcher, unit="没有的单位") == []
    assert set(found(db, dispatcher, region="44051200100101")) == {
        litter.tracking_code,
        light.tracking_code,
    }
    assert found(db, dispatcher, state="assigned", category="E0101") == [litter.tracking_code]
    # FIXED_NOW is 30 November in Shanghai
    assert len(found(db, dispatcher, start=date(2026, 11, 30), end=date(2026, 11, 30))) == 2
    assert found(db, dispatcher, start=date(2026, 12, 1)) == []
    # A street's staff cannot search another street's cases
    assert found(db, people["he.street"], q="路灯") == [light.tracking_code]


def test_the_queues_count_what_waits(db: Database, people: dict[str, Actor]) -> None:
    worker = people["chen.worker"]
    waiting = report(db, point=None)  # unlocated: new
    done = report(db)
    with db.transaction() as session:
        case = session.get(Case, done.id)
        assert case is not None
        cases.do_resolve(session, actor=worker, case=case, note="已清理", now=FIXED_NOW)
    with db.session() as session:
        counts = desk.queue_counts(session, actor=people["lin.dispatch"], now=FIXED_NOW)
    assert counts["new"] == 1
    assert counts["check"] == 1
    assert counts["unstaffed"] == 0
    assert found(db, people["lin.dispatch"], queue="new") == [waiting.tracking_code]


def test_the_desk_page_shows_the_queues_and_searches(
    db: Database, client: TestClient, people: dict[str, Actor]
) -> None:
    light = report(db, category="C0102", text="路灯不亮了好几天")
    page_login(client, "lin.dispatch")
    page = client.get("/desk?queue=check", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Awaiting verification" in page.text
    searched = client.get(f"/desk?q={light.tracking_code}")
    assert f"/cases/{light.id}" in searched.text
    bad = client.get("/desk?start=yesterday", headers={"Accept-Language": "en"})
    assert "YYYY-MM-DD" in bad.text
    client.cookies.clear()
    page_login(client, "chen.worker")
    assert client.get("/desk").status_code == 403


def test_the_dispatcher_assigns_a_returned_case_to_a_unit_by_name(
    db: Database, client: TestClient, people: dict[str, Actor]
) -> None:
    from tests.factories import csrf_of

    # Given a grid case its worker handed back (退单)
    case = report(db)
    with db.transaction() as session:
        found_case = session.get(Case, case.id)
        assert found_case is not None
        cases.do_return(
            session, actor=people["chen.worker"], case=found_case, reason="是路灯", now=FIXED_NOW
        )
    page_login(client, "lin.dispatch")
    page = client.get(f"/cases/{case.id}")
    assert 'datalist id="units"' in page.text
    # When the dispatcher types part of the bureau's name
    token = csrf_of(client, f"/cases/{case.id}")
    unknown = client.post(
        f"/cases/{case.id}/act/assign", data={"csrf_token": token, "department": "没有这个局"}
    )
    assert unknown.status_code == 422
    done = client.post(
        f"/cases/{case.id}/act/assign", data={"csrf_token": token, "department": "城市管理"}
    )
    # Then the case is the bureau's
    assert done.status_code == 303
    with db.session() as session:
        assigned = session.get(Case, case.id)
        assert assigned is not None
        assert (assigned.state, assigned.level) == ("assigned", "department")
        assert assigned.department_id == people["xu.dept"].organisation_id


def test_the_desk_searches_a_region_picked_by_name(
    db: Database, client: TestClient, people: dict[str, Actor]
) -> None:
    # Given a report in 青篮社区第1网格
    light = report(db, category="C0102", text="路灯不亮了好几天")
    page_login(client, "lin.dispatch")
    # Then the desk's search offers the area's regions by name, codes only as values
    page = client.get("/desk").text
    assert '<option value="44051200100101">青篮社区第1网格</option>' in page
    assert '<option value="440512002001">东湖社区</option>' in page
    # When the dispatcher searches 青篮社区 and then 东湖社区
    here = client.get("/desk?region=440512001001").text
    there = client.get("/desk?region=440512002001").text
    # Then the report is found in the first, not the second, and the pick is kept
    assert f"/cases/{light.id}" in here
    assert '<option value="440512001001" selected>青篮社区</option>' in here
    assert f"/cases/{light.id}" not in there
