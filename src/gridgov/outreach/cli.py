"""``gridgov outreach …``: make contact groups for a village or community, refit them
to the register, export them as XLSX."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

outreach_app = typer.Typer(
    help="Outreach: contact groups (党员联系户) and their spreadsheets.", no_args_is_help=True
)


@outreach_app.command("groups")
def groups_command(
    region: Annotated[str, typer.Argument(help="The village's or community's code.")],
    groups: Annotated[int, typer.Option("--groups", min=1, help="How many groups.")],
    name: Annotated[str, typer.Option("--name", help="The scheme's name.")] = "党员联系户",
    member_max: Annotated[int, typer.Option("--member-max", min=1)] = 15,
) -> None:
    """Cut the region's households into contact groups and print their quality."""
    from gridgov.audit.service import Actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.outreach import service

    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        scheme, q = service.do_create_scheme(
            session,
            actor=Actor.system("cli"),
            region_code=region,
            name=name,
            groups=groups,
            member_max=member_max,
            now=datetime.now(UTC),
        )
        scheme_id = scheme.id
    out.print(
        f"scheme {scheme_id}: {q.groups} groups of {q.smallest}–{q.largest}, "
        f"{q.buildings_split} buildings split, {q.oversized_buildings} larger than a group, "
        f"largest in-group distance {q.largest_distance_m} m, "
        f"{q.members_at_home} served by a member living in them, {q.unserved} unserved"
    )


@outreach_app.command("refit")
def refit_command(scheme_id: Annotated[int, typer.Argument()]) -> None:
    """Refit a scheme to the register (households that moved in or out)."""
    from gridgov.audit.service import Actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.outreach import service

    actor = Actor.system("cli")
    with _database().transaction() as session:
        scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor)
        q = service.do_refresh_scheme(session, actor=actor, scheme=scheme, now=datetime.now(UTC))
    out.print(f"{q.moved} households changed group; sizes {q.smallest}–{q.largest}")


@outreach_app.command("export")
def export_command(
    scheme_id: Annotated[int, typer.Argument()],
    file: Annotated[Path, typer.Argument(help="The XLSX file to write.")],
) -> None:
    """Write a scheme's groups as XLSX (group, member, household number, address)."""
    from gridgov.audit.service import Actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import out
    from gridgov.outreach import service, spreadsheets

    with _database().session() as session:
        scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=Actor.system("cli"))
        file.write_bytes(spreadsheets.export_xlsx(session, scheme))
    out.print(f"wrote {file}")


@outreach_app.command("import")
def import_command(
    scheme_id: Annotated[int, typer.Argument()],
    file: Annotated[Path, typer.Argument(help="An XLSX as exported (组号, 联系党员, 户号, 地址).")],
) -> None:
    """Load a scheme's groups from an edited XLSX: all rows or none."""
    from gridgov.audit.service import Actor
    from gridgov.clikit import database as _database
    from gridgov.clikit import ends_on_refusal, out
    from gridgov.outreach import service, spreadsheets

    actor = Actor.system("cli")
    with ends_on_refusal(), _database().transaction() as session:
        scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor)
        changed = spreadsheets.do_import_groups(
            session, actor=actor, scheme=scheme, data=file.read_bytes(), now=datetime.now(UTC)
        )
    out.print(f"{changed} households changed group")
