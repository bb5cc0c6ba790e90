"""How many groups to ask for: the floor on groups outside the band at the count asked
for, and the nearest count where counting forces none outside.

``cover.fewest_outside`` gives, for blocks of given sizes and a band, the fewest groups
any partition splitting no building leaves outside the band: ``2·G − I − A`` (``I`` the
items, ``A`` the groups one item can fill alone, both fixed by the band). Within one
band it falls by 2 for each group fewer and rises by 2 for each group more, so when the
count asked for has a floor above 0, the nearest count keeping the same band with a
floor of 0 is always a *smaller* one: ``G − ceil(floor / 2)``, if ``Band.for_count``
still gives that band there. Fewer groups is also the direction an office can always
staff: the members who would have served the groups asked for are still enough.

When no count keeps the band (a place of a few tall buildings, say a block of 9 and a
tower of 22 in groups of 10–11), the nearest count whose own band has a floor of 0 is
offered instead, the smaller on a tie. A floor of 0 says only that counting forces no
group outside; whether a partition reaches it is the partition's business (the cover
does on the benchmark's community, see ADR 0020's fifth amendment).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from gridgov.outreach.partition.cover import fewest_outside
from gridgov.outreach.partition.model import Band, Home, PartitionError


@dataclass(frozen=True)
class CountAdvice:
    """The band asked for, the fewest groups outside it (by counting), and the nearest
    band (count and sizes) with none forced outside: None when the floor is already 0,
    or no count from 1 to the number of households has a floor of 0."""

    band: Band
    fewest_outside: int
    suggested: Band | None

    @property
    def same_sizes(self) -> bool:
        """The suggested count keeps the sizes asked for (only the count changes)."""
        return self.suggested is not None and (self.suggested.low, self.suggested.high) == (
            self.band.low,
            self.band.high,
        )


def block_sizes(homes: Sequence[Home]) -> list[int]:
    """Households per block (building or compound; a household alone is a block)."""
    return list(Counter(h.block if h.block else f"\0{h.id}" for h in homes).values())


class _Counted:
    """Per pair of sizes (low, high): the items plus the groups one item can fill alone
    (``I + A``, so the floor is ``2·G − (I + A)``), and the tall buildings' full groups
    (``partition`` refuses fewer groups than that). Counted once per pair of sizes."""

    def __init__(self, sizes: Sequence[int]) -> None:
        self.sizes = sizes
        self.seen: dict[tuple[int, int], tuple[int, int]] = {}

    def fits(self, band: Band) -> bool:
        """No group outside by counting, and the count holds the tall buildings."""
        key = (band.low, band.high)
        if key not in self.seen:
            # I + A ≤ 2·N, so at N + 1 groups the floor is positive and gives I + A.
            many = sum(self.sizes) + 1
            paired = 2 * many - fewest_outside(self.sizes, Band(many, band.low, band.high))
            carved = 0
            for s in self.sizes:
                if s > band.high:
                    m = -(-s // band.high)
                    carved += m if m * band.low <= s else m - 1
            self.seen[key] = (paired, carved)
        paired, carved = self.seen[key]
        return 2 * band.groups <= paired and carved <= band.groups


def count_advice(sizes: Sequence[int], band: Band) -> CountAdvice:
    """The floor at ``band`` for blocks of these ``sizes``, and the nearest count with a
    floor of 0: keeping ``band``'s sizes when some count does (always a smaller count,
    see the module's text), else in the band ``Band.for_count`` gives it (the smaller
    count on a tie)."""
    households = sum(sizes)
    if households < 1:
        raise PartitionError("there are no households to group")
    floor = fewest_outside(sizes, band)
    if floor == 0:
        return CountAdvice(band, 0, None)
    # The counts Band.for_count maps to the same sizes lie between N/high and N/low.
    first = max(1, households // band.high)
    last = min(households, households // max(1, band.low) + 1)
    same = [
        Band.for_count(households, g)
        for g in range(first, last + 1)
        if Band.for_count(households, g).low == band.low
        and Band.for_count(households, g).high == band.high
    ]
    counted = _Counted(sizes)
    keeping = [b for b in same if counted.fits(b)]
    if keeping:
        nearest = min(keeping, key=lambda b: (abs(b.groups - band.groups), b.groups))
        return CountAdvice(band, floor, nearest)
    for step in range(1, households):
        for g in (band.groups - step, band.groups + step):
            if 1 <= g <= households:
                other = Band.for_count(households, g)
                if counted.fits(other):
                    return CountAdvice(band, floor, other)
    return CountAdvice(band, floor, None)
