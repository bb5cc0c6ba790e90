"""Programme pages through the app on both engines: a leader builds a programme with a
project and tasks on the forms, mistakes come back on the same page, a task is moved
on, the XLSX, another area's project is not found, and the overdue task on the
leader's dashboard (only in the area it belongs to)."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import insert, select

from gridgov.db import Database
from gridgov.outreach.models import Programme, Project, ProjectTask
from gridgov.registry.models import Organisation
from tests.factories import csrf_of, make_territory, make_user, page_login


@pytest.fixture
def world(db: Database) -> None:
    make_territory(db)
    make_user(db, "chen.leader", "leader", "440512")
    make_user(db, "east.leader", "leader", "440512002")
    make_user(db, "li.secretary", "branch_secretary", "440512001001")
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


def _post(client: TestClient, path: str, data: dict[str, str], page: str) -> object:
    token = csrf_of(client, page)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def test_a_leader_plans_on_the_forms_and_sees_the_overdue_task_on_the_dashboard(
    client: TestClient, db: Database, world: None
) -> None:
    page_login(client, "chen.leader")
    answer = _post(
        client,
        "/outreach/programmes",
        {"name": "党建引领“1+6+9”", "region_code": "440512"},
        "/outreach/programmes",
    )
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    programme_url = answer.headers["location"]  # type: ignore[attr-defined]
    with db.session() as session:
        one = session.scalars(select(Programme)).one()
    answer = _post(
        client,
        "/outreach/programmes",
        {"name": "红色物业行动", "region_code": "440512", "parent_id": str(one.id)},
        "/outreach/programmes",
    )
    assert answer.status_code == 303  # type: ignore[attr-defined]
    six_url = answer.headers["location"]  # type: ignore[attr-defined]
    # Mistakes: every problem named on the same page, what was typed kept
    answer = _post(
        client,
        f"{six_url}/projects",
        {
            "name": "青篮红色物业",
            "region_code": "440512001001",
            "owner_org_code": "NOPE",
            "budget": "十万",
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
        },
        six_url,
    )
    assert answer.status_code == 422  # type: ignore[attr-defined]
    assert "青篮红色物业" in answer.text  # type: ignore[attr-defined]
    assert answer.text.count("<li>") >= 3  # type: ignore[attr-defined]
    answer = _post(
        client,
        f"{six_url}/projects",
        {
            "name": "青篮红色物业",
            "region_code": "440512001001",
            "owner_org_code": "PB01",
            "budget": "200,000",
            "starts_on": "2026-03-01",
            "ends_on": "2026-12-31",
            "grids": "44051200100101、44051200100102",
            "units": "PB01",
        },
        six_url,
    )
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    project_url = answer.headers["location"]  # type: ignore[attr-defined]
    for title, due in (("成立物业党支部", "2026-04-01"), ("业主议事会选举", "2026-11-20")):
        answer = _post(client, f"{project_url}/tasks", {"title": title, "due_on": due}, project_url)
        assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    with db.session() as session:
        first, second = session.scalars(select(ProjectTask).order_by(ProjectTask.id)).all()
        project = session.scalars(select(Project)).one()
    assert (project.budget_fen, first.owner_org_id is not None) == (200_000_00, True)
    answer = _post(
        client,
        f"/outreach/tasks/{first.id}",
        {"status": "done", "progress": "100", "spent": "80000"},
        project_url,
    )
    assert answer.status_code == 303  # type: ignore[attr-defined]
    answer = _post(
        client,
        f"/outreach/tasks/{second.id}",
        {"status": "in_progress", "progress": "150", "spent": "abc"},
        project_url,
    )
    assert answer.status_code == 422  # type: ignore[attr-defined]
    page = client.get(project_url)
    assert page.status_code == 200
    assert "80,000.00" in page.text
    assert "200,000.00" in page.text
    assert "已完成" in page.text
    assert "超期 10 天" in page.text
    assert "in_progress" not in page.text.replace('value="in_progress"', "")
    assert "进行中" in page.text  # a task under way, in the task's own words
    assert "44051200100101" in page.text  # the grids served, linked
    tree = client.get("/outreach/programmes")
    assert "党建引领“1+6+9”" in tree.text
    assert "红色物业行动" in tree.text
    assert "50%" in client.get(programme_url).text  # (100 + 0) / 2
    xlsx = client.get(f"{programme_url}/projects.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0].cell(2, 2).value == "青篮红色物业"
    assert [r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)] == [
        "成立物业党支部",
        "业主议事会选举",
    ]
    # The dashboard: one overdue task, the most overdue first, linked to its project
    board = client.get("/dashboard")
    assert board.status_code == 200
    assert 'id="overdue-tasks">1<' in board.text
    assert "超期项目任务" in board.text
    assert "业主议事会选举" in board.text
    assert f'href="/outreach/projects/{project.id}#task-{second.id}"' in board.text
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    # Another street's leader: nothing overdue, and the project is not theirs to open
    page_login(client, "east.leader")
    board = client.get("/dashboard")
    assert 'id="overdue-tasks">0<' in board.text
    assert client.get(project_url).status_code == 404
    answer = _post(
        client,
        f"/outreach/tasks/{second.id}",
        {"status": "done", "progress": "100", "spent": "0"},
        "/outreach/programmes",
    )
    assert answer.status_code == 404  # type: ignore[attr-defined]


def test_a_community_secretary_plans_a_project_under_the_district_programme(
    client: TestClient, db: Database, world: None
) -> None:
    page_login(client, "chen.leader")
    answer = _post(
        client,
        "/outreach/programmes",
        {"name": "党建引领“1+6+9”", "region_code": "440512"},
        "/outreach/programmes",
    )
    programme_url = answer.headers["location"]  # type: ignore[attr-defined]
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    page_login(client, "li.secretary")
    # The district's programme opens for the community, its form set to the community
    page = client.get(programme_url)
    assert page.status_code == 200
    assert 'name="region_code" maxlength="18" inputmode="numeric" value="440512001001"' in page.text
    answer = _post(
        client,
        f"{programme_url}/projects",
        {
            "name": "青篮议事厅",
            "region_code": "440512001001",
            "owner_username": "li.secretary",
            "budget": "30000",
            "starts_on": "2026-06-01",
            "ends_on": "2026-12-31",
        },
        programme_url,
    )
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    # A project of the whole district is not the community's to create
    answer = _post(
        client,
        f"{programme_url}/projects",
        {
            "name": "全区",
            "region_code": "440512",
            "owner_username": "li.secretary",
            "budget": "0",
            "starts_on": "2026-06-01",
            "ends_on": "2026-12-31",
        },
        programme_url,
    )
    assert answer.status_code == 404  # type: ignore[attr-defined]


def test_a_new_programme_picks_its_region_by_name(
    client: TestClient, db: Database, world: None
) -> None:
    # Given the leader of 广澳街道 on the programmes page
    page_login(client, "east.leader")
    page = client.get("/outreach/programmes").text
    # Then the region of a new programme is picked by name from their street and its
    # communities, their own chosen, the codes only as values
    assert '<option value="440512002" selected>广澳街道</option>' in page
    assert '<option value="440512002001">东湖社区</option>' in page
    assert "青篮社区" not in page  # another street's
