"""Step 3b: exact packing around the groups still outside the band.

Whole blocks cannot always add up to the band, and a chain of groups sharing tall
buildings may hold too many or too few households for its groups. What the greedy
repair leaves is fixed here by a small integer program around each group still
outside the band: the group and its nearest groups (the *region*), where

- every movable whole block (a building of at most ``high`` households, never a
  member's) goes to one group of the region near it,
- every tall building's households in the region are shared out among the region's
  groups that hold it or are near it, so that it stays in at most ``ceil(size / high)``
  groups overall (its groups outside the region count), and nothing is split,
- no two blocks further apart than the widest group the bisection made share a group,
- sizes stay in the band where arithmetic allows: the program minimises the
  households by which the region's groups miss the band first, then the households'
  distance to their group's centre.

A solution is taken only when it brings the region strictly nearer the band, so the
step never makes anything worse. Solved with SciPy's HiGHS (``scipy.optimize.milp``).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from gridgov.outreach.partition.geometry import Block, Group, d2
from gridgov.outreach.partition.model import Band

REGION = (12, 30)  # groups around a group outside the band: first try, wider try
CANDIDATES = 6  # nearest groups of the region a block or tall building may go to
PENALTY = 1.0e6  # per household outside the band; dominates any distance (metres)
MOVE = 5.0  # metres a household's move costs, so that nothing moves for nothing
NODES = 200  # branch-and-bound nodes one region's program may take (deterministic)
TIME_LIMIT = 10.0  # seconds, a backstop on a very loaded machine


@dataclass
class _Program:
    """The columns and rows of one region's integer program."""

    cost: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integral: list[int] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)
    vals: list[float] = field(default_factory=list)
    lo: list[float] = field(default_factory=list)
    hi: list[float] = field(default_factory=list)

    def column(self, cost: float, upper: float) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integral.append(1)
        return len(self.cost) - 1

    def row(self, terms: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(self.lo)
        for col, val in terms:
            self.rows.append(r)
            self.cols.append(col)
            self.vals.append(val)
        self.lo.append(lo)
        self.hi.append(hi)

    def solve(self) -> np.ndarray | None:
        n = len(self.cost)
        matrix = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lo), n))
        result = milp(
            c=np.array(self.cost),
            integrality=np.array(self.integral),
            bounds=Bounds(np.zeros(n), np.array(self.upper)),
            constraints=LinearConstraint(matrix.tocsr(), np.array(self.lo), np.array(self.hi)),
            options={"node_limit": NODES, "time_limit": TIME_LIMIT, "mip_rel_gap": 1e-3},
        )
        if result.x is None:
            return None
        return np.asarray(result.x)


def _miss(size: int, band: Band) -> int:
    return max(0, band.low - size, size - band.high)


def pack(groups: list[Group], band: Band, limit: float) -> int:
    """Solve a region around each group outside the band (a wider one when the first
    cannot help). ``limit``: the largest squared distance two blocks of one group may
    have. Returns how many regions were changed."""
    changed = 0
    for size in REGION:
        for g in range(len(groups)):
            if _miss(groups[g].size, band) and groups[g].w > 0:
                changed += _solve(groups, _region(groups, g, size), band, limit)
    return changed


def _region(groups: Sequence[Group], g: int, size: int) -> list[int]:
    x, y = groups[g].centre()
    near = heapq.nsmallest(
        size,
        (c for c in range(len(groups)) if groups[c].w > 0),
        key=lambda c: d2(x, y, groups[c].centre()),
    )
    return sorted({g, *near})


def _solve(groups: list[Group], region: list[int], band: Band, limit: float) -> int:
    before = sum(_miss(groups[g].size, band) for g in region)
    if before == 0:
        return 0
    inside = set(region)
    centre = {g: groups[g].centre() for g in region}
    # Every tall building's size and groups, over the whole place.
    total: dict[str, int] = defaultdict(int)
    holders: dict[str, set[int]] = defaultdict(set)
    for g, group in enumerate(groups):
        for block in group.blocks:
            if block.parent is not None:
                total[block.parent] += block.size
                holders[block.parent].add(g)
    fixed = dict.fromkeys(region, 0)
    whole: list[tuple[Block, int]] = []  # movable blocks and their group
    tall: dict[str, list[tuple[Block, int]]] = defaultdict(list)  # movable pieces
    anchored: dict[int, list[Block]] = defaultdict(list)  # pinned blocks stay
    for g in region:
        for block in groups[g].blocks:
            if block.pinned:
                fixed[g] += block.size
                anchored[g].append(block)
            elif block.parent is None:
                whole.append((block, g))
            else:
                tall[block.parent].append((block, g))

    # Groups outside the band may draw from anywhere in the region within the limit.
    missing = {g for g in region if _miss(groups[g].size, band)}

    def candidates(x: float, y: float, own: set[int]) -> list[int]:
        near = heapq.nsmallest(CANDIDATES, region, key=lambda c: d2(x, y, centre[c]))
        return sorted(
            c
            for c in own | set(near) | missing
            if c in own
            or (
                d2(x, y, centre[c]) <= limit
                and all(d2(x, y, (b.x, b.y)) <= limit for b in anchored[c])
            )
        )

    program = _Program()
    size_terms: dict[int, list[tuple[int, float]]] = defaultdict(list)
    present: dict[int, list[tuple[int, float, float]]] = defaultdict(list)  # col, x, y
    choices: list[list[tuple[int, int]]] = []  # per movable block: (column, group)
    for block, home in whole:
        cols = []
        choices.append([])
        for c in candidates(block.x, block.y, {home}):
            cost = block.size * (
                math.sqrt(d2(block.x, block.y, centre[c])) + (MOVE if c != home else 0.0)
            )
            col = program.column(cost, 1)
            cols.append((col, 1.0))
            choices[-1].append((col, c))
            size_terms[c].append((col, float(block.size)))
            present[c].append((col, block.x, block.y))
        program.row(cols, 1, 1)
    moved: list[tuple[str, list[int], list[tuple[int, int]]]] = []
    for parent, pieces in tall.items():
        t = sum(b.size for b, _ in pieces)
        own = {g for _, g in pieces}
        bx, by = pieces[0][0].x, pieces[0][0].y
        outside = len(holders[parent] - inside)
        pinned_here = sum(
            1 for g in region if any(b.parent == parent for b in anchored[g]) and g not in own
        )
        allowed = max(-(-total[parent] // band.high) - outside - pinned_here, len(own))
        ys, zs, placed = [], [], []
        for c in candidates(bx, by, own):
            cost = math.sqrt(d2(bx, by, centre[c])) + (MOVE if c not in own else 0.0)
            y = program.column(cost, t)
            z = program.column(0.01, 1)
            ys.append((y, 1.0))
            zs.append((z, 1.0))
            program.row([(y, 1.0), (z, -float(t))], -math.inf, 0)
            size_terms[c].append((y, 1.0))
            present[c].append((z, bx, by))
            placed.append((c, y))
        program.row(ys, t, t)
        program.row(zs, 0, allowed)
        moved.append((parent, [h for b, _ in pieces for h in b.homes], placed))
    slack: dict[int, tuple[int, int]] = {}
    for g in region:
        over = program.column(PENALTY, math.inf)
        under = program.column(PENALTY, max(0, band.low - 1))
        slack[g] = (over, under)
        terms = size_terms[g]
        program.row([*terms, (over, -1.0)], -math.inf, band.high - fixed[g])
        program.row([*terms, (under, 1.0)], band.low - fixed[g], math.inf)
        # No two blocks further apart than the limit share the group.
        cells = present[g]
        for i, (a, ax, ay) in enumerate(cells):
            for b, bx, by in cells[i + 1 :]:
                if (ax - bx) ** 2 + (ay - by) ** 2 > limit:
                    program.row([(a, 1.0), (b, 1.0)], -math.inf, 1)
    x = program.solve()
    if x is None:
        return 0
    after = sum(round(x[over]) + round(x[under]) for over, under in slack.values())
    if after >= before:
        return 0
    _apply(groups, x, whole, choices, tall, moved)
    return 1


def _apply(
    groups: list[Group],
    x: np.ndarray,
    whole: list[tuple[Block, int]],
    choices: list[list[tuple[int, int]]],
    tall: dict[str, list[tuple[Block, int]]],
    moved: list[tuple[str, list[int], list[tuple[int, int]]]],
) -> None:
    for (block, home), options in zip(whole, choices, strict=True):
        target = max(options, key=lambda option: x[option[0]])[1]
        if target != home:
            groups[home].remove(block)
            groups[target].add(block)
    for parent, homes, placed in moved:
        x0, y0 = tall[parent][0][0].x, tall[parent][0][0].y
        for block, g in tall[parent]:
            groups[g].remove(block)
        start = 0
        for g, y in placed:
            count = round(x[y])
            if count:
                piece = Block(f"{parent}@{g}", homes[start : start + count], x0, y0, parent=parent)
                groups[g].add(piece)
                start += count
