"""What every ``gridgov`` sub-command shares: the consoles, the settings, the database,
the acting system user, the clock and the way a refused action ends the command.

Domain CLIs (``cases/cli.py``, ``indicators/cli.py``, …) import these from here rather
than from ``gridgov.cli``, which mounts them: no import cycle between the command and
its sub-commands.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

import typer
from rich.console import Console

from gridgov.audit.service import Actor
from gridgov.config import Settings, get_settings
from gridgov.db import Database, NotMigratedError, ensure_migrated
from gridgov.errors import DomainError
from gridgov.revisions import StoredRevision

out = Console()
err = Console(stderr=True)
R = TypeVar("R")


def settings() -> Settings:
    try:
        found = get_settings()
    except Exception as exc:  # pydantic's ValidationError names the bad setting
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    from gridgov import clock

    clock.set_office_timezone(found.timezone)
    return found


def database(*, migrated: bool = True) -> Database:
    found = settings()
    db = Database.from_url(found.resolved_database_url, keys=found.keys)
    if migrated:
        try:
            ensure_migrated(db.engine)
        except NotMigratedError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
    return db


def actor() -> Actor:
    return Actor.system("cli:" + getpass.getuser())


def now() -> datetime:
    return datetime.now(UTC)


def parse_now(text: str | None) -> datetime:
    """``--now``: an ISO time with its zone, or the present."""
    if not text:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise typer.BadParameter("give a time zone, e.g. 2026-10-09T09:00:00+08:00")
    return moment


def fail(exc: DomainError) -> typer.Exit:
    err.print(f"[red]{exc}[/red]")
    for problem in exc.details:
        err.print(f"  - {problem.field}: {problem.text()}")
    return typer.Exit(1)


@contextmanager
def ends_on_refusal() -> Iterator[None]:
    """A refused action (``DomainError``) in the block ends the command (``fail``)."""
    try:
        yield
    except DomainError as exc:
        raise fail(exc) from exc


def run(do: Callable[..., R], /, **kwargs: Any) -> R:
    """``do`` (a ``do_*``) in one transaction, as the CLI's actor, now (what
    ``Desk.run`` is to a route); a refusal ends the command (``fail``)."""
    with ends_on_refusal(), database().transaction() as session:
        return do(session, actor=actor(), now=now(), **kwargs)


def load_revisions(texts: Iterable[str], load: Callable[..., StoredRevision]) -> None:
    """``load`` rules files (procedures, indicator trees): each text through
    ``load(session, text=…, actor=…, now=…)`` in one transaction, then each key's revision
    printed; a refused text stores none of them and ends the command."""
    with ends_on_refusal(), database().transaction() as session:
        rows = [load(session, text=text, actor=actor(), now=now()) for text in texts]
    for row in rows:
        out.print(f"{row.key}: revision {row.revision} ({row.sha256[:12]})")
