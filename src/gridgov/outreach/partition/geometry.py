"""Where things are: a local metric frame, blocks (the unit never cut), groups with
their weighted centres, and 'which groups are near'."""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from gridgov.outreach.partition.model import (
    HILBERT_ORDER,
    METRES_PER_DEGREE_LAT,
    METRES_PER_DEGREE_LON_EQUATOR,
    Home,
)

# ---------------------------------------------------------------- geometry


@dataclass
class Frame:
    lon0: float
    lat0: float
    kx: float

    @classmethod
    def around(cls, homes: Sequence[Home]) -> Frame:
        lon0 = sum(h.lon for h in homes) / len(homes)
        lat0 = sum(h.lat for h in homes) / len(homes)
        return cls(lon0, lat0, METRES_PER_DEGREE_LON_EQUATOR * math.cos(math.radians(lat0)))

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx, (lat - self.lat0) * METRES_PER_DEGREE_LAT


def hilbert_index(x: int, y: int, order: int = HILBERT_ORDER) -> int:
    """Position of cell (x, y) on the Hilbert curve filling a 2^order square."""
    d = 0
    s = 1 << (order - 1)
    while s > 0:
        rx = 1 if x & s else 0
        ry = 1 if y & s else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = s - 1 - x, s - 1 - y
            x, y = y, x
        s >>= 1
    return d


@dataclass
class Block:
    key: str
    homes: list[int]  # household ids
    x: float
    y: float
    pinned: bool = False  # holds a member's home: stays with that member's group
    parent: str | None = None  # the building a piece was carved from (larger than a group)

    @property
    def size(self) -> int:
        return len(self.homes)


def to_blocks(homes: Sequence[Home], frame: Frame) -> list[Block]:
    grouped: dict[str, list[Home]] = defaultdict(list)
    for home in homes:
        grouped[home.block if home.block is not None else f"h{home.id}"].append(home)
    blocks: list[Block] = []
    for key, members in grouped.items():
        members.sort(key=lambda h: (h.order, h.id))
        points = [frame.xy(h.lon, h.lat) for h in members]
        blocks.append(
            Block(
                key,
                [h.id for h in members],
                sum(p[0] for p in points) / len(points),
                sum(p[1] for p in points) / len(points),
            )
        )
    return blocks


def hilbert_sort(blocks: list[Block]) -> list[Block]:
    if not blocks:
        return blocks
    xs = [b.x for b in blocks]
    ys = [b.y for b in blocks]
    x0, y0 = min(xs), min(ys)
    extent = max(max(xs) - x0, max(ys) - y0) or 1.0
    cells = (1 << HILBERT_ORDER) - 1
    return sorted(
        blocks,
        key=lambda b: hilbert_index(
            int((b.x - x0) / extent * cells), int((b.y - y0) / extent * cells)
        ),
    )


@dataclass
class Group:
    blocks: list[Block] = field(default_factory=list)
    w: float = 0.0
    sx: float = 0.0
    sy: float = 0.0

    def add(self, block: Block) -> None:
        self.blocks.append(block)
        self.w += block.size
        self.sx += block.size * block.x
        self.sy += block.size * block.y

    def remove(self, block: Block) -> None:
        self.blocks.remove(block)
        self.w -= block.size
        self.sx -= block.size * block.x
        self.sy -= block.size * block.y

    def add_homes(self, block: Block, count: int) -> None:
        """``count`` households joined (or, negative, left) ``block``, already here."""
        self.w += count
        self.sx += count * block.x
        self.sy += count * block.y

    def centre(self) -> tuple[float, float]:
        return (self.sx / self.w, self.sy / self.w) if self.w else (0.0, 0.0)

    @property
    def size(self) -> int:
        return round(self.w)


def d2(x: float, y: float, c: tuple[float, float]) -> float:
    return (x - c[0]) ** 2 + (y - c[1]) ** 2


def nearest(groups: Sequence[Group], x: float, y: float, k: int) -> list[int]:
    return heapq.nsmallest(k, range(len(groups)), key=lambda g: d2(x, y, groups[g].centre()))


def trade(
    groups: Sequence[Group], source: int, target: int, block: Block, back: Block | None
) -> None:
    """``block`` moves from group ``source`` to ``target``; ``back``, when there is one,
    the other way."""
    groups[source].remove(block)
    groups[target].add(block)
    if back is not None:
        groups[target].remove(back)
        groups[source].add(back)


class Buckets:
    """Group centres on a coarse lattice, for 'which groups are near this point'."""

    def __init__(self, groups: Sequence[Group], cell: float) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for g, group in enumerate(groups):
            cx, cy = group.centre()
            self.cells[(int(cx // cell), int(cy // cell))].append(g)

    def near(self, x: float, y: float) -> list[int]:
        i, j = int(x // self.cell), int(y // self.cell)
        found: list[int] = []
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                found.extend(self.cells.get((i + di, j + dj), ()))
        return found
