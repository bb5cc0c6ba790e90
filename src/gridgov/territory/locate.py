"""Point-in-grid: an in-memory STRtree over every grid and micro-grid polygon.

``Locator`` is built once from the regions and answers ``locate`` (one point) and
``locate_many`` (vectorised). A point inside several polygons (on a shared boundary,
or inside a micro-grid and its grid) resolves deterministically: the deepest level
wins, then the smallest code. A point outside every grid is "outside", with the
nearest grid and the geodesic distance to it in metres.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from gridgov.territory.rules import LEVEL_DEPTH, Level

_GEOD = Geod(ellps="WGS84")
Coordinates = NDArray[np.float64] | Sequence[float]


@dataclass(frozen=True)
class RegionInfo:
    code: str
    name: str
    level: Level
    parent_code: str | None


@dataclass(frozen=True)
class Location:
    """Where a point is: its grid and the grid's ancestors (district first), or outside
    with the nearest grid and the distance to it."""

    grid: RegionInfo | None
    ancestors: tuple[RegionInfo, ...]
    nearest: RegionInfo | None = None
    distance_m: float | None = None

    @property
    def outside(self) -> bool:
        return self.grid is None


@dataclass(frozen=True)
class Batch:
    """``locate_many``'s answer: per point, the index of its grid in ``Locator.grids``
    (-1 when outside), and for outside points the nearest grid and distance."""

    index: NDArray[np.int64]
    nearest: NDArray[np.int64]
    distance_m: NDArray[np.float64]

    @property
    def inside(self) -> NDArray[np.bool_]:
        return self.index >= 0


class Locator:
    def __init__(
        self,
        regions: Sequence[RegionInfo],
        geometries: Sequence[BaseGeometry],
    ) -> None:
        """``regions`` are all known regions (for ancestors); ``geometries`` pair with
        the grids and micro-grids among them, in the same order as ``grid_regions``."""
        self.by_code = {r.code: r for r in regions}
        grids = [r for r in regions if r.level in (Level.GRID, Level.MICRO_GRID)]
        if len(grids) != len(geometries):
            raise ValueError("one geometry per grid and micro-grid is needed")
        # Rank candidates once: deeper first, then smaller code.
        order = sorted(
            range(len(grids)), key=lambda i: (-LEVEL_DEPTH[grids[i].level], grids[i].code)
        )
        self.grids: list[RegionInfo] = [grids[i] for i in order]
        self.polygons = np.array([geometries[i] for i in order], dtype=object)
        shapely.prepare(self.polygons)
        self.tree = shapely.STRtree(self.polygons)
        # "Nearest" is judged in a local equirectangular frame (longitude scaled by the
        # cosine of the mean latitude), where distances are proportional to metres at
        # district scale; raw degrees would overweight longitude.
        latitudes = [g.centroid.y for g in self.polygons] or [0.0]
        self._x_scale = math.cos(math.radians(float(np.mean(latitudes))))
        self._scaled = np.array([self._scale(g) for g in self.polygons], dtype=object)
        self._scaled_tree = shapely.STRtree(self._scaled)
        self._ancestors = {g.code: self._chain(g) for g in self.grids}

    def _chain(self, region: RegionInfo) -> tuple[RegionInfo, ...]:
        chain: list[RegionInfo] = []
        parent = region.parent_code
        while parent is not None and parent in self.by_code:
            found = self.by_code[parent]
            chain.append(found)
            parent = found.parent_code
        return tuple(reversed(chain))

    def __len__(self) -> int:
        return len(self.grids)

    def locate(self, lon: float, lat: float) -> Location:
        point = shapely.Point(lon, lat)
        hits = self.tree.query(point, predicate="intersects")
        if len(hits):
            grid = self.grids[int(hits.min())]
            return Location(grid, self._ancestors[grid.code])
        if not len(self.grids):
            return Location(None, ())
        nearest, distance = self._nearest(np.array([point], dtype=object))
        index = int(nearest[0])
        return Location(None, (), self.grids[index], float(distance[0]))

    def locate_many(
        self,
        lons: NDArray[np.float64] | Sequence[float],
        lats: NDArray[np.float64] | Sequence[float],
    ) -> Batch:
        points = cast(
            "NDArray[np.object_]",
            np.atleast_1d(
                cast(
                    Any,
                    shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)),
                )
            ),
        )
        count = len(points)
        index = np.full(count, -1, dtype=np.int64)
        point_idx, grid_idx = self.tree.query(points, predicate="intersects")
        if len(point_idx):
            # Candidates are ranked by position: keep the smallest grid index per point.
            # np.minimum.at is unbuffered and correct for repeated point indexes.
            best = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(best, point_idx, grid_idx)
            found = best != np.iinfo(np.int64).max
            index[found] = best[found]
        nearest = np.full(count, -1, dtype=np.int64)
        distance = np.full(count, np.nan)
        outside = np.flatnonzero(index < 0)
        if len(outside) and len(self.grids):
            nearest[outside], distance[outside] = self._nearest(points[outside])
        return Batch(index=index, nearest=nearest, distance_m=distance)

    def _scale(self, geometry: BaseGeometry) -> BaseGeometry:
        return shapely.transform(geometry, lambda xy: xy * np.array([self._x_scale, 1.0]))

    def _nearest(
        self, points: NDArray[np.object_]
    ) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """For points outside every grid: the nearest grid and the geodesic distance to
        its nearest point, in metres."""
        scaled = np.array([self._scale(p) for p in points], dtype=object)
        tree_idx = self._scaled_tree.query_nearest(scaled, all_matches=False)[1]
        lines = shapely.shortest_line(scaled, self._scaled[tree_idx])
        coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
        coords[:, :, 0] /= self._x_scale
        _, _, metres = _GEOD.inv(coords[:, 0, 0], coords[:, 0, 1], coords[:, 1, 0], coords[:, 1, 1])
        return tree_idx.astype(np.int64), np.asarray(metres, dtype=float)
