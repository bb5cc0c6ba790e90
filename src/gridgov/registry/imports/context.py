"""What every per-kind checker shares: a row, the import's context (problems, progress,
regions, cell parsers), header mapping, lookups of existing rows, batched inserts and
locating points to grids."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import SCOPE_LENGTHS
from gridgov.audit.service import Actor
from gridgov.errors import Forbidden, Problem
from gridgov.registry.imports.checks import parse_date
from gridgov.registry.imports.readers import Table
from gridgov.registry.imports.report import ImportReport, RowProblem
from gridgov.registry.imports.templates import TEMPLATES, accepted_headers, normalise_header
from gridgov.registry.imports.vocabulary import (
    BATCH,
    FALSE_WORDS,
    GRID_LEVELS,
    IMPORT_ROLES,
    MASKED,
    TRUE_WORDS,
    Kind,
    ProgressCallback,
)
from gridgov.territory import service as territory

_Input = TypeVar("_Input")


@dataclass
class _Row:
    number: int
    cells: dict[str, str]

    def get(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass
class _Context:
    session: Session
    actor: Actor
    now: datetime
    kind: Kind
    headers: dict[str, str]  # key -> header as in the file
    order: dict[str, int]  # key -> column position, for sorting the report
    report: ImportReport
    progress: ProgressCallback | None
    total: int
    bad: set[int] = field(default_factory=set)
    regions: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    region_codes: set[str] = field(default_factory=set)
    _last_tick: int = 0

    def problem(self, row: _Row, problem: Problem, *, value: str | None = None) -> None:
        column = self.headers.get(problem.field) or _header_of(self.kind, problem.field)
        shown = row.get(problem.field) if value is None else value
        if problem.field in MASKED and shown:
            shown = MASKED[problem.field](shown)
        self.report.problems.append(
            RowProblem(row.number, column, shown, problem.message, dict(problem.params))
        )
        self.bad.add(row.number)

    def tick(self, done: int, *, force: bool = False) -> None:
        step = max(1, self.total // 200)
        if self.progress is not None and (force or done - self._last_tick >= step):
            self._last_tick = done
            self.progress(done, self.total)

    def region(self, code: str) -> tuple[str, str] | None:
        """(level, name) of a region, cached for the import."""
        if code not in self.regions:
            found = territory.find_region(self.session, code=code)
            self.regions[code] = (found.level, found.name) if found else None
        return self.regions[code]

    def may_write(self, code: str) -> bool:
        return self.actor.covers(code)

    def check_region(self, row: _Row, key: str, code: str, *, grid: bool) -> bool:
        """The region exists (is a grid when ``grid``) and is within the actor's scope."""
        found = self.region(code)
        if found is None:
            self.problem(row, Problem(key, "No region with code %(code)s.", code=code))
            return False
        if grid and found[0] not in GRID_LEVELS:
            self.problem(
                row, Problem(key, "%(code)s is a %(level)s, not a grid.", code=code, level=found[0])
            )
            return False
        if not self.may_write(code):
            self.problem(row, Problem(key, "%(code)s is outside your area.", code=code))
            return False
        self.region_codes.add(code)
        return True

    def number(self, row: _Row, key: str) -> float | None:
        text = unicodedata.normalize("NFKC", row.get(key)).strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(row, Problem(key, "%(value)s is not a number.", value=text))
            return None
        return value

    def date(self, row: _Row, key: str) -> date | None:
        text = row.get(key)
        if not text:
            return None
        try:
            return parse_date(text)
        except ValueError:
            self.problem(row, Problem(key, "%(value)s is not a date (YYYY-MM-DD).", value=text))
            return None

    def flag(self, row: _Row, key: str) -> bool:
        text = unicodedata.normalize("NFKC", row.get(key)).strip().casefold()
        if not text or text in FALSE_WORDS:
            return False
        if text in TRUE_WORDS:
            return True
        self.problem(row, Problem(key, "Write 是 or 否 (yes or no), not %(value)s.", value=text))
        return False

    def code(self, row: _Row, key: str) -> str:
        return unicodedata.normalize("NFKC", row.get(key)).strip()


def _header_of(kind: Kind, key: str) -> str:
    for column in TEMPLATES[kind]:
        if column.key == key:
            return column.header
    return key


def _check_may_import(actor: Actor) -> None:
    if actor.role != "system" and actor.role not in IMPORT_ROLES:
        raise Forbidden("You may not change the register outside your area.")


def _finish(progress: ProgressCallback | None, total: int) -> None:
    if progress is not None:
        progress(total, total)


def _position(ctx: _Context, column: str) -> int:
    for key, header in ctx.headers.items():
        if header == column:
            return ctx.order[key]
    return 10_000


def _common_scope(codes: set[str]) -> str | None:
    """The longest region code prefix shared by every row, cut to a scope length, so the
    audit row shows to everyone whose area covers the whole import."""
    if not codes:
        return None
    first, last = min(codes), max(codes)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    fitting = [n for n in SCOPE_LENGTHS if n <= length]
    return first[: max(fitting)] if fitting else None


def _map_headers(kind: Kind, table: Table, report: ImportReport) -> dict[str, int] | None:
    """key -> column index; None (with problems reported) when the headers are wrong."""
    columns = TEMPLATES[kind]
    lookup = {normalise_header(name): c for c in columns for name in c.accepted}
    mapping: dict[str, int] = {}
    row = table.header_row
    for index, header in enumerate(table.headers):
        if not header:
            continue
        column = lookup.get(normalise_header(header))
        if column is None:
            report.problems.append(
                RowProblem(
                    row,
                    header,
                    header,
                    "Unknown column %(header)s. The accepted columns are: %(accepted)s.",
                    {"header": header, "accepted": accepted_headers(kind)},
                )
            )
        elif column.key in mapping:
            report.problems.append(
                RowProblem(
                    row,
                    header,
                    header,
                    "Column %(header)s repeats column %(other)s.",
                    {"header": header, "other": table.headers[mapping[column.key]]},
                )
            )
        else:
            mapping[column.key] = index
    for column in columns:
        if column.required and column.key not in mapping:
            report.problems.append(
                RowProblem(
                    row,
                    column.header,
                    "",
                    "The required column %(header)s (%(key)s) is missing.",
                    {"header": column.header, "key": column.key},
                )
            )
    return None if report.problems else mapping


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), BATCH):
        yield values[start : start + BATCH]


def _existing(session: Session, column: Any, values: Iterable[str]) -> set[str]:
    unique = sorted(set(values))
    found: set[str] = set()
    for chunk in _chunks(unique):
        found.update(session.scalars(select(column).where(column.in_(chunk))))
    return found


def _duplicates(
    ctx: _Context,
    items: Sequence[tuple[_Row, str]],
    key: str,
    message: str,
) -> dict[str, int]:
    """value -> first row; later rows with the same value get ``message`` (``%(row)s``)."""
    first: dict[str, int] = {}
    for row, value in items:
        if not value:
            continue
        if value in first:
            ctx.problem(row, Problem(key, message, row=first[value]))
        else:
            first[value] = row.number
    return first


def _already(
    ctx: _Context, items: Sequence[tuple[_Row, Any]], column: Any, key: str, message: str
) -> None:
    """Report rows whose ``key`` value is already in the database."""
    values = [getattr(v, key) for _, v in items if getattr(v, key)]
    existing = _existing(ctx.session, column, values)
    for row, value in items:
        if getattr(value, key) in existing:
            ctx.problem(row, Problem(key, message, code=getattr(value, key)))


def _read(
    ctx: _Context,
    rows: list[_Row],
    read: Callable[[_Row], _Input],
    problems: Callable[[_Input], Iterable[Problem]],
) -> list[tuple[_Row, _Input]]:
    """Each row read into its input, with the problems ``problems`` finds in it reported."""
    items: list[tuple[_Row, _Input]] = []
    for done, row in enumerate(rows, start=1):
        value = read(row)
        for problem in problems(value):
            ctx.problem(row, problem)
        items.append((row, value))
        ctx.tick(done)
    return items


def _read_unique(
    ctx: _Context,
    rows: list[_Row],
    read: Callable[[_Row], _Input],
    problems: Callable[[_Input], Iterable[Problem]],
    *,
    column: Any,
    key: str,
    again: str,
    registered: str,
) -> tuple[list[tuple[_Row, _Input]], dict[str, int]]:
    """The rows read as ``_read`` reads them, each one's ``key`` value (the register's
    ``column``) unique in the file (``again`` on later rows) and not yet registered
    (``registered``); with value -> first row of the file."""
    items = _read(ctx, rows, read, problems)
    first = _duplicates(ctx, [(r, getattr(v, key)) for r, v in items], key, again)
    _already(ctx, items, column, key, registered)
    return items, first


def _insert(ctx: _Context, model: type[Any], values: list[dict[str, Any]]) -> None:
    done = len(values)  # the first half of the progress counted the checks
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        ctx.session.execute(insert(model), batch)
        done += len(batch)
        ctx.tick(done)


def _locate(ctx: _Context, pending: list[tuple[_Row, Any]]) -> None:
    """Set ``grid_code`` of each (row, input with lon/lat) from the territory locator;
    report points outside every grid with the nearest grid and its distance."""
    if not pending:
        return
    locator = territory.get_locator(ctx.session)
    batch = locator.locate_many([v.lon for _, v in pending], [v.lat for _, v in pending])
    for i, (row, value) in enumerate(pending):
        shown = f"{row.get('lon')}, {row.get('lat')}"
        index = int(batch.index[i])
        if index >= 0:
            value.grid_code = locator.grids[index].code
            if ctx.check_region(row, "lon", value.grid_code, grid=True):
                ctx.report.located += 1
            continue
        nearest = int(batch.nearest[i])
        if nearest < 0:
            ctx.problem(
                row,
                Problem("lon", "The point is outside every grid, and no grid has a boundary yet."),
                value=shown,
            )
            continue
        grid = locator.grids[nearest]
        ctx.problem(
            row,
            Problem(
                "lon",
                "The point is outside every grid; the nearest is %(code)s %(name)s, "
                "%(distance)s m away.",
                code=grid.code,
                name=grid.name,
                distance=f"{float(batch.distance_m[i]):,.0f}",
            ),
            value=shown,
        )


Writer = Callable[[], None]
