"""The import itself: read, map the headers, check every row with the kind's checker,
and write (all or nothing) with one ``registry.imported`` audit row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import PurePath

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record
from gridgov.errors import Problem
from gridgov.registry.imports.buildings import _check_buildings
from gridgov.registry.imports.context import (
    Writer,
    _check_may_import,
    _common_scope,
    _Context,
    _finish,
    _map_headers,
    _position,
    _Row,
)
from gridgov.registry.imports.households import _check_households
from gridgov.registry.imports.organisations import _check_organisations
from gridgov.registry.imports.readers import Table, read_table
from gridgov.registry.imports.report import ImportReport, RowProblem
from gridgov.registry.imports.residents import _check_residents
from gridgov.registry.imports.roles import _check_roles
from gridgov.registry.imports.vocabulary import ACTION, Kind, ProgressCallback


def do_import(
    session: Session,
    *,
    actor: Actor,
    kind: Kind,
    data: bytes,
    filename: str,
    now: datetime,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """Read, check and (when every row is right and not ``dry_run``) write a file.

    Returns the report either way: ``report.ok`` tells whether rows were written. Raises
    ``InvalidInput`` for a file that cannot be read at all and ``Forbidden`` for a role
    that may not change the register."""
    _check_may_import(actor)
    table = read_table(data, filename=filename)
    return import_table(
        session,
        actor=actor,
        kind=kind,
        table=table,
        filename=filename,
        now=now,
        dry_run=dry_run,
        progress=progress,
    )


def import_table(
    session: Session,
    *,
    actor: Actor,
    kind: Kind,
    table: Table,
    filename: str,
    now: datetime,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportReport:
    """``do_import`` on a table already read. ``progress(done, total)`` counts each row
    twice, checked then written; when nothing is written it jumps to the end."""
    _check_may_import(actor)
    kind = Kind(kind)
    name = PurePath(filename).name
    report = ImportReport(kind=kind, file=name, rows=len(table.rows), dry_run=dry_run)
    total = 2 * len(table.rows)
    mapping = _map_headers(kind, table, report)
    if mapping is None:
        _finish(progress, total)
        return report
    headers = {key: table.headers[index] for key, index in mapping.items()}
    ctx = _Context(
        session, actor, now, kind, headers, dict(mapping), report, progress, max(total, 1)
    )
    rows: list[_Row] = []
    known = set(mapping.values())
    for number, cells in table.rows:
        row = _Row(number, {key: cells[i] if i < len(cells) else "" for key, i in mapping.items()})
        for index, cell in enumerate(cells):
            if cell and index not in known:
                ctx.problem(
                    row, Problem("", "This cell is in a column without a header."), value=cell
                )
        rows.append(row)
    if not rows:
        report.problems.append(
            RowProblem(table.header_row + 1, "", "", "The file has no rows below the header.")
        )
    if report.problems:
        _finish(progress, total)
        return report
    writer = _CHECKERS[kind](ctx, rows)
    report.problems.sort(key=lambda p: (p.row, _position(ctx, p.column)))
    if report.problems or dry_run:
        _finish(progress, total)
        return report
    writer()
    report.written = len(rows)
    record(
        session,
        actor=actor,
        action=ACTION,
        object_type=kind.value,
        region_code=_common_scope(ctx.region_codes),
        now=now,
        summary={"rows": len(rows), "file": name},
    )
    ctx.tick(total, force=True)
    return report


_CHECKERS: dict[Kind, Callable[[_Context, list[_Row]], Writer]] = {
    Kind.BUILDINGS: _check_buildings,
    Kind.HOUSEHOLDS: _check_households,
    Kind.RESIDENTS: _check_residents,
    Kind.ORGANISATIONS: _check_organisations,
    Kind.ROLES: _check_roles,
}
