"""Rankings and scorecards of a computed snapshot as workbooks to print, and the
rankings as CSV to analyse.

``rankings_xlsx``: one sheet per league in the viewer's scope (rank, movement, unit,
name, total, band in its colour, the points of each top-level indicator), then a
"Scorecards" sheet with every unit's expanded scorecard, one unit per printed page.
``scorecard_xlsx``: one unit's scorecard and its totals over the computed periods.
``rankings_csv``: one row per unit of every league, with every leaf's raw value and
points.

Printing: A4, rankings landscape and scorecards portrait, fitted to the page width,
the title row (tree, period, provisional or final, computed at and by) and the header
row repeated on every page. Labels go through the catalogue of ``lang``; indicator
names come from the tree (Chinese for zh_Hans and zh_Hant, English otherwise).

The CSV is returned as text without a byte-order mark: the route encodes it with
``CSV_ENCODING`` ("utf-8-sig"), which adds the BOM Excel needs to read UTF-8.
A name a spreadsheet would take for a formula (=, +, -, @) is written as text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from gridgov import i18n
from gridgov.audit.service import Actor
from gridgov.indicators import service
from gridgov.indicators.models import IndicatorScore, IndicatorSnapshot, IndicatorTree
from gridgov.indicators.rules import Tree
from gridgov.registry.imports import display_width, first_sheet, workbook_bytes

CSV_ENCODING = "utf-8-sig"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFICE_TZ = ZoneInfo("Asia/Shanghai")

# Excel's own good / neutral / bad cell colours.
BAND_COLOURS = {"green": "C6EFCE", "amber": "FFEB9C", "red": "FFC7CE"}
BAND_FILLS = {band: PatternFill("solid", fgColor=rgb) for band, rgb in BAND_COLOURS.items()}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
UNIT_FILL = PatternFill("solid", fgColor="F2F2F2")
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)
POINTS_FORMAT = "0.00##"
MOVEMENT_FORMAT = "+0;-0;0"
TITLE_ROW, HEADER_ROW = 1, 2
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})

Translate = Callable[..., str]


def translator(lang: str) -> Translate:
    """``_(msgid, **params)`` in ``lang``, outside a request."""

    def _(message: str, **params: Any) -> str:
        return i18n.gettext(lang, message, params or None)

    return _


def name_in(lang: str, name_zh: str, name_en: str) -> str:
    return name_zh if lang.startswith("zh") else name_en


# -- the rankings ------------------------------------------------------------------


def rankings_xlsx(
    session: Session,
    snapshot: IndicatorSnapshot,
    scope: str | None,
    lang: str,
    *,
    tz: ZoneInfo = OFFICE_TZ,
) -> bytes:
    """Every league of ``snapshot`` within ``scope``, then every unit's scorecard."""
    _ = translator(lang)
    tree_row, tree = service.snapshot_tree(session, snapshot)
    workbook = Workbook()
    workbook.remove(first_sheet(workbook))
    workbook.properties.title = _title(_, lang, tree_row, snapshot, tz)
    tables = [
        (league, service.league_table(session, snapshot, league, scope))
        for league in service.leagues(session, snapshot, scope)
    ]
    for league, rows in tables:
        _league_sheet(workbook, _, lang, tree_row, tree, snapshot, league, rows, tz)
    cards = workbook.create_sheet(_sheet_title(workbook, _("Scorecards")))
    _scorecard_header(cards, _, _title(_, lang, tree_row, snapshot, tz))
    row = HEADER_ROW + 1
    blocks = [(league, score) for league, rows in tables for score in rows]
    for index, (league, score) in enumerate(blocks):
        row = _scorecard_block(cards, _, lang, tree, league, score, row)
        if index < len(blocks) - 1:
            cards.row_breaks.append(Break(id=row - 1))
    _print_setup(cards, landscape=False)
    return workbook_bytes(workbook)


def _league_sheet(
    workbook: Workbook,
    _: Translate,
    lang: str,
    tree_row: IndicatorTree,
    tree: Tree,
    snapshot: IndicatorSnapshot,
    league: str,
    rows: Sequence[IndicatorScore],
    tz: ZoneInfo,
) -> None:
    sheet = workbook.create_sheet(_sheet_title(workbook, _(league)))
    tops = [name_in(lang, top.name_zh, top.name_en) for top in tree.indicators]
    headers = [_("Rank"), _("Movement"), _("Unit code"), _("Name"), _("Total"), _("Band"), *tops]
    title = f"{_title(_, lang, tree_row, snapshot, tz)} · {_(league)}"
    _title_and_headers(sheet, title, headers)
    widths = [display_width(h) + 2 for h in headers]
    for offset, score in enumerate(rows):
        row = HEADER_ROW + 1 + offset
        nodes = json.loads(score.detail)["nodes"]
        movement = None if score.previous_rank is None else score.previous_rank - score.rank
        values: list[Any] = [
            score.rank,
            movement,
            score.unit,
            score.unit_name,
            score.total,
            _(score.band),
            *(nodes.get(top.id) for top in tree.indicators),
        ]
        for column, value in enumerate(values, start=1):
            cell = _put(sheet, row, column, value)
            widths[column - 1] = max(widths[column - 1], display_width(_shown(value)) + 2)
            if column == 2:
                cell.number_format = MOVEMENT_FORMAT
            elif column == 5 or column > 6:
                cell.number_format = POINTS_FORMAT
        band_cell = sheet.cell(row=row, column=6)
        band_cell.fill = BAND_FILLS.get(score.band, PatternFill())
        band_cell.alignment = Alignment(horizontal="center")
    _widths(sheet, widths)
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=5).coordinate  # rank…name stay
    if rows:
        last = get_column_letter(len(headers))
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + len(rows)}"
    _print_setup(sheet, landscape=True)


# -- scorecards --------------------------------------------------------------------


def scorecard_xlsx(
    session: Session,
    snapshot: IndicatorSnapshot,
    unit: str,
    viewer: Actor,
    lang: str,
    *,
    tz: ZoneInfo = OFFICE_TZ,
) -> bytes:
    """One unit's scorecard and its totals in every computed period of the tree;
    NotFound when the unit is not in the snapshot or outside the viewer's scope."""
    score = service.score_of(session, snapshot, unit, viewer)
    _ = translator(lang)
    tree_row, tree = service.snapshot_tree(session, snapshot)
    workbook = Workbook()
    workbook.remove(first_sheet(workbook))
    title = _title(_, lang, tree_row, snapshot, tz)
    workbook.properties.title = f"{title} · {score.unit_name}"
    sheet = workbook.create_sheet(_sheet_title(workbook, _("Scorecard")))
    _scorecard_header(sheet, _, title)
    _scorecard_block(sheet, _, lang, tree, score.league, score, HEADER_ROW + 1)
    _print_setup(sheet, landscape=False)
    history = workbook.create_sheet(_sheet_title(workbook, _("Totals by period")))
    headers = [_("Period"), _("Total"), _("Rank"), _("Movement"), _("Band"), _("Status")]
    _title_and_headers(
        history,
        f"{name_in(lang, tree.name_zh, tree.name_en)} · {score.unit} {score.unit_name}",
        headers,
    )
    widths = [display_width(h) + 2 for h in headers]
    row = HEADER_ROW + 1
    for other, past in service.unit_history(session, snapshot.tree_key, unit, viewer.scope):
        movement = None if past.previous_rank is None else past.previous_rank - past.rank
        values: list[Any] = [
            other.period,
            past.total,
            past.rank,
            movement,
            _(past.band),
            _("Final") if other.final else _("Provisional"),
        ]
        for column, value in enumerate(values, start=1):
            cell = _put(history, row, column, value)
            widths[column - 1] = max(widths[column - 1], display_width(_shown(value)) + 2)
            if column == 2:
                cell.number_format = POINTS_FORMAT
            elif column == 4:
                cell.number_format = MOVEMENT_FORMAT
        history.cell(row=row, column=5).fill = BAND_FILLS.get(past.band, PatternFill())
        row += 1
    _widths(history, widths)
    history.freeze_panes = f"A{HEADER_ROW + 1}"
    _print_setup(history, landscape=False)
    return workbook_bytes(workbook)


SCORECARD_WIDTHS = (40, 9, 12, 10, 42, 24)


def _scorecard_header(sheet: Worksheet, _: Translate, title: str) -> None:
    headers = [_("Indicator"), _("Weight"), _("Raw value"), _("Points"), _("Formula"), _("Note")]
    _title_and_headers(sheet, title, headers)
    _widths(sheet, SCORECARD_WIDTHS)
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"


def _scorecard_block(
    sheet: Worksheet,
    _: Translate,
    lang: str,
    tree: Tree,
    league: str,
    score: IndicatorScore,
    row: int,
) -> int:
    """Write one unit's scorecard from ``row``; returns the row after its last line."""
    heading = (
        f"{_(league)} · {_('Rank')} {score.rank} · {score.unit} {score.unit_name}"
        f" · {_('Total')} {score.total:g} · {_(score.band)}"
    )
    _put(sheet, row, 1, heading).font = BOLD
    for column in range(1, len(SCORECARD_WIDTHS) + 1):
        sheet.cell(row=row, column=column).fill = BAND_FILLS.get(score.band, UNIT_FILL)
    row += 1
    for line in service.expand(tree, score):
        name = _put(sheet, row, 1, name_in(lang, line.name_zh, line.name_en))
        name.alignment = Alignment(indent=2 * line.depth, wrap_text=True, vertical="top")
        sheet.cell(row=row, column=2, value=line.weight)
        if line.leaf:
            raw = sheet.cell(row=row, column=3, value=line.raw)
            if line.raw is not None and line.raw != int(line.raw):
                raw.number_format = "0.0000"  # rates and ratios; counts stay as they are
        points = sheet.cell(row=row, column=4, value=line.points)
        points.number_format = POINTS_FORMAT
        _put(sheet, row, 5, line.formula).alignment = Alignment(wrap_text=True, vertical="top")
        _put(sheet, row, 6, _(line.note) if line.note else "")
        if not line.leaf:
            for column in (1, 2, 4):
                sheet.cell(row=row, column=column).font = BOLD
        row += 1
    _put(sheet, row, 1, _("Total")).font = BOLD
    sheet.cell(row=row, column=2, value=tree.total)
    total = sheet.cell(row=row, column=4, value=score.total)
    total.number_format, total.font = POINTS_FORMAT, BOLD
    return row + 2  # a blank row before the next unit (or the page break)


# -- CSV ---------------------------------------------------------------------------


def rankings_csv(
    session: Session, snapshot: IndicatorSnapshot, scope: str | None, lang: str
) -> str:
    """One row per unit of every league within ``scope``: league, rank, previous rank,
    unit, name, total, band, then each leaf's raw value and points. No BOM: encode
    with ``CSV_ENCODING``."""
    _ = translator(lang)
    _tree_row, tree = service.snapshot_tree(session, snapshot)
    leaves = tree.leaves()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("League"),
            _("Rank"),
            _("Previous rank"),
            _("Unit code"),
            _("Name"),
            _("Total"),
            _("Band"),
            *(f"{leaf.id}: {label}" for leaf in leaves for label in (_("Raw value"), _("Points"))),
        ]
    )
    for league in service.leagues(session, snapshot, scope):
        for score in service.league_table(session, snapshot, league, scope):
            detail = json.loads(score.detail)["leaves"]
            cells: list[Any] = [
                _(league),
                score.rank,
                "" if score.previous_rank is None else score.previous_rank,
                score.unit,
                _csv_text(score.unit_name),
                score.total,
                _(score.band),
            ]
            for leaf in leaves:
                raw, points, _note = detail.get(leaf.id, [None, None, ""])
                cells += ["" if raw is None else raw, "" if points is None else points]
            writer.writerow(cells)
    return buffer.getvalue()


def _csv_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


# -- sheet helpers -----------------------------------------------------------------


def _title(
    _: Translate, lang: str, tree_row: IndicatorTree, snapshot: IndicatorSnapshot, tz: ZoneInfo
) -> str:
    state = _("Final") if snapshot.final else _("Provisional")
    computed = _(
        "Computed at %(time)s by %(user)s",
        time=_local(snapshot.computed_at, tz),
        user=snapshot.computed_by,
    )
    name = name_in(lang, tree_row.name_zh, tree_row.name_en)
    return f"{name} · {snapshot.period} · {state} · {computed}"


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _title_and_headers(sheet: Worksheet, title: str, headers: Sequence[str]) -> None:
    cell = _put(sheet, TITLE_ROW, 1, title)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(vertical="center")
    sheet.row_dimensions[TITLE_ROW].height = 22
    for column, header in enumerate(headers, start=1):
        cell = _put(sheet, HEADER_ROW, column, header)
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(vertical="center", horizontal="center", wrap_text=True)
    sheet.print_title_rows = f"{TITLE_ROW}:{HEADER_ROW}"
    footer: Any = sheet.oddFooter
    footer.center.text = "&P / &N"  # page numbers


def _print_setup(sheet: Worksheet, *, landscape: bool) -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # type: ignore[union-attr]
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6


def _widths(sheet: Worksheet, widths: Sequence[int]) -> None:
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = max(6, min(width, 50))


def _put(sheet: Worksheet, row: int, column: int, value: Any) -> Any:
    """Set a cell; text is kept as text even when it starts like a formula."""
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _sheet_title(workbook: Workbook, label: str) -> str:
    """A valid sheet name (31 characters, no []:*?/\\), unique in the workbook."""
    base = label.translate(_SHEET_FORBIDDEN).strip("'")[:31] or "Sheet"
    title, n = base, 2
    while title in workbook.sheetnames:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title
