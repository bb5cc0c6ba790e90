"""The demo district's people and places: buildings on each grid's sites, ~108,000
households, ~280,000 residents (a few hundred from abroad and from Macau and Hong Kong,
as tenants), and their roles — grid workers, party members, central households,
volunteers and deliberation representatives."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridgov.demo.bulk import BATCH, insert_returning, insert_rows
from gridgov.demo.geography import Area, Territory
from gridgov.demo.organisations import Orgs
from gridgov.demo.people import PeopleFactory, Person
from gridgov.registry import service as registry
from gridgov.registry.models import Building, Household, PersonRoleRow, Resident

WORKERS_PER_GRID = 8
CENTRAL_HOUSEHOLDS_PER_GRID = 3
FOREIGN_RESIDENTS = 320
MACAU_RESIDENTS = 180
Progress = Callable[[str, int, int], None]
# Household sizes and their weights (14, 30, 26, 20, 10), accumulated once: the same
# draws as ``weights=`` (which accumulates them on every call, 108,000 times).
SIZES = (1, 2, 3, 4, 5)
SIZE_CUM_WEIGHTS = (14, 44, 70, 90, 100)


def _address(grid: Area, community_name: str, site_no: int) -> str:
    road = community_name.removesuffix("社区") + "路"
    return f"广东省汕头市濠江区{community_name}{road}{site_no}号"


def populate(
    session: Session,
    land: Territory,
    orgs: Orgs,
    rng: random.Random,
    *,
    today: date,
    now: datetime,
    progress: Progress,
) -> dict[str, int]:
    cipher = registry.cipher_of(session)
    factory = PeopleFactory(rng)
    communities = {c.code: c for c in land.communities}
    total_households = sum(g.households for g in land.grids)
    # Buildings, then households with their ids.
    building_rows: list[dict[str, Any]] = []
    for grid in land.grids:
        community = communities[grid.parent_code or ""]
        for n, site in enumerate(grid.sites, start=1):
            building_rows.append(
                {
                    "code": f"{grid.code}B{n:03d}",
                    "name": f"{community.name}{n}号楼",
                    "address": _address(grid, community.name, n),
                    "lon": site.lon,
                    "lat": site.lat,
                    "grid_code": grid.code,
                }
            )
    building_ids = insert_returning(session, Building, building_rows)
    household_rows: list[dict[str, Any]] = []
    household_grid: list[Area] = []
    index = 0
    for grid in land.grids:
        community = communities[grid.parent_code or ""]
        number = 0
        for n, site in enumerate(grid.sites, start=1):
            building_id = building_ids[index]
            index += 1
            for unit in range(site.households):
                number += 1
                floor, room = divmod(unit, 4)
                household_rows.append(
                    {
                        "number": f"{grid.code}-{number:04d}",
                        "address": f"{_address(grid, community.name, n)}{floor + 1}0{room + 1}房",
                        "building_id": building_id,
                        "lon": site.lon,
                        "lat": site.lat,
                        "grid_code": grid.code,
                    }
                )
                household_grid.append(grid)
    household_ids: list[int] = []
    for start in range(0, len(household_rows), BATCH * 5):
        household_ids += insert_returning(
            session, Household, household_rows[start : start + BATCH * 5]
        )
        progress("households", len(household_ids), total_households)
    # Residents, household by household; foreign and Macau residents as tenants in some.
    special = sorted(rng.sample(range(len(household_ids)), FOREIGN_RESIDENTS + MACAU_RESIDENTS))
    special_kind = {
        h: ("foreign" if i < FOREIGN_RESIDENTS else "macau")
        for i, h in enumerate(rng.sample(special, len(special)))
    }
    rows: list[dict[str, Any]] = []
    pending: list[tuple[str, Person]] = []
    members: dict[str, list[tuple[int, Person]]] = {g.code: [] for g in land.grids}
    for h, (household_id, grid) in enumerate(zip(household_ids, household_grid, strict=True)):
        people = _household(factory, rng, today)
        if h in special_kind:
            if special_kind[h] == "foreign":
                people.append((factory.foreigner(today), "tenant", ("foreign_resident",)))
            else:
                people.append((factory.macau_resident(today), "tenant", ()))
        for person, relation, tags in people:
            rows.append(_resident_row(cipher, person, relation, tags, household_id, grid.code, now))
            pending.append((grid.code, person))
        if len(rows) >= BATCH * 5:
            _flush_residents(session, rows, pending, members)
            progress("residents", h + 1, len(household_ids))
    _flush_residents(session, rows, pending, members)
    progress("residents", len(household_ids), len(household_ids))
    workers = _roles(session, land, orgs, rng, members, today=today)
    return {
        "buildings": len(building_ids),
        "households": len(household_ids),
        "residents": sum(len(m) for m in members.values()),
        "grid_workers": workers,
    }


def _household(
    factory: PeopleFactory, rng: random.Random, today: date
) -> list[tuple[Person, str, tuple[str, ...]]]:
    size = rng.choices(SIZES, cum_weights=SIZE_CUM_WEIGHTS)[0]
    if size == 1:
        person = factory.resident(today, min_age=22, max_age=92)
        tags = ("elderly_alone",) if (today - person.birth_date).days >= 70 * 365 else ()
        return [(person, "householder", tags + _care_tags(rng))]
    head = factory.resident(
        today, min_age=28, max_age=75, sex=rng.choice(("male", "male", "female"))
    )
    spouse_sex = "female" if head.sex == "male" else "male"
    people: list[tuple[Person, str, tuple[str, ...]]] = [
        (head, "householder", _care_tags(rng)),
        (
            factory.resident(today, min_age=26, max_age=75, sex=spouse_sex),
            "spouse",
            _care_tags(rng),
        ),
    ]
    head_age = (today - head.birth_date).days // 365
    for _ in range(size - 2):
        if head_age > 45 and rng.random() < 0.25:
            people.append(
                (
                    factory.resident(
                        today, min_age=min(head_age + 20, 95), max_age=min(head_age + 30, 100)
                    ),
                    "parent",
                    _care_tags(rng),
                )
            )
        else:
            people.append(
                (
                    factory.resident(today, min_age=0, max_age=max(0, min(head_age - 20, 30))),
                    "child",
                    (),
                )
            )
    return people


def _care_tags(rng: random.Random) -> tuple[str, ...]:
    tags: list[str] = []
    if rng.random() < 0.02:
        tags.append("disability")
    if rng.random() < 0.015:
        tags.append("low_income")
    if rng.random() < 0.01:
        tags.append("veteran")
    return tuple(tags)


def _resident_row(
    cipher: Any,
    person: Person,
    relation: str,
    tags: tuple[str, ...],
    household_id: int,
    grid_code: str,
    now: datetime,
) -> dict[str, Any]:
    sealed_id = registry.seal_id_number(cipher, person.id_number)
    phone = (
        person.phone.replace("+86", "")
        if person.phone.startswith("+86") and len(person.phone) == 14
        else person.phone
    )
    sealed_phone = registry.seal_phone(cipher, phone) if phone else None
    return {
        "name": person.name,
        "doc_type": person.doc_type,
        "id_number_enc": sealed_id.encrypted,
        "id_number_index": sealed_id.index,
        "id_number_masked": sealed_id.masked,
        "phone_enc": sealed_phone.encrypted if sealed_phone else None,
        "phone_index": sealed_phone.index if sealed_phone else None,
        "phone_masked": sealed_phone.masked if sealed_phone else None,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "nationality": person.nationality,
        "language": person.language,
        "household_id": household_id,
        "relation": relation,
        "tags": ",".join(tags),
        "grid_code": grid_code,
        "created_at": now,
    }


def _flush_residents(
    session: Session,
    rows: list[dict[str, Any]],
    pending: list[tuple[str, Person]],
    members: dict[str, list[tuple[int, Person]]],
) -> None:
    """Insert the batch, note each new resident's id under its grid, empty the batch."""
    if rows:
        ids = insert_returning(session, Resident, rows)
        for resident_id, (grid_code, person) in zip(ids, pending, strict=True):
            members[grid_code].append((resident_id, person))
    rows.clear()
    pending.clear()


def _age(person: Person, today: date) -> int:
    return (today - person.birth_date).days // 365


def _roles(
    session: Session,
    land: Territory,
    orgs: Orgs,
    rng: random.Random,
    members: dict[str, list[tuple[int, Person]]],
    *,
    today: date,
) -> int:
    """Grid workers (one full-time, the rest part-time), party members in each grid's
    branch, central households, volunteers and deliberation representatives."""
    rows: list[dict[str, Any]] = []
    workers = 0

    def role(
        resident_id: int,
        kind: str,
        region: str,
        org: int | None = None,
        full_time: bool = False,
        years: int = 8,
    ) -> None:
        rows.append(
            {
                "resident_id": resident_id,
                "role": kind,
                "region_code": region,
                "organisation_id": org,
                "full_time": full_time,
                "since": today - timedelta(days=rng.randint(60, 365 * years)),
            }
        )

    reps_by_community: dict[str, list[int]] = {}
    for grid in land.grids:
        people = members[grid.code]
        adults = [(rid, p) for rid, p in people if 18 <= _age(p, today) <= 75]
        working_age = [
            (rid, p)
            for rid, p in adults
            if _age(p, today) <= 58 and p.nationality == "CHN" and p.doc_type == "mainland_id"
        ]
        chosen = rng.sample(working_age, min(WORKERS_PER_GRID, len(working_age)))
        branch = orgs.grid_branch[grid.code]
        party: set[int] = set()
        for n, (rid, _person) in enumerate(chosen):
            role(rid, "grid_worker", grid.code, full_time=n == 0, years=6)
            workers += 1
            if n == 0 or rng.random() < 0.6:
                party.add(rid)
        for rid, person in adults:
            if person.doc_type == "mainland_id" and rng.random() < 0.05:
                party.add(rid)
        for rid in sorted(party):
            role(
                rid,
                "party_member",
                grid.code,
                rng.choice(orgs.branch_groups[grid.code] + [branch]),
                years=30,
            )
        for rid in rng.sample(sorted(party), min(CENTRAL_HOUSEHOLDS_PER_GRID, len(party))):
            role(rid, "central_household", grid.code, branch, years=5)
        for rid, _person in adults:
            if rng.random() < 0.02:
                role(rid, "volunteer", grid.code, years=4)
        # Deliberation representatives: some residents of every kind, Macau and
        # foreign residents among them where a grid has them (横琴's practice).
        guests = [rid for rid, p in adults if p.doc_type != "mainland_id"]
        locals_ = [rid for rid, p in adults if p.doc_type == "mainland_id"]
        picks = rng.sample(locals_, min(2, len(locals_))) + guests[:1]
        reps_by_community.setdefault(grid.parent_code or "", []).extend(picks)
    for community_code, picks in reps_by_community.items():
        for rid in picks:
            role(rid, "deliberation_rep", community_code, years=3)
    insert_rows(session, PersonRoleRow, rows)
    return workers
