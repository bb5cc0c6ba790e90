"""The indicators API: trees, computing, rankings and scorecards by scope, assessments."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.indicators import service
from tests.conftest import FIXED_NOW
from tests.factories import bearer, make_user
from tests.indicators.factories import GRID_1, GRID_2, GRID_3, OCTOBER, make_indicators_world


def _world(db: Database, client: TestClient) -> dict[str, dict[str, str]]:
    make_indicators_world(db)
    make_user(db, "zhao.leader", "leader", "440512")
    make_user(db, "he.street", "leader", "440512001")
    make_user(db, "qian.audit", "auditor", "440512")
    make_user(db, "root.admin", "admin", "440512")
    make_user(db, "chen.resident", "resident", GRID_1)
    return {
        name: bearer(client, name)
        for name in ("zhao.leader", "he.street", "qian.audit", "root.admin", "chen.resident")
    }


def test_a_leader_computes_and_reads_the_grid_league(db: Database, client: TestClient) -> None:
    # given the October world
    auth = _world(db, client)
    # when the leader computes the three-rate evaluation for October
    response = client.post(
        f"/api/v1/indicators/three_rates/{OCTOBER}/compute", headers=auth["zhao.leader"]
    )
    assert response.status_code == 200, response.text
    assert response.json()["final"] is True
    # then the grid league lists grid 2, grid 3, grid 1 with their totals
    table = client.get(
        f"/api/v1/indicators/three_rates/{OCTOBER}",
        params={"league": "grid"},
        headers=auth["zhao.leader"],
    ).json()["leagues"]["grid"]
    assert [(row["unit"], row["rank"], row["total"]) for row in table] == [
        (GRID_2, 1, 100.0),
        (GRID_3, 2, 81.6667),
        (GRID_1, 3, 63.3333),
    ]
    assert table[2]["nodes"] == {"response": 22.5, "resolution": 17.5, "satisfaction": 23.3333}


def test_a_street_leader_sees_only_their_street(db: Database, client: TestClient) -> None:
    auth = _world(db, client)
    client.post(f"/api/v1/indicators/three_rates/{OCTOBER}/compute", headers=auth["zhao.leader"])
    leagues = client.get(
        f"/api/v1/indicators/three_rates/{OCTOBER}", headers=auth["he.street"]
    ).json()["leagues"]
    units = {row["unit"] for rows in leagues.values() for row in rows}
    assert units == {GRID_1, GRID_2, "440512001001", "440512001"}
    # and another street's scorecard is not found for them
    response = client.get(
        f"/api/v1/indicators/three_rates/{OCTOBER}/units/{GRID_3}", headers=auth["he.street"]
    )
    assert response.status_code == 404


def test_a_scorecard_explains_every_leaf(db: Database, client: TestClient) -> None:
    auth = _world(db, client)
    client.post(f"/api/v1/indicators/three_rates/{OCTOBER}/compute", headers=auth["zhao.leader"])
    card = client.get(
        f"/api/v1/indicators/three_rates/{OCTOBER}/units/{GRID_1}", headers=auth["zhao.leader"]
    ).json()
    response = next(line for line in card["lines"] if line["id"] == "response")
    assert response["raw"] == 0.75
    assert response["points"] == 22.5
    assert response["formula"] == "30 × min(1, raw / 1)"


def test_residents_may_not_read_rankings(db: Database, client: TestClient) -> None:
    auth = _world(db, client)
    response = client.get("/api/v1/indicators/trees", headers=auth["chen.resident"])
    assert response.status_code == 403


def test_only_leaders_and_admins_compute(db: Database, client: TestClient) -> None:
    auth = _world(db, client)
    response = client.post(
        f"/api/v1/indicators/three_rates/{OCTOBER}/compute", headers=auth["qian.audit"]
    )
    assert response.status_code == 403


def test_an_admin_loads_a_tree_and_a_bad_one_names_its_line(
    db: Database, client: TestClient
) -> None:
    auth = _world(db, client)
    text = service.shipped_text("three_rates").replace("weight: 30", "weight: 40")
    bad = client.post(
        "/api/v1/indicators/trees",
        content=text.encode(),
        headers={**auth["root.admin"], "Content-Type": "text/yaml"},
    )
    # 40 + 35 + 35 = 110, not the declared 100: refused naming the indicators line
    assert bad.status_code == 422
    line = text.splitlines().index("indicators:") + 1
    assert bad.json()["error"]["details"][0]["field"] == f"line {line}"
    fixed = text.replace(
        "weight: 35\n    metric: resolution_rate", "weight: 25\n    metric: resolution_rate"
    )
    good = client.post(
        "/api/v1/indicators/trees",
        content=fixed.encode(),
        headers={**auth["root.admin"], "Content-Type": "text/yaml"},
    )
    assert good.status_code == 201, good.text
    assert good.json()["revision"] == 1  # the shipped tree was never stored here
    assert [leaf["weight"] for leaf in good.json()["indicators"]] == [40, 25, 35]


def test_assessment_scored_then_confirmed_by_another_reviewer(
    db: Database, client: TestClient
) -> None:
    auth = _world(db, client)
    client.get("/api/v1/indicators/trees", headers=auth["zhao.leader"])
    body = {
        "tree": "org_strength",
        "indicator": "disclosure",
        "period": OCTOBER,
        "unit": "P" + GRID_1,
        "points": 4.5,
        "evidence": "党务公开栏照片（10月8日）",
    }
    with db.transaction() as session:
        service.ensure_shipped(session, now=FIXED_NOW)
    scored = client.post("/api/v1/indicators/assessments", json=body, headers=auth["zhao.leader"])
    assert scored.status_code == 201, scored.text
    own = client.post(
        f"/api/v1/indicators/assessments/{scored.json()['id']}/review",
        json={"confirm": True},
        headers=auth["zhao.leader"],
    )
    assert own.status_code == 409
    back = client.post(
        f"/api/v1/indicators/assessments/{scored.json()['id']}/review",
        json={"confirm": False, "note": ""},
        headers=auth["qian.audit"],
    )
    assert back.status_code == 422  # sending back needs a reason
    confirmed = client.post(
        f"/api/v1/indicators/assessments/{scored.json()['id']}/review",
        json={"confirm": True},
        headers=auth["qian.audit"],
    )
    assert confirmed.json()["state"] == "confirmed"
    listed = client.get(
        "/api/v1/indicators/assessments",
        params={"tree": "org_strength", "period": OCTOBER},
        headers=auth["he.street"],
    ).json()
    assert [(a["unit"], a["points"]) for a in listed] == [("P" + GRID_1, 4.5)]


def test_the_dashboard_figures(db: Database, client: TestClient) -> None:
    auth = _world(db, client)
    data = client.get("/api/v1/dashboard", headers=auth["zhao.leader"]).json()
    assert (data["open_cases"], data["overdue_cases"]) == (1, 1)
    october = next(t for t in data["trend"] if t["period"] == OCTOBER)
    assert october["figures"]["response_rate"] == round(5 / 6, 4)
    assert data["most_overdue"] == [{"unit": GRID_1, "name": "青篮社区第1网格", "overdue": 1}]
