"""Pure geometry checks of a territory import: parsing features and judging them together."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import shapely
from shapely.geometry import box, mapping

from gridgov.demo.geography import Territory, build_territory
from gridgov.territory import geo
from gridgov.territory.geo import ImportProblem

Document = dict[str, Any]
Mutation = Callable[[list[dict[str, Any]]], None]

DISTRICT, STREET, COMMUNITY = "440512", "440512001", "440512001001"
GRID_1, GRID_2 = "44051200100101", "44051200100102"
# Feature indexes in the small territory's file.
I_DISTRICT, I_STREET, I_COMMUNITY, I_GRID_1, I_GRID_2 = range(5)
WEST, MIDDLE, EAST, SOUTH, NORTH = 116.70, 116.71, 116.72, 23.28, 23.30


def _feature(
    code: str, name: str, level: str, parent: str | None, geometry: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name, "level": level, "parent_code": parent},
        "geometry": geometry,
    }


def _rect(minx: float, miny: float, maxx: float, maxy: float) -> dict[str, Any]:
    return dict(mapping(box(minx, miny, maxx, maxy)))


def small_territory() -> Document:
    """District → street → community → two grids side by side; each parent is exactly
    the union of its children."""
    whole = _rect(WEST, SOUTH, EAST, NORTH)
    return {
        "type": "FeatureCollection",
        "features": [
            _feature(DISTRICT, "濠江区", "district", None, whole),
            _feature(STREET, "达濠街道", "street", DISTRICT, whole),
            _feature(COMMUNITY, "青篮社区", "community", STREET, whole),
            _feature(
                GRID_1, "青篮社区第1网格", "grid", COMMUNITY, _rect(WEST, SOUTH, MIDDLE, NORTH)
            ),
            _feature(
                GRID_2, "青篮社区第2网格", "grid", COMMUNITY, _rect(MIDDLE, SOUTH, EAST, NORTH)
            ),
        ],
    }


def check(document: Document, tolerance_m2: float = geo.DEFAULT_TOLERANCE_M2) -> geo.Checked:
    """As the service does: parse, then (when every feature reads) judge the whole."""
    checked = geo.parse_features(document)
    if not checked.ok:
        return checked
    return geo.check_import(checked, [], tolerance_m2=tolerance_m2)


def mutated(mutation: Mutation) -> Document:
    document = copy.deepcopy(small_territory())
    mutation(document["features"])
    return document


def test_a_valid_territory_has_no_problems() -> None:
    checked = check(small_territory())
    assert checked.ok, checked.problems
    assert [f.code for f in checked.features] == [DISTRICT, STREET, COMMUNITY, GRID_1, GRID_2]
    assert [f.index for f in checked.features] == list(range(5))
    grid = checked.features[I_GRID_1]
    assert grid.level == "grid"
    assert grid.parent_code == COMMUNITY


# ---------------------------------------------------------------- one problem each


def _bow_tie(features: list[dict[str, Any]]) -> None:
    ring = [(WEST, SOUTH), (MIDDLE, NORTH), (MIDDLE, SOUTH), (WEST, NORTH), (WEST, SOUTH)]
    features[I_GRID_1]["geometry"] = {"type": "Polygon", "coordinates": [ring]}


def _overlap(features: list[dict[str, Any]]) -> None:
    # About 0.0005° × 0.02°: some 100,000 m², far above the tolerance.
    features[I_GRID_1]["geometry"] = _rect(WEST, SOUTH, MIDDLE + 0.0005, NORTH)


def _gap(features: list[dict[str, Any]]) -> None:
    features[I_GRID_1]["geometry"] = _rect(WEST, SOUTH, MIDDLE - 0.001, NORTH)


def _outside(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["geometry"] = _rect(MIDDLE, SOUTH, EAST + 0.001, NORTH)


def _foreign_code(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["properties"]["code"] = "44051200200102"


def _duplicate(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["properties"]["code"] = GRID_1


def _no_name(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["properties"]["name"] = "  "


def _no_parent(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["properties"]["code"] = "44051200100901"
    features[I_GRID_2]["properties"]["parent_code"] = "440512001009"


def _point(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["geometry"] = {"type": "Point", "coordinates": [116.715, 23.29]}


def _projected(features: list[dict[str, Any]]) -> None:
    features[I_GRID_2]["geometry"] = _rect(500_000, 2_500_000, 501_000, 2_502_000)


@pytest.mark.parametrize(
    ("mutation", "index", "code", "reason"),
    [
        pytest.param(_bow_tie, I_GRID_1, GRID_1, "invalid ring", id="bow-tie"),
        pytest.param(_overlap, I_GRID_1, GRID_1, f"overlaps sibling {GRID_2}", id="overlap"),
        pytest.param(_gap, I_COMMUNITY, COMMUNITY, "gap of", id="gap"),
        pytest.param(_outside, I_GRID_1, COMMUNITY, "outside their parent", id="outside-parent"),
        pytest.param(
            _foreign_code,
            I_GRID_2,
            "44051200200102",
            f"does not extend its parent's code {COMMUNITY}",
            id="code-not-extending-parent",
        ),
        pytest.param(
            _duplicate,
            I_GRID_2,
            GRID_1,
            f"duplicate code (also feature {I_GRID_1})",
            id="duplicate",
        ),
        pytest.param(_no_name, I_GRID_2, GRID_2, "missing name", id="missing-name"),
        pytest.param(
            _no_parent,
            I_GRID_2,
            "44051200100901",
            "parent 440512001009 is neither in the file nor known",
            id="missing-parent",
        ),
        pytest.param(
            _point, I_GRID_2, GRID_2, "must be a Polygon or MultiPolygon, not Point", id="point"
        ),
        pytest.param(
            _projected, I_GRID_2, GRID_2, "not WGS84 longitude/latitude", id="not-lon-lat"
        ),
    ],
)
def test_each_problem_names_its_feature(
    mutation: Mutation, index: int, code: str, reason: str
) -> None:
    checked = check(mutated(mutation))
    assert not checked.ok
    assert len(checked.problems) == 1, checked.problems
    problem = checked.problems[0]
    assert (problem.index, problem.code) == (index, code)
    assert reason in problem.reason


def test_an_overlap_names_both_grids_and_its_size() -> None:
    (problem,) = check(mutated(_overlap)).problems
    text = f"{problem.code} {problem.reason}"
    assert GRID_1 in text
    assert GRID_2 in text
    overlap = float(problem.reason.split(" by ")[1].removesuffix(" m²").replace(",", ""))
    assert 50_000 < overlap < 200_000


def test_a_bow_tie_says_where_it_crosses_itself() -> None:
    (problem,) = check(mutated(_bow_tie)).problems
    assert problem == ImportProblem(I_GRID_1, GRID_1, problem.reason)
    assert "Self-intersection" in problem.reason


def test_a_duplicate_names_both_features() -> None:
    (problem,) = check(mutated(_duplicate)).problems
    assert problem.index == I_GRID_2
    assert f"feature {I_GRID_1}" in problem.reason


def test_overlaps_below_the_tolerance_are_accepted() -> None:
    def sliver(features: list[dict[str, Any]]) -> None:
        # 0.000001° × 0.02°: about 230 m², under the default 1,000 m².
        features[I_GRID_1]["geometry"] = _rect(WEST, SOUTH, MIDDLE + 0.000001, NORTH)

    document = mutated(sliver)
    assert check(document).ok
    # The same sliver is refused when the tolerance is tighter than it.
    (problem,) = check(document, tolerance_m2=100).problems
    assert f"overlaps sibling {GRID_2}" in problem.reason


def test_not_a_feature_collection() -> None:
    checked = geo.parse_features({"type": "Feature"})
    assert checked.problems == [ImportProblem(None, "", "not a GeoJSON FeatureCollection")]


# ---------------------------------------------------------------- the demo territory


@pytest.fixture(scope="module")
def demo() -> Territory:
    return build_territory(1)


def test_the_demo_territory_imports_cleanly(demo: Territory) -> None:
    checked = check(demo.feature_collection())
    assert checked.ok, checked.problems[:5]
    assert len(checked.features) == 1 + 7 + 61 + 269


def test_the_demo_territory_has_its_size(demo: Territory) -> None:
    assert len(demo.grids) == 269
    assert len(demo.communities) == 61
    assert len(demo.streets) == 7
    households = [sum(site.households for site in grid.sites) for grid in demo.grids]
    assert min(households) >= 300, min(households)
    assert max(households) <= 500, max(households)


def test_demo_codes_nest(demo: Territory) -> None:
    by_code = {area.code: area for area in demo.all()}
    assert len(by_code) == len(demo.all())
    assert demo.district.parent_code is None
    lengths = {"district": 6, "street": 9, "community": 12, "grid": 14}
    for area in demo.all():
        assert len(area.code) == lengths[area.level], area.code
        if area.parent_code is None:
            assert area is demo.district
            continue
        parent = by_code[area.parent_code]
        assert area.code.startswith(parent.code)
        assert area.code != parent.code


def test_the_demo_is_deterministic_for_a_seed(demo: Territory) -> None:
    again = build_territory(1)
    assert [g.code for g in again.grids] == [g.code for g in demo.grids]
    assert [shapely.to_wkb(g.geometry) for g in again.grids] == [
        shapely.to_wkb(g.geometry) for g in demo.grids
    ]
    other = build_territory(2)
    assert [shapely.to_wkb(g.geometry) for g in other.grids] != [
        shapely.to_wkb(g.geometry) for g in demo.grids
    ]
