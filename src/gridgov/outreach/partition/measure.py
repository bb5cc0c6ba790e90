"""The quality of any partition (gridgov's, a reference's, a hand edit)."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from gridgov.outreach.partition.geometry import Frame
from gridgov.outreach.partition.model import Band, Home, Member, Quality

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
    frame = Frame.around(homes)
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
