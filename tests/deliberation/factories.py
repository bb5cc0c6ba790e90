"""A village for deliberation tests, built on ``tests.factories.make_territory``.

``make_village(db)`` makes, in 青篮社区 (440512001001, a community-level region used as
the village; its grids 44051200100101 and 44051200100102):

- ``households`` households (default 25), numbered ``QL-001``…, alternating between
  the two grids; in each a householder and a spouse (adults, born 1960-1991) — so
  ``2 × households`` adults — and, in the first ``minors`` households (default 10), a
  child born in 2014 (a minor on FIXED_NOW, 2026-11-30);
- person roles (``person_role``) on adults, region 440512001001: the first
  ``representatives`` adults (default 45) are ``deliberation_rep``; the first
  ``party_members`` adults (default 15) are ``party_member``;
- body members (``BodyMember``, region 440512001001): ``branch_committee`` = adults
  0-4 (5 seats), ``residents_committee`` = adults 3-7 (5 seats; adults 3 and 4 sit on
  both, so the two committees together are 8 people), ``deliberation_council`` =
  adults 10-16 (7 seats), ``supervisor`` (the supervision committee,
  村务监督委员会) = adults 20-22 (3 seats);
- a resident in the other community (东湖社区, 44051200200101), an adult, who must
  never appear on the village's rosters (``outsider_id``);
- users (password ``tests.factories.PASSWORD``), all scoped to the village unless
  said: ``clerk`` (unit_staff: the community office's clerk who runs meetings),
  ``secretary`` (branch_secretary), ``leader`` (leader, scope the street 440512001),
  ``supervisor`` (auditor: a supervision committee member's account), ``admin``
  (admin, scope 440512), ``villager`` (resident, linked through ``User.resident_id`` to
  adult 0), ``outsider`` (branch_secretary of 东湖社区 440512002001).

Everything is returned as ids in a :class:`Village`; nothing is kept attached to a
session. Counts can be shrunk for speed (``make_village(db, households=3, …)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from gridgov.accounts.models import User
from gridgov.db import Database
from gridgov.deliberation.models import BodyMember
from gridgov.registry.models import Household, PersonRoleRow
from gridgov.registry.service import ResidentInput, cipher_of, new_resident, resident_problems
from tests.conftest import FIXED_NOW
from tests.factories import mainland_id, make_territory, make_user

VILLAGE = "440512001001"
VILLAGE_GRIDS = ("44051200100101", "44051200100102")
OTHER_COMMUNITY = "440512002001"
OTHER_GRID = "44051200200101"

BODY_SEATS: dict[str, range] = {
    "branch_committee": range(0, 5),
    "residents_committee": range(3, 8),
    "deliberation_council": range(10, 17),
    "supervisor": range(20, 23),
}

USERS: dict[str, tuple[str, str]] = {
    "clerk": ("unit_staff", VILLAGE),
    "secretary": ("branch_secretary", VILLAGE),
    "leader": ("leader", "440512001"),
    "supervisor": ("auditor", VILLAGE),
    "admin": ("admin", "440512"),
    "villager": ("resident", VILLAGE),
    "outsider": ("branch_secretary", OTHER_COMMUNITY),
}


@dataclass
class Village:
    region_code: str
    household_ids: list[int] = field(default_factory=list)
    householder_ids: list[int] = field(default_factory=list)  # one per household, in order
    adult_ids: list[int] = field(default_factory=list)
    minor_ids: list[int] = field(default_factory=list)
    representative_ids: list[int] = field(default_factory=list)
    party_member_ids: list[int] = field(default_factory=list)
    bodies: dict[str, list[int]] = field(default_factory=dict)  # body -> resident ids
    outsider_id: int = 0
    users: dict[str, str] = field(default_factory=dict)  # key -> username

    @property
    def two_committees(self) -> list[int]:
        return sorted(
            set(self.bodies["branch_committee"]) | set(self.bodies["residents_committee"])
        )


def _resident(
    session: object,
    *,
    name: str,
    birth: date,
    seq: int,
    grid: str,
    household_id: int | None,
    relation: str,
    now: datetime,
) -> int:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    value = ResidentInput(
        name=name,
        doc_type="mainland_id",
        id_number=mainland_id(birth.strftime("%Y%m%d"), f"{seq % 1000:03d}"),
        birth_date=birth,
        relation=relation,
        grid_code=grid,
    )
    problems = resident_problems(value, today=now.date())
    assert not problems, problems
    row = new_resident(cipher_of(session), value, household_id=household_id, now=now)
    session.add(row)
    session.flush()
    return row.id


def make_village(
    db: Database,
    *,
    households: int = 25,
    minors: int = 10,
    representatives: int = 45,
    party_members: int = 15,
    with_territory: bool = True,
    with_users: bool = True,
    now: datetime = FIXED_NOW,
) -> Village:
    """Build the village described in the module docstring; returns its ids."""
    if with_territory:
        make_territory(db, now)
    village = Village(region_code=VILLAGE)
    adults_total = 2 * households
    assert representatives <= adults_total
    assert party_members <= adults_total
    with db.transaction() as session:
        seq = 0
        for index in range(households):
            grid = VILLAGE_GRIDS[index % 2]
            household = Household(
                number=f"QL-{index + 1:03d}", address=f"青篮村{index + 1}号", grid_code=grid
            )
            session.add(household)
            session.flush()
            village.household_ids.append(household.id)
            for relation, year in (("householder", 1960), ("spouse", 1962)):
                seq += 1
                resident_id = _resident(
                    session,
                    name=f"村民{seq:03d}",
                    birth=date(year + index % 30, 1 + index % 12, 1 + index % 28),
                    seq=seq,
                    grid=grid,
                    household_id=household.id,
                    relation=relation,
                    now=now,
                )
                village.adult_ids.append(resident_id)
                if relation == "householder":
                    village.householder_ids.append(resident_id)
            if index < minors:
                seq += 1
                village.minor_ids.append(
                    _resident(
                        session,
                        name=f"少年{seq:03d}",
                        birth=date(2014, 1 + index % 12, 1 + index % 28),
                        seq=seq,
                        grid=grid,
                        household_id=household.id,
                        relation="child",
                        now=now,
                    )
                )
        seq += 1
        village.outsider_id = _resident(
            session,
            name="东湖居民",
            birth=date(1980, 5, 5),
            seq=seq,
            grid=OTHER_GRID,
            household_id=None,
            relation="",
            now=now,
        )
        # adults alternate householder/spouse per household: order them by household
        for resident_id in village.adult_ids[:representatives]:
            session.add(
                PersonRoleRow(resident_id=resident_id, role="deliberation_rep", region_code=VILLAGE)
            )
            village.representative_ids.append(resident_id)
        for resident_id in village.adult_ids[:party_members]:
            session.add(
                PersonRoleRow(resident_id=resident_id, role="party_member", region_code=VILLAGE)
            )
            village.party_member_ids.append(resident_id)
        # the outsider is a party member of the other community: never on our rosters
        session.add(
            PersonRoleRow(
                resident_id=village.outsider_id, role="party_member", region_code=OTHER_COMMUNITY
            )
        )
        for body, seats in BODY_SEATS.items():
            members = [village.adult_ids[i] for i in seats if i < adults_total]
            village.bodies[body] = members
            for resident_id in members:
                session.add(
                    BodyMember(
                        region_code=VILLAGE, body=body, resident_id=resident_id, title="委员"
                    )
                )
        session.flush()
    if with_users:
        for key, (role, scope) in USERS.items():
            username = f"dl_{key}"
            make_user(db, username, role, scope, now=now)
            village.users[key] = username
        with db.transaction() as session:
            user = session.scalars(select(User).where(User.username == "dl_villager")).one()
            user.resident_id = village.adult_ids[0]
    return village
