"""Case pages on both engines: the public report form and tracking page, the lists, the
case page and its forms, photos, and the map's counts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.cases import clocks, pages, reporter
from gridgov.cases import service as cases
from gridgov.cases.holidays import calendar_for
from gridgov.cases.models import Case, Photo
from gridgov.cases.rules import Channel
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.web.app import create_app
from gridgov.web.deps import get_now, route_table
from tests.cases.factories import DEPARTMENT, IN_GRID_1, make_cases_world, report
from tests.conftest import FIXED_NOW
from tests.factories import csrf_of, make_user, page_login
from tests.photos import jpeg, png

IN_GRID_2 = (116.715, 23.29)  # 青篮社区第2网格
PNG = png()
JPEG = jpeg()
EN = {"Accept-Language": "en"}


def load(db: Database, case_id: int) -> Case:
    with db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def count_cases(db: Database) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def tracking_code_in(html: str) -> str:
    found = re.search(r'class="tracking-code"><code>([A-Z0-9]+)</code>', html)
    assert found, html
    return found.group(1)


def act(
    client: TestClient,
    case_id: int,
    step: str,
    data: dict[str, str] | None = None,
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None,
) -> httpx2.Response:
    token = csrf_of(client, f"/cases/{case_id}")
    return client.post(
        f"/cases/{case_id}/act/{step}",
        data={"csrf_token": token, **(data or {})},
        files=files,
        headers=EN,
    )


def switch_user(client: TestClient, username: str) -> None:
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    page_login(client, username)


def close(db: Database, people: dict[str, Actor], case_id: int) -> None:
    worker = people["chen.worker"]
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        cases.do_acknowledge(session, actor=worker, case=case, now=FIXED_NOW)
        cases.do_start(session, actor=worker, case=case, now=FIXED_NOW)
        cases.do_resolve(session, actor=worker, case=case, note="已清理", now=FIXED_NOW)
        cases.do_verify(
            session, actor=people["wu.community"], case=case, passed=True, note="", now=FIXED_NOW
        )


# ---------------------------------------------------------------- the public report form


def test_the_report_form_takes_an_anonymous_report_with_a_point(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given the public form, opened without logging in
    form = client.get("/report", headers=EN)
    assert form.status_code == 200
    assert 'name="idempotency_key"' in form.text
    assert "E0101" in form.text  # the catalogue's leaves are offered
    # When a resident reports anonymously with a point in grid 1 and a photo
    response = client.post(
        "/report",
        data={
            "csrf_token": hidden(form.text, "csrf_token"),
            "idempotency_key": hidden(form.text, "idempotency_key"),
            "description": "小区门口垃圾堆了三天没人清理",
            "category": "E0101",
            "lon": str(IN_GRID_1[0]),
            "lat": str(IN_GRID_1[1]),
            "name": "王先生",
            "phone": "13812345678",
            "anonymous": "1",
        },
        files=[("photos", ("gate.png", PNG, "image/png"))],
        headers=EN,
    )
    # Then the tracking code is shown with the reporter's private link to its page
    assert response.status_code == 200, response.text
    code = tracking_code_in(response.text)
    assert f'href="/track/{code}?k=' in response.text
    with db.session() as session:
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        photos = session.scalars(select(Photo).where(Photo.case_id == case.id)).all()
    # and the case is on the web channel, located, routed, with nothing of the reporter
    assert (case.channel, case.grid_code, case.state) == ("web", "44051200100101", "assigned")
    assert case.anonymous
    assert case.reporter_name == ""
    assert case.reporter_phone_enc is None
    assert [p.content_type for p in photos] == ["image/png"]


def test_a_report_without_a_point_or_a_category_waits_for_the_dispatcher(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    form = client.get("/report")
    assert "您的姓名<input" in form.text  # a person's name, not 名称 (a thing's)
    response = client.post(
        "/report",
        data={
            "csrf_token": hidden(form.text, "csrf_token"),
            "idempotency_key": hidden(form.text, "idempotency_key"),
            "description": "路灯坏了好几天，晚上很黑",
            "address": "某个不存在的地址",
            "name": "王先生",
            "phone": "13812345678",
        },
        headers=EN,
    )
    assert response.status_code == 200, response.text
    code = tracking_code_in(response.text)
    with db.session() as session:
        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
    assert (case.lon, case.grid_code, case.state) == (None, None, "submitted")
    assert case.reporter_name == "王先生"
    assert case.reporter_phone_masked is not None
    assert "5678" in case.reporter_phone_masked


def test_a_double_submit_makes_one_case(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    form = client.get("/report")
    data = {
        "csrf_token": hidden(form.text, "csrf_token"),
        "idempotency_key": hidden(form.text, "idempotency_key"),
        "description": "小区门口垃圾堆了三天没人清理",
        "category": "E0101",
        "lon": str(IN_GRID_1[0]),
        "lat": str(IN_GRID_1[1]),
    }
    first = client.post("/report", data=data, headers=EN)
    second = client.post("/report", data=data, headers=EN)
    assert first.status_code == second.status_code == 200
    assert tracking_code_in(first.text) == tracking_code_in(second.text)
    assert count_cases(db) == 1


def test_a_report_with_problems_comes_back_with_the_messages(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    form = client.get("/report")
    response = client.post(
        "/report",
        data={
            "csrf_token": hidden(form.text, "csrf_token"),
            "idempotency_key": hidden(form.text, "idempotency_key"),
            "description": "脏",
            "lon": "116.7",
            "lat": "",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Describe the problem in a few words." in response.text
    assert "Give both longitude and latitude, or neither." in response.text
    assert count_cases(db) == 0


def test_a_report_without_the_csrf_token_is_refused(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    client.get("/report")
    response = client.post("/report", data={"description": "小区门口垃圾堆了三天"})
    assert response.status_code == 403
    assert count_cases(db) == 0


def test_the_report_area_is_the_district_outline(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    response = client.get("/report/area.geojson")
    assert response.status_code == 200
    feature = response.json()
    assert feature["properties"]["code"] == "440512"
    assert feature["geometry"]["type"] == "Polygon"


# ---------------------------------------------------------------- tracking


def test_the_tracking_page_shows_the_state_and_no_reporter(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    assert case.reporter_phone_masked
    response = client.get(f"/track/{case.tracking_code.lower()}", headers=EN)
    assert response.status_code == 200
    assert case.tracking_code in response.text
    assert ">Assigned<" in response.text
    assert "陈女士" not in response.text
    assert case.reporter_phone_masked not in response.text
    assert "13812345678" not in response.text
    # The form on /track goes to the page; an unknown code says so
    redirect = client.get(f"/track?code={case.tracking_code}")
    assert redirect.headers["location"] == f"/track/{case.tracking_code}"
    unknown = client.get("/track/ZZZZZZZZZZ", headers=EN)
    assert unknown.status_code == 404
    assert "No case has this tracking code." in unknown.text


def secret_for(db: Database, case: Case) -> str:
    """The reporter's secret, issued anew (the first one was shown once, at intake)."""
    with db.transaction() as session:
        loaded = session.get(Case, case.id)
        assert loaded is not None
        return reporter.issue_secret(loaded)


def test_the_reporter_rates_a_closed_case_once(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    secret = secret_for(db, case)
    open_page = client.get(f"/track/{case.tracking_code}?k={secret}")
    assert "/rating" not in open_page.text
    close(db, people, case.id)
    # Without the reporter's link the public page offers no rating
    assert "/rating" not in client.get(f"/track/{case.tracking_code}").text
    page = client.get(f"/track/{case.tracking_code}?k={secret}")
    assert f'action="/track/{case.tracking_code}/rating"' in page.text
    assert hidden(page.text, "k") == secret
    token = hidden(page.text, "csrf_token")
    rated = client.post(
        f"/track/{case.tracking_code}/rating",
        data={"csrf_token": token, "rating": "basically_satisfied", "note": "还行", "k": secret},
    )
    assert rated.status_code == 303
    assert load(db, case.id).rating == "basically_satisfied"
    again = client.post(
        f"/track/{case.tracking_code}/rating",
        data={"csrf_token": token, "rating": "dissatisfied", "k": secret},
        headers=EN,
    )
    assert again.status_code == 409
    assert "This case has been rated already." in again.text
    assert load(db, case.id).rating == "basically_satisfied"


def test_the_reporter_contests_a_close_once_and_only_a_close(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    secret = secret_for(db, case)
    token = csrf_of(client, "/report")
    early = client.post(
        f"/track/{case.tracking_code}/contest",
        data={"csrf_token": token, "reason": "没处理", "k": secret},
        headers=EN,
    )
    assert early.status_code == 409
    assert load(db, case.id).state == "assigned"
    close(db, people, case.id)
    contested = client.post(
        f"/track/{case.tracking_code}/contest",
        data={"csrf_token": token, "reason": "还是很脏", "k": secret},
    )
    assert contested.status_code == 303
    assert load(db, case.id).state == "in_progress"
    page = client.get(f"/track/{case.tracking_code}?k={secret}")
    assert "/contest" not in page.text


# ---------------------------------------------------------------- lists


def test_a_grid_worker_lists_the_open_cases_of_their_grid_only(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    mine = report(db)
    other = report(db, point=IN_GRID_2, phone="13900001111")
    held = report(db, text="加微信 http://spam.example.com 低价贷款", phone="13900002222")
    assert held.state == "submitted"
    page_login(client, "chen.worker")
    response = client.get("/cases")
    assert response.status_code == 200
    assert mine.tracking_code in response.text
    assert other.tracking_code not in response.text
    assert held.tracking_code not in response.text  # the dispatcher's until accepted
    assert "青篮社区第1网格" in response.text  # the grid by its name, not its code


def test_the_worker_list_waits_for_no_file_before_its_first_paint(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # given a worker with a case in their list
    mine = report(db)
    page_login(client, "chen.worker")
    # when they open the list
    html = client.get("/cases", headers=EN).text
    # then its stylesheets are in the page, with no link to fetch, no map's stylesheet
    # and no htmx (the list is plain links and forms)
    assert mine.tracking_code in html
    assert '<link rel="stylesheet"' not in html
    assert ".caserow" in html
    assert "leaflet" not in html
    assert "htmx.min.js" not in html


def test_the_worker_list_puts_overdue_cases_first(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    later = report(db, now=FIXED_NOW)
    late = report(db, point=(116.703, 23.285), now=FIXED_NOW.replace(month=9))
    page_login(client, "chen.worker")
    html = client.get("/cases", headers=EN).text
    assert html.index(late.tracking_code) < html.index(later.tracking_code)
    assert html.count("badge overdue") == 1


def test_the_dispatchers_new_view_shows_spam_suspects_with_their_buttons(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    spam = report(db, text="加微信 http://spam.example.com 低价贷款 低价贷款 低价贷款 低价贷款")
    routed = report(db, point=IN_GRID_2, phone="13900001111")
    assert spam.state == "submitted"
    page_login(client, "lin.dispatch")
    response = client.get("/cases?view=new", headers=EN)
    assert response.status_code == 200
    assert spam.tracking_code in response.text
    assert routed.tracking_code not in response.text
    assert "possible spam" in response.text
    assert f'action="/cases/{spam.id}/act/accept"' in response.text
    # Rejecting from the list comes back to the list
    token = hidden(response.text, "csrf_token")
    rejected = client.post(
        f"/cases/{spam.id}/act/reject",
        data={"csrf_token": token, "reason": "广告", "next": "/cases?view=new"},
    )
    assert rejected.status_code == 303
    assert rejected.headers["location"] == "/cases?view=new"
    assert load(db, spam.id).state == "rejected"


def test_a_likely_duplicate_is_hinted_and_merged(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    original = report(db)
    duplicate = report(
        db, text="门口垃圾又堆起来了", point=(116.7051, 23.2901), phone="13900001111"
    )
    page_login(client, "lin.dispatch")
    listing = client.get("/cases?view=new", headers=EN)
    assert f'href="/cases/{original.id}"' in listing.text
    merged = act(client, duplicate.id, "merge", {"original": f"#{original.id}"})
    assert merged.status_code == 303
    assert load(db, duplicate.id).duplicate_of_id == original.id


def test_pages_need_a_login_and_a_staff_role(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    assert client.get("/cases").status_code == 303
    make_user(db, "li.resident", "resident", "44051200100101")
    page_login(client, "li.resident")
    assert client.get("/cases").status_code == 403


# ---------------------------------------------------------------- the case page


def test_a_case_walks_through_the_page_forms_to_closed(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    page_login(client, "chen.worker")
    page = client.get(f"/cases/{case.id}", headers=EN)
    assert page.status_code == 200
    assert case.reporter_phone_masked
    assert case.reporter_phone_masked in page.text
    assert "13812345678" not in page.text
    # where it is and who handles it read as the grid's name, beside its code
    assert "青篮社区第1网格 <code>44051200100101</code>" in page.text
    assert "Grid · 青篮社区第1网格" in page.text
    assert f'action="/cases/{case.id}/act/acknowledge"' in page.text
    assert f'action="/cases/{case.id}/act/accept"' not in page.text  # not a dispatcher
    for step, data in (
        ("acknowledge", {}),
        ("start", {"note": "马上去"}),
    ):
        response = act(client, case.id, step, data)
        assert response.status_code == 303, step
        assert response.headers["location"] == f"/cases/{case.id}"
    resolved = act(
        client,
        case.id,
        "resolve",
        {"note": "已清理完毕"},
        files=[("photos", ("after.jpg", JPEG, "image/jpeg"))],
    )
    assert resolved.status_code == 303
    assert load(db, case.id).state == "resolved"
    # The worker does not check their own result: the community does
    page = client.get(f"/cases/{case.id}")
    assert f'action="/cases/{case.id}/act/verify"' not in page.text
    switch_user(client, "wu.community")
    page = client.get(f"/cases/{case.id}")
    assert f'action="/cases/{case.id}/act/verify"' in page.text
    verified = act(client, case.id, "verify", {"result": "passed", "note": "现场确认"})
    assert verified.status_code == 303
    done = load(db, case.id)
    assert done.state == "closed"
    with db.session() as session:
        kinds = [e.kind for e in cases.timeline(session, done)]
        photo = session.scalars(select(Photo).where(Photo.case_id == case.id)).one()
    assert kinds[-5:] == ["acknowledged", "started", "resolved", "verified", "closed"]
    assert photo.content_type == "image/jpeg"
    assert photo.event_id is not None


@pytest.mark.parametrize("zone", ["Europe/London"])
def test_resolving_on_the_page_counts_the_check_in_the_offices_zone(
    settings: Settings, db: Database, people: dict[str, Actor], zone: str
) -> None:
    # Given an office configured in another zone than the default, on a Friday evening
    # in London that is already Saturday in Shanghai
    friday = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    app = create_app(settings.model_copy(update={"timezone": zone}), database=db)
    app.dependency_overrides[get_now] = lambda: friday
    if "/cases/{case_id}" not in {route.path for route in route_table(app)}:
        app.include_router(pages.router)
    case = report(db)
    with TestClient(app, follow_redirects=False) as client:
        page_login(client, "chen.worker")
        # When the worker resolves the case on its page
        assert act(client, case.id, "resolve", {"note": "已清理完毕"}).status_code == 303
    # Then the on-the-spot check is due by the office's working days, not Shanghai's
    with db.session() as session:
        here = calendar_for(session, zone).due(friday, *clocks.VERIFICATION).at
        shanghai = calendar_for(session, "Asia/Shanghai").due(friday, *clocks.VERIFICATION).at
    assert here != shanghai
    assert load(db, case.id).verification_due_at == here


def test_a_refused_step_shows_the_message_and_a_409(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    page_login(client, "chen.worker")
    response = act(client, case.id, "start")
    assert response.status_code == 409
    assert "A case cannot go from Assigned to In progress." in response.text
    assert 'class="alert"' in response.text
    assert load(db, case.id).state == "assigned"
    # A step that needs a reason says so (422), and the case is unchanged
    missing = act(client, case.id, "escalate", {"reason": " "})
    assert missing.status_code == 422
    assert "A reason is required." in missing.text
    assert act(client, case.id, "fly").status_code == 404


def test_the_dispatcher_accepts_and_assigns_a_held_case(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    report(db)
    held = report(db, text="门口垃圾又堆起来了", point=(116.7051, 23.2901), phone="13900001111")
    assert held.state == "submitted"  # a likely duplicate waits for the dispatcher
    page_login(client, "lin.dispatch")
    page = client.get(f"/cases/{held.id}", headers=EN)
    assert "Possible duplicates" in page.text
    assert f'action="/cases/{held.id}/act/accept"' in page.text
    assert act(client, held.id, "accept").status_code == 303
    assert load(db, held.id).state == "accepted"
    assigned = act(
        client, held.id, "assign", {"level": "department", "department": "城市管理和综合执法局"}
    )
    assert assigned.status_code == 303
    after = load(db, held.id)
    assert (after.state, after.level) == ("assigned", "department")
    assert after.department_id is not None
    # An unknown level is refused in words
    unknown = act(client, held.id, "assign", {"level": "moon"})
    assert unknown.status_code in (409, 422)


def test_an_unlocated_report_reaches_the_dispatchers_queue(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db, point=None)
    page_login(client, "lin.dispatch")
    queue = client.get("/cases?view=new").text
    assert case.tracking_code in queue
    # accepted from the queue onto its page, where it is assigned by name (no grid)
    assert f'name="next" value="/cases/{case.id}"' in queue


def test_a_worker_of_another_grid_gets_404(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    make_user(db, "sun.worker", "grid_worker", "44051200100102")
    page_login(client, "sun.worker")
    assert client.get(f"/cases/{case.id}").status_code == 404
    token = csrf_of(client, "/cases")
    refused = client.post(f"/cases/{case.id}/act/acknowledge", data={"csrf_token": token})
    assert refused.status_code == 404
    assert load(db, case.id).state == "assigned"


def test_photos_are_served_with_their_type_and_only_in_scope(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    with db.transaction() as session:
        intake = cases.do_intake(
            session,
            actor=Actor.system("test"),
            value=cases.IntakeInput(
                description="小区门口垃圾堆了三天没人清理",
                channel=Channel.WEB,
                category_code="E0101",
                lon=IN_GRID_1[0],
                lat=IN_GRID_1[1],
                photos=[("image/png", PNG)],
            ),
            now=FIXED_NOW,
        )
        case_id = intake.case.id
        photo_id = session.scalars(select(Photo.id).where(Photo.case_id == case_id)).one()
    other = report(db, point=IN_GRID_2, phone="13900001111")
    page_login(client, "chen.worker")
    page = client.get(f"/cases/{case_id}")
    assert f'src="/cases/{case_id}/photos/{photo_id}?size=thumb"' in page.text
    assert f'href="/cases/{case_id}/photos/{photo_id}"' in page.text
    photo = client.get(f"/cases/{case_id}/photos/{photo_id}")
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/png"
    assert photo.content.startswith(b"\x89PNG")  # re-encoded, transparency kept
    # Not through another case's address, and not for a worker of another grid
    assert client.get(f"/cases/{other.id}/photos/{photo_id}").status_code == 404
    make_user(db, "sun.worker", "grid_worker", "44051200100102")
    switch_user(client, "sun.worker")
    assert client.get(f"/cases/{case_id}/photos/{photo_id}").status_code == 404


# ---------------------------------------------------------------- the map


def test_the_map_counts_open_cases_per_cell_in_scope(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    report(db)
    report(db, point=(116.707, 23.29), phone="13900001111")
    report(db, point=IN_GRID_2, phone="13900002222")
    closed = report(db, point=(116.703, 23.285), phone="13900003333")
    close(db, people, closed.id)
    page_login(client, "lin.dispatch")
    coarse = client.get("/cases/map.json?zoom=10").json()
    assert coarse["total"] == 3
    assert coarse["unlocated"] == 0
    assert [cell["count"] for cell in coarse["cells"]] == [3]
    fine = client.get("/cases/map.json?zoom=18").json()
    assert sorted(cell["count"] for cell in fine["cells"]) == [1, 1, 1]
    assert all("case_id" in cell for cell in fine["cells"])
    assert client.get("/cases/map").status_code == 200
    # A grid worker counts their grid's only
    switch_user(client, "chen.worker")
    assert client.get("/cases/map.json?zoom=10").json()["total"] == 2


# ---------------------------------------------------------------- pure parts


def test_photos_are_typed_by_their_bytes() -> None:
    assert pages.sniff(PNG) == "image/png"
    assert pages.sniff(JPEG) == "image/jpeg"
    assert pages.sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert pages.sniff(b"<html>") is None


def test_the_notifications_page_marks_them_seen_while_another_writer_commits(
    db: Database, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a grid worker with a notification, and another writer (the outbox, a
    # colleague) that commits while the page is reading the inbox
    make_cases_world(db)
    filed = report(db)
    inbox = cases.inbox

    def inbox_then_someone_writes(*args: Any, **kwargs: Any) -> Any:
        messages = inbox(*args, **kwargs)
        with db.transaction() as other:
            other.execute(
                update(Case).where(Case.id == filed.id).values(description="门口的垃圾堆满了")
            )
        return messages

    monkeypatch.setattr(cases, "inbox", inbox_then_someone_writes)
    page_login(client, "chen.worker")
    # When the worker opens the notifications page
    answer = client.get("/notifications")
    # Then it answers (a read transaction upgraded to a write failed here on SQLite: 503)
    # and the notifications count as seen
    assert answer.status_code == 200, answer.text
    with db.session() as session:
        seen = session.scalar(
            select(User.notifications_seen_at).where(User.username == "chen.worker")
        )
    assert seen is not None


def test_the_dispatcher_sends_an_unlocated_report_to_a_department(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a report sent without a point on the map, accepted by the dispatcher
    case = report(db, point=None)
    page_login(client, "lin.dispatch")
    page = client.get(f"/cases/{case.id}", headers=EN)
    assert 'name="assign" value="1" >' in page.text  # not assigned at once: no grid
    assert act(client, case.id, "accept").status_code == 303
    # When the case page is opened again
    accepted = client.get(f"/cases/{case.id}", headers=EN)
    # Then it offers to assign, and the routing rules are refused in words
    assert f'action="/cases/{case.id}/act/assign"' in accepted.text
    assert f'<option value="{DEPARTMENT}">' in accepted.text  # offered by name
    by_rules = act(client, case.id, "assign")
    assert by_rules.status_code == 422
    assert "The case is in no grid: assign it to a department by name." in by_rules.text
    # And a department named by the dispatcher takes it
    sent = act(client, case.id, "assign", {"department": DEPARTMENT})
    assert sent.status_code == 303
    after = load(db, case.id)
    assert (after.state, after.level, after.unit_code) == ("assigned", "department", "440512")
    assert after.department_id is not None
    # and the dispatcher, and the department's staff, still see it
    assert client.get(f"/cases/{case.id}").status_code == 200
    switch_user(client, "xu.dept")
    assert f'action="/cases/{case.id}/act/acknowledge"' in client.get(f"/cases/{case.id}").text


def test_a_report_without_a_name_shows_no_reporter_rather_than_who_filed_it(
    client: TestClient, db: Database, people: dict[str, Actor]
) -> None:
    # Given a report from the public form with no name given (not ticked anonymous)
    with db.transaction() as session:
        case = cases.do_intake(
            session,
            actor=Actor(username="anonymous", role="anonymous"),
            value=cases.IntakeInput(
                description="小区门口路灯坏了好几天", channel=Channel.WEB, category_code="E0101"
            ),
            now=FIXED_NOW,
        ).case
    # When the dispatcher opens it
    page_login(client, "lin.dispatch")
    page = client.get(f"/cases/{case.id}", headers=EN).text
    # Then the reporter reads as a dash, and the timeline names the reporter by role
    # alone (no account name for someone without an account)
    assert "<dd>— <span" in page
    assert "anonymous · " not in page
    assert "· Anonymous</span>" in page
