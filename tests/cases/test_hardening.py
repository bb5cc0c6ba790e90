"""Attacks on case intake and tracking, on both engines: public ids used to rate and
reopen, another caller's idempotency key, a chosen channel, floods, numbers typed into
descriptions."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.db import Database
from tests.cases.factories import IN_GRID_1, make_cases_world
from tests.conftest import FIXED_NOW
from tests.factories import bearer, csrf_of, mainland_id, make_user

BODY = {
    "description": "小区门口垃圾堆了三天没人清理",
    "category": "E0101",
    "lon": IN_GRID_1[0],
    "lat": IN_GRID_1[1],
}
RESIDENT_SCOPE = "44051200100101"


def _close(db: Database, people: dict[str, Actor], case_id: int) -> None:
    worker = people["chen.worker"]
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        cases.do_acknowledge(session, actor=worker, case=case, now=FIXED_NOW)
        cases.do_start(session, actor=worker, case=case, now=FIXED_NOW)
        cases.do_resolve(session, actor=worker, case=case, note="已清理", now=FIXED_NOW)
        checker = people["lin.dispatch"]  # nobody checks their own result
        cases.do_verify(session, actor=checker, case=case, passed=True, note="", now=FIXED_NOW)


def _refusals(db: Database) -> int:
    with db.session() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "case.reporter_refused")
        ).all()
    return len(rows)


def test_the_public_list_plus_rating_is_refused(db: Database, client: TestClient) -> None:
    # Given a resident's closed case, listed by the anonymous Open311 API
    people = make_cases_world(db)
    make_user(db, "wang.resident", "resident", RESIDENT_SCOPE)
    filed = client.post("/api/v1/cases", json=BODY, headers=bearer(client, "wang.resident"))
    assert filed.status_code == 201
    secret = filed.json()["reporter_token"]
    assert secret
    _close(db, people, filed.json()["id"])
    listed = client.get("/open311/v2/requests.json", params={"status": "closed"}).json()
    public_id = next(r["service_request_id"] for r in listed)
    # When an outsider rates and reopens it with the public id alone, or a guessed token
    attempts = [
        client.post(f"/api/v1/track/{public_id}/rating", json={"rating": "dissatisfied"}),
        client.post(
            f"/api/v1/track/{public_id}/rating",
            json={"rating": "dissatisfied"},
            headers={"X-Reporter-Token": "guessed-token-000000"},
        ),
        client.post(f"/api/v1/track/{public_id}/contest", json={"reason": "没修好"}),
        client.post(
            f"/track/{public_id}/rating",
            data={"csrf_token": csrf_of(client, "/report"), "rating": "dissatisfied"},
        ),
    ]
    # Then each is refused and audited, and nothing changed
    assert [a.status_code for a in attempts] == [403, 403, 403, 403]
    assert _refusals(db) == 4
    with db.session() as session:
        case = session.scalar(select(Case).where(Case.tracking_code == public_id))
        assert case is not None
        assert (case.rating, case.state) == (None, "closed")
    # And the reporter rates with the secret; the signed-in reporter needs no secret
    rated = client.post(
        f"/api/v1/track/{public_id}/rating",
        json={"rating": "satisfied"},
        headers={"X-Reporter-Token": secret},
    )
    assert rated.status_code == 200
    reopened = client.post(
        f"/api/v1/track/{public_id}/contest",
        json={"reason": "门口又堆满了"},
        headers=bearer(client, "wang.resident"),
    )
    assert reopened.status_code == 200


def test_another_principals_idempotency_key_never_returns_their_case(
    db: Database, client: TestClient
) -> None:
    # Given a resident's report sent with an idempotency key
    make_cases_world(db)
    make_user(db, "wang.resident", "resident", RESIDENT_SCOPE)
    make_user(db, "li.resident", "resident", "44051200100102")
    key = {"Idempotency-Key": "app-000000000001"}
    first = client.post(
        "/api/v1/cases",
        json={**BODY, "reporter_name": "王先生", "reporter_phone": "13812345678"},
        headers={**bearer(client, "wang.resident"), **key},
    )
    # When another resident sends the same key
    other = client.post(
        "/api/v1/cases",
        json={**BODY, "description": "路灯坏了好几天了"},
        headers={**bearer(client, "li.resident"), **key},
    )
    # Then they get a case of their own, with nothing of the first one
    assert (first.status_code, other.status_code) == (201, 201)
    assert other.json()["id"] != first.json()["id"]
    assert "王先生" not in other.text
    assert "138" not in other.text
    # while the first resident's retry still finds their own case
    again = client.post(
        "/api/v1/cases", json=BODY, headers={**bearer(client, "wang.resident"), **key}
    )
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    assert again.json()["reporter_token"] is None  # the secret is shown once


def test_the_form_key_of_another_browser_makes_a_new_case(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    form = client.get("/report")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form.text)
    assert key
    data = {"description": "小区门口垃圾堆了三天没人清理", "category": "E0101"}
    first = client.post(
        "/report",
        data={**data, "idempotency_key": key.group(1), "csrf_token": csrf_of(client, "/report")},
    )
    with TestClient(client.app, client=("203.0.113.7", 40000)) as stranger:
        second = stranger.post(
            "/report",
            data={
                **data,
                "idempotency_key": key.group(1),
                "csrf_token": csrf_of(stranger, "/report"),
            },
        )
    codes = [re.search(r'class="tracking-code"><code>(\w+)<', r.text) for r in (first, second)]
    assert codes[0]
    assert codes[1]
    assert codes[0].group(1) != codes[1].group(1)


def test_the_channel_is_the_servers_to_set(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    make_user(db, "wang.resident", "resident", RESIDENT_SCOPE)
    as_resident = client.post(
        "/api/v1/cases",
        json={**BODY, "channel": "hotline"},
        headers=bearer(client, "wang.resident"),
    )
    as_operator = client.post(
        "/api/v1/cases", json={**BODY, "channel": "hotline"}, headers=bearer(client, "lin.dispatch")
    )
    assert as_resident.json()["channel"] == "api"
    assert as_operator.json()["channel"] == "hotline"


def test_staff_entering_calls_are_not_held_but_residents_flooding_are_refused(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    make_user(db, "wang.resident", "resident", RESIDENT_SCOPE)
    operator = bearer(client, "lin.dispatch")
    for n in range(8):
        body = {
            **BODY,
            "description": f"热线来电：第{n + 1}位市民反映门口垃圾未清",
            "channel": "hotline",
            "lat": 23.281 + n * 0.002,  # 220 m apart: not duplicates of each other
        }
        response = client.post("/api/v1/cases", json=body, headers=operator)
        assert response.status_code == 201
        assert not response.json()["spam_suspected"]
        assert response.json()["state"] == "assigned"
    resident = bearer(client, "wang.resident")
    statuses = [
        client.post(
            "/api/v1/cases", json={**BODY, "description": f"第{n}次反映门口垃圾"}, headers=resident
        ).status_code
        for n in range(6)
    ]
    assert statuses == [201, 201, 201, 201, 201, 429]


def test_anonymous_reports_from_one_address_are_limited(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    statuses = []
    for n in range(6):
        form = client.get("/report").text
        key = re.search(r'name="idempotency_key" value="([^"]+)"', form)
        assert key
        response = client.post(
            "/report",
            data={
                "description": f"第{n}次：小区门口垃圾堆了三天",
                "idempotency_key": key.group(1),
                "csrf_token": csrf_of(client, "/report"),
            },
        )
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 200, 200, 429]


@pytest.mark.parametrize("where", ["api", "page"])
def test_an_id_number_in_a_description_is_masked_for_a_grid_worker(
    db: Database, client: TestClient, where: str
) -> None:
    # Given a report whose caller dictated their ID number and phone into the text
    make_cases_world(db)
    number = mainland_id("19800101", "123")
    text = f"我是3号楼住户，身份证{number}，电话13812345678，门口垃圾三天没人清"
    case = client.post(
        "/api/v1/cases", json={**BODY, "description": text}, headers=bearer(client, "lin.dispatch")
    ).json()
    # When the grid worker reads it
    if where == "api":
        seen = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(client, "chen.worker")).text
    else:
        from tests.factories import page_login

        page_login(client, "chen.worker")
        seen = client.get(f"/cases/{case['id']}").text
    # Then the numbers are masked
    assert number not in seen
    assert "13812345678" not in seen
    assert number[:6] + "********" + number[-4:] in seen
    # And at rest the description holds no full number
    with db.session() as session:
        stored = session.get(Case, case["id"])
        assert stored is not None
        assert number not in stored.description
        assert stored.description_enc is not None


def test_the_description_as_typed_is_revealed_with_an_audit_row(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    number = mainland_id("19800101", "123")
    text = f"身份证{number}，门口垃圾三天没人清"
    case = client.post(
        "/api/v1/cases", json={**BODY, "description": text}, headers=bearer(client, "lin.dispatch")
    ).json()
    leader = client.post(
        f"/api/v1/cases/{case['id']}/reveal",
        json={"reason": "核实身份"},
        headers=bearer(client, "zhao.leader"),
    )
    assert leader.status_code == 403
    worker = client.post(
        f"/api/v1/cases/{case['id']}/reveal",
        json={"reason": "上门核实身份"},
        headers=bearer(client, "chen.worker"),
    )
    assert worker.status_code == 200
    assert number in worker.json()["description"]
    with db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "case.description_revealed")
        ).all()
    assert actions == ["case.description_revealed"]
