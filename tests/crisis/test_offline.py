"""The field app in a real browser: offline, a report, a check-in and a case update are
kept on the phone, survive closing the page, arrive exactly once when the network
returns, and a case changed meanwhile is shown to the worker to resolve. Each field
page weighs at most 150 KB on first load."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.cases.rules import Channel
from gridgov.crisis.models import HouseholdCheckin, SyncReceipt
from gridgov.db import Database
from gridgov.outreach.models import Visit
from tests.conftest import FIXED_NOW
from tests.crisis import browser
from tests.crisis.factories import make_world, open_typhoon
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow  # a real Chromium, offline and back

live_server = browser.live_server
chromium = browser.chromium

SYSTEM = Actor.system("test")
REPORT = "海滨路3号的电线杆被台风吹斜了，随时可能倒下"
FIELD_PAGE_BUDGET = 150 * 1024


def _case_in_grid_1(db: Database) -> tuple[int, int]:
    with db.transaction() as session:
        cases.do_load_categories(
            session,
            actor=SYSTEM,
            rows=cases.category_rows(cases.default_category_document()),
            now=FIXED_NOW,
        )
    with db.transaction() as session:
        intake = cases.do_intake(
            session,
            actor=SYSTEM,
            value=cases.IntakeInput(
                description="小区门口垃圾堆了三天没人清理，味道很大",
                channel=Channel.WEB,
                category_code="E0101",
                lon=116.705,
                lat=23.29,
                source="test",
            ),
            now=FIXED_NOW,
        )
        assert intake.case.state == "assigned", intake.case.state
        return intake.case.id, intake.case.version


def _login(context: Any, base: str, username: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    return page


def _wait_cached(page: Any, path: str) -> None:
    for _attempt in range(100):
        if page.evaluate("(path) => caches.match(path).then((hit) => Boolean(hit))", path):
            return
        page.wait_for_timeout(100)
    pytest.fail(f"{path} was not kept for offline use")


def _expect_waiting(page: Any, count: int) -> None:
    expect(page.locator("#sync-bar [data-count]")).to_have_attribute(
        "data-count", str(count), timeout=20_000
    )


@pytest.mark.parametrize("path", ["/field", "/cases", "/crisis/{incident}/checkins"])
def test_each_field_page_weighs_at_most_150_kb_on_first_load(
    db: Database, live_server: str, chromium: Any, path: str
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = _login(context, live_server, "chen.worker")
        fresh = context.new_page()  # the login page's files are in the HTTP cache now:
        fresh.route("**/*", lambda route: route.continue_())  # route() bypasses that cache
        fresh.goto(live_server + path.format(incident=incident_id), wait_until="load")
        weight = fresh.evaluate(
            """() => performance.getEntries()
                .filter((e) => 'transferSize' in e)
                .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"""
        )
        page.close()
    finally:
        context.close()
    print(f"{path}: {weight} bytes on first load (budget {FIELD_PAGE_BUDGET})")
    assert 0 < weight <= FIELD_PAGE_BUDGET


def test_offline_work_survives_a_closed_page_and_arrives_once_with_conflicts_shown(
    db: Database, live_server: str, chromium: Any
) -> None:
    # given a worker of grid 1 with a typhoon incident and a case assigned to the grid
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    case_id, case_version = _case_in_grid_1(db)
    household = world.households["QL-001"]
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = _login(context, live_server, "chen.worker")
        # who opened the field app and the check-in list once while online
        page.goto(f"{live_server}/field")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        checkins = f"{live_server}/crisis/{incident_id}/checkins"
        # (the check-in list and the case list are kept without being opened: today's work)
        for path in (f"/crisis/{incident_id}/checkins", "/cases"):
            _wait_cached(page, path)

        # when the network drops
        context.set_offline(True)
        page.goto(f"{live_server}/field")
        expect(page.locator("#sync-bar [data-online]")).to_contain_text("离线", timeout=20_000)
        # and the worker files a report
        page.fill("#field-report textarea[name=description]", REPORT)
        page.click("#field-report button[type=submit]")
        _expect_waiting(page, 1)
        # and starts the case, on the version they saw
        case_form = page.locator(f"#case-{case_id} form")
        case_form.locator("select[name=step]").select_option("start")
        case_form.locator("input[name=note]").fill("已到现场，联系环卫")
        case_form.locator("button[type=submit]").click()
        _expect_waiting(page, 2)
        # and records a household on the cached check-in list
        page.goto(checkins)
        row = page.locator(f"#h{household}")
        row.locator("input[name=status][value=needs_help]").check()
        row.locator("input[name=needs][value=medicine]").check()
        row.locator("button[type=submit]").click()
        _expect_waiting(page, 3)

        # then closing the page loses nothing
        page.close()
        page = context.new_page()
        page.goto(f"{live_server}/field")
        _expect_waiting(page, 3)
        assert "3 个待同步" in page.inner_text("#sync-bar")

        # while someone else acknowledges the case on the server
        with db.transaction() as session:
            case = session.get(Case, case_id)
            assert case is not None
            cases.do_acknowledge(session, actor=world.worker_1, case=case, now=FIXED_NOW)
        # when the network returns
        context.set_offline(False)
        _expect_waiting(page, 0)
        # then the report and the check-in arrived exactly once
        with db.session() as session:
            reports = session.scalar(
                select(func.count()).select_from(Case).where(Case.description == REPORT)
            )
            checkin = session.scalar(
                select(HouseholdCheckin).where(HouseholdCheckin.household_id == household)
            )
            receipts = session.scalar(select(func.count()).select_from(SyncReceipt))
            case = session.get(Case, case_id)
        assert reports == 1
        assert checkin is not None
        assert (checkin.status, checkin.needs, checkin.version) == ("needs_help", "medicine", 2)
        assert receipts == 2
        assert case is not None
        assert case.state == "acknowledged"  # not overwritten by the stale offline edit
        # and the stale case update waits for the worker, showing both sides
        conflict = page.locator("#sync-bar .conflict")
        conflict.wait_for()
        assert "已到现场" in conflict.inner_text()
        assert "已签收" in conflict.inner_text() or "签收" in conflict.inner_text()
        # when the worker keeps theirs, it is applied on top of the current version
        conflict.locator("button", has_text="保留我的").click()
        expect(page.locator("#sync-bar .conflict")).to_have_count(0)
        page.reload()  # a replay after reload sends nothing twice
        _expect_waiting(page, 0)
        with db.session() as session:
            case = session.get(Case, case_id)
            assert case is not None
            assert case.state == "in_progress"
            assert case.version > case_version + 1
            assert (
                session.scalar(
                    select(func.count()).select_from(Case).where(Case.description == REPORT)
                )
                == 1
            )
    finally:
        context.close()


def test_a_visit_logged_offline_arrives_once_after_the_page_is_reopened(
    db: Database, live_server: str, chromium: Any
) -> None:
    # given a worker of grid 1 who opened the field app once while online
    world = make_world(db)
    household = world.households["QL-002"]
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = _login(context, live_server, "chen.worker")
        page.goto(f"{live_server}/field")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        # when the network drops and they log a visit to the Kim household
        context.set_offline(True)
        page.goto(f"{live_server}/field")
        form = page.locator("#field-visit")
        form.locator("select[name=household_id]").select_option(str(household))
        form.locator("select[name=kind]").select_option("phone")
        form.locator("textarea[name=heard]").fill("金女士希望社区有韩语的防台风通知")
        form.locator("button[type=submit]").click()
        _expect_waiting(page, 1)
        # then closing the page keeps it
        page.close()
        page = context.new_page()
        page.goto(f"{live_server}/field")
        _expect_waiting(page, 1)
        # and when the network returns it arrives, once, even after a reload
        context.set_offline(False)
        _expect_waiting(page, 0)
        page.reload()
        _expect_waiting(page, 0)
        with db.session() as session:
            visits = session.scalars(select(Visit).where(Visit.household_id == household)).all()
            receipts = session.scalar(select(func.count()).select_from(SyncReceipt))
        assert len(visits) == 1
        assert (visits[0].kind, visits[0].heard) == ("phone", "金女士希望社区有韩语的防台风通知")
        assert visits[0].recorded_by == "chen.worker"
        assert receipts == 1
    finally:
        context.close()


def test_a_report_sent_online_says_sent_and_one_kept_offline_says_it_waits(
    db: Database, live_server: str, chromium: Any
) -> None:
    # given a worker of grid 1 on the field app, online
    make_world(db)
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    try:
        page = _login(context, live_server, "chen.worker")
        page.goto(f"{live_server}/field")
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        note = page.locator("#field-report .queued")
        # when they send a report while the network is up
        page.fill("#field-report textarea[name=description]", REPORT)
        page.click("#field-report button[type=submit]")
        # then the form says it was sent, not that it waits on the phone
        expect(note).to_have_text("已发送。", timeout=20_000)
        _expect_waiting(page, 0)
        with db.session() as session:
            count = select(func.count()).select_from(Case).where(Case.description == REPORT)
            assert session.scalar(count) == 1
        # and when the network drops, the next report says it is kept until it returns
        context.set_offline(True)
        expect(page.locator("#sync-bar [data-online]")).to_contain_text("离线", timeout=20_000)
        page.fill("#field-report textarea[name=description]", "台风过后海滨路有树倒在路中间")
        page.click("#field-report button[type=submit]")
        expect(note).to_contain_text("网络恢复后", timeout=20_000)
        _expect_waiting(page, 1)
    finally:
        context.close()
