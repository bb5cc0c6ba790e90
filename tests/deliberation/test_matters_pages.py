"""The matter pages, the clerk's meeting console and the supervision view, through the
web client on both engines."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import service as svc
from gridgov.deliberation.models import DeliberationFile, Matter, Meeting
from tests.conftest import FIXED_NOW
from tests.deliberation.factories import VILLAGE, make_village
from tests.factories import csrf_of, page_login


def _open(client: TestClient, title: str = "修缮村道") -> int:
    token = csrf_of(client, "/deliberation/matters/new")
    response = client.post(
        "/deliberation/matters",
        data={
            "csrf_token": token,
            "region_code": VILLAGE,
            "title": title,
            "description": "村东道路硬化",
            "template_key": "si_yi_liang_gong_kai",
        },
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def test_the_clerk_opens_a_matter_convenes_signs_in_votes_and_decides(
    client: TestClient, db: Database
) -> None:
    # given the village and its clerk logged in
    village = make_village(db)
    page_login(client, village.users["clerk"])

    # when the clerk opens a matter (the procedures offered by name) and convenes the
    # branch committee
    form = client.get("/deliberation/matters/new").text
    assert '<option value="si_yi_liang_gong_kai">四议两公开</option>' in form
    # (the village picked by name from the clerk's scope, its code only the value)
    assert f'<option value="{VILLAGE}" selected>青篮社区</option>' in form
    matter_id = _open(client)
    page = client.get(f"/deliberation/matters/{matter_id}")
    assert page.status_code == 200
    assert "修缮村道" in page.text
    token = csrf_of(client, f"/deliberation/matters/{matter_id}")
    response = client.post(
        f"/deliberation/matters/{matter_id}/meetings",
        data={
            "csrf_token": token,
            "notified_on": "2026-11-28",
            "starts_at": "2026-11-30T09:00",
            "voting": "show_of_hands",
            "body": "branch_committee",
        },
    )
    assert response.status_code == 303, response.text
    meeting_path = response.headers["location"]
    meeting_id = int(meeting_path.rsplit("/", 1)[1])

    # and signs in four of the five by tapping (htmx), one of them twice
    with db.transaction() as session:
        members = [m.id for m in svc.members_of(session, meeting_id)]
    token = csrf_of(client, meeting_path)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    for member_id in [*members[:4], members[0]]:
        tapped = client.post(f"{meeting_path}/sign-in/{member_id}?lang=en", headers=headers)
        assert tapped.status_code == 200
    # then the console shows the live arithmetic
    assert "4 of 5 present &gt; 1/2 of 5: quorum reached" in tapped.text
    # and the show of hands is recorded, a photo of the sheet kept, the meeting decided
    client.post(f"{meeting_path}/totals", data={"yes": "3", "no": "1"}, headers=headers)
    photo = client.post(
        f"{meeting_path}/files",
        data={"csrf_token": token, "purpose": "sign_in"},
        files={"file": ("sheet.jpg", b"\xff\xd8\xff\xe0" + b"0" * 64, "image/jpeg")},
    )
    assert photo.status_code == 303, photo.text
    closed = client.post(f"{meeting_path}/close", data={"csrf_token": token})
    assert closed.status_code == 303
    with db.transaction() as session:
        meeting = session.get(Meeting, meeting_id)
        matter = session.get(Matter, matter_id)
        assert meeting is not None
        assert matter is not None
        assert (meeting.present, meeting.yes, meeting.outcome) == (4, 3, "adopted")
        assert matter.stage_id == "deliberation"
        sheet = session.scalars(select(DeliberationFile)).one()
        assert sheet.owner_type == "meeting"
        assert sheet.purpose == "sign_in"
    # and the matter page explains the decision in the reader's language
    page = client.get(f"/deliberation/matters/{matter_id}?lang=en")
    assert "3 in favour &gt; 1/2 of all 5 members: adopted" in page.text
    console = client.get(meeting_path)
    assert console.status_code == 200
    # and the kept photo is named by what it is, not by its code
    assert "sheet.jpg</a> · 已签名的签到表" in console.text
    assert "· sign_in" not in console.text
    listing = client.get("/deliberation")
    assert listing.status_code == 200
    # and the matters list names the matter's community, not its code
    assert '<span class="muted small">青篮社区</span>' in listing.text


def test_the_villagers_meeting_too_soon_is_refused_on_the_page(
    client: TestClient, db: Database
) -> None:
    village = make_village(db, households=6, minors=2, representatives=8, party_members=6)
    page_login(client, village.users["secretary"])
    matter_id = _open(client)
    with db.transaction() as session:
        matter = session.get(Matter, matter_id)
        assert matter is not None
        matter.stage_id = "decision"
    token = csrf_of(client, f"/deliberation/matters/{matter_id}")
    response = client.post(
        f"/deliberation/matters/{matter_id}/meetings",
        data={
            "csrf_token": token,
            "notified_on": "2026-11-25",
            "starts_at": "2026-11-30T09:00",
            "body": "villagers_meeting",
        },
    )
    assert response.status_code == 409
    assert "2026-12-05" in response.text


def test_supervision_view_for_auditors_not_for_grid_workers(
    client: TestClient, db: Database
) -> None:
    village = make_village(db, households=6, minors=2, representatives=8, party_members=6)
    from tests.factories import make_user

    make_user(db, "dl_grid", "grid_worker", VILLAGE)
    page_login(client, village.users["supervisor"])
    response = client.get("/deliberation/supervision")
    assert response.status_code == 200
    client.cookies.clear()
    page_login(client, "dl_grid")
    assert client.get("/deliberation/supervision").status_code == 403


def test_the_deliberation_tabs_are_only_those_the_viewer_may_open(
    client: TestClient, db: Database
) -> None:
    # given the village's clerk and a dispatcher of the district
    village = make_village(db, households=6, minors=2, representatives=8, party_members=6)
    from tests.factories import make_user

    make_user(db, "dl_dispatcher", "dispatcher", "440512")
    # when each opens the deliberation home
    page_login(client, village.users["clerk"])
    clerk = client.get("/deliberation").text
    client.cookies.clear()
    page_login(client, "dl_dispatcher")
    dispatcher = client.get("/deliberation").text
    # then the clerk has every tab, and the dispatcher only moderation
    for tab in ("/deliberation/proposals", "/deliberation/elections", "/deliberation/moderation"):
        assert f'href="{tab}"' in clerk
    assert 'href="/deliberation/proposals"' not in dispatcher
    assert 'href="/deliberation/elections"' not in dispatcher
    assert 'href="/deliberation/moderation"' in dispatcher
    assert client.get("/deliberation/elections").status_code == 403


def test_an_outsider_does_not_see_the_village_matter(client: TestClient, db: Database) -> None:
    village = make_village(db, households=6, minors=2, representatives=8, party_members=6)
    page_login(client, village.users["secretary"])
    matter_id = _open(client)
    client.cookies.clear()
    page_login(client, village.users["outsider"])
    assert client.get(f"/deliberation/matters/{matter_id}").status_code == 404


def test_the_implementation_page_adds_and_marks_milestones(
    client: TestClient, db: Database
) -> None:
    village = make_village(db, households=6, minors=2, representatives=8, party_members=6)
    page_login(client, village.users["secretary"])
    matter_id = _open(client)
    with db.transaction() as session:
        row = svc.do_start_implementation(
            session,
            actor=Actor.system("test"),
            region_code=VILLAGE,
            title="修缮村道",
            now=FIXED_NOW,
            matter_id=matter_id,
        )
        implementation_id = row.id
    path = f"/deliberation/implementations/{implementation_id}"
    token = csrf_of(client, path)
    added = client.post(
        f"{path}/milestones",
        data={
            "csrf_token": token,
            "title": "路基",
            "due_on": str(FIXED_NOW.date() - timedelta(days=1)),
        },
    )
    assert added.status_code == 303
    page = client.get(path + "?lang=en")
    assert "路基" in page.text
    assert 'class="bad"' in page.text
    supervision = client.get("/deliberation/supervision")
    assert "路基" in supervision.text
    # and a due date that is not a date is refused naming the field as the form does
    refused = client.post(
        f"{path}/milestones",
        data={"csrf_token": token, "title": "路面", "due_on": "下周"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert refused.status_code == 422
    assert "计划完成日期 不是有效的日期。" in refused.text
    assert "due_on 不是" not in refused.text


def test_a_matter_without_a_title_is_refused_in_words_of_the_page_language(
    client: TestClient, db: Database
) -> None:
    # Given the village's clerk on the new-matter form (a title of spaces passes the
    # browser's required check)
    village = make_village(db)
    page_login(client, village.users["clerk"])
    token = csrf_of(client, "/deliberation/matters/new")
    # When the form is sent with a blank title on a Chinese page
    response = client.post(
        "/deliberation/matters",
        data={"csrf_token": token, "region_code": VILLAGE, "title": "   "},
        headers={"Accept-Language": "zh-CN"},
    )
    # Then the page says so in Chinese, not the field's code in English
    assert response.status_code == 422
    assert "请填写标题。" in response.text
    assert "title is required" not in response.text
