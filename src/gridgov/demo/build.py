"""Build the Shantou demo district (汕头市濠江区, 440512) into an empty database.

The territory (the real district boundary, its 7 streets and 61 communities, 269 grids
cut by ``geography``) goes through the same checked import as any district's GeoJSON.
Then, in bulk and deterministically for a seed: buildings and ~108,000 households,
~280,000 residents (a few hundred from abroad and from Macau and Hong Kong), 2,000+ grid
workers, party organisations from the district committee down to party groups with their
members and central households, departments, street and community offices, social
organisations and enterprises (some Macau-funded), each grid's chat group, and one demo
account per role. Demo mode is switched on: a banner, and one-click sign-in by role.
The organisations are made by ``organisations``, the people and places by
``population``, both in bulk (``bulk``); then the simulated months act through the
services: ``cases``, ``deliberation`` (a package of table-driven scripts), ``outreach``,
``enterprises``, ``volunteers``, ``programmes``,
``indicators``, ``crisis`` and ``services``.

Demo account passwords are random, printed once and written to
``<data_dir>/demo-accounts.txt`` (mode 0600): gridgov has no default account.
"""

from __future__ import annotations

import os
import random
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov import settings_store
from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor, record_region
from gridgov.cases import classify, spam
from gridgov.cases import service as cases_service
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.demo import cases as demo_cases
from gridgov.demo import crisis as demo_crisis
from gridgov.demo import deliberation as demo_deliberation
from gridgov.demo import enterprises as demo_enterprises
from gridgov.demo import indicators as demo_indicators
from gridgov.demo import outreach as demo_outreach
from gridgov.demo import programmes as demo_programmes
from gridgov.demo import services as demo_services
from gridgov.demo import staff as demo_staff
from gridgov.demo import volunteers as demo_volunteers
from gridgov.demo.bulk import insert_rows
from gridgov.demo.geography import DISTRICT_CODE, Territory, build_territory
from gridgov.demo.organisations import organisations
from gridgov.demo.population import Progress, populate
from gridgov.territory import service as territory
from gridgov.territory.models import ChatGroup, Region

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


def sign_in_names(session: Session) -> list[str]:
    """The accounts the login page offers in demo mode, in this order: one per role, the
    department's, and 头村's secretary (its contact groups and member pipeline); not the
    demo's other secretaries and residents, which only act in the simulated months."""
    village = session.scalar(
        select(Region.code).where(
            Region.name == demo_outreach.SHICHA_VILLAGE, Region.level == "community"
        )
    )
    roles = [username for username, *_ in DEMO_ACCOUNTS]
    return [
        *roles,
        demo_staff.DEPARTMENT_ACCOUNT,
        *([demo_staff.secretary_of(village)] if village else []),
    ]


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
    """The district in one transaction (a failed one leaves the database empty), then the
    simulated months, under the database's bulk-load settings (``Database.bulk_load``).
    With cases to simulate, the classifier and the spam screen train on a thread
    meanwhile (their C parts, and the database's, leave the interpreter to the other)."""
    if case_count:
        threading.Thread(target=_warm_models, name="demo-warm-models", daemon=True).start()
    with db.bulk_load():
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
            orgs = organisations(session, land, rng)
            counts = populate(session, land, orgs, rng, today=today, now=now, progress=progress)
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
            record_region(
                session,
                actor,
                "demo.built",
                DISTRICT_CODE,
                object_type="district",
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
            # (stage, seed offset, what it runs), in order; indicators after deliberation: the
            # index counts the meetings deliberation has held.
            stages: list[tuple[str, int, Callable[..., object]]] = [
                ("deliberation", 3, partial(demo_deliberation.simulate, tz=tz)),
                ("outreach", 4, partial(demo_outreach.simulate, tz=tz)),
                ("enterprises", 5, partial(demo_enterprises.simulate, tz=tz)),
                ("volunteers", 6, partial(demo_volunteers.simulate, tz=tz)),
                ("programmes", 7, partial(demo_programmes.simulate, tz=tz)),
                ("indicators", 2, partial(demo_indicators.simulate, tz=tz, days=demo_cases.DAYS)),
                ("crisis", 4, demo_crisis.simulate),
            ]
        else:
            stages = []
        stages.append(("services", 4, partial(demo_services.simulate, tz=tz, days=demo_cases.DAYS)))
        for name, offset, simulate in stages:
            progress(name, 0, 1)
            simulate(db, rng=random.Random(seed + offset), now=now)  # noqa: S311 - reproducible demo data
            progress(name, 1, 1)
        return summary


def _warm_models() -> None:
    """Train the models the cases' intake uses (cached per process); a failure here
    leaves them to train when the first case needs them, and raise there."""
    try:
        classify.default()
        spam.default()
    except Exception:  # noqa: S110 - the intake trains again and reports the error
        pass


def _chat_groups(session: Session, land: Territory) -> None:
    insert_rows(
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
    # 头村's party secretary: the outreach demo keeps its contact groups, visits, pledges
    # and member pipeline through this account (demo.outreach), so it is listed too.
    village = next(c for c in land.communities if c.name == demo_outreach.SHICHA_VILLAGE)
    scopes[village.code] = village.code
    secretary = (demo_staff.secretary_of(village.code), "branch_secretary")
    listed = (*DEMO_ACCOUNTS, (*secretary, f"{village.name}党委书记", village.code))
    created: list[DemoAccount] = []
    for username, role, display_name, level in listed:
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
