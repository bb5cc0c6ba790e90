"""Checking and writing households."""

from __future__ import annotations

from sqlalchemy import select

from gridgov.errors import Problem
from gridgov.msgids import N_
from gridgov.registry.imports.checks import HouseholdInput, household_problems
from gridgov.registry.imports.context import (
    Writer,
    _chunks,
    _Context,
    _insert,
    _locate,
    _read_unique,
    _Row,
)
from gridgov.registry.models import Building, Household


def _check_households(ctx: _Context, rows: list[_Row]) -> Writer:
    items, _ = _read_unique(
        ctx,
        rows,
        lambda row: HouseholdInput(
            number=ctx.code(row, "number"),
            address=row.get("address"),
            lon=ctx.number(row, "lon"),
            lat=ctx.number(row, "lat"),
            grid_code=ctx.code(row, "grid_code"),
            building_code=ctx.code(row, "building_code"),
        ),
        household_problems,
        column=Household.number,
        key="number",
        again=N_("The same number is also on row %(row)s."),
        registered=N_("Household %(code)s is already registered."),
    )
    buildings: dict[str, tuple[int, str, float, float]] = {}
    codes = sorted({v.building_code for _, v in items if v.building_code})
    for chunk in _chunks(codes):
        for code, building_id, grid_code, lon, lat in ctx.session.execute(
            select(
                Building.code, Building.id, Building.grid_code, Building.lon, Building.lat
            ).where(Building.code.in_(chunk))
        ):
            buildings[code] = (building_id, grid_code, lon, lat)
    building_ids: dict[int, int | None] = {}
    pending = []
    for row, value in items:
        if value.building_code and value.building_code not in buildings:
            ctx.problem(
                row,
                Problem(
                    "building_code", "No building with code %(code)s.", code=value.building_code
                ),
            )
        if row.number in ctx.bad:
            continue
        building = buildings.get(value.building_code)
        building_ids[row.number] = building[0] if building else None
        if value.grid_code:
            ctx.check_region(row, "grid_code", value.grid_code, grid=True)
        elif value.lon is not None:
            pending.append((row, value))
        elif building is not None:
            value.grid_code, value.lon, value.lat = building[1], building[2], building[3]
            ctx.check_region(row, "building_code", value.grid_code, grid=True)
    _locate(ctx, pending)

    def write() -> None:
        _insert(
            ctx,
            Household,
            [
                {
                    "number": v.number,
                    "address": v.address,
                    "building_id": building_ids.get(r.number),
                    "lon": v.lon,
                    "lat": v.lat,
                    "grid_code": v.grid_code,
                }
                for r, v in items
            ],
        )

    return write
