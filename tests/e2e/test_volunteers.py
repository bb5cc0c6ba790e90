"""Volunteers on a 360 px phone, in a real browser: the grid worker opens the team,
the activity's check-in list, checks a volunteer in and out with one tap each, and
reads the hours table; no page is wider than the phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.outreach import volunteers
from gridgov.outreach.rules import ActivityDraft
from gridgov.registry import service as registry
from tests.e2e.conftest import PHONE
from tests.e2e.test_maps_and_wall import sign_in
from tests.factories import mainland_id, make_territory, make_user

pytestmark = pytest.mark.e2e
COMMUNITY = "440512001001"
GRID = "44051200100101"


def _width(page: Any) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_a_worker_checks_volunteers_in_and_out_on_a_phone(db: Database, page: Any) -> None:
    # Given a team with two members and an activity that started an hour ago (real clock)
    make_territory(db)
    make_user(db, "wang.worker", "grid_worker", COMMUNITY)
    now = datetime.now(UTC)
    worker = volunteers.Acting(Actor(username="wang.worker", role="grid_worker", scope=COMMUNITY))
    with db.transaction() as session:
        ids = [
            registry.do_create_resident(
                session,
                actor=Actor.system(),
                value=registry.ResidentInput(
                    name=name, doc_type="mainland_id", id_number=number, grid_code=GRID
                ),
                now=now - timedelta(days=30),
            ).id
            for name, number in (
                ("陈志愿", mainland_id("19800101", "011")),
                ("欧阳热心肠志愿者", mainland_id("19900202", "022")),
            )
        ]
        team = volunteers.do_create_team(
            session,
            actor=worker.actor,
            region_code=COMMUNITY,
            name="青篮社区国际志愿服务队",
            international=True,
            leader_id=ids[0],
            today=now.date(),
            now=now,
        )
        volunteers.do_add_member(
            session, acting=worker, team=team, resident_id=ids[1], today=now.date(), now=now
        )
        activity = volunteers.do_create_activity(
            session,
            acting=worker,
            team=team,
            draft=ActivityDraft(
                title="涉外社区清洁日暨垃圾分类宣传督导活动",
                place="青篮公园东门广场（靠近社区党群服务中心）",
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(hours=2),
                capacity=10,
                credit_minutes=120,
            ),
            now=now - timedelta(days=1),
        )
        for rid in ids:
            volunteers.do_sign_up(
                session, acting=worker, activity=activity, team=team, resident_id=rid, now=now
            )
        team_id, activity_id = team.id, activity.id
    # when the worker opens the team and the activity on a phone
    sign_in(page, "wang.worker")
    page.goto(f"/volunteers/teams/{team_id}")
    assert _width(page) <= PHONE["width"]
    page.goto(f"/volunteers/activities/{activity_id}")
    assert _width(page) <= PHONE["width"]
    # and checks 陈志愿 in now, then out now
    first = page.locator("ul.checkin li").first
    first.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator("ul.checkin li").first.locator("button", has_text="签退").count() == 1
    page.locator("ul.checkin li").first.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    # then the list shows both times and no page is wider than the phone
    text = page.locator("ul.checkin li").first.inner_text()
    assert "签到" in text
    assert "—" not in text.split("签退")[1][:8]
    assert _width(page) <= PHONE["width"]
    page.goto("/volunteers/hours")
    assert page.locator("h1", has_text="服务时长").count() == 1
    assert _width(page) <= PHONE["width"]
