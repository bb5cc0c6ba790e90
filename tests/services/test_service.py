"""Points, records, coverage snapshots, what-if and siting on a hand-made street, on both
engines; then the pages and the API as their users meet them."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from gridgov.db import Database
from gridgov.registry.models import Building, Household
from gridgov.services import circle, planning, service, siting
from gridgov.services.rules import NetworkSource
from gridgov.territory import service as territory
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, bearer, make_district, make_user, page_login
from tests.services.test_graph import LAT, LON, street

GRID = "44051200100101"
# Households at corners 0, 1, 3, 4, 5 of the street (two at corner 3).
AT_CORNER = {"H0": 0, "H1": 1, "H3a": 3, "H3b": 3, "H4": 4, "H5": 5}


def build(db: Database) -> dict[str, int]:
    """The street, its households and one point at corner 0; coverage within 3 minutes
    at 50 m a minute (150 m)."""
    make_district(db)
    with db.transaction() as session:
        territory.do_create_region(
            session,
            actor=SYSTEM,
            code=GRID,
            name="青篮社区第1网格",
            level="grid",
            parent_code="440512001001",
            now=FIXED_NOW,
        )
        ids = {}
        for number, corner in AT_CORNER.items():
            row = Household(
                number=number,
                address=f"青篮路{corner}号",
                lon=float(LON[corner]),
                lat=float(LAT[corner]),
                grid_code=GRID,
            )
            session.add(row)
            session.flush()
            ids[number] = row.id
        for corner in (2, 5):
            session.add(
                Building(
                    code=f"B{corner}",
                    name=f"青篮路{corner}号楼",
                    address="",
                    lon=float(LON[corner]),
                    lat=float(LAT[corner]),
                    grid_code=GRID,
                )
            )
        service.do_load_catalogue(
            session,
            actor=SYSTEM,
            now=FIXED_NOW,
            matters=service.check_catalogue(service.shipped_catalogue()),
        )
        circle.do_import_network(
            session,
            actor=SYSTEM,
            now=FIXED_NOW,
            graph=street(),
            name="hand-made",
            source=NetworkSource.GEOJSON,
        )
        service.do_create_point(
            session,
            actor=SYSTEM,
            now=FIXED_NOW,
            data=service.PointInput(
                code="SP1",
                name="青篮社区党群服务站",
                kind="community_station",
                region_code="440512001001",
                lon=float(LON[0]),
                lat=float(LAT[0]),
            ),
            matters=["residence-certificate", "elderly-allowance"],
        )
        circle.refresh(session, actor=SYSTEM, now=FIXED_NOW, reason="test", minutes=3, speed=50)
    return ids


@pytest.mark.integration
def test_coverage_counts_the_households_within_the_walk(db: Database) -> None:
    ids = build(db)
    with db.session() as session:
        snapshot = circle.current_snapshot(session)
        assert snapshot is not None
        household_ids, minutes = circle.household_minutes(snapshot)
        by_id = dict(zip(household_ids.tolist(), minutes.tolist(), strict=True))
        # then corner 1 is 100 m (2 minutes) away, corner 3 is 300 m (6 minutes)
        assert by_id[ids["H0"]] == pytest.approx(0.0, abs=0.01)
        assert by_id[ids["H1"]] == pytest.approx(2.0, abs=0.01)
        assert by_id[ids["H3a"]] == pytest.approx(6.0, abs=0.01)
        assert (snapshot.households, snapshot.covered) == (6, 2)
        grids = {
            r.code: (r.households, r.covered) for r in circle.coverage_by_region(snapshot, None)
        }
        assert grids[GRID] == (6, 2)
        assert grids["440512"] == (6, 2)
        assert circle.covered_households(session) == [(GRID, 2)]


@pytest.mark.integration
def test_a_point_added_in_the_what_if_brings_in_exactly_its_households(db: Database) -> None:
    ids = build(db)
    with db.session() as session:
        # when a point is imagined at corner 5
        added = planning.what_if(
            session, scenario=planning.Scenario(add=[(float(LON[5]), float(LAT[5]))]), scope=None
        )
        # then the households at corners 4 and 5 come within 150 m, nobody else changes
        assert added.gained == sorted([ids["H4"], ids["H5"]])
        assert added.lost == []
        assert (added.covered_before, added.covered_after) == (2, 4)
        assert added.points_change == pytest.approx(200 / 6)
        # and closing the only point loses exactly the two it served
        closed = planning.what_if(session, scenario=planning.Scenario(close=["SP1"]), scope=None)
        assert closed.lost == sorted([ids["H0"], ids["H1"]])
        assert closed.gained == []


@pytest.mark.integration
def test_moving_a_point_recomputes_coverage_in_the_same_transaction(db: Database) -> None:
    ids = build(db)
    with db.transaction() as session:
        point = service.find_point(session, "SP1")
        assert point is not None
        data = service.PointInput(
            code="SP1",
            name=point.name,
            kind=point.kind,
            region_code=point.region_code,
            lon=float(LON[4]),
            lat=float(LAT[4]),
        )
        service.do_update_point(session, actor=SYSTEM, now=FIXED_NOW, point=point, data=data)
        snapshot = circle.refresh(session, actor=SYSTEM, now=FIXED_NOW, reason="moved")
        assert snapshot is not None
        assert snapshot.minutes == 3  # the threshold stays what it was
        household_ids, minutes = circle.household_minutes(snapshot)
        covered = sorted(int(i) for i, m in zip(household_ids, minutes, strict=True) if m <= 3)
        assert covered == sorted([ids["H3a"], ids["H3b"], ids["H4"], ids["H5"]])


@pytest.mark.integration
def test_siting_picks_the_building_that_reaches_the_most_households(db: Database) -> None:
    build(db)
    with db.transaction() as session:
        run = planning.do_site(
            session,
            actor=SYSTEM,
            now=FIXED_NOW,
            region_code=GRID,
            method=siting.Method.MCLP,
            solver=siting.Solver.EXACT,
            k=1,
        )
        result = planning.run_result(run)
    # B5 at corner 5 reaches corners 4 and 5 (2 households); B2 reaches 1 and 3 (3, but
    # corner 1 is already covered): the exact answer is B2 with 2 new, tied; either is
    # worth 2 households, so the figure is what is checked
    assert result["added"] == 2.0
    assert result["baseline"] == 2.0
    assert result["optimal"] is True


@pytest.mark.integration
def test_records_measure_one_trip(db: Database) -> None:
    build(db)
    with db.transaction() as session:
        point = service.find_point(session, "SP1")
        assert point is not None
        for visits in (1, 1, 1, 2):
            service.do_record_service(
                session,
                actor=SYSTEM,
                now=FIXED_NOW,
                point=point,
                matter_code="residence-certificate",
                visits=visits,
                minutes=10,
            )
    with db.session() as session:
        stats = service.record_stats(session, point_id=point.id)
        assert stats[""].records == 4
        assert stats[""].one_trip_rate == 0.75


@pytest.mark.integration
def test_the_pages_and_the_api_serve_the_circle(client: TestClient, db: Database) -> None:
    build(db)
    make_user(db, "zhou.admin", "admin")
    make_user(db, "li.resident", "resident", scope=GRID)
    page_login(client, "zhou.admin")
    for path in (
        "/services",
        "/services/points/SP1",
        "/services/siting",
        "/services/find?matter=residence-certificate",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Traceback" not in response.text
    assert "居住证明开具" in client.get("/services/points/SP1").text
    workbook = load_workbook(io.BytesIO(client.get("/services/coverage.xlsx").content))
    assert workbook.sheetnames[0] == "覆盖情况"
    headers = bearer(client, "zhou.admin")
    grids = client.get("/api/v1/services/coverage/grids.geojson", headers=headers).json()
    assert [f["properties"]["covered"] for f in grids["features"]] == [2]
    what_if = client.post(
        "/api/v1/services/what-if",
        headers=headers,
        json={"add": [[float(LON[5]), float(LAT[5])]]},
    ).json()
    assert what_if["covered_after"] == 4
    nearest = client.get(
        "/api/v1/services/nearest",
        headers=headers,
        params={
            "matter": "elderly-allowance",
            "lon": float(LON[3]),
            "lat": float(LAT[3]),
            "lang": "en",
        },
    ).json()
    assert nearest[0]["point"]["code"] == "SP1"
    assert nearest[0]["metres"] == pytest.approx(300.0, abs=0.5)
    matters = client.get("/api/v1/services/matters?lang=en", headers=headers).json()
    assert "Certificate of residence" in [m["name"] for m in matters]
    # a resident finds points but may not see coverage nor change anything
    resident = bearer(client, "li.resident")
    assert client.get("/api/v1/services/coverage", headers=resident).status_code == 403
    assert client.post("/api/v1/services/points/SP1/close", headers=resident).status_code == 403
    # closing recomputes coverage at once
    closed = client.post("/api/v1/services/points/SP1/close", headers=headers)
    assert closed.status_code == 200
    assert client.get("/api/v1/services/coverage", headers=headers).json()["covered"] == 0


@pytest.mark.integration
def test_coverage_is_a_metric_of_the_indicator_trees(db: Database) -> None:
    from gridgov.indicators import service as indicators
    from gridgov.indicators.rules import BUILT_IN_DERIVED

    build(db)
    with db.session() as session:
        counts = indicators.count(
            session,
            ["households_covered", "households"],
            start=FIXED_NOW,
            end=FIXED_NOW,
            now=FIXED_NOW,
        )
    assert counts.by_region[GRID]["households_covered"] == 2.0
    assert counts.by_region["440512"]["households_covered"] == 2.0
    assert counts.by_region[GRID]["households"] == 6.0
    assert BUILT_IN_DERIVED["service_coverage_rate"] == "households_covered / households"
