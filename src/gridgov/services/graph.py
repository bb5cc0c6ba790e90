"""The walking network as numbers: nodes, edges, snapping and shortest walking times.

Pure and in memory (no database, no files): ``osm.py`` reads networks in, ``circle.py``
stores them and their coverage. Distances are metres along the network; a household's
walk is the straight line from its door to its nearest network node plus the network
distance from there (docs/services.md). Every shortest-path question is one call of
``scipy.sparse.csgraph.dijkstra`` from all the sources at once, never a loop over
households.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import shapely
from numpy.typing import NDArray
from pykdtree.kdtree import KDTree
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from threadpoolctl import ThreadpoolController

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE = 111_320.0
MIN_EDGE_M = 0.01  # a zero-length edge would vanish from the sparse matrix
PARALLEL_FROM = 20_000  # points snapped at once from which the KD-tree uses every core


@cache
def _openmp() -> ThreadpoolController:
    """The OpenMP runtimes loaded (pykdtree's among them), to run a query on one thread;
    found once, after pykdtree is imported. The limit is per calling thread (OpenMP's
    thread count is a per-thread setting), so concurrent requests do not disturb it."""
    return ThreadpoolController().select(user_api="openmp")


def haversine_m(lon1: Floats, lat1: Floats, lon2: Floats, lat2: Floats) -> Floats:
    """Great-circle distance in metres, element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(a, 1.0))), np.float64)


@dataclass(frozen=True)
class Projection:
    """Local equirectangular metres around a reference latitude: exact enough at the
    scale of a district (well under 0.5 % over 30 km) for snapping and hulls."""

    lon0: float
    lat0: float

    @property
    def kx(self) -> float:
        return METRES_PER_DEGREE * float(np.cos(np.radians(self.lat0)))

    def forward(self, lon: Floats, lat: Floats) -> NDArray[np.float64]:
        x = (np.asarray(lon, np.float64) - self.lon0) * self.kx
        y = (np.asarray(lat, np.float64) - self.lat0) * METRES_PER_DEGREE
        return np.column_stack([x, y])

    def inverse(self, xy: NDArray[np.float64]) -> tuple[Floats, Floats]:
        return xy[:, 0] / self.kx + self.lon0, xy[:, 1] / METRES_PER_DEGREE + self.lat0


@dataclass(frozen=True)
class Snap:
    """Where places meet the network: a node each and the metres to walk to it."""

    node: Ints
    metres: Floats


@dataclass
class WalkGraph:
    """An undirected walking network. ``head``/``tail`` index ``lon``/``lat``;
    ``length`` is metres. Parallel edges keep the shortest."""

    lon: Floats
    lat: Floats
    head: Ints
    tail: Ints
    length: Floats
    _snaps: list[tuple[Floats, Floats, Snap]] = field(default_factory=list, init=False, repr=False)

    @classmethod
    def build(
        cls, lon: Floats, lat: Floats, head: Ints, tail: Ints, length: Floats | None = None
    ) -> WalkGraph:
        lon = np.asarray(lon, np.float64)
        lat = np.asarray(lat, np.float64)
        head = np.asarray(head, np.int64)
        tail = np.asarray(tail, np.int64)
        if length is None:
            length = haversine_m(lon[head], lat[head], lon[tail], lat[tail])
        keep = head != tail
        return cls(lon, lat, head[keep], tail[keep], np.asarray(length, np.float64)[keep])

    @property
    def node_count(self) -> int:
        return int(self.lon.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.head.shape[0])

    @cached_property
    def matrix(self) -> csr_matrix:
        """Both directions of every edge, the shortest of parallel edges, as CSR.

        Built directly as CSR: one stable integer sort of ``row * n + col`` and the
        minimum of each run of equal keys (a lexsort with the float weights as a third key
        took four times as long, more than the Dijkstra on a small network)."""
        n = self.node_count
        rows = np.concatenate([self.head, self.tail])
        cols = np.concatenate([self.tail, self.head])
        weights = np.maximum(np.concatenate([self.length, self.length]), MIN_EDGE_M)
        key = rows * n + cols
        order = np.argsort(key, kind="stable")
        key = key[order]
        first = np.ones(key.shape[0], dtype=bool)
        np.not_equal(key[1:], key[:-1], out=first[1:])
        starts = np.flatnonzero(first)
        shortest = np.minimum.reduceat(weights[order], starts) if starts.size else weights[:0]
        key = key[starts]
        row = key // max(n, 1)
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(row, minlength=n), out=indptr[1:])
        return csr_matrix((shortest, key - row * n, indptr), shape=(n, n))

    @cached_property
    def projection(self) -> Projection:
        if self.node_count == 0:
            return Projection(0.0, 0.0)
        return Projection(float(np.mean(self.lon)), float(np.mean(self.lat)))

    @cached_property
    def xy(self) -> NDArray[np.float64]:
        return self.projection.forward(self.lon, self.lat)

    @cached_property
    def main_component(self) -> NDArray[np.bool_]:
        """Nodes of the largest connected piece: places snap only there, so an island of
        two footpaths cannot swallow a household."""
        if self.node_count == 0:
            return np.zeros(0, dtype=bool)
        _count, labels = connected_components(self.matrix, directed=False)
        return np.asarray(labels == np.bincount(labels).argmax())

    @cached_property
    def _snap_index(self) -> tuple[KDTree, Ints]:
        nodes = np.flatnonzero(self.main_component).astype(np.int64)
        return KDTree(np.ascontiguousarray(self.xy[nodes])), nodes

    def snap(self, lon: Floats, lat: Floats) -> Snap:
        """The nearest node of the main network to each point, in the points' order.

        A KD-tree query (pykdtree: exact, 1.7 times as fast as scipy's ``cKDTree``
        here and ten times faster to build). A batch of fewer than ``PARALLEL_FROM``
        points is answered on one thread: waking OpenMP's second thread costs more than
        such a batch, and on a busy machine it can wait milliseconds for a core."""
        if self.node_count == 0:
            raise ValueError("the network has no nodes")
        tree, nodes = self._snap_index
        xy = self.projection.forward(lon, lat)
        if xy.shape[0] == 0:
            return Snap(np.zeros(0, np.int64), np.zeros(0, np.float64))
        if xy.shape[0] < PARALLEL_FROM:
            with _openmp().limit(limits=1):
                metres, index = tree.query(xy)
        else:
            metres, index = tree.query(xy)
        return Snap(nodes[index], np.asarray(metres, np.float64))

    def snap_cached(self, lon: Floats, lat: Floats) -> Snap:
        """``snap`` remembered for the same coordinates (the households, which do not
        move when points do): recomputing coverage after a point changes skips the
        KD-tree queries. Keeps the last four sets and recognises them by comparing the
        coordinates themselves, which costs a fraction of hashing them."""
        lon = np.ascontiguousarray(lon, np.float64)
        lat = np.ascontiguousarray(lat, np.float64)
        for seen_lon, seen_lat, found in list(self._snaps):  # a copy: other requests may add
            if np.array_equal(seen_lon, lon) and np.array_equal(seen_lat, lat):
                return found
        found = self.snap(lon, lat)
        self._snaps.append((lon.copy(), lat.copy(), found))
        del self._snaps[:-4]
        return found

    def total_km(self) -> float:
        return float(self.length.sum()) / 1000.0


@dataclass(frozen=True)
class Nearest:
    """For every node: metres to the nearest source along the network (inf when
    unreachable) and which source that is (-1 when none)."""

    metres: Floats
    source: Ints


def nearest_sources(
    graph: WalkGraph, sources: Ints, offsets: Floats | None = None, limit: float = np.inf
) -> Nearest:
    """Multi-source shortest paths: one Dijkstra from all sources at once
    (``min_only``). ``offsets`` (metres from each source's door to its node) are added
    after, to the source that each node reached first; with offsets this is exact when
    the offsets are equal and a good approximation otherwise (a few metres)."""
    sources = np.asarray(sources, np.int64)
    n = graph.node_count
    if sources.size == 0 or n == 0:
        return Nearest(np.full(n, np.inf), np.full(n, -1, np.int64))
    unique, first = np.unique(sources, return_index=True)
    metres, _pred, reached = dijkstra(
        graph.matrix,
        directed=True,
        indices=unique,
        min_only=True,
        return_predecessors=True,
        limit=limit,
    )
    # Map the source node back to the first source index at that node; an unreached
    # node (scipy's -9999) maps to position's last slot, -1.
    reached = np.asarray(reached, np.int64)
    reached[reached < 0] = n
    position = np.full(n + 1, -1, np.int64)
    position[unique] = first
    source = position[reached]
    metres = np.asarray(metres, np.float64)
    if offsets is not None:
        # An unreached node is already inf; inf plus any offset stays inf.
        metres += np.asarray(offsets, np.float64)[source]
    return Nearest(metres, source)


def walking_minutes(
    graph: WalkGraph, snap: Snap, nearest: Nearest, speed_m_per_min: float
) -> Floats:
    """Minutes from each snapped place to its nearest source."""
    metres = nearest.metres[snap.node] + snap.metres
    return np.asarray(metres / speed_m_per_min, np.float64)


def reach(graph: WalkGraph, node: int, limit_m: float) -> Ints:
    """Nodes within ``limit_m`` metres of ``node`` along the network."""
    metres = dijkstra(graph.matrix, directed=True, indices=[int(node)], limit=limit_m)[0]
    return np.flatnonzero(np.isfinite(metres)).astype(np.int64)


def isochrone(graph: WalkGraph, node: int, limit_m: float, ratio: float = 0.3) -> shapely.Geometry:
    """The area within ``limit_m`` of walking from ``node``: a concave hull of the nodes
    reached, widened by a street's width (30 m); lon/lat polygon."""
    nodes = reach(graph, node, limit_m)
    xy = graph.xy[nodes]
    if xy.shape[0] < 3:
        hull = shapely.buffer(shapely.multipoints(xy), 30.0)
    else:
        hull = shapely.buffer(shapely.concave_hull(shapely.multipoints(xy), ratio=ratio), 30.0)
    hull = shapely.simplify(hull, 5.0)
    coords = shapely.get_coordinates(hull)
    lon, lat = graph.projection.inverse(coords)
    result = shapely.set_coordinates(hull, np.column_stack([lon, lat]))
    assert isinstance(result, shapely.Geometry)  # noqa: S101 - one geometry in, one out
    return result


def coverage_matrix(
    graph: WalkGraph,
    candidate_nodes: Ints,
    candidate_offsets: Floats,
    demand_nodes: Ints,
    demand_offsets: Floats,
    limit_m: float,
    chunk: int = 128,
) -> csr_matrix:
    """A boolean demand × candidate matrix: True where the walk from the demand's door
    to the candidate's door is within ``limit_m``. Dijkstra from candidates in chunks,
    each stopped at ``limit_m``, so memory stays at ``chunk`` × nodes."""
    rows: list[Ints] = []
    cols: list[Ints] = []
    demand_nodes = np.asarray(demand_nodes, np.int64)
    for start in range(0, len(candidate_nodes), chunk):
        nodes = np.asarray(candidate_nodes[start : start + chunk], np.int64)
        metres = dijkstra(graph.matrix, directed=True, indices=nodes, limit=limit_m)
        total = (
            metres[:, demand_nodes]
            + np.asarray(demand_offsets, np.float64)[None, :]
            + np.asarray(candidate_offsets[start : start + chunk], np.float64)[:, None]
        )
        c, d = np.nonzero(total <= limit_m)
        rows.append(d.astype(np.int64))
        cols.append(c.astype(np.int64) + start)
    r = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    c = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    return csr_matrix(
        (np.ones(r.shape[0], dtype=bool), (r, c)),
        shape=(len(demand_nodes), len(candidate_nodes)),
    )
