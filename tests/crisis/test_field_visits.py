"""A household visit logged offline in the field app: applied once per key, refused
outside the worker's scope."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from gridgov.outreach.models import Visit
from tests.conftest import FIXED_NOW
from tests.crisis.factories import make_world
from tests.factories import bearer

TODAY = FIXED_NOW.astimezone(ZoneInfo("Asia/Shanghai")).date()


def _visits(db: Database, household_id: int) -> tuple[int, int]:
    with db.session() as session:
        visits = session.scalar(
            select(func.count()).select_from(Visit).where(Visit.household_id == household_id)
        )
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "visit.recorded")
        )
    return int(visits or 0), int(audited or 0)


def test_a_visit_replayed_with_its_key_is_recorded_once(client: TestClient, db: Database) -> None:
    # Given a grid-1 worker who logged a visit offline
    world = make_world(db)
    household = world.households["QL-001"]
    headers = {**bearer(client, "chen.worker"), "Idempotency-Key": "k-visit-0001"}
    body = {
        "household_id": household,
        "visited_on": TODAY.isoformat(),
        "kind": "home",
        "heard": "林阿婆说楼道灯坏了一个星期",
    }
    # When the outbox sends it, and sends it again after a dropped answer
    first = client.post("/api/v1/field/visits", json=body, headers=headers)
    again = client.post("/api/v1/field/visits", json=body, headers=headers)
    # Then one visit exists, with one audit row, and the replay names the same visit
    assert (first.status_code, again.status_code) == (201, 200), first.text
    assert first.json()["visit"]["id"] == again.json()["visit"]["id"]
    assert again.json()["replayed"] is True
    assert _visits(db, household) == (1, 1)


def test_a_visit_outside_the_scope_is_refused_and_nothing_is_kept(
    client: TestClient, db: Database
) -> None:
    world = make_world(db)
    household = world.households["QL-001"]  # grid 1
    body = {"household_id": household, "visited_on": TODAY.isoformat(), "heard": "聊了几句"}
    refused = client.post(
        "/api/v1/field/visits",
        json=body,
        headers={**bearer(client, "li.worker"), "Idempotency-Key": "k-visit-out-1"},
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "not_found"
    assert _visits(db, household) == (0, 0)
    # and a visit dated tomorrow is refused with the field named
    tomorrow = TODAY + timedelta(days=1)
    future = client.post(
        "/api/v1/field/visits",
        json={**body, "visited_on": tomorrow.isoformat()},
        headers={**bearer(client, "chen.worker"), "Idempotency-Key": "k-visit-future"},
    )
    assert future.status_code == 422
    assert future.json()["error"]["details"][0]["field"] == "visited_on"
    assert _visits(db, household) == (0, 0)
