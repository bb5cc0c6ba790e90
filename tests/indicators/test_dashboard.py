"""The leader's dashboard, its map colours and the monthly report, on both engines."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, insert, select

from gridgov.accounts.rules import scope_clause
from gridgov.cases.models import Case
from gridgov.cases.rules import OPEN_STATES
from gridgov.cases.service import overdue_clause
from gridgov.db import Database
from gridgov.indicators.models import IndicatorScore
from gridgov.web.static_files import static_url
from tests.conftest import FIXED_NOW
from tests.factories import make_user, page_login
from tests.indicators.factories import (
    GRID_1,
    GRID_2,
    GRID_3,
    OCTOBER,
    case_row,
    compute_october,
    make_indicators_world,
)

EN = {"Accept-Language": "en"}
STREET_1, STREET_2 = "440512001", "440512002"


@pytest.fixture
def world(db: Database) -> dict[str, int]:
    """The indicators world plus one case of yesterday in grid 3, open and not yet due."""
    ids = make_indicators_world(db)
    with db.transaction() as session:
        session.execute(
            insert(Case),
            [case_row(GRID_3, state="assigned", created=FIXED_NOW - timedelta(days=1))],
        )
    return ids


def counted(db: Database, scope: str) -> tuple[int, int]:
    """Open and overdue cases in ``scope``, straight from the database."""
    with db.session() as session:
        in_scope = scope_clause(scope, Case.grid_code)
        open_cases = session.scalar(
            select(func.count()).where(Case.state.in_([s.value for s in OPEN_STATES]), in_scope)
        )
        overdue = session.scalar(select(func.count()).where(overdue_clause(FIXED_NOW), in_scope))
    return open_cases or 0, overdue or 0


def big_number(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}">(\d+)<', html)
    assert found, element_id
    return int(found.group(1))


def snapshot_scores(db: Database, snapshot_id: int) -> dict[str, IndicatorScore]:
    with db.session() as session:
        rows = session.scalars(
            select(IndicatorScore).where(IndicatorScore.snapshot_id == snapshot_id)
        )
        return {row.unit: row for row in rows}


def test_the_dashboard_counts_the_open_and_overdue_cases_of_the_viewers_area(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given the October world computed, a district leader and a leader of 广澳街道
    compute_october(db)
    make_user(db, "district_leader", "leader", "440512")
    make_user(db, "street_leader", "leader", STREET_2)
    district, street = counted(db, "440512"), counted(db, STREET_2)
    assert district != street  # the two areas differ, so scoping shows
    assert district[0] != district[1]  # one open case is not overdue yet

    # when the district leader opens the dashboard
    page_login(client, "district_leader")
    response = client.get("/dashboard", headers=EN)

    # then the big numbers are the database's for the whole district
    assert response.status_code == 200, response.text
    html = response.text
    assert (big_number(html, "open-cases"), big_number(html, "overdue-cases")) == district
    # and the league table links each grid to its October scorecard
    assert f"/indicators/three_rates/{OCTOBER}/{GRID_1}" in html
    assert 'id="trend-chart"' in html
    trend = json.loads(
        re.search(r"id=\"trend-chart\"[^>]*data-chart='([^']*)'", html).group(1)  # type: ignore[union-attr]
    )
    assert trend["labels"] == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    # October in the district: 响应率 3 of 4 in grid 1 and 2 of 2 in grid 2 → 5/6
    assert trend["series"][0]["data"][4] == round(5 / 6 * 100, 1)

    # when the leader of 广澳街道 opens it
    client.cookies.clear()
    page_login(client, "street_leader")
    html = client.get("/dashboard", headers=EN).text

    # then only the street's cases count
    assert (big_number(html, "open-cases"), big_number(html, "overdue-cases")) == street
    assert f"/indicators/three_rates/{OCTOBER}/{GRID_1}" not in html


@pytest.mark.parametrize(("role", "scope"), [("grid_worker", GRID_1), ("resident", GRID_1)])
def test_a_grid_worker_or_a_resident_is_refused_the_dashboard(
    client: TestClient, db: Database, world: dict[str, int], role: str, scope: str
) -> None:
    # given the October snapshot and a user of a role that does not lead
    compute_october(db)
    make_user(db, "someone", role, scope)
    page_login(client, "someone")

    # when they ask for the dashboard, its map colours and the report
    pages = [
        client.get("/dashboard", headers=EN),
        client.get(f"/dashboard/map.json?tree=three_rates&period={OCTOBER}"),
        client.get(f"/indicators/report/{OCTOBER}", headers=EN),
    ]

    # then each is refused
    assert [page.status_code for page in pages] == [403, 403, 403]


def test_the_map_colours_only_the_viewers_grids_with_the_snapshots_values(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given October computed and a leader of 达濠街道 (grids 1 and 2, not grid 3)
    snapshot_id = compute_october(db)
    scores = snapshot_scores(db, snapshot_id)
    make_user(db, "street_leader", "leader", STREET_1)
    page_login(client, "street_leader")

    # when the map asks for the total and for the resolution rate
    total = client.get(f"/dashboard/map.json?tree=three_rates&period={OCTOBER}&indicator=total")
    resolution = client.get(
        f"/dashboard/map.json?tree=three_rates&period={OCTOBER}&indicator=resolution"
    )

    # then only the street's grids come back, with the snapshot's numbers
    assert total.status_code == 200, total.text
    assert set(total.json()) == {GRID_1, GRID_2}
    for grid, shown in total.json().items():
        assert shown["value"] == scores[grid].total
        assert shown["band"] == scores[grid].band
        assert shown["name"] == scores[grid].unit_name
    assert set(resolution.json()) == {GRID_1, GRID_2}
    for grid, shown in resolution.json().items():
        assert shown["value"] == json.loads(scores[grid].detail)["nodes"]["resolution"]
    # 解决率 2/4 earns half of 35 in grid 1 (red), 2/2 all of it in grid 2 (green)
    assert resolution.json()[GRID_1]["value"] == 17.5
    assert resolution.json()[GRID_1]["band"] == "red"
    assert resolution.json()[GRID_2]["band"] == "green"


def test_the_map_colours_grids_by_their_party_branch_for_the_strength_index(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given the organisational-strength index computed for October and a district leader
    snapshot_id = compute_october(db, "org_strength")
    scores = snapshot_scores(db, snapshot_id)
    make_user(db, "district_leader", "leader", "440512")
    page_login(client, "district_leader")

    # when the map asks for the index's totals
    response = client.get(f"/dashboard/map.json?tree=org_strength&period={OCTOBER}")

    # then each grid shows its party branch's score
    assert response.status_code == 200, response.text
    assert {grid: v["value"] for grid, v in response.json().items()} == {
        grid: scores["P" + grid].total for grid in (GRID_1, GRID_2, GRID_3)
    }


def test_the_map_of_a_period_not_computed_is_empty_and_an_unknown_indicator_is_not_found(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given October computed and a district leader
    compute_october(db)
    make_user(db, "district_leader", "leader", "440512")
    page_login(client, "district_leader")

    # when the map asks for September and for an indicator the tree does not have
    september = client.get("/dashboard/map.json?tree=three_rates&period=2026-09")
    unknown = client.get(f"/dashboard/map.json?tree=three_rates&period={OCTOBER}&indicator=nope")

    # then September has no colours and the unknown indicator is 404
    assert (september.status_code, september.json()) == (200, {})
    assert unknown.status_code == 404


def test_the_report_shows_the_league_tables_of_a_computed_month(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given both trees computed for October and a district leader
    rates_id = compute_october(db)
    compute_october(db, "org_strength")
    scores = snapshot_scores(db, rates_id)
    make_user(db, "district_leader", "leader", "440512")
    page_login(client, "district_leader")

    # when the leader opens October's report
    response = client.get(f"/indicators/report/{OCTOBER}", headers=EN)

    # then it has the three-rate tables of streets, communities and grids, the index's
    # tables of party organisations, and no "not computed" note
    assert response.status_code == 200, response.text
    html = response.text
    for league in ("street", "community", "grid", "department", "party_grid", "party_district"):
        assert f'data-league="{league}"' in html, league
    grid_table = html[html.index('data-league="grid"') :]
    grid_table = grid_table[: grid_table.index("</table>")]
    ranked = sorted(
        (s for s in scores.values() if s.league == "grid"), key=lambda s: (s.rank, s.unit)
    )
    positions = [grid_table.index(f"/{OCTOBER}/{s.unit}") for s in ranked]
    assert positions == sorted(positions)  # in rank order
    assert "not computed" not in html
    assert "濠江区" in html
    assert "达濠街道" in html
    assert 'id="print-report"' in html


def test_the_report_of_a_month_not_computed_says_so(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given October computed and a district auditor
    compute_october(db)
    make_user(db, "auditor", "auditor", "440512")
    page_login(client, "auditor")

    # when the auditor opens September's report, and a month written wrongly
    response = client.get("/indicators/report/2026-09", headers=EN)
    wrong = client.get("/indicators/report/2026-13", headers=EN)

    # then the report says both evaluations were not computed, and has no tables
    assert response.status_code == 200, response.text
    assert "The three-rate evaluation was not computed for 2026-09." in response.text
    assert "was not computed for 2026-09." in response.text.split("report-strength")[1]
    assert "data-league=" not in response.text
    assert wrong.status_code == 422


def test_the_wall_screen_renders_dark_and_refreshes_itself(
    client: TestClient, db: Database, world: dict[str, int]
) -> None:
    # given October computed and a dispatcher of the district
    compute_october(db)
    make_user(db, "dispatcher", "dispatcher", "440512")
    page_login(client, "dispatcher")

    # when the dispatcher opens the wall screen
    response = client.get("/dashboard?screen=wall", headers=EN)

    # then it is the wall layout with the numbers, refreshing every minute
    assert response.status_code == 200, response.text
    html = response.text
    assert 'class="dash dash-wall"' in html
    assert 'data-refresh="60"' in html
    assert big_number(html, "open-cases") == counted(db, "440512")[0]
    assert static_url("js/dashboard.js") in html  # the content-hashed name
    assert 'name="screen" value="wall"' in html  # changing the map keeps the wall layout
