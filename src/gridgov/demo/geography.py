"""The demo district's territory, cut reproducibly from real data.

Haojiang's boundary and its seven streets with their 61 communities come from
``data/`` (see data/SOURCE.md). Street boundaries are approximated by the Voronoi cells
of the street offices, clipped to the district. Inside each street, building sites are
sampled around the office and across the street; each site gets a number of households.
Communities and then grids are cut by weighted recursive coordinate bisection: split
the sites along the longer side of their extent, at the point that gives each side its
share of households. Cells are rectangles clipped to the parent, so children cover
their parent exactly and stay compact, and every grid gets 300–500 households.
Everything depends only on the seed.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import shapely
from shapely.geometry import MultiPoint, Point, box
from shapely.geometry.base import BaseGeometry

GRID_COUNT = 269
HOUSEHOLDS_PER_GRID = (340, 460)  # targets; the cut keeps every grid within 300–500
SITE_HOUSEHOLDS = (4, 36)
DISTRICT_CODE = "440512"
DISTRICT_NAME = "濠江区"
# Dedicated grids (专属网格) beside the comprehensive ones: (street code, name).
DEDICATED = {"440512004": "广澳港区专属网格", "440512003": "礐石风景区专属网格"}


@dataclass
class Site:
    """A building site: a point and the households living there."""

    lon: float
    lat: float
    households: int


@dataclass
class Area:
    code: str
    name: str
    level: str
    parent_code: str | None
    geometry: BaseGeometry
    kind: str = "comprehensive"
    sites: list[Site] = field(default_factory=list)

    @property
    def households(self) -> int:
        return sum(s.households for s in self.sites)

    def feature(self) -> dict[str, Any]:
        return {
            "type": "Feature",
            "properties": {
                "code": self.code,
                "name": self.name,
                "level": self.level,
                "parent_code": self.parent_code,
                "kind": self.kind,
            },
            "geometry": json.loads(shapely.to_geojson(self.geometry)),
        }


@dataclass
class Territory:
    district: Area
    streets: list[Area]
    communities: list[Area]
    grids: list[Area]

    def all(self) -> list[Area]:
        return [self.district, *self.streets, *self.communities, *self.grids]

    def feature_collection(self) -> dict[str, Any]:
        return {"type": "FeatureCollection", "features": [a.feature() for a in self.all()]}


def _data(name: str) -> Any:
    text = resources.files("gridgov.demo").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def district_polygon() -> BaseGeometry:
    collection = _data("haojiang.geojson")
    return shapely.from_geojson(json.dumps(collection["features"][0]["geometry"]))


def streets_data() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = _data("haojiang_streets.json")
    return data


def build_territory(seed: int = 1) -> Territory:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    district_geometry = district_polygon()
    district = Area(DISTRICT_CODE, DISTRICT_NAME, "district", None, district_geometry)
    streets_raw = streets_data()
    seats = MultiPoint([tuple(s["seat"]) for s in streets_raw])
    cells = shapely.voronoi_polygons(seats, extend_to=district_geometry.envelope.buffer(0.05))
    streets: list[Area] = []
    communities: list[Area] = []
    grids: list[Area] = []
    grid_plan = _plan_grids(rng, streets_raw)
    for raw in streets_raw:
        seat = Point(raw["seat"])
        cell = next(c for c in cells.geoms if c.contains(seat))
        geometry = _clean(cell.intersection(district_geometry))
        street = Area(raw["code"], raw["name"], "street", DISTRICT_CODE, geometry)
        plans = grid_plan[raw["code"]]
        targets = [sum(p) for p in plans]
        street.sites = _sample_sites(rng, geometry, seat, sum(targets))
        streets.append(street)
        parts = _bisect(street.sites, street.geometry.bounds, targets)
        for community_raw, plan, (rect, sites) in zip(
            raw["communities"], plans, parts, strict=True
        ):
            community = Area(
                community_raw["code"],
                community_raw["name"],
                "community",
                street.code,
                _clean(box(*rect).intersection(street.geometry)),
                sites=sites,
            )
            communities.append(community)
            for number, (grid_rect, grid_sites) in enumerate(
                _bisect(sites, rect, list(plan)), start=1
            ):
                grids.append(
                    Area(
                        f"{community.code}{number:02d}",
                        f"{community.name}第{number}网格",
                        "grid",
                        community.code,
                        _clean(box(*grid_rect).intersection(community.geometry)),
                        sites=grid_sites,
                    )
                )
    _mark_dedicated(grids)
    return Territory(district, streets, communities, grids)


def _plan_grids(
    rng: random.Random, streets_raw: list[dict[str, Any]]
) -> dict[str, list[list[int]]]:
    """Households per grid, per community, per street: 269 grids in all, at least 3 per
    community, the rest spread at random; each grid's target in HOUSEHOLDS_PER_GRID."""
    communities = [(s["code"], c["code"]) for s in streets_raw for c in s["communities"]]
    counts = dict.fromkeys((c for _, c in communities), 3)
    for _ in range(GRID_COUNT - 3 * len(communities)):
        counts[rng.choice(communities)[1]] += 1
    plan: dict[str, list[list[int]]] = {s["code"]: [] for s in streets_raw}
    for street_code, community_code in communities:
        plan[street_code].append(
            [rng.randint(*HOUSEHOLDS_PER_GRID) for _ in range(counts[community_code])]
        )
    return plan


def _sample_sites(
    rng: random.Random, geometry: BaseGeometry, seat: Point, total: int
) -> list[Site]:
    """Sites until ``total`` households: most clustered around the street office (the
    built-up town), the rest anywhere in the street."""
    prepared = geometry
    shapely.prepare(prepared)
    minx, miny, maxx, maxy = geometry.bounds
    sites: list[Site] = []
    remaining = total
    sigma = 0.012  # about 1.2 km
    while remaining > 0:
        if rng.random() < 0.75:
            lon, lat = rng.gauss(seat.x, sigma), rng.gauss(seat.y, sigma)
        else:
            lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not prepared.contains(Point(lon, lat)):
            continue
        households = min(remaining, rng.randint(*SITE_HOUSEHOLDS))
        sites.append(Site(round(lon, 6), round(lat, 6), households))
        remaining -= households
    return sites


Rect = tuple[float, float, float, float]


def _bisect(sites: list[Site], rect: Rect, targets: list[int]) -> list[tuple[Rect, list[Site]]]:
    """Cut ``rect`` (with its sites) into ``len(targets)`` rectangles whose household
    counts follow ``targets`` as closely as whole sites allow."""
    if len(targets) == 1:
        return [(rect, sites)]
    half = len(targets) // 2
    left_targets, right_targets = targets[:half], targets[half:]
    share = sum(left_targets) / sum(targets)
    minx, miny, maxx, maxy = rect
    xs = [s.lon for s in sites] or [minx, maxx]
    ys = [s.lat for s in sites] or [miny, maxy]
    width = (max(xs) - min(xs)) * math.cos(math.radians((miny + maxy) / 2))
    height = max(ys) - min(ys)
    vertical = width >= height  # cut across the longer side
    ordered = sorted(
        sites, key=(lambda s: (s.lon, s.lat)) if vertical else (lambda s: (s.lat, s.lon))
    )
    goal = share * sum(s.households for s in ordered)
    running, cut = 0, 0
    while cut < len(ordered) - 1 and running + ordered[cut].households / 2 < goal:
        running += ordered[cut].households
        cut += 1
    cut = max(1, min(cut, len(ordered) - 1)) if len(ordered) > 1 else cut
    cut = _distinct_cut(ordered, cut, vertical)
    low, high = ordered[:cut], ordered[cut:]
    if vertical:
        line = _between([s.lon for s in low], [s.lon for s in high], minx, maxx)
        left_rect, right_rect = (minx, miny, line, maxy), (line, miny, maxx, maxy)
    else:
        line = _between([s.lat for s in low], [s.lat for s in high], miny, maxy)
        left_rect, right_rect = (minx, miny, maxx, line), (minx, line, maxx, maxy)
    return _bisect(low, left_rect, left_targets) + _bisect(high, right_rect, right_targets)


def _distinct_cut(ordered: list[Site], cut: int, vertical: bool) -> int:
    """Move the cut off a run of sites sharing the cut coordinate, so that the cut line
    passes strictly between two sites and never through one."""

    def coordinate(index: int) -> float:
        return ordered[index].lon if vertical else ordered[index].lat

    if len(ordered) < 2:
        return cut
    forward = cut
    while forward < len(ordered) and coordinate(forward - 1) == coordinate(forward):
        forward += 1
    if forward < len(ordered):
        return forward
    backward = cut
    while backward > 1 and coordinate(backward - 1) == coordinate(backward):
        backward -= 1
    return backward


def _between(low: list[float], high: list[float], lo: float, hi: float) -> float:
    a = max(low) if low else lo
    b = min(high) if high else hi
    return (a + b) / 2


def _clean(geometry: BaseGeometry) -> BaseGeometry:
    """Polygons only (an intersection can leave slivers of lines or points)."""
    geometry = shapely.make_valid(geometry)
    polygons = [
        g
        for g in getattr(geometry, "geoms", [geometry])
        if g.geom_type in ("Polygon", "MultiPolygon")
    ]
    merged = shapely.union_all(polygons)
    return merged


def _mark_dedicated(grids: list[Area]) -> None:
    for street_code, name in DEDICATED.items():
        candidates = [g for g in grids if g.code.startswith(street_code)]
        if not candidates:
            continue
        # The grid with the largest area: the port's or the scenic area's open ground.
        chosen = max(candidates, key=lambda g: g.geometry.area)
        chosen.kind = "dedicated"
        chosen.name = name
