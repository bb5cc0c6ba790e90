"""What the locator costs over a bare STRtree query, in points per second.

``Locator.locate_many`` answers, for each point, its grid (the deepest level, then the
smallest code, when a point is in several polygons) and, for points outside every grid,
the nearest grid and the geodesic distance to it. The reference is the least any
point-in-polygon lookup must do: a bare ``shapely.STRtree(polygons).query(points,
predicate="within")`` over the same polygons and points. The reference gets its points
ready-made while ``locate_many`` makes them from the coordinate arrays in its timed run,
so the figure, locate_many/reference throughput, errs against the locator. For
information, the same bare query with ``predicate="intersects"`` (what the locator asks
its tree, and faster than "within" in shapely 2) is printed beside it.

Polygons: the 269 grids of the demo district (``build_territory(1)``); no database.
Points: drawn uniformly inside the district polygon (seeded rejection sampling). Each
variant is warmed up once, then timed three times, interleaved; the best run counts.

Also: the latency of one ``locate`` call (median over 20,000 points inside), next to
one bare STRtree query; and, for information, ``locate_many`` on a mix with 10% of the
points outside the district, which pays for nearest grids and distances.

    python benchmarks/locate.py [--points 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from gridgov.demo.geography import build_territory
from gridgov.territory.locate import Locator, RegionInfo
from gridgov.territory.rules import Level

Floats = NDArray[np.float64]
SINGLE_CALLS = 20_000
ROUNDS = 3


def inside(rng: np.random.Generator, polygon: BaseGeometry, n: int) -> tuple[Floats, Floats]:
    """``n`` points uniformly inside ``polygon``: draw in its bounds, keep those inside."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    lons: list[Floats] = []
    lats: list[Floats] = []
    found = 0
    while found < n:
        x = rng.uniform(minx, maxx, n)
        y = rng.uniform(miny, maxy, n)
        keep = shapely.contains_xy(polygon, x, y)
        lons.append(x[keep])
        lats.append(y[keep])
        found += int(keep.sum())
    return np.concatenate(lons)[:n], np.concatenate(lats)[:n]


def outside(
    rng: np.random.Generator, polygon: BaseGeometry, n: int, margin: float = 0.05
) -> tuple[Floats, Floats]:
    """``n`` points within ``margin`` degrees of ``polygon``'s bounds but outside it."""
    minx, miny, maxx, maxy = polygon.bounds
    lons: list[Floats] = []
    lats: list[Floats] = []
    found = 0
    while found < n:
        x = rng.uniform(minx - margin, maxx + margin, n)
        y = rng.uniform(miny - margin, maxy + margin, n)
        keep = ~shapely.intersects_xy(polygon, x, y)
        lons.append(x[keep])
        lats.append(y[keep])
        found += int(keep.sum())
    return np.concatenate(lons)[:n], np.concatenate(lats)[:n]


def best_of(variants: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Seconds of the best run of each variant: one warm-up, then ROUNDS interleaved."""
    for run in variants.values():
        run()
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(ROUNDS):
        for name, run in variants.items():
            started = time.perf_counter()
            run()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def median_us(call: Callable[[float, float], object], lons: Floats, lats: Floats) -> float:
    timings: list[int] = []
    clock = time.perf_counter_ns
    for lon, lat in zip(lons.tolist(), lats.tolist(), strict=True):
        started = clock()
        call(lon, lat)
        timings.append(clock() - started)
    return statistics.median(timings) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000, help="points per run")
    parser.add_argument("--seed", type=int, default=1, help="seed of the random points")
    args = parser.parse_args()
    n: int = args.points

    land = build_territory(1)
    regions = [RegionInfo(a.code, a.name, Level(a.level), a.parent_code) for a in land.all()]
    polygons = [g.geometry for g in land.grids]
    locator = Locator(regions, polygons)
    tree = shapely.STRtree(polygons)
    district = land.district.geometry
    rng = np.random.default_rng(args.seed)
    lons, lats = inside(rng, district, n)

    points = shapely.points(lons, lats)

    def reference() -> object:
        return tree.query(points, predicate="within")

    def intersects() -> object:
        return tree.query(points, predicate="intersects")

    def locate_many() -> object:
        return locator.locate_many(lons, lats)

    batch = locator.locate_many(lons, lats)
    seconds = best_of(
        {"reference": reference, "intersects": intersects, "locate_many": locate_many}
    )
    per_s = {name: n / s for name, s in seconds.items()}
    ratio = per_s["locate_many"] / per_s["reference"]

    single = min(n, SINGLE_CALLS)
    one_lons, one_lats = lons[:single], lats[:single]

    def bare_one(lon: float, lat: float) -> object:
        return tree.query(shapely.Point(lon, lat), predicate="within")

    for warm in (locator.locate, bare_one):  # warm up
        median_us(warm, one_lons[:1000], one_lats[:1000])
    locate_us = median_us(locator.locate, one_lons, one_lats)
    bare_us = median_us(bare_one, one_lons, one_lats)

    out_n = n // 10
    out_lons, out_lats = outside(rng, district, out_n)
    mix_lons = np.concatenate([lons[: n - out_n], out_lons])
    mix_lats = np.concatenate([lats[: n - out_n], out_lats])
    order = rng.permutation(n)
    mix_lons, mix_lats = mix_lons[order], mix_lats[order]

    mix_points = shapely.points(mix_lons, mix_lats)

    def mix_reference() -> object:
        return tree.query(mix_points, predicate="within")

    def mix_locate_many() -> object:
        return locator.locate_many(mix_lons, mix_lats)

    mix_batch = locator.locate_many(mix_lons, mix_lats)
    mix_seconds = best_of({"reference": mix_reference, "locate_many": mix_locate_many})
    mix_per_s = {name: n / s for name, s in mix_seconds.items()}

    print(
        f"grids: {len(locator)} (demo district, seed 1); points: {n:,} uniform inside the "
        f"district, {int(batch.inside.sum()):,} in a grid; best of {ROUNDS}, interleaved;"
    )
    print("  references query ready-made points, locate_many makes them from lon/lat")
    print(f"  bare STRtree.query within (ref):  {per_s['reference']:>13,.0f} points/s")
    print(f"  Locator.locate_many:              {per_s['locate_many']:>13,.0f} points/s")
    print(f"  ratio locate_many/reference:      {ratio:13.2f}x  (goal >= 0.8)")
    print(
        f"  bare STRtree.query intersects:    {per_s['intersects']:>13,.0f} points/s"
        f"  (for information: locate_many at "
        f"{per_s['locate_many'] / per_s['intersects']:.2f}x of it)"
    )
    print(f"single point, median of {single:,} calls on points inside")
    print(f"  bare STRtree.query (ref):         {bare_us:13.1f} µs")
    print(f"  Locator.locate:                   {locate_us:13.1f} µs  (goal < 20 µs)")
    print(
        f"mix with {out_n:,} points (10%) outside the district, "
        f"{int((~mix_batch.inside).sum()):,} outside every grid (for information)"
    )
    print(f"  bare STRtree.query within (ref):  {mix_per_s['reference']:>13,.0f} points/s")
    print(
        f"  Locator.locate_many:              {mix_per_s['locate_many']:>13,.0f} points/s"
        f"  (ratio {mix_per_s['locate_many'] / mix_per_s['reference']:.2f}x, "
        "with nearest grid and distance)"
    )


if __name__ == "__main__":
    main()
