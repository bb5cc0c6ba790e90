"""Configuration: environment, gridgov.toml, and secret keys outside the database."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from gridgov.config import ConfigError, Settings


def test_defaults_put_sqlite_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings(data_dir=tmp_path / "d")
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'd' / 'gridgov.sqlite3'}"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_language == "zh_Hans"


def test_environment_wins_over_the_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a gridgov.toml and one environment variable
    (tmp_path / "gridgov.toml").write_text(
        'timezone = "Asia/Macau"\ndefault_language = "zh-Hant"\nsession_hours = 8\n'
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRIDGOV_SESSION_HOURS", "4")
    # When settings load
    settings = Settings()
    # Then the file fills what the environment leaves open
    assert settings.timezone == "Asia/Macau"
    assert settings.default_language == "zh_Hant"
    assert settings.session_hours == 4


def test_unknown_time_zone_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="unknown time zone"):
        Settings(data_dir=tmp_path, timezone="Asia/Haojiang")


def test_retention_below_180_days_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="180"):
        Settings(data_dir=tmp_path, audit_retention_days=90)


def test_keys_are_generated_once_with_mode_0600(tmp_path: Path) -> None:
    # Given an empty data directory, when keys are first needed
    first = Settings(data_dir=tmp_path).keys
    # then three distinct 32-byte keys exist in files only the owner can read
    assert len({first.session, first.audit, first.field}) == 3
    for name in ("session", "audit", "field"):
        path = tmp_path / "secrets" / f"{name}.key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700
    # and a second start reads the same keys
    assert Settings(data_dir=tmp_path).keys == first


def test_keys_from_the_environment_are_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = bytes(range(32))
    monkeypatch.setenv("GRIDGOV_AUDIT_KEY", base64.urlsafe_b64encode(raw).decode())
    settings = Settings(data_dir=tmp_path)
    assert settings.keys.audit == raw
    assert not (tmp_path / "secrets" / "audit.key").exists()


def test_a_short_key_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, field_key=base64.urlsafe_b64encode(b"short").decode())
    with pytest.raises(ConfigError, match="at least 32 bytes"):
        _ = settings.keys
