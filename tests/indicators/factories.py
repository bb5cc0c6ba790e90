"""Indicators fixtures: the small territory with party organisations, households and
members, and cases of October 2026 whose figures are easy to compute by hand.

October 2026 in the small territory (every case created 2026-10-12 09:00 Shanghai):

- grid 1 (青篮社区第1网格): 4 assigned; 3 acknowledged in time, 1 late; 3 closed in
  time, rated satisfied, satisfied, dissatisfied; 1 still in progress (overdue);
  1 reworked. Response 3/4, resolution 2/4, satisfaction 2/3.
- grid 2 (青篮社区第2网格): 2 assigned, both acknowledged in time, closed in time and
  rated satisfied; handled by the department. Response, resolution, satisfaction 1.
- grid 3 (东湖社区第1网格): no cases.

Households: 40 in grid 1, 20 in grid 2, 10 in grid 3. Party members: 6, 2, 1.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Assignment, Case
from gridgov.db import Database
from gridgov.indicators import service
from gridgov.registry.models import Household, Organisation, PersonRoleRow, Resident
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, make_territory

GRID_1, GRID_2, GRID_3 = "44051200100101", "44051200100102", "44051200200101"
OCTOBER = "2026-10"
CREATED = datetime(2026, 10, 12, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
_serial = itertools.count(1)
TZ = ZoneInfo("Asia/Shanghai")


def case_row(
    grid: str,
    *,
    state: str = "closed",
    on_time_response: bool = True,
    closed_on_time: bool = True,
    rating: str | None = None,
    reworks: int = 0,
    department_id: int | None = None,
    created: datetime = CREATED,
) -> dict[str, Any]:
    """A case as the workflow leaves it, with the timestamps the figures read."""
    n = next(_serial)
    response_due = created + timedelta(hours=4)
    resolution_due = created + timedelta(days=5)
    closed = state == "closed"
    return {
        "tracking_code": f"T{n:09d}",
        "channel": "web",
        "state": state,
        "description": "楼道灯坏了",
        "category_code": "E0101",
        "grid_code": grid,
        "level": "department" if department_id else "grid",
        "unit_code": "440512" if department_id else grid,
        "department_id": department_id,
        "created_at": created,
        "updated_at": created,
        "assigned_at": created,
        "response_due_at": response_due,
        "resolution_due_at": resolution_due,
        "acknowledged_at": response_due - timedelta(hours=1 if on_time_response else -2),
        "resolved_at": created + timedelta(days=2) if closed else None,
        "closed_at": ((created + timedelta(days=3 if closed_on_time else 7)) if closed else None),
        "rating": rating,
        "rated_at": created + timedelta(days=4) if rating else None,
        "reworks": reworks,
    }


def make_indicators_world(db: Database) -> dict[str, int]:
    """The territory, catalogue, a department, party organisations, households, party
    members and the October cases; returns organisation ids by code."""
    make_territory(db)
    with db.transaction() as session:
        cases.do_load_categories(
            session,
            actor=SYSTEM,
            rows=cases.category_rows(cases.default_category_document()),
            now=FIXED_NOW,
        )
        orgs = [
            ("D001", "汕头市濠江区城市管理和综合执法局", "department", "440512", None),
            ("P440512", "中共汕头市濠江区委员会", "party_committee", "440512", None),
            ("P440512001001", "中共青篮社区委员会", "party_committee", "440512001001", 1),
            ("P440512002001", "中共东湖社区委员会", "party_committee", "440512002001", 1),
            ("P" + GRID_1, "青篮社区第1网格党支部", "party_branch", GRID_1, 2),
            ("P" + GRID_2, "青篮社区第2网格党支部", "party_branch", GRID_2, 2),
            ("P" + GRID_3, "东湖社区第1网格党支部", "party_branch", GRID_3, 3),
        ]
        ids: dict[str, int] = {}
        for code, name, kind, region, parent in orgs:
            parent_code = {1: "P440512", 2: "P440512001001", 3: "P440512002001"}.get(parent or 0)
            ids[code] = session.execute(
                insert(Organisation).returning(Organisation.id),
                [
                    {
                        "code": code,
                        "name": name,
                        "kind": kind,
                        "region_code": region,
                        "parent_id": ids.get(parent_code or ""),
                        "macau_funded": False,
                        "note": "",
                    }
                ],
            ).scalar_one()
        for grid, households, members in ((GRID_1, 40, 6), (GRID_2, 20, 2), (GRID_3, 10, 1)):
            session.execute(
                insert(Household),
                [
                    {"number": f"H{grid}{n:03d}", "address": f"{grid} 第{n}户", "grid_code": grid}
                    for n in range(households)
                ],
            )
            _members(session, db, grid, members, ids["P" + grid])
        department = ids["D001"]
        rows = [
            case_row(GRID_1, rating="satisfied"),
            case_row(GRID_1, rating="satisfied", reworks=1),
            case_row(GRID_1, rating="dissatisfied"),
            case_row(GRID_1, state="in_progress", on_time_response=False),
            case_row(GRID_2, rating="satisfied", department_id=department),
            case_row(GRID_2, rating="satisfied", department_id=department),
        ]
        # Each case's one assignment carries the response clock the figures read.
        insert_cases(session, rows)
    return ids


def insert_cases(session: Any, rows: list[dict[str, Any]]) -> None:
    """Cases as the workflow leaves them, each with its one assignment."""
    case_ids = session.execute(insert(Case).returning(Case.id), rows).scalars().all()
    session.execute(
        insert(Assignment), [assignment_row(i, r) for i, r in zip(case_ids, rows, strict=True)]
    )


def assignment_row(case_id: int, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "level": row["level"],
        "unit_code": row["unit_code"],
        "department_id": row["department_id"],
        "lead": True,
        "active": True,
        "assigned_at": row["assigned_at"],
        "response_due_at": row["response_due_at"],
        "acknowledged_at": row["acknowledged_at"],
    }


def _members(session: Any, db: Database, grid: str, count: int, branch: int) -> None:
    cipher = db.field_cipher
    for n in range(count):
        number = f"4405121990010{n:02d}{grid[-2:]}X"
        resident = Resident(
            name=f"党员{grid[-2:]}{n}",
            doc_type="mainland_id",
            id_number_enc=cipher.encrypt(number, field="id_number"),
            id_number_index=f"{grid}-{n}",
            id_number_masked="4405**********X",
            grid_code=grid,
            created_at=FIXED_NOW,
        )
        session.add(resident)
        session.flush()
        session.add(
            PersonRoleRow(
                resident_id=resident.id,
                role="party_member",
                region_code=grid,
                organisation_id=branch,
            )
        )


def compute_october(db: Database, key: str = "three_rates", now: datetime = FIXED_NOW) -> int:
    """Load the shipped trees and compute ``key`` for October; returns the snapshot id."""
    with db.transaction() as session:
        service.ensure_shipped(session, now=now)
        snapshot = service.compute(
            session, key=key, period=OCTOBER, now=now, actor=Actor.system(), tz=TZ
        )
        return snapshot.id


def organisation_id(db: Database, code: str) -> int:
    with db.session() as session:
        return session.execute(
            select(Organisation.id).where(Organisation.code == code)
        ).scalar_one()
