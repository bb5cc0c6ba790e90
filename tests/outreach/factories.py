"""Builders shared by the contact-group tests: buildings of households in a row."""

from __future__ import annotations

from gridgov.db import Database
from gridgov.outreach.partition.geometry import Block, Group
from gridgov.registry.models import Building, Household

GRID = "44051200100101"


def buildings_in_a_row(
    db: Database,
    count: int,
    *,
    start: int = 0,
    per: int = 4,
    step: float = 0.0005,
    width: int = 2,
) -> list[int]:
    """``count`` buildings of ``per`` households in 青篮, running east ``step`` degrees
    apart (codes ``B07``, households ``QL-07-2`` for ``width`` 2); the households' ids."""
    ids: list[int] = []
    with db.transaction() as session:
        for b in range(start, start + count):
            building = Building(
                code=f"B{b:0{width}d}",
                name=f"{b}号楼",
                address="青篮",
                lon=116.701 + step * b,
                lat=23.285,
                grid_code=GRID,
            )
            session.add(building)
            session.flush()
            for unit in range(per):
                household = Household(
                    number=f"QL-{b:0{width}d}-{unit}",
                    address=f"青篮{b}号{unit}房",
                    building_id=building.id,
                    lon=building.lon,
                    lat=building.lat,
                    grid_code=GRID,
                )
                session.add(household)
                session.flush()
                ids.append(household.id)
    return ids


def tower_groups(
    towers: dict[str, tuple[float, list[int]]],
) -> tuple[list[Group], dict[str, list[int]]]:
    """Groups made of pieces of towers: name → (x in metres, sizes of its pieces), one
    group a piece, households numbered in turn."""
    groups: list[Group] = []
    homes_of: dict[str, list[int]] = {}
    next_id = 1
    for name, (x, pieces) in towers.items():
        homes_of[name] = []
        for size in pieces:
            homes = list(range(next_id, next_id + size))
            next_id += size
            homes_of[name].extend(homes)
            group = Group()
            group.add(Block(f"{name}@{len(groups)}", homes, x, 0.0, parent=name))
            groups.append(group)
    return groups, homes_of


def short_tower_and_far_lone_household() -> list[Group]:
    """A tower of 19 in two groups (10 and 9), ten full towers of 22 in a row beside it,
    and at the far end a tower of 23 in three groups (11, 11, and 1 beside a block of 10)."""
    towers = {"A": (0.0, [10, 9])}
    towers |= {f"F{n}": (20.0 * (n + 1), [11, 11]) for n in range(10)}
    groups, _ = tower_groups(towers)
    far = Group()
    far.add(Block("far", list(range(1001, 1011)), 230.0, 0.0))
    far.add(Block("C@x", [2001], 225.0, 0.0, parent="C"))
    groups.append(far)
    for part in (range(2002, 2013), range(2013, 2024)):
        group = Group()
        group.add(Block("C@y", list(part), 225.0, 0.0, parent="C"))
        groups.append(group)
    return groups
