"""The deliberation JSON API on both engines: open a matter, convene, sign in, vote,
close; quorum refusals and duplicate votes answer with their status."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.deliberation.models import Matter
from tests.conftest import FIXED_NOW
from tests.deliberation.factories import VILLAGE, make_village
from tests.factories import bearer


def _at_decision(db: Database, matter_id: int) -> None:
    with db.transaction() as session:
        matter = session.get(Matter, matter_id)
        assert matter is not None
        matter.stage_id = "decision"


def test_a_roll_call_through_the_api(client: TestClient, db: Database) -> None:
    # given the village and the clerk's token
    village = make_village(db)
    auth = bearer(client, village.users["clerk"])

    # when the clerk opens a matter at the representatives' decision and convenes it
    created = client.post(
        "/api/v1/deliberation/matters",
        json={"region_code": VILLAGE, "title": "修缮村道", "description": "村东道路"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    matter_id = created.json()["id"]
    assert created.json()["stage_id"] == "proposal"
    _at_decision(db, matter_id)
    convened = client.post(
        f"/api/v1/deliberation/matters/{matter_id}/meetings",
        json={
            "notified_at": (FIXED_NOW - timedelta(days=3)).isoformat(),
            "starts_at": (FIXED_NOW - timedelta(hours=1)).isoformat(),
            "voting": "roll_call",
        },
        headers=auth,
    )
    assert convened.status_code == 201, convened.text
    meeting = convened.json()
    assert meeting["members"] == 45
    assert len(meeting["roster"]) == 45
    path = f"/api/v1/deliberation/meetings/{meeting['id']}"

    # and signs in 31, of whom 17 vote yes and 14 no; one vote is sent twice
    present = [m["id"] for m in meeting["roster"][:31]]
    for member_id in present:
        signed = client.post(f"{path}/sign-in", json={"member_id": member_id}, headers=auth)
        assert signed.status_code == 200
    for index, member_id in enumerate(present):
        choice = "yes" if index < 17 else "no"
        voted = client.post(
            f"{path}/votes", json={"member_id": member_id, "choice": choice}, headers=auth
        )
        assert voted.status_code == 201, voted.text
    again = client.post(
        f"{path}/votes", json={"member_id": present[0], "choice": "no"}, headers=auth
    )
    assert again.status_code == 409
    live = client.get(path, headers=auth).json()["live"]
    assert live["quorum"]["text"] == "31 of 45 present ≥ 2/3 of 45: quorum reached"

    # then closing decides it with the arithmetic
    closed = client.post(f"{path}/close", json={}, headers=auth)
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert (body["present"], body["yes"], body["no"], body["outcome"]) == (31, 17, 14, "adopted")
    assert body["explanation"]["decision"]["text"] == ("17 of 31 in favour > 1/2 of 31: adopted")
    detail = client.get(f"/api/v1/deliberation/matters/{matter_id}", headers=auth).json()
    assert detail["stage_id"] == "resolution_disclosure"
    assert detail["implementation"]["state"] == "not_started"
    assert len(detail["notice_ids"]) == 1


def test_without_quorum_the_meeting_ends_no_quorum(client: TestClient, db: Database) -> None:
    village = make_village(db)
    auth = bearer(client, village.users["secretary"])
    matter_id = client.post(
        "/api/v1/deliberation/matters",
        json={"region_code": VILLAGE, "title": "建设文化室"},
        headers=auth,
    ).json()["id"]
    _at_decision(db, matter_id)
    meeting = client.post(
        f"/api/v1/deliberation/matters/{matter_id}/meetings",
        json={
            "notified_at": (FIXED_NOW - timedelta(days=3)).isoformat(),
            "starts_at": FIXED_NOW.isoformat(),
        },
        headers=auth,
    ).json()
    path = f"/api/v1/deliberation/meetings/{meeting['id']}"
    for member in meeting["roster"][:29]:
        client.post(f"{path}/sign-in", json={"member_id": member["id"]}, headers=auth)
    too_many = client.post(f"{path}/totals", json={"yes": 30, "no": 0}, headers=auth)
    assert too_many.status_code == 422
    client.post(f"{path}/totals", json={"yes": 29, "no": 0}, headers=auth)
    closed = client.post(f"{path}/close", json={}, headers=auth).json()
    assert closed["state"] == "no_quorum"
    assert closed["outcome"] is None
    assert closed["explanation"]["quorum"]["text"] == ("29 of 45 present < 2/3 of 45: no quorum")
    supervision = client.get("/api/v1/deliberation/supervision", headers=auth).json()
    assert supervision["no_quorum_meeting_ids"] == [meeting["id"]]


def test_a_resident_and_an_outsider_are_refused(client: TestClient, db: Database) -> None:
    village = make_village(db, households=6, minors=2, representatives=8, party_members=6)
    resident = bearer(client, village.users["villager"])
    refused = client.post(
        "/api/v1/deliberation/matters",
        json={"region_code": VILLAGE, "title": "x"},
        headers=resident,
    )
    assert refused.status_code == 403
    outsider = bearer(client, village.users["outsider"])
    hidden = client.post(
        "/api/v1/deliberation/matters",
        json={"region_code": VILLAGE, "title": "x"},
        headers=outsider,
    )
    assert hidden.status_code == 404
