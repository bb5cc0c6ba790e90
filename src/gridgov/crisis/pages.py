"""Crisis pages: the incidents list and the opening form, an incident's command page
(level, posts, tasks), the live board, the check-in list (a field page that works
offline, see field_pages.py) and the command centre's XLSX export."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases.rules import State as CaseState
from gridgov.crisis import broadcasts, checkins, export, rules, service
from gridgov.crisis.labels import KIND_LABELS, LABELS
from gridgov.crisis.models import Incident
from gridgov.crisis.rules import (
    FIELD_ROLES,
    CheckinStatus,
    IncidentKind,
    IncidentLevel,
    IncidentState,
    Need,
    Post,
    TaskKind,
    Vulnerability,
)
from gridgov.errors import DomainError, InvalidInput, Problem
from gridgov.outreach.rules import VisitKind
from gridgov.registry import service as registry
from gridgov.registry.models import Resident
from gridgov.territory import service as territory
from gridgov.territory.models import Region
from gridgov.territory.rules import Level
from gridgov.web import i18n
from gridgov.web.deps import SessionDep, actor_of, require_roles, writes_on_read
from gridgov.web.render import (
    download,
    language_of,
    local_time,
    no_store,
    render,
    render_form,
)
from gridgov.web.toolkit import Desk, desk, form_post, safe_next, scoped

router = APIRouter(include_in_schema=False)
StaffPage = Annotated[
    User,
    Depends(require_roles(*FIELD_ROLES, Role.AUDITOR, page=True)),
]
Page = Annotated[int, Query(ge=0, le=10_000)]
PAGE_SIZE = 100


scoped_incident_page = scoped(Incident, "incident_id", StaffPage, service.may_see_incident)
IncidentPage = Annotated[Incident, Depends(scoped_incident_page)]


StaffDesk = Annotated[Desk, Depends(desk(StaffPage, name="staff_desk"))]


def field_labels(request: Request) -> dict[str, str]:
    """Labels the field app's script shows (conflicts name states, never codes)."""
    language = language_of(request)
    codes = (
        *LABELS,
        *(s.value for s in CaseState),
        *(k.value for k in VisitKind),
    )
    return {code: i18n.gettext(language, KIND_LABELS.get(code, code)) for code in codes}


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def may_command(user: User) -> bool:
    return user.role_enum in rules.COMMAND_ROLES


@router.get("/crisis", response_class=HTMLResponse)
def incidents_page(desk: StaffDesk) -> HTMLResponse:
    actor = desk.actor
    return no_store(
        render(
            desk.request,
            "crisis/index.html",
            {
                "incidents": service.list_incidents(desk.session, viewer=actor),
                "kinds": [k.value for k in IncidentKind],
                "levels": [v.value for v in IncidentLevel],
                "may_command": may_command(desk.user),
                "kind_label": KIND_LABELS,
                "scope": desk.user.effective_scope or "",
                "regions": _regions_by_level(desk) if may_command(desk.user) else [],
            },
        )
    )


def _regions_by_level(desk: Desk) -> list[tuple[str, list[tuple[str, str]]]]:
    """The regions of the commander's scope to pick the incident's area from, by name,
    grouped by level (district, streets, communities, grids); codes only as values."""
    found: dict[str, list[tuple[str, str]]] = {level.value: [] for level in Level}
    for region in territory.list_regions(desk.session, viewer=desk.actor, limit=2000):
        found.setdefault(region.level, []).append((region.code, region.name))
    return [(level, names) for level, names in found.items() if names]


@form_post(router, "/crisis")
def open_incident(
    desk: StaffDesk,
    title: Annotated[str, Form(max_length=128)],
    kind: Annotated[str, Form(max_length=16)],
    level: Annotated[str, Form(max_length=16)],
    area: Annotated[list[str], Form(max_length=64)],
    unreached_hours: Annotated[int, Form(ge=1, le=240)] = 12,
    retention_days: Annotated[int, Form(ge=1, le=3650)] = 30,
    area_geojson: Annotated[str, Form(max_length=200_000)] = "",
) -> Response:
    # the regions picked by name (one value each); typed codes, separated, still read
    typed = ",".join(area).replace("，", ",").replace(" ", ",")
    codes = tuple(dict.fromkeys(c for c in typed.split(",") if c))
    region = _common_prefix_region(codes, desk.user.effective_scope or "")
    incident = desk.commit(
        service.do_open_incident,
        value=service.IncidentInput(
            title=title,
            kind=kind,
            level=level,
            region_code=region,
            area_codes=codes,
            area_geojson=area_geojson or None,
            unreached_hours=unreached_hours,
            retention_days=retention_days,
        ),
    )
    return _back(f"/crisis/{incident.id}")


def _common_prefix_region(codes: tuple[str, ...], scope: str) -> str:
    """The incident's owning region: the user's own scope when the area lies in it."""
    if not codes:
        raise InvalidInput(
            "The incident was not opened.",
            details=[Problem("area", "Name at least one region, or draw the area.")],
        )
    return scope if all(c.startswith(scope) for c in codes) and scope else codes[0]


@router.get("/crisis/{incident_id}", response_class=HTMLResponse)
def incident_page(
    incident: IncidentPage, desk: StaffDesk, who: Annotated[str, Query(max_length=64)] = ""
) -> HTMLResponse:
    """The command page; ``who`` (a name, or a whole phone or ID number) looks up the
    residents of the area the post form offers."""
    return _incident(desk, incident, who=who)


def _incident(
    desk: Desk, incident: Incident, *, who: str = "", error: DomainError | None = None
) -> HTMLResponse:
    session = desk.session
    actor = desk.actor
    tz = ZoneInfo(desk.tz)
    posts = service.list_posts(session, incident=incident)
    people = registry.residents_by_id(session, ids=[p.resident_id for p in posts])
    tasks = service.list_tasks(session, incident=incident, viewer=actor)
    area = rules.split(incident.area_codes)
    # the units of the area a post can lead and the grids a task can be sent to, by
    # name (only those levels are read, so the limit counts no street or district)
    in_area = [
        r
        for r in territory.list_regions(session, viewer=actor, levels=POST_UNIT_LEVELS, limit=2000)
        if rules.in_area(area, r.code)
    ]
    task_grids = [(r.code, r.name) for r in in_area if r.level != Level.COMMUNITY.value]
    commands = may_command(desk.user) and incident.state == IncidentState.ACTIVE.value
    matches = _post_candidates(desk, incident, area, who) if commands else []
    shown = {
        *area,
        *(p.unit_code for p in posts),
        *(t.grid_code for t in tasks),
        *(code for r in matches for code in (r.grid_code, r.grid_code[:12])),
    }
    return no_store(
        render_form(
            desk.request,
            "crisis/incident.html",
            {
                "kind_label": KIND_LABELS,
                "places": territory.region_names(session, shown),
                "task_grids": task_grids,
                "post_units": _post_units(in_area),
                "who": who,
                "matches": matches,
                "incident": incident,
                "started": local_time(incident.started_at, tz),
                "closed": local_time(incident.closed_at, tz),
                "anonymise_after": local_time(
                    rules.anonymise_after(incident.closed_at, incident.retention_days), tz
                ),
                "posts": posts,
                "people": people,
                "tasks": tasks,
                "due": {t.id: local_time(t.due_at, tz) for t in tasks},
                "board": checkins.board(session, incident=incident, viewer=actor, by="community"),
                "broadcasts": broadcasts.list_broadcasts(session, viewer=actor, incident=incident),
                "levels": [v.value for v in IncidentLevel],
                "post_kinds": [p.value for p in Post],
                "task_kinds": [k.value for k in TaskKind],
                "grids": area,
                "may_command": commands,
                "now_local": datetime.now(tz).strftime("%Y-%m-%dT%H:%M"),
            },
            error,
        )
    )


POST_CANDIDATES = 20
# the levels of the units a post can lead (and, but communities, a task be sent to)
POST_UNIT_LEVELS = (Level.COMMUNITY.value, Level.GRID.value, Level.MICRO_GRID.value)


def _post_candidates(desk: Desk, incident: Incident, area: list[str], who: str) -> list[Resident]:
    """The residents of the incident's area (in the commander's view) that ``who`` names:
    a name's start, or a whole phone or ID number; at most ``POST_CANDIDATES``."""
    if not who.strip():
        return []
    found = registry.list_residents(
        desk.session, viewer=desk.actor, q=who, region_code=incident.region_code, limit=100
    )
    return [r for r in found if rules.in_area(area, r.grid_code)][:POST_CANDIDATES]


def _post_units(in_area: list[Region]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The units a post can lead, by level (communities, grids, micro grids) and name."""
    grouped: dict[str, list[tuple[str, str]]] = {level: [] for level in POST_UNIT_LEVELS}
    for region in in_area:
        if region.level in grouped:
            grouped[region.level].append((region.code, region.name))
    return [(level, units) for level, units in grouped.items() if units]


@form_post(router, "/crisis/{incident_id}/level")
def set_level(
    incident: IncidentPage, desk: StaffDesk, level: Annotated[str, Form(max_length=16)]
) -> Response:
    desk.commit(service.do_set_level, incident=incident, level=level)
    return _back(f"/crisis/{incident.id}")


@form_post(router, "/crisis/{incident_id}/close")
def close_incident(incident: IncidentPage, desk: StaffDesk) -> Response:
    desk.commit(service.do_close_incident, incident=incident)
    return _back(f"/crisis/{incident.id}")


@form_post(router, "/crisis/{incident_id}/posts")
def add_post(
    incident: IncidentPage,
    desk: StaffDesk,
    post: Annotated[str, Form(max_length=24)],
    unit_code: Annotated[str, Form(max_length=32)],
    resident_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    who: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """A resident picked by name (``who``, the page's look-up) put on a post; a refusal
    shows the page again with its problems and the same choices."""
    return desk.form(
        desk.action(
            service.do_add_post,
            incident=incident,
            post=post,
            unit_code=unit_code.strip(),
            resident_id=resident_id,
        ),
        to=f"/crisis/{incident.id}#posts",
        on_error=lambda exc: _incident(desk, incident, who=who, error=exc),
    )


@form_post(router, "/crisis/{incident_id}/tasks")
def add_task(
    incident: IncidentPage,
    desk: StaffDesk,
    kind: Annotated[str, Form(max_length=24)],
    grid_code: Annotated[str, Form(max_length=17)],
    hours: Annotated[int, Form(ge=1, le=240)] = 4,
    note: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    desk.commit(
        service.do_add_task,
        incident=incident,
        kind=kind,
        grid_code=grid_code.strip(),
        due_at=desk.now + timedelta(hours=hours),
        note=note,
    )
    return _back(f"/crisis/{incident.id}#tasks")


@form_post(router, "/crisis/tasks/{task_id}/state")
def move_task(
    task_id: int,
    desk: StaffDesk,
    target: Annotated[str, Form(max_length=16)],
    back: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    task = service.get_task(desk.session, task_id=task_id, viewer=desk.actor)
    desk.commit(service.do_move_task, task=task, target=target)
    return _back(safe_next(back, "/field"))


# ---------------------------------------------------------------- board and check-ins


def _board_context(
    incident: Incident, request: Request, user: User, session: SessionDep, by: str
) -> dict[str, object]:
    rows = checkins.board(session, incident=incident, viewer=actor_of(request, user), by=by)
    totals = {s.value: sum(r.counts.get(s.value, 0) for r in rows) for s in CheckinStatus}
    return {
        "incident": incident,
        "rows": rows,
        "board": rows,
        "by": by,
        "statuses": [s.value for s in CheckinStatus],
        "totals": totals,
        "total": sum(r.total for r in rows),
    }


@router.get("/crisis/{incident_id}/board", response_class=HTMLResponse)
def board_page(
    incident: IncidentPage,
    desk: StaffDesk,
    by: Annotated[str, Query(pattern="^(grid|community)$")] = "grid",
) -> HTMLResponse:
    request = desk.request
    context = _board_context(incident, request, desk.user, desk.session, by)
    if request.headers.get("HX-Request"):
        return no_store(render(request, "crisis/_board.html", context))
    return no_store(render(request, "crisis/board.html", context))


@router.get("/crisis/{incident_id}/checkins", response_class=HTMLResponse)
def checkins_page(
    incident: IncidentPage,
    desk: StaffDesk,
    status: Annotated[str, Query(max_length=16)] = "",
    grid: Annotated[str, Query(max_length=17)] = "",
    page: Page = 0,
) -> HTMLResponse:
    actor = desk.actor
    rows = checkins.list_checkins(
        desk.session,
        incident=incident,
        viewer=actor,
        status=status or None,
        grid_code=grid or None,
        limit=PAGE_SIZE,
        offset=page * PAGE_SIZE,
    )
    households = registry.households_by_id(desk.session, ids=[r.household_id for r in rows])
    tz = ZoneInfo(desk.tz)
    return no_store(
        render(
            desk.request,
            "crisis/checkins.html",
            {
                "incident": incident,
                "rows": rows,
                "households": households,
                "updated": {r.id: local_time(r.updated_at, tz) for r in rows},
                "statuses": [s.value for s in rules.RECORDABLE_ORDER],
                "all_statuses": [s.value for s in CheckinStatus],
                "needs": [n.value for n in Need],
                "flags": [f.value for f in Vulnerability],
                "status": status,
                "grid": grid,
                "page": page,
                "more": len(rows) == PAGE_SIZE,
                "split": rules.split,
                "active": incident.state == IncidentState.ACTIVE.value,
                "labels": field_labels(desk.request),
            },
        )
    )


@form_post(router, "/crisis/{incident_id}/checkins/{household_id}")
def record_checkin(
    incident: IncidentPage,
    household_id: int,
    desk: StaffDesk,
    status: Annotated[str, Form(max_length=16)],
    needs: Annotated[list[str] | None, Form(max_length=4)] = None,
    note: Annotated[str, Form(max_length=1000)] = "",
    base_version: Annotated[int | None, Form()] = None,
) -> Response:
    """The form without JavaScript; the field app posts to the sync API instead."""
    desk.commit(
        checkins.do_checkin,
        incident=incident,
        household_id=household_id,
        status=status,
        needs=needs or [],
        note=note,
        base_version=base_version,
    )
    return _back(f"/crisis/{incident.id}/checkins#h{household_id}")


@router.get("/crisis/{incident_id}/export.xlsx")
@writes_on_read  # the export is audited
def export_checkins(incident: IncidentPage, desk: StaffDesk) -> Response:
    """The command centre's workbook: the board and every household in the viewer's
    area, sensitive flags included only inside it."""
    session = desk.session
    actor = desk.actor
    body = export.workbook(session, incident=incident, viewer=actor, tz=desk.tz)
    from gridgov.audit.service import record_about

    record_about(
        session, actor, "incident.exported", incident, now=desk.now, summary={"scope": actor.scope}
    )
    session.commit()
    return download(
        body,
        f"incident-{incident.id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
