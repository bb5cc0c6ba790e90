"""The contact schemes list (the outreach home page) runs a number of queries that does not
grow with its rows."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from gridgov.accounts.models import User
from gridgov.db import Database
from gridgov.outreach.models import ContactScheme
from tests.conftest import FIXED_NOW
from tests.factories import make_territory, make_user, page_login
from tests.querycount import assert_constant_queries, count_queries


def _schemes(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(ContactScheme),
            [
                {
                    "region_code": "440512001001",
                    "name": f"党员联户第{start + n}期",
                    "groups": 4,
                    "size_low": 10,
                    "size_high": 15,
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        )


def test_the_schemes_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient
) -> None:
    # Given the street's leader
    make_territory(db)
    make_user(db, "qc.leader", "leader", "440512")
    page_login(client, "qc.leader")
    # When 10 schemes exist, then 100, the same number of queries lists them
    assert_constant_queries(
        db, client, "/outreach", lambda count, start: _schemes(db, count, start)
    )


def _projects(db: Database, count: int, start: int) -> None:
    """``count`` projects with two tasks each under one programme of the district."""
    from datetime import date

    from gridgov.outreach.models import Programme, Project, ProjectTask

    with db.transaction() as session:
        programme = session.scalar(select(Programme.id).limit(1))
        if programme is None:
            programme = session.execute(
                insert(Programme).returning(Programme.id),
                [
                    {
                        "region_code": "440512",
                        "name": "党建引领“1+6+9”",
                        "summary": "",
                        "created_by": "qc",
                        "created_at": FIXED_NOW,
                    }
                ],
            ).scalar_one()
        owner = session.scalar(select(User.id).where(User.username == "qc.leader"))
        ids = session.execute(
            insert(Project).returning(Project.id, sort_by_parameter_order=True),
            [
                {
                    "programme_id": programme,
                    "region_code": "440512001001",
                    "name": f"项目{start + n}",
                    "owner_user_id": owner,
                    "budget_fen": 100_00,
                    "starts_on": date(2026, 1, 1),
                    "ends_on": date(2026, 12, 31),
                    "created_by": "qc",
                    "created_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        ).scalars()
        session.execute(
            insert(ProjectTask),
            [
                {
                    "project_id": pid,
                    "region_code": "440512001001",
                    "title": f"任务{k}",
                    "owner_user_id": owner,
                    "due_on": date(2026, 11, k + 1),
                    "milestone": False,
                    "status": "in_progress",
                    "progress": 50,
                    "spent_fen": 10_00,
                    "note": "",
                    "updated_by": "qc",
                    "updated_at": FIXED_NOW,
                }
                for pid in ids
                for k in range(2)
            ],
        )


def test_the_programme_tree_and_the_dashboard_run_as_many_queries_for_100_projects_as_for_10(
    db: Database, client: TestClient
) -> None:
    make_territory(db)
    make_user(db, "qc.leader", "leader", "440512")
    page_login(client, "qc.leader")
    assert_constant_queries(
        db, client, "/outreach/programmes", lambda count, start: _projects(db, count, start)
    )
    # The dashboard lists the eight most overdue: the same queries for 100 projects as for 200
    with count_queries(db) as before:
        assert client.get("/dashboard").status_code == 200
    _projects(db, 100, 100)
    with count_queries(db) as after:
        page = client.get("/dashboard")
    assert 'id="overdue-tasks">400<' in page.text
    assert after.count == before.count
