"""Pieces of a building larger than a group are elastic: households of one building may
pass between the groups that already hold a piece of it without splitting anything
more (the building stays in ``ceil(size / high)`` groups) and without moving anyone
away from their building. Groups linked by such pieces form a chain along which a
group over the band hands a household on, one building at a time, to a group with
room (a shortest path, like an augmenting path of a flow); a group under the band
draws one the same way. Whole blocks are never cut here.

``equalize`` brings every group whose chain can absorb it into the band; ``tidy`` then
gives each piece a run of consecutive households of its building (by floor and door),
so a group's piece of a tower is whole floors, not a scatter."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Mapping, Sequence

from gridgov.outreach.partition.geometry import Block, Group, d2, nearest, trade
from gridgov.outreach.partition.model import NEAREST_GROUPS, Band

Step = tuple[int, int, str]  # a household of building ``str`` passes from group to group


class _Chains:
    """Which groups hold a piece of which building larger than a group, and which
    nearby groups a building may still reach (while it is in fewer groups than
    ``ceil(size / high)``, a new piece may open in one of its nearest groups)."""

    def __init__(self, groups: list[Group], band: Band) -> None:
        self.groups = groups
        self.holders: dict[str, list[int]] = defaultdict(list)
        self.linked: dict[int, list[str]] = defaultdict(list)
        self.piece: dict[tuple[int, str], Block] = {}
        total: dict[str, int] = defaultdict(int)
        where: dict[str, tuple[float, float]] = {}
        for g, group in enumerate(groups):
            for block in list(group.blocks):
                if block.parent is None:
                    continue
                total[block.parent] += block.size
                where[block.parent] = (block.x, block.y)
                kept = self.piece.get((g, block.parent))
                if kept is not None:  # two pieces of one building in a group: one piece
                    group.remove(block)
                    kept.homes.extend(block.homes)
                    group.add_homes(kept, len(block.homes))
                    continue
                self.holders[block.parent].append(g)
                self.linked[g].append(block.parent)
                self.piece[(g, block.parent)] = block
        self.allowed = {parent: -(-size // band.high) for parent, size in total.items()}
        self.reach: dict[str, list[int]] = {}
        self.reached: dict[int, list[str]] = defaultdict(list)
        for parent, (x, y) in where.items():
            if len(self.holders[parent]) < self.allowed[parent]:
                self.reach[parent] = nearest(groups, x, y, NEAREST_GROUPS)
                for g in self.reach[parent]:
                    self.reached[g].append(parent)

    def can_give(self, g: int, parent: str) -> bool:
        block = self.piece.get((g, parent))
        return block is not None and block.size > 1 and not block.pinned

    def _others(self, parent: str) -> list[int]:
        held = self.holders[parent]
        if len(held) < self.allowed[parent]:
            return held + [g for g in self.reach.get(parent, ()) if g not in held]
        return held

    def path(self, start: int, wanted: Callable[[int], bool], *, giving: bool) -> list[Step] | None:
        """The shortest chain from ``start`` to a group ``wanted`` accepts: households
        flow out of ``start`` when ``giving``, into it otherwise. A chain opens at most
        one new piece (the first step that reaches a group not yet holding one)."""
        back: dict[int, Step | None] = {start: None}
        queue = deque([start])
        while queue:
            a = queue.popleft()
            parents = self.linked[a] if giving else [*self.linked[a], *self.reached[a]]
            for parent in parents:
                if giving and not self.can_give(a, parent):
                    continue
                for b in self._others(parent):
                    if b in back or (not giving and not self.can_give(b, parent)):
                        continue
                    back[b] = (a, b, parent) if giving else (b, a, parent)
                    if wanted(b):
                        steps = self._walk(back, b, giving)
                        if sum(1 for s, t, p in steps if (t, p) not in self.piece) <= 1:
                            return steps
                        continue
                    queue.append(b)
        return None

    @staticmethod
    def _walk(back: Mapping[int, Step | None], end: int, giving: bool) -> list[Step]:
        steps: list[Step] = []
        node = end
        while (step := back[node]) is not None:
            steps.append(step)
            node = step[0] if giving else step[1]
        return steps

    def shift(self, steps: Sequence[Step]) -> None:
        for source, target, parent in steps:
            giver = self.piece[(source, parent)]
            taker = self.piece.get((target, parent))
            if taker is None:  # a new piece of the building opens in the target group
                taker = Block(f"{parent}@{target}", [], giver.x, giver.y, parent=parent)
                self.groups[target].blocks.append(taker)
                self.piece[(target, parent)] = taker
                self.holders[parent].append(target)
                self.linked[target].append(parent)
            taker.homes.append(giver.homes.pop())
            self.groups[source].add_homes(giver, -1)
            self.groups[target].add_homes(taker, 1)
            if not giver.homes:
                self.groups[source].blocks.remove(giver)
                del self.piece[(source, parent)]
                self.holders[parent].remove(source)
                self.linked[source].remove(parent)


def equalize(groups: list[Group], band: Band, only: Sequence[int] | None = None) -> int:
    """Pass households between pieces of the same building until every group (or every
    group in ``only``) is in the band or no chain can take the excess. Returns how many
    times a household changed group."""
    chains = _Chains(groups, band)
    if not chains.piece:
        return 0
    moved = 0
    for g in range(len(groups)) if only is None else only:
        if g not in chains.linked:
            continue
        while groups[g].size > band.high:
            steps = chains.path(g, lambda c: groups[c].size < band.high, giving=True)
            if steps is None:
                break
            chains.shift(steps)
            moved += len(steps)
        while groups[g].size < band.low:
            steps = chains.path(g, lambda c: groups[c].size > band.low, giving=False)
            if steps is None:
                break
            chains.shift(steps)
            moved += len(steps)
    return moved


def gather(groups: Sequence[Group], placed: Sequence[tuple[int, Block]], band: Band) -> None:
    """A building larger than a group that is in more groups than its size needs
    (``ceil(size / high)``; it shrank on an update) goes back into the groups of its
    largest pieces: the other pieces' households join them, where there is room first,
    the rest to the smallest (which may then be over the band, for the repair to shed).
    Only the households of the pieces given up change group."""
    size = sum(piece.size for _, piece in placed)
    by_group: dict[int, list[Block]] = defaultdict(list)
    for g, piece in placed:
        by_group[g].append(piece)
    ranked = sorted(
        by_group,
        key=lambda g: (
            not any(p.pinned for p in by_group[g]),  # a member's piece stays where it is
            -sum(p.size for p in by_group[g]),
            g,
        ),
    )
    kept, dropped = ranked[: -(-size // band.high)], ranked[-(-size // band.high) :]
    keeper = {g: by_group[g][0] for g in kept}
    homes: list[int] = []
    for g in dropped:
        for piece in by_group[g]:
            if piece.pinned:  # a member's household stays: keep this group instead
                continue
            groups[g].remove(piece)
            homes.extend(piece.homes)
    while homes:
        g = max(kept, key=lambda g: (band.high - groups[g].size, -g))
        count = max(1, min(len(homes), band.high - groups[g].size))
        piece = keeper[g]
        piece.homes.extend(homes[:count])
        groups[g].add_homes(piece, count)
        del homes[:count]


def tidy(groups: Sequence[Group], order: Mapping[int, int]) -> None:
    """Give each piece of a building a run of its consecutive households (``order``:
    household id → place in its building), pieces in the order of their first floor."""
    held: dict[str, list[Block]] = defaultdict(list)
    for group in groups:
        for block in group.blocks:
            if block.parent is not None and not block.pinned:
                held[block.parent].append(block)
    for blocks in held.values():
        homes = sorted((h for b in blocks for h in b.homes), key=lambda h: order[h])
        blocks.sort(key=lambda b: min(order[h] for h in b.homes))
        start = 0
        for block in blocks:
            block.homes[:] = homes[start : start + block.size]
            start += len(block.homes)


def _excess(total: int, count: int, band: Band) -> int:
    """How far ``count`` linked groups holding ``total`` households are from the band."""
    return max(0, total - count * band.high, count * band.low - total)


def _chains(groups: Sequence[Group], members: Sequence[int]) -> dict[int, int]:
    """The chain (component) of each of ``members``, named by one of its groups: groups
    holding pieces of one building, linked through ``members`` only."""
    root = {g: g for g in members}

    def find(g: int) -> int:
        while root[g] != g:
            root[g] = root[root[g]]
            g = root[g]
        return g

    first: dict[str, int] = {}
    for g in members:
        for block in groups[g].blocks:
            if block.parent is not None:
                root[find(g)] = find(first.setdefault(block.parent, g))
    return {g: find(g) for g in members}


def _chained(groups: Sequence[Group]) -> list[int]:
    """The chain (component) of each group: groups holding pieces of one building."""
    return list(_chains(groups, range(len(groups))).values())


def _chain_sizes(
    groups: Sequence[Group], chain: Mapping[int, int] | Sequence[int], members: Iterable[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Households and groups in each chain of ``members``."""
    total: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for g in members:
        total[chain[g]] += groups[g].size
        count[chain[g]] += 1
    return total, count


TRADE_NEIGHBOURS = 24  # groups, nearest first, a chain may trade blocks with
Trade = tuple[int, int, Block, Block | None]  # from group, to group, block, block back


def settle(groups: list[Group], band: Band, rounds: int = 2000) -> None:
    """Bring chains out of the band back into it by trading whole blocks (never a
    piece of a building larger than a group) with neighbouring chains: a block moves,
    or two blocks of different sizes swap, when the chains' total distance from the
    band shrinks; the nearest such trade first. Each trade is spread along both chains
    by ``equalize``."""
    equalize(groups, band)
    pushed: set[int] = set()
    limit = max(diameter2(group.blocks) for group in groups)  # no group grows wider
    near: dict[int, list[int]] = {}  # a group's nearest groups, as the chains first stood
    for _ in range(rounds):
        chain = _chained(groups)
        total, count = _chain_sizes(groups, chain, range(len(groups)))
        bad = [c for c in total if _excess(total[c], count[c], band)]
        if not bad:
            return
        best = _best_trade(groups, band, chain, total, count, set(bad), pushed, near, limit)
        if best is None:
            return
        pushed.add(id(best[2]))
        source, target, block, back = best
        trade(groups, source, target, block, back)
        equalize(
            groups,
            band,
            only=[g for g in range(len(groups)) if chain[g] in {chain[source], chain[target]}],
        )


def _best_trade(
    groups: list[Group],
    band: Band,
    chain: Sequence[int],
    total: Mapping[int, int],
    count: Mapping[int, int],
    bad: set[int],
    pushed: set[int],
    near: dict[int, list[int]],
    limit: float,
) -> Trade | None:
    """The trade that most shrinks the chains' distance from the band, nearest first;
    failing that, a push: a trade that hands the excess (or the shortfall) on unchanged
    to a neighbouring chain nearer a chain that can absorb it (an ejection chain; a
    block is pushed once)."""
    best: tuple[int, float, Trade] | None = None
    push: tuple[float, float, Trade] | None = None
    centre: dict[int, tuple[float, float, int]] = {}
    for g, group in enumerate(groups):
        x, y = group.centre()
        cx, cy, n = centre.get(chain[g], (0.0, 0.0, 0))
        centre[chain[g]] = (cx + x, cy + y, n + 1)
    reach: dict[tuple[int, bool], float] = {}
    by_chain: dict[int, list[int]] = defaultdict(list)
    for g, c in enumerate(chain):
        by_chain[c].append(g)

    def distance(c: int, over: bool) -> float:
        """From chain ``c`` to the nearest chain with room (``over``) or to spare."""
        if (c, over) not in reach:
            x, y, n = centre[c]
            reach[(c, over)] = min(
                (
                    (x / n - ox / on) ** 2 + (y / n - oy / on) ** 2
                    for o, (ox, oy, on) in centre.items()
                    if o != c
                    and (
                        total[o] < count[o] * band.high if over else total[o] > count[o] * band.low
                    )
                ),
                default=math.inf,
            )
        return reach[(c, over)]

    for h, group in enumerate(groups):
        if chain[h] not in bad:
            continue
        if h not in near:
            near[h] = nearest(groups, *group.centre(), TRADE_NEIGHBOURS)
        for c in near[h]:
            a, b = chain[h], chain[c]
            if a == b:
                continue
            before = _excess(total[a], count[a], band) + _excess(total[b], count[b], band)
            for source, target in ((h, c), (c, h)):
                s_chain, t_chain = chain[source], chain[target]
                there = groups[target].centre()
                here = groups[source].centre()
                for block in list(groups[source].blocks):
                    if block.pinned or not _fits(block, groups[target].blocks, limit):
                        continue
                    cost = d2(block.x, block.y, there) - d2(block.x, block.y, here)
                    if block.parent is not None:  # a piece relinks chains: try it
                        if best is not None and best[0] < 0 and id(block) in pushed:
                            continue
                        linked = by_chain[a] + by_chain[b]
                        groups[source].remove(block)
                        groups[target].add(block)
                        gain = before - _local_excess(groups, linked, band)
                        groups[target].remove(block)
                        groups[source].add(block)
                        if gain > 0 and (best is None or (-gain, cost) < best[:2]):
                            best = (-gain, cost, (source, target, block, None))
                        continue
                    for back in [None, *groups[target].blocks]:
                        if back is not None and (
                            back.parent is not None or back.pinned or back.size == block.size
                        ):
                            continue
                        if back is not None and not _fits(back, groups[source].blocks, limit):
                            continue
                        delta = block.size - (back.size if back is not None else 0)
                        if delta <= 0 or delta > groups[source].size:
                            continue
                        after = _excess(total[s_chain] - delta, count[s_chain], band) + _excess(
                            total[t_chain] + delta, count[t_chain], band
                        )
                        gain = before - after
                        if gain < 0 or (gain == 0 and (best is not None or id(block) in pushed)):
                            continue
                        extra = (
                            d2(back.x, back.y, here) - d2(back.x, back.y, there)
                            if back is not None
                            else 0.0
                        )
                        if gain == 0:
                            over = s_chain == a and total[a] > count[a] * band.high
                            if not over and not (t_chain == a and total[a] < count[a] * band.low):
                                continue
                            onward = t_chain if over else s_chain
                            ahead = distance(onward, over)
                            if ahead >= distance(a, over):
                                continue
                            if push is None or (ahead, cost + extra) < push[:2]:
                                push = (ahead, cost + extra, (source, target, block, back))
                            continue
                        key = (-gain, cost + extra)
                        if best is None or key < best[:2]:
                            best = (-gain, cost + extra, (source, target, block, back))
    if best is not None:
        return best[2]
    return push[2] if push is not None else None


def diameter2(blocks: Sequence[Block]) -> float:
    return max(
        ((a.x - b.x) ** 2 + (a.y - b.y) ** 2 for i, a in enumerate(blocks) for b in blocks[i:]),
        default=0.0,
    )


def _fits(block: Block, others: Sequence[Block], limit: float) -> bool:
    """``block`` joins ``others`` without a distance inside the group above the limit."""
    return all((block.x - o.x) ** 2 + (block.y - o.y) ** 2 <= limit for o in others)


def _local_excess(groups: Sequence[Group], members: Sequence[int], band: Band) -> int:
    """How far the chains among ``members`` (and only them) are from the band."""
    total, count = _chain_sizes(groups, _chains(groups, members), members)
    return sum(_excess(total[c], count[c], band) for c in total)
