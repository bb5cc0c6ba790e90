"""Steps 1 and 2: carve buildings larger than a group, then weighted recursive
bisection of the blocks into groups."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from gridgov.outreach.partition.geometry import Block
from gridgov.outreach.partition.model import WINDOW, Band

# ---------------------------------------------------------------- step 1: carving


def carve(blocks: list[Block], band: Band) -> tuple[list[list[Block]], list[Block]]:
    """Whole groups cut out of oversized blocks, and the blocks left to arrange. A block
    of ``s`` households needs ``m = ceil(s / high)`` groups: when ``m`` groups in the
    band can hold it, it fills them alone; otherwise ``m - 1`` groups of ``low`` and a
    remainder (smaller than a group) that joins its neighbours."""
    carved: list[list[Block]] = []
    rest: list[Block] = []
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
            part = Block(
                f"{block.key}#{n}",
                block.homes[start : start + size],
                block.x,
                block.y,
                parent=block.key,
            )
            start += size
            if size >= band.low:
                carved.append([part])
            else:
                rest.append(part)
    return carved, rest


# ---------------------------------------------------------------- step 3: filling


def bisect(
    blocks: list[Block], groups: int, low: int, high: int, angle: float = 0.0
) -> list[list[Block]]:
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
        *bisect([ordered[i] for i in left], left_groups, low, high, angle),
        *bisect(right, right_groups, low, high, angle),
    ]


def _split(ordered: Sequence[Block], lo: int, hi: int, ideal: float) -> list[int]:
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


def _top_up(ordered: Sequence[Block], cut: int, need_lo: int, need_hi: int) -> list[int] | None:
    """Blocks from ``cut`` on (nearest the cut first) adding up to [need_lo, need_hi]."""
    return _reach({0: []}, ordered, range(cut, min(cut + WINDOW, len(ordered))), need_lo, need_hi)


def _reach(
    reach: dict[int, list[int]], blocks: Sequence[Block], indices: Iterable[int], lo: int, hi: int
) -> list[int] | None:
    """Adds the blocks at ``indices``, in turn, to ``reach`` (each total up to ``hi``
    with the indices adding up to it): the first indices adding up to [lo, hi], else
    None (``reach`` holds then every total found)."""
    for i in indices:
        size = blocks[i].size
        for total in sorted(reach, reverse=True):
            new = total + size
            if new <= hi and new not in reach:
                reach[new] = [*reach[total], i]
                if new >= lo:
                    return reach[new]
    return None


def _pick(remaining: Sequence[Block], lo: int, hi: int) -> list[int]:
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
        found = _reach(reach, remaining, candidates, lo, hi)
        if found is not None:
            return found
        if window >= len(remaining):
            return reach[max(reach)]
    return [0]
