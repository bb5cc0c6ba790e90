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
