"""Build the Shantou demo district (汕头市濠江区, 440512) into an empty database.

The territory (the real district boundary, its 7 streets and 61 communities, 269 grids
cut by ``geography``) goes through the same checked import as any district's GeoJSON.
Then, in bulk and deterministically for a seed: buildings and ~108,000 households,
~280,000 residents (a few hundred from abroad and from Macau and Hong Kong), 2,000+ grid
workers, party organisations from the district committee down to party groups with their
members and central households, departments, street and community offices, social
organisations and enterprises (some Macau-funded), each grid's chat group, and one demo
account per role. Demo mode is switched on: a banner, and one-click sign-in by role.

Demo account passwords are random, printed once and written to
``<data_dir>/demo-accounts.txt`` (mode 0600): gridgov has no default account.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from gridgov import settings_store
from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor, record
from gridgov.cases import service as cases_service
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.demo import cases as demo_cases
from gridgov.demo import crisis as demo_crisis
from gridgov.demo import deliberation as demo_deliberation
from gridgov.demo import indicators as demo_indicators
from gridgov.demo import outreach as demo_outreach
from gridgov.demo import services as demo_services
from gridgov.demo import staff as demo_staff
from gridgov.demo.geography import DISTRICT_CODE, Area, Territory, build_territory
from gridgov.demo.people import PeopleFactory, Person
from gridgov.registry import service as registry
from gridgov.registry.models import Building, Household, Organisation, PersonRoleRow, Resident
from gridgov.territory import service as territory
from gridgov.territory.models import ChatGroup

Progress = Callable[[str, int, int], None]
BATCH = 2000
WORKERS_PER_GRID = 8
CENTRAL_HOUSEHOLDS_PER_GRID = 3
FOREIGN_RESIDENTS = 320
MACAU_RESIDENTS = 180

DEPARTMENTS = (
    "区城市管理和综合执法局",
    "区住房和城乡建设局",
    "区公安分局",
    "区卫生健康局",
    "区民政局",
    "区应急管理局",
    "区市场监督管理局",
    "区生态环境分局",
    "区交通运输局",
    "区水务局",
    "区教育局",
    "区人力资源和社会保障局",
    "区退役军人事务局",
    "区政务服务数据管理局",
)
SOCIAL_ORGS = (
    "濠江区志愿者联合会",
    "濠江区社会工作服务中心",
    "濠江区慈善会",
    "达濠古城文化促进会",
    "濠江区老年人协会",
    "濠江区青年商会",
    "濠江区残疾人联合会服务站",
    "澳门街坊会联合总会濠江服务站",
    "濠江区外籍人士服务中心",
    "濠江区家庭教育指导中心",
    "濠江区红十字会",
    "濠江区渔民协会",
)
ENTERPRISE_WORDS = (
    "港口物流",
    "海洋食品",
    "新能源",
    "精密制造",
    "文旅发展",
    "电子科技",
    "纺织服装",
    "供应链",
)
DEMO_ACCOUNTS = (
    # (username, role, display name, which scope: district, street, community, grid)
    ("demo-admin", "admin", "演示管理员", "district"),
    ("demo-leader", "leader", "演示区领导", "district"),
    ("demo-auditor", "auditor", "演示审计员", "district"),
    ("demo-dispatcher", "dispatcher", "演示调度员", "district"),
    ("demo-unit", "unit_staff", "演示街道工作人员", "street"),
    ("demo-secretary", "branch_secretary", "演示社区党委书记", "community"),
    ("demo-worker", "grid_worker", "演示网格员", "grid"),
    ("demo-resident", "resident", "演示居民", "grid"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str


@dataclass(frozen=True)
class Summary:
    grids: int
    buildings: int
    households: int
    residents: int
    grid_workers: int
    organisations: int
    accounts: list[DemoAccount]
    cases: int = 0


def is_empty(db: Database) -> bool:
    with db.session() as session:
        return territory.count_regions(session) == 0


SHANGHAI = ZoneInfo("Asia/Shanghai")


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


def build(
    db: Database,
    *,
    data_dir: Path,
    now: datetime,
    seed: int = 1,
    progress: Progress = _quiet,
    case_count: int = 1000,
    tz: ZoneInfo = SHANGHAI,
) -> Summary:
    """Everything in one transaction: a failed build leaves the database empty."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    actor = Actor.system("demo")
    today = local_today(now, tz)
    progress("territory", 0, 1)
    land = build_territory(seed)
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=land.feature_collection())
        territory.do_import_geojson(
            session, actor=actor, checked=checked, now=now, source="demo:haojiang"
        )
        progress("territory", 1, 1)
        orgs = _organisations(session, land, rng)
        counts = _people(session, land, orgs, rng, today=today, now=now, progress=progress)
        _chat_groups(session, land)
        created = _accounts(session, land, rng, actor=actor, now=now)
        staff_password, staff_count = demo_staff.create_staff(
            session, grid_codes=[g.code for g in land.grids], actor=actor, now=now
        )
        created.append(
            DemoAccount(
                f"staff-*, gw-*, demo-department ({staff_count})", "unit_staff", staff_password
            )
        )
        cases_service.do_load_categories(
            session,
            actor=actor,
            now=now,
            rows=cases_service.category_rows(cases_service.default_category_document()),
        )
        settings_store.put(session, settings_store.DEMO_MODE, "on")
        summary = Summary(
            grids=len(land.grids),
            buildings=counts["buildings"],
            households=counts["households"],
            residents=counts["residents"],
            grid_workers=counts["grid_workers"],
            organisations=len(orgs.all_ids),
            accounts=created,
        )
        record(
            session,
            actor=actor,
            action="demo.built",
            object_type="district",
            object_id=DISTRICT_CODE,
            region_code=DISTRICT_CODE,
            now=now,
            summary={
                "seed": seed,
                **{k: v for k, v in summary.__dict__.items() if k != "accounts"},
            },
        )
    _write_credentials(data_dir / "demo-accounts.txt", created)
    if case_count:
        simulated = demo_cases.simulate(
            db,
            rng=random.Random(seed + 1),  # noqa: S311 - reproducible demo data
            now=now,
            count=case_count,
            progress=progress,
        )
        summary = Summary(**{**summary.__dict__, "cases": simulated})
        progress("deliberation", 0, 1)
        demo_deliberation.simulate(
            db,
            rng=random.Random(seed + 3),  # noqa: S311 - reproducible demo data
            now=now,
            tz=tz,
        )
        progress("deliberation", 1, 1)
        demo_outreach.simulate(db, rng=random.Random(seed + 4), now=now, tz=tz)  # noqa: S311
        # Indicators last: the index counts the meetings deliberation has held.
        progress("indicators", 0, 1)
        demo_indicators.simulate(
            db,
            rng=random.Random(seed + 2),  # noqa: S311 - reproducible demo data
            now=now,
            tz=tz,
            days=demo_cases.DAYS,
        )
        progress("indicators", 1, 1)
        demo_crisis.simulate(db, rng=random.Random(seed + 4), now=now)  # noqa: S311 - demo data
    demo_services.simulate(db, rng=random.Random(seed + 4), now=now, tz=tz, days=demo_cases.DAYS)  # noqa: S311
    return summary


# ---------------------------------------------------------------- organisations


@dataclass
class Orgs:
    all_ids: list[int]
    grid_branch: dict[str, int]  # grid code → its party branch
    branch_groups: dict[str, list[int]]  # grid code → its party groups


def _insert_returning(session: Session, model: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Bulk insert in batches; the new ids in the order of ``rows`` (both engines)."""
    ids: list[int] = []
    table: Table = model.__table__
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        result = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True), chunk
        )
        ids.extend(row[0] for row in result)
    return ids


def _insert(session: Session, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    table: Table = model.__table__
    batch: list[dict[str, Any]] = []
    count = 0
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            session.execute(insert(table), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)
        count += len(batch)
    return count


def _org(
    code: str,
    name: str,
    kind: str,
    region: str,
    parent: int | None = None,
    macau: bool = False,
    note: str = "",
) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "parent_id": parent,
        "region_code": region,
        "macau_funded": macau,
        "credit_code": None,
        "note": note,
    }


def _org_level(
    session: Session, areas: list[Area], name: str, kind: str, parents: dict[str, int]
) -> dict[str, int]:
    """One party organisation per area, under its parent area's; area code → id."""
    rows = [
        _org(f"P{a.code}", name.format(name=a.name), kind, a.code, parents[a.parent_code or ""])
        for a in areas
    ]
    ids = _insert_returning(session, Organisation, rows)
    return dict(zip((a.code for a in areas), ids, strict=True))


def _organisations(session: Session, land: Territory, rng: random.Random) -> Orgs:
    ids: list[int] = []
    (committee,) = _insert_returning(
        session,
        Organisation,
        [_org("P440512", "中共汕头市濠江区委员会", "party_committee", DISTRICT_CODE)],
    )
    ids.append(committee)
    street_ids = _org_level(
        session, land.streets, "中共{name}工作委员会", "party_committee", {DISTRICT_CODE: committee}
    )
    community_ids = _org_level(
        session, land.communities, "中共{name}委员会", "party_committee", street_ids
    )
    grid_branch = _org_level(session, land.grids, "{name}党支部", "party_branch", community_ids)
    ids += [*street_ids.values(), *community_ids.values(), *grid_branch.values()]
    group_rows = [
        _org(
            f"P{g.code}G{n}",
            f"{g.name}党支部第{'一二'[n - 1]}党小组",
            "party_group",
            g.code,
            grid_branch[g.code],
        )
        for g in land.grids
        for n in (1, 2)
    ]
    group_ids = _insert_returning(session, Organisation, group_rows)
    ids.extend(group_ids)
    branch_groups = {g.code: group_ids[2 * i : 2 * i + 2] for i, g in enumerate(land.grids)}
    others = [
        _org(f"D{n:03d}", f"汕头市濠江{name}", "department", DISTRICT_CODE)
        for n, name in enumerate(DEPARTMENTS, start=1)
    ]
    others += [_org(f"S{s.code}", f"{s.name}办事处", "street_office", s.code) for s in land.streets]
    others += [
        _org(f"C{c.code}", f"{c.name}居民委员会", "community_office", c.code)
        for c in land.communities
    ]
    others += [
        _org(f"O{n:03d}", name, "social_org", rng.choice(land.streets).code, macau="澳门" in name)
        for n, name in enumerate(SOCIAL_ORGS, start=1)
    ]
    for n in range(1, 41):
        macau = n <= 15
        street = rng.choice(land.streets)
        word = rng.choice(ENTERPRISE_WORDS)
        prefix = "澳资" if macau else ""
        others.append(
            _org(
                f"E{n:03d}",
                f"汕头{prefix}{street.name[:2]}{word}有限公司",
                "enterprise",
                street.code,
                macau=macau,
                note="七个优先" if macau else "",
            )
        )
    ids.extend(_insert_returning(session, Organisation, others))
    return Orgs(ids, grid_branch, branch_groups)


# ---------------------------------------------------------------- people and places


def _address(grid: Area, community_name: str, site_no: int) -> str:
    road = community_name.removesuffix("社区") + "路"
    return f"广东省汕头市濠江区{community_name}{road}{site_no}号"


def _people(
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
    building_ids = _insert_returning(session, Building, building_rows)
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
        household_ids += _insert_returning(
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
    size = rng.choices((1, 2, 3, 4, 5), weights=(14, 30, 26, 20, 10))[0]
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
        ids = _insert_returning(session, Resident, rows)
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
    _insert(session, PersonRoleRow, rows)
    return workers


def _chat_groups(session: Session, land: Territory) -> None:
    _insert(
        session,
        ChatGroup,
        (
            {
                "region_code": g.code,
                "platform": "wecom",
                "name": f"{g.name}居民群",
                "external_id": f"wecom-demo-{g.code}",
            }
            for g in land.grids
        ),
    )


def _accounts(
    session: Session, land: Territory, rng: random.Random, *, actor: Actor, now: datetime
) -> list[DemoAccount]:
    grid = land.grids[0]
    scopes = {
        "district": DISTRICT_CODE,
        "street": grid.code[:9],
        "community": grid.code[:12],
        "grid": grid.code,
    }
    created: list[DemoAccount] = []
    for username, role, display_name, level in DEMO_ACCOUNTS:
        password = "demo-" + secrets.token_urlsafe(12)
        accounts.do_create_user(
            session,
            actor=actor,
            username=username,
            role=role,
            scope=scopes[level],
            password=password,
            display_name=display_name,
            now=now,
        )
        created.append(DemoAccount(username, role, password))
    return created


def _write_credentials(path: Path, created: list[DemoAccount]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# gridgov demo accounts (random passwords; demo only)\n")
        for account in created:
            handle.write(f"{account.username}\t{account.role}\t{account.password}\n")
