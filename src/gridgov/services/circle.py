"""The 10-minute circle: the walking network in the database, coverage snapshots
(walking time from every household to its nearest point), isochrones, the nearest point
offering a matter, what-if scenarios and siting runs.

Coverage is recomputed and stored as a new snapshot whenever the points or the network
change (``do_*`` in service.py call ``refresh`` through the routes and the CLI), so
readers always find the figures of the current state without computing.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.accounts.rules import SCOPE_LENGTHS, Role, may_access
from gridgov.audit.service import Actor, add_and_record
from gridgov.errors import InvalidInput
from gridgov.registry.models import Household
from gridgov.services import graph as g
from gridgov.services import networks, rules
from gridgov.services.models import CoverageSnapshot, ServicePoint, WalkNetwork
from gridgov.services.service import _require

NETWORK_ADMINS = frozenset({Role.ADMIN})
_GRAPHS: OrderedDict[str, g.WalkGraph] = OrderedDict()
Minutes = NDArray[np.float32]


# -- the network ------------------------------------------------------------------------


def do_import_network(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    graph: g.WalkGraph,
    name: str,
    source: rules.NetworkSource,
    note: str = "",
) -> WalkNetwork:
    """Store a network and make it the active one (the previous ones stay, inactive)."""
    _require(actor, NETWORK_ADMINS)
    if graph.edge_count == 0:
        raise InvalidInput("The network has no paths.")
    data = networks.to_bytes(graph)
    session.execute(update(WalkNetwork).values(active=False))
    row = WalkNetwork(
        name=name[:128],
        source=source.value,
        nodes=graph.node_count,
        edges=graph.edge_count,
        length_km=round(graph.total_km(), 3),
        data=data,
        digest=hashlib.sha256(data).hexdigest(),
        active=True,
        note=note,
        created_at=now,
        created_by=actor.username,
    )
    summary = {"name": row.name, "source": row.source, "nodes": row.nodes, "edges": row.edges}
    return add_and_record(session, actor, "walk_network.imported", row, now=now, summary=summary)


def active_network(session: Session) -> WalkNetwork | None:
    return session.scalar(
        select(WalkNetwork).where(WalkNetwork.active.is_(True)).order_by(WalkNetwork.id.desc())
    )


def graph_of(network: WalkNetwork) -> g.WalkGraph:
    """The network's graph, kept in memory per process (by content digest)."""
    cached = _GRAPHS.get(network.digest)
    if cached is None:
        cached = networks.from_bytes(network.data)
        _GRAPHS[network.digest] = cached
        while len(_GRAPHS) > 2:
            _GRAPHS.popitem(last=False)
    return cached


# -- coverage ---------------------------------------------------------------------------


@dataclass
class Places:
    """Households grouped by location: each unique spot once, with its households."""

    lon: g.Floats
    lat: g.Floats
    spot: g.Ints  # household → spot
    ids: g.Ints  # household ids
    grid: list[str]  # household → grid code
    _homes: tuple[g.WalkGraph, g.Snap] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _doors: tuple[g.WalkGraph, float, Minutes] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def snapped(self, graph: g.WalkGraph) -> g.Snap:
        """Each household's network node and door-to-node metres on ``graph``: the
        spots snapped once (``snap_cached``, so a fresh read of unchanged households
        skips the KD-tree too), then spread to their households; remembered for the
        last graph, so scenarios on the same places do it once."""
        if self._homes is None or self._homes[0] is not graph:
            spots = graph.snap_cached(self.lon, self.lat)
            self._homes = (graph, g.Snap(spots.node[self.spot], spots.metres[self.spot]))
        return self._homes[1]

    def door_minutes(self, graph: g.WalkGraph, speed: float) -> Minutes:
        """Each household's minutes from its door to its node, remembered for the last
        graph and speed (neither changes when a point does)."""
        if self._doors is None or self._doors[0] is not graph or self._doors[1] != speed:
            minutes = (self.snapped(graph).metres / speed).astype(np.float32)
            self._doors = (graph, speed, minutes)
        return self._doors[2]


def households(session: Session, scope: str | None = None) -> Places:
    query = select(Household.id, Household.lon, Household.lat, Household.grid_code).where(
        Household.lon.is_not(None), Household.lat.is_not(None)
    )
    if scope:
        query = query.where(Household.grid_code.startswith(scope, autoescape=True))
    rows = session.execute(query.order_by(Household.id)).all()
    if not rows:
        empty = np.zeros(0)
        return Places(empty, empty, np.zeros(0, np.int64), np.zeros(0, np.int64), [])
    ids, lons, lats, grids = zip(*rows, strict=True)
    coords = np.column_stack([np.array(lons, np.float64), np.array(lats, np.float64)])
    unique, spot = np.unique(coords, axis=0, return_inverse=True)
    return Places(
        unique[:, 0],
        unique[:, 1],
        spot.ravel().astype(np.int64),
        np.array(ids, np.int64),
        list(grids),
    )


@dataclass
class Result:
    """Walking minutes per household, as float32 (the precision snapshots store), and
    on asking which point is nearest to each (index into points, -1 for none)."""

    minutes: Minutes
    node_source: g.Ints  # per network node: the nearest point, -1 when none
    home_node: g.Ints  # per household: its network node

    @cached_property
    def nearest(self) -> g.Ints:
        return self.node_source[self.home_node]


def walk(
    graph: g.WalkGraph, places: Places, points: list[tuple[float, float]], speed: float
) -> Result:
    """Minutes from every household to its nearest point: one multi-source Dijkstra,
    then one lookup per household of its node's minutes plus its door's (no loop over
    households; docs/services.md)."""
    n = places.ids.shape[0]
    if not points or n == 0:
        return Result(
            np.full(n, np.inf, np.float32), np.full(1, -1, np.int64), np.zeros(n, np.int64)
        )
    homes = places.snapped(graph)
    plon = np.array([p[0] for p in points], np.float64)
    plat = np.array([p[1] for p in points], np.float64)
    at = graph.snap(plon, plat)
    nearest = g.nearest_sources(graph, at.node, at.metres)
    node_minutes = (nearest.metres / speed).astype(np.float32)
    minutes = node_minutes[homes.node]
    minutes += places.door_minutes(graph, speed)
    return Result(minutes, nearest.source, homes.node)


def within(minutes: Minutes, threshold: float) -> NDArray[np.bool_]:
    """Households within ``threshold`` minutes, decided as the stored float32 minutes
    compared with the exact threshold (so the count and the uncovered places read back
    from the snapshot agree): the threshold rounded down to float32, no conversion of
    every household's minutes."""
    limit = np.float32(threshold)
    if float(limit) > threshold:
        limit = np.nextafter(limit, np.float32(-np.inf))
    return np.asarray(minutes <= limit)


def roll_up(by_grid: dict[str, list[int]]) -> dict[str, list[int]]:
    """Grid figures added up every region-code prefix: {code: [households, covered]}."""
    out: dict[str, list[int]] = {}
    for code, (total, covered) in by_grid.items():
        for length in {*(n for n in SCOPE_LENGTHS if n <= len(code)), len(code)}:
            bucket = out.setdefault(code[:length], [0, 0])
            bucket[0] += total
            bucket[1] += covered
    return out


def refresh(
    session: Session,
    *,
    actor: Actor,
    now: datetime,
    reason: str,
    minutes: float | None = None,
    speed: float | None = None,
) -> CoverageSnapshot | None:
    """Compute coverage for the active network and points and store it as the current
    snapshot; None when there is no network yet. Threshold and speed default to the
    previous snapshot's (or 10 minutes at 75 m a minute)."""
    network = active_network(session)
    if network is None:
        return None
    previous = current_snapshot(session)
    minutes = minutes or (previous.minutes if previous else rules.DEFAULT_MINUTES)
    speed = speed or (previous.speed if previous else rules.DEFAULT_SPEED_M_PER_MIN)
    problems = rules.check_parameters(minutes, speed)
    if problems:
        raise InvalidInput("The coverage parameters are out of range.", details=problems)
    graph = graph_of(network)
    points = list(
        session.scalars(
            select(ServicePoint).where(ServicePoint.active.is_(True)).order_by(ServicePoint.code)
        )
    )
    places = households(session)
    result = walk(graph, places, [(p.lon, p.lat) for p in points], speed)
    covered = within(result.minutes, minutes)
    by_grid: dict[str, list[int]] = {}
    for code, ok in zip(places.grid, covered.tolist(), strict=True):
        bucket = by_grid.setdefault(code, [0, 0])
        bucket[0] += 1
        bucket[1] += int(ok)
    by_point: dict[str, list[int]] = {p.code: [0, 0] for p in points}
    if points:
        nearest_counts = np.bincount(result.nearest[result.nearest >= 0], minlength=len(points))
        covered_counts = np.bincount(result.nearest[covered], minlength=len(points))
        for i, p in enumerate(points):
            by_point[p.code] = [int(nearest_counts[i]), int(covered_counts[i])]
    buffer = io.BytesIO()
    np.savez_compressed(buffer, ids=places.ids, minutes=np.minimum(result.minutes, np.float32(1e6)))
    snapshot = CoverageSnapshot(
        network_id=network.id,
        computed_at=now,
        reason=reason[:64],
        minutes=minutes,
        speed=speed,
        points_digest=rules.points_digest([(p.code, p.lon, p.lat) for p in points]),
        points=len(points),
        households=int(places.ids.shape[0]),
        covered=int(covered.sum()),
        by_region=json.dumps(by_grid),
        by_point=json.dumps(by_point),
        distances=buffer.getvalue(),
        isochrones=json.dumps(isochrones(graph, points, minutes * speed)),
    )
    return add_and_record(
        session,
        actor,
        "coverage.computed",
        snapshot,
        now=now,
        summary={
            "reason": snapshot.reason,
            "minutes": minutes,
            "speed": speed,
            "households": snapshot.households,
            "covered": snapshot.covered,
        },
    )


def isochrones(graph: g.WalkGraph, points: list[ServicePoint], limit_m: float) -> dict[str, Any]:
    features = []
    if points:
        at = graph.snap(np.array([p.lon for p in points]), np.array([p.lat for p in points]))
        for p, node, off in zip(points, at.node.tolist(), at.metres.tolist(), strict=True):
            area = g.isochrone(graph, node, max(limit_m - off, 1.0))
            features.append(
                {
                    "type": "Feature",
                    "properties": {"code": p.code, "name": p.name, "kind": p.kind},
                    "geometry": json.loads(shapely.to_geojson(shapely.set_precision(area, 1e-6))),
                }
            )
    return {"type": "FeatureCollection", "features": features}


def current_snapshot(session: Session) -> CoverageSnapshot | None:
    return session.scalar(select(CoverageSnapshot).order_by(CoverageSnapshot.id.desc()).limit(1))


def household_minutes(snapshot: CoverageSnapshot) -> tuple[g.Ints, g.Floats]:
    with np.load(io.BytesIO(snapshot.distances), allow_pickle=False) as arrays:
        return arrays["ids"].astype(np.int64), arrays["minutes"].astype(np.float64)


@dataclass(frozen=True)
class RegionCoverage:
    code: str
    households: int
    covered: int

    @property
    def share(self) -> float | None:
        return rules.share(self.covered, self.households)


def coverage_by_region(snapshot: CoverageSnapshot, scope: str | None) -> list[RegionCoverage]:
    rolled = roll_up(json.loads(snapshot.by_region))
    return [
        RegionCoverage(code, total, covered)
        for code, (total, covered) in sorted(rolled.items())
        if scope is None or may_access(scope, code)
    ]


def covered_households(session: Session) -> list[tuple[str, int]]:
    """Households within the threshold, per grid, from the current snapshot: the
    ``households_covered`` metric of the indicator trees."""
    snapshot = current_snapshot(session)
    if snapshot is None:
        return []
    return [(code, covered) for code, (_t, covered) in json.loads(snapshot.by_region).items()]


def uncovered_spots(
    session: Session, snapshot: CoverageSnapshot, scope: str | None, limit: int = 5000
) -> list[dict[str, Any]]:
    """Places whose households are beyond the threshold: lon, lat, households, minutes."""
    ids, minutes = household_minutes(snapshot)
    far = {int(i): float(m) for i, m in zip(ids, minutes, strict=True) if m > snapshot.minutes}
    if not far:
        return []
    query = select(Household.id, Household.lon, Household.lat, Household.grid_code).where(
        Household.lon.is_not(None)
    )
    if scope:
        query = query.where(Household.grid_code.startswith(scope, autoescape=True))
    spots: dict[tuple[float, float], dict[str, Any]] = {}
    for hid, lon, lat, grid in session.execute(query):
        if hid in far and lon is not None and lat is not None:
            spot = spots.setdefault(
                (lon, lat), {"lon": lon, "lat": lat, "grid": grid, "households": 0, "minutes": 0.0}
            )
            spot["households"] += 1
            spot["minutes"] = max(spot["minutes"], round(min(far[hid], 999.0), 1))
    return sorted(spots.values(), key=lambda s: -s["households"])[:limit]
