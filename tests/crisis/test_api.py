"""The crisis API and the field app's sync: replays apply once, conflicts come back
with the server's state, scope answers 404."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from gridgov.cases.models import Case
from gridgov.db import Database
from tests.crisis.factories import COMMUNITY, GRID_1, make_world, open_typhoon
from tests.factories import bearer, page_login


def test_an_offline_report_replayed_with_its_key_is_taken_once(
    client: TestClient, db: Database
) -> None:
    make_world(db)
    headers = {**bearer(client, "chen.worker"), "Idempotency-Key": "k-report-0001"}
    body = {"description": "海滨路12号围墙被台风吹倒，挡住了路", "address": "海滨路12号"}
    first = client.post("/api/v1/field/reports", json=body, headers=headers)
    again = client.post("/api/v1/field/reports", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json()["case"]["id"] == again.json()["case"]["id"]
    assert again.json()["replayed"] is True
    with db.session() as session:
        count = session.scalar(
            select(func.count()).select_from(Case).where(Case.description == body["description"])
        )
    assert count == 1


def test_a_key_belongs_to_its_user(client: TestClient, db: Database) -> None:
    make_world(db)
    body = {"description": "路灯不亮，晚上很黑"}
    key = {"Idempotency-Key": "shared-key-0001"}
    one = client.post(
        "/api/v1/field/reports", json=body, headers={**bearer(client, "chen.worker"), **key}
    )
    two = client.post(
        "/api/v1/field/reports", json=body, headers={**bearer(client, "li.worker"), **key}
    )
    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json()["case"]["id"] != two.json()["case"]["id"]


def test_a_check_in_outside_the_scope_answers_404_and_a_stale_one_409(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    household = world.households["QL-001"]
    payload = {"incident_id": incident_id, "household_id": household, "status": "safe"}
    # the grid-2 worker may not record a grid-1 household
    refused = client.post(
        "/api/v1/field/checkins",
        json=payload,
        headers={**bearer(client, "li.worker"), "Idempotency-Key": "k-out-of-scope"},
    )
    assert refused.status_code == 404
    # the grid-1 worker does, with the version they saw
    mine = bearer(client, "chen.worker")
    ok = client.post(
        "/api/v1/field/checkins",
        json={**payload, "base_version": 1},
        headers={**mine, "Idempotency-Key": "k-checkin-0001"},
    )
    assert ok.status_code == 201, ok.text
    # another edit made on the same old version is a conflict, with what the server has
    stale = client.post(
        "/api/v1/field/checkins",
        json={**payload, "status": "needs_help", "base_version": 1},
        headers={**bearer(client, "zhao.leader"), "Idempotency-Key": "k-checkin-0002"},
    )
    assert stale.status_code == 409
    assert stale.json()["server"]["status"] == "safe"
    assert stale.json()["server"]["version"] == 2
    # the incident itself is invisible to the other community's worker
    assert (
        client.get(
            f"/api/v1/incidents/{incident_id}", headers=bearer(client, "wang.worker")
        ).status_code
        == 404
    )


def test_the_board_and_the_export_show_the_viewer_area_only(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    board = client.get(
        f"/api/v1/incidents/{incident_id}/board", headers=bearer(client, "chen.worker")
    )
    assert board.status_code == 200
    assert [(r["code"], r["total"]) for r in board.json()] == [(GRID_1, 3)]
    by_community = client.get(
        f"/api/v1/incidents/{incident_id}/board?by=community", headers=bearer(client, "zhao.leader")
    )
    assert [(r["code"], r["total"]) for r in by_community.json()] == [(COMMUNITY, 5)]
    page_login(client, "chen.worker")
    response = client.get(f"/crisis/{incident_id}/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["入户情况"].iter_rows(min_row=2, values_only=True))
    assert sorted(str(r[0]) for r in rows) == ["QL-001", "QL-002", "QL-003"]
    assert {r[0]: r[5] for r in rows}["QL-001"] == "独居老人"


def test_a_broadcast_over_the_api_is_sent_once(client: TestClient, db: Database) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    leader = bearer(client, "zhao.leader")
    created = client.post(
        "/api/v1/broadcasts",
        json={
            "incident_id": incident_id,
            "region_code": "440512001",
            "area_codes": [COMMUNITY],
            "severity": "alert",
            "fallback_language": "zh-Hans",
            "blocks": [
                {"language": "zh-Hans", "headline": "台风预警", "body": "请留在室内。"},
                {"language": "ko", "headline": "태풍 경보", "body": "실내에 머무르십시오."},
            ],
        },
        headers=leader,
    )
    assert created.status_code == 201, created.text
    broadcast_id = created.json()["id"]
    # a grid worker may not send it
    worker = client.post(
        f"/api/v1/broadcasts/{broadcast_id}/send", headers=bearer(client, "chen.worker")
    )
    assert worker.status_code == 403
    sent = client.post(f"/api/v1/broadcasts/{broadcast_id}/send", headers=leader)
    assert sent.status_code == 200
    assert sent.json()["receipts"] == {"zh-Hans": {"queued": 4}, "ko": {"queued": 1}}
    assert client.post(f"/api/v1/broadcasts/{broadcast_id}/send", headers=leader).status_code == 409
