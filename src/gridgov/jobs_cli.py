"""``gridgov jobs …``: list the background jobs, run one or all of them now."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

jobs_app = typer.Typer(
    help="Background jobs: the sweeps and outbox delivery.", no_args_is_help=True
)


@jobs_app.command("list")
def list_command() -> None:
    """The registered jobs, their intervals and what they do."""
    from gridgov import jobs
    from gridgov.clikit import out

    for job in jobs.JOBS.values():
        out.print(f"{job.name}\tevery {int(job.interval.total_seconds())} s\t{job.description}")


@jobs_app.command("run")
def run_command(
    name: Annotated[str | None, typer.Argument(help="One job (default: all of them).")] = None,
    now: Annotated[str | None, typer.Option(help="ISO time to run at (default: now).")] = None,
) -> None:
    """Run one job, or every job in turn, once; each is isolated from the others' errors.
    Exits with 1 when a job failed."""
    from gridgov import jobs
    from gridgov.clikit import database as _database
    from gridgov.clikit import err, out
    from gridgov.clikit import settings as _settings

    moment = datetime.now(UTC)
    if now:
        moment = datetime.fromisoformat(now)
        if moment.tzinfo is None:
            raise typer.BadParameter("give a time zone, e.g. 2026-10-09T09:00:00+08:00")
    if name is not None and name not in jobs.JOBS:
        err.print(f"No job named {name}; known: {', '.join(jobs.JOBS)}")
        raise typer.Exit(2)
    context = jobs.JobContext(db=_database(), settings=_settings(), now=moment)
    runs = jobs.run(context, [name] if name else None)
    for run in runs:
        if run.ok:
            counts = ", ".join(f"{k} {v}" for k, v in run.counts.items())
            out.print(f"{run.name}: {counts or 'done'}")
        else:
            err.print(f"{run.name}: failed: {run.error}")
    if not all(run.ok for run in runs):
        raise typer.Exit(1)
