"""Configuration: ``GRIDGOV_*`` environment variables, then an optional ``gridgov.toml``.

Secret keys are never stored in the database nor committed: each is taken from its
environment variable or, failing that, from a file in ``<data_dir>/secrets/`` that is
generated (mode 0600) the first time it is needed.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SUPPORTED_LANGUAGES = ("zh_Hans", "zh_Hant", "en", "ko", "ja", "vi")
KEY_NAMES = ("session", "audit", "field")
KEY_BYTES = 32


def _toml_file() -> Path:
    return Path(os.environ.get("GRIDGOV_CONFIG", "gridgov.toml"))


class Settings(BaseSettings):
    """Everything an installation may configure. See README, "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="GRIDGOV_", extra="ignore")

    data_dir: Path = Field(default=Path("data"))
    database_url: str | None = None
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh_Hans"
    # Secret keys, base64 (url-safe) of 32 random bytes. Empty: read or make the file.
    session_key: str | None = None
    audit_key: str | None = None
    field_key: str | None = None
    # Sessions and login throttling.
    session_hours: int = 12
    token_hours: int = 24 * 7
    login_window_minutes: int = 15
    login_max_failures_per_ip: int = 10
    login_max_failures_per_account: int = 10
    secure_cookies: bool = False
    # Rate limits on public and staff writes (guard/rules.py) multiplied by this: above 1
    # for a hotline centre whose operators file hundreds of calls an hour, or a load test.
    rate_limit_factor: float = Field(default=1.0, ge=1.0, le=1_000_000.0)
    # Audit retention: rows younger than this are never purged (the floor is 180).
    audit_retention_days: int = 180
    log_level: str = "INFO"
    # A base map, only where a tile server is reachable (the grids draw without one),
    # e.g. "https://tiles.intranet.example/{z}/{x}/{y}.png".
    map_tile_url: str | None = None
    map_tile_attribution: str = ""
    # The case sweep and outbox delivery inside the server, every N seconds (0: off,
    # e.g. when a separate `gridgov cases sweep` runs from cron).
    sweep_seconds: int = 60
    # Train the report classifier and the spam screen in the background at start-up, so
    # the first report after a restart does not wait for them (several seconds).
    warm_models: bool = True
    # "log" writes notifications to the log; "record" keeps them in memory (demo, tests).
    notify_mode: str = "log"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=_toml_file()),
        )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        normalised = value.replace("-", "_")
        if normalised not in SUPPORTED_LANGUAGES:
            raise ValueError(f"language must be one of {', '.join(SUPPORTED_LANGUAGES)}")
        return normalised

    @field_validator("audit_retention_days")
    @classmethod
    def _retention_floor(cls, value: int) -> int:
        if value < 180:
            raise ValueError("audit rows are kept at least 180 days")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'gridgov.sqlite3').resolve()}"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def keys(self) -> Keys:
        return Keys(
            session=_load_key(self.data_dir, "session", self.session_key),
            audit=_load_key(self.data_dir, "audit", self.audit_key),
            field=_load_key(self.data_dir, "field", self.field_key),
        )


@dataclass(frozen=True)
class Keys:
    session: bytes
    audit: bytes
    field: bytes


class ConfigError(ValueError):
    """A configured key is malformed."""


def _decode_key(name: str, text: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as exc:
        raise ConfigError(f"GRIDGOV_{name.upper()}_KEY is not valid base64") from exc
    if len(raw) < KEY_BYTES:
        raise ConfigError(f"GRIDGOV_{name.upper()}_KEY must hold at least {KEY_BYTES} bytes")
    return raw


def _load_key(data_dir: Path, name: str, from_env: str | None) -> bytes:
    if from_env:
        return _decode_key(name, from_env)
    directory = data_dir / "secrets"
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / f"{name}.key"
    if path.exists():
        return _decode_key(name, path.read_text())
    text = base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode()
    temporary = directory / f".{name}.key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        # link() is atomic and refuses an existing name: when several processes start
        # at once, exactly one key wins and every process reads that one.
        os.link(temporary, path)
    except FileExistsError:
        text = path.read_text()
    finally:
        temporary.unlink()
    return _decode_key(name, text)


def get_settings(**overrides: Any) -> Settings:
    return Settings(**overrides)
