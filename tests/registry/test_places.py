"""The report map's buildings and address box (issue 10): public, bounded, names as
data, prefix search rate-limited for visitors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.registry.models import Building
from gridgov.registry.places import MAX_MATCHES, MAX_PLACES
from tests.factories import make_territory

GRID = "44051200100101"  # 116.70–116.71 E, 23.28–23.30 N


def add_buildings(db: Database, rows: list[tuple[str, str, str, float, float]]) -> None:
    with db.transaction() as session:
        for code, name, address, lon, lat in rows:
            session.add(
                Building(code=code, name=name, address=address, lon=lon, lat=lat, grid_code=GRID)
            )


def test_the_buildings_in_view_come_with_their_names_as_text(
    db: Database, client: TestClient
) -> None:
    # Given two buildings near each other and one far away, one named with markup
    make_territory(db)
    add_buildings(
        db,
        [
            ("B1", "青篮花园1栋", "青篮路1号", 116.701, 23.281),
            ("B2", "<img src=x onerror=alert(1)>", "青篮路2号", 116.702, 23.282),
            ("B3", "远处大厦", "东湖路9号", 116.708, 23.298),
        ],
    )
    # When the map asks for the buildings of a small view around the first two
    response = client.get(
        "/report/buildings.json", params={"bbox": "116.700,23.280,116.705,23.285"}
    )
    # Then it gets those two, as JSON data (the page draws names as text)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    features = response.json()["features"]
    assert [f["properties"]["code"] for f in features] == ["B1", "B2"]
    assert features[1]["properties"]["name"] == "<img src=x onerror=alert(1)>"
    assert features[0]["geometry"]["coordinates"] == [116.701, 23.281]


def test_the_buildings_in_view_are_bounded(db: Database, client: TestClient) -> None:
    # Given more buildings in one view than a map draws
    make_territory(db)
    add_buildings(
        db,
        [
            (f"B{i:04d}", f"楼{i}", f"青篮路{i}号", 116.701 + i * 1e-5, 23.281)
            for i in range(MAX_PLACES + 5)
        ],
    )
    view = {"bbox": "116.700,23.280,116.705,23.285"}
    # When the map asks for them, then it gets at most the bound
    assert len(client.get("/report/buildings.json", params=view).json()["features"]) == MAX_PLACES
    # And a view wider than a neighbourhood gets none
    wide = {"bbox": "116.0,23.0,117.0,24.0"}
    assert client.get("/report/buildings.json", params=wide).json()["features"] == []


def test_a_bad_view_is_refused_clearly(db: Database, client: TestClient) -> None:
    for bbox in ("", "1,2,3", "a,b,c,d", "116.7,23.3,116.6,23.2", "nan,1,2,3", "1,2,3,400"):
        response = client.get("/report/buildings.json", params={"bbox": bbox})
        assert response.status_code == 422, bbox
    assert client.get("/report/buildings.json", params={"bbox": "1" * 200}).status_code == 422


def test_the_address_box_finds_buildings_by_the_start_of_name_or_address(
    db: Database, client: TestClient
) -> None:
    # Given buildings of the register
    make_territory(db)
    add_buildings(
        db,
        [
            ("B1", "青篮花园1栋", "青篮路1号", 116.701, 23.281),
            ("B2", "海景大厦", "青篮路2号", 116.702, 23.282),
            ("B3", "新青篮公寓", "东湖路9号", 116.708, 23.298),
            ("B4", "100%广场", "东湖路10号", 116.708, 23.297),
        ],
    )

    def names(q: str) -> list[str]:
        response = client.get("/report/places.json", params={"q": q})
        assert response.status_code == 200
        return [f["properties"]["name"] for f in response.json()["features"]]

    # When a resident types the start of a name or an address, then those buildings match
    assert sorted(names("青篮")) == ["海景大厦", "青篮花园1栋"]
    assert names("东湖路9") == ["新青篮公寓"]
    # And not a word in the middle, and wildcards are taken literally
    assert names("篮公寓") == []
    assert names("%") == []
    assert names("100%") == ["100%广场"]
    assert names("  ") == []
    # And an over-long text is refused before the database
    assert client.get("/report/places.json", params={"q": "青" * 65}).status_code == 422


def test_the_address_box_is_bounded(db: Database, client: TestClient) -> None:
    make_territory(db)
    add_buildings(
        db, [(f"B{i:02d}", f"青篮{i:02d}栋", "青篮路", 116.701, 23.281) for i in range(15)]
    )
    features = client.get("/report/places.json", params={"q": "青篮"}).json()["features"]
    assert len(features) == MAX_MATCHES


def test_a_visitor_searching_too_often_is_slowed_down(db: Database, client: TestClient) -> None:
    # Given a visitor who searches the register over and over
    make_territory(db)
    add_buildings(db, [("B1", "青篮花园1栋", "青篮路1号", 116.701, 23.281)])
    answers = [
        client.get("/report/places.json", params={"q": "青篮"}).status_code for _ in range(61)
    ]
    # Then the first sixty are answered and the next is refused with a time to wait
    assert answers[:60] == [200] * 60
    assert answers[60] == 429


def test_the_report_form_offers_the_address_box_and_lazy_buildings(
    db: Database, client: TestClient
) -> None:
    make_territory(db)
    form = client.get("/report").text
    assert 'id="place-search"' in form
    assert 'data-buildings="/report/buildings.json"' in form
