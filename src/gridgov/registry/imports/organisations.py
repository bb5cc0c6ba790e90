"""Checking and writing organisations."""

from __future__ import annotations

from sqlalchemy import select

from gridgov.errors import Problem
from gridgov.msgids import N_
from gridgov.registry.imports.checks import OrganisationInput, _word, organisation_problems
from gridgov.registry.imports.context import (
    Writer,
    _chunks,
    _Context,
    _read_unique,
    _Row,
)
from gridgov.registry.imports.vocabulary import BATCH, ORG_KIND_WORDS
from gridgov.registry.models import Organisation


def _check_organisations(ctx: _Context, rows: list[_Row]) -> Writer:
    items, in_file = _read_unique(
        ctx,
        rows,
        lambda row: OrganisationInput(
            code=ctx.code(row, "code"),
            name=row.get("name"),
            kind=_word(ORG_KIND_WORDS, row.get("kind")) if row.get("kind") else "",
            region_code=ctx.code(row, "region_code"),
            parent_code=ctx.code(row, "parent_code"),
            macau_funded=ctx.flag(row, "macau_funded"),
            credit_code=ctx.code(row, "credit_code").upper(),
        ),
        organisation_problems,
        column=Organisation.code,
        key="code",
        again=N_("The same code is also on row %(row)s."),
        registered=N_("Organisation %(code)s is already registered."),
    )
    parents: dict[str, int] = {}
    codes = sorted({v.parent_code for _, v in items if v.parent_code})
    for chunk in _chunks(codes):
        for code, org_id in ctx.session.execute(
            select(Organisation.code, Organisation.id).where(Organisation.code.in_(chunk))
        ):
            parents[code] = org_id
    for row, value in items:
        if value.region_code:
            ctx.check_region(row, "region_code", value.region_code, grid=False)
        parent = value.parent_code
        if not parent or parent in parents or parent == value.code:
            continue
        if parent not in in_file:
            ctx.problem(
                row,
                Problem(
                    "parent_code",
                    "No organisation with code %(code)s in the register or on an earlier row.",
                    code=parent,
                ),
            )
        elif in_file[parent] > row.number:
            ctx.problem(
                row,
                Problem(
                    "parent_code",
                    "The parent %(code)s must be on an earlier row (it is on row %(row)s).",
                    code=parent,
                    row=in_file[parent],
                ),
            )

    def write() -> None:
        created: dict[str, Organisation] = {}
        for start in range(0, len(items), BATCH):
            batch = []
            for _, v in items[start : start + BATCH]:
                organisation = Organisation(
                    code=v.code,
                    name=v.name,
                    kind=v.kind,
                    parent_id=parents.get(v.parent_code),
                    region_code=v.region_code,
                    macau_funded=v.macau_funded,
                    credit_code=v.credit_code or None,
                    note="",
                )
                created[v.code] = organisation
                batch.append(organisation)
            ctx.session.add_all(batch)
            ctx.session.flush()
            ctx.tick(len(items) + start + len(batch))
        for _, v in items:
            if v.parent_code and v.parent_code not in parents:
                created[v.code].parent_id = created[v.parent_code].id
        ctx.session.flush()

    return write
