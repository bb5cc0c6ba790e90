"""The map page is never blank (issue 10): a resident sees the district's outline and
grid lines from the public endpoints; staff start at their own area; with nothing
imported the page says so."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.db import Database
from tests.factories import make_territory, make_user, page_login


def test_a_resident_gets_the_district_outline_and_grids(db: Database, client: TestClient) -> None:
    # Given a district with grids and a resident signed in (a resident has no scope)
    make_territory(db)
    make_user(db, "resident1", "resident", scope="440512")
    page_login(client, "resident1")
    # When the resident opens the map
    html = client.get("/map").text
    # Then it is drawn from the public outline and grid lines, and no "nothing" notice shows
    assert 'data-area="/report/area.geojson"' in html
    assert 'data-grids="/report/grids.geojson"' in html
    assert '<p id="map-empty" class="muted" role="status" hidden>' in html
    assert client.get("/report/area.geojson").status_code == 200


def test_staff_start_at_their_own_area(db: Database, client: TestClient) -> None:
    make_territory(db)
    make_user(db, "worker1", "grid_worker", scope="44051200100101")
    page_login(client, "worker1")
    assert 'data-start="44051200100101"' in client.get("/map").text


def test_with_no_territory_the_map_says_so(db: Database, client: TestClient) -> None:
    # Given an installation with no regions yet and an administrator
    make_user(db, "admin1", "admin", scope="440512")
    page_login(client, "admin1")
    # When the map opens, then it says why nothing is drawn instead of a blank box
    html = client.get("/map").text
    assert '<p id="map-empty" class="muted" role="status" >' in html
