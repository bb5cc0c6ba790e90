"""The demo's 10-minute circle: the matters catalogue, a SYNTHETIC walking network
inside the real district boundary (Haojiang's OpenStreetMap data cannot be fetched
offline; docs/services.md), a party–people service centre for every street and
community at its office's building, months of service records, the coverage snapshot
and a siting suggestion for the least-covered street, asked by the district leader."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from gridgov.audit.service import Actor, record_region
from gridgov.db import Database
from gridgov.demo.bulk import insert_rows
from gridgov.demo.geography import DISTRICT_CODE, district_polygon, streets_data
from gridgov.registry.models import Household
from gridgov.services import circle, networks, planning, service, siting
from gridgov.services.models import ServiceMatter, ServiceRecord
from gridgov.services.rules import NetworkSource, PointKind
from gridgov.territory.models import Region

ADMIN = Actor(username="demo-admin", role="admin", scope=DISTRICT_CODE)
LEADER = Actor(username="demo-leader", role="leader", scope=DISTRICT_CODE)
HOURS = "周一至周五 8:30–12:00, 14:30–17:30；周六上午 9:00–12:00"
COMMON = [
    "residence-certificate",
    "elderly-allowance",
    "medical-insurance",
    "pension-certification",
    "employment-registration",
    "birth-service",
]
STREET_ONLY = ["disability-subsidy", "minimum-living", "veteran-services", "residence-permit"]
# A street's centre and a community's station: (name, address, fewest and most staff)
POINTS = {
    PointKind.CENTRE: ("{name}党群服务中心", "广东省汕头市濠江区{name}办事处一楼", (8, 16)),
    PointKind.STATION: ("{name}党群服务站", "广东省汕头市濠江区{name}居民委员会", (2, 6)),
}


class _Homes:
    """Every household's spot and grid, loaded once."""

    def __init__(self, session: Any) -> None:
        rows = session.execute(
            select(Household.grid_code, Household.lon, Household.lat).where(
                Household.lon.is_not(None)
            )
        ).all()
        codes, lons, lats = zip(*rows, strict=True) if rows else ((), (), ())
        self.codes = np.array(codes, dtype=str)
        self.coords = np.column_stack([np.array(lons, float), np.array(lats, float)])

    def office_site(self, code: str) -> tuple[float, float] | None:
        """The household spot nearest the middle of a region's households: where its
        office would stand (the demo has no real addresses of the offices)."""
        inside = np.char.startswith(self.codes, code)
        if not inside.any():
            return None
        coords = self.coords[inside]
        middle = np.median(coords, axis=0)
        best = int(np.argmin(((coords - middle) ** 2).sum(axis=1)))
        return float(coords[best, 0]), float(coords[best, 1])


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo, days: int) -> str:
    """Build it all; returns the code of the street the siting suggestion is for."""
    with db.transaction() as session:
        matters = service.check_catalogue(service.shipped_catalogue())
        service.do_load_catalogue(session, actor=ADMIN, now=now, matters=matters)
        graph = networks.synthetic(district_polygon(), spacing_m=130.0, seed=7)
        circle.do_import_network(
            session,
            actor=ADMIN,
            now=now,
            graph=graph,
            name="濠江区步行网络（合成）",
            source=NetworkSource.SYNTHETIC,
            note="Synthetic 130 m street lattice inside the real district boundary.",
        )
        streets = {s["code"]: s for s in streets_data()}
        homes = _Homes(session)
        communities = list(
            session.execute(select(Region.code, Region.name).where(Region.level == "community"))
        )
        # (kind, region, its name, where its office stands), a community without
        # households having none
        points = [
            (
                PointKind.CENTRE,
                code,
                raw["name"],
                homes.office_site(code) or (raw["seat"][0], raw["seat"][1]),
            )
            for code, raw in sorted(streets.items())
        ] + [
            (PointKind.STATION, code, name, site)
            for code, name in sorted(communities)
            if (site := homes.office_site(code)) is not None
        ]
        for kind, code, name, site in points:
            _add_point(session, rng, now, kind, code, name, site)
        _records(session, rng, now=now, tz=tz, days=days)
        circle.refresh(session, actor=ADMIN, now=now, reason="demo")
    with db.transaction() as session:
        snapshot = circle.current_snapshot(session)
        assert snapshot is not None  # noqa: S101 - just computed
        streets_cov = [r for r in circle.coverage_by_region(snapshot, None) if len(r.code) == 9]
        worst = min(streets_cov, key=lambda r: r.share or 0.0)
        planning.do_site(
            session,
            actor=LEADER,
            now=now,
            region_code=worst.code,
            method=siting.Method.MCLP,
            solver=siting.Solver.GREEDY,
            k=3,
        )
    return worst.code


def _add_point(
    session: Any,
    rng: random.Random,
    now: datetime,
    kind: PointKind,
    code: str,
    region_name: str,
    site: tuple[float, float],
) -> None:
    """A centre or station at its office, open the district's usual hours: a street's
    centre offers every matter, a community's station the common ones (half of them
    party relations too)."""
    name, address, (fewest, most) = POINTS[kind]
    staff = rng.randint(fewest, most)
    if kind is PointKind.CENTRE:
        matters = COMMON + STREET_ONLY + ["foreigner-registration", "party-relation"]
    else:
        matters = COMMON + (["party-relation"] if rng.random() < 0.5 else [])
    service.do_create_point(
        session,
        actor=ADMIN,
        now=now,
        data=service.PointInput(
            code=f"SP{code}",
            name=name.format(name=region_name),
            kind=kind.value,
            region_code=code,
            lon=site[0],
            lat=site[1],
            address=address.format(name=region_name),
            opening_hours=HOURS,
            staff=staff,
        ),
        matters=matters,
    )


def _records(session: Any, rng: random.Random, *, now: datetime, tz: ZoneInfo, days: int) -> None:
    """Matters handled at the windows over the last ``days``, working days only: a few
    a day at a station, more at a street centre; most settled in one trip."""
    matter_rows = {
        code: (mid, one_trip)
        for code, mid, one_trip in session.execute(
            select(ServiceMatter.code, ServiceMatter.id, ServiceMatter.one_trip)
        )
    }
    points = service.list_points(session)
    offered = service.matters_of(session, [p.id for p in points])
    rows: list[dict[str, Any]] = []
    start = (now - timedelta(days=days)).astimezone(tz)
    for day in range(days):
        moment = start + timedelta(days=day)
        if moment.weekday() >= 5:
            continue
        for point in points:
            count = (
                rng.randint(4, 12) if point.kind == PointKind.CENTRE.value else rng.randint(0, 4)
            )
            for _ in range(count):
                matter = rng.choice(offered[point.id])
                mid, one_trip = matter_rows[matter.code]
                visits = 1 if rng.random() < (0.93 if one_trip else 0.55) else rng.randint(2, 3)
                at = moment.replace(hour=rng.randint(8, 16), minute=rng.randint(0, 59))
                rows.append(
                    {
                        "point_id": point.id,
                        "matter_id": mid,
                        "region_code": point.region_code,
                        "handled_at": at.astimezone(now.tzinfo),
                        "visits": visits,
                        "minutes": max(3, int(rng.gauss(matter.average_minutes, 4))),
                        "recorded_by": "demo-unit",
                    }
                )
    insert_rows(session, ServiceRecord, rows)
    record_region(
        session,
        Actor.system("demo"),
        "demo.service_records",
        DISTRICT_CODE,
        object_type="district",
        now=now,
        summary={"records": len(rows), "days": days},
    )
