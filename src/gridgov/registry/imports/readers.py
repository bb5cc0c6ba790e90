"""Reading a CSV or XLSX file into a ``Table`` of text cells, within the size and row
caps of ``gridgov.guard``."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook

from gridgov.errors import InvalidInput
from gridgov.guard import rules as guard


@dataclass(frozen=True)
class Table:
    """A file's first sheet: its header row and the non-empty rows below it, each with
    its row number as the spreadsheet shows it (counting from 1)."""

    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[str]]]


def read_table(data: bytes, *, filename: str) -> Table:
    """Read CSV (UTF-8 with or without BOM, else GB18030) or XLSX (first sheet), within
    the size, row and column caps of ``gridgov.guard.rules`` (checked before the whole
    file is parsed; an XLSX's zip directory is checked before anything is unpacked)."""
    if len(data) > guard.MAX_SHEET_BYTES:
        raise InvalidInput(
            "The file is larger than %(n)s MB.", params={"n": guard.MAX_SHEET_BYTES // 2**20}
        )
    if data.startswith(b"PK\x03\x04"):
        return _table(_capped(_xlsx_rows(data)))
    if data.startswith(b"\xd0\xcf\x11\xe0") or filename.lower().endswith(".xls"):
        raise InvalidInput("Old .xls workbooks are not read: save the file as .xlsx or .csv.")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise InvalidInput("The file is not a readable XLSX workbook.")
    return _table(_capped(_csv_rows(data)))


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is neither UTF-8 nor GB18030 text.") from exc


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        for number, cells in enumerate(
            csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1
        ):
            yield number, [_cell_text(cell) for cell in cells]
    except csv.Error as exc:
        raise InvalidInput(
            "The CSV file cannot be read: %(reason)s", params={"reason": str(exc)}
        ) from exc


def _capped(rows: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, list[str]]]:
    for count, (number, cells) in enumerate(rows, start=1):
        if count > guard.MAX_SHEET_ROWS:
            raise InvalidInput(
                "The file has more than %(n)s rows: split it.", params={"n": guard.MAX_SHEET_ROWS}
            )
        if len(cells) > guard.MAX_SHEET_COLUMNS and any(cells[guard.MAX_SHEET_COLUMNS :]):
            raise InvalidInput(
                "Row %(row)s has more than %(n)s columns.",
                params={"row": number, "n": guard.MAX_SHEET_COLUMNS},
            )
        yield number, cells[: guard.MAX_SHEET_COLUMNS]


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [(i.filename, i.compress_size, i.file_size) for i in archive.infolist()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InvalidInput("The file is not a readable XLSX workbook.") from exc
    if guard.xlsx_bomb(entries):
        raise InvalidInput("The workbook unpacks to far more than its size: refused.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InvalidInput("The file is not a readable XLSX workbook.") from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some producers write a wrong <dimension>
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell_text(value) for value in values]
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Excel keeps 15 significant digits: a longer whole number has lost digits and
        # is left in exponent form so it is reported instead of silently altered.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    text = str(value).strip().strip("\ufeff\u200b").strip()
    return text.removeprefix("'")


def _table(rows: Iterable[tuple[int, list[str]]]) -> Table:
    """The header is the first non-empty row, passing over title rows above it (rows
    with a single filled cell, such as a merged 居民信息登记表): every template has at
    least two required columns."""
    lines = [(n, c) for n, c in rows if any(c)]
    if not lines:
        raise InvalidInput("The file is empty: it has no header row.")
    start = next((i for i, (_, c) in enumerate(lines) if sum(1 for x in c if x) >= 2), 0)
    number, headers = lines[start]
    headers = list(headers)
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, number, lines[start + 1 :])
