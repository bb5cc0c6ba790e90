"""Placing a case by hand: a report that came without a point or a grid (a call, an
address nobody could match) is placed by the dispatcher on its page, by a grid picked by
name and/or an address of the buildings register, before it is routed. Audited as a case
event (``located``), after which routing works as for a case located at intake."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from gridgov.accounts.rules import may_access, within_view
from gridgov.audit.service import Actor, record_about
from gridgov.cases.access import DISPATCH_ROLES, check_dispatch
from gridgov.cases.models import Case
from gridgov.cases.rules import State
from gridgov.cases.steps import add_event, lock_case
from gridgov.errors import Conflict, Forbidden, InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.registry import public as registry_public
from gridgov.territory.models import Region
from gridgov.territory.service import find_region

# A case is placed before it goes to anyone: while it waits for the dispatcher, and when
# a unit handed it back as mis-routed (退单).
PLACEABLE = frozenset({State.SUBMITTED, State.ACCEPTED, State.RETURNED})
GRID_LEVELS = ("grid", "micro_grid")
MIN_ADDRESS = 4  # shorter text matches too many buildings to place a case by


def may_place(actor: Actor, case: Case) -> bool:
    """Whether the case page offers the place form: a dispatcher (or administrator) who
    sees the case, while it is not yet with a unit."""
    if State(case.state) not in PLACEABLE or actor.role not in DISPATCH_ROLES:
        return False
    try:
        check_dispatch(actor, case)
    except Forbidden:  # not this dispatcher's case
        return False
    return True


def grids_for(session: Session, actor: Actor, limit: int = 2000) -> list[tuple[str, str, str]]:
    """The grids the actor may place a case in, by name: (code, name, the name of the
    community it belongs to), in code order (the grids of a community sit together); one
    query."""
    parent = aliased(Region)
    query = (
        select(Region.code, Region.name, parent.name)
        .outerjoin(parent, parent.code == Region.parent_code)
        .where(Region.level.in_(GRID_LEVELS))
        .order_by(Region.code)
        .limit(limit)
    )
    query = within_view(query, actor, Region.code)
    return [(code, name, community or "") for code, name, community in session.execute(query)]


def do_place(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    now: datetime,
    grid_code: str = "",
    address: str = "",
) -> None:
    """Place the case in a grid (picked by code, within the actor's scope) and/or at an
    address. An address of the buildings register gives the point, and the grid when none
    was picked; an address not in the register is kept as written."""
    lock_case(session, case)
    check_dispatch(actor, case)
    if State(case.state) not in PLACEABLE:
        raise Conflict("A case is placed before it goes to a unit.")
    grid_code, text = grid_code.strip(), " ".join(address.split())[:256]
    if not grid_code and not text:
        message = N_("Pick a grid or give an address.")
        raise InvalidInput(message, details=[Problem("grid", message)])
    grid = _grid(session, actor, grid_code) if grid_code else None
    building = registry_public.building_at(session, text) if len(text) >= MIN_ADDRESS else None
    if (
        building is not None
        and building.grid_code
        and not may_access(actor.scope, building.grid_code)
    ):
        building = None  # someone else's area: the address is kept, not its grid or point
    if grid is None and building is not None and building.grid_code:
        grid = find_region(session, code=building.grid_code)
    if grid is not None:
        case.grid_code = grid.code
    if building is not None and (grid is None or building.grid_code == grid.code):
        case.lon, case.lat = building.lon, building.lat
    if text:
        case.address = text
    case.version += 1
    case.updated_at = now
    note = " · ".join(part for part in (grid.name if grid else "", text) if part)
    add_event(session, case, actor, now, "located", None, None, note=note, public=False)
    summary = {"grid": case.grid_code, "address": text[:200], "point": case.lon is not None}
    record_about(session, actor, "case.located", case, now=now, summary=summary)


def _grid(session: Session, actor: Actor, code: str) -> Region:
    region = find_region(session, code=code)
    if region is None or region.level not in GRID_LEVELS or not may_access(actor.scope, code):
        message = N_("Pick a grid of your area.")
        raise InvalidInput(message, details=[Problem("grid", message)])
    return region
