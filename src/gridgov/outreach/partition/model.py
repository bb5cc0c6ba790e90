"""The partition's vocabulary: households, members, the band of sizes, the result
and its quality measures."""

from __future__ import annotations

from dataclasses import dataclass

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
