"""The report form's map works without a tile server (issue 10): it draws the district
and its grid lines from our own data, public and cacheable."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.db import Database
from tests.factories import make_territory


def test_the_report_map_gets_the_grid_lines_without_a_login(
    db: Database, client: TestClient
) -> None:
    make_territory(db)
    response = client.get("/report/grids.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    assert "public" in response.headers["cache-control"]
    features = response.json()["features"]
    assert sorted(f["properties"]["code"] for f in features) == [
        "44051200100101",
        "44051200100102",
        "44051200200101",
    ]
    assert all(f["geometry"]["type"] == "Polygon" for f in features)
    form = client.get("/report")
    assert 'data-grids="/report/grids.geojson"' in form.text


def test_without_a_territory_there_are_no_grid_lines(client: TestClient) -> None:
    assert client.get("/report/grids.geojson").status_code == 404
