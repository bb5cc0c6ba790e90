"""Workbooks: templates to fill in, reports to read, and the formatting both share."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from gridgov.guard import rules as guard
from gridgov.registry.imports.report import ImportReport
from gridgov.registry.imports.templates import TEMPLATES
from gridgov.registry.imports.vocabulary import SHEET_NAMES, Kind


def first_sheet(workbook: Workbook) -> Worksheet:
    """The sheet a new workbook opens on (openpyxl types it as optional)."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("the workbook has no worksheet")
    return sheet


HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
TEMPLATE_ROWS = 5000


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_sheet(
    sheet: Any,
    headers: Sequence[str],
    *,
    widths: Sequence[int] | None = None,
    title: str = "",
) -> None:
    """Bold frozen header row, column widths, autofilter, and A4 landscape printing
    with the header repeated on every page."""
    for index, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        width = widths[index - 1] if widths else display_width(header) + 2
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(width, 50))
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(sheet.max_row, 1)}"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.gridLines = True
    if title:
        sheet.oddHeader.center.text = title
    sheet.oddFooter.center.text = "&P / &N"


def workbook_bytes(workbook: Any) -> bytes:
    """The workbook as XLSX bytes, every text cell that a spreadsheet would take for a
    formula (``=`` ``+`` ``-`` ``@``, tab, CR) made inert first: whatever a resident typed
    into the register comes back as text, never as a live formula. Every workbook gridgov
    writes goes through here."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and guard.looks_like_formula(cell.value):
                    # A text cell with Excel's quote prefix: shown as typed, never run.
                    cell.data_type = "s"
                    cell.quotePrefix = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_xlsx(kind: Kind) -> bytes:
    """An empty template: Chinese headers on the first sheet (required ones shaded, long
    numbers formatted as text, drop-downs for enumerated columns) and a second sheet
    describing each column with its English key and an example."""
    kind = Kind(kind)
    columns = TEMPLATES[kind]
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = SHEET_NAMES[kind]
    sheet.append([c.header for c in columns])
    format_sheet(
        sheet,
        [c.header for c in columns],
        widths=[max(display_width(c.header), display_width(c.example)) + 4 for c in columns],
    )
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.required:
            sheet.cell(row=1, column=index).fill = REQUIRED_FILL
        if column.text:
            # A column style: Excel and WPS keep what is typed there as text, so
            # 18-digit numbers keep their last digits.
            sheet.column_dimensions[letter].number_format = "@"
        if column.choices:
            validation = DataValidation(
                type="list", formula1='"' + ",".join(column.choices) + '"', allow_blank=True
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
            sheet.add_data_validation(validation)
    notes = workbook.create_sheet("说明")
    headers = [
        "列 column",
        "键 key",
        "English",
        "必填 required",
        "说明 description",
        "示例 example",
    ]
    notes.append(headers)
    for column in columns:
        notes.append(
            [
                column.header,
                column.key,
                column.english,
                "是" if column.required else "否",
                column.description,
                column.example,
            ]
        )
    format_sheet(notes, headers, widths=[16, 20, 20, 14, 70, 24])
    for row in notes.iter_rows(min_row=2):
        row[4].alignment = Alignment(wrap_text=True, vertical="top")
    return workbook_bytes(workbook)


def template_csv(kind: Kind) -> bytes:
    """An empty CSV template: the Chinese header row, UTF-8 with a BOM so Excel opens it
    in Chinese."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([c.header for c in TEMPLATES[Kind(kind)]])
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(
    report: ImportReport, *, translate: Callable[[str, dict[str, Any]], str] | None = None
) -> bytes:
    """The row-by-row error report: 行 (row), 列 (column), 值 (value), 原因 (reason).
    ``translate(message, params)`` renders reasons in the reader's language; English
    otherwise."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "错误"
    headers = ["行", "列", "值", "原因"]
    sheet.append(headers)
    for problem in report.problems:
        reason = translate(problem.message, problem.params) if translate else problem.reason
        sheet.append([problem.row, problem.column, problem.value, reason])
    for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        row[0].number_format = "@"
    format_sheet(sheet, headers, widths=[8, 18, 26, 90], title=f"{report.file}: {report.kind}")
    return workbook_bytes(workbook)
