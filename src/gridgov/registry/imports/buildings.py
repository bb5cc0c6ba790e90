"""Checking and writing buildings."""

from __future__ import annotations

from gridgov.msgids import N_
from gridgov.registry.imports.checks import BuildingInput, building_problems
from gridgov.registry.imports.context import (
    Writer,
    _Context,
    _insert,
    _locate,
    _read_unique,
    _Row,
)
from gridgov.registry.models import Building


def _check_buildings(ctx: _Context, rows: list[_Row]) -> Writer:
    items, _ = _read_unique(
        ctx,
        rows,
        lambda row: BuildingInput(
            code=ctx.code(row, "code"),
            name=row.get("name"),
            address=row.get("address"),
            lon=ctx.number(row, "lon"),
            lat=ctx.number(row, "lat"),
            grid_code=ctx.code(row, "grid_code"),
        ),
        building_problems,
        column=Building.code,
        key="code",
        again=N_("The same code is also on row %(row)s."),
        registered=N_("Building %(code)s is already registered."),
    )
    pending = []
    for row, value in items:
        if row.number in ctx.bad:
            continue
        if value.grid_code:
            ctx.check_region(row, "grid_code", value.grid_code, grid=True)
        else:
            pending.append((row, value))
    _locate(ctx, pending)

    def write() -> None:
        _insert(
            ctx,
            Building,
            [
                {
                    "code": v.code,
                    "name": v.name,
                    "address": v.address,
                    "lon": v.lon,
                    "lat": v.lat,
                    "grid_code": v.grid_code,
                }
                for _, v in items
            ],
        )

    return write
