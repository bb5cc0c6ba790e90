"""Checking and writing residents, with householders and household consistency."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from gridgov.clock import local_today
from gridgov.errors import Problem
from gridgov.msgids import N_
from gridgov.registry import documents, service
from gridgov.registry.documents import DocumentType
from gridgov.registry.imports.checks import _EXPONENT, _TAG_SEPARATORS, _word
from gridgov.registry.imports.context import (
    Writer,
    _chunks,
    _Context,
    _duplicates,
    _existing,
    _insert,
    _Row,
)
from gridgov.registry.imports.vocabulary import (
    BATCH,
    DOC_TYPE_WORDS,
    NATIONALITY_WORDS,
    RELATION_WORDS,
    SEX_WORDS,
    TAG_WORDS,
)
from gridgov.registry.models import Household, Resident
from gridgov.registry.rules import Relation


def _resident_input(ctx: _Context, row: _Row) -> tuple[service.ResidentInput, bool]:
    """The resident of a row, and whether its number lost digits in a spreadsheet."""
    tags = tuple(
        dict.fromkeys(
            _word(TAG_WORDS, part)
            for part in _TAG_SEPARATORS.split(row.get("tags"))
            if part.strip()
        )
    )
    nationality = row.get("nationality")
    number = row.get("id_number")
    return service.ResidentInput(
        name=row.get("name"),
        doc_type=_word(DOC_TYPE_WORDS, row.get("doc_type")) if row.get("doc_type") else "",
        id_number=number,
        phone=row.get("phone"),
        birth_date=ctx.date(row, "birth_date"),
        sex=_word(SEX_WORDS, row.get("sex")) if row.get("sex") else "",
        nationality=NATIONALITY_WORDS.get(nationality, nationality),
        language=row.get("language"),
        household_number=ctx.code(row, "household_number"),
        relation=_word(RELATION_WORDS, row.get("relation")) if row.get("relation") else "",
        tags=tags,
        grid_code=ctx.code(row, "grid_code"),
    ), bool(_EXPONENT.fullmatch(number))


def _check_residents(ctx: _Context, rows: list[_Row]) -> Writer:
    today = local_today(ctx.now)
    items: list[tuple[_Row, service.ResidentInput]] = []
    for done, row in enumerate(rows, start=1):
        value, lost_digits = _resident_input(ctx, row)
        given_birth, given_sex = value.birth_date, value.sex
        problems = service.resident_problems(value, today=today)
        if lost_digits:
            problems = [p for p in problems if p.field != "id_number"]
            problems.append(
                Problem(
                    "id_number",
                    "The spreadsheet stored this number as a number and lost its last digits: "
                    "format the column as text and type the numbers again.",
                )
            )
        if len(value.language) > 16:
            problems.append(Problem("language", "At most %(n)s characters.", n=16))
        if not problems:
            problems += _consistency_problems(value, given_birth, given_sex)
        for problem in problems:
            ctx.problem(row, problem)
        items.append((row, value))
        ctx.tick(done)
    _duplicates(
        ctx,
        [(r, v.id_number) for r, v in items],
        "id_number",
        N_("The same document number is also on row %(row)s."),
    )
    cipher = service.cipher_of(ctx.session)
    indexes = {
        r.number: cipher.blind_index(v.id_number, field=service.ID_FIELD)
        for r, v in items
        if v.id_number
    }
    existing = _existing(ctx.session, Resident.id_number_index, indexes.values())
    for row, _value in items:
        if indexes.get(row.number) in existing:
            ctx.problem(row, Problem("id_number", "This document number is already registered."))
    households = _households(ctx, {v.household_number for _, v in items if v.household_number})
    household_ids = _place(ctx, items, households)
    _check_householders(ctx, items, households)

    def write() -> None:
        now = ctx.now
        values: list[dict[str, Any]] = []
        for row, value in items:
            resident = service.new_resident(
                cipher, value, household_id=household_ids.get(row.number), now=now
            )
            values.append({name: getattr(resident, name) for name in _RESIDENT_COLUMNS})
        _insert(ctx, Resident, values)

    return write


_RESIDENT_COLUMNS = tuple(column.key for column in Resident.__table__.columns if column.key != "id")


def _place(
    ctx: _Context,
    items: list[tuple[_Row, service.ResidentInput]],
    households: dict[str, tuple[int, str]],
) -> dict[int, int | None]:
    """Each row's household id (None without one), its grid taken from the household
    when the row names none; rows whose household or grid is wrong are reported."""
    household_ids: dict[int, int | None] = {}
    for row, value in items:
        household = households.get(value.household_number)
        if value.household_number and household is None:
            ctx.problem(
                row,
                Problem(
                    "household_number",
                    "No household numbered %(value)s.",
                    value=value.household_number,
                ),
            )
            continue
        household_ids[row.number] = household[0] if household else None
        if value.grid_code:
            if ctx.check_region(row, "grid_code", value.grid_code, grid=True) and (
                household and household[1] != value.grid_code
            ):
                ctx.problem(
                    row,
                    Problem(
                        "grid_code",
                        "Household %(number)s is in grid %(grid)s, not %(code)s.",
                        number=value.household_number,
                        grid=household[1],
                        code=value.grid_code,
                    ),
                )
        elif household is not None:
            value.grid_code = household[1]
            ctx.check_region(row, "household_number", value.grid_code, grid=True)
        else:
            ctx.problem(row, Problem("grid_code", "A grid or a household is required."))
    return household_ids


def _consistency_problems(
    value: service.ResidentInput, given_birth: date | None, given_sex: str
) -> list[Problem]:
    """A birth date or sex typed beside an identity number must agree with it."""
    problems: list[Problem] = []
    doc_type = DocumentType(value.doc_type)
    derived_birth = documents.birth_date_of(doc_type, value.id_number)
    if given_birth and derived_birth and given_birth != derived_birth:
        problems.append(
            Problem("birth_date", "The birth date differs from the one in the ID number.")
        )
    derived_sex = documents.sex_of(doc_type, value.id_number)
    if given_sex and derived_sex and given_sex != derived_sex:
        problems.append(Problem("sex", "The sex differs from the one the ID number shows."))
    return problems


def _households(ctx: _Context, numbers: set[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    for chunk in _chunks(sorted(numbers)):
        for number, household_id, grid_code in ctx.session.execute(
            select(Household.number, Household.id, Household.grid_code).where(
                Household.number.in_(chunk)
            )
        ):
            found[number] = (household_id, grid_code)
    return found


def _check_householders(
    ctx: _Context,
    items: list[tuple[_Row, service.ResidentInput]],
    households: dict[str, tuple[int, str]],
) -> None:
    """One householder per household, in the file and with the register."""
    heads = [
        (r, v.household_number)
        for r, v in items
        if v.relation == Relation.HOUSEHOLDER.value and v.household_number in households
    ]
    _duplicates(
        ctx, heads, "relation", N_("This household already has a householder on row %(row)s.")
    )
    ids = sorted({households[number][0] for _, number in heads})
    with_head: set[int] = set()
    for start in range(0, len(ids), BATCH):
        with_head.update(
            i
            for i in ctx.session.scalars(
                select(Resident.household_id).where(
                    Resident.household_id.in_(ids[start : start + BATCH]),
                    Resident.relation == Relation.HOUSEHOLDER.value,
                )
            )
            if i is not None
        )
    for row, number in heads:
        if households[number][0] in with_head:
            ctx.problem(
                row,
                Problem(
                    "relation",
                    "Household %(number)s already has a householder in the register.",
                    number=number,
                ),
            )
