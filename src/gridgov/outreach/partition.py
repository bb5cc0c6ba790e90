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
3. **Repair.** Groups whole blocks could not bring into the band give or take the
   nearest boundary blocks from neighbouring groups.
4. **Improve locally.** Boundary blocks move, or swap, to a nearer group while sizes
   stay in the band and the move shrinks the spread, until nothing improves.

Members are then seated: the member living in a group serves it; the remaining groups
go to the nearest member with room under their own maximum.

``update`` keeps a previous partition: households that stayed keep their group,
newcomers join the group of their building or the nearest group with room, and only
groups pushed out of the band give up or take a few boundary blocks. Quality measures
(size spread, largest in-group straight-line distance, buildings split, households
moved) come with every result.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# Metres per degree at these latitudes (an equirectangular projection around the
# area's centre is exact to a fraction of a percent within a community).
METRES_PER_DEGREE_LAT = 110_574.0
METRES_PER_DEGREE_LON_EQUATOR = 111_320.0
HILBERT_ORDER = 16
IMPROVEMENT_PASSES = 12
NEAREST_GROUPS = 6
WINDOW = 40  # blocks past a cut that may top a half up
ANGLES = (0.0, 22.5, 45.0, 67.5)  # bisection directions tried; the most compact wins


class PartitionError(ValueError):
    """The households cannot be cut as asked (no households, or no feasible sizes)."""


@dataclass(frozen=True)
class Home:
    """A household to place: its id, where it is, and the block it may not leave."""

    id: int
    lon: float
    lat: float
    block: str | None = None  # building or compound key; None: the household alone
    order: str = ""  # its place inside the block (household number): floors stay together


@dataclass(frozen=True)
class Member:
    """A party member who may serve groups: where they live, and at most how many
    households they serve (their own group included)."""

    id: int
    household_id: int | None = None
    max_households: int = 15


@dataclass(frozen=True)
class Band:
    """How many groups, and the size each may have."""

    groups: int
    low: int
    high: int

    @classmethod
    def for_count(cls, households: int, groups: int) -> Band:
        """Sizes as even as arithmetic allows: 834 households in 80 groups → 10–11."""
        if groups < 1 or households < groups:
            raise PartitionError(f"cannot make {groups} groups of {households} households")
        return cls(groups, households // groups, -(-households // groups))

    @classmethod
    def for_size(cls, households: int, size: int) -> Band:
        """Groups of about ``size`` households."""
        if size < 1:
            raise PartitionError("a group has at least one household")
        return cls.for_count(households, max(1, round(households / size)))


@dataclass(frozen=True)
class Quality:
    groups: int
    smallest: int
    largest: int
    spread: int  # largest - smallest
    out_of_band: int  # groups outside [low, high]
    blocks: int
    buildings_split: int  # blocks in more groups than their size requires
    oversized_buildings: int  # blocks larger than a group: in ceil(size/high) groups
    largest_distance_m: float  # the largest straight-line distance inside any group
    mean_diameter_m: float  # mean over groups of the largest in-group distance
    mean_to_centre_m: float  # mean distance of a household to its group's centre
    moved: int = 0  # households whose group changed on an update
    members_at_home: int = 0  # groups served by a member living in them
    unserved: int = 0  # groups without a member


@dataclass(frozen=True)
class Partition:
    groups: tuple[tuple[int, ...], ...]  # household ids, per group (group n = index n)
    members: tuple[int | None, ...]  # the member serving each group
    quality: Quality
    band: Band

    def group_of(self) -> dict[int, int]:
        return {h: g for g, homes in enumerate(self.groups) for h in homes}


# ---------------------------------------------------------------- geometry


@dataclass
class _Frame:
    lon0: float
    lat0: float
    kx: float

    @classmethod
    def around(cls, homes: Sequence[Home]) -> _Frame:
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
class _Block:
    key: str
    homes: list[int]  # household ids
    x: float
    y: float
    pinned: bool = False  # holds a member's home: stays with that member's group

    @property
    def size(self) -> int:
        return len(self.homes)


def _blocks(homes: Sequence[Home], frame: _Frame) -> list[_Block]:
    grouped: dict[str, list[Home]] = defaultdict(list)
    for home in homes:
        grouped[home.block if home.block is not None else f"h{home.id}"].append(home)
    blocks: list[_Block] = []
    for key, members in grouped.items():
        members.sort(key=lambda h: (h.order, h.id))
        points = [frame.xy(h.lon, h.lat) for h in members]
        blocks.append(
            _Block(
                key,
                [h.id for h in members],
                sum(p[0] for p in points) / len(points),
                sum(p[1] for p in points) / len(points),
            )
        )
    return blocks


def _hilbert_sort(blocks: list[_Block]) -> list[_Block]:
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


# ---------------------------------------------------------------- step 1: carving


def _carve(blocks: list[_Block], band: Band) -> tuple[list[list[_Block]], list[_Block]]:
    """Whole groups cut out of oversized blocks, and the blocks left to arrange. A block
    of ``s`` households needs ``m = ceil(s / high)`` groups: when ``m`` groups in the
    band can hold it, it fills them alone; otherwise ``m - 1`` groups of ``low`` and a
    remainder (smaller than a group) that joins its neighbours."""
    carved: list[list[_Block]] = []
    rest: list[_Block] = []
    for block in blocks:
        s = block.size
        if s <= band.high:
            rest.append(block)
            continue
        m = -(-s // band.high)
        if m * band.low <= s:
            sizes = [s // m + (1 if n < s % m else 0) for n in range(m)]
        else:
            sizes = [band.low] * (m - 1) + [s - (m - 1) * band.low]
        start = 0
        for n, size in enumerate(sizes):
            part = _Block(f"{block.key}#{n}", block.homes[start : start + size], block.x, block.y)
            start += size
            if size >= band.low:
                carved.append([part])
            else:
                rest.append(part)
    return carved, rest


# ---------------------------------------------------------------- step 3: filling


def _bisect(
    blocks: list[_Block], groups: int, low: int, high: int, angle: float = 0.0
) -> list[list[_Block]]:
    """Weighted recursive bisection: split along the longer side so each half holds a
    number of households its share of groups can balance, down to single groups."""
    if groups <= 1:
        return [blocks]
    if not blocks:
        return [[] for _ in range(groups)]
    left_groups = groups // 2
    right_groups = groups - left_groups
    total = sum(b.size for b in blocks)
    lo = max(left_groups * low, total - right_groups * high)
    hi = min(left_groups * high, total - right_groups * low)
    ideal = total * left_groups / groups
    if lo > hi:  # whole blocks cannot meet the band here: aim at the share, repair later
        lo = hi = round(ideal)
    ideal = min(max(ideal, lo), hi)
    cos, sin = math.cos(angle), math.sin(angle)
    us = [b.x * cos + b.y * sin for b in blocks]
    vs = [b.y * cos - b.x * sin for b in blocks]
    along_u = max(us) - min(us) >= max(vs) - min(vs)
    keys = {id(b): (u, v) if along_u else (v, u) for b, u, v in zip(blocks, us, vs, strict=True)}
    ordered = sorted(blocks, key=lambda b: keys[id(b)])
    left = _split(ordered, lo, hi, ideal)
    chosen = set(left)
    right = [b for i, b in enumerate(ordered) if i not in chosen]
    return [
        *_bisect([ordered[i] for i in left], left_groups, low, high, angle),
        *_bisect(right, right_groups, low, high, angle),
    ]


def _split(ordered: Sequence[_Block], lo: int, hi: int, ideal: float) -> list[int]:
    """Indices of the blocks for the first half: a prefix of the ordered blocks whose
    sum is in [lo, hi] (nearest the ideal), else a prefix topped up with blocks just
    past the cut, else the prefix nearest the range."""
    best: tuple[float, int] | None = None
    running = 0
    prefix_sums = []
    for i, block in enumerate(ordered):
        running += block.size
        prefix_sums.append(running)
        if lo <= running <= hi:
            score = abs(running - ideal)
            if best is None or score < best[0]:
                best = (score, i + 1)
        if running > hi:
            break
    if best is not None:
        return list(range(best[1]))
    # The largest prefix below lo, topped up from the blocks after it, nearest first.
    cut = 0
    while cut < len(ordered) and (prefix_sums[cut] if cut < len(prefix_sums) else hi + 1) < lo:
        cut += 1
    base = sum(b.size for b in ordered[:cut])
    extra = _top_up(ordered, cut, lo - base, hi - base)
    if extra is not None:
        return list(range(cut)) + extra
    near = min(
        range(len(ordered) + 1),
        key=lambda n: abs(sum(b.size for b in ordered[:n]) - ideal),
    )
    return list(range(near))


def _top_up(ordered: Sequence[_Block], cut: int, need_lo: int, need_hi: int) -> list[int] | None:
    """Blocks from ``cut`` on (nearest the cut first) adding up to [need_lo, need_hi]."""
    reach: dict[int, list[int]] = {0: []}
    for i in range(cut, min(cut + WINDOW, len(ordered))):
        size = ordered[i].size
        for total in sorted(reach, reverse=True):
            new = total + size
            if new <= need_hi and new not in reach:
                reach[new] = [*reach[total], i]
                if new >= need_lo:
                    return reach[new]
    return None


def _pick(remaining: Sequence[_Block], lo: int, hi: int) -> list[int]:
    """Indices into ``remaining``: the first block, and near ones adding up to [lo, hi]."""
    first = remaining[0]
    if first.size >= lo:
        return [0]
    for window in (WINDOW, len(remaining)):
        candidates = sorted(
            range(1, min(window + 1, len(remaining))),
            key=lambda i: (remaining[i].x - first.x) ** 2 + (remaining[i].y - first.y) ** 2,
        )
        reach: dict[int, list[int]] = {first.size: [0]}
        for i in candidates:
            size = remaining[i].size
            for total in sorted(reach, reverse=True):
                new = total + size
                if new <= hi and new not in reach:
                    reach[new] = [*reach[total], i]
                    if new >= lo:
                        return reach[new]
        if window >= len(remaining):
            return reach[max(reach)]
    return [0]


# ---------------------------------------------------------------- step 4: improving


@dataclass
class _Group:
    blocks: list[_Block] = field(default_factory=list)
    w: float = 0.0
    sx: float = 0.0
    sy: float = 0.0

    def add(self, block: _Block) -> None:
        self.blocks.append(block)
        self.w += block.size
        self.sx += block.size * block.x
        self.sy += block.size * block.y

    def remove(self, block: _Block) -> None:
        self.blocks.remove(block)
        self.w -= block.size
        self.sx -= block.size * block.x
        self.sy -= block.size * block.y

    def centre(self) -> tuple[float, float]:
        return (self.sx / self.w, self.sy / self.w) if self.w else (0.0, 0.0)

    @property
    def size(self) -> int:
        return round(self.w)


def _d2(x: float, y: float, c: tuple[float, float]) -> float:
    return (x - c[0]) ** 2 + (y - c[1]) ** 2


def _nearest(groups: Sequence[_Group], x: float, y: float, k: int) -> list[int]:
    return heapq.nsmallest(k, range(len(groups)), key=lambda g: _d2(x, y, groups[g].centre()))


class _Buckets:
    """Group centres on a coarse lattice, for 'which groups are near this point'."""

    def __init__(self, groups: Sequence[_Group], cell: float) -> None:
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


def _improve(groups: list[_Group], low: int, high: int, passes: int = IMPROVEMENT_PASSES) -> None:
    """Move or swap blocks to nearer groups while sizes stay within [low, high]."""
    if len(groups) < 2:
        return
    span = _typical_span(groups)
    for _ in range(passes):
        changed = 0
        buckets = _Buckets(groups, span)
        owner = {id(b): g for g, group in enumerate(groups) for b in group.blocks}
        for a, group in enumerate(groups):
            for block in list(group.blocks):
                if block.pinned or owner[id(block)] != a:
                    continue
                here = group.centre()
                current = _d2(block.x, block.y, here)
                candidates = [
                    c
                    for c in buckets.near(block.x, block.y)
                    if c != a and _d2(block.x, block.y, groups[c].centre()) < current
                ]
                candidates.sort(key=lambda c: _d2(block.x, block.y, groups[c].centre()))
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


def _typical_span(groups: Sequence[_Group]) -> float:
    spans = []
    for group in groups:
        cx, cy = group.centre()
        spans.append(max((math.sqrt(_d2(b.x, b.y, (cx, cy))) for b in group.blocks), default=0))
    spans.sort()
    median = spans[len(spans) // 2] if spans else 0.0
    return max(3.0 * median, 50.0)


def _sse_delta_move(source: _Group, target: _Group, block: _Block) -> float:
    w = float(block.size)
    ws, wt = source.w, target.w
    leave = w * ws / (ws - w) * _d2(block.x, block.y, source.centre()) if ws > w else 0.0
    join = w * wt / (wt + w) * _d2(block.x, block.y, target.centre())
    return join - leave


def _try_move(source: _Group, target: _Group, block: _Block, low: int, high: int) -> bool:
    if source.size - block.size < low or target.size + block.size > high:
        return False
    if _sse_delta_move(source, target, block) >= -1e-9:
        return False
    source.remove(block)
    target.add(block)
    return True


def _try_swap(
    source: _Group,
    target: _Group,
    block: _Block,
    low: int,
    high: int,
    owner: dict[int, int],
) -> bool:
    sc, tc = source.centre(), target.centre()
    gain_out = block.size * (_d2(block.x, block.y, tc) - _d2(block.x, block.y, sc))
    best: tuple[float, _Block] | None = None
    for other in target.blocks:
        if other.pinned:
            continue
        new_source = source.size - block.size + other.size
        new_target = target.size - other.size + block.size
        if not (low <= new_source <= high and low <= new_target <= high):
            continue
        gain_in = other.size * (_d2(other.x, other.y, sc) - _d2(other.x, other.y, tc))
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


def _seat(
    groups: Sequence[_Group],
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
            _d2(*where.get(m.id, groups[g].centre()), groups[g].centre()),
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


def _pin(groups: Sequence[_Group], seats: Sequence[int | None], members: Sequence[Member]) -> None:
    """A member's own block stays in the group the member serves and lives in."""
    homes = {m.id: m.household_id for m in members}
    for g, member_id in enumerate(seats):
        if member_id is None:
            continue
        household = homes.get(member_id)
        for block in groups[g].blocks:
            if household in block.homes:
                block.pinned = True


# ---------------------------------------------------------------- measures


def measure(
    groups: Sequence[Sequence[int]],
    homes: Sequence[Home],
    band: Band,
    *,
    seats: Sequence[int | None] = (),
    members: Sequence[Member] = (),
    moved: int = 0,
) -> Quality:
    """The quality of any partition of ``homes`` (gridgov's, a reference's, a hand edit)."""
    by_id = {h.id: h for h in homes}
    frame = _Frame.around(homes)
    sizes = [len(g) for g in groups]
    block_size: dict[str, int] = defaultdict(int)
    block_groups: dict[str, set[int]] = defaultdict(set)
    for g, group in enumerate(groups):
        for h in group:
            key = by_id[h].block or f"h{h}"
            block_size[key] += 1
            block_groups[key].add(g)
    split = oversized = 0
    for key, size in block_size.items():
        allowed = -(-size // band.high)
        if size > band.high:
            oversized += 1
        if len(block_groups[key]) > allowed:
            split += 1
    diameters: list[float] = []
    to_centre: list[float] = []
    for group in groups:
        points = [frame.xy(by_id[h].lon, by_id[h].lat) for h in group]
        distinct = sorted(set(points))
        diameter = 0.0
        for i, p in enumerate(distinct):
            for q in distinct[i + 1 :]:
                diameter = max(diameter, math.dist(p, q))
        diameters.append(diameter)
        if points:
            cx = sum(p[0] for p in points) / len(points)
            cy = sum(p[1] for p in points) / len(points)
            to_centre.extend(math.dist(p, (cx, cy)) for p in points)
    homes_of = {m.id: m.household_id for m in members}
    at_home = sum(
        1
        for g, member in enumerate(seats)
        if member is not None and homes_of.get(member) in groups[g]
    )
    return Quality(
        groups=len(groups),
        smallest=min(sizes, default=0),
        largest=max(sizes, default=0),
        spread=(max(sizes) - min(sizes)) if sizes else 0,
        out_of_band=sum(1 for s in sizes if not band.low <= s <= band.high),
        blocks=len(block_size),
        buildings_split=split,
        oversized_buildings=oversized,
        largest_distance_m=round(max(diameters, default=0.0), 1),
        mean_diameter_m=round(sum(diameters) / len(diameters), 1) if diameters else 0.0,
        mean_to_centre_m=round(sum(to_centre) / len(to_centre), 1) if to_centre else 0.0,
        moved=moved,
        members_at_home=at_home,
        unserved=sum(1 for s in seats if s is None) if seats else 0,
    )


# ---------------------------------------------------------------- the entry points


def _arrange(blocks: list[_Block], groups: int, band: Band, angle: float) -> list[list[_Block]]:
    """Fill ``groups`` groups along the curve. Sizes that whole blocks cannot bring into
    the band are repaired by ``_rebalance``; what still fails shows in the quality."""
    if groups == 0:
        return []
    return _bisect(blocks, groups, band.low, band.high, angle)


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
    frame = _Frame.around(homes)
    carved, rest = _carve(_blocks(homes, frame), band)
    if len(carved) > band.groups:
        raise PartitionError("oversized buildings alone need more groups than asked for")
    home_xy = {h.id: frame.xy(h.lon, h.lat) for h in homes}
    best: tuple[tuple[int, float], list[_Group], list[int | None]] | None = None
    for angle in ANGLES:
        for block in rest:
            block.pinned = False
        runs = _arrange(rest, band.groups - len(carved), band, math.radians(angle))
        groups: list[_Group] = []
        for run in [*carved, *runs]:
            group = _Group()
            for block in run:
                group.add(block)
            groups.append(group)
        _rebalance(groups, band)
        seats = _seat(groups, members, home_xy)
        _pin(groups, seats, members)
        low = min(band.low, min(g.size for g in groups))
        high = max(band.high, max(g.size for g in groups))
        _improve(groups, low, high)
        outside = sum(1 for g in groups if not band.low <= g.size <= band.high)
        score = (outside, sum(_sse(g) for g in groups))
        if best is None or score < best[0]:
            best = (score, groups, seats)
    if best is None:  # pragma: no cover - ANGLES is not empty
        raise PartitionError("no direction to cut along")
    groups = best[1]
    seats = _seat(groups, members, home_xy)
    return _result(groups, homes, band, seats, members, moved=0)


def _sse(group: _Group) -> float:
    centre = group.centre()
    return sum(b.size * _d2(b.x, b.y, centre) for b in group.blocks)


def _result(
    groups: Sequence[_Group],
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
    frame = _Frame.around(homes)
    groups = [_Group() for _ in range(band.groups)]
    newcomers: list[_Block] = []
    for block in _blocks(homes, frame):
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
        for g, homes_of_piece in sorted(pieces.items()):
            groups[g].add(_Block(f"{block.key}@{g}", homes_of_piece, block.x, block.y))
        if fresh:
            piece = _Block(f"{block.key}+", fresh, block.x, block.y)
            if pieces:
                g = min(pieces, key=lambda g: groups[g].size)
                if groups[g].size + piece.size <= band.high:
                    groups[g].add(piece)
                    continue
            newcomers.append(piece)
    # Keep members' own blocks where they are.
    kept_seats = list(seats) + [None] * (band.groups - len(seats))
    _pin(groups, kept_seats[: band.groups], members)
    # Groups already outside the band before the change are left as they were: an
    # update repairs only what the change broke.
    counted: dict[int, int] = defaultdict(int)
    for g in previous.values():
        counted[g] += 1
    sizes = list(counted.values())
    tolerated = Band(band.groups, min([band.low, *sizes]), max([band.high, *sizes]))
    for block in newcomers:
        _place(groups, block, tolerated)
    _rebalance(groups, tolerated)
    home_xy = {h.id: frame.xy(h.lon, h.lat) for h in homes}
    new_seats = kept_seats[: band.groups] if seats else _seat(groups, members, home_xy)
    moved = sum(
        1
        for g, group in enumerate(groups)
        for b in group.blocks
        for h in b.homes
        if h in previous and previous[h] != g
    )
    return _result(groups, homes, band, new_seats, members, moved=moved)


def _place(groups: list[_Group], block: _Block, band: Band) -> None:
    """A newcomer goes to the nearest group with room (or the nearest of all)."""
    order = _nearest(groups, block.x, block.y, len(groups))
    filled = [g for g in order if groups[g].w > 0]
    for g in filled or order:
        if groups[g].size + block.size <= band.high:
            groups[g].add(block)
            return
    groups[(filled or order)[0]].add(block)


def _rebalance(groups: list[_Group], band: Band, rounds: int = 200, patience: int = 25) -> None:
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


def _push(groups: list[_Group], over: list[int], band: Band, pushed: set[int]) -> bool:
    roomy = [c for c, group in enumerate(groups) if group.size < band.high]
    if not roomy:
        return False
    for g in over:
        source = groups[g]
        sink = min(roomy, key=lambda c: _d2(*groups[c].centre(), source.centre()))
        goal = groups[sink].centre()
        best: tuple[float, _Block, int] | None = None
        for block in source.blocks:
            if block.pinned or id(block) in pushed:
                continue
            for c in _nearest(groups, block.x, block.y, NEAREST_GROUPS + 1):
                if c == g:
                    continue
                ahead = _d2(*groups[c].centre(), goal) - _d2(*source.centre(), goal)
                if ahead >= 0:
                    continue  # not on the way to the group with room
                cost = _d2(block.x, block.y, groups[c].centre()) + ahead
                if best is None or cost < best[0]:
                    best = (cost, block, c)
        if best is not None:
            pushed.add(id(best[1]))
            source.remove(best[1])
            groups[best[2]].add(best[1])
            return True
    return False


def _shed(groups: list[_Group], g: int, band: Band) -> bool:
    """Give a block to a nearby group with room, or swap it for a smaller one."""
    source = groups[g]
    best: tuple[float, _Block, int, _Block | None] | None = None
    for block in source.blocks:
        if block.pinned:
            continue
        for c in _nearest(groups, block.x, block.y, NEAREST_GROUPS + 1):
            if c == g:
                continue
            other = groups[c]
            cost = _d2(block.x, block.y, other.centre()) - _d2(block.x, block.y, source.centre())
            if other.size + block.size <= band.high and source.size - block.size >= 1:
                if best is None or cost < best[0]:
                    best = (cost, block, c, None)
                continue
            for back in other.blocks:
                if back.pinned or back.size >= block.size:
                    continue
                if other.size - back.size + block.size > band.high:
                    continue
                if source.size - block.size + back.size < band.low:
                    continue
                swap = cost + _d2(back.x, back.y, source.centre())
                if best is None or swap < best[0]:
                    best = (swap, block, c, back)
    return _apply(groups, g, best)


def _draw(groups: list[_Group], g: int, band: Band) -> bool:
    """Take a block a nearby group can spare, or swap one of ours for a larger one."""
    target = groups[g]
    here = target.centre() if target.w else None
    best: tuple[float, _Block, int, _Block | None] | None = None
    near = (
        _nearest(groups, here[0], here[1], 2 * NEAREST_GROUPS + 1)
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
            cost = _d2(block.x, block.y, centre) - _d2(block.x, block.y, other.centre())
            if other.size - block.size >= band.low and target.size + block.size <= band.high:
                if best is None or cost < best[0]:
                    best = (cost, block, c, None)
                continue
            for back in target.blocks:
                if back.pinned or back.size >= block.size:
                    continue
                if other.size - block.size + back.size < band.low:
                    continue
                if target.size - back.size + block.size > band.high:
                    continue
                swap = cost + _d2(back.x, back.y, other.centre())
                if best is None or swap < best[0]:
                    best = (swap, block, c, back)
    if best is None:
        return False
    _, taken, c, given = best
    groups[c].remove(taken)
    target.add(taken)
    if given is not None:
        target.remove(given)
        groups[c].add(given)
    return True


def _apply(
    groups: list[_Group], g: int, best: tuple[float, _Block, int, _Block | None] | None
) -> bool:
    if best is None:
        return False
    _, block, c, back = best
    groups[g].remove(block)
    groups[c].add(block)
    if back is not None:
        groups[c].remove(back)
        groups[g].add(back)
    return True


def homes_from_rows(rows: Iterable[tuple[int, float, float, str | None, str]]) -> list[Home]:
    """Homes from (id, lon, lat, block, order) rows, as the service reads them."""
    return [Home(i, lon, lat, block, order) for i, lon, lat, block, order in rows]
