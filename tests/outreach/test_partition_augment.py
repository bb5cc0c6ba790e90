"""Augmenting paths (``partition.augment``): groups outside the band are mended by a
chain of transfers with their neighbours, never splitting a building."""

from __future__ import annotations

from gridgov.outreach.partition import Band
from gridgov.outreach.partition.augment import augment
from gridgov.outreach.partition.geometry import Group
from tests.outreach.factories import short_tower_and_far_lone_household, tower_groups


def _held(groups: list[Group]) -> dict[str, set[int]]:
    held: dict[str, set[int]] = {}
    for g, group in enumerate(groups):
        for block in group.blocks:
            held.setdefault(block.parent or block.key, set()).add(g)
    return held


def test_a_short_group_takes_a_far_towers_lone_household_when_none_nearer_can_give() -> None:
    # Given a group of 9 whose near neighbours are full towers (each in the two groups
    # its size allows) and, 225 m away, a tower's lone household beside a block of 10
    groups = short_tower_and_far_lone_household()
    band = Band(len(groups), 10, 11)
    # When the groups outside the band are mended by augmenting paths within 300 m
    mended = augment(groups, band, limit=300.0**2)
    # Then the short group took the lone household, every group is in the band, and no
    # tower is in more groups than its size allows
    assert mended == 1
    assert all(10 <= group.size <= 11 for group in groups)
    held = _held(groups)
    assert len(held["A"]) == 2
    assert len(held["C"]) == 3
    assert all(len(held[f"F{n}"]) == 2 for n in range(10))
    assert len(held["far"]) == 1
    placed = sorted(h for group in groups for b in group.blocks for h in b.homes)
    assert len(placed) == len(set(placed)) == 19 + 220 + 10 + 23


def test_nothing_moves_further_than_the_limit() -> None:
    # Given the same groups, with no two blocks of a group allowed more than 100 m apart
    groups = short_tower_and_far_lone_household()
    sizes = [group.size for group in groups]
    # When they are mended
    mended = augment(groups, Band(len(groups), 10, 11), limit=100.0**2)
    # Then nothing changed: the only household that could help stands 225 m away
    assert mended == 0
    assert [group.size for group in groups] == sizes


def test_a_group_over_the_band_passes_households_to_another_piece_of_its_tower() -> None:
    # Given a tower of 22 households in two groups, 12 and 10, and a full tower beside it
    groups, _ = tower_groups({"T": (0.0, [12, 10]), "U": (30.0, [11, 11])})
    # When mended
    mended = augment(groups, Band(len(groups), 10, 11), limit=50.0**2)
    # Then one household passed between the tower's own groups: 11 and 11, still two
    assert mended == 1
    assert [group.size for group in groups] == [11, 11, 11, 11]
    assert len(_held(groups)["T"]) == 2
