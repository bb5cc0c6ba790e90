"""Notice pages: the public notice page, the printable notice with its QR code, the
objection form, and the staff actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from gridgov.db import Database
from gridgov.deliberation import rules
from gridgov.deliberation.rules import NoticeState
from tests import photos
from tests.conftest import FIXED_NOW
from tests.deliberation.factories_notices import QINGLAN, draft, load, posted
from tests.factories import csrf_of, mainland_id, make_territory, make_user, page_login


@pytest.fixture
def land(db: Database) -> Database:
    make_territory(db)
    make_user(db, "qinglan-sec", "branch_secretary", QINGLAN)
    make_user(db, "chen-resident", "resident", QINGLAN)
    return db


def test_the_public_page_never_shows_the_personal_data_of_a_draft(
    land: Database, client: TestClient
) -> None:
    # Given a notice drafted with an ID number and a mobile number, then posted
    id_number = mainland_id("19750203", "045")
    mobile = "139 1234 5678"
    notice_id = posted(land, body=f"补助对象：陈大文（{id_number}，电话 {mobile}）")
    # when anyone opens its page without logging in
    page = client.get(f"/notices/{notice_id}")
    # then it shows the masked text, never the numbers
    assert page.status_code == 200
    assert id_number not in page.text
    assert "12345678" not in page.text.replace(" ", "")
    assert rules.mask_personal_data(id_number) in page.text
    assert "补助对象" in page.text


def test_a_draft_is_not_public(land: Database, client: TestClient) -> None:
    notice_id = draft(land)
    assert client.get(f"/notices/{notice_id}").status_code == 404
    assert client.get(f"/notices/{notice_id}/print").status_code == 404
    # but the secretary sees it, with the action to post it
    page_login(client, "qinglan-sec")
    page = client.get(f"/notices/{notice_id}")
    assert page.status_code == 200
    assert f'action="/notices/{notice_id}/post"' in page.text


def test_the_print_page_has_an_svg_qr_code_and_the_notice_url(
    land: Database, client: TestClient
) -> None:
    notice_id = posted(land, posting_days=10)
    page = client.get(f"/notices/{notice_id}/print")
    assert page.status_code == 200
    url = f"http://testserver/notices/{notice_id}"
    assert "<svg" in page.text
    assert url in page.text
    assert "2026-11-30 17:30" in page.text
    assert "2026-12-10 17:30" in page.text
    assert "青篮社区" in page.text  # the issuing village or community
    css = client.get("/static/css/deliberation-notices.css").text
    assert "@page { size: A4; margin: 20mm; }" in css


def test_anyone_may_object_by_name_and_the_answer_is_public(
    land: Database, client: TestClient
) -> None:
    # Given a posted notice
    notice_id = posted(land)
    # when a visitor without an account objects, signing with a name
    token = csrf_of(client, f"/notices/{notice_id}")
    sent = client.post(
        f"/notices/{notice_id}/objections",
        data={
            "csrf_token": token,
            "kind": "objection",
            "author_name": "陈大文",
            "text": "修缮费用偏高，请公开报价单。",
        },
    )
    assert sent.status_code == 303, sent.text
    page = client.get(f"/notices/{notice_id}")
    assert "修缮费用偏高" in page.text
    assert "陈**" in page.text
    assert "陈大文" not in page.text
    # when the secretary answers
    page_login(client, "qinglan-sec")
    staff_page = client.get(f"/notices/{notice_id}").text
    marker = f'action="/notices/{notice_id}/objections/'
    objection_id = staff_page.split(marker, 1)[1].split("/", 1)[0]
    answered = client.post(
        f"/notices/{notice_id}/objections/{objection_id}/answer",
        data={
            "csrf_token": csrf_of(client, f"/notices/{notice_id}"),
            "answer": "报价单已张贴于公开栏。",
        },
    )
    assert answered.status_code == 303
    # then everyone sees the answer
    client.cookies.clear()
    assert "报价单已张贴于公开栏。" in client.get(f"/notices/{notice_id}").text


def test_an_objection_after_the_window_is_refused_on_the_page(
    land: Database, client: TestClient
) -> None:
    # Given a notice posted 8 days before the client's clock, with a 7-day window
    notice_id = posted(land, now=FIXED_NOW - timedelta(days=8))
    page = client.get(f"/notices/{notice_id}")
    assert f'action="/notices/{notice_id}/objections"' not in page.text
    refused = client.post(
        f"/notices/{notice_id}/objections",
        data={
            "csrf_token": csrf_of(client, "/report"),
            "kind": "objection",
            "author_name": "李小梅",
            "text": "我反对。",
        },
    )
    assert refused.status_code == 409
    assert "2026-11-29 17:30" in refused.text  # when the window ended


def test_a_resident_cannot_post_a_notice(land: Database, client: TestClient) -> None:
    notice_id = draft(land)
    page_login(client, "chen-resident")
    token = csrf_of(client, "/portal")
    refused = client.post(f"/notices/{notice_id}/post", data={"csrf_token": token})
    assert refused.status_code == 403
    assert load(land, notice_id).state == NoticeState.DRAFT.value


def test_the_secretary_drafts_sees_what_was_masked_and_posts(
    land: Database, client: TestClient
) -> None:
    page_login(client, "qinglan-sec")
    token = csrf_of(client, "/notices/new")
    saved = client.post(
        "/notices/new",
        data={
            "csrf_token": token,
            "region": QINGLAN,
            "kind": "finances",
            "title": "2026年11月财务公开",
            "body": "经办人电话 13812345678。",
            "posting_days": "10",
            "objection_days": "",
            "channels": ["portal", "board"],
            "language": "zh_Hans",
        },
    )
    assert saved.status_code == 201, saved.text
    assert rules.mask_personal_data("13812345678") in saved.text
    assert "13812345678" not in saved.text
    notice_id = int(saved.text.split('href="/notices/', 1)[1].split('"', 1)[0])
    assert load(land, notice_id).posting_days == 10
    posted_now = client.post(
        f"/notices/{notice_id}/post", data={"csrf_token": csrf_of(client, "/notices")}
    )
    assert posted_now.status_code == 303
    notice = load(land, notice_id)
    assert notice.state == NoticeState.POSTED.value
    assert notice.closes_at == FIXED_NOW + timedelta(days=10)
    # closing before the period is over is refused on the page
    early = client.post(
        f"/notices/{notice_id}/close", data={"csrf_token": csrf_of(client, "/notices")}
    )
    assert early.status_code == 409
    assert "2026-12-10 17:30" in early.text


def test_the_staff_list_shows_routine_disclosures_due(land: Database, client: TestClient) -> None:
    page_login(client, "qinglan-sec")
    page = client.get("/notices")
    assert page.status_code == 200
    assert "青篮社区" in page.text
    assert "/notices/new?region=440512001001&amp;kind=finances" in page.text


def test_the_board_photo_is_kept_and_shown(land: Database, client: TestClient) -> None:
    notice_id = posted(land, channels=("portal", "board"))
    page_login(client, "qinglan-sec")
    png = photos.png(64, 48)
    sent = client.post(
        f"/notices/{notice_id}/board-photo",
        data={"csrf_token": csrf_of(client, "/notices")},
        files={"photo": ("board.png", png, "image/png")},
    )
    assert sent.status_code == 303, sent.text
    client.cookies.clear()
    page = client.get(f"/notices/{notice_id}").text
    src = page.split(f'src="/notices/{notice_id}/files/', 1)[1].split('"', 1)[0]
    photo = client.get(f"/notices/{notice_id}/files/{src}")
    assert photo.status_code == 200
    assert photo.content.startswith(b"\x89PNG")  # re-encoded, its transparency kept
