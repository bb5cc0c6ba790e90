"""Programmes on both engines: a 1+6+9 tree with projects and tasks, scoping by region
code, owners checked, tasks moved on and audited, the rollup, and the overdue tasks of
an area (outreach.public, what the leader's dashboard reads)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridgov.outreach import programmes
from gridgov.outreach import public as outreach
from gridgov.outreach.models import ProjectTask
from gridgov.outreach.programme_rules import TaskStatus
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import make_territory, make_user

TODAY = date(2026, 11, 30)  # FIXED_NOW in Shanghai
LEADER = Actor(username="chen.leader", role="leader", scope="440512")
SECRETARY = Actor(username="li.secretary", role="branch_secretary", scope="440512001001")
EAST = Actor(username="wu.secretary", role="branch_secretary", scope="440512002001")
WORKER = Actor(username="wang.worker", role="grid_worker", scope="440512001001")


@pytest.fixture
def world(db: Database) -> dict[str, int]:
    make_territory(db)
    staff = make_user(db, "zhao.staff", "unit_staff", "440512001")
    make_user(db, "xu.resident", "resident", "440512001001")
    with db.transaction() as session:
        ids = (
            session.execute(
                insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
                [
                    {
                        "code": "PB01",
                        "name": "青篮社区党委",
                        "kind": "party_committee",
                        "region_code": "440512001001",
                        "macau_funded": False,
                        "note": "",
                    },
                    {
                        "code": "D001",
                        "name": "区民政局",
                        "kind": "department",
                        "region_code": "440512",
                        "macau_funded": False,
                        "note": "",
                    },
                ],
            )
            .scalars()
            .all()
        )
    return {"committee": ids[0], "department": ids[1], "staff": staff.id}


def _tree(db: Database) -> dict[str, int]:
    """The overall programme of the district, a "6" sub-programme, a project of 青篮
    with three tasks: one done, one in progress and overdue, one planned."""
    with db.transaction() as session:
        one = programmes.do_create_programme(
            session,
            actor=LEADER,
            region_code="440512",
            name="党建引领基层治理“1+6+9”",
            now=FIXED_NOW,
        )
        six = programmes.do_create_programme(
            session,
            actor=LEADER,
            region_code="440512",
            name="六大行动·红色物业",
            parent=one,
            now=FIXED_NOW,
        )
        project = programmes.do_create_project(
            session,
            actor=SECRETARY,
            programme=six,
            value=programmes.ProjectInput(
                name="青篮小区红色物业",
                region_code="440512001001",
                owner_org_code="PB01",
                budget_fen=200_000_00,
                starts_on=date(2026, 3, 1),
                ends_on=date(2026, 12, 31),
                grid_codes=["44051200100101", "44051200100102"],
                unit_codes=["D001", "PB01"],
            ),
            now=FIXED_NOW,
        )
        tasks = [
            programmes.do_add_task(
                session,
                actor=SECRETARY,
                project=project,
                value=programmes.TaskInput(title=title, due_on=due, milestone=milestone),
                now=FIXED_NOW,
            )
            for title, due, milestone in (
                ("成立物业党支部", date(2026, 4, 1), True),
                ("业主议事会选举", date(2026, 11, 20), True),
                ("年终评议", date(2026, 12, 20), False),
            )
        ]
        programmes.do_update_task(
            session,
            actor=SECRETARY,
            task=tasks[0],
            status=TaskStatus.DONE,
            progress=0,
            spent_fen=50_000_00,
            today=date(2026, 4, 1),
            now=FIXED_NOW,
        )
        programmes.do_update_task(
            session,
            actor=SECRETARY,
            task=tasks[1],
            status=TaskStatus.IN_PROGRESS,
            progress=60,
            spent_fen=20_000_00,
            today=TODAY,
            now=FIXED_NOW,
        )
        return {
            "one": one.id,
            "six": six.id,
            "project": project.id,
            **{f"t{i}": t.id for i, t in enumerate(tasks)},
        }


def test_a_tree_rolls_up_progress_and_money_and_the_overdue_task(
    db: Database, world: dict[str, int]
) -> None:
    ids = _tree(db)
    with db.session() as session:
        listed = programmes.list_programmes(session, viewer=LEADER)
        projects = programmes.list_projects(session, viewer=LEADER)
        rollups = programmes.project_rollups(session, projects, today=TODAY)
        tree = programmes.tree_rollups(listed, projects, rollups)
        r = tree[ids["one"]]
        assert r.progress == 53  # (100 + 60 + 0) / 3
        assert (r.budget_fen, r.spent_fen, r.tasks, r.done, r.overdue) == (
            200_000_00,
            70_000_00,
            3,
            1,
            1,
        )
        project = programmes.get_project(session, project_id=ids["project"], viewer=SECRETARY)
        links = programmes.project_links(session, project)
        assert [c for c, _ in links.grids] == ["44051200100101", "44051200100102"]
        assert sorted(n for _, n in links.units) == ["区民政局", "青篮社区党委"]
        assert programmes.owner_names(session, [project]) == {
            (None, world["committee"]): "青篮社区党委"
        }
        done = session.get(ProjectTask, ids["t0"])
        assert done is not None
        assert done.progress == 100
        assert done.done_on == date(2026, 4, 1)
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
        assert actions.count("project_task.updated") == 2
        assert "programme.created" in actions
        assert "project.created" in actions


def test_overdue_tasks_are_counted_in_the_viewer_area_only(
    db: Database, world: dict[str, int]
) -> None:
    ids = _tree(db)
    with db.session() as session:
        count, late = outreach.overdue_tasks(session, scope="440512", today=TODAY)
        assert count == 1
        assert [(t.title, t.days_overdue, t.project_name, t.owner) for t in late] == [
            ("业主议事会选举", 10, "青篮小区红色物业", "青篮社区党委")
        ]
        assert outreach.overdue_tasks(session, scope="440512002", today=TODAY) == (0, [])
        assert outreach.overdue_tasks(session, scope=None, today=TODAY) == (0, [])
        # The day it fell due it was not yet overdue
        assert outreach.overdue_tasks(session, scope="440512", today=date(2026, 11, 20))[0] == 0
    with db.transaction() as session:
        task = programmes.get_task(session, task_id=ids["t1"], viewer=SECRETARY)
        programmes.do_update_task(
            session,
            actor=SECRETARY,
            task=task,
            status=TaskStatus.DONE,
            progress=100,
            spent_fen=20_000_00,
            today=TODAY,
            now=FIXED_NOW,
        )
    with db.session() as session:
        assert outreach.overdue_tasks(session, scope="440512", today=TODAY) == (0, [])


def test_others_areas_and_roles_are_refused(db: Database, world: dict[str, int]) -> None:
    ids = _tree(db)
    with db.transaction() as session:
        project = programmes.get_project(session, project_id=ids["project"], viewer=LEADER)
        with pytest.raises(NotFound):
            programmes.get_project(session, project_id=ids["project"], viewer=EAST)
        # The district's programmes are every community's; projects only their area's
        assert programmes.get_programme(session, programme_id=ids["one"], viewer=EAST)
        assert [p.id for p in programmes.list_programmes(session, viewer=EAST)] == [
            ids["one"],
            ids["six"],
        ]
        assert programmes.list_projects(session, viewer=EAST) == []
        street = Actor(username="s", role="leader", scope="440512002")
        east = programmes.do_create_programme(
            session, actor=EAST, region_code="440512002001", name="东湖", now=FIXED_NOW
        )
        with pytest.raises(NotFound):  # a programme of another street's community
            programmes.get_programme(session, programme_id=east.id, viewer=SECRETARY)
        assert programmes.get_programme(session, programme_id=east.id, viewer=street)
        assert [p.id for p in programmes.list_projects(session, viewer=SECRETARY)] == [
            ids["project"]
        ]
        task = programmes.get_task(session, task_id=ids["t2"], viewer=LEADER)
        with pytest.raises(NotFound):
            programmes.do_update_task(
                session,
                actor=EAST,
                task=task,
                status=TaskStatus.IN_PROGRESS,
                progress=10,
                spent_fen=0,
                today=TODAY,
                now=FIXED_NOW,
            )
        with pytest.raises(Forbidden):  # a grid worker in the area who does not own it
            programmes.do_update_task(
                session,
                actor=WORKER,
                task=task,
                status=TaskStatus.IN_PROGRESS,
                progress=10,
                spent_fen=0,
                today=TODAY,
                now=FIXED_NOW,
            )
        with pytest.raises(Forbidden):
            programmes.do_create_programme(
                session, actor=WORKER, region_code="44051200100101", name="x", now=FIXED_NOW
            )
        # A staff account that owns the task may move it on, whatever its role
        owned = programmes.do_add_task(
            session,
            actor=LEADER,
            project=project,
            value=programmes.TaskInput(
                title="台账整理", due_on=date(2026, 12, 1), owner_username="zhao.staff"
            ),
            now=FIXED_NOW,
        )
        owner = Actor(
            username="zhao.staff", role="unit_staff", scope="440512001", user_id=world["staff"]
        )
        programmes.do_update_task(
            session,
            actor=owner,
            task=owned,
            status=TaskStatus.IN_PROGRESS,
            progress=30,
            spent_fen=0,
            today=TODAY,
            now=FIXED_NOW,
        )
        cancelled = programmes.do_update_task(
            session,
            actor=LEADER,
            task=owned,
            status=TaskStatus.CANCELLED,
            progress=0,
            spent_fen=0,
            today=TODAY,
            now=FIXED_NOW,
        )
        with pytest.raises(Conflict):
            programmes.do_update_task(
                session,
                actor=LEADER,
                task=cancelled,
                status=TaskStatus.IN_PROGRESS,
                progress=0,
                spent_fen=0,
                today=TODAY,
                now=FIXED_NOW,
            )


def test_what_is_typed_is_checked_with_every_problem_named(
    db: Database, world: dict[str, int]
) -> None:
    ids = _tree(db)
    with db.transaction() as session:
        six = programmes.get_programme(session, programme_id=ids["six"], viewer=LEADER)
        with pytest.raises(InvalidInput) as caught:
            programmes.do_create_project(
                session,
                actor=LEADER,
                programme=six,
                value=programmes.ProjectInput(
                    name="",
                    region_code="440512",
                    owner_username="xu.resident",  # a resident owns nothing
                    budget_fen=None,
                    starts_on=date(2026, 5, 1),
                    ends_on=date(2026, 4, 1),
                    grid_codes=["44051299999999"],
                    unit_codes=["NOPE"],
                ),
                now=FIXED_NOW,
            )
        assert {p.field for p in caught.value.details} == {
            "name",
            "budget",
            "ends_on",
            "grids",
            "units",
            "owner",
        }
        with pytest.raises(InvalidInput) as caught:
            programmes.do_create_project(
                session,
                actor=SECRETARY,
                programme=six,
                value=programmes.ProjectInput(
                    name="东湖",
                    region_code="440512001001",
                    owner_username="zhao.staff",
                    owner_org_code="PB01",
                    starts_on=TODAY,
                    ends_on=TODAY,
                    grid_codes=["44051200200101"],  # a grid outside the project's area
                ),
                now=FIXED_NOW,
            )
        assert {p.field for p in caught.value.details} == {"owner", "grids"}
        with pytest.raises(InvalidInput) as caught:  # a department owns no project here
            programmes.do_create_project(
                session,
                actor=LEADER,
                programme=six,
                value=programmes.ProjectInput(
                    name="民政",
                    region_code="440512",
                    owner_org_code="D001",
                    starts_on=TODAY,
                    ends_on=TODAY,
                ),
                now=FIXED_NOW,
            )
        assert [p.field for p in caught.value.details] == ["owner"]
        project = programmes.get_project(session, project_id=ids["project"], viewer=LEADER)
        with pytest.raises(InvalidInput) as caught:
            programmes.do_add_task(
                session,
                actor=LEADER,
                project=project,
                value=programmes.TaskInput(title=" ", due_on=date(2026, 1, 1)),
                now=FIXED_NOW,
            )
        assert {p.field for p in caught.value.details} == {"title", "due_on"}
        task = programmes.get_task(session, task_id=ids["t2"], viewer=LEADER)
        with pytest.raises(InvalidInput) as caught:
            programmes.do_update_task(
                session,
                actor=LEADER,
                task=task,
                status=TaskStatus.IN_PROGRESS,
                progress=140,
                spent_fen=None,
                today=TODAY,
                now=FIXED_NOW,
            )
        assert {p.field for p in caught.value.details} == {"progress", "spent"}
        one = programmes.get_programme(session, programme_id=ids["one"], viewer=LEADER)
        qinglan = programmes.do_create_programme(
            session, actor=SECRETARY, region_code="440512001001", name="青篮", now=FIXED_NOW
        )
        with pytest.raises(InvalidInput) as caught:  # a sub-programme outside its parent
            programmes.do_create_programme(
                session,
                actor=LEADER,
                region_code="440512002001",
                name="东湖",
                parent=qinglan,
                now=FIXED_NOW,
            )
        assert [p.field for p in caught.value.details] == ["region_code"]
        deep = programmes.do_create_programme(
            session, actor=LEADER, region_code="440512", name="三级", parent=six, now=FIXED_NOW
        )
        deeper = programmes.do_create_programme(
            session, actor=LEADER, region_code="440512", name="四级", parent=deep, now=FIXED_NOW
        )
        with pytest.raises(InvalidInput):
            programmes.do_create_programme(
                session,
                actor=LEADER,
                region_code="440512",
                name="五级",
                parent=deeper,
                now=FIXED_NOW,
            )
        assert one.parent_id is None
