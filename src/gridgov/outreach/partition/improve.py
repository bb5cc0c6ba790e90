"""Step 4 and the members: moves and swaps of boundary blocks that make groups more
compact while sizes stay in range; who serves each group."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from gridgov.outreach.partition.geometry import Block, Buckets, Group, d2
from gridgov.outreach.partition.model import IMPROVEMENT_PASSES, NEAREST_GROUPS, Member


def improve(groups: list[Group], low: int, high: int, passes: int = IMPROVEMENT_PASSES) -> None:
    """Move or swap blocks to nearer groups while no group gets further from [low, high]
    than it was (a group in range stays in it)."""
    if len(groups) < 2:
        return
    span = _typical_span(groups)
    for _ in range(passes):
        changed = 0
        buckets = Buckets(groups, span)
        owner = {id(b): g for g, group in enumerate(groups) for b in group.blocks}
        for a, group in enumerate(groups):
            for block in list(group.blocks):
                if block.pinned or owner[id(block)] != a:
                    continue
                here = group.centre()
                current = d2(block.x, block.y, here)
                candidates = [
                    c
                    for c in buckets.near(block.x, block.y)
                    if c != a and d2(block.x, block.y, groups[c].centre()) < current
                ]
                candidates.sort(key=lambda c: d2(block.x, block.y, groups[c].centre()))
                for c in candidates[:NEAREST_GROUPS]:
                    other = groups[c]
                    if _try_move(group, other, block, low, high) or _try_swap(
                        group, other, block, low, high, owner
                    ):
                        owner[id(block)] = c
                        changed += 1
                        break
        if not changed:
            break


def _typical_span(groups: Sequence[Group]) -> float:
    spans = []
    for group in groups:
        cx, cy = group.centre()
        spans.append(max((math.sqrt(d2(b.x, b.y, (cx, cy))) for b in group.blocks), default=0))
    spans.sort()
    median = spans[len(spans) // 2] if spans else 0.0
    return max(3.0 * median, 50.0)


def _sse_delta_move(source: Group, target: Group, block: Block) -> float:
    w = float(block.size)
    ws, wt = source.w, target.w
    leave = w * ws / (ws - w) * d2(block.x, block.y, source.centre()) if ws > w else 0.0
    join = w * wt / (wt + w) * d2(block.x, block.y, target.centre())
    return join - leave


def _keeps(before: int, after: int, low: int, high: int) -> bool:
    """A size change that leaves the group no further outside [low, high]."""
    return max(0, low - after, after - high) <= max(0, low - before, before - high)


def _try_move(source: Group, target: Group, block: Block, low: int, high: int) -> bool:
    if not _keeps(source.size, source.size - block.size, low, high) or not _keeps(
        target.size, target.size + block.size, low, high
    ):
        return False
    if _sse_delta_move(source, target, block) >= -1e-9:
        return False
    source.remove(block)
    target.add(block)
    return True


def _try_swap(
    source: Group,
    target: Group,
    block: Block,
    low: int,
    high: int,
    owner: dict[int, int],
) -> bool:
    sc, tc = source.centre(), target.centre()
    gain_out = block.size * (d2(block.x, block.y, tc) - d2(block.x, block.y, sc))
    best: tuple[float, Block] | None = None
    for other in target.blocks:
        if other.pinned:
            continue
        new_source = source.size - block.size + other.size
        new_target = target.size - other.size + block.size
        if not (
            _keeps(source.size, new_source, low, high)
            and _keeps(target.size, new_target, low, high)
        ):
            continue
        gain_in = other.size * (d2(other.x, other.y, sc) - d2(other.x, other.y, tc))
        delta = gain_out + gain_in
        if delta < -1e-9 and (best is None or delta < best[0]):
            best = (delta, other)
    if best is None:
        return False
    other = best[1]
    source.remove(block)
    target.add(block)
    target.remove(other)
    source.add(other)
    owner[id(other)] = owner[id(block)]  # still the source's index here
    return True


# ---------------------------------------------------------------- members


def seat(
    groups: Sequence[Group],
    members: Sequence[Member],
    home_of: Mapping[int, tuple[float, float]],
) -> list[int | None]:
    """Who serves each group: first the member living in it (the one with most room),
    then, nearest first, members with room left under their own maximum."""
    seats: list[int | None] = [None] * len(groups)
    room = {m.id: m.max_households for m in members}
    group_of_home = {h: g for g, group in enumerate(groups) for b in group.blocks for h in b.homes}
    living: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        if member.household_id is not None and member.household_id in group_of_home:
            living[group_of_home[member.household_id]].append(member)
    for g, residents in sorted(living.items()):
        for member in sorted(residents, key=lambda m: (-m.max_households, m.id)):
            if room[member.id] >= groups[g].size:
                seats[g] = member.id
                room[member.id] -= groups[g].size
                break
    where = {
        m.id: home_of[m.household_id]
        for m in members
        if m.household_id is not None and m.household_id in home_of
    }
    open_groups = [g for g in range(len(groups)) if seats[g] is None]
    pairs = sorted(
        (
            d2(*where.get(m.id, groups[g].centre()), groups[g].centre()),
            g,
            m.id,
        )
        for g in open_groups
        for m in members
    )
    for _, g, member_id in pairs:
        if seats[g] is None and room[member_id] >= groups[g].size:
            seats[g] = member_id
            room[member_id] -= groups[g].size
    return seats


def pin(groups: Sequence[Group], seats: Sequence[int | None], members: Sequence[Member]) -> None:
    """A member's own block stays in the group the member serves and lives in."""
    homes = {m.id: m.household_id for m in members}
    for g, member_id in enumerate(seats):
        if member_id is None:
            continue
        household = homes.get(member_id)
        for block in groups[g].blocks:
            if household in block.homes:
                block.pinned = True
