"""Names across scopes, on both engines: staff see residents' full names only within
their own area; a grid worker of another street sees them masked, like the public."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.db import Database
from tests.deliberation.factories_discussion import COMMUNITY, make_community
from tests.factories import bearer, csrf_of, make_user, page_login


def test_a_worker_of_another_street_sees_residents_names_masked(
    client: TestClient, db: Database
) -> None:
    # Given kim's discussion in 青篮社区 with a comment of hers
    make_community(db)
    make_user(db, "guangao.worker", "grid_worker", "440512002")  # another street
    kim = bearer(client, "kim")
    base = f"/api/v1/deliberation/communities/{COMMUNITY}"
    opened = client.post(
        f"{base}/discussions",
        json={"title": "停车", "body": "小区停车很乱，希望划线。", "language": "zh_Hans"},
        headers=kim,
    )
    assert opened.status_code == 201, opened.text
    discussion_id = opened.json()["id"]
    commented = client.post(
        "/api/v1/deliberation/comments",
        json={
            "target_type": "discussion",
            "target_id": discussion_id,
            "text": "同意，尽快划线",
            "language": "zh_Hans",
        },
        headers=kim,
    )
    assert commented.status_code == 201, commented.text
    path = f"/api/v1/deliberation/discussions/{discussion_id}"
    # When a worker of the street and a worker of another street read it
    own = client.get(path, headers=bearer(client, "gridder")).json()
    other = client.get(path, headers=bearer(client, "guangao.worker")).json()
    # Then only the worker whose area it is sees kim's full name
    assert own["author_name"] == "kim"
    assert own["comment_list"][0]["author_name"] == "kim"
    assert other["author_name"] == "k**"
    assert other["comment_list"][0]["author_name"] == "k**"
    listed = client.get(f"{base}/discussions", headers=bearer(client, "guangao.worker")).json()
    assert listed[0]["author_name"] == "k**"


def test_the_discussion_page_masks_names_for_staff_of_another_street(
    client: TestClient, db: Database
) -> None:
    make_community(db)
    make_user(db, "guangao.worker", "grid_worker", "440512002")
    opened = client.post(
        f"/api/v1/deliberation/communities/{COMMUNITY}/discussions",
        json={"title": "停车", "body": "小区停车很乱，希望划线。", "language": "zh_Hans"},
        headers=bearer(client, "kim"),
    )
    page = f"/discussions/{opened.json()['id']}"
    page_login(client, "guangao.worker")
    assert "k**" in client.get(page).text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    page_login(client, "gridder")
    own = client.get(page).text
    assert ">kim<" in own or "kim ·" in own
