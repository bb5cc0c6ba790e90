"""``gridgov crisis …``: the crisis sweep, incidents at a glance, the command centre's
workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridgov.clikit import parse_now

crisis_app = typer.Typer(
    help="Crisis mode: incidents, check-ins, the sweep (escalation, anonymisation).",
    no_args_is_help=True,
)


@crisis_app.command("sweep")
def sweep_command(
    now: Annotated[str | None, typer.Option(help="ISO time to sweep at (default: now).")] = None,
) -> None:
    """Escalate unreached households and overdue tasks; anonymise the sensitive flags of
    incidents closed longer than their retention period (also run inside the server)."""
    from gridgov.clikit import actor as _actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.crisis import sweep

    with _database().transaction() as session:
        result = sweep.sweep(session, now=parse_now(now), actor=_actor())
    out.print(
        f"{result.unreached_escalated} household(s) escalated, "
        f"{result.tasks_escalated} task(s) escalated, {result.anonymised} check-in(s) anonymised"
    )


@crisis_app.command("list")
def list_command() -> None:
    """Incidents, newest first, with their households' check-in counts."""
    from gridgov.audit.service import Actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.crisis import checkins, service

    system = Actor.system("cli")
    with _database().session() as session:
        for incident in service.list_incidents(session, viewer=system):
            rows = checkins.board(session, incident=incident, viewer=system, by="community")
            total = sum(r.total for r in rows)
            reached = sum(r.reached for r in rows)
            out.print(
                f"{incident.id}\t{incident.kind}\t{incident.level}\t{incident.state}\t"
                f"{reached}/{total}\t{incident.title}"
            )


@crisis_app.command("export")
def export_command(
    incident_id: Annotated[int, typer.Argument(help="The incident's number.")],
    file: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """The command centre's workbook: the board and every household, vulnerable first."""
    from gridgov.audit.service import Actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.clikit import settings as _settings
    from gridgov.crisis import export, service

    system = Actor.system("cli")
    with ends_on_refusal(), _database().session() as session:
        incident = service.get_incident(session, incident_id=incident_id, viewer=system)
        body = export.workbook(session, incident=incident, viewer=system, tz=_settings().timezone)
    file.write_bytes(body)
    out.print(f"wrote {file}")
