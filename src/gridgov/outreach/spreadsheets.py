"""A scheme's groups as a spreadsheet (export), and loaded back from one (组号, 户号,
as exported): every row checked first, nothing written unless all pass, each problem
named by its row. Households not in the file keep their group; a household may be
added to the scheme when it is in the scheme's region."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.errors import InvalidInput, Problem
from gridgov.outreach.models import ContactGroup, ContactHousehold, ContactScheme
from gridgov.outreach.rules import ChangeReason
from gridgov.outreach.service import SCHEME_ROLES, check_scope, log_changes, placements
from gridgov.registry import service as registry
from gridgov.registry.imports import first_sheet, workbook_bytes

MAX_ROWS = 20_000
MAX_BYTES = 10 * 1024 * 1024


def read_rows(data: bytes) -> list[tuple[int, object, object]]:
    """(row number, group, household number) from the first sheet, after its header."""
    if len(data) > MAX_BYTES:
        problem = Problem("file", "A file may be at most %(n)s MB.", n=10)
        raise InvalidInput("The file was not imported.", details=[problem])
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # any unreadable file gets the same answer
        problem = Problem("file", "This is not an XLSX file.")
        raise InvalidInput("The file was not imported.", details=[problem]) from exc
    sheet = book.worksheets[0]
    rows: list[tuple[int, object, object]] = []
    for number, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        if number - 1 > MAX_ROWS:
            problem = Problem("file", "At most %(n)s rows.", n=MAX_ROWS)
            raise InvalidInput("The file was not imported.", details=[problem])
        cells = [*row, None, None, None]
        group, household = cells[0], cells[2]
        if group is None and household is None:
            continue
        rows.append((number, group, household))
    return rows


def do_import_groups(
    session: Session, *, actor: Actor, scheme: ContactScheme, data: bytes, now: datetime
) -> int:
    """Apply the file's placements; returns how many households changed group."""
    check_scope(actor, scheme.region_code, SCHEME_ROLES)
    rows = read_rows(data)
    known = {
        p.number: p.id for p in registry.household_places(session, region_code=scheme.region_code)
    }
    problems: list[Problem] = []
    wanted: dict[int, int] = {}
    for line, group, number in rows:
        text = str(number or "").strip()
        household = known.get(text)
        if household is None:
            problems.append(
                Problem(f"row {line}", "No household numbered %(value)s here.", value=text)
            )
            continue
        try:
            n = int(str(group).strip())
        except ValueError:
            n = 0
        if not 1 <= n <= scheme.groups:
            problems.append(Problem(f"row {line}", "Between 1 and %(n)s groups.", n=scheme.groups))
            continue
        if household in wanted:
            problems.append(Problem(f"row {line}", "This household is listed twice."))
            continue
        wanted[household] = n
    if problems:
        raise InvalidInput("The file was not imported.", details=problems)
    before = placements(session, scheme)
    groups = {
        g.number: g.id
        for g in session.scalars(select(ContactGroup).where(ContactGroup.scheme_id == scheme.id))
    }
    rows_of = {
        r.household_id: r
        for r in session.scalars(
            select(ContactHousehold).where(ContactHousehold.scheme_id == scheme.id)
        )
    }
    changes: list[tuple[int, int | None, int | None]] = []
    for household, n in wanted.items():
        if before.get(household) == n:
            continue
        row = rows_of.get(household)
        if row is None:
            session.add(
                ContactHousehold(scheme_id=scheme.id, group_id=groups[n], household_id=household)
            )
        else:
            row.group_id = groups[n]
        changes.append((household, before.get(household), n))
    log_changes(session, scheme, changes, ChangeReason.IMPORTED, actor, now)
    scheme.updated_at = now
    scheme.version += 1
    summary = {"rows": len(rows), "changed": len(changes)}
    record_about(session, actor, "contact_scheme.imported", scheme, now=now, summary=summary)
    return len(changes)


def export_xlsx(session: Session, scheme: ContactScheme) -> bytes:
    """One row per household: group, member, household number, address."""
    book = Workbook()
    sheet = first_sheet(book)
    sheet.title = "联系户"
    sheet.append(["组号", "联系党员", "户号", "地址"])
    members = {
        g.number: g.member_id
        for g in session.scalars(select(ContactGroup).where(ContactGroup.scheme_id == scheme.id))
    }
    names: dict[int, str] = {}
    for household_id, number in sorted(
        placements(session, scheme).items(), key=lambda x: (x[1], x[0])
    ):
        household = registry.get_household(session, household_id=household_id)
        member_id = members.get(number)
        if member_id and member_id not in names:
            resident = registry.get_resident(session, resident_id=member_id)
            names[member_id] = resident.name if resident else ""
        sheet.append(
            [
                number,
                names.get(member_id or 0, ""),
                household.number if household else "",
                household.address if household else "",
            ]
        )
    return workbook_bytes(book)
