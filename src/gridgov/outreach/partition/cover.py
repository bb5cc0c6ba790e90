"""Step 3a: an exact cover of the whole place, for places where the greedy steps leave
groups outside the band.

Why the greedy steps fail, and how far anything can get: each tall building of ``s``
households is in exactly ``m = ceil(s / high)`` groups (no fewer can hold it, no more
is allowed), so the place has a fixed number of *items*, ``I``: one per block of at most
``high`` households and ``m`` pieces per tall building. A group of one item is a block
of ``low``–``high`` households alone, or a tall building's piece alone; at most ``A``
groups can be such (a tall building with ``s < low·m`` cannot fill all its ``m`` groups
alone, so it gives at most ``m - 1``). Every other group in the band holds two items or
more. With ``G`` groups, ``O`` of them outside the band, none empty:
``I ≥ A + O + 2·(G - A - O)``, so **at least ``2·G - I - A`` groups are outside the
band, whatever the method** (``fewest_outside``). (A building squeezed into fewer groups
puts one over the band and lowers ``A`` at least as much as ``I``, so the floor holds;
with empty groups allowed it halves, still above 0.) On the benchmark's community that
is 10, 4 and 16 of 960 for seeds 1, 2 and 3: groups of 10–11 for all are impossible
there without splitting a building.

The cover sees the place as items:

- a block of at most ``high`` households is one item of its own size;
- a tall building fills ``m - 1`` groups alone and gives one *remainder* item whose
  size may be anything in ``[s - high·(m-1), s - low·(m-1)]`` (capped at ``high``): the
  full pieces take the rest, each in the band. It is then in exactly ``m`` groups, so
  nothing is split.

A *bin* is a set of up to ``ITEMS`` items of different buildings near one another whose
sizes can add up to the band (the sum of their smallest sizes at most ``high``, of
their largest at least ``low``); every item alone is a bin too, short of the band or
not. Bins are listed around each building among its ``NEAR`` nearest buildings; a bin
of two may also pair it with one of its ``SUPPLY`` nearest tall buildings able to give
a small piece (1–3 households: 12–14, 23–25, 34–36 for groups of 10–11), the only
thing that completes a block of 8 or 9. An integer program picks bins so that every
item is in exactly one and there are as many groups as asked for; it minimises the
groups short of the band (``PENALTY`` each, and a hundredth of it a household short),
then the bins' diameters, with a convex term so that one very wide group costs more
than several a little wider. Listing the bins examines at most ``STEPS`` candidates
(a bin's next member is drawn from what is near all its members at once), so that
blocks at one point, each among the others' nearest, cost time in proportion to the
place. Solved with SciPy's HiGHS (``scipy.optimize.milp``); a
node limit keeps it deterministic, the time limit is a backstop. The caller keeps the
answer when no more groups are outside the band than before.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix
from scipy.spatial import cKDTree

from gridgov.outreach.partition.geometry import Block, Group
from gridgov.outreach.partition.model import Band

ITEMS = 4  # items in a bin at the most
NEAR = 12  # nearest buildings a bin may draw on
SUPPLY = 40  # nearest buildings able to give a small piece: a bin of two
SMALL = 3  # households: what counts as a small piece
COLUMNS = 300_000  # bins at the most; a place with more is left to the other steps
# Candidates examined while listing the bins, at the most: a backstop on the time of
# the listing (the benchmark's community examines about 75,000 for 13,000 bins); a
# place that would take more is left to the other steps too.
STEPS = 5_000_000
WIDE = 200.0  # metres: the convex term's scale (a bin of d metres costs d + d²/WIDE)
PENALTY = 1.0e6  # per group short of the band
NODES = 2_000
TIME_LIMIT = 60.0  # seconds, a backstop on a very loaded machine


@dataclass
class _Item:
    """A block, or a tall building's remainder (its other pieces fill groups alone)."""

    key: str
    homes: list[int]  # in register order
    x: float
    y: float
    lo: int  # the sizes the item may take
    hi: int
    groups: int  # ceil(size / high): 1 for a block that fits a group


def fewest_outside(sizes: Sequence[int], band: Band) -> int:
    """The fewest groups outside the band any partition of blocks of these ``sizes``
    into ``band.groups`` groups can have, no block split (see the module's text)."""
    items = alone = 0
    for s in sizes:
        m = -(-s // band.high)
        items += m
        alone += m if s >= band.low * m else m - 1
    return max(0, 2 * band.groups - items - alone)


def cover(blocks: Sequence[Block], band: Band) -> list[Group] | None:
    """Groups for the whole place, or None when the bins cannot be listed or solved."""
    items = _items(blocks, band)
    wanted = band.groups - sum(item.groups - 1 for item in items)
    if not 1 <= wanted <= len(items):
        return None
    bins = _bins(items, band)
    if bins is None:
        return None
    chosen = _solve(items, bins, wanted, band)
    if chosen is None:
        return None
    return _groups(items, chosen, band)


def _items(blocks: Sequence[Block], band: Band) -> list[_Item]:
    items = []
    for b in sorted(blocks, key=lambda b: b.key):
        m = -(-b.size // band.high)
        lo = max(1, b.size - band.high * (m - 1))
        hi = min(band.high, b.size - band.low * (m - 1))
        items.append(_Item(b.key, list(b.homes), b.x, b.y, lo, hi, m))
    return items


def _nearest(items: Sequence[_Item], among: Sequence[int], count: int) -> list[set[int]]:
    """For each item, the ``count`` items of ``among`` nearest to it (itself left out):
    the sets that sorting ``among`` by squared distance gives, ties in ``among``'s order.
    A k-d tree finds each item's radius and the candidates inside it, so the work is not
    a scan of the whole place per item (19 s for 10,000 items)."""
    if not among:
        return [set() for _ in items]
    tree = cKDTree(np.array([(items[j].x, items[j].y) for j in among], dtype=float))
    want = min(count + 1, len(among))
    radii, _ = tree.query(np.array([(i.x, i.y) for i in items], dtype=float), k=want)
    radii = np.asarray(radii, dtype=float).reshape(len(items), want)[:, -1]
    found: list[set[int]] = []
    for k, item in enumerate(items):
        x, y = item.x, item.y
        # Everything as near as the ``want``-th, ties included, in ``among``'s order.
        inside = sorted(tree.query_ball_point((x, y), float(radii[k]) * (1 + 1e-9) + 1e-9))
        chosen = heapq.nsmallest(
            want,
            (among[i] for i in inside),
            key=lambda j: (items[j].x - x) ** 2 + (items[j].y - y) ** 2,
        )
        found.append(set(chosen) - {k})
    return found


def _bins(items: list[_Item], band: Band) -> list[tuple[int, ...]] | None:
    """Every set of up to ``ITEMS`` near items that can make a group, and every item
    alone; None when there would be more than ``COLUMNS``, or listing them would
    examine more than ``STEPS`` candidates."""
    n = len(items)
    everyone = range(n)
    supply = [k for k, item in enumerate(items) if item.groups > 1 and item.lo <= SMALL]
    near = _nearest(items, everyone, NEAR)
    pair = _nearest(items, supply, SUPPLY)
    for links in (near, pair):
        for k in everyone:
            for j in list(links[k]):
                links[j].add(k)
    found: list[tuple[int, ...]] = []
    steps = 0

    def grow(members: tuple[int, ...], lo: int, hi: int) -> bool:
        nonlocal steps
        if hi >= band.low or len(members) == 1:
            found.append(members)
            if len(found) > COLUMNS:
                return False
        if len(members) == ITEMS:
            return True
        first = members[0]
        if len(members) == 1:
            partners = near[first] | pair[first]
        else:  # near every member (the first too: not just paired), smallest set first
            partners = set.intersection(*sorted((near[m] for m in members), key=len))
        steps += len(partners)
        if steps > STEPS:
            return False
        for j in sorted(partners):
            if j <= members[-1] or lo + items[j].lo > band.high:
                continue
            if not grow((*members, j), lo + items[j].lo, hi + items[j].hi):
                return False
        return True

    for k in everyone:
        if not grow((k,), items[k].lo, items[k].hi):
            return None
    return found


def _diameter(items: list[_Item], members: tuple[int, ...]) -> float:
    widest = 0.0
    for a, i in enumerate(members):
        for j in members[a + 1 :]:
            widest = max(widest, math.hypot(items[i].x - items[j].x, items[i].y - items[j].y))
    return widest


def _solve(
    items: list[_Item], bins: list[tuple[int, ...]], wanted: int, band: Band
) -> list[tuple[int, ...]] | None:
    """The bins chosen: every item in exactly one, ``wanted`` of them."""
    rows: list[int] = []
    cols: list[int] = []
    cost: list[float] = []
    for c, members in enumerate(bins):
        d = _diameter(items, members)
        short = max(0, band.low - sum(items[i].hi for i in members))
        cost.append(
            PENALTY * (short > 0) + PENALTY / 100 * short + d + d * d / WIDE + 1e-3 * len(members)
        )
        for i in [*members, len(items)]:  # the last row counts the bins
            rows.append(i)
            cols.append(c)
    n = len(bins)
    matrix = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(items) + 1, n))
    target = np.ones(len(items) + 1)
    target[-1] = wanted
    result = milp(
        c=np.array(cost),
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), np.ones(n)),
        constraints=LinearConstraint(matrix.tocsr(), target, target),
        options={"node_limit": NODES, "time_limit": TIME_LIMIT, "mip_rel_gap": 1e-4},
    )
    if result.x is None:
        return None
    return [bins[c] for c in range(n) if result.x[c] > 0.5]


def _groups(items: list[_Item], bins: list[tuple[int, ...]], band: Band) -> list[Group]:
    """The groups: each tall building's full pieces, then one group a bin."""
    size = [item.lo for item in items]
    for members in bins:
        total = sum(size[i] for i in members)
        for i in members:  # grow remainders until the bin reaches the band
            grow = min(items[i].hi - size[i], band.low - total)
            if grow > 0:
                size[i] += grow
                total += grow
    groups: list[Group] = []
    remainder: list[Block] = []
    for i, item in enumerate(items):
        if item.groups == 1:
            remainder.append(Block(item.key, list(item.homes), item.x, item.y))
            continue
        parts = item.groups - 1
        rest = len(item.homes) - size[i]
        start = 0
        for n in range(parts):
            count = rest // parts + (1 if n < rest % parts else 0)
            piece = item.homes[start : start + count]
            start += count
            group = Group()
            group.add(Block(f"{item.key}#{n}", piece, item.x, item.y, parent=item.key))
            groups.append(group)
        remainder.append(
            Block(f"{item.key}#{parts}", item.homes[start:], item.x, item.y, parent=item.key)
        )
    for members in bins:
        group = Group()
        for i in members:
            group.add(remainder[i])
        groups.append(group)
    return groups
