"""The cases API over HTTP: idempotent intake, steps, public tracking, chat intake."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.accounts import service as accounts
from gridgov.db import Database
from gridgov.territory.models import ChatGroup
from tests.cases.factories import IN_GRID_1, make_cases_world
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, bearer

BODY = {
    "description": "小区门口垃圾堆了三天没人清理",
    "category": "E0101",
    "lon": IN_GRID_1[0],
    "lat": IN_GRID_1[1],
    "reporter_phone": "13812345678",
}


def test_a_retried_post_with_the_same_key_returns_the_first_case(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    headers = {**bearer(client, "lin.dispatch"), "Idempotency-Key": "app-3f9a7c21-0001"}
    first = client.post("/api/v1/cases", json=BODY, headers=headers)
    again = client.post("/api/v1/cases", json=BODY, headers=headers)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert len(client.get("/api/v1/cases", headers=headers).json()) == 1
    assert "13812345678" not in first.text
    assert first.json()["reporter_phone_masked"] == "138****5678"


def test_a_worker_takes_the_steps_and_the_public_follows(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    case = client.post("/api/v1/cases", json=BODY, headers=bearer(client, "lin.dispatch")).json()
    worker = bearer(client, "chen.worker")
    for step, note in (("acknowledge", ""), ("start", ""), ("resolve", "已清理")):
        response = client.post(
            f"/api/v1/cases/{case['id']}/{step}", json={"note": note}, headers=worker
        )
        assert response.status_code == 200, response.text
    refused = client.post(
        f"/api/v1/cases/{case['id']}/acknowledge",
        json={},
        headers={**worker, "Accept-Language": "zh-CN"},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "conflict"
    # (the refusal names the states in the caller's language, not by their codes)
    assert "resolved" not in refused.json()["error"]["message"]
    assert "已处置" in refused.json()["error"]["message"], refused.json()
    # Nobody checks their own result: the worker is refused, the community checks it
    own = client.post(
        f"/api/v1/cases/{case['id']}/verify", json={"passed": True, "note": "ok"}, headers=worker
    )
    assert own.status_code == 403
    client.post(
        f"/api/v1/cases/{case['id']}/verify",
        json={"passed": True, "note": "ok"},
        headers=bearer(client, "wu.community"),
    )
    # Anyone with the tracking code follows it, without names or phones
    public = client.get(f"/api/v1/track/{case['tracking_code']}")
    assert public.status_code == 200
    assert public.json()["status"] == "closed"
    assert "陈女士" not in public.text
    assert "138" not in public.text
    rated = client.post(
        f"/api/v1/track/{case['tracking_code']}/rating",
        json={"rating": "satisfied"},
        headers={"X-Reporter-Token": case["reporter_token"]},
    )
    assert rated.json()["rating"] == "satisfied"
    assert client.get("/api/v1/track/NOSUCHCODE").status_code == 404


def test_a_worker_of_another_grid_does_not_see_the_case(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    case = client.post("/api/v1/cases", json=BODY, headers=bearer(client, "lin.dispatch")).json()
    from tests.factories import make_user

    make_user(db, "other.worker", "grid_worker", "44051200100102")
    assert (
        client.get(
            f"/api/v1/cases/{case['id']}", headers=bearer(client, "other.worker")
        ).status_code
        == 404
    )


def test_a_chat_group_message_becomes_a_case_of_its_grid(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    with db.transaction() as session:
        session.add(
            ChatGroup(
                region_code="44051200100102",
                platform="wecom",
                name="青篮社区第2网格居民群",
                external_id="wecom-qinglan-2",
            )
        )
        key, _ = accounts.do_create_api_key(
            session, actor=SYSTEM, name="wecom-bridge", now=FIXED_NOW
        )
    message = {
        "group_id": "wecom-qinglan-2",
        "message_id": "msg-000000001",
        "sender_name": "李伯",
        "text": "楼下路灯坏了好几天，晚上很黑",
    }
    first = client.post("/api/v1/intake/chat", json=message, headers={"X-API-Key": key})
    again = client.post("/api/v1/intake/chat", json=message, headers={"X-API-Key": key})
    assert first.status_code == 201
    assert first.json()["grid_code"] == "44051200100102"
    assert first.json()["channel"] == "chat"
    assert again.json()["id"] == first.json()["id"]
    unknown = client.post(
        "/api/v1/intake/chat", json={**message, "group_id": "nope"}, headers={"X-API-Key": key}
    )
    assert unknown.status_code == 404
    assert client.post("/api/v1/intake/chat", json=message).status_code == 401


def test_bad_reports_are_refused_with_reasons(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    response = client.post(
        "/api/v1/cases",
        json={"description": "坏", "category": "X9999", "lon": 116.7},
        headers={**bearer(client, "lin.dispatch"), "Accept-Language": "en"},
    )
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert fields == {"description", "category", "lat"}
