"""The demo with people in it (issue 10): every unit and grid has an account, and the
simulated months act through them: grid workers and unit staff handle, the community or
the dispatcher checks, and nobody checks their own result."""

from __future__ import annotations

import random

from sqlalchemy import insert, select

from gridgov.cases.models import CaseEvent
from gridgov.db import Database
from gridgov.demo import cases as demo_cases
from gridgov.demo import staff
from gridgov.registry.models import Building, Organisation
from tests.cases.factories import make_cases_world
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM

GRIDS = ["44051200100101", "44051200100102", "44051200200101"]


def test_the_simulated_months_act_through_the_right_accounts(db: Database) -> None:
    make_cases_world(db)
    with db.transaction() as session:
        session.execute(
            insert(Organisation),
            [
                {
                    "code": f"C{code}",
                    "name": f"{name}居民委员会",
                    "kind": "community_office",
                    "region_code": code,
                    "macau_funded": False,
                }
                for code, name in (("440512001001", "青篮社区"), ("440512002001", "东湖社区"))
            ],
        )
        session.execute(
            insert(Building),
            [
                {
                    "code": f"B{n}",
                    "name": f"{n}号楼",
                    "address": f"青篮路{n}号",
                    "lon": lon,
                    "lat": 23.29,
                    "grid_code": grid,
                }
                for n, (lon, grid) in enumerate(
                    ((116.705, GRIDS[0]), (116.715, GRIDS[1]), (116.73, GRIDS[2]))
                )
            ],
        )
        password, made = staff.create_staff(session, grid_codes=GRIDS, actor=SYSTEM, now=FIXED_NOW)
    # One account per department and office, one per grid, and the one-click one
    assert made == 1 + 2 + len(GRIDS) + 1
    assert password.startswith("demo-")
    simulated = demo_cases.simulate(db, rng=random.Random(3), now=FIXED_NOW, count=40, days=30)
    assert simulated > 30
    with db.session() as session:
        events = session.execute(
            select(CaseEvent.case_id, CaseEvent.kind, CaseEvent.actor, CaseEvent.role)
        ).all()
    roles = {(kind, role) for _, kind, _, role in events}
    assert ("resolved", "grid_worker") in roles
    assert ("acknowledged", "unit_staff") in roles
    assert ("verified", "unit_staff") in roles
    # A grid worker's account is the grid's: gw-<grid code>
    assert {a for _, k, a, r in events if r == "grid_worker"} <= {f"gw-{g}" for g in GRIDS}
    # Nobody checks a result they recorded
    resolver: dict[int, str] = {}
    for case_id, kind, actor, _role in events:
        if kind == "resolved":
            resolver[case_id] = actor
        if kind in ("verified", "rework"):
            assert actor != resolver.get(case_id), case_id
