"""A typhoon-ready corner of Haojiang: the small territory, households in both grids of
青篮社区 and one in 东湖社区, residents with care tags and languages, and the people who
act (a leader, two grid workers, a worker of the other community)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.crisis import service
from gridgov.crisis.models import Incident
from gridgov.db import Database
from gridgov.registry import service as registry
from gridgov.registry.models import Household
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, mainland_id, make_territory, make_user

GRID_1 = "44051200100101"
GRID_2 = "44051200100102"
OTHER_GRID = "44051200200101"
COMMUNITY = "440512001001"

# (number, grid, [(name, relation, tags, language, phone)])
HOUSEHOLDS = (
    ("QL-001", GRID_1, [("林阿婆", "householder", ("elderly_alone",), None, "13800000001")]),
    (
        "QL-002",
        GRID_1,
        [
            ("Kim Minji", "householder", ("foreign_resident",), "ko", "13800000002"),
            ("Kim Jisoo", "child", (), "ko", None),
        ],
    ),
    ("QL-003", GRID_1, [("Nguyen Van An", "householder", ("pregnant",), "vi-VN", None)]),
    ("QL-004", GRID_2, [("Pierre Martin", "householder", (), "fr", "13800000004")]),
    (
        "QL-005",
        GRID_2,
        [("陈大伯", "householder", ("disability", "chronic_illness"), "zh-CN", None)],
    ),
    ("DH-001", OTHER_GRID, [("东湖住户", "householder", (), None, "13800000006")]),
)


@dataclass
class World:
    leader: Actor
    worker_1: Actor
    worker_2: Actor
    outsider: Actor
    households: dict[str, int] = field(default_factory=dict)
    residents: dict[str, int] = field(default_factory=dict)


def make_world(db: Database, now: datetime = FIXED_NOW) -> World:
    make_territory(db, now)
    seq = 0
    households: dict[str, int] = {}
    residents: dict[str, int] = {}
    with db.transaction() as session:
        for number, grid, people in HOUSEHOLDS:
            household = Household(number=number, address=f"{number} 海滨路", grid_code=grid)
            session.add(household)
            session.flush()
            households[number] = household.id
            for name, relation, tags, language, phone in people:
                seq += 1
                value = registry.ResidentInput(
                    name=name,
                    doc_type="mainland_id",
                    id_number=mainland_id("19600101", f"{seq:03d}"),
                    phone=phone or "",
                    birth_date=date(1960, 1, 1),
                    language=language or "",
                    household_number=number,
                    relation=relation,
                    tags=tags,
                )
                resident = registry.do_create_resident(session, actor=SYSTEM, value=value, now=now)
                residents[name] = resident.id
    return World(
        leader=accounts.actor_for(make_user(db, "zhao.leader", "leader", "440512")),
        worker_1=accounts.actor_for(make_user(db, "chen.worker", "grid_worker", GRID_1)),
        worker_2=accounts.actor_for(make_user(db, "li.worker", "grid_worker", GRID_2)),
        outsider=accounts.actor_for(make_user(db, "wang.worker", "grid_worker", OTHER_GRID)),
        households=households,
        residents=residents,
    )


def open_typhoon(db: Database, world: World, now: datetime = FIXED_NOW, **extra: object) -> int:
    with db.transaction() as session:
        incident: Incident = service.do_open_incident(
            session,
            actor=world.leader,
            value=service.IncidentInput(
                title="台风“海葵”防御",
                kind="typhoon",
                level="level_ii",
                region_code="440512001",
                area_codes=(COMMUNITY,),
                **extra,  # type: ignore[arg-type]
            ),
            now=now,
        )
        return incident.id


__all__ = ["SYSTEM", "World", "make_world", "open_typhoon"]


def add_delivery_task(db: Database, world: World, incident_id: int) -> int:
    """A supply delivery in grid 2, set by the leader, due two hours after FIXED_NOW."""
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return service.do_add_task(
            session,
            actor=world.leader,
            incident=incident,
            kind="supply_delivery",
            grid_code=GRID_2,
            due_at=FIXED_NOW + timedelta(hours=2),
            now=FIXED_NOW,
        ).id
