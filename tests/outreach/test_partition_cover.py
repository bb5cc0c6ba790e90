"""The exact cover (``partition.cover``): the whole place at once, every block in one
group, tall buildings in the fewest groups; and the fewest groups outside the band that
counting allows."""

from __future__ import annotations

import importlib
import random
from collections import Counter

import pytest

from gridgov.outreach.partition import Band, Home, partition
from gridgov.outreach.partition.cover import _Item, _nearest, cover, fewest_outside
from gridgov.outreach.partition.geometry import Block
from tests.outreach.test_partition import LAT0, LON0, community, estate

# The module itself (the package's ``cover`` is the function).
cover_module = importlib.import_module("gridgov.outreach.partition.cover")


def _held(groups: list[list[Block]]) -> dict[str, set[int]]:
    held: dict[str, set[int]] = {}
    for g, blocks in enumerate(groups):
        for block in blocks:
            held.setdefault(block.parent or block.key, set()).add(g)
    return held


def test_a_lone_block_of_nine_takes_the_one_household_a_far_tower_has_over() -> None:
    # Given a block of 9 households, two towers of 22 (two full groups of 11 each)
    # beside it, and 300 m away a tower of 23 (two groups of 11 and one household over)
    blocks = [
        Block("nine", list(range(1, 10)), 0.0, 0.0),
        Block("W1", list(range(100, 122)), 40.0, 0.0),
        Block("W2", list(range(200, 222)), 80.0, 0.0),
        Block("T", list(range(300, 323)), 300.0, 0.0),
    ]
    band = Band(7, 10, 11)
    # When the place is covered
    groups = cover(blocks, band)
    # Then every group is in the band: the block of 9 took the tower's one household;
    # each tower is in the fewest groups its size allows, the block in one
    assert groups is not None
    assert sorted(group.size for group in groups) == [10, 11, 11, 11, 11, 11, 11]
    held = _held([group.blocks for group in groups])
    assert len(held["nine"]) == 1
    assert len(held["T"]) == 3
    assert len(held["W1"]) == 2
    assert len(held["W2"]) == 2
    (with_nine,) = [g for g in groups if any(b.key == "nine" for b in g.blocks)]
    assert sorted(h for b in with_nine.blocks for h in b.homes) == [*range(1, 10), 322]
    placed = sorted(h for group in groups for b in group.blocks for h in b.homes)
    assert placed == sorted(h for b in blocks for h in b.homes)


def test_counting_shows_when_no_partition_can_bring_every_group_into_the_band() -> None:
    # Given a block of 9 households and a tower of 22 beside it, in 3 groups of 10–11:
    # the tower needs 2 groups (11 + 11) and nothing of it can join the block of 9
    homes = [Home(n, LON0, LAT0, "nine", f"{n:03d}") for n in range(1, 10)]
    homes += [Home(100 + n, LON0 + 0.0003, LAT0, "tower", f"{n:03d}") for n in range(22)]
    band = Band(3, 10, 11)
    # When the fewest groups outside the band are counted, and the place is cut
    fewest = fewest_outside([9, 22], band)
    result = partition(homes, band)
    # Then one group at least must stay outside, and the partition leaves just that
    # one, splitting nothing
    assert fewest == 1
    assert result.quality.out_of_band == 1
    assert result.quality.buildings_split == 0
    assert sorted(len(g) for g in result.groups) == [9, 11, 11]


@pytest.mark.parametrize("seed", [1, 6])
def test_an_estate_the_greedy_steps_left_outside_is_covered_all_in_the_band(seed: int) -> None:
    # Given 600 households in apartment blocks of 4–36 households where the bisection,
    # the trades, the augmenting paths and the packing left 2 groups outside 10–11
    homes = estate(seed, 600)
    band = Band.for_count(len(homes), 57)
    assert fewest_outside(list(Counter(h.block for h in homes).values()), band) == 0
    # When they are cut
    result = partition(homes, band)
    # Then every group is in the band and no building is split
    assert result.quality.out_of_band == 0
    assert result.quality.buildings_split == 0
    assert sorted(h for g in result.groups for h in g) == list(range(1, 601))


def test_a_community_comes_out_with_no_more_groups_outside_than_counting_forces() -> None:
    # Given 1,000 households in buildings of 4–36 where counting shows 3 of 96 groups
    # must stay outside 10–11 (the greedy steps left 5)
    homes = community(1, 1000)
    band = Band.for_count(len(homes), 96)
    fewest = fewest_outside(list(Counter(h.block for h in homes).values()), band)
    assert fewest == 3
    # When they are cut
    result = partition(homes, band)
    # Then exactly those 3 are outside, and no building is split
    assert result.quality.out_of_band == fewest
    assert result.quality.buildings_split == 0


def test_blocks_at_one_point_are_listed_with_work_in_proportion_to_the_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given 2,000 blocks of 5 households at one point: each block's 12 nearest are the
    # first 13, which are thus near every block (a million and more candidates a step
    # of the listing examined), and a budget of 500 candidates a block
    blocks = [Block(f"b{k:04d}", list(range(5 * k, 5 * k + 5)), 0.0, 0.0) for k in range(2000)]
    band = Band(1000, 10, 10)
    monkeypatch.setattr(cover_module, "STEPS", 500 * len(blocks))
    # When the bins are listed
    bins = cover_module._bins(cover_module._items(blocks, band), band)
    # Then the listing stays within it and finds every bin: each block alone, and each
    # of the first 13 with every block after it (a third block is over the band)
    assert bins is not None
    assert len(bins) == 2000 + sum(1999 - k for k in range(13))
    assert {len(members) for members in bins} == {1, 2}


def _scan(items: list[_Item], k: int, among: list[int], count: int) -> set[int]:
    """The plain answer: ``among`` sorted by squared distance to item k, ties in order."""
    x, y = items[k].x, items[k].y
    ranked = sorted(among, key=lambda j: (items[j].x - x) ** 2 + (items[j].y - y) ** 2)
    return set(ranked[: count + 1]) - {k}


def test_the_nearest_items_are_those_a_plain_scan_finds_ties_and_stacks_included() -> None:
    # Given items on a 10 m lattice (many equal distances), a stack of 30 at one point
    # and scattered ones, and a subset standing for the tall buildings
    rng = random.Random(7)
    points = [(10.0 * (n % 12), 10.0 * (n // 12)) for n in range(144)]
    points += [(55.0, 55.0)] * 30
    points += [(rng.uniform(-200, 300), rng.uniform(-200, 300)) for _ in range(200)]
    items = [_Item(f"B{n}", [n], x, y, 1, 11, 1) for n, (x, y) in enumerate(points)]
    everyone = list(range(len(items)))
    some = everyone[::7]
    for among, count in ((everyone, 12), (some, 4), (some[:3], 12)):
        # When each item's nearest are found through the tree
        found = _nearest(items, among, count)
        # Then they are the plain scan's, item by item
        assert found == [_scan(items, k, among, count) for k in everyone]
