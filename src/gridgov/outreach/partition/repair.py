"""Step 3: groups that whole blocks left outside the band give or take boundary
blocks from their neighbours."""

from __future__ import annotations

from gridgov.outreach.partition.geometry import Block, Group, d2, nearest, trade
from gridgov.outreach.partition.model import NEAREST_GROUPS, Band


def rebalance(groups: list[Group], band: Band, rounds: int = 200, patience: int = 25) -> None:
    """Bring groups back into the band by moving the fewest, nearest boundary blocks;
    when no neighbour has room, push a block on to the neighbour nearest a group that
    has (an ejection chain), never moving the same block twice."""
    pushed: set[int] = set()
    best, stale = len(groups) + 1, 0
    for _ in range(rounds):
        over = [g for g, group in enumerate(groups) if group.size > band.high]
        under = [g for g, group in enumerate(groups) if group.size < band.low]
        if not over and not under:
            return
        if len(over) + len(under) < best:
            best, stale = len(over) + len(under), 0
        else:
            stale += 1
            if stale > patience:  # no headway: what is left shows in the quality
                return
        moved = False
        for g in over:
            moved |= _shed(groups, g, band)
        for g in under:
            moved |= _draw(groups, g, band)
        if not moved and not _push(groups, over, band, pushed):
            return


def _push(groups: list[Group], over: list[int], band: Band, pushed: set[int]) -> bool:
    roomy = [c for c, group in enumerate(groups) if group.size < band.high]
    if not roomy:
        return False
    for g in over:
        source = groups[g]
        sink = min(roomy, key=lambda c: d2(*groups[c].centre(), source.centre()))
        goal = groups[sink].centre()
        best: tuple[float, Block, int] | None = None
        for block in source.blocks:
            if block.pinned or id(block) in pushed:
                continue
            for c in nearest(groups, block.x, block.y, NEAREST_GROUPS + 1):
                if c == g:
                    continue
                ahead = d2(*groups[c].centre(), goal) - d2(*source.centre(), goal)
                if ahead >= 0:
                    continue  # not on the way to the group with room
                cost = d2(block.x, block.y, groups[c].centre()) + ahead
                if best is None or cost < best[0]:
                    best = (cost, block, c)
        if best is not None:
            pushed.add(id(best[1]))
            source.remove(best[1])
            groups[best[2]].add(best[1])
            return True
    return False


Move = tuple[float, Block, int, Block | None]  # cost, the block, the other group, a swap's


def _better(
    best: Move | None,
    cost: float,
    block: Block,
    c: int,
    giver: Group,
    taker: Group,
    band: Band,
    *,
    least: int,
) -> Move | None:
    """``best``, or this move when it is cheaper: ``block`` (at ``cost``) goes from
    ``giver`` to ``taker`` (one of them is group ``c``), the giver keeping ``least``
    households; when the taker has no room, it gives back a smaller block of its own if
    both stay within the band (the cost grows by the distance that block travels)."""
    if taker.size + block.size <= band.high and giver.size - block.size >= least:
        return (cost, block, c, None) if best is None or cost < best[0] else best
    for back in taker.blocks:
        if back.pinned or back.size >= block.size:
            continue
        if taker.size - back.size + block.size > band.high:
            continue
        if giver.size - block.size + back.size < band.low:
            continue
        swap = cost + d2(back.x, back.y, giver.centre())
        if best is None or swap < best[0]:
            best = (swap, block, c, back)
    return best


def _shed(groups: list[Group], g: int, band: Band) -> bool:
    """Give a block to a nearby group with room, or swap it for a smaller one."""
    source = groups[g]
    best: Move | None = None
    for block in source.blocks:
        if block.pinned:
            continue
        for c in nearest(groups, block.x, block.y, NEAREST_GROUPS + 1):
            if c == g:
                continue
            other = groups[c]
            cost = d2(block.x, block.y, other.centre()) - d2(block.x, block.y, source.centre())
            best = _better(best, cost, block, c, source, other, band, least=1)
    return _apply(groups, g, best)


def _draw(groups: list[Group], g: int, band: Band) -> bool:
    """Take a block a nearby group can spare, or swap one of ours for a larger one."""
    target = groups[g]
    here = target.centre() if target.w else None
    best: Move | None = None
    near = (
        nearest(groups, here[0], here[1], 2 * NEAREST_GROUPS + 1)
        if here is not None
        else range(len(groups))
    )
    for c in near:
        other = groups[c]
        if c == g:
            continue
        centre = here if here is not None else other.centre()
        for block in other.blocks:
            if block.pinned:
                continue
            cost = d2(block.x, block.y, centre) - d2(block.x, block.y, other.centre())
            best = _better(best, cost, block, c, other, target, band, least=band.low)
    if best is None:
        return False
    _, taken, c, given = best
    trade(groups, c, g, taken, given)
    return True


def _apply(groups: list[Group], g: int, best: Move | None) -> bool:
    if best is None:
        return False
    _, block, c, back = best
    trade(groups, g, c, block, back)
    return True
