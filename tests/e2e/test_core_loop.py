"""The core loop on phones, as the people in it use it (issue 10): a resident reports
on the map, the case goes to a department, its staff report in and resolve with a
photo, the community checks it, the resident sees what was done and rates it; and the
grid path, where the grid's worker resolves and someone else checks."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gridgov.cases.models import Case
from gridgov.db import Database
from tests import photos
from tests.cases.factories import make_cases_world
from tests.e2e.conftest import Phone
from tests.factories import PASSWORD

JPEG = photos.jpeg()
pytestmark = pytest.mark.e2e


def report_on_the_map(page: Any, text: str, category: str) -> str:
    """The resident's report: describe, choose the kind, tap the map, send; the code."""
    page.goto("/report")
    page.fill("textarea[name=description]", text)
    page.select_option("select[name=category]", category)
    page.wait_for_selector("#report-map .leaflet-interactive, #report-map path")
    page.locator("#report-map").scroll_into_view_if_needed()  # below the fold on a phone
    box = page.locator("#report-map").bounding_box()
    # A fifth of the way across the district: inside 青篮社区第1网格.
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.5)
    assert page.input_value("#report-lon")
    page.click("#report-form button[type=submit]")
    code = str(page.inner_text(".tracking-code code"))
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    return code


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_selector("#work")


def open_from_work_list(page: Any, code: str, list_name: str) -> None:
    """One tap from the home's work list to the case."""
    count = page.locator(f".counts a[href^='/?list={list_name}'] strong")
    assert int(count.inner_text()) >= 1
    page.click(f".caselist a:has(code:text('{code}'))")
    page.wait_for_selector("#actions")


def steps_on(page: Any) -> set[str]:
    actions = page.locator("#actions form[action*='/act/']")
    return {
        (actions.nth(i).get_attribute("action") or "").rsplit("/", 1)[-1]
        for i in range(actions.count())
    }


def case_state(db: Database, code: str) -> str:
    with db.session() as session:
        from sqlalchemy import select

        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        return case.state


def test_a_department_matter_from_report_to_rating(db: Database, phone: Phone) -> None:
    make_cases_world(db)
    resident = phone()
    # Given a resident who reports a broken street light on the map
    code = report_on_the_map(resident, "小区门口的路灯坏了，晚上一片漆黑", "C0102")
    assert case_state(db, code) == "assigned"
    resident.loads.clear()

    # When the bureau's staff member signs in, finds it in the inbox, reports in,
    # and resolves it with a photo
    staff = phone()
    sign_in(staff, "xu.dept")
    open_from_work_list(staff, code, "new")
    assert steps_on(staff) == {"acknowledge", "resolve", "return"}  # no higher rung
    staff.click("form[action$='/act/acknowledge'] button")
    staff.wait_for_selector("form[action$='/act/resolve']")
    staff.fill("form[action$='/act/resolve'] textarea[name=note]", "已更换灯泡，路灯恢复照明")
    staff.set_input_files(
        "form[action$='/act/resolve'] input[type=file]",
        files=[{"name": "after.jpg", "mimeType": "image/jpeg", "buffer": JPEG}],
    )
    staff.click("form[action$='/act/resolve'] button[type=submit]")
    staff.wait_for_selector(".state-resolved")
    assert "verify" not in steps_on(staff)  # nobody checks their own result
    assert case_state(db, code) == "resolved"

    # And the community checks it on the spot
    community = phone()
    sign_in(community, "wu.community")
    open_from_work_list(community, code, "check")
    community.check("form[action$='/act/verify'] input[value=passed]")
    community.click("form[action$='/act/verify'] button[type=submit]")
    community.wait_for_selector(".state-closed")

    # Then the resident reads, in words, what was done, sees the photo, and rates it
    # (through the private link the confirmation page gave: the code alone grants nothing)
    resident.click(f"a[href^='/track/{code}?k=']")
    outcome = resident.inner_text("#outcome")
    assert "已更换灯泡，路灯恢复照明" in outcome
    assert resident.locator("#outcome img").count() == 1
    resident.check("input[name=rating][value=satisfied]")
    resident.click("form[action$='/rating'] button[type=submit]")
    resident.wait_for_selector("text=满意")
    with db.session() as session:
        from sqlalchemy import select

        case = session.scalar(select(Case).where(Case.tracking_code == code))
        assert case is not None
        assert (case.state, case.rating) == ("closed", "satisfied")
    loads = len(staff.loads) + len(community.loads) + len(resident.loads)
    assert loads <= 12, (staff.loads, community.loads, resident.loads)


def test_a_grid_matter_resolved_by_the_worker_and_checked_by_another(
    db: Database, phone: Phone
) -> None:
    make_cases_world(db)
    resident = phone()
    code = report_on_the_map(resident, "小区门口垃圾堆了三天没人清理", "E0101")
    assert case_state(db, code) == "assigned"

    worker = phone()
    sign_in(worker, "chen.worker")
    open_from_work_list(worker, code, "new")
    worker.click("form[action$='/act/acknowledge'] button")
    worker.wait_for_selector(".state-acknowledged")
    worker.fill("form[action$='/act/resolve'] textarea[name=note]", "已清理完毕")
    worker.click("form[action$='/act/resolve'] button[type=submit]")
    worker.wait_for_selector(".state-resolved")
    # The worker is not offered the check of their own result
    assert "verify" not in steps_on(worker)

    dispatcher = phone()
    sign_in(dispatcher, "lin.dispatch")
    open_from_work_list(dispatcher, code, "check")
    dispatcher.check("form[action$='/act/verify'] input[value=passed]")
    dispatcher.click("form[action$='/act/verify'] button[type=submit]")
    dispatcher.wait_for_selector(".state-closed")
    assert case_state(db, code) == "closed"
