"""The demo's programmes: a 1+6+9 tree written by the district leader, a project in
every community written by its secretary, tasks done, in progress and a few overdue at
the demo's now, which the leader's dashboard lists."""

from __future__ import annotations

import random
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from gridgov.demo import programmes as demo_programmes
from gridgov.outreach import public as outreach
from gridgov.outreach.models import Programme, Project, ProjectTask
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import make_territory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_plans_a_1_6_9_tree_with_projects_and_overdue_tasks(db: Database) -> None:
    make_territory(db)
    with db.transaction() as session:
        session.execute(
            insert(Organisation),
            [
                {
                    "code": f"P{code}",
                    "name": f"{code}党委",
                    "kind": "party_committee",
                    "region_code": code,
                    "macau_funded": False,
                    "note": "",
                }
                for code in ("440512001001", "440512002001")
            ],
        )
    counts = demo_programmes.simulate(db, rng=random.Random(5), now=FIXED_NOW, tz=SHANGHAI)
    assert counts["programmes"] == 16
    assert counts["projects"] == 2
    assert counts["overdue_tasks"] >= 1
    with db.session() as session:
        tree = list(session.scalars(select(Programme).order_by(Programme.id)))
        assert tree[0].parent_id is None
        assert {p.parent_id for p in tree[1:]} == {tree[0].id}
        assert {p.created_by for p in tree} == {"demo-leader"}
        projects = list(session.scalars(select(Project).order_by(Project.region_code)))
        assert [p.created_by for p in projects] == [
            "demo-secretary-440512001001",
            "demo-secretary-440512002001",
        ]
        assert all(p.owner_org_id is not None for p in projects)
        statuses = set(session.scalars(select(ProjectTask.status)))
        assert {"done", "in_progress"} <= statuses
        count, late = outreach.overdue_tasks(
            session, scope="440512", today=FIXED_NOW.astimezone(SHANGHAI).date()
        )
        assert count == counts["overdue_tasks"]
        assert late[0].days_overdue >= late[-1].days_overdue > 0
        actions = set(session.scalars(select(AuditEvent.action)))
        assert {"programme.created", "project.created"} <= actions
