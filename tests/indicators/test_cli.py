"""``gridgov indicators …`` on a real database."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.indicators import service
from tests.audit.test_service import _cli_env
from tests.indicators.factories import GRID_1, OCTOBER, make_indicators_world

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    _cli_env(monkeypatch, settings)
    return db


def test_check_names_the_line_of_a_mistake(env: Database, tmp_path: Path) -> None:
    # given a tree whose satisfaction weighs 30 instead of 35
    text = service.shipped_text("three_rates").replace(
        "weight: 35\n    metric: satisfaction_rate", "weight: 30\n    metric: satisfaction_rate"
    )
    path = tmp_path / "three_rates.yaml"
    path.write_text(text, "utf-8")
    # when it is checked
    result = runner.invoke(cli, ["indicators", "check", str(path)])
    # then it is refused, naming the line of the indicators list and the sums
    line = text.splitlines().index("indicators:") + 1
    assert result.exit_code == 1
    assert f"line {line}" in result.output
    assert "95" in result.output


def test_load_compute_rank_and_export(env: Database, tmp_path: Path) -> None:
    make_indicators_world(env)
    loaded = runner.invoke(cli, ["indicators", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "three_rates: revision 1" in loaded.output
    computed = runner.invoke(
        cli, ["indicators", "compute", "three_rates", OCTOBER, "--now", "2026-11-30T09:30:00+00:00"]
    )
    assert computed.exit_code == 0, computed.output
    assert "8 units, final" in computed.output
    ranked = runner.invoke(cli, ["indicators", "rank", "three_rates", OCTOBER, "--league", "grid"])
    assert ranked.exit_code == 0, ranked.output
    assert GRID_1 in ranked.output
    assert "63.33" in ranked.output
    workbook = tmp_path / "october.xlsx"
    exported = runner.invoke(cli, ["indicators", "export", "three_rates", OCTOBER, str(workbook)])
    assert exported.exit_code == 0, exported.output
    assert len(openpyxl.load_workbook(workbook).sheetnames) >= 2
    missing = runner.invoke(cli, ["indicators", "rank", "three_rates", "2026-07"])
    assert missing.exit_code == 1
