"""Rankings and scorecards as printable XLSX and as CSV, on both engines: the league
sheets in rank order with the snapshot's totals and band colours, print settings, one
printed page per scorecard, the viewer's scope, the CSV's rows."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import NotFound
from gridgov.indicators import service
from gridgov.indicators.export import (
    BAND_COLOURS,
    CSV_ENCODING,
    rankings_csv,
    rankings_xlsx,
    scorecard_xlsx,
)
from gridgov.indicators.models import IndicatorSnapshot
from gridgov.web.i18n import gettext
from tests.conftest import FIXED_NOW
from tests.indicators.factories import (
    GRID_1,
    GRID_2,
    GRID_3,
    OCTOBER,
    TZ,
    compute_october,
    make_indicators_world,
)

FIRST_ROW = 3  # title row, header row, then the units
GRID_1_WORKER = Actor(username="qinglan.worker", role="grid_worker", user_id=5, scope=GRID_1)
QINGLAN_STREET = "440512001"
PROVISIONAL_NOW = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # within October's 10 settle days
DISTRICT = "440512"  # a scope of None sees nothing, as in the service


@pytest.fixture
def october(db: Database) -> int:
    """The indicators world with the three-rate evaluation of October computed while
    the month is still provisional."""
    make_indicators_world(db)
    return compute_october(db, "three_rates", now=PROVISIONAL_NOW)


def _snapshot(session: Session, snapshot_id: int) -> IndicatorSnapshot:
    snapshot = session.get(IndicatorSnapshot, snapshot_id)
    assert snapshot is not None
    return snapshot


def _units(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [row for row in sheet.iter_rows(min_row=FIRST_ROW, values_only=True) if row[0]]


def _all_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def test_grid_sheet_lists_the_grids_in_rank_order_with_the_snapshots_totals(
    db: Database, october: int
) -> None:
    # given: October computed (grid 2 full marks, grid 3 no cases, grid 1 weakest)
    with db.session() as session:
        snapshot = _snapshot(session, october)
        expected = [
            (s.rank, s.unit, s.unit_name, s.total, s.band)
            for s in service.league_table(session, snapshot, "grid", DISTRICT)
        ]
        # when: the rankings are exported in English
        data = rankings_xlsx(session, snapshot, DISTRICT, "en")
    # then: the grid sheet lists them in rank order with the stored totals and bands
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[gettext("en", "grid")]
    rows = _units(sheet)
    assert [(r[0], r[2], r[3], r[4]) for r in rows] == [e[:4] for e in expected]
    assert [r[2] for r in rows] == [GRID_2, GRID_3, GRID_1]
    assert rows[0][4] == 100.0
    assert rows[2][4] == pytest.approx(22.5 + 17.5 + 35 * 2 / 3, abs=1e-3)
    # the top-level indicators' points follow: grid 1 responded 3 of 4 in time (30 × 3/4)
    assert rows[2][6:9] == (22.5, 17.5, pytest.approx(23.3333, abs=1e-4))
    # and each band cell is filled with its band's colour
    for offset, (*_rest, band) in enumerate(expected):
        cell = sheet.cell(row=FIRST_ROW + offset, column=6)
        assert cell.value == gettext("en", band)
        assert str(cell.fill.fgColor.rgb).endswith(BAND_COLOURS[band])
    assert {e[4] for e in expected} == {"green", "amber", "red"}


def test_rankings_workbook_is_set_up_for_printing(db: Database, october: int) -> None:
    # given: October computed
    with db.session() as session:
        snapshot = _snapshot(session, october)
        units = sum(
            len(service.league_table(session, snapshot, league, DISTRICT))
            for league in service.leagues(session, snapshot, DISTRICT)
        )
        # when: the rankings are exported in Chinese
        data = rankings_xlsx(session, snapshot, DISTRICT, "zh_Hans")
    workbook = load_workbook(io.BytesIO(data))
    grid = workbook[gettext("zh_Hans", "grid")]
    cards = workbook[gettext("zh_Hans", "Scorecards")]
    # then: A4, fitted to the width, title and header rows repeated, header frozen
    for sheet, orientation in ((grid, "landscape"), (cards, "portrait")):
        assert str(sheet.page_setup.paperSize) == Worksheet.PAPERSIZE_A4 == "9"
        assert sheet.page_setup.orientation == orientation
        assert sheet.page_setup.fitToWidth == 1
        fit = sheet.sheet_properties.pageSetUpPr
        assert fit is not None
        assert fit.fitToPage is True
        assert sheet.print_title_rows == "$1:$2"
        assert sheet.freeze_panes is not None
        assert int(sheet.freeze_panes[-1]) == FIRST_ROW
    # the title names the tree, the period and that October is still provisional
    title = str(grid.cell(row=1, column=1).value)
    assert "三率考核" in title
    assert OCTOBER in title
    assert gettext("zh_Hans", "Provisional") in title
    assert "2026-11-05 10:00" in title  # computed at, in Shanghai time
    # and the scorecards print one unit per page: a break between consecutive units
    assert units == 3 + 2 + 2 + 1  # grids, communities, streets, the department
    assert len(cards.row_breaks.brk) == units - 1
    # each scorecard shows the indicators with their Chinese names and formulas
    text = "\n".join(str(v) for row in cards.iter_rows(values_only=True) for v in row if v)
    assert text.count("响应率") == units
    assert "30 × min(1, raw / 1)" in text


def test_scorecards_indent_the_nodes_of_a_nested_tree(db: Database) -> None:
    # given: the organisational-strength index computed for October
    make_indicators_world(db)
    snapshot_id = compute_october(db, "org_strength")
    with db.session() as session:
        # when: its rankings are exported
        data = rankings_xlsx(session, _snapshot(session, snapshot_id), DISTRICT, "en")
    cards = load_workbook(io.BytesIO(data))[gettext("en", "Scorecards")]
    # then: a first-level area is flush left and its indicators are indented under it
    indent = {
        str(row[0].value): row[0].alignment.indent
        for row in cards.iter_rows(min_row=FIRST_ROW)
        if row[0].value
    }
    assert indent["Political function"] == 0
    assert indent["Meetings and party lessons held"] > 0


def test_a_scope_leaves_out_other_streets_units(db: Database, october: int) -> None:
    # given: October computed for both streets
    with db.session() as session:
        snapshot = _snapshot(session, october)
        # when: a viewer of 达濠街道 exports the rankings
        data = rankings_xlsx(session, snapshot, QINGLAN_STREET, "en")
        everything = rankings_xlsx(session, snapshot, DISTRICT, "en")
    workbook = load_workbook(io.BytesIO(data))
    # then: only that street's grids are listed, and 广澳街道's grid appears nowhere
    assert [r[2] for r in _units(workbook[gettext("en", "grid")])] == [GRID_2, GRID_1]
    assert GRID_3 not in _all_text(data)
    assert GRID_3 in _all_text(everything)
    # the district department is outside the street's area: no sheet for it
    assert gettext("en", "department") not in workbook.sheetnames
    cards = workbook[gettext("en", "Scorecards")]
    assert len(cards.row_breaks.brk) == 2 + 1 + 1 - 1  # grids, community, street


def test_csv_has_one_row_per_unit_with_every_leaf(db: Database, october: int) -> None:
    # given: October computed
    with db.session() as session:
        snapshot = _snapshot(session, october)
        units = sum(
            len(service.league_table(session, snapshot, league, DISTRICT))
            for league in service.leagues(session, snapshot, DISTRICT)
        )
        # when: the rankings are exported as CSV, and for one street
        text = rankings_csv(session, snapshot, DISTRICT, "en")
        street_text = rankings_csv(session, snapshot, QINGLAN_STREET, "en")
    header, *rows = list(csv.reader(io.StringIO(text)))
    # then: one row per unit, each with the raw value and points of the three leaves
    assert len(rows) == units == 8
    assert header[7:] == [
        f"{leaf}: {gettext('en', label)}"
        for leaf in ("response", "resolution", "satisfaction")
        for label in ("Raw value", "Points")
    ]
    grid_1 = next(row for row in rows if row[3] == GRID_1)
    assert grid_1[0] == gettext("en", "grid")
    assert grid_1[1] == "3"
    assert grid_1[2] == ""  # no September snapshot: no previous rank
    assert [float(v) for v in grid_1[7:9]] == [0.75, 22.5]
    assert float(grid_1[5]) == pytest.approx(63.3333, abs=1e-4)
    # the street's export leaves out 广澳街道 (its grid, community and street)
    assert len(list(csv.reader(io.StringIO(street_text)))) - 1 == units - 4
    assert GRID_3 not in street_text
    # the route's encoding puts the BOM in front that Excel needs
    assert text.encode(CSV_ENCODING).startswith(b"\xef\xbb\xbf")


def test_scorecard_of_a_unit_with_its_totals_over_the_periods(db: Database) -> None:
    # given: September (no cases, final) and October (provisional) computed
    make_indicators_world(db)
    with db.transaction() as session:
        service.ensure_shipped(session, now=FIXED_NOW)
        service.compute(
            session,
            key="three_rates",
            period="2026-09",
            now=FIXED_NOW,
            actor=Actor.system(),
            tz=TZ,
        )
    snapshot_id = compute_october(db, "three_rates", now=PROVISIONAL_NOW)
    with db.session() as session:
        snapshot = _snapshot(session, snapshot_id)
        # when: grid 1's worker exports grid 1's scorecard
        data = scorecard_xlsx(session, snapshot, GRID_1, GRID_1_WORKER, "zh_Hans")
    workbook = load_workbook(io.BytesIO(data))
    card, history = workbook.worksheets
    # then: the scorecard lists the three rates with grid 1's points
    lines = {row[0]: row for row in card.iter_rows(min_row=FIRST_ROW, values_only=True)}
    assert lines["响应率"][1:4] == (30, 0.75, 22.5)
    assert lines["解决率"][1:4] == (35, 0.5, 17.5)
    assert card.page_setup.orientation == "portrait"
    # and its totals: September full marks (nothing to divide by), October 63.33
    periods = [row for row in history.iter_rows(min_row=FIRST_ROW, values_only=True) if row[0]]
    assert [row[0] for row in periods] == ["2026-09", OCTOBER]
    assert periods[0][1] == 100.0
    assert periods[1][1] == pytest.approx(63.3333, abs=1e-4)
    assert periods[1][3] == 1 - 3  # first of the grids in September, third in October
    assert [row[5] for row in periods] == [gettext("zh_Hans", s) for s in ("Final", "Provisional")]


def test_scorecard_refuses_a_unit_outside_the_viewers_scope(db: Database, october: int) -> None:
    # given: October computed, and grid 1's worker
    with db.session() as session:
        snapshot = _snapshot(session, october)
        # when / then: grid 3 (another street) is not found for them
        with pytest.raises(NotFound):
            scorecard_xlsx(session, snapshot, GRID_3, GRID_1_WORKER, "en")
        # and a unit that is not in the snapshot at all is not found either
        with pytest.raises(NotFound):
            scorecard_xlsx(session, snapshot, "44051200100199", GRID_1_WORKER, "en")
