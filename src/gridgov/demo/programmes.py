"""Programmes and projects in the demo district (党建+项目, after Qianhai's "1+6+9"): the
district's overall programme, six actions and nine mechanisms under it, and a project
in every community under one of them, each with four or five tasks: the early ones
done, the current ones in progress, the later ones planned, and a few past their due
date and still open (overdue at the demo's "now", on the leader's dashboard).

The district leader (``demo-leader``) writes the programmes; each community's branch
secretary (``demo-secretary-<code>``) its project, owned by the community's party
organisation, serving its grids with the community office and a department as units.
Tasks are inserted in bulk, with the secretary as the one who last updated them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.demo import staff as demo_staff
from gridgov.errors import NotFound
from gridgov.outreach import programmes
from gridgov.outreach.models import Programme, ProjectTask
from gridgov.outreach.programme_rules import TaskStatus
from gridgov.registry import public as registry
from gridgov.territory.models import Region

OVERALL = "党建引领基层治理“1+6+9”总体方案"
SIX = (
    "红色物业行动",
    "党员进网格行动",
    "结对共建行动",
    "民生微实事行动",
    "平安共建行动",
    "人居环境整治行动",
)
NINE = (
    "阵地建设机制",
    "队伍建设机制",
    "议事协商机制",
    "志愿服务机制",
    "智慧网格机制",
    "新时代文明实践机制",
    "为民服务机制",
    "考核评价机制",
    "乡村振兴机制",
)
# A project's tasks: (title, milestone), in the order they fall due.
TASKS = (
    ("制定实施方案并报街道党工委备案", True),
    ("召开党员大会动员部署", False),
    ("完成入户摸底和问题清单", False),
    ("落实首批整改事项", True),
    ("开展群众满意度测评并总结", True),
)
OVERDUE_EVERY = 6  # about one community in six has a task past its due date


def _account(session: Session, username: str, role: str, scope: str, now: datetime) -> Actor:
    try:
        return accounts.actor_for(accounts.get_user_by_username(session, username=username))
    except NotFound:
        user = accounts.do_create_user(
            session,
            actor=Actor.system("demo"),
            username=username,
            role=role,
            scope=scope,
            password="demo-" + "".join(random.choices("abcdefghjkmnpqrstuvwxyz23456789", k=16)),  # noqa: S311
            display_name=f"{scope}党委书记" if role == "branch_secretary" else "演示区领导",
            now=now,
        )
        return accounts.actor_for(user)


def _tree(session: Session, leader: Actor, district: str, now: datetime) -> list[Programme]:
    """The "1", then its "6" and "9": the sub-programmes projects go under."""
    one = programmes.do_create_programme(
        session,
        actor=leader,
        region_code=district,
        name=OVERALL,
        summary="一个总体方案统领，六大行动攻坚，九项机制保障",
        now=now,
    )
    return [
        programmes.do_create_programme(
            session, actor=leader, region_code=district, name=name, parent=one, now=now
        )
        for name in (*SIX, *NINE)
    ]


def _task_rows(
    rng: random.Random,
    project_id: int,
    region_code: str,
    owner_org: int | None,
    starts: date,
    today: date,
    late: bool,
    username: str,
    now: datetime,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    count = rng.choice((4, 5))
    dues = [starts + timedelta(days=45 * (n + 1) + rng.randint(-5, 5)) for n in range(count)]
    # A late project: its latest task already due is still open.
    open_late = (
        max((n for n, due in enumerate(dues) if due < today), default=None) if late else None
    )
    for n, (title, milestone) in enumerate(TASKS[:count]):
        due = dues[n]
        if n == open_late:
            status, progress = TaskStatus.IN_PROGRESS, rng.choice((30, 50, 70))
        elif due < today:
            status, progress = TaskStatus.DONE, 100
        elif due < today + timedelta(days=40):
            status, progress = TaskStatus.IN_PROGRESS, rng.choice((10, 20, 40, 60))
        else:
            status, progress = TaskStatus.PLANNED, 0
        spent = (
            0 if status == TaskStatus.PLANNED else rng.randint(20, 150) * 100_00 * progress // 100
        )
        rows.append(
            {
                "project_id": project_id,
                "region_code": region_code,
                "title": title,
                "owner_user_id": None,
                "owner_org_id": owner_org,
                "due_on": due,
                "milestone": milestone,
                "status": status.value,
                "progress": progress,
                "spent_fen": spent,
                "note": "",
                "done_on": due if status == TaskStatus.DONE else None,
                "updated_by": username,
                "updated_at": now,
            }
        )
    return rows


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    today = local_today(now, tz)
    with db.transaction() as session:
        district = session.scalar(select(Region.code).where(Region.level == "district"))
        communities = list(
            session.scalars(select(Region).where(Region.level == "community").order_by(Region.code))
        )
        if district is None or not communities:
            return {}
        leader = _account(session, "demo-leader", "leader", district, now)
        subs = _tree(session, leader, district, now)
        grids: dict[str, list[str]] = {}
        for parent, code in session.execute(
            select(Region.parent_code, Region.code)
            .where(Region.level == "grid")
            .order_by(Region.code)
        ):
            grids.setdefault(parent or "", []).append(code)
        codes = [f"P{c.code}" for c in communities] + [f"C{c.code}" for c in communities]
        orgs = registry.organisations_by_code(session, codes)
        departments = [code for _id, code, _name, _region in registry.departments(session)]
        secretaries = demo_staff.community_secretaries(session, [c.code for c in communities], now)
        task_rows: list[dict[str, Any]] = []
        for n, community in enumerate(communities):
            secretary = secretaries[community.code]
            party = orgs.get(f"P{community.code}")
            starts = today - timedelta(days=rng.randint(150, 200))
            sub = subs[n % len(subs)]
            theme = sub.name.removesuffix("行动").removesuffix("机制")
            project = programmes.do_create_project(
                session,
                actor=secretary,
                programme=sub,
                value=programmes.ProjectInput(
                    name=f"{community.name}{theme}项目",
                    region_code=community.code,
                    owner_org_code=f"P{community.code}" if party else "",
                    owner_username="" if party else secretary.username,
                    budget_fen=rng.randint(5, 60) * 10_000_00,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=270),
                    grid_codes=grids.get(community.code, [])[:3],
                    unit_codes=[
                        c
                        for c in (
                            f"C{community.code}",
                            rng.choice(departments) if departments else "",
                        )
                        if c and (c in orgs or c in departments)
                    ],
                ),
                now=now,
            )
            task_rows += _task_rows(
                rng,
                project.id,
                community.code,
                project.owner_org_id,
                starts,
                today,
                n % OVERDUE_EVERY == 0,
                secretary.username,
                now,
            )
        if task_rows:
            session.execute(insert(ProjectTask), task_rows)
        overdue, _ = programmes.overdue_tasks(session, scope=district, today=today, limit=1)
    return {
        "programmes": len(subs) + 1,
        "projects": len(communities),
        "tasks": len(task_rows),
        "overdue_tasks": overdue,
    }
