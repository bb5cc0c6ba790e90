"""The staff's lists of cases (``/cases``) and the clustered map of open cases, scoped
by the viewer's region code."""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.cases import rules, service
from gridgov.cases.models import Case
from gridgov.cases.page_helpers import (
    _BATCH,
    _FAR,
    DISPATCH,
    PAGE_SIZE,
    SUPERVISE,
    PageNumber,
    StaffDesk,
    StaffPage,
    _categories,
    _category_name,
)
from gridgov.cases.rules import State
from gridgov.territory.service import region_names
from gridgov.web.render import language_of, local_time, render

router = APIRouter(include_in_schema=False)


def _stream(
    session: Session, viewer: Actor, *, state: str, unit: bool, now: datetime
) -> Iterator[Case]:
    """Every case in one state, in the service's order (soonest due first), lazily."""
    offset = 0
    while True:
        batch = service.list_cases(
            session, viewer=viewer, state=state, unit=unit, now=now, limit=_BATCH, offset=offset
        )
        yield from batch
        if len(batch) < _BATCH:
            return
        offset += _BATCH


def urgency(now: datetime) -> Callable[[Case], tuple[bool, bool, datetime, int]]:
    """Overdue first, then soonest due, then oldest: the worker's order."""

    def key(case: Case) -> tuple[bool, bool, datetime, int]:
        due = case.resolution_due_at
        return (not service.is_overdue(case, now), due is None, due or _FAR, case.id)

    return key


def open_states(role: str) -> frozenset[State]:
    """Open states a role's lists and map show: a report nobody has accepted yet (and
    perhaps spam) is the dispatcher's, not yet the grid's or the unit's."""
    if role in DISPATCH | SUPERVISE:
        return rules.OPEN_STATES
    return rules.OPEN_STATES - {State.SUBMITTED}


def open_cases(session: Session, viewer: Actor, *, unit: bool, now: datetime) -> Iterator[Case]:
    """The viewer's open cases by urgency: one ordered stream per open state, merged.
    Each stream is already in urgency order, so the merge is too."""
    streams = [
        _stream(session, viewer, state=s.value, unit=unit, now=now)
        for s in sorted(open_states(viewer.role))
    ]
    return heapq.merge(*streams, key=urgency(now))


def views_for(role: str) -> tuple[str, ...]:
    """The list's tabs for a role; the first is the default."""
    if role in DISPATCH:
        return ("new", "returned", "overdue", "open", "all")
    if role == Role.LEADER.value:
        return ("open", "overdue", "all")
    return ("open", "all")


def list_view(
    session: Session, actor: Actor, *, view: str, now: datetime, page: int
) -> tuple[list[Case], bool]:
    """One page of a view and whether another follows."""
    unit = actor.role in (Role.UNIT_STAFF.value, Role.BRANCH_SECRETARY.value)
    offset = page * PAGE_SIZE
    if view == "open":
        rows = list(
            itertools.islice(
                open_cases(session, actor, unit=unit, now=now), offset, offset + PAGE_SIZE + 1
            )
        )
    else:
        rows = service.list_cases(
            session,
            viewer=actor,
            state={"new": State.SUBMITTED.value, "returned": State.RETURNED.value}.get(view),
            overdue=view == "overdue",
            unit=unit,
            now=now,
            limit=PAGE_SIZE + 1,
            offset=offset,
        )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    desk: StaffDesk, view: Annotated[str, Query(max_length=16)] = "", page: PageNumber = 0
) -> HTMLResponse:
    """Grid workers: their grid's open cases, most urgent first. Dispatchers: the queue
    (new, returned, overdue, open, all). Unit staff: their unit's inbox."""
    session, now = desk.session, desk.now
    actor = desk.actor
    language = language_of(desk.request)
    tz = ZoneInfo(desk.tz)
    views = views_for(desk.user.role)
    chosen = view if view in views else views[0]
    rows, more = list_view(session, actor, view=chosen, now=now, page=page)
    categories = _categories(session)
    duplicates: dict[int, list[service.NearCase]] = {}
    if chosen == "new":
        duplicates = service.likely_duplicates_of(session, rows, now=now)
    context = {
        "rows": [
            {
                "case": case,
                "category": _category_name(categories.get(case.category_code or ""), language),
                "due": local_time(case.resolution_due_at, tz),
                "overdue": service.is_overdue(case, now),
            }
            for case in rows
        ],
        "views": views,
        "view": chosen,
        "page": page,
        "more": more,
        "duplicates": duplicates,
        "dispatcher": desk.user.role in DISPATCH,
        "places": region_names(session, {c.grid_code for c in rows if c.grid_code}),
    }
    return render(desk.request, "cases/list.html", context)


# ---------------------------------------------------------------- the clustered map


@dataclass
class Cell:
    count: int = 0
    overdue: int = 0
    lon_sum: float = 0.0
    lat_sum: float = 0.0
    first: Case | None = None


def cell_degrees(zoom: int) -> float:
    """A quarter of a map tile's width at this zoom: about 64 screen pixels."""
    return 360.0 / (1 << zoom) / 4


def cluster(cases: Sequence[Case], *, zoom: int, now: datetime) -> list[dict[str, Any]]:
    """Points rounded to a grid of cells; each cell with its count, how many are overdue,
    and the mean of its points (where the circle goes). A lone case names itself."""
    size = cell_degrees(zoom)
    cells: dict[tuple[int, int], Cell] = {}
    for case in cases:
        if case.lon is None or case.lat is None:
            continue
        key = (math.floor(case.lon / size), math.floor(case.lat / size))
        cell = cells.setdefault(key, Cell())
        cell.count += 1
        cell.overdue += service.is_overdue(case, now)
        cell.lon_sum += case.lon
        cell.lat_sum += case.lat
        cell.first = cell.first or case
    out: list[dict[str, Any]] = []
    for cell in cells.values():
        item: dict[str, Any] = {
            "lon": round(cell.lon_sum / cell.count, 6),
            "lat": round(cell.lat_sum / cell.count, 6),
            "count": cell.count,
            "overdue": cell.overdue,
        }
        if cell.count == 1 and cell.first is not None:
            item["case_id"] = cell.first.id
            item["tracking_code"] = cell.first.tracking_code
        out.append(item)
    out.sort(key=lambda c: (-c["count"], c["lon"], c["lat"]))
    return out


@router.get("/cases/map", response_class=HTMLResponse)
def cases_map_page(request: Request, user: StaffPage) -> HTMLResponse:
    """Open cases in the viewer's area as circles sized by count (no tile server)."""
    return render(request, "cases/map.html", {"scope": user.effective_scope or ""})


@router.get("/cases/map.json")
def cases_map_json(desk: StaffDesk, zoom: Annotated[int, Query(ge=0, le=22)] = 12) -> JSONResponse:
    """Counts of open cases per cell at ``zoom``, within the viewer's scope."""
    actor = desk.actor
    unit = actor.role in (Role.UNIT_STAFF.value, Role.BRANCH_SECRETARY.value)
    found = list(open_cases(desk.session, actor, unit=unit, now=desk.now))
    located = [c for c in found if c.lon is not None and c.lat is not None]
    body = {
        "zoom": zoom,
        "cell": cell_degrees(zoom),
        "total": len(located),
        "unlocated": len(found) - len(located),
        "cells": cluster(located, zoom=zoom, now=desk.now),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
