"""Step 3c: augmenting paths for the groups still outside the band.

A group one or two households short (or over) can seldom be mended on its own: the
blocks near it are whole buildings of four or more households, and the tall
buildings near it are already in as many groups as their size allows. What mends it
is a *path* of transfers, as in a flow network: the short group takes a little from a
neighbour, that neighbour takes from the next, and so on, until a group that can spare
it (or, for a group over the band, until one with room). Each link of a path is one of

- **move**: a whole block (or a whole piece of a tall building) goes to the neighbour,
- **swap**: two blocks of different sizes change groups (the difference moves),
- **shift**: households of a tall building pass between two of its pieces,
- **open**: a tall building in fewer groups than its size allows opens a piece in a
  neighbouring group and passes households to it.

Every group on a path ends in the band except the first, which ends nearer it; no
building is split (a shift or an open keeps a tall building within ``ceil(size /
high)`` groups); no block joins a group holding a block further away than ``limit``;
a member's own block stays where it is. The shortest path is taken (breadth first,
nearest neighbours first), so the fewest households move.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from gridgov.outreach.partition.geometry import Block, Group, d2, nearest
from gridgov.outreach.partition.model import Band

NEIGHBOURS = 30
DEPTH = 12  # links in a path at the most
EXPANSIONS = 20_000  # states one search may open
REACH = (0.25, 0.5, 1.0)  # shares of the limit tried in turn


@dataclass(frozen=True)
class Link:
    """``amount`` households pass from group ``giver`` to group ``taker``: ``block``
    moves whole (``back`` returns in exchange, for a swap), or, for a shift or an
    open (``block`` a piece of a tall building, ``back`` None, ``part`` True), only
    ``amount`` of its households pass."""

    giver: int
    taker: int
    amount: int
    block: Block
    back: Block | None = None
    part: bool = False


@dataclass(frozen=True)
class _State:
    group: int
    lo: int  # the group's size must change by an amount in [lo, hi] (< 0: give)
    hi: int
    link: Link | None
    parent: _State | None
    depth: int

    def path(self) -> list[Link]:
        links: list[Link] = []
        state: _State | None = self
        while state is not None and state.link is not None:
            links.append(state.link)
            state = state.parent
        return links[::-1]

    def on_path(self) -> tuple[set[int], set[str], set[str]]:
        """Groups the path passes through, and the tall buildings its links touch: by
        passing households between pieces (``shifted``) or by moving a piece whole."""
        groups: set[int] = set()
        shifted: set[str] = set()
        moved: set[str] = set()
        state: _State | None = self
        while state is not None:
            groups.add(state.group)
            link = state.link
            if link is not None:
                for block in (link.block, link.back):
                    if block is not None and block.parent is not None:
                        (shifted if link.part else moved).add(block.parent)
            state = state.parent
        return groups, shifted, moved


def augment(groups: list[Group], band: Band, limit: float) -> int:
    """Mend groups outside the band by augmenting paths; the number of groups mended."""
    mended = 0
    found: dict[int, list[int]] = {}

    def near(g: int) -> list[int]:
        """The groups nearest ``g`` (as it first stood), looked up once, when needed."""
        if g not in found:
            reach = nearest(groups, *groups[g].centre(), NEIGHBOURS + DEPTH + 1)
            found[g] = [o for o in reach if o != g]
        return found[g]

    for share in REACH:  # near paths first: a wider one only where no near one exists
        for g in range(len(groups)):
            if band.low <= groups[g].size <= band.high:
                continue
            path = _search(groups, band, limit * share * share, g, near)
            if path is not None:
                _apply(groups, path)
                mended += 1
    return mended


def _search(
    groups: list[Group], band: Band, limit: float, start: int, near: Callable[[int], list[int]]
) -> list[Link] | None:
    """The cheapest path mending group ``start``: cheapest first, where a link costs the
    widest distance it opens inside a group (nothing for a shift within a building)."""
    size = groups[start].size
    allowed = _allowed(groups, band)
    held = _held(groups)
    root = _State(start, band.low - size, band.high - size, None, None, 0)
    queue: list[tuple[float, int, _State]] = [(0.0, 0, root)]
    best: dict[tuple[int, int, int], float] = {(start, root.lo, root.hi): 0.0}
    pushed = opened = 0
    while queue:
        cost, _, state = heapq.heappop(queue)
        if state.link is not None and state.lo <= 0 <= state.hi:
            return state.path()
        opened += 1
        if opened > EXPANSIONS:
            return None
        if state.depth >= DEPTH:
            continue
        on_path, shifted, moved = state.on_path()
        here = _blocks_now(groups, state)
        others = [o for o in near(state.group) if o not in on_path][:NEIGHBOURS]
        for other in others:
            for link in _links(groups, state, here, other, band, limit, allowed, held):
                # A piece whose size the path changed is not touched again; one the
                # path moved whole may move again, but not shift (it is elsewhere).
                parents = {b.parent for b in (link.block, link.back) if b is not None}
                if parents & shifted or (link.part and parents & moved):
                    continue
                amount = link.amount if state.lo > 0 else -link.amount
                after = groups[other].size - amount
                nxt = _State(
                    other, band.low - after, band.high - after, link, state, state.depth + 1
                )
                total = cost + _cost(groups, state, here, link)
                key = (other, nxt.lo, nxt.hi)
                if total < best.get(key, math.inf):
                    best[key] = total
                    pushed += 1
                    heapq.heappush(queue, (total, pushed, nxt))
    return None


def _cost(groups: Sequence[Group], state: _State, here: list[Block], link: Link) -> float:
    """The widest distance ``link`` opens inside either of its groups (metres)."""
    if link.part:
        return 0.0
    taker = here if link.taker == state.group else groups[link.taker].blocks
    giver = here if link.giver == state.group else groups[link.giver].blocks
    widest = max((d2(link.block.x, link.block.y, (o.x, o.y)) for o in taker), default=0.0)
    if link.back is not None:
        widest = max(
            widest,
            max(
                (d2(link.back.x, link.back.y, (o.x, o.y)) for o in giver if o is not link.block),
                default=0.0,
            ),
        )
    return math.sqrt(widest) + 1.0


def _blocks_now(groups: Sequence[Group], state: _State) -> list[Block]:
    """The state's group's blocks once the link that reached it is made."""
    blocks = list(groups[state.group].blocks)
    link = state.link
    if link is None or link.part:
        return blocks
    if link.giver == state.group:
        blocks.remove(link.block)
        if link.back is not None:
            blocks.append(link.back)
    else:
        blocks.append(link.block)
        if link.back is not None:
            blocks.remove(link.back)
    return blocks


def _links(
    groups: Sequence[Group],
    state: _State,
    here: list[Block],
    other: int,
    band: Band,
    limit: float,
    allowed: dict[str, int],
    held: dict[str, dict[int, Block]],
) -> Iterator[Link]:
    """Links between the state's group and ``other`` that change the state's group by
    an amount in its range: ``other`` gives when the group must grow, takes when it
    must shrink."""
    taking = state.lo > 0
    want = range(state.lo, state.hi + 1) if taking else range(-state.hi, -state.lo + 1)
    if taking:
        giver, giver_blocks, taker, taker_blocks = other, groups[other].blocks, state.group, here
    else:
        giver, giver_blocks, taker, taker_blocks = state.group, here, other, groups[other].blocks
    for block in giver_blocks:
        if block.pinned:
            continue
        fits = _fits(block, taker_blocks, limit)
        if fits and block.size in want:
            yield Link(giver, taker, block.size, block)
        if fits:
            for back in taker_blocks:
                if back.pinned or back.size >= block.size or block.size - back.size not in want:
                    continue
                rest = [b for b in giver_blocks if b is not block]
                if _fits(back, rest, limit):
                    yield Link(giver, taker, block.size - back.size, block, back)
        if block.parent is None or block.size < 2:
            continue
        pieces = held[block.parent]
        if taker in pieces or (len(pieces) < allowed[block.parent] and fits):
            for amount in want:
                if 0 < amount < block.size:
                    yield Link(giver, taker, amount, block, part=True)


def _fits(block: Block, others: Sequence[Block], limit: float) -> bool:
    return all((block.x - o.x) ** 2 + (block.y - o.y) ** 2 <= limit for o in others)


def _held(groups: Sequence[Group]) -> dict[str, dict[int, Block]]:
    """Each tall building's pieces, by group."""
    held: dict[str, dict[int, Block]] = defaultdict(dict)
    for g, group in enumerate(groups):
        for block in group.blocks:
            if block.parent is not None:
                held[block.parent][g] = block
    return held


def _allowed(groups: Sequence[Group], band: Band) -> dict[str, int]:
    """How many groups each tall building may be in: ``ceil(size / high)``."""
    size: dict[str, int] = defaultdict(int)
    for group in groups:
        for block in group.blocks:
            if block.parent is not None:
                size[block.parent] += block.size
    return {key: -(-s // band.high) for key, s in size.items()}


def _apply(groups: list[Group], path: Sequence[Link]) -> None:
    held = _held(groups)
    for link in path:
        giver, taker = groups[link.giver], groups[link.taker]
        if not link.part:
            giver.remove(link.block)
            taker.add(link.block)
            if link.back is not None:
                taker.remove(link.back)
                giver.add(link.back)
            continue
        piece = link.block
        parent = piece.parent or piece.key  # a part link always names a tall building
        moving = piece.homes[-link.amount :]
        del piece.homes[-link.amount :]
        giver.add_homes(piece, -link.amount)
        target = held[parent].get(link.taker)
        if target is not None:
            target.homes.extend(moving)
            taker.add_homes(target, link.amount)
        else:
            opened = Block(f"{parent}^{link.taker}", moving, piece.x, piece.y, parent=parent)
            taker.add(opened)
            held[parent][link.taker] = opened
