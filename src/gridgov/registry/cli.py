"""``gridgov registry``: import spreadsheets, write empty templates, export ledgers.

The helpers shared with the main command (``_database``, ``_actor``...) are imported
inside each command: ``gridgov.cli`` mounts this app, so a module-level import would
be circular.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridgov.registry import imports, ledger
from gridgov.registry.imports import Kind

registry_app = typer.Typer(
    help="The register: spreadsheet imports, templates and grid ledgers.", no_args_is_help=True
)
SHOWN_PROBLEMS = 50


def default_report_path(file: Path) -> Path:
    """``residents.csv`` -> ``residents.errors.xlsx``, beside the file."""
    return file.with_name(file.stem + ".errors.xlsx")


@registry_app.command("import")
def registry_import(
    kind: Annotated[Kind, typer.Argument(help="What the file holds.")],
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8 or GB18030) or .xlsx file.")],
    dry_run: Annotated[bool, typer.Option(help="Check every row; write nothing.")] = False,
    report: Annotated[
        Path | None,
        typer.Option(help="Where to write the error report (default: FILE.errors.xlsx)."),
    ] = None,
) -> None:
    """Import a spreadsheet: every row or none, with a report of every problem."""
    from gridgov.clikit import actor as _actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, err, out
    from gridgov.clikit import now as _now

    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {escape(str(file))}: {escape(str(exc))}[/red]")
        raise typer.Exit(2) from exc
    db = _database()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with ends_on_refusal(), Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"{file.name}: checking and writing", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        with db.transaction() as session:
            result = imports.do_import(
                session,
                actor=_actor(),
                kind=kind,
                data=data,
                filename=file.name,
                now=_now(),
                dry_run=dry_run,
                progress=progress,
            )
    if not result.ok:
        target = report or default_report_path(file)
        target.write_bytes(imports.report_xlsx(result))
        count = len(result.problems)
        table = Table("row", "column", "value", "problem")
        for problem in result.problems[:SHOWN_PROBLEMS]:
            table.add_row(
                str(problem.row),
                escape(problem.column),
                escape(problem.value),
                escape(problem.reason),
            )
        err.print(
            f"[red]{escape(str(file))}: {count} problem(s); nothing imported.[/red]",
            soft_wrap=True,
        )
        err.print(table)
        if count > SHOWN_PROBLEMS:
            err.print(f"... and {count - SHOWN_PROBLEMS} more.")
        err.print(f"Every problem is listed in {escape(str(target))}.", soft_wrap=True)
        raise typer.Exit(1)
    located = f", {result.located} located from their coordinates" if result.located else ""
    if dry_run:
        out.print(
            f"{escape(str(file))}: {result.rows} {kind.value}, no problems{located} (dry run).",
            soft_wrap=True,
        )
        return
    out.print(
        f"Imported {result.written} {kind.value} from {escape(str(file))}{located}.",
        soft_wrap=True,
    )


@registry_app.command("template")
def registry_template(
    kind: Annotated[Kind, typer.Argument(help="Which template.")],
    file: Annotated[Path, typer.Argument(help="Where to write it: a .xlsx or .csv name.")],
) -> None:
    """Write an empty import template with Chinese headers."""
    from gridgov.clikit import err, out

    suffix = file.suffix.lower()
    if suffix == ".xlsx":
        file.write_bytes(imports.template_xlsx(kind))
    elif suffix == ".csv":
        file.write_bytes(imports.template_csv(kind))
    else:
        err.print("[red]The template file name ends in .xlsx or .csv.[/red]")
        raise typer.Exit(2)
    out.print(f"Wrote the {kind.value} template to {escape(str(file))}.", soft_wrap=True)


@registry_app.command("ledger")
def registry_ledger(
    grid_code: Annotated[str, typer.Argument(help="The grid's code, e.g. 44051200100101.")],
    file: Annotated[Path, typer.Argument(help="Where to write the .xlsx ledger.")],
) -> None:
    """Export a grid's ledger (台账): households, residents, organisations, roles."""
    from gridgov.clikit import actor as _actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, err, out

    if file.suffix.lower() != ".xlsx":
        err.print("[red]The ledger file name ends in .xlsx.[/red]")
        raise typer.Exit(2)
    db = _database()
    with ends_on_refusal(), db.session() as session:
        data = ledger.export_ledger_xlsx(session, grid_code=grid_code, viewer=_actor())
    file.write_bytes(data)
    out.print(f"Wrote the ledger of {escape(grid_code)} to {escape(str(file))}.", soft_wrap=True)
