"""Placing a case by hand on its page (``cases.placing``), on both engines: a report
without a point or a grid is placed by the dispatcher in a grid picked by name, or at an
address of the buildings register, then routed as a located report."""

from __future__ import annotations

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.cases.models import Case, CaseEvent
from gridgov.db import Database
from gridgov.registry.models import Building
from gridgov.territory.models import Region
from tests.cases.factories import report
from tests.factories import csrf_of, page_login

EN = {"Accept-Language": "en"}
GRID_2 = "44051200100102"


def place(client: TestClient, case_id: int, **fields: str) -> httpx2.Response:
    token = csrf_of(client, f"/cases/{case_id}")
    return client.post(f"/cases/{case_id}/place", data={"csrf_token": token, **fields}, headers=EN)


def load(db: Database, case_id: int) -> Case:
    with db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def test_the_dispatcher_places_an_unlocated_case_in_a_grid_picked_by_name(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a report that came without a point or a grid
    case = report(db, point=None)
    page_login(client, "lin.dispatch")
    page = client.get(f"/cases/{case.id}", headers=EN).text
    # Then its page offers to place it, the grids named (their codes only as values)
    assert f'action="/cases/{case.id}/place"' in page
    assert '<optgroup label="青篮社区"><option value="44051200100101" >' in page
    assert f'<option value="{GRID_2}" >青篮社区第2网格</option>' in page
    assert "陈女士" in page  # a resident's report keeps its reporter's name
    # When the dispatcher picks 青篮社区第2网格
    assert place(client, case.id, grid=GRID_2).status_code == 303
    # Then the case is in that grid, with an event on its timeline and an audit row
    placed = load(db, case.id)
    assert placed.grid_code == GRID_2
    with db.session() as session:
        event = session.scalar(
            select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "located")
        )
        assert event is not None
        assert event.note == "青篮社区第2网格"
        assert event.actor == "lin.dispatch"
        assert not event.public
        audited = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.located"))
        assert audited is not None
        assert GRID_2 in audited.summary
    shown = client.get(f"/cases/{case.id}", headers=EN).text
    assert f"青篮社区第2网格 <code>{GRID_2}</code>" in shown
    assert "Placed on the map" in shown  # the timeline's label, not the code
    # And accepting with "assign at once" routes it as a located report, to the grid
    token = csrf_of(client, f"/cases/{case.id}")
    accepted = client.post(
        f"/cases/{case.id}/act/accept", data={"csrf_token": token, "assign": "1"}, headers=EN
    )
    assert accepted.status_code == 303
    routed = load(db, case.id)
    assert (routed.state, routed.level, routed.unit_code) == ("assigned", "grid", GRID_2)
    # and the place form is gone once a unit has it
    assert f'action="/cases/{case.id}/place"' not in client.get(f"/cases/{case.id}").text


def test_an_address_of_the_register_gives_the_point_and_the_grid(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a building of the register in 青篮社区第2网格 and an unlocated report
    with db.transaction() as session:
        session.add(
            Building(
                code="B-0002",
                name="青篮花园2栋",
                address="濠江区青篮路2号",
                lon=116.715,
                lat=23.29,
                grid_code=GRID_2,
            )
        )
    case = report(db, point=None)
    page_login(client, "lin.dispatch")
    # When the dispatcher gives its address, no grid picked
    assert place(client, case.id, address="青篮路2号").status_code == 303
    # Then the case has the building's point and grid, and the address as written
    placed = load(db, case.id)
    assert (placed.lon, placed.lat, placed.grid_code) == (116.715, 23.29, GRID_2)
    assert placed.address == "青篮路2号"


def test_placing_needs_a_grid_of_the_area_or_an_address(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db, point=None)
    page_login(client, "lin.dispatch")
    # Given nothing, the page comes back with the words, in the reader's language
    empty = place(client, case.id)
    assert empty.status_code == 422
    assert "Pick a grid or give an address." in empty.text
    # Given a code that is no grid (a community), the same: only grids place a case
    community = place(client, case.id, grid="440512001001")
    assert community.status_code == 422
    assert "Pick a grid of your area." in community.text
    # Then the case is still unlocated
    assert load(db, case.id).grid_code is None


def test_a_grid_worker_neither_sees_nor_posts_the_place_form(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a located case in the worker's own grid, waiting for the dispatcher
    case = report(db, category="")
    page_login(client, "chen.worker")
    page = client.get(f"/cases/{case.id}", headers=EN)
    assert page.status_code == 200
    assert f'action="/cases/{case.id}/place"' not in page.text
    # When the worker posts it anyway, it is refused and the case stays where it was
    assert place(client, case.id, grid=GRID_2).status_code == 403
    assert load(db, case.id).grid_code == "44051200100101"


def test_an_address_of_another_area_keeps_the_words_but_not_the_point(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a building of the register in a grid of another district
    with db.transaction() as session:
        session.add_all(
            [
                Region(code="440404", name="金湾区", level="district"),
                Region(
                    code="44040400100101", name="海景第1网格", level="grid", parent_code="440404"
                ),
            ]
        )
        session.flush()
        session.add(
            Building(
                code="B-0913",
                name="海景大厦",
                address="金湾区海景路9号",
                lon=113.36,
                lat=22.14,
                grid_code="44040400100101",
            )
        )
    case = report(db, point=None)
    page_login(client, "lin.dispatch")
    # When the dispatcher gives its address
    assert place(client, case.id, address="海景路9号").status_code == 303
    # Then the address is kept as written, without that area's grid or point
    placed = load(db, case.id)
    assert (placed.lon, placed.lat, placed.grid_code) == (None, None, None)
    assert placed.address == "海景路9号"
