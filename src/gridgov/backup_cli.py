"""``gridgov backup FILE`` and ``gridgov restore FILE`` (gridgov/backup.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from gridgov import backup
from gridgov.audit import service as audit
from gridgov.db import Database, current_revision, head_revision

PASSPHRASE_ENV = "GRIDGOV_BACKUP_PASSPHRASE"  # noqa: S105 - the variable's name

PassphraseFile = Annotated[
    Path | None,
    typer.Option(help=f"A file holding the passphrase (else ${PASSPHRASE_ENV}, else asked)."),
]


def _passphrase(file: Path | None, *, confirm: bool) -> str:
    from gridgov.clikit import err

    if file is not None:
        try:
            return file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            err.print(f"[red]Cannot read {file}: {exc}[/red]")
            raise typer.Exit(2) from exc
    from_env = os.environ.get(PASSPHRASE_ENV)
    if from_env:
        return from_env
    text: str = typer.prompt(
        "Passphrase for the keys", hide_input=True, confirmation_prompt=confirm
    )
    return text


def backup_command(
    file: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Back up the database, the keys (sealed with a passphrase) and the audit anchor."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import err, out
    from gridgov.clikit import settings as _settings

    settings = _settings()
    passphrase = _passphrase(passphrase_file, confirm=True)
    db = _database()
    try:
        with db.session() as session:
            checked = audit.verify(session)
        if not checked.ok and checked.problem is not None:
            err.print(
                f"[yellow]Warning: the audit chain is broken at row {checked.problem.seq} "
                f"({checked.problem.reason}); backing up anyway.[/yellow]"
            )
        manifest = backup.make_backup(
            url=settings.resolved_database_url,
            keys=settings.keys,
            passphrase=passphrase,
            target=file,
            anchor=f"{checked.head_seq}:{checked.head_hash}",
            revision=current_revision(db.engine),
        )
    except backup.BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    finally:
        db.dispose()
    out.print(f"Backed up the {manifest.engine} database to {file}.")
    out.print(f"Audit anchor: {manifest.anchor}")


def restore_command(
    file: Annotated[Path, typer.Argument(help="An archive written by `gridgov backup`.")],
    passphrase_file: PassphraseFile = None,
) -> None:
    """Restore an archive into an empty data directory (or empty PostgreSQL database),
    then verify the audit chain against the archive's anchor."""
    from gridgov.clikit import err, out
    from gridgov.clikit import settings as _settings

    settings = _settings()
    passphrase = _passphrase(passphrase_file, confirm=False)
    url = settings.resolved_database_url
    try:
        manifest = backup.restore_backup(
            source=file, data_dir=settings.data_dir, url=url, passphrase=passphrase
        )
    except backup.BackupError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    out.print(f"Restored the {manifest.engine} database of {manifest.created_at} from {file}.")
    db = Database.from_url(url, keys=settings.keys)
    try:
        seq, digest = manifest.anchor.split(":", 1)
        with db.session() as session:
            checked = audit.verify(session, anchor=(int(seq), digest))
        revision = current_revision(db.engine)
    finally:
        db.dispose()
    if checked.problem is not None:
        err.print(
            f"[red]Audit chain BROKEN at row {checked.problem.seq}: {checked.problem.reason}[/red]"
        )
        raise typer.Exit(1)
    out.print(
        f"Audit chain intact against the anchor {manifest.anchor}: "
        f"{checked.checked} rows checked (gridgov audit verify --anchor {manifest.anchor})."
    )
    if revision != head_revision():
        out.print("The database is at an older revision: run `gridgov db upgrade`.")
