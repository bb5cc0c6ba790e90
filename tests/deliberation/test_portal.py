"""The public portal of villages and communities."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.deliberation import notices
from gridgov.deliberation.rules import NoticeKind
from tests.conftest import FIXED_NOW
from tests.deliberation.factories_notices import DONGHU, SECRETARY, draft, posted
from tests.factories import SYSTEM, make_territory


@pytest.fixture
def land(db: Database) -> Database:
    make_territory(db)
    return db


def test_the_portal_lists_the_villages_and_communities(land: Database, client: TestClient) -> None:
    page = client.get("/portal")
    assert page.status_code == 200
    assert 'href="/portal/440512001001"' in page.text
    assert "青篮社区" in page.text
    assert 'href="/portal/440512002001"' in page.text
    assert "东湖社区" in page.text


def test_the_portal_shows_only_posted_notices_of_that_region(
    land: Database, client: TestClient
) -> None:
    # Given in 青篮社区 a posted notice, a draft and a closed resolution, and a posted
    # notice in 东湖社区
    on_display = posted(land, title="青篮村务公开（第四季度）")
    hidden_draft = draft(land, title="青篮草稿（未发布）")
    result = posted(
        land,
        title="青篮排水沟决议公开",
        kind=NoticeKind.RESOLUTION,
        now=FIXED_NOW - timedelta(days=9),
    )
    with land.transaction() as session:
        notices.do_close(session, actor=SECRETARY, notice_id=result, now=FIXED_NOW)
    with land.transaction() as session:
        other = notices.do_draft(
            session,
            actor=SYSTEM,
            region_code=DONGHU,
            kind=NoticeKind.VILLAGE_AFFAIRS,
            title="东湖村务公开",
            body="东湖社区本季度村务。",
            now=FIXED_NOW,
        )
        notices.do_post(session, actor=SYSTEM, notice_id=other.id, now=FIXED_NOW)
    # when anyone opens 青篮社区's portal page
    page = client.get("/portal/440512001001")
    # then it shows the posted notice and the result, not the draft nor 东湖's notice
    assert page.status_code == 200
    assert f'href="/notices/{on_display}"' in page.text
    assert f'href="/notices/{result}"' in page.text
    assert f'href="/notices/{hidden_draft}"' not in page.text
    assert "青篮草稿" not in page.text
    assert "东湖村务公开" not in page.text
    # and links to the region's discussions and elections
    assert 'href="/portal/440512001001/discussions"' in page.text
    assert 'href="/portal/440512001001/elections"' in page.text


def test_the_portal_page_of_an_unknown_region_is_not_found(
    land: Database, client: TestClient
) -> None:
    assert client.get("/portal/440512009009").status_code == 404


def test_the_public_api_lists_a_regions_posted_notices(land: Database, client: TestClient) -> None:
    on_display = posted(land)
    draft(land, title="草稿")
    listed = client.get("/api/v1/portal/440512001001/notices")
    assert listed.status_code == 200
    assert [n["id"] for n in listed.json()] == [on_display]
    detail = client.get(f"/api/v1/notices/{on_display}")
    assert detail.status_code == 200
    assert detail.json()["objections"] == []
