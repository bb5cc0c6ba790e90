"""Programmes on a 360 px phone, in a real browser: the tree, a programme and a project
with its tasks fit the screen's width; a task is moved on from the phone."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.outreach import programmes
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.e2e.conftest import Phone
from tests.e2e.test_maps_and_wall import sign_in
from tests.factories import make_territory, make_user

pytestmark = pytest.mark.e2e
LEADER = Actor(username="chen.leader", role="leader", scope="440512")
WIDTH = "() => document.documentElement.scrollWidth"


def test_the_programme_pages_fit_a_phone(db: Database, phone: Phone) -> None:
    # Given a 1+6+9 tree with a long-named project and an overdue task
    make_territory(db)
    make_user(db, "chen.leader", "leader", "440512")
    with db.transaction() as session:
        session.execute(
            insert(Organisation),
            [
                {
                    "code": "PB01",
                    "name": "青篮社区党委",
                    "kind": "party_committee",
                    "region_code": "440512001001",
                    "macau_funded": False,
                    "note": "",
                }
            ],
        )
        one = programmes.do_create_programme(
            session,
            actor=LEADER,
            region_code="440512",
            name="党建引领基层治理“1+6+9”总体方案",
            now=FIXED_NOW,
        )
        six = programmes.do_create_programme(
            session,
            actor=LEADER,
            region_code="440512",
            name="红色物业行动",
            parent=one,
            now=FIXED_NOW,
        )
        project = programmes.do_create_project(
            session,
            actor=LEADER,
            programme=six,
            value=programmes.ProjectInput(
                name="青篮社区老旧小区红色物业全覆盖暨业主委员会规范化建设项目",
                region_code="440512001001",
                owner_org_code="PB01",
                budget_fen=1_250_000_00,
                starts_on=date(2026, 3, 1),
                ends_on=date(2026, 12, 31),
                grid_codes=["44051200100101", "44051200100102"],
                unit_codes=["PB01"],
            ),
            now=FIXED_NOW,
        )
        task = programmes.do_add_task(
            session,
            actor=LEADER,
            project=project,
            value=programmes.TaskInput(
                title="完成小区业主委员会换届选举并报街道备案",
                due_on=date(2026, 11, 2),
                milestone=True,
            ),
            now=FIXED_NOW,
        )
        ids = (one.id, project.id, task.id)
    page = phone()
    sign_in(page, "chen.leader")
    # When each page opens on a 360 px phone, then nothing is wider than the screen
    for path in (
        "/outreach/programmes",
        f"/outreach/programmes/{ids[0]}",
        f"/outreach/projects/{ids[1]}",
    ):
        page.goto(path)
        assert page.evaluate(WIDTH) <= 360, path
    # And a task is moved on from the phone
    page.click(f"#task-{ids[2]} summary")
    page.select_option(f"#task-{ids[2]} select[name=status]", "in_progress")
    page.fill(f"#task-{ids[2]} input[name=progress]", "40")
    page.click(f"#task-{ids[2]} button[type=submit]")
    page.wait_for_selector("p.good")
    assert "40%" in page.inner_text(f"#task-{ids[2]}")
    assert page.evaluate(WIDTH) <= 360
