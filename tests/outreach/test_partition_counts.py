"""How many groups to ask for (``partition.count_advice``): the fewest groups outside the
band at the count asked for, and the nearest count where counting forces none."""

from __future__ import annotations

from gridgov.outreach.partition import (
    Band,
    Home,
    block_sizes,
    count_advice,
    fewest_outside,
    partition,
)
from tests.outreach.test_partition import LAT0, LON0, community, estate


def _nine_and_tower() -> list[Home]:
    homes = [Home(n, LON0, LAT0, "nine", f"{n:03d}") for n in range(1, 10)]
    return homes + [Home(100 + n, LON0 + 0.0003, LAT0, "tower", f"{n:03d}") for n in range(22)]


def test_a_count_whose_sizes_cannot_all_be_met_suggests_the_nearest_that_can() -> None:
    # Given a block of 9 households and a tower of 22, asked for 3 groups (10–11 each):
    # the tower fills two groups alone and the block of 9 is one short
    homes = _nine_and_tower()
    asked = Band.for_count(31, 3)
    # When the count is weighed
    advice = count_advice(block_sizes(homes), asked)
    # Then one group at least must be outside 10–11; no count keeps those sizes with
    # none forced outside, so the nearest count with none is offered with its own
    # sizes: 2 groups of 15–16 (4 groups of 7–8 are as near; the fewer groups win)
    assert (asked.low, asked.high, advice.fewest_outside) == (10, 11, 1)
    assert advice.suggested == Band(2, 15, 16)
    assert not advice.same_sizes
    assert count_advice(block_sizes(homes), Band.for_count(31, 4)).fewest_outside == 0
    # And the partition at 2 groups has every group in the band, splitting nothing
    result = partition(homes, advice.suggested)
    assert sorted(len(g) for g in result.groups) == [15, 16]
    assert result.quality.buildings_split == 0


def test_an_estate_two_groups_over_its_floor_gets_one_group_fewer_of_the_same_sizes() -> None:
    # Given an estate of 600 households in towers, asked for 57 groups of 10–11, where
    # counting forces 2 groups outside the band
    homes = estate(4, 600)
    asked = Band.for_count(600, 57)
    # When the count is weighed
    advice = count_advice(block_sizes(homes), asked)
    # Then one group fewer keeps the sizes (10–11) and forces none outside
    assert advice.fewest_outside == 2
    assert advice.suggested == Band(56, 10, 11)
    assert advice.same_sizes
    # And the partition at 56 groups leaves none outside, splitting no building, while
    # at 57 it leaves exactly the 2 counting forces
    fewer = partition(homes, advice.suggested).quality
    assert (fewer.out_of_band, fewer.buildings_split) == (0, 0)
    assert partition(homes, asked).quality.out_of_band == 2


def test_each_group_fewer_lowers_the_floor_by_two_while_the_sizes_stay() -> None:
    # Given a community of 1,000 households in towers of 4–36, whose floor at 96
    # groups of 10–11 is 3
    sizes = block_sizes(community(1, 1000))
    floors = {g: fewest_outside(sizes, Band.for_count(1000, g)) for g in (94, 95, 96, 97)}
    # When the count is weighed at 96
    advice = count_advice(sizes, Band.for_count(1000, 96))
    # Then one group more forces 5 outside, one fewer 1, two fewer none: 94 is offered
    assert floors == {94: 0, 95: 1, 96: 3, 97: 5}
    assert advice.fewest_outside == 3
    assert advice.suggested == Band(94, 10, 11)


def test_a_count_already_free_of_forced_groups_needs_no_suggestion() -> None:
    # Given a community of 1,000 households whose floor at 96 groups is 0
    sizes = block_sizes(community(2, 1000))
    # When the count is weighed
    advice = count_advice(sizes, Band.for_count(1000, 96))
    # Then nothing is forced outside and no other count is offered
    assert advice.fewest_outside == 0
    assert advice.suggested is None


def test_households_standing_alone_are_blocks_of_one() -> None:
    # Given two households of one building and two standing alone
    homes = [
        Home(1, LON0, LAT0, "b7", "0101"),
        Home(2, LON0, LAT0, "b7", "0102"),
        Home(3, LON0, LAT0, None),
        Home(4, LON0, LAT0, None),
    ]
    # When their blocks are counted
    sizes = block_sizes(homes)
    # Then the building is one block of 2, each lone household one block of 1
    assert sorted(sizes) == [1, 1, 2]
