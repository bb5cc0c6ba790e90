"""The walking network's arithmetic on a hand-made network with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from gridgov.services import graph as g
from gridgov.services import networks

# A street of six corners 100 m apart (0–5) and a lane of 300 m from corner 2 to a
# cul-de-sac (6); corner 7 is an island nobody can reach. Lengths are given, so the
# answers are exact; coordinates only place the corners for snapping.
LON = np.array([116.700, 116.701, 116.702, 116.703, 116.704, 116.705, 116.702, 116.750])
LAT = np.array([23.300, 23.300, 23.300, 23.300, 23.300, 23.300, 23.303, 23.350])
HEAD = np.array([0, 1, 2, 3, 4, 2, 7])
TAIL = np.array([1, 2, 3, 4, 5, 6, 7])
LENGTH = np.array([100.0, 100.0, 100.0, 100.0, 100.0, 300.0, 10.0])


def street() -> g.WalkGraph:
    return g.WalkGraph.build(LON, LAT, HEAD, TAIL, LENGTH)


def test_nearest_point_distances_along_the_street() -> None:
    # given points at both ends of the street
    graph = street()
    # when every corner asks for its nearest point
    nearest = g.nearest_sources(graph, np.array([0, 5]))
    # then the distances are along the street, the lane adds its 300 m, the island is cut off
    assert nearest.metres[:7].tolist() == [0.0, 100.0, 200.0, 200.0, 100.0, 0.0, 500.0]
    assert np.isinf(nearest.metres[7])
    assert nearest.source[:7].tolist() == [0, 0, 0, 1, 1, 1, 0]
    assert nearest.source[7] == -1


def test_a_self_loop_disappears_and_parallel_edges_keep_the_shortest() -> None:
    graph = g.WalkGraph.build(
        LON[:3],
        LAT[:3],
        np.array([0, 0, 1, 1]),
        np.array([1, 1, 2, 1]),
        np.array([50.0, 20, 30, 5]),
    )
    assert graph.edge_count == 3
    assert g.nearest_sources(graph, np.array([0])).metres.tolist() == [0.0, 20.0, 50.0]


def test_places_snap_to_the_main_network_never_to_an_island() -> None:
    graph = street()
    # a door 0.0001° (~10 m) north of corner 3, and one right beside the island
    snap = graph.snap(np.array([116.703, 116.7501]), np.array([23.3001, 23.350]))
    assert snap.node[0] == 3
    assert snap.metres[0] == pytest.approx(11.1, abs=0.2)
    assert snap.node[1] != 7


def test_walking_minutes_include_the_walk_to_the_street() -> None:
    graph = street()
    snap = graph.snap(np.array([116.703]), np.array([23.3001]))
    nearest = g.nearest_sources(graph, np.array([0, 5]))
    minutes = g.walking_minutes(graph, snap, nearest, speed_m_per_min=50.0)
    assert minutes[0] == pytest.approx((200.0 + 11.1) / 50.0, abs=0.01)


def test_coverage_matrix_marks_what_each_candidate_reaches() -> None:
    graph = street()
    # candidates at corners 1 and 6; demand at corners 0, 3 and 5; within 250 m
    cover = g.coverage_matrix(
        graph, np.array([1, 6]), np.zeros(2), np.array([0, 3, 5]), np.zeros(3), 250.0
    )
    assert cover.toarray().tolist() == [[True, False], [True, False], [False, False]]


def test_an_isochrone_contains_what_it_reaches_and_not_beyond() -> None:
    import shapely

    graph = street()
    area = g.isochrone(graph, 0, 250.0)
    assert shapely.contains(area, shapely.Point(116.701, 23.300))
    assert not shapely.contains(area, shapely.Point(116.705, 23.300))


def test_the_stored_form_keeps_the_graph() -> None:
    graph = street()
    again = networks.from_bytes(networks.to_bytes(graph))
    assert again.node_count == graph.node_count
    assert again.edge_count == graph.edge_count
    assert np.allclose(again.length, graph.length)


def test_walk_gives_every_household_its_minutes_and_on_asking_its_nearest_point() -> None:
    from gridgov.services.circle import Places, walk

    # given households at corner 2 (two of them), corner 4 and the cul-de-sac (6), and
    # points standing on corners 0 and 5
    graph = street()
    spots = [2, 4, 6]
    places = Places(LON[spots], LAT[spots], np.array([0, 0, 1, 2]), np.arange(4), ["g"] * 4)
    points = [(float(LON[0]), float(LAT[0])), (float(LON[5]), float(LAT[5]))]
    # when they walk at 50 m a minute
    result = walk(graph, places, points, 50.0)
    # then corner 2 is 200 m from the first point (300 m from the second), corner 4 is
    # 100 m from the second, the cul-de-sac 500 m from the first
    assert result.minutes.tolist() == [4.0, 4.0, 2.0, 10.0]
    assert result.nearest.tolist() == [0, 0, 1, 0]


def test_a_point_moved_changes_the_minutes_and_the_households_are_not_snapped_again() -> None:
    from gridgov.services.circle import Places, walk

    graph = street()
    places = Places(LON[[1, 3]], LAT[[1, 3]], np.array([0, 1]), np.arange(2), ["g"] * 2)
    before = walk(graph, places, [(float(LON[0]), float(LAT[0]))], 50.0)
    homes = places.snapped(graph)
    # when the point moves from corner 0 to corner 4
    after = walk(graph, places, [(float(LON[4]), float(LAT[4]))], 50.0)
    # then the minutes follow it, from the same snapped households
    assert before.minutes.tolist() == [2.0, 6.0]
    assert after.minutes.tolist() == [6.0, 2.0]
    assert places.snapped(graph) is homes


def test_the_snap_cache_knows_coordinates_by_value_and_a_moved_household_is_snapped_anew() -> None:
    graph = street()
    lon, lat = LON[[1, 3]].copy(), LAT[[1, 3]].copy()
    first = graph.snap_cached(lon, lat)
    # the same coordinates read again (a new array, as from the database) hit the cache
    assert graph.snap_cached(lon.copy(), lat.copy()) is first
    # a household that moved to corner 4 is snapped again, and the cached copy is intact
    lon[1] = LON[4]
    assert graph.snap_cached(lon, lat).node.tolist() == [1, 4]
    assert first.node.tolist() == [1, 3]


def test_within_agrees_with_the_minutes_the_snapshot_stores() -> None:
    from gridgov.services.circle import within

    # given minutes stored as float32: 12.3 rounds up to 12.300000190734863 there
    minutes = np.array([12.2, 12.3, 12.4], np.float32)
    # then the household at float32(12.3) is beyond a 12.3-minute threshold, as reading
    # the stored minutes back in float64 says, and the one below is within
    assert within(minutes, 12.3).tolist() == [True, False, False]
    assert (minutes.astype(np.float64) <= 12.3).tolist() == [True, False, False]
    assert within(minutes, 12.4).tolist() == [True, True, True]


# -- snapping: exact against brute force --------------------------------------------------


def scattered(count: int, seed: int) -> g.WalkGraph:
    """An island of two corners far away (nodes 0 and 1), then ``count`` corners
    scattered over about 2 × 2 km around Haojiang, clustered along a few streets as real
    networks are, joined in one chain (the main network)."""
    rng = np.random.default_rng(seed)
    street = rng.integers(0, 12, count)
    along = rng.uniform(0.0, 0.018, count)
    lon = 116.70 + np.where(street < 6, along, street * 0.003 + rng.normal(0, 0.00002, count))
    lat = 23.30 + np.where(street < 6, street * 0.003 + rng.normal(0, 0.00002, count), along)
    lon = np.concatenate([[116.80, 116.8001], lon])
    lat = np.concatenate([[23.40, 23.4001], lat])
    head = np.concatenate([[0], np.arange(2, count + 1)])
    tail = np.concatenate([[1], np.arange(3, count + 2)])
    return g.WalkGraph.build(lon, lat, head, tail)


def brute_force(graph: g.WalkGraph, lon: g.Floats, lat: g.Floats) -> tuple[g.Floats, g.Floats]:
    """Every place's distance to every main-network node, the slow way: (metres to the
    nearest, metres to every node)."""
    main = np.flatnonzero(graph.main_component)
    places = graph.projection.forward(lon, lat)
    nodes = graph.xy[main]
    dx = places[:, 0][:, None] - nodes[:, 0][None, :]
    dy = places[:, 1][:, None] - nodes[:, 1][None, :]
    every = np.full((len(lon), graph.node_count), np.inf)
    every[:, main] = np.sqrt(dx * dx + dy * dy)
    return every.min(axis=1), every


@pytest.mark.parametrize("parallel_from", [0, 10**9], ids=["every-core", "one-thread"])
def test_snap_finds_the_nearest_node_that_brute_force_finds(
    monkeypatch: pytest.MonkeyPatch, parallel_from: int
) -> None:
    # given 3,000 corners along streets and 4,000 doors scattered over and beyond them
    graph = scattered(3000, seed=7)
    rng = np.random.default_rng(8)
    lon = rng.uniform(116.695, 116.74, 4000)
    lat = rng.uniform(23.295, 23.34, 4000)
    monkeypatch.setattr(g, "PARALLEL_FROM", parallel_from)
    # when they are snapped, on every core or on one
    snap = graph.snap(lon, lat)
    # then each door gets the node brute force says is nearest, at the same distance,
    # never the island
    nearest, every = brute_force(graph, lon, lat)
    assert snap.node.dtype == np.int64
    assert np.allclose(snap.metres, nearest, rtol=0, atol=1e-9)
    assert np.allclose(every[np.arange(4000), snap.node], nearest, rtol=0, atol=1e-9)
    unique = (every <= nearest[:, None] + 1e-9).sum(axis=1) == 1
    assert unique.sum() > 3990
    assert (snap.node[unique] == every[unique].argmin(axis=1)).all()
    assert not np.isin(snap.node, [0, 1]).any()


def test_snap_keeps_the_order_of_the_places_and_answers_duplicates_alike() -> None:
    # given 500 doors, the first 100 of them listed again at the end
    graph = scattered(800, seed=3)
    rng = np.random.default_rng(4)
    lon = rng.uniform(116.70, 116.72, 500)
    lat = rng.uniform(23.30, 23.32, 500)
    lon, lat = np.concatenate([lon, lon[:100]]), np.concatenate([lat, lat[:100]])
    # when they are snapped in that order and in a shuffled one
    snap = graph.snap(lon, lat)
    shuffle = rng.permutation(600)
    shuffled = graph.snap(lon[shuffle], lat[shuffle])
    # then each door's answer follows it, and a door listed twice gets the same answer
    assert (shuffled.node == snap.node[shuffle]).all()
    assert (shuffled.metres == snap.metres[shuffle]).all()
    assert (snap.node[500:] == snap.node[:100]).all()
    assert (snap.metres[500:] == snap.metres[:100]).all()


def test_two_corners_on_one_spot_both_count_as_nearest() -> None:
    # given corners 1 and 2 of a street at the very same spot
    lon = np.array([116.700, 116.701, 116.701, 116.702])
    lat = np.array([23.300, 23.300, 23.300, 23.300])
    graph = g.WalkGraph.build(lon, lat, np.array([0, 1, 2]), np.array([1, 2, 3]), np.ones(3))
    # when a door 10 m north of that spot is snapped
    snap = graph.snap(np.array([116.701]), np.array([23.30009]))
    # then it goes to one of the two, 10 m away
    assert snap.node[0] in (1, 2)
    assert snap.metres[0] == pytest.approx(10.0, abs=0.02)


def test_snapping_no_places_gives_no_answers() -> None:
    snap = street().snap(np.zeros(0), np.zeros(0))
    assert snap.node.shape == (0,)
    assert snap.metres.shape == (0,)


def test_the_matrix_keeps_the_shortest_of_parallel_edges_whichever_way_they_run() -> None:
    # given 40 corners and 400 random edges, many of them parallel or reversed copies
    rng = np.random.default_rng(5)
    head = rng.integers(0, 40, 400)
    tail = rng.integers(0, 40, 400)
    length = rng.uniform(1.0, 100.0, 400)
    graph = g.WalkGraph.build(np.zeros(40), np.zeros(40), head, tail, length)
    # when the network becomes a matrix
    dense = graph.matrix.toarray()
    # then each pair of corners holds the shortest edge between them, both ways
    expected = np.zeros((40, 40))
    for a, b, metres in zip(head, tail, length, strict=True):
        if a != b:
            for i, j in ((a, b), (b, a)):
                if expected[i, j] == 0 or metres < expected[i, j]:
                    expected[i, j] = metres
    assert (dense == expected).all()
    assert graph.matrix.has_sorted_indices
