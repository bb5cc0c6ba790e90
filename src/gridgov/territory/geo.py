"""Pure geometry rules of the territory: parsing GeoJSON features, checking a whole
import before anything is written, and metric areas.

Areas and tolerances are in square metres, measured on the WGS84 ellipsoid.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from pyproj import Geod
from shapely.geometry.base import BaseGeometry

from gridgov.territory.rules import CHILD_LEVEL, LEVEL_DEPTH, GridKind, Level, code_problem

DEFAULT_TOLERANCE_M2 = 1000.0
_GEOD = Geod(ellps="WGS84")
_LEVEL_BY_LENGTH = {6: Level.DISTRICT, 9: Level.STREET, 12: Level.COMMUNITY, 14: Level.GRID}


@dataclass(frozen=True)
class ImportProblem:
    """One problem with one feature (index counts from 0 in the file's feature list)."""

    index: int | None
    code: str
    reason: str


@dataclass
class Feature:
    index: int
    code: str
    name: str
    level: Level
    parent_code: str | None
    kind: GridKind
    geometry: BaseGeometry


@dataclass
class Existing:
    """What the database already holds, as far as an import needs to know."""

    code: str
    level: Level
    parent_code: str | None
    geometry: BaseGeometry | None


@dataclass
class Checked:
    features: list[Feature] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def area_m2(geometry: BaseGeometry) -> float:
    """Geodesic area on the WGS84 ellipsoid of the polygons in ``geometry``."""
    polygons = [
        part
        for part in getattr(geometry, "geoms", [geometry])
        if part.geom_type in ("Polygon", "MultiPolygon") and not part.is_empty
    ]
    return float(sum(abs(_GEOD.geometry_area_perimeter(p)[0]) for p in polygons))


_M_PER_DEGREE = math.pi * 6_371_008.8 / 180


def local_m2(geometry: BaseGeometry) -> float:
    """Area of a small shape (an overlap, a gap) from its area in degrees², scaled at its
    latitude. Overlaps and gaps are computed in longitude/latitude, as the shapes were
    drawn; measuring a long thin sliver geodesically, or projecting its vertices, would
    bend its long edges and find area where the shapes meet exactly."""
    if geometry.is_empty:
        return 0.0
    latitude = geometry.centroid.y
    return float(geometry.area * _M_PER_DEGREE**2 * math.cos(math.radians(latitude)))


def infer_level(code: str) -> Level | None:
    if len(code) == 15:
        return Level.GRID
    if len(code) in (16, 17, 18):
        return Level.MICRO_GRID
    return _LEVEL_BY_LENGTH.get(len(code))


def infer_parent(code: str, level: Level) -> str | None:
    return {
        Level.DISTRICT: None,
        Level.STREET: code[:6],
        Level.COMMUNITY: code[:9],
        Level.GRID: code[:12],
    }.get(level)


def parse_features(document: Mapping[str, Any]) -> Checked:
    """Read a GeoJSON FeatureCollection into features, noting every unreadable one."""
    from gridgov.guard.rules import MAX_JSON_DEPTH, json_depth

    checked = Checked()
    if not isinstance(document, Mapping):
        checked.problems.append(ImportProblem(None, "", "not a GeoJSON FeatureCollection"))
        return checked
    if json_depth(document) > MAX_JSON_DEPTH:
        checked.problems.append(ImportProblem(None, "", "nested too deep for GeoJSON"))
        return checked
    if document.get("type") != "FeatureCollection" or not isinstance(
        document.get("features"), list
    ):
        checked.problems.append(ImportProblem(None, "", "not a GeoJSON FeatureCollection"))
        return checked
    for index, raw in enumerate(document["features"]):
        feature, problems = _parse_feature(index, raw)
        checked.problems.extend(problems)
        if feature is not None:
            checked.features.append(feature)
    return checked


def _parse_feature(index: int, raw: Any) -> tuple[Feature | None, list[ImportProblem]]:
    if not isinstance(raw, dict) or raw.get("type") != "Feature":
        return None, [ImportProblem(index, "", "not a GeoJSON Feature")]
    props = raw.get("properties") or {}
    if not isinstance(props, dict):
        return None, [ImportProblem(index, "", "properties must be an object")]
    code = str(props.get("code") or "").strip()
    name = str(props.get("name") or "").strip()
    problems: list[ImportProblem] = []
    if not code:
        problems.append(ImportProblem(index, "", "missing code"))
    if not name:
        problems.append(ImportProblem(index, code, "missing name"))
    level_text = str(props.get("level") or "").strip()
    level: Level | None
    try:
        level = Level(level_text) if level_text else infer_level(code)
    except ValueError:
        level = None
    if level is None and code:
        problems.append(
            ImportProblem(
                index,
                code,
                f"unknown level {level_text!r}"
                if level_text
                else f"cannot tell the level of a {len(code)}-digit code",
            )
        )
    kind_text = str(props.get("kind") or GridKind.COMPREHENSIVE.value)
    try:
        kind = GridKind(kind_text)
    except ValueError:
        problems.append(ImportProblem(index, code, f"unknown grid kind {kind_text!r}"))
        kind = GridKind.COMPREHENSIVE
    geometry, reason = _geometry(raw.get("geometry"))
    if reason:
        problems.append(ImportProblem(index, code, reason))
    if problems or level is None or geometry is None:
        return None, problems
    parent = props.get("parent_code")
    parent_code = str(parent).strip() if parent else infer_parent(code, level)
    if problem := code_problem(code, level, parent_code):
        problems.append(ImportProblem(index, code, problem.text()))
        return None, problems
    return Feature(index, code, name, level, parent_code, kind, geometry), []


def _geometry(raw: Any) -> tuple[BaseGeometry | None, str | None]:
    if not isinstance(raw, dict):
        return None, "missing geometry"
    if raw.get("type") not in ("Polygon", "MultiPolygon"):
        return None, f"geometry must be a Polygon or MultiPolygon, not {raw.get('type')}"
    try:
        geometry = shapely.from_geojson(json.dumps(raw))
    except (shapely.errors.GEOSException, ValueError) as exc:
        return None, f"unreadable geometry: {exc}"
    if geometry.is_empty:
        return None, "empty geometry"
    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        return None, "coordinates are not WGS84 longitude/latitude"
    if not geometry.is_valid:
        return None, f"invalid ring: {shapely.is_valid_reason(geometry)}"
    return geometry, None


def check_import(
    checked: Checked,
    existing: Iterable[Existing],
    *,
    tolerance_m2: float = DEFAULT_TOLERANCE_M2,
) -> Checked:
    """Every problem of an import taken together with what the database holds:
    duplicate codes, missing parents, overlapping siblings, gaps inside a parent and
    children reaching outside it. ``checked.ok`` means the import may be written."""
    by_code: dict[str, Existing | Feature] = {e.code: e for e in existing}
    seen: dict[str, Feature] = {}
    for feature in checked.features:
        if feature.code in seen:
            first = seen[feature.code].index
            checked.problems.append(
                ImportProblem(feature.index, feature.code, f"duplicate code (also feature {first})")
            )
            continue
        seen[feature.code] = feature
    by_code.update(seen)
    for feature in seen.values():
        if feature.parent_code is None:
            continue
        parent = by_code.get(feature.parent_code)
        if parent is None:
            checked.problems.append(
                ImportProblem(
                    feature.index,
                    feature.code,
                    f"parent {feature.parent_code} is neither in the file nor known",
                )
            )
        elif CHILD_LEVEL.get(parent.level) != feature.level:
            checked.problems.append(
                ImportProblem(
                    feature.index,
                    feature.code,
                    f"a {feature.level.value} cannot sit under a {parent.level.value}",
                )
            )
    if checked.problems:
        return checked
    _check_siblings(checked, seen, by_code, tolerance_m2)
    return checked


def _check_siblings(
    checked: Checked,
    seen: dict[str, Feature],
    by_code: Mapping[str, Existing | Feature],
    tolerance_m2: float,
) -> None:
    children: dict[str, list[Existing | Feature]] = defaultdict(list)
    for region in by_code.values():
        if region.parent_code is not None and region.geometry is not None:
            children[region.parent_code].append(region)
    touched_parents = {f.parent_code for f in seen.values() if f.parent_code}
    for parent_code in sorted(touched_parents):
        siblings = sorted(children[parent_code], key=lambda r: r.code)
        parent = by_code[parent_code]
        shapes = [s.geometry for s in siblings if s.geometry is not None]
        tree = shapely.STRtree(shapes)
        left, right = tree.query(shapes, predicate="intersects")
        for i, j in zip(left.tolist(), right.tolist(), strict=True):
            if i >= j:
                continue
            overlap = local_m2(shapes[i].intersection(shapes[j]))
            if overlap > tolerance_m2:
                a, b = siblings[i], siblings[j]
                blamed = a if isinstance(a, Feature) else b
                other = b if blamed is a else a
                checked.problems.append(
                    ImportProblem(
                        _index(blamed),
                        blamed.code,
                        f"overlaps sibling {other.code} by {overlap:,.0f} m²",
                    )
                )
        if parent.geometry is None or LEVEL_DEPTH[_level(parent)] >= LEVEL_DEPTH[Level.GRID]:
            continue
        union = shapely.union_all(shapes)
        outside = local_m2(union.difference(parent.geometry))
        if outside > tolerance_m2:
            checked.problems.append(
                ImportProblem(
                    _first_index(siblings),
                    parent_code,
                    f"children reach {outside:,.0f} m² outside their parent",
                )
            )
        gap = local_m2(parent.geometry.difference(union))
        if gap > tolerance_m2:
            checked.problems.append(
                ImportProblem(
                    _index(parent) if isinstance(parent, Feature) else _first_index(siblings),
                    parent_code,
                    f"gap of {gap:,.0f} m² inside the parent not covered by its children",
                )
            )


def _level(region: Existing | Feature) -> Level:
    return region.level


def _index(region: Existing | Feature) -> int | None:
    return region.index if isinstance(region, Feature) else None


def _first_index(regions: list[Existing | Feature]) -> int | None:
    indexes = [r.index for r in regions if isinstance(r, Feature)]
    return min(indexes) if indexes else None
