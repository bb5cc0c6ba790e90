"""``gridgov services …``: the matters catalogue, walking networks, coverage, siting and
the coverage workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gridgov.audit.service import Actor

services_app = typer.Typer(
    help="The 10-minute service circle: catalogue, walking network, coverage, siting.",
    no_args_is_help=True,
)
CLI = Actor.system("cli")


@services_app.command("catalogue")
def catalogue_command(
    file: Annotated[Path | None, typer.Argument(help="A matters file (YAML).")] = None,
) -> None:
    """Load the matters catalogue (the shipped one when no file)."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.clikit import now as _now
    from gridgov.services import service

    text = file.read_text("utf-8") if file else service.shipped_catalogue()
    db = _database()
    with ends_on_refusal():
        matters = service.check_catalogue(text)
        with db.transaction() as session:
            n = service.do_load_catalogue(session, actor=CLI, now=_now(), matters=matters)
    out.print(f"{n} matters loaded.")


@services_app.command("network")
def network_command(
    file: Annotated[Path, typer.Argument(help="A .osm.pbf extract or a GeoJSON of paths.")],
    name: Annotated[str, typer.Option(help="A name for the network.")] = "",
) -> None:
    """Import a walking network, make it the active one and recompute coverage."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, err, out
    from gridgov.clikit import now as _now
    from gridgov.services import circle, networks
    from gridgov.services.rules import NetworkSource

    try:
        if file.suffix.lower() == ".pbf":
            graph, source = networks.read_pbf(file), NetworkSource.OSM_PBF
        else:
            graph, source = networks.read_geojson(file.read_bytes()), NetworkSource.GEOJSON
    except (networks.NetworkFileError, OSError) as exc:
        err.print(f"[red]Refused:[/red] {exc}")
        for where, what in getattr(exc, "problems", []):
            err.print(f"  {where}: {what}")
        raise typer.Exit(1) from exc
    db = _database()
    now = _now()
    with ends_on_refusal(), db.transaction() as session:
        row = circle.do_import_network(
            session, actor=CLI, now=now, graph=graph, name=name or file.name, source=source
        )
        snapshot = circle.refresh(session, actor=CLI, now=now, reason="walk_network.imported")
    out.print(
        f"Network {row.id}: {row.nodes:,} nodes, {row.edges:,} edges, {row.length_km:,.1f} km."
    )
    if snapshot is not None:
        out.print(f"Coverage: {snapshot.covered:,} of {snapshot.households:,} households.")


@services_app.command("coverage")
def coverage_command(
    minutes: Annotated[float | None, typer.Option(help="Threshold in minutes.")] = None,
    speed: Annotated[float | None, typer.Option(help="Walking speed, metres a minute.")] = None,
) -> None:
    """Recompute coverage and print it by street."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.clikit import now as _now
    from gridgov.services import circle

    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        snapshot = circle.refresh(
            session, actor=CLI, now=_now(), reason="cli", minutes=minutes, speed=speed
        )
        if snapshot is None:
            out.print("No walking network yet: run `gridgov services network FILE`.")
            raise typer.Exit(1)
        for region in circle.coverage_by_region(snapshot, None):
            if len(region.code) <= 9:
                out.print(
                    f"{region.code}\t{region.covered:,}/{region.households:,}\t"
                    f"{(region.share or 0) * 100:.1f}%"
                )


@services_app.command("site")
def site_command(
    region: Annotated[str, typer.Argument(help="The region code to site in.")],
    k: Annotated[int, typer.Option(help="New points (MCLP).")] = 1,
    method: Annotated[str, typer.Option(help="mclp or lscp.")] = "mclp",
    solver: Annotated[str, typer.Option(help="greedy or exact.")] = "greedy",
) -> None:
    """Suggest sites for new points in a region; the run is stored and audited."""
    from gridgov.clikit import database as _database
    from gridgov.clikit import fail as _fail
    from gridgov.clikit import now as _now
    from gridgov.clikit import out
    from gridgov.errors import DomainError
    from gridgov.services import planning, siting

    db = _database()
    try:
        with db.transaction() as session:
            run = planning.do_site(
                session,
                actor=CLI,
                now=_now(),
                region_code=region,
                method=siting.Method(method),
                solver=siting.Solver(solver),
                k=k,
            )
            result = planning.run_result(run)
    except (DomainError, ValueError) as exc:
        if isinstance(exc, DomainError):
            raise _fail(exc) from exc
        raise typer.BadParameter(str(exc)) from exc
    pp = result["points_after"] - result["points_before"]
    out.print(f"Adds {result['added']:,.0f} households, {pp:.1f} percentage points.")
    for chosen in result["chosen"]:
        out.print(f"  {chosen['code']}\t{chosen['name']}\t{chosen['lon']:.5f},{chosen['lat']:.5f}")
