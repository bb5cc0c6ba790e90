"""The gridgov command against a real database."""

from __future__ import annotations

import re
from datetime import date

import pytest
from typer.testing import CliRunner

from gridgov.accounts import service as accounts
from gridgov.cases.models import Holiday
from gridgov.cli import app as cli
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.territory import service as territory
from tests.audit.test_service import _cli_env
from tests.factories import make_district

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, db: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    _cli_env(monkeypatch, settings)
    return db


def test_user_create_list_disable_and_reset(env: Database) -> None:
    make_district(env)
    created = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--username",
            "Chen.Ming",
            "--role",
            "grid_worker",
            "--scope",
            "440512001",
            "--password",
            "Dahao-grid-0451",
        ],
    )
    assert created.exit_code == 0, created.output
    assert "chen.ming" in created.output
    listed = runner.invoke(cli, ["user", "list"])
    assert "chen.ming" in listed.output
    assert "440512001" in listed.output
    assert runner.invoke(cli, ["user", "disable", "chen.ming"]).exit_code == 0
    reset = runner.invoke(
        cli, ["user", "reset-password", "chen.ming", "--password", "New-Dahao-grid-77"]
    )
    assert reset.exit_code == 0, reset.output
    with env.session() as session:
        user = accounts.get_user_by_username(session, username="chen.ming")
        assert not user.is_active
        assert accounts.password_matches(user.password_hash, "New-Dahao-grid-77")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["--role", "mayor", "--scope", "440512"], "Unknown role", id="role"),
        pytest.param(["--role", "admin", "--scope", "4405"], "region code", id="scope"),
    ],
)
def test_user_create_explains_what_is_wrong(env: Database, args: list[str], message: str) -> None:
    result = runner.invoke(
        cli, ["user", "create", "--username", "li.na", "--password", "Guangao-77-xyz", *args]
    )
    assert result.exit_code == 1
    assert message in result.output


def test_a_common_password_is_refused(env: Database) -> None:
    result = runner.invoke(
        cli,
        [
            "user",
            "create",
            "--username",
            "li.na",
            "--role",
            "admin",
            "--scope",
            "440512",
            "--password",
            "qwertyuiop",
        ],
    )
    assert result.exit_code == 1
    assert "most common" in result.output


def test_apikey_create_prints_the_key_once_on_its_last_line(env: Database) -> None:
    result = runner.invoke(cli, ["apikey", "create", "--name", "12345-hotline"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("ggk_")
    with env.session() as session:
        found = accounts.authenticate_api_key(session, plaintext=key)
        assert found is not None
        assert found.name == "12345-hotline"
    listed = runner.invoke(cli, ["apikey", "list"])
    assert "12345-hotline" in listed.output
    assert key not in listed.output


def test_commands_run_as_the_cli_in_one_transaction_and_end_on_a_refusal(env: Database) -> None:
    make_district(env)
    # When a day is set and a region added (clikit.run: the CLI's actor, now, committed)
    holiday = runner.invoke(cli, ["cases", "holiday", "2027-10-01", "--note", "国庆节"])
    assert holiday.exit_code == 0, holiday.output
    args = ["region", "add", "--code", "44051200100109", "--name", "新网格", "--level", "grid"]
    added = runner.invoke(cli, [*args, "--parent", "440512001001"])
    assert added.exit_code == 0, added.output
    with env.session() as session:
        day = session.get(Holiday, date(2027, 10, 1))
        assert day is not None
        assert (day.is_workday, day.note) == (False, "国庆节")
        assert territory.find_region(session, code="44051200100109") is not None
    # Then the same region again is refused: the command ends with the reason, exit 1
    again = runner.invoke(cli, [*args, "--parent", "440512001001"])
    assert again.exit_code == 1


@pytest.mark.slow
def test_demo_build_makes_the_district_once(env: Database, settings: Settings) -> None:
    first = runner.invoke(cli, ["demo", "build", "--if-empty", "--cases", "40"])
    assert first.exit_code == 0, first.output
    assert "濠江区" in first.output
    credentials = (settings.data_dir / "demo-accounts.txt").read_text()
    assert "demo-admin\tadmin\tdemo-" in credentials
    # 头村's secretary, through whom the outreach demo keeps the member pipeline
    assert re.search(r"^demo-secretary-\d{12}\tbranch_secretary\tdemo-", credentials, re.M)
    again = runner.invoke(cli, ["demo", "build", "--if-empty", "--cases", "40"])
    assert again.exit_code == 0
    assert "not rebuilt" in again.output
    assert runner.invoke(cli, ["demo", "build"]).exit_code == 1
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0


def test_region_add_validates_nesting(env: Database) -> None:
    make_district(env)
    bad = runner.invoke(
        cli,
        [
            "region",
            "add",
            "--code",
            "440513001",
            "--name",
            "外区街道",
            "--level",
            "street",
            "--parent",
            "440512",
        ],
    )
    assert bad.exit_code == 1
    assert "does not extend" in bad.output
