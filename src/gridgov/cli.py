"""The ``gridgov`` command."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import TaskID
from rich.table import Table

from gridgov.accounts import service as accounts
from gridgov.audit import service as audit
from gridgov.clikit import actor as _actor
from gridgov.clikit import database as _database
from gridgov.clikit import ends_on_refusal, err, out, run
from gridgov.clikit import fail as _fail
from gridgov.clikit import now as _now
from gridgov.clikit import settings as _settings
from gridgov.db import Database, current_revision, head_revision
from gridgov.errors import DomainError
from gridgov.territory import geo
from gridgov.territory import service as territory

app = typer.Typer(help="gridgov: grid-based grassroots governance.", no_args_is_help=True)
db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys for integrations.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
region_app = typer.Typer(
    help="Regions (district, streets, communities, grids).", no_args_is_help=True
)
territory_app = typer.Typer(help="Grid boundaries: import, export, locate.", no_args_is_help=True)
demo_app = typer.Typer(help="The Shantou demo district.", no_args_is_help=True)
for sub, name in (
    (db_app, "db"),
    (user_app, "user"),
    (apikey_app, "apikey"),
    (audit_app, "audit"),
    (region_app, "region"),
    (territory_app, "territory"),
    (demo_app, "demo"),
):
    app.add_typer(sub, name=name)

# ---------------------------------------------------------------- serve


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(help="Proxies trusted for X-Forwarded-For (behind a load balancer)."),
    ] = None,
) -> None:
    """Serve the web app and API with uvicorn."""
    import uvicorn

    settings = _settings()
    settings.keys  # noqa: B018 - create missing key files once, before workers start
    _database()  # refuse an unmigrated database with the command to run
    out.print(f"gridgov serving on http://{host}:{port} ({workers} worker(s))")
    uvicorn.run(
        "gridgov.web.asgi:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        access_log=False,
        log_config=None,
    )


# ---------------------------------------------------------------- db


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from gridgov.db import upgrade

    settings = _settings()
    url = settings.resolved_database_url
    upgrade(url)
    db = Database.from_url(url, keys=settings.keys)
    out.print(f"Database at revision {current_revision(db.engine)}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the code's."""
    db = _database(migrated=False)
    out.print(f"database: {current_revision(db.engine) or '(empty)'}  code: {head_revision()}")


# ---------------------------------------------------------------- users


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Option(help="Login name: lower-case letters, digits, . _ -")],
    role: Annotated[
        str,
        typer.Option(
            help="resident, grid_worker, dispatcher, unit_staff, "
            "branch_secretary, leader, auditor or admin"
        ),
    ],
    scope: Annotated[
        str, typer.Option(help="Region code prefix, e.g. 440512; with --unit, the unit's.")
    ] = "",
    password: Annotated[
        str | None, typer.Option(help="At least 10 characters; asked for when omitted.")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown to others.")] = "",
    unit: Annotated[
        str, typer.Option(help="The department or office (code or name) the account works in.")
    ] = "",
) -> None:
    """Create an account."""
    from gridgov.accounts import units

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        found = units.find_unit(session, text=unit) if unit else None
        user = accounts.do_create_user(
            session,
            actor=_actor(),
            username=username,
            role=role,
            scope=scope or (found.region_code if found else ""),
            password=password,
            display_name=display_name,
            now=_now(),
        )
        if found is not None:
            units.do_set_unit(session, actor=_actor(), user=user, unit=found, now=_now())
    where = f", unit {found.name}" if found else ""
    out.print(f"Created {user.username} ({user.role}, scope {user.scope}{where}).")


@user_app.command("set-unit")
def user_set_unit(
    username: str,
    unit: Annotated[str, typer.Argument(help="Code or name of the unit; '-' for none.")],
) -> None:
    """Put an account in a department, street office or community office."""
    from gridgov.accounts import units

    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        user = accounts.get_user_by_username(session, username=username)
        found = None if unit == "-" else units.find_unit(session, text=unit)
        units.do_set_unit(session, actor=_actor(), user=user, unit=found, now=_now())
    where = found.name if found else "no unit"
    out.print(f"{username} now works in {where} (scope {user.scope}).")


@user_app.command("list")
def user_list() -> None:
    """List accounts."""
    db = _database()
    with db.session() as session:
        users = accounts.list_users(session, viewer=_actor())
    table = Table("username", "role", "scope", "active", "created (UTC)")
    for user in users:
        table.add_row(
            user.username,
            user.role,
            user.scope,
            "yes" if user.is_active else "no",
            user.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable an account; its sessions and tokens stop working at once."""
    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        user = accounts.get_user_by_username(session, username=username)
        ended = accounts.do_disable_user(session, actor=_actor(), user=user, now=_now())
    out.print(f"Disabled {username}; {ended} session(s) ended.")


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Enable a disabled account."""
    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        user = accounts.get_user_by_username(session, username=username)
        accounts.do_enable_user(session, actor=_actor(), user=user, now=_now())
    out.print(f"Enabled {username}.")


@user_app.command("reset-password")
def user_reset_password(
    username: str,
    password: Annotated[str | None, typer.Option(help="Asked for when omitted.")] = None,
) -> None:
    """Set a new password; every session of the account ends."""
    if password is None:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        user = accounts.get_user_by_username(session, username=username)
        accounts.do_reset_password(
            session, actor=_actor(), user=user, password=password, now=_now()
        )
    out.print(f"Password of {username} changed; its sessions ended.")


# ---------------------------------------------------------------- API keys


@apikey_app.command("create")
def apikey_create(name: Annotated[str, typer.Option(help="What the key is for.")]) -> None:
    """Create an API key. The key is printed once, on the last line."""
    plaintext, _key = run(accounts.do_create_api_key, name=name)
    out.print(f"API key {name!r} created. Store it now: it is not shown again.")
    print(plaintext)


@apikey_app.command("list")
def apikey_list() -> None:
    """List API keys (never the keys themselves)."""
    db = _database()
    with db.session() as session:
        keys = accounts.list_api_keys(session)
    table = Table("name", "prefix", "created (UTC)", "by", "revoked")
    for key in keys:
        table.add_row(
            key.name,
            key.prefix,
            key.created_at.strftime("%Y-%m-%d %H:%M"),
            key.created_by,
            key.revoked_at.strftime("%Y-%m-%d %H:%M") if key.revoked_at else "",
        )
    out.print(table)


@apikey_app.command("revoke")
def apikey_revoke(name: str) -> None:
    """Revoke an API key at once."""
    run(accounts.do_revoke_api_key, name=name)
    out.print(f"Revoked {name!r}.")


# ---------------------------------------------------------------- audit


def _parse_anchor(anchor: str | None) -> tuple[int, str] | None:
    if anchor is None:
        return None
    seq, _, digest = anchor.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        err.print("[red]--anchor takes SEQ:HASH as printed by `gridgov audit head`.[/red]")
        raise typer.Exit(2)
    return int(seq), digest


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[
        str | None, typer.Option(help="SEQ:HASH recorded earlier by `gridgov audit head`.")
    ] = None,
) -> None:
    """Walk the chain; exit 1 naming the first row changed, deleted, inserted or reordered."""
    db = _database()
    with db.session() as session:
        result = audit.verify(session, anchor=_parse_anchor(anchor))
    if result.problem is not None:
        err.print(
            f"[red]Audit chain BROKEN at row {result.problem.seq}: {result.problem.reason}[/red]"
        )
        raise typer.Exit(1)
    out.print(f"Audit chain intact: {result.checked} rows checked, head {result.head_seq}.")


@audit_app.command("head")
def audit_head() -> None:
    """Print SEQ:HASH of the newest row; keep it outside the database as an anchor."""
    db = _database()
    with db.session() as session:
        result = audit.verify(session)
    print(f"{result.head_seq}:{result.head_hash}")


@audit_app.command("purge")
def audit_purge(
    before: Annotated[str, typer.Option(help="Delete rows older than this date (YYYY-MM-DD).")],
) -> None:
    """Delete old rows; rows younger than the retention period (>= 180 days) are kept."""
    settings = _settings()
    try:
        cutoff = datetime.combine(date.fromisoformat(before), time(), tzinfo=settings.tz)
    except ValueError as exc:
        err.print("[red]--before takes a date as YYYY-MM-DD.[/red]")
        raise typer.Exit(2) from exc
    db = _database()
    with ends_on_refusal(), db.transaction() as session:
        count = audit.do_purge(
            session,
            actor=_actor(),
            before=cutoff,
            now=_now(),
            retention_days=settings.audit_retention_days,
        )
    out.print(f"Purged {count} audit row(s) older than {before}.")


# ---------------------------------------------------------------- regions


@region_app.command("add")
def region_add(
    code: Annotated[str, typer.Option(help="Region code, e.g. 440512003.")],
    name: Annotated[str, typer.Option(help="Name, e.g. 广澳街道.")],
    level: Annotated[str, typer.Option(help="district, street, community, grid or micro_grid")],
    parent: Annotated[str | None, typer.Option(help="Parent region code.")] = None,
) -> None:
    """Add one region by hand (the territory import adds many at once)."""
    run(territory.do_create_region, code=code, name=name, level=level, parent_code=parent)
    out.print(f"Added {level} {code} {name}.")


# ---------------------------------------------------------------- territory


@territory_app.command("import")
def territory_import(
    file: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection (WGS84).")],
    dry_run: Annotated[bool, typer.Option(help="Check and report only; write nothing.")] = False,
    tolerance: Annotated[
        float, typer.Option(help="Overlaps and gaps smaller than this many m² are accepted.")
    ] = geo.DEFAULT_TOLERANCE_M2,
) -> None:
    """Import grid boundaries: all features or none, with a report of every problem."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        reason = "nested too deep" if isinstance(exc, RecursionError) else str(exc)
        err.print(f"[red]Cannot read {file}: {reason}[/red]")
        raise typer.Exit(2) from exc
    db = _database()
    with db.session() as session:
        checked = territory.check_import_geojson(session, document=document, tolerance_m2=tolerance)
    if not checked.ok:
        table = Table("feature", "code", "problem", title=f"{file}: nothing imported")
        for problem in checked.problems:
            index = "" if problem.index is None else str(problem.index)
            table.add_row(index, problem.code, problem.reason)
        err.print(table)
        raise typer.Exit(1)
    if dry_run:
        out.print(f"{file}: {len(checked.features)} feature(s), no problems (dry run).")
        return
    with db.transaction() as session:
        result = territory.do_import_geojson(
            session, actor=_actor(), checked=checked, now=_now(), source=str(file)
        )
    out.print(f"Imported {file}: {result.created} created, {result.updated} updated.")


@territory_app.command("export")
def territory_export(file: Annotated[Path, typer.Argument(help="Where to write GeoJSON.")]) -> None:
    """Write every region as a GeoJSON feature (code, name, level, parent_code)."""
    db = _database()
    with db.session() as session:
        document = territory.export_geojson(session, viewer=_actor())
    file.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out.print(f"Wrote {len(document['features'])} region(s) to {file}.")


@territory_app.command("locate")
def territory_locate(
    lon: Annotated[float, typer.Argument(help="Longitude (WGS84).")],
    lat: Annotated[float, typer.Argument(help="Latitude (WGS84).")],
) -> None:
    """Print the grid containing a point, or `outside` with the nearest grid."""
    db = _database()
    with db.session() as session:
        location = territory.get_locator(session).locate(lon, lat)
    if location.grid is None:
        if location.nearest is None:
            print("outside (no grids are known)")
        else:
            print(
                f"outside; nearest grid {location.nearest.code} {location.nearest.name} "
                f"at {location.distance_m:,.0f} m"
            )
        raise typer.Exit(3)
    path = " > ".join(r.name for r in location.ancestors)
    print(f"{location.grid.code} {location.grid.name}" + (f"  ({path})" if path else ""))


# ---------------------------------------------------------------- demo


@demo_app.command("build")
def demo_build(
    if_empty: Annotated[bool, typer.Option(help="Do nothing when the database has data.")] = False,
    seed: Annotated[int, typer.Option(help="Same seed, same district.")] = 1,
    cases: Annotated[int, typer.Option(help="How many cases to simulate (over 120 days).")] = 1000,
) -> None:
    """Build the Shantou demo district (濠江区): 269 grids, households, people, accounts."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from gridgov.demo import build
    from gridgov.demo.geography import DISTRICT_CODE, DISTRICT_NAME

    settings = _settings()
    db = _database()
    if not build.is_empty(db):
        if if_empty:
            out.print("The database already holds a district; demo not rebuilt.")
            return
        err.print("[red]The database is not empty; the demo builds only into an empty one.[/red]")
        raise typer.Exit(1)
    columns = (
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, transient=False) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total)
            bar.update(tasks[step], completed=done, total=total)

        summary = build.build(
            db,
            data_dir=settings.data_dir,
            now=_now(),
            seed=seed,
            progress=progress,
            case_count=cases,
            tz=settings.tz,
        )
    out.print(
        f"Demo district {DISTRICT_NAME} ({DISTRICT_CODE}) built: {summary.grids} grids, "
        f"{summary.households:,} households, {summary.residents:,} residents, "
        f"{summary.grid_workers:,} grid workers, {summary.organisations:,} organisations, "
        f"{summary.cases:,} cases."
    )
    table = Table("username", "role", "password")
    for account in summary.accounts:
        table.add_row(account.username, account.role, account.password)
    out.print(table)
    out.print(f"These passwords are also in {settings.data_dir / 'demo-accounts.txt'}.")


from gridgov.backup_cli import backup_command, restore_command  # noqa: E402
from gridgov.cases.cli import cases_app  # noqa: E402 - these import the helpers above
from gridgov.crisis.cli import crisis_app  # noqa: E402
from gridgov.deliberation.cli import deliberation_app  # noqa: E402
from gridgov.indicators.cli import indicators_app  # noqa: E402
from gridgov.outreach.cli import outreach_app  # noqa: E402
from gridgov.registry.cli import registry_app  # noqa: E402
from gridgov.services.cli import services_app  # noqa: E402

app.command("backup")(backup_command)
app.command("restore")(restore_command)

app.add_typer(registry_app, name="registry")
app.add_typer(cases_app, name="cases")
app.add_typer(indicators_app, name="indicators")
app.add_typer(deliberation_app, name="deliberation")
app.add_typer(outreach_app, name="outreach")

from gridgov.jobs_cli import jobs_app  # noqa: E402

app.add_typer(jobs_app, name="jobs")
app.add_typer(services_app, name="services")
app.add_typer(crisis_app, name="crisis")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except DomainError as exc:  # bad input that no command caught: a message, no traceback
        _fail(exc)
        sys.exit(2)
