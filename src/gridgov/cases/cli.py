"""``gridgov cases …``: the sweep, outbox delivery, the category catalogue, holidays."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from gridgov.clikit import parse_now

cases_app = typer.Typer(
    help="Cases: sweep, notifications, categories, holidays.", no_args_is_help=True
)


@cases_app.command("sweep")
def sweep_command(
    now: Annotated[str | None, typer.Option(help="ISO time to sweep at (default: now).")] = None,
) -> None:
    """Escalate what was not acknowledged in time, mark what is overdue, queue reminders."""
    from gridgov.cases import sweep
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.clikit import settings as _settings

    settings = _settings()
    result = sweep.sweep(_database(), now=parse_now(now), tz=settings.timezone)
    out.print(
        f"escalated {result.escalated}, newly overdue {result.overdue}, "
        f"reminders {result.reminders}, lost to another sweeper {result.lost_races}"
    )


@cases_app.command("deliver")
def deliver_command() -> None:
    """Send the outbox's due messages (in-app now; SMS and chat through their adapters)."""
    from gridgov.cases import notify, sweep
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.clikit import settings as _settings

    sent = sweep.deliver(_database(), channels=notify.channels(_settings()), now=datetime.now(UTC))
    out.print(f"delivered {sent} message(s)")


@cases_app.command("categories")
def categories_command(
    file: Annotated[
        Path | None, typer.Argument(help="A catalogue JSON; default: the shipped one.")
    ] = None,
) -> None:
    """Load the category catalogue (insert new, update existing, deactivate missing)."""
    from gridgov.cases import service
    from gridgov.clikit import actor as _actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import err, out
    from gridgov.clikit import now as _now

    document = json.loads(file.read_text("utf-8")) if file else service.default_category_document()
    problems = service.catalogue_problems(document)
    if problems:
        for problem in problems:
            err.print(f"[red]{problem.field}: {problem.text()}[/red]")
        raise typer.Exit(1)
    with _database().transaction() as session:
        created, updated = service.do_load_categories(
            session,
            actor=_actor(),
            rows=service.category_rows(document),
            now=_now(),
            source=str(file or "default"),
        )
    out.print(f"categories: {created} created, {updated} updated")


@cases_app.command("export-categories")
def export_categories_command(
    file: Annotated[Path, typer.Argument(help="Where to write JSON.")],
) -> None:
    """Write the catalogue as it stands, to edit and load back with `cases categories`."""
    from gridgov.cases import service
    from gridgov.clikit import database as _database
    from gridgov.clikit import out

    with _database().session() as session:
        document = service.category_document(session)
    file.write_text(json.dumps(document, ensure_ascii=False, indent=2), "utf-8")
    out.print(f"Wrote {len(document['categories'])} categories to {file}.")  # type: ignore[arg-type]


@cases_app.command("matters")
def matters_command(
    grid: Annotated[str, typer.Argument(help="Grid code.")],
    categories: Annotated[
        list[str] | None, typer.Argument(help="Category codes; none clears.")
    ] = None,
) -> None:
    """Set a grid's matters list (事项清单): the categories its workers settle themselves."""
    from gridgov.cases import service
    from gridgov.clikit import out, run

    run(service.do_set_grid_matters, grid_code=grid, category_codes=categories or [])
    out.print(f"{grid}: {len(categories or [])} matter(s) on its list")


@cases_app.command("holiday")
def holiday_command(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    workday: Annotated[
        bool, typer.Option("--workday/--off", help="A make-up working day, or a day off.")
    ] = False,
    note: Annotated[str, typer.Option(help="Why, e.g. 国庆节 or 台风停工.")] = "",
) -> None:
    """Set one day in the holiday table (beats the calendar package; covers new years)."""
    from gridgov.cases import service
    from gridgov.clikit import out, run

    run(service.do_set_holiday, day=date.fromisoformat(day), is_workday=workday, note=note)
    out.print(f"{day}: {'working day' if workday else 'day off'}")


@cases_app.command("holiday-year")
def holiday_year_command(
    year: Annotated[int, typer.Argument(help="e.g. 2027")],
    complete: Annotated[
        bool,
        typer.Option(
            "--complete/--incomplete", help="Every holiday of the year is entered, or not."
        ),
    ] = True,
) -> None:
    """Mark a year complete in the holiday table: deadlines in it stop carrying the
    unknown-year warning. One entered holiday alone does not make a year known."""
    from gridgov.cases import service
    from gridgov.clikit import out, run

    run(service.do_mark_holiday_year, year=year, complete=complete)
    out.print(f"{year}: {'complete' if complete else 'not complete'}")
