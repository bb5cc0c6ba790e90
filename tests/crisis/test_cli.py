"""``gridgov crisis …`` on a real database: the sweep moves time, the list counts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.crisis import service
from gridgov.crisis.models import HouseholdCheckin, Incident
from gridgov.db import Database
from tests.audit.test_service import _cli_env
from tests.conftest import FIXED_NOW
from tests.crisis.factories import make_world, open_typhoon

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    _cli_env(monkeypatch, settings)
    return db


def test_the_sweep_anonymises_a_closed_incident_once_its_retention_is_over(
    env: Database, tmp_path: Path
) -> None:
    # given a typhoon incident closed on 30 November, kept 7 days
    world = make_world(env)
    incident_id = open_typhoon(env, world, retention_days=7)
    with env.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        service.do_close_incident(session, actor=world.leader, incident=incident, now=FIXED_NOW)
    # when the sweep runs on 6 December: nothing goes
    early = runner.invoke(cli, ["crisis", "sweep", "--now", "2026-12-06T09:00:00+00:00"])
    assert early.exit_code == 0, early.output
    assert "0 check-in(s) anonymised" in early.output
    # and on 7 December, seven days after closing: every flag goes
    late = runner.invoke(cli, ["crisis", "sweep", "--now", "2026-12-07T09:30:00+00:00"])
    assert "5 check-in(s) anonymised" in late.output
    with env.session() as session:
        assert set(session.scalars(select(HouseholdCheckin.flags))) == {""}
    # and the list and the workbook still show the incident, without flags
    listed = runner.invoke(cli, ["crisis", "list"])
    assert "0/5" in listed.output
    path = tmp_path / "typhoon.xlsx"
    exported = runner.invoke(cli, ["crisis", "export", str(incident_id), str(path)])
    assert exported.exit_code == 0, exported.output
    sheet = openpyxl.load_workbook(path)["入户情况"]
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == [None] * 5


def test_a_time_without_a_zone_is_refused(env: Database) -> None:
    result = runner.invoke(cli, ["crisis", "sweep", "--now", "2026-12-07T09:30:00"])
    assert result.exit_code != 0
