"""``gridgov deliberation …``: procedure files and the notices' sweep."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridgov.clikit import parse_now

deliberation_app = typer.Typer(
    help="Deliberation: procedure files (四议两公开), the notices' sweep.", no_args_is_help=True
)


@deliberation_app.command("check")
def check_command(file: Annotated[Path, typer.Argument(help="A procedure file (YAML).")]) -> None:
    """Validate a procedure file without storing it; a mistake is reported with its line."""
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.deliberation import service

    with ends_on_refusal():
        procedure = service.check_template(file.read_text("utf-8"))
    stages = " → ".join(stage.id for stage in procedure.stages)
    out.print(f"{procedure.id}: {stages}: OK")


@deliberation_app.command("load")
def load_command(
    file: Annotated[
        Path | None, typer.Argument(help="A procedure file; default: the shipped ones.")
    ] = None,
) -> None:
    """Store a procedure file as its key's next revision (new matters use it)."""
    from gridgov.clikit import load_revisions
    from gridgov.deliberation import service

    texts = (
        [file.read_text("utf-8")]
        if file
        else [service.shipped_template(key) for key in service.SHIPPED_TEMPLATES]
    )
    load_revisions(texts, service.do_load_template)


@deliberation_app.command("sweep")
def sweep_command(
    now: Annotated[str | None, typer.Option(help="ISO time to sweep at (default: now).")] = None,
) -> None:
    """Close notices whose posting period is over; remind of routine disclosures due."""
    from gridgov.clikit import actor as _actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.clikit import settings as _settings
    from gridgov.deliberation import notices

    with _database().transaction() as session:
        counts = notices.sweep(session, now=parse_now(now), actor=_actor(), tz=_settings().timezone)
    out.print(
        f"closed {counts['closed']} notice(s), {counts['close_failed']} could not close, "
        f"{counts['reminders']} reminder(s) queued"
    )
