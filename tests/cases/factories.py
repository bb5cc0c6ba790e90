"""Cases fixtures: the small territory, the catalogue, a department, and the staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.cases.rules import Channel
from gridgov.db import Database
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, make_territory, make_user

IN_GRID_1 = (116.705, 23.29)  # 青篮社区第1网格
DEPARTMENT = "汕头市濠江区城市管理和综合执法局"


def make_cases_world(db: Database) -> dict[str, Actor]:
    """Territory, catalogue, one department with a staff member, and the people who act."""
    make_territory(db)
    with db.transaction() as session:
        cases.do_load_categories(
            session,
            actor=SYSTEM,
            rows=cases.category_rows(cases.default_category_document()),
            now=FIXED_NOW,
        )
        result = session.execute(
            insert(Organisation).returning(Organisation.id),
            [
                {
                    "code": "D001",
                    "name": DEPARTMENT,
                    "kind": "department",
                    "region_code": "440512",
                    "macau_funded": False,
                    "note": "",
                }
            ],
        )
        department_id = result.scalar_one()
    actors: dict[str, Actor] = {}
    for username, role, scope in (
        ("lin.dispatch", "dispatcher", "440512"),
        ("chen.worker", "grid_worker", "44051200100101"),
        ("wu.community", "unit_staff", "440512001001"),
        ("he.street", "unit_staff", "440512001"),
        ("zhao.leader", "leader", "440512"),
    ):
        actors[username] = accounts.actor_for(make_user(db, username, role, scope))
    staff = make_user(db, "xu.dept", "unit_staff", "440512")
    with db.transaction() as session:
        user = accounts.get_user_by_username(session, username="xu.dept")
        user.organisation_id = department_id
    actors["xu.dept"] = accounts.actor_for(staff)
    actors["xu.dept"] = Actor(
        username="xu.dept",
        role="unit_staff",
        user_id=staff.id,
        scope="440512",
        organisation_id=department_id,
    )
    return actors


def report(
    db: Database,
    *,
    text: str = "小区门口垃圾堆了三天没人清理，味道很大",
    category: str = "E0101",
    point: tuple[float, float] | None = IN_GRID_1,
    now: datetime = FIXED_NOW,
    key: str | None = None,
    channel: Channel = Channel.WEB,
    phone: str = "13812345678",
) -> Case:
    with db.transaction() as session:
        intake = cases.do_intake(
            session,
            actor=SYSTEM,
            value=cases.IntakeInput(
                description=text,
                channel=channel,
                category_code=category,
                lon=point[0] if point else None,
                lat=point[1] if point else None,
                reporter_name="陈女士",
                reporter_phone=phone,
                idempotency_key=key,
                source="test",
            ),
            now=now,
        )
        return intake.case
