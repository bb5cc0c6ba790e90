"""The map beside the hand edit of contact groups, on both engines: the page carries
the map for its script and still works as a plain form, the map's data gives every
building its group with the sizes against the band and the largest in-group distance,
a move posted by the script answers the new layout, and the page and the data run the
same number of queries for 100 buildings as for 10."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from gridgov.db import Database
from gridgov.outreach.models import ContactChange, ContactGroup, ContactHousehold, ContactScheme
from gridgov.registry.models import Building, Household
from tests.cases.factories import make_cases_world
from tests.factories import csrf_of, make_user, page_login
from tests.outreach.factories import buildings_in_a_row
from tests.querycount import assert_constant_queries

GRID = "44051200100101"
COMMUNITY = "440512001001"


def _buildings(db: Database, count: int, start: int = 0, per: int = 4) -> list[int]:
    """``count`` buildings of ``per`` households in a row running east; their ids."""
    return buildings_in_a_row(db, count, start=start, per=per, width=3)


def _make_scheme(client: TestClient, groups: int) -> str:
    token = csrf_of(client, "/outreach")
    response = client.post(
        "/outreach/schemes",
        data={
            "region_code": COMMUNITY,
            "name": "青篮联系户",
            "groups": str(groups),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_the_page_carries_the_map_and_the_form_works_without_it(
    client: TestClient, db: Database
) -> None:
    # Given six buildings of four households in three groups
    make_cases_world(db)
    make_user(db, "li.secretary", "branch_secretary", COMMUNITY)
    _buildings(db, 6)
    page_login(client, "li.secretary")
    location = _make_scheme(client, 3)
    # When the secretary opens the scheme
    page = client.get(location + "?group=2")
    # Then the map is there for the script (hidden until it draws), with its data, the
    # vendored library and the edited group; the figures name the band
    assert page.status_code == 200
    assert 'id="contact-map" class="scheme-map" hidden' in page.text
    assert f'data-source="{location}/map.json"' in page.text
    assert 'data-group="2"' in page.text
    assert '<script src="/static/vendor/leaflet/leaflet.js"></script>' in page.text
    assert "/static/js/contact-map.js" in page.text
    assert "cdn" not in page.text.lower()
    assert "超出8–8户的组：0" in page.text
    # and the move form posts without JavaScript: the page comes back on the target group
    with db.session() as session:
        first = session.scalars(select(Household).order_by(Household.id)).first()
        assert first is not None
        number = first.number
    data = client.get(location + "/map.json").json()
    point = next(p for p in data["points"] if p["number"] == number)
    to = 1 if point["group"] != 1 else 2
    token = csrf_of(client, location)
    moved = client.post(
        location + "/move",
        data={"household_number": number, "to_number": str(to), "csrf_token": token},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    assert moved.headers["location"] == f"{location}?group={to}"
    after = client.get(moved.headers["location"])
    # the whole building went along: one group of 12, one of 4, figures say so
    assert "每组户数：4至12" in after.text
    assert "超出8–8户的组：2" in after.text
    assert '<tr class="chosen">' in after.text


def test_the_map_data_and_a_move_posted_by_the_script(client: TestClient, db: Database) -> None:
    # Given twelve buildings of four households in four groups
    make_cases_world(db)
    make_user(db, "li.secretary", "branch_secretary", COMMUNITY)
    make_user(db, "wang.worker", "grid_worker", "44051200200101")
    _buildings(db, 12)
    page_login(client, "li.secretary")
    location = _make_scheme(client, 4)
    # When the script asks for the map's data
    data = client.get(location + "/map.json").json()
    # Then every building is one point in one group, the groups hold 12 each (the band),
    # compact: the row is cut into runs of three neighbouring buildings
    assert data["band"] == {"low": 12, "high": 12}
    assert len(data["points"]) == 12
    assert all(p["households"] == 4 and len(p["groups"]) == 1 for p in data["points"])
    assert [g["size"] for g in data["groups"]] == [12, 12, 12, 12]
    assert data["quality"] == {
        "smallest": 12,
        "largest": 12,
        "out_of_band": 0,
        "fewest_outside": 0,
        "buildings_split": 0,
        "largest_distance_m": data["quality"]["largest_distance_m"],
    }
    # three buildings 0.0005° apart at 23.3°N: about 102 m end to end
    assert all(95 < g["largest_distance_m"] < 110 for g in data["groups"])
    # When the script posts the move of the first building into the last building's group
    first = min(data["points"], key=lambda p: p["lon"])
    last = max(data["points"], key=lambda p: p["lon"])
    token = csrf_of(client, location)
    answer = client.post(
        location + "/move",
        data={
            "household_number": first["number"],
            "to_number": str(last["group"]),
            "csrf_token": token,
        },
        headers={"Accept": "application/json"},
    )
    # Then it answers the new layout: the target group is over the band and wider
    assert answer.status_code == 200, answer.text
    moved = answer.json()
    sizes = {g["number"]: g["size"] for g in moved["groups"]}
    assert sizes[last["group"]] == 16
    assert sizes[first["group"]] == 8
    assert moved["quality"]["out_of_band"] == 2
    widest = next(g for g in moved["groups"] if g["number"] == last["group"])
    assert widest["largest_distance_m"] > 500
    assert moved["quality"]["largest_distance_m"] == widest["largest_distance_m"]
    # and the move is in the history, the building's four households
    with db.session() as session:
        assert session.scalar(select(ContactChange.id).where(ContactChange.reason == "hand"))
        assert (
            len(session.scalars(select(ContactChange).where(ContactChange.reason == "hand")).all())
            == 4
        )
    # and a household that does not exist answers a problem the script can show
    refused = client.post(
        location + "/move",
        data={"household_number": "NOPE", "to_number": "1", "csrf_token": token},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "household_number"
    # and a worker of another grid does not see the map's data
    client.cookies.clear()
    page_login(client, "wang.worker")
    assert client.get(location + "/map.json").status_code == 404


def _grouped_buildings(db: Database, count: int, start: int) -> None:
    """``count`` more buildings of two households (bulk inserts: the query counts
    compare requests, not this), put round-robin in the scheme's four groups."""
    with db.transaction() as session:
        scheme = session.scalars(select(ContactScheme)).one()
        groups = list(
            session.scalars(
                select(ContactGroup.id)
                .where(ContactGroup.scheme_id == scheme.id)
                .order_by(ContactGroup.number)
            )
        )
        buildings = session.execute(
            insert(Building).returning(Building.id, Building.lon, sort_by_parameter_order=True),
            [
                {
                    "code": f"Q{b:04d}",
                    "name": f"{b}号楼",
                    "address": "青篮",
                    "lon": 116.71 + 0.0001 * b,
                    "lat": 23.286,
                    "grid_code": GRID,
                }
                for b in range(start, start + count)
            ],
        ).all()
        households = session.execute(
            insert(Household).returning(Household.id, sort_by_parameter_order=True),
            [
                {
                    "number": f"QQ-{building_id}-{unit}",
                    "address": "青篮",
                    "building_id": building_id,
                    "lon": lon,
                    "lat": 23.286,
                    "grid_code": GRID,
                }
                for building_id, lon in buildings
                for unit in range(2)
            ],
        ).scalars()
        session.execute(
            insert(ContactHousehold),
            [
                {
                    "scheme_id": scheme.id,
                    "group_id": groups[(n // 2) % len(groups)],
                    "household_id": h,
                }
                for n, h in enumerate(households)
            ],
        )


def test_the_page_and_the_map_data_run_as_many_queries_for_100_buildings_as_for_10(
    client: TestClient, db: Database
) -> None:
    make_cases_world(db)
    make_user(db, "li.secretary", "branch_secretary", COMMUNITY)
    _buildings(db, 4)
    page_login(client, "li.secretary")
    location = _make_scheme(client, 4)
    calls = {"n": 0}

    def add(count: int, start: int) -> None:
        _grouped_buildings(db, count, start + 1000 * calls["n"])
        calls["n"] += 1

    assert_constant_queries(db, client, location + "/map.json", add)
    assert_constant_queries(db, client, location, add)
