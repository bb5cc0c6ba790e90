"""Attacks through spreadsheets and GeoJSON, on both engines: formulas written back
into the ledger, oversized and bomb-like files, malformed GeoJSON at the CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.errors import InvalidInput
from gridgov.guard import rules as guard
from gridgov.registry.imports import Kind, read_table
from gridgov.registry.ledger import export_ledger_xlsx
from tests.audit.test_service import _cli_env
from tests.registry.test_imports import GRID_1, HOUSEHOLDS_CSV, make_territory, run_import
from tests.registry.test_ledger import QINGLAN

EVIL = ('=HYPERLINK("http://evil.example/x","点击")', "+cmd|' /C calc'!A0", "@SUM(1+1)")


def test_formula_cells_from_the_register_come_back_as_text_in_the_ledger(db: Database) -> None:
    # Given organisations whose names a clerk typed as formulas
    make_territory(db)
    assert run_import(db, Kind.HOUSEHOLDS, HOUSEHOLDS_CSV).ok
    rows = "".join(
        f'QL-E{n},"{name.replace(chr(34), chr(34) * 2)}",企业,,{GRID_1},否,\n'
        for n, name in enumerate(EVIL)
    )
    csv_text = "组织编码,名称,类型,上级组织编码,所属区域编码,澳资,统一社会信用代码\n" + rows
    report = run_import(db, Kind.ORGANISATIONS, csv_text)
    assert report.ok, report.problems
    # When the grid's ledger is exported
    with db.session() as session:
        data = export_ledger_xlsx(session, grid_code=GRID_1, viewer=QINGLAN)
    # Then no cell of any sheet is a formula, and the names read back as typed
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(archive.read(n).decode() for n in sheets)
    assert "<f>" not in xml
    assert "<f " not in xml
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    names = [row[1] for row in workbook["组织"].iter_rows(min_row=2, values_only=True)]
    assert set(EVIL) <= set(names)
    cells = [c for row in workbook["组织"].iter_rows(min_row=2) for c in row if c.value in EVIL]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed() -> None:
    data = b"a,b\n" * (guard.MAX_SHEET_BYTES // 4 + 1)
    with pytest.raises(InvalidInput, match="larger than"):
        read_table(data, filename="big.csv")


def test_a_file_over_the_row_cap_is_refused_with_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guard, "MAX_SHEET_ROWS", 1000)
    data = ("户号,地址\n" + "QL-1,青篮路\n" * 1001).encode()
    with pytest.raises(InvalidInput, match="more than"):
        read_table(data, filename="rows.csv")


def test_a_zip_bomb_workbook_is_refused_from_its_directory() -> None:
    # Given an XLSX whose sheet unpacks to 50 MB of repeated rows from a few hundred KB
    workbook = Workbook()
    sheet = workbook.create_sheet("户", 0)
    sheet.append(["户号", "地址"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    bombed = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(bombed, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"</sheetData>", b" " * (50 * 1024 * 1024) + b"</sheetData>"
                )
            target.writestr(item.filename, content)
    data = bombed.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(InvalidInput, match="unpacks"):
        read_table(data, filename="bomb.xlsx")


@pytest.mark.parametrize(
    "document",
    [
        "[1, 2, 3]",
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": [1]}]}',
        "[" * 50_000 + "]" * 50_000,
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
            }
        ),
    ],
    ids=["top-level-array", "properties-list", "deep-nesting", "deep-feature"],
)
def test_bad_geojson_at_the_cli_gets_a_message_not_a_traceback(
    settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, document: str
) -> None:
    _cli_env(monkeypatch, settings)
    path = tmp_path / "bad.geojson"
    path.write_text(document, encoding="utf-8")
    result = CliRunner().invoke(cli, ["territory", "import", str(path)])
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
