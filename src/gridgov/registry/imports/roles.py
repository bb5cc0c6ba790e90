"""Checking and writing people's roles."""

from __future__ import annotations

from sqlalchemy import select

from gridgov.clock import local_today
from gridgov.errors import Problem
from gridgov.msgids import N_
from gridgov.registry import service
from gridgov.registry.imports.checks import RoleInput, _word, role_problems
from gridgov.registry.imports.context import Writer, _chunks, _Context, _duplicates, _insert, _Row
from gridgov.registry.imports.vocabulary import BATCH, DOC_TYPE_WORDS, ROLE_WORDS
from gridgov.registry.models import Organisation, PersonRoleRow


def _check_roles(ctx: _Context, rows: list[_Row]) -> Writer:
    items = _role_items(ctx, rows)
    organisations = _organisations(ctx, items)
    for row, value, _ in items:
        if value.region_code:
            ctx.check_region(row, "region_code", value.region_code, grid=False)
        if value.organisation_code and value.organisation_code not in organisations:
            ctx.problem(
                row,
                Problem(
                    "organisation_code",
                    "No organisation with code %(code)s.",
                    code=value.organisation_code,
                ),
            )
    _duplicates(
        ctx,
        [(r, f"{rid}|{v.role}|{v.region_code}") for r, v, rid in items],
        "role",
        N_("The same person, role and region are also on row %(row)s."),
    )
    _check_held(ctx, items)

    def write() -> None:
        _insert(
            ctx,
            PersonRoleRow,
            [
                {
                    "resident_id": resident_id,
                    "role": v.role,
                    "region_code": v.region_code,
                    "organisation_id": organisations.get(v.organisation_code),
                    "since": v.since,
                    "full_time": v.full_time,
                }
                for _, v, resident_id in items
            ],
        )

    return write


def _role_items(ctx: _Context, rows: list[_Row]) -> list[tuple[_Row, RoleInput, int]]:
    """Each row's role, checked, with the id of the registered resident it names."""
    today = local_today(ctx.now)
    items: list[tuple[_Row, RoleInput, int]] = []
    for done, row in enumerate(rows, start=1):
        doc_type, role = row.get("doc_type"), row.get("role")
        value = RoleInput(
            doc_type=_word(DOC_TYPE_WORDS, doc_type) if doc_type else "",
            id_number=row.get("id_number"),
            role=_word(ROLE_WORDS, role) if role else "",
            region_code=ctx.code(row, "region_code"),
            name=row.get("name"),
            organisation_code=ctx.code(row, "organisation_code"),
            since=ctx.date(row, "since"),
            full_time=ctx.flag(row, "full_time"),
        )
        problems = role_problems(value, today=today)
        for problem in problems:
            ctx.problem(row, problem)
        ctx.tick(done)
        if any(p.field in ("doc_type", "id_number") for p in problems):
            continue
        resident = service.find_resident_by_id_number(
            ctx.session, doc_type=value.doc_type, number=value.id_number
        )
        if resident is None:
            ctx.problem(
                row, Problem("id_number", "No resident with this document number is registered.")
            )
            continue
        if value.name and value.name != resident.name:
            ctx.problem(
                row, Problem("name", "The register has another name for this document number.")
            )
        items.append((row, value, resident.id))
    return items


def _organisations(ctx: _Context, items: list[tuple[_Row, RoleInput, int]]) -> dict[str, int]:
    """The ids of the organisations the rows name, by code."""
    organisations: dict[str, int] = {}
    codes = sorted({v.organisation_code for _, v, _ in items if v.organisation_code})
    for chunk in _chunks(codes):
        for code, org_id in ctx.session.execute(
            select(Organisation.code, Organisation.id).where(Organisation.code.in_(chunk))
        ):
            organisations[code] = org_id
    return organisations


def _check_held(ctx: _Context, items: list[tuple[_Row, RoleInput, int]]) -> None:
    """A row whose person already holds its role in its region is refused."""
    held: set[tuple[int, str, str]] = set()
    ids = sorted({rid for _, _, rid in items})
    for start in range(0, len(ids), BATCH):
        for resident_id, role, region_code in ctx.session.execute(
            select(PersonRoleRow.resident_id, PersonRoleRow.role, PersonRoleRow.region_code).where(
                PersonRoleRow.resident_id.in_(ids[start : start + BATCH])
            )
        ):
            held.add((resident_id, role, region_code))
    for row, value, resident_id in items:
        if (resident_id, value.role, value.region_code) in held:
            ctx.problem(
                row,
                Problem(
                    "role",
                    "This person already holds this role in %(code)s.",
                    code=value.region_code,
                ),
            )
