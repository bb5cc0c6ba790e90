"""Point-in-grid over the demo territory, without a database."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, box
from shapely.geometry.base import BaseGeometry

from gridgov.demo.geography import Area, Territory, build_territory
from gridgov.territory.locate import Locator, RegionInfo
from gridgov.territory.rules import Level

GEOD = Geod(ellps="WGS84")
SEA = (116.60, 23.20)  # south-west of Haojiang, in the South China Sea


def _info(area: Area) -> RegionInfo:
    return RegionInfo(area.code, area.name, Level(area.level), area.parent_code)


@pytest.fixture(scope="module")
def demo() -> Territory:
    return build_territory(1)


@pytest.fixture(scope="module")
def locator(demo: Territory) -> Locator:
    return Locator([_info(a) for a in demo.all()], [g.geometry for g in demo.grids])


def _interior_site(grid: Area) -> tuple[float, float]:
    """A site of the grid inside it and on no other grid's edge."""
    for site in grid.sites:
        if grid.geometry.contains(Point(site.lon, site.lat)):
            return site.lon, site.lat
    raise AssertionError(f"grid {grid.code} has no site strictly inside it")


def test_a_site_locates_to_its_grid_with_its_ancestors(demo: Territory, locator: Locator) -> None:
    assert len(locator) == 269
    by_code = {a.code: a for a in demo.all()}
    for grid in demo.grids:
        location = locator.locate(*_interior_site(grid))
        assert not location.outside
        assert location.grid == _info(grid)
        community = by_code[grid.parent_code or ""]
        street = by_code[community.parent_code or ""]
        assert location.ancestors == (_info(demo.district), _info(street), _info(community))
        assert [a.level for a in location.ancestors] == [
            Level.DISTRICT,
            Level.STREET,
            Level.COMMUNITY,
        ]
        assert location.nearest is None
        assert location.distance_m is None


def test_every_site_lies_strictly_inside_its_grid(demo: Territory, locator: Locator) -> None:
    misplaced = []
    for grid in demo.grids:
        for site in grid.sites:
            location = locator.locate(site.lon, site.lat)
            if location.grid is None or location.grid.code != grid.code:
                misplaced.append((grid.code, site.lon, site.lat))
    assert misplaced == []


def _shared_edge(demo: Territory) -> tuple[Area, Area, Point]:
    """Two sibling grids meeting along a straight edge, and the middle of that edge."""
    for community in demo.communities:
        siblings = [g for g in demo.grids if g.parent_code == community.code]
        for i, a in enumerate(siblings):
            for b in siblings[i + 1 :]:
                edge = a.geometry.intersection(b.geometry)
                if edge.geom_type != "LineString" or edge.length < 1e-3:
                    continue
                (x1, y1), (x2, y2) = edge.coords[0], edge.coords[-1]
                if x1 != x2 and y1 != y2:
                    continue
                middle = Point((x1 + x2) / 2, (y1 + y2) / 2)
                touching = [g.code for g in demo.grids if g.geometry.intersects(middle)]
                if sorted(touching) == sorted([a.code, b.code]):
                    return a, b, middle
    raise AssertionError("no two grids share a straight edge")


def test_a_point_on_a_shared_edge_goes_to_the_smaller_code(
    demo: Territory, locator: Locator
) -> None:
    a, b, middle = _shared_edge(demo)
    assert not a.geometry.contains(middle)
    assert not b.geometry.contains(middle)
    smaller = min(a.code, b.code)
    answers = {locator.locate(middle.x, middle.y).grid for _ in range(5)}
    assert {g.code for g in answers if g is not None} == {smaller}
    assert len(answers) == 1
    batch = locator.locate_many([middle.x, middle.x, 116.70], [middle.y, middle.y, 23.30])
    assert [locator.grids[i].code for i in batch.index[:2]] == [smaller, smaller]


def test_a_point_in_the_sea_is_outside_with_the_nearest_grid(
    demo: Territory, locator: Locator
) -> None:
    lon, lat = SEA
    assert not demo.district.geometry.intersects(Point(lon, lat))
    location = locator.locate(lon, lat)
    assert location.outside
    assert location.ancestors == ()
    assert location.nearest is not None
    assert location.distance_m is not None
    assert location.distance_m > 0
    # Roughly the geodesic distance to the nearest grid edge (some 6.9 km): the grid
    # named is about as near as the nearest one, and the distance about right.
    by_code = {g.code: g for g in demo.grids}
    nearest_m = min(_geodesic_m(g, lon, lat) for g in demo.grids)
    assert 6_000 < nearest_m < 8_000
    assert _geodesic_m(by_code[location.nearest.code], lon, lat) == pytest.approx(
        nearest_m, rel=0.01
    )
    assert location.distance_m == pytest.approx(nearest_m, rel=0.01)


def test_the_nearest_grid_is_the_geodesically_nearest(demo: Territory, locator: Locator) -> None:
    lon, lat = SEA
    location = locator.locate(lon, lat)
    assert location.nearest is not None
    assert location.distance_m is not None
    distances = {g.code: _geodesic_m(g, lon, lat) for g in demo.grids}
    nearest = min(distances, key=distances.__getitem__)
    assert location.nearest.code == nearest
    assert location.distance_m == pytest.approx(distances[nearest], abs=1.0)


def _geodesic_m(grid: Area, lon: float, lat: float) -> float:
    """The geodesic distance from the point to the grid's boundary, densified to ~2 m."""
    coords = shapely.get_coordinates(shapely.segmentize(grid.geometry, 0.00002))
    _, _, metres = GEOD.inv(
        np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1]
    )
    return float(np.min(metres))


def test_a_far_point_is_outside_at_its_geodesic_distance(demo: Territory, locator: Locator) -> None:
    lon, lat = 113.0, 23.0
    location = locator.locate(lon, lat)
    assert location.outside
    assert location.nearest is not None
    assert location.distance_m is not None
    # About 370 km west of Haojiang: the nearest point is a vertex of the west edge.
    vertex_m = _nearest_vertex_m(demo, lon, lat)
    assert 350_000 < location.distance_m < 400_000
    assert location.distance_m == pytest.approx(vertex_m, rel=1e-3)


def test_the_distance_is_geodesic_metres() -> None:
    # One square grid; the point is 0.01° due south of its south-west corner.
    grid = RegionInfo("44051200100101", "网格", Level.GRID, None)
    locator = Locator([grid], [box(116.70, 23.28, 116.71, 23.29)])
    location = locator.locate(116.70, 23.27)
    _, _, expected = GEOD.inv(116.70, 23.27, 116.70, 23.28)
    assert location.nearest == grid
    assert location.distance_m == pytest.approx(expected, abs=0.01)
    assert location.distance_m == pytest.approx(1107, rel=0.01)  # 0.01° of latitude
    batch = locator.locate_many([116.70], [23.27])
    assert batch.distance_m[0] == pytest.approx(expected, abs=0.01)


def _nearest_vertex_m(demo: Territory, lon: float, lat: float) -> float:
    coords = shapely.get_coordinates([g.geometry for g in demo.grids])
    _, _, metres = GEOD.inv(
        np.full(len(coords), lon), np.full(len(coords), lat), coords[:, 0], coords[:, 1]
    )
    return float(np.min(metres))


def test_locate_many_agrees_with_locate(demo: Territory, locator: Locator) -> None:
    rng = np.random.default_rng(20261130)
    minx, miny, maxx, maxy = demo.district.geometry.bounds
    count = 10_000
    lons = rng.uniform(minx - 0.02, maxx + 0.02, count)
    lats = rng.uniform(miny - 0.02, maxy + 0.02, count)
    batch = locator.locate_many(lons, lats)
    assert batch.index.shape == batch.nearest.shape == batch.distance_m.shape == (count,)
    inside = int(batch.inside.sum())
    assert 0 < inside < count  # some of each
    for i in range(count):
        location = locator.locate(float(lons[i]), float(lats[i]))
        if location.grid is not None:
            assert batch.inside[i], i
            assert locator.grids[batch.index[i]] == location.grid, i
            assert batch.nearest[i] == -1
            assert math.isnan(batch.distance_m[i])
        else:
            assert not batch.inside[i], i
            assert location.nearest is not None
            assert locator.grids[batch.nearest[i]] == location.nearest, i
            assert batch.distance_m[i] == pytest.approx(location.distance_m), i


def test_an_empty_locator_answers_outside_with_no_nearest() -> None:
    locator = Locator([], [])
    assert len(locator) == 0
    location = locator.locate(116.70, 23.28)
    assert location.outside
    assert location.nearest is None
    assert location.distance_m is None
    batch = locator.locate_many([116.70, 113.0], [23.28, 23.0])
    assert batch.index.tolist() == [-1, -1]
    assert batch.nearest.tolist() == [-1, -1]
    assert np.isnan(batch.distance_m).all()


def test_geometries_must_pair_with_grids(demo: Territory) -> None:
    with pytest.raises(ValueError, match="one geometry per grid"):
        Locator([_info(a) for a in demo.all()], [g.geometry for g in demo.grids[1:]])


def test_a_micro_grid_wins_over_its_grid(demo: Territory) -> None:
    grid = demo.grids[0]
    lon, lat = _interior_site(grid)
    micro_geometry: BaseGeometry = box(lon - 1e-4, lat - 1e-4, lon + 1e-4, lat + 1e-4)
    micro_geometry = micro_geometry.intersection(grid.geometry)
    assert micro_geometry.area > 0
    micro = RegionInfo(grid.code + "01", "一号楼微网格", Level.MICRO_GRID, grid.code)
    # The micro-grid comes first among the regions to show the order does not matter.
    regions = [micro, *(_info(a) for a in demo.all())]
    locator = Locator(regions, [micro_geometry, *(g.geometry for g in demo.grids)])
    assert len(locator) == 270
    location = locator.locate(lon, lat)
    assert location.grid == micro
    assert [a.code for a in location.ancestors] == [
        grid.code[:6],
        grid.code[:9],
        grid.code[:12],
        grid.code,
    ]
    batch = locator.locate_many([lon], [lat])
    assert locator.grids[batch.index[0]] == micro
    # Just outside the micro-grid, still inside the grid: the grid answers.
    elsewhere = next(
        (s.lon, s.lat)
        for s in grid.sites
        if grid.geometry.contains(Point(s.lon, s.lat))
        and not micro_geometry.intersects(Point(s.lon, s.lat))
    )
    assert locator.locate(*elsewhere).grid == _info(grid)
