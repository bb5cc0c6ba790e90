"""Walking networks in: a GeoJSON of paths, an OpenStreetMap PBF extract (read with
osmium, libosmium's Python binding), or a synthetic street lattice inside a boundary
for places whose map data cannot be had (the demo district, documented as synthetic).

Readers return a ``WalkGraph`` or raise ``NetworkFileError`` with every problem found;
nothing is stored here (``circle.do_import_network`` stores, all or nothing).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from gridgov.services.graph import METRES_PER_DEGREE, WalkGraph

MAX_FEATURES = 500_000
# OSM highways people walk on; motorways, trunk roads and unbuilt roads excluded, and
# any way tagged foot=no or access=private/no (unless foot=yes).
WALKABLE = frozenset(
    {
        "primary",
        "primary_link",
        "secondary",
        "secondary_link",
        "tertiary",
        "tertiary_link",
        "unclassified",
        "residential",
        "living_street",
        "service",
        "pedestrian",
        "footway",
        "path",
        "steps",
        "track",
        "cycleway",
        "corridor",
        "road",
        "bridleway",
    }
)


@dataclass
class NetworkFileError(Exception):
    """A network file that cannot be used; ``problems`` are (where, what) pairs."""

    message: str
    problems: list[tuple[str, str]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


# -- GeoJSON -----------------------------------------------------------------------


def _lines(geometry: Any) -> list[list[Any]]:
    if not isinstance(geometry, dict):
        raise ValueError("no geometry")
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "LineString" and isinstance(coords, list):
        return [coords]
    if kind == "MultiLineString" and isinstance(coords, list):
        return list(coords)
    raise ValueError(f"a {kind} is not a path (LineString or MultiLineString)")


def read_geojson(data: bytes | str) -> WalkGraph:
    """Paths as LineStrings: vertices shared by two paths join them. Every feature is
    checked; any problem refuses the whole file with the list."""
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NetworkFileError(f"The file is not valid JSON: {exc}") from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise NetworkFileError("The file is not a GeoJSON FeatureCollection.")
    if len(features) > MAX_FEATURES:
        raise NetworkFileError(f"More than {MAX_FEATURES} features.")
    index: dict[tuple[float, float], int] = {}
    heads: list[int] = []
    tails: list[int] = []
    problems: list[tuple[str, str]] = []
    for number, feature in enumerate(features, start=1):
        try:
            lines = _lines(feature.get("geometry") if isinstance(feature, dict) else None)
            for line in lines:
                if not isinstance(line, list) or len(line) < 2:
                    raise ValueError("a path needs at least two points")
                ids: list[int] = []
                for point in line:
                    lon, lat = float(point[0]), float(point[1])
                    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                        raise ValueError(f"coordinates out of range: {lon}, {lat}")
                    key = (round(lon, 7), round(lat, 7))
                    ids.append(index.setdefault(key, len(index)))
                heads.extend(ids[:-1])
                tails.extend(ids[1:])
        except (ValueError, TypeError, IndexError) as exc:
            problems.append((f"feature {number}", str(exc)))
    if problems:
        raise NetworkFileError(f"{len(problems)} features cannot be used.", problems)
    if not heads:
        raise NetworkFileError("The file holds no paths.")
    coords = np.array(list(index), dtype=np.float64)
    return WalkGraph.build(coords[:, 0], coords[:, 1], np.array(heads), np.array(tails))


# -- OpenStreetMap PBF ---------------------------------------------------------------


def _walkable(tags: Any) -> bool:
    highway = tags.get("highway")
    if highway not in WALKABLE:
        return False
    foot = tags.get("foot")
    if foot in ("no", "private"):
        return False
    return not (tags.get("access") in ("private", "no") and foot not in ("yes", "designated"))


def read_pbf(path: Path) -> WalkGraph:
    """The walkable ways of an OSM PBF extract, every way node kept (curves keep their
    length). A file osmium cannot read is refused with osmium's reason."""
    import osmium

    if not path.is_file():
        raise NetworkFileError(f"No such file: {path.name}")
    with path.open("rb") as handle:
        start = handle.read(64)
    # A PBF starts with a 4-byte header length, then the "OSMHeader" blob header.
    if b"OSMHeader" not in start[:32]:
        raise NetworkFileError(
            "The file is not an OpenStreetMap PBF extract (no OSMHeader block at its start)."
        )
    index: dict[int, int] = {}
    lon: list[float] = []
    lat: list[float] = []
    heads: list[int] = []
    tails: list[int] = []
    try:
        processor = osmium.FileProcessor(
            str(path), osmium.osm.NODE | osmium.osm.WAY
        ).with_locations()
        for way in processor:
            if not isinstance(way, osmium.osm.Way) or not _walkable(way.tags):
                continue
            previous = -1
            for ref in way.nodes:
                if not ref.location.valid():
                    previous = -1
                    continue
                node = index.get(ref.ref)
                if node is None:
                    node = index[ref.ref] = len(lon)
                    lon.append(ref.location.lon)
                    lat.append(ref.location.lat)
                if previous >= 0:
                    heads.append(previous)
                    tails.append(node)
                previous = node
    except RuntimeError as exc:
        raise NetworkFileError(f"The PBF file is broken or truncated: {exc}") from exc
    if not heads:
        raise NetworkFileError("The PBF file holds no walkable ways.")
    return WalkGraph.build(np.array(lon), np.array(lat), np.array(heads), np.array(tails))


# -- synthetic -----------------------------------------------------------------------


def synthetic(
    boundary: BaseGeometry,
    *,
    spacing_m: float = 130.0,
    seed: int = 1,
    drop: float = 0.12,
    jitter: float = 0.18,
) -> WalkGraph:
    """A plausible street network inside ``boundary`` (lon/lat): a lattice of blocks
    ``spacing_m`` apart, corners jittered, some links missing (dead ends, blocks of
    two), only links whose middle lies inside the boundary. SYNTHETIC: for offline
    demos and benchmarks, not a map of real streets."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = boundary.bounds
    lat0 = (miny + maxy) / 2
    dx = spacing_m / (METRES_PER_DEGREE * float(np.cos(np.radians(lat0))))
    dy = spacing_m / METRES_PER_DEGREE
    nx = max(2, int((maxx - minx) / dx) + 1)
    ny = max(2, int((maxy - miny) / dy) + 1)
    gx, gy = np.meshgrid(np.arange(nx), np.arange(ny), indexing="ij")
    lon = minx + gx.ravel() * dx + rng.uniform(-jitter, jitter, nx * ny) * dx
    lat = miny + gy.ravel() * dy + rng.uniform(-jitter, jitter, nx * ny) * dy
    ids = np.arange(nx * ny).reshape(nx, ny)
    heads = np.concatenate([ids[:-1, :].ravel(), ids[:, :-1].ravel()])
    tails = np.concatenate([ids[1:, :].ravel(), ids[:, 1:].ravel()])
    keep = rng.random(heads.shape[0]) >= drop
    heads, tails = heads[keep], tails[keep]
    shapely.prepare(boundary)
    mid = shapely.points((lon[heads] + lon[tails]) / 2, (lat[heads] + lat[tails]) / 2)
    inside = shapely.contains(boundary, mid)
    heads, tails = heads[inside], tails[inside]
    used = np.unique(np.concatenate([heads, tails]))
    renumber = np.full(nx * ny, -1, np.int64)
    renumber[used] = np.arange(used.shape[0])
    return WalkGraph.build(lon[used], lat[used], renumber[heads], renumber[tails])


# -- storage form ----------------------------------------------------------------------


def to_bytes(graph: WalkGraph) -> bytes:
    """The graph as a compressed .npz (portable in a LargeBinary column)."""
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        lon=graph.lon,
        lat=graph.lat,
        head=graph.head.astype(np.int32),
        tail=graph.tail.astype(np.int32),
        length=graph.length.astype(np.float32),
    )
    return buffer.getvalue()


def from_bytes(data: bytes) -> WalkGraph:
    with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
        return WalkGraph(
            arrays["lon"],
            arrays["lat"],
            arrays["head"].astype(np.int64),
            arrays["tail"].astype(np.int64),
            arrays["length"].astype(np.float64),
        )
