"""Planning on the walking network: the nearest point offering a matter, what-if
scenarios (add, move or close points and see coverage change before deciding) and
siting runs (MCLP / LSCP over candidate sites, existing points fixed)."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy.sparse.csgraph import dijkstra
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import may_access
from gridgov.audit.service import Actor, add_and_record
from gridgov.errors import InvalidInput, NotFound, Problem
from gridgov.registry.models import Building
from gridgov.services import graph as g
from gridgov.services import rules, siting
from gridgov.services.circle import (
    RegionCoverage,
    active_network,
    current_snapshot,
    graph_of,
    households,
    roll_up,
    walk,
    within,
)
from gridgov.services.models import ServicePoint, SitingRun
from gridgov.services.service import MANAGERS, _require, points_offering

# -- nearest point offering a matter ---------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    point: ServicePoint
    metres: float
    minutes: float
    by_network: bool  # False: straight-line distance (no network imported yet)


def nearest_offering(
    session: Session, *, matter_code: str, lon: float, lat: float, limit: int = 3
) -> list[Nearby]:
    """The nearest open points offering the matter, by walking distance along the
    network from (lon, lat): one Dijkstra from the resident's spot."""
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput("The location is not a longitude and latitude.")
    points = points_offering(session, matter_code)
    if not points:
        return []
    network = active_network(session)
    snapshot = current_snapshot(session)
    speed = snapshot.speed if snapshot else rules.DEFAULT_SPEED_M_PER_MIN
    plon = np.array([p.lon for p in points])
    plat = np.array([p.lat for p in points])
    if network is None:
        metres = g.haversine_m(np.full(len(points), lon), np.full(len(points), lat), plon, plat)
        by_network = False
    else:
        graph = graph_of(network)
        me = graph.snap(np.array([lon]), np.array([lat]))
        at = graph.snap(plon, plat)
        dist = dijkstra(graph.matrix, directed=True, indices=int(me.node[0]))
        metres = dist[at.node] + at.metres + float(me.metres[0])
        by_network = True
    order = np.argsort(metres, kind="stable")[:limit]
    return [
        Nearby(points[i], float(metres[i]), float(metres[i]) / speed, by_network)
        for i in order
        if np.isfinite(metres[i])
    ]


# -- what-if ------------------------------------------------------------------------------


@dataclass
class Scenario:
    add: list[tuple[float, float]] = field(default_factory=list)
    move: dict[str, tuple[float, float]] = field(default_factory=dict)
    close: list[str] = field(default_factory=list)


@dataclass
class WhatIf:
    minutes: float
    households: int
    covered_before: int
    covered_after: int
    gained: list[int]  # household ids newly within the threshold
    lost: list[int]  # household ids no longer within it
    regions: list[tuple[RegionCoverage, RegionCoverage]]  # before, after, in scope

    @property
    def points_change(self) -> float:
        """Percentage points of households covered, after minus before."""
        if not self.households:
            return 0.0
        return (self.covered_after - self.covered_before) / self.households * 100


def what_if(
    session: Session,
    *,
    scenario: Scenario,
    scope: str | None,
    speed: float | None = None,
    minutes: float | None = None,
) -> WhatIf:
    """Coverage with the points as they are and as the scenario would have them,
    computed now on the active network; nothing is stored."""
    network = active_network(session)
    if network is None:
        raise NotFound("No walking network has been imported yet.")
    snapshot = current_snapshot(session)
    minutes = minutes or (snapshot.minutes if snapshot else rules.DEFAULT_MINUTES)
    speed = speed or (snapshot.speed if snapshot else rules.DEFAULT_SPEED_M_PER_MIN)
    problems = rules.check_parameters(minutes, speed)
    for lon, lat in [*scenario.add, *scenario.move.values()]:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            problems.append(Problem("lon", "The location is not a longitude and latitude."))
    points = list(session.scalars(select(ServicePoint).where(ServicePoint.active.is_(True))))
    known = {p.code for p in points}
    unknown = sorted((set(scenario.close) | set(scenario.move)) - known)
    if unknown:
        problems.append(
            Problem("close", "No open point %(codes)s.", codes=", ".join(unknown)[:200])
        )
    if problems:
        raise InvalidInput("The scenario cannot be computed.", details=problems)
    graph = graph_of(network)
    places = households(session)
    before_at = [(p.lon, p.lat) for p in points]
    after_at = [
        scenario.move.get(p.code, (p.lon, p.lat)) for p in points if p.code not in scenario.close
    ] + list(scenario.add)
    before = within(walk(graph, places, before_at, speed).minutes, minutes)
    after = within(walk(graph, places, after_at, speed).minutes, minutes)
    in_scope = np.array(
        [scope is None or may_access(scope, code) for code in places.grid], dtype=bool
    )
    gained = places.ids[after & ~before & in_scope]
    lost = places.ids[before & ~after & in_scope]
    grids_before: dict[str, list[int]] = {}
    grids_after: dict[str, list[int]] = {}
    for code, b, a in zip(places.grid, before.tolist(), after.tolist(), strict=True):
        grids_before.setdefault(code, [0, 0])
        grids_after.setdefault(code, [0, 0])
        grids_before[code][0] += 1
        grids_before[code][1] += int(b)
        grids_after[code][0] += 1
        grids_after[code][1] += int(a)
    rolled_b, rolled_a = roll_up(grids_before), roll_up(grids_after)
    regions = [
        (RegionCoverage(c, *rolled_b[c]), RegionCoverage(c, *rolled_a[c]))
        for c in sorted(rolled_b)
        if (scope is None or may_access(scope, c)) and rolled_b[c][1] != rolled_a[c][1]
    ]
    return WhatIf(
        minutes,
        int(in_scope.sum()),
        int((before & in_scope).sum()),
        int((after & in_scope).sum()),
        sorted(int(i) for i in gained),
        sorted(int(i) for i in lost),
        regions,
    )


# -- siting ------------------------------------------------------------------------------------


def do_site(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    region_code: str,
    method: siting.Method,
    solver: siting.Solver,
    k: int = 1,
    extra_candidates: list[tuple[str, float, float]] | None = None,
    time_limit: float = 60.0,
) -> SitingRun:
    """Where the next points should go inside ``region_code``: demand is its
    households, candidates its buildings (plus any sites given, e.g. vacant lots), the
    open points anywhere stay as they are. The answer is stored, explained and audited."""
    _require(actor, MANAGERS, region_code)
    if not 1 <= k <= rules.MAX_K:
        raise InvalidInput("Choose between 1 and %(n)s new points.", params={"n": rules.MAX_K})
    network = active_network(session)
    snapshot = current_snapshot(session)
    if network is None or snapshot is None:
        raise NotFound("No walking network has been imported yet.")
    started = time.perf_counter()
    graph = graph_of(network)
    limit_m = snapshot.minutes * snapshot.speed
    places = households(session, region_code)
    if places.ids.size == 0:
        raise InvalidInput(
            "No households with a location in %(code)s.", params={"code": region_code}
        )
    points = list(session.scalars(select(ServicePoint).where(ServicePoint.active.is_(True))))
    existing = walk(graph, places, [(p.lon, p.lat) for p in points], snapshot.speed).minutes
    spot_weight = np.bincount(places.spot, minlength=places.lon.shape[0]).astype(np.float64)
    spot_covered = np.zeros(places.lon.shape[0], dtype=bool)
    spot_covered[places.spot[within(existing, snapshot.minutes)]] = True
    candidates = [
        (code, name, lon, lat)
        for code, name, lon, lat in session.execute(
            select(Building.code, Building.name, Building.lon, Building.lat)
            .where(Building.grid_code.startswith(region_code, autoescape=True))
            .order_by(Building.code)
        )
    ] + [(code, code, lon, lat) for code, lon, lat in (extra_candidates or [])]
    if not candidates:
        raise InvalidInput("No candidate sites in %(code)s.", params={"code": region_code})
    at = graph.snap(np.array([c[2] for c in candidates]), np.array([c[3] for c in candidates]))
    # Candidates on the same node with the same offset are the same site for coverage.
    _, first = np.unique(np.column_stack([at.node, np.round(at.metres)]), axis=0, return_index=True)
    first = np.sort(first)
    spots = graph.snap_cached(places.lon, places.lat)  # as walk() just snapped them
    cover = g.coverage_matrix(
        graph, at.node[first], at.metres[first], spots.node, spots.metres, limit_m
    )
    solution = siting.solve(method, solver, cover, spot_weight, spot_covered, k, time_limit)
    all_households = float(places.ids.shape[0])
    chosen = []
    for n, j in enumerate(solution.chosen):
        code, name, lon, lat = candidates[int(first[j])]
        chosen.append(
            {
                "code": code,
                "name": name,
                "lon": lon,
                "lat": lat,
                "gain": solution.gains[n] if n < len(solution.gains) else None,
            }
        )
    result = {
        "chosen": chosen,
        "households": all_households,
        "baseline": solution.baseline,
        "covered": solution.covered,
        "added": solution.added,
        "points_before": solution.baseline / all_households * 100,
        "points_after": solution.covered / all_households * 100,
        "bound": solution.bound,
        "gap": solution.gap,
        "optimal": solution.optimal,
        "unreachable": solution.unreachable,
        "candidates": int(first.shape[0]),
        "seconds": round(time.perf_counter() - started, 3),
    }
    run = SitingRun(
        region_code=region_code,
        method=method.value,
        solver=solver.value,
        k=k if method is siting.Method.MCLP else len(chosen),
        minutes=snapshot.minutes,
        snapshot_id=snapshot.id,
        result=json.dumps(result, ensure_ascii=False),
        created_at=now,
        created_by=actor.username,
    )
    summary = {
        "method": method.value,
        "solver": solver.value,
        "k": k,
        "added": solution.added,
        "chosen": [c["code"] for c in chosen],
    }
    return add_and_record(session, actor, "siting.run", run, now=now, summary=summary)


def list_runs(session: Session, scope: str | None, limit: int = 20) -> list[SitingRun]:
    query = select(SitingRun).order_by(SitingRun.id.desc()).limit(limit)
    if scope:
        query = query.where(SitingRun.region_code.startswith(scope, autoescape=True))
    return list(session.scalars(query))


def run_result(run: SitingRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run.result)
    return data
