"""Contact groups (党员联系户): cut a village's or community's households into fixed
groups, each served by one party member. Pure: no database, no clock.

The unit that is never cut is the *block*: a building or compound (its register key),
or a household standing alone. The method, in four steps:

1. **Carve oversized blocks.** A block with more households than a group may hold
   cannot stay whole. It fills as many groups of its own as it can (its households in
   register order, i.e. by floor and door), and only the remainder joins neighbours.
   Such a block ends up in ``ceil(size / max)`` groups, the fewest possible; it is
   counted as *oversized*, not as *split*. Every other block stays in one group.
2. **Bisect.** Weighted recursive bisection: the blocks are split along the longer
   side of their extent, where the first half holds as many households as its share
   of groups can balance (whole blocks: a prefix of the sorted blocks, topped up with
   a small subset sum of blocks just past the cut when no prefix fits), down to
   single groups. Halves stay compact because each is a slab of its parent.
3. **Repair** (``elastic``). A building larger than a group is elastic: its
   households pass, by the shortest chain of groups linked through such buildings,
   from a group over the band to one with room (or into one under it), and it may
   open a piece in a nearby group while it is in fewer than ``ceil(size / max)``
   groups. Chains still out of the band trade whole blocks, or move a building's
   piece, with neighbouring chains (never widening a group beyond the widest the
   bisection made); when no trade helps, the excess is pushed on to the neighbour
   nearer a chain with room (an ejection chain). When groups are still outside the
   band, the whole place is covered exactly (``cover``): every block, or tall
   building's remainder, goes into one *bin* of near items whose sizes can make the
   band, an integer program choosing the bins (as many as groups are left after the
   tall buildings' full pieces) with the fewest groups short of the band, then the
   smallest diameters; its answer replaces the groups when no more are outside. Only
   while more groups than the floor below are outside, augmenting paths (``augment``:
   the cheapest chain of moves, swaps and shifts with neighbouring groups that ends at
   a group able to spare, or take, the difference, no group growing wider than the
   widest in-band group) and exact packing (``pack``: a small integer program over
   each and its nearest groups, kept only when fewer households miss the band)
   follow. What is left shows in the quality.

   *The floor* (``cover.fewest_outside``): a tall building is in exactly
   ``ceil(size / max)`` groups, so the number of pieces, and of groups one piece can
   fill alone, is fixed, and every other group needs two pieces or more; that sets
   the fewest groups any partition splitting nothing leaves outside the band. When it
   is above 0 (tower-heavy places), the cover is tried *first*, and when it reaches
   the floor it is the answer (after step 4): no bisection can do better. The count
   stays the caller's; ``counts.count_advice`` names the nearest count where the floor
   is 0 (within a band it falls by 2 per group fewer), for the office to weigh.
4. **Improve locally** (``improve``). Boundary blocks move, or swap, to a nearer group
   while no group leaves the band (or gets further outside it), until nothing
   improves. Each piece of a tall building is then given consecutive floors.

Members are then seated: the member living in a group serves it; the remaining groups
go to the nearest member with room under their own maximum.

``update`` keeps a previous partition: households that stayed keep their group,
newcomers join the group of their building or the nearest group with room, and only
groups pushed out of the band give up or take a few boundary blocks (or households
of a tall building they share). Quality measures
(size spread, largest in-group straight-line distance, buildings split, households
moved) come with every result.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from gridgov.outreach.partition.augment import augment
from gridgov.outreach.partition.counts import CountAdvice, block_sizes, count_advice
from gridgov.outreach.partition.cover import cover, fewest_outside
from gridgov.outreach.partition.cutting import bisect, carve
from gridgov.outreach.partition.elastic import diameter2, equalize, gather, settle, tidy
from gridgov.outreach.partition.geometry import Block, Frame, Group, d2, nearest, to_blocks
from gridgov.outreach.partition.improve import improve, pin, seat
from gridgov.outreach.partition.measure import measure
from gridgov.outreach.partition.model import (
    ANGLES,
    Band,
    Home,
    Member,
    Partition,
    PartitionError,
    Quality,
)
from gridgov.outreach.partition.pack import pack
from gridgov.outreach.partition.repair import rebalance

__all__ = [
    "Band",
    "CountAdvice",
    "Home",
    "Member",
    "Partition",
    "PartitionError",
    "Quality",
    "block_sizes",
    "count_advice",
    "fewest_outside",
    "homes_from_rows",
    "measure",
    "partition",
    "update",
]

# ---------------------------------------------------------------- the entry points


def _arrange(blocks: list[Block], groups: int, band: Band, angle: float) -> list[list[Block]]:
    """Fill ``groups`` groups along the curve. Sizes that whole blocks cannot bring into
    the band are repaired by ``_rebalance``; what still fails shows in the quality."""
    if groups == 0:
        return []
    return bisect(blocks, groups, band.low, band.high, angle)


def partition(
    homes: Sequence[Home],
    band: Band,
    members: Sequence[Member] = (),
) -> Partition:
    """Cut ``homes`` into ``band.groups`` groups (see the module's description)."""
    if not homes:
        raise PartitionError("there are no households to group")
    if len({h.id for h in homes}) != len(homes):
        raise PartitionError("a household appears twice")
    frame = Frame.around(homes)
    blocks = to_blocks(homes, frame)
    carved, rest = carve(blocks, band)
    if len(carved) > band.groups:
        raise PartitionError("oversized buildings alone need more groups than asked for")
    home_xy = {h.id: frame.xy(h.lon, h.lat) for h in homes}
    floor = fewest_outside([block.size for block in blocks], band)
    if floor:
        # Counting shows some groups must stay outside the band (tower-heavy places):
        # the exact cover first; the bisection only when the cover misses that floor.
        covered = cover(blocks, band)
        if covered is not None and _outside(band, covered) == floor:
            pin(covered, seat(covered, members, home_xy), members)
            improve(covered, band.low, band.high)
            tidy(covered, {h: n for block in blocks for n, h in enumerate(block.homes)})
            seats = seat(covered, members, home_xy)
            return _result(covered, homes, band, seats, members, moved=0)
    best: tuple[tuple[int, float], list[Group], list[int | None]] | None = None
    for angle in ANGLES:
        # Each direction starts from fresh blocks: settling resizes pieces in place.
        fresh = [_copy(block) for block in rest]
        runs = _arrange(fresh, band.groups - len(carved), band, math.radians(angle))
        groups: list[Group] = []
        for run in [*([_copy(block) for block in run] for run in carved), *runs]:
            group = Group()
            for block in run:
                group.add(block)
            groups.append(group)
        rebalance(groups, band)
        settle(groups, band)
        seats = seat(groups, members, home_xy)
        pin(groups, seats, members)
        improve(groups, band.low, band.high)
        outside = sum(1 for g in groups if not band.low <= g.size <= band.high)
        score = (outside, sum(_sse(g) for g in groups))
        if best is None or score < best[0]:
            best = (score, groups, seats)
    if best is None:  # pragma: no cover - ANGLES is not empty
        raise PartitionError("no direction to cut along")
    groups = best[1]
    if best[0][0]:  # groups still outside the band: an exact cover of the whole place
        covered = cover(blocks, band)
        if covered is not None and _outside(band, covered) <= best[0][0]:
            groups = covered
        if _outside(band, groups) > fewest_outside([b.size for b in blocks], band):
            # Augmenting paths, then exact packing; no group grows wider than the
            # widest one already in the band.
            limit = max(diameter2(g.blocks) for g in groups if _in_band(band, g.size))
            augment(groups, band, limit)
            if _outside(band, groups):
                pack(groups, band, limit)
        improve(groups, band.low, band.high)
    tidy(groups, {h: n for block in blocks for n, h in enumerate(block.homes)})
    seats = seat(groups, members, home_xy)
    return _result(groups, homes, band, seats, members, moved=0)


def _in_band(band: Band, size: int) -> bool:
    return band.low <= size <= band.high


def _outside(band: Band, groups: Sequence[Group]) -> int:
    return sum(1 for group in groups if not _in_band(band, group.size))


def _copy(block: Block) -> Block:
    return Block(block.key, list(block.homes), block.x, block.y, parent=block.parent)


def _sse(group: Group) -> float:
    centre = group.centre()
    return sum(b.size * d2(b.x, b.y, centre) for b in group.blocks)


def _result(
    groups: Sequence[Group],
    homes: Sequence[Home],
    band: Band,
    seats: Sequence[int | None],
    members: Sequence[Member],
    *,
    moved: int,
) -> Partition:
    ids = tuple(tuple(h for b in g.blocks for h in b.homes) for g in groups)
    quality = measure(ids, homes, band, seats=seats, members=members, moved=moved)
    return Partition(ids, tuple(seats), quality, band)


def _rejoin(groups: list[Group], placed: list[tuple[int, Block]], band: Band) -> None:
    """Move a building's pieces into the group of its largest piece, if it has room."""
    target = max(placed, key=lambda p: (p[1].size, -p[0]))[0]
    others = [(g, piece) for g, piece in placed if g != target]
    if groups[target].size + sum(piece.size for _, piece in others) > band.high:
        return
    for g, piece in others:
        groups[g].remove(piece)
        groups[target].add(piece)


def update(
    previous: Mapping[int, int],
    homes: Sequence[Home],
    band: Band,
    members: Sequence[Member] = (),
    seats: Sequence[int | None] = (),
) -> Partition:
    """Re-fit a partition to a changed set of households with as few moves as possible.

    ``previous`` maps household id → group number (0 … band.groups-1) for households
    already placed; ``seats`` (optional) keeps who served each group. Households that
    stay keep their group unless their group must give some up to stay in the band;
    newcomers join their building's group, or the nearest group with room."""
    if not homes:
        raise PartitionError("there are no households to group")
    frame = Frame.around(homes)
    groups = [Group() for _ in range(band.groups)]
    newcomers: list[Block] = []
    shrunk: list[list[tuple[int, Block]]] = []
    for block in to_blocks(homes, frame):
        # A block keeps the pieces it had: whole for an ordinary building, one piece
        # per group for a building larger than a group. Newcomers join their building.
        pieces: dict[int, list[int]] = defaultdict(list)
        fresh: list[int] = []
        for h in block.homes:
            g = previous.get(h)
            if g is not None and 0 <= g < band.groups:
                pieces[g].append(h)
            else:
                fresh.append(h)
        elastic = block.key if block.size > band.high else None
        placed: list[tuple[int, Block]] = []
        for g, homes_of_piece in sorted(pieces.items()):
            piece = Block(f"{block.key}@{g}", homes_of_piece, block.x, block.y, parent=elastic)
            groups[g].add(piece)
            placed.append((g, piece))
        allowed = -(-block.size // band.high)
        if fresh:
            piece = Block(f"{block.key}+", fresh, block.x, block.y, parent=elastic)
            g = min(pieces, key=lambda g: groups[g].size) if pieces else -1
            # A tall building already in all the groups its size allows takes its
            # newcomers in one of them even over the band (the repair below sheds).
            if g >= 0 and (
                groups[g].size + piece.size <= band.high
                or (elastic is not None and len(pieces) >= allowed)
            ):
                groups[g].add(piece)
                placed.append((g, piece))
            else:
                newcomers.append(piece)
        if len({g for g, _ in placed}) > allowed:
            shrunk.append(placed)
    # A building now in more groups than its size needs goes back together: one that
    # fits a group into the group of its largest piece, where that group has room; a
    # taller one into the groups of its largest pieces (the repair below sheds).
    for placed in shrunk:
        if placed[0][1].parent is None:
            _rejoin(groups, placed, band)
        else:
            gather(groups, placed, band)
    # Keep members' own blocks where they are.
    kept_seats = list(seats) + [None] * (band.groups - len(seats))
    pin(groups, kept_seats[: band.groups], members)
    # Groups already outside the band before the change are left as they were: an
    # update repairs only what the change broke.
    counted: dict[int, int] = defaultdict(int)
    for g in previous.values():
        counted[g] += 1
    sizes = list(counted.values())
    tolerated = Band(band.groups, min([band.low, *sizes]), max([band.high, *sizes]))
    for block in newcomers:
        _place(groups, block, tolerated)
    rebalance(groups, tolerated)
    outside = [g for g, group in enumerate(groups) if not _in_band(tolerated, group.size)]
    equalize(groups, tolerated, only=outside)
    home_xy = {h.id: frame.xy(h.lon, h.lat) for h in homes}
    new_seats = kept_seats[: band.groups] if seats else seat(groups, members, home_xy)
    moved = sum(
        1
        for g, group in enumerate(groups)
        for b in group.blocks
        for h in b.homes
        if h in previous and previous[h] != g
    )
    return _result(groups, homes, band, new_seats, members, moved=moved)


def _place(groups: list[Group], block: Block, band: Band) -> None:
    """A newcomer goes to the nearest group with room (or the nearest of all)."""
    order = nearest(groups, block.x, block.y, len(groups))
    filled = [g for g in order if groups[g].w > 0]
    for g in filled or order:
        if groups[g].size + block.size <= band.high:
            groups[g].add(block)
            return
    groups[(filled or order)[0]].add(block)


def homes_from_rows(rows: Iterable[tuple[int, float, float, str | None, str]]) -> list[Home]:
    """Homes from (id, lon, lat, block, order) rows, as the service reads them."""
    return [Home(i, lon, lat, block, order) for i, lon, lat, block, order in rows]
