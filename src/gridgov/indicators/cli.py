"""``gridgov indicators …``: check and load tree files, compute a period, print a
league table, export rankings and scorecards."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from gridgov.clikit import parse_now
from gridgov.indicators.models import IndicatorSnapshot

indicators_app = typer.Typer(
    help="Indicators: tree files, computing periods, rankings, exports.", no_args_is_help=True
)


def _roots(session: Session) -> list[str]:
    """The top regions: the command line sees the whole territory, one root at a time."""
    from gridgov.territory import service as territory

    return territory.root_codes(session)


@indicators_app.command("check")
def check_command(file: Annotated[Path, typer.Argument(help="A tree file (YAML).")]) -> None:
    """Validate a tree file without storing it; a mistake is reported with its line."""
    from gridgov.clikit import ends_on_refusal
    from gridgov.indicators import service

    with ends_on_refusal():
        tree = service.check_tree(file.read_text("utf-8"))
    from gridgov.clikit import out

    out.print(
        f"{tree.key}: {len(tree.leaves())} leaves, total {tree.total:g}, "
        f"units {', '.join(u.value for u in tree.units)}, period {tree.period.value}: OK"
    )


@indicators_app.command("load")
def load_command(
    file: Annotated[
        Path | None, typer.Argument(help="A tree file (YAML); default: the shipped trees.")
    ] = None,
) -> None:
    """Store a tree file as its key's next revision (the shipped trees when no file)."""
    from gridgov.clikit import load_revisions
    from gridgov.indicators import service

    texts = (
        [file.read_text("utf-8")] if file else [service.shipped_text(k) for k in service.SHIPPED]
    )
    load_revisions(texts, service.do_load_tree)


@indicators_app.command("export-tree")
def export_tree_command(
    key: Annotated[str, typer.Argument(help="Tree key, e.g. org_strength.")],
) -> None:
    """Print the latest revision of a tree file, to edit and load again."""
    from gridgov.clikit import database as _database
    from gridgov.indicators import service

    with _database().session() as session:
        row, _ = service.get_tree(session, key)
    typer.echo(row.source, nl=False)


@indicators_app.command("compute")
def compute_command(
    key: Annotated[str, typer.Argument(help="Tree key, e.g. three_rates.")],
    period: Annotated[str, typer.Argument(help="Period, e.g. 2026-10 or 2026-Q3.")],
    now: Annotated[str | None, typer.Option(help="ISO time to compute at.")] = None,
) -> None:
    """Compute a tree for a period (a final period keeps its stored numbers)."""
    from gridgov.clikit import actor as _actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.clikit import settings as _settings
    from gridgov.indicators import service

    tz = ZoneInfo(_settings().timezone)
    with ends_on_refusal(), _database().transaction() as session:
        service.ensure_shipped(session, now=parse_now(now))
        snapshot = service.compute(
            session, key=key, period=period, now=parse_now(now), actor=_actor(), tz=tz
        )
        units = service.units_scored(session, snapshot)
    state = "final" if snapshot.final else "provisional"
    out.print(f"{key} {snapshot.period}: {units} units, {state}, digest {snapshot.digest[:12]}")


def _snapshot_or_fail(session: Session, key: str, period: str) -> IndicatorSnapshot:
    from gridgov.clikit import fail as _fail
    from gridgov.errors import NotFound
    from gridgov.indicators import service

    snapshot = service.snapshot_for(session, key, period)
    if snapshot is None:
        raise _fail(
            NotFound(
                "%(key)s has not been computed for %(period)s.",
                params={"key": key, "period": period},
            )
        )
    return snapshot


@indicators_app.command("rank")
def rank_command(
    key: Annotated[str, typer.Argument(help="Tree key.")],
    period: Annotated[str, typer.Argument(help="Period.")],
    league: Annotated[str | None, typer.Option(help="League, e.g. grid.")] = None,
    top: Annotated[int, typer.Option(min=1, help="Rows per league.")] = 20,
) -> None:
    """Print the league tables of a computed period."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.indicators import service

    with _database().session() as session:
        snapshot = _snapshot_or_fail(session, key, period)
        for root in _roots(session):
            for name in [league] if league else service.leagues(session, snapshot, root):
                table = Table(
                    "rank", "±", "unit", "name", "total", "band", title=f"{key} {period} {name}"
                )
                for score in service.league_table(session, snapshot, name, root)[:top]:
                    moved = (
                        "new"
                        if score.previous_rank is None
                        else f"{score.previous_rank - score.rank:+d}"
                    )
                    table.add_row(
                        str(score.rank),
                        moved,
                        score.unit,
                        score.unit_name,
                        f"{score.total:.2f}",
                        score.band,
                    )
                out.print(table)


@indicators_app.command("export")
def export_command(
    key: Annotated[str, typer.Argument(help="Tree key.")],
    period: Annotated[str, typer.Argument(help="Period.")],
    output: Annotated[Path, typer.Argument(help="A .xlsx or .csv file to write.")],
    lang: Annotated[str, typer.Option(help="Language of the labels.")] = "zh_Hans",
) -> None:
    """Write the rankings with every unit's scorecard (XLSX) or the rankings (CSV)."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import fail as _fail
    from gridgov.clikit import out
    from gridgov.errors import InvalidInput
    from gridgov.indicators import export

    if output.suffix not in (".xlsx", ".csv"):
        raise _fail(InvalidInput("Write a .xlsx or a .csv file."))
    with _database().session() as session:
        snapshot = _snapshot_or_fail(session, key, period)
        roots = _roots(session)
        if len(roots) != 1:
            raise _fail(InvalidInput("Export one territory at a time."))
        if output.suffix == ".xlsx":
            output.write_bytes(export.rankings_xlsx(session, snapshot, roots[0], lang))
        else:
            text = export.rankings_csv(session, snapshot, roots[0], lang)
            output.write_text(text, export.CSV_ENCODING)
    out.print(f"wrote {output}")
