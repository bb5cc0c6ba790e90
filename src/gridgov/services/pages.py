"""Service pages: the service map, a centre's page, finding the nearest point for a
matter, the siting tool with what-if, and the XLSX export."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access
from gridgov.errors import DomainError, InvalidInput, NotFound
from gridgov.services import circle, export, planning, service, siting
from gridgov.services.api import point_of
from gridgov.services.models import ServicePoint
from gridgov.territory import service as territory
from gridgov.web import i18n
from gridgov.web.deps import Now, PageUser, SessionDep, require_roles
from gridgov.web.render import download, error_message, language_of, local_time, render
from gridgov.web.toolkit import Desk, PageDesk, StaffDesk, committed, desk, form_post

router = APIRouter(include_in_schema=False)
ManagerPage = Annotated[User, Depends(require_roles(*service.MANAGERS, page=True))]


ManagerDesk = Annotated[Desk, Depends(desk(ManagerPage, name="manager_desk"))]


def _point_page(
    code: str, request: Request, session: SessionDep, now: Now, user: PageUser
) -> ServicePoint:
    return point_of(request, session, now, user, code)


PointPage = Annotated[ServicePoint, Depends(_point_page)]


@router.get("/services", response_class=HTMLResponse)
def services_home(desk: StaffDesk) -> HTMLResponse:
    """The service map with the coverage of the reader's area, region by region."""
    session = desk.session
    snapshot = circle.current_snapshot(session)
    scope = desk.user.effective_scope
    regions = circle.coverage_by_region(snapshot, scope) if snapshot else []
    names = export.region_names(session)
    own = next((r for r in regions if r.code == scope), None)
    return render(
        desk.request,
        "services/map.html",
        {
            "snapshot": snapshot,
            "network": circle.active_network(session),
            "computed_at": local_time(snapshot.computed_at, desk.state.settings.tz)
            if snapshot
            else "",
            "own": own,
            "rows": [r for r in regions if len(r.code) in (9, 12) and r.code != scope],
            "names": names,
            "points": service.list_points(session, scope=scope),
            "tile_url": desk.state.settings.map_tile_url or "",
        },
    )


@router.get("/services/points/{code}", response_class=HTMLResponse)
def point_page(point: PointPage, desk: PageDesk) -> HTMLResponse:
    """A centre's page: where and when, the matters it handles (in the reader's
    language), its records and one-trip rate, the households it serves."""
    session = desk.session
    language = language_of(desk.request)
    stats = service.record_stats(session, point_id=point.id)
    snapshot = circle.current_snapshot(session)
    served = None
    if snapshot is not None:
        import json

        served = json.loads(snapshot.by_point).get(point.code)
    return render(
        desk.request,
        "services/point.html",
        {
            "point": point,
            "matters": service.matters_of(session, [point.id])[point.id],
            "language": language,
            "stats": stats,
            "served": served,
            "minutes": snapshot.minutes if snapshot else None,
            "may_record": desk.user.role in {r.value for r in service.RECORDERS}
            and may_access(desk.user.effective_scope, point.region_code),
        },
    )


@form_post(router, "/services/points/{code}/records")
def record_page(
    point: PointPage,
    desk: PageDesk,
    matter: Annotated[str, Form(max_length=32)],
    visits: Annotated[int, Form(ge=1, le=20)],
    minutes: Annotated[int, Form(ge=0, le=600)],
) -> Response:
    desk.run(
        service.do_record_service, point=point, matter_code=matter, visits=visits, minutes=minutes
    )
    return committed(desk.session, f"/services/points/{point.code}")


@router.get("/services/find", response_class=HTMLResponse)
def find_page(
    desk: PageDesk, matter: str = "", lon: float | None = None, lat: float | None = None
) -> HTMLResponse:
    """Which point nearest to me handles this matter, and what to bring."""
    session = desk.session
    language = language_of(desk.request)
    matters = service.list_matters(session)
    chosen = next((m for _row, m in matters if m.code == matter[:32]), None)
    found: list[planning.Nearby] = []
    where = None
    if lon is None or lat is None:
        home = territory.find_region(
            session, code=desk.user.effective_scope or desk.user.scope or ""
        )
        if home is not None and home.centroid_lon is not None and home.centroid_lat is not None:
            lon, lat, where = home.centroid_lon, home.centroid_lat, home.name
    if chosen is not None and lon is not None and lat is not None:
        found = planning.nearest_offering(session, matter_code=chosen.code, lon=lon, lat=lat)
    return render(
        desk.request,
        "services/find.html",
        {
            "matters": [m for _row, m in matters],
            "chosen": chosen,
            "language": language,
            "found": found,
            "where": where,
            "lon": lon,
            "lat": lat,
        },
    )


def _siting_context(session: SessionDep, user: User) -> dict[str, Any]:
    scope = user.effective_scope
    snapshot = circle.current_snapshot(session)
    regions = circle.coverage_by_region(snapshot, scope) if snapshot else []
    return {
        "snapshot": snapshot,
        "regions": [r for r in regions if len(r.code) in (6, 9, 12)],
        "names": export.region_names(session),
        "runs": [(run, planning.run_result(run)) for run in planning.list_runs(session, scope)],
        "points": service.list_points(session, scope=scope, active_only=True),
        "methods": list(siting.Method),
        "solvers": list(siting.Solver),
    }


def _siting_error(desk: Desk, error: DomainError) -> HTMLResponse:
    """The siting page again, with what went wrong."""
    context = _siting_context(desk.session, desk.user)
    context["error"] = error_message(language_of(desk.request), error)
    return render(desk.request, "services/siting.html", context, status_code=error.status)


@router.get("/services/siting", response_class=HTMLResponse)
def siting_page(desk: ManagerDesk) -> HTMLResponse:
    return render(desk.request, "services/siting.html", _siting_context(desk.session, desk.user))


@form_post(router, "/services/siting")
def siting_run(
    desk: ManagerDesk,
    region_code: Annotated[str, Form(max_length=18, pattern=r"^\d+$")],
    method: Annotated[siting.Method, Form()],
    solver: Annotated[siting.Solver, Form()],
    k: Annotated[int, Form(ge=1, le=50)] = 1,
) -> Response:
    if not may_access(desk.user.effective_scope, region_code):
        raise NotFound("Not found, or outside your area.")
    return desk.form(
        desk.action(
            planning.do_site,
            region_code=region_code,
            method=method,
            solver=solver,
            k=k,
        ),
        to="/services/siting",
        on_error=lambda exc: _siting_error(desk, exc),
    )


@form_post(router, "/services/what-if")
def what_if_page(
    desk: ManagerDesk,
    close: Annotated[str, Form(max_length=32)] = "",
    add_lon: Annotated[str, Form(max_length=20)] = "",
    add_lat: Annotated[str, Form(max_length=20)] = "",
) -> HTMLResponse:
    """Coverage if a point were closed or one added at a place: before and after."""
    session, user = desk.session, desk.user
    context = _siting_context(session, user)
    try:
        add: list[tuple[float, float]] = []
        if add_lon.strip() or add_lat.strip():
            try:
                add = [(float(add_lon), float(add_lat))]
            except ValueError as exc:
                raise InvalidInput("The location is not a longitude and latitude.") from exc
        context["what_if"] = planning.what_if(
            session,
            scenario=planning.Scenario(add=add, close=[close] if close else []),
            scope=user.effective_scope,
        )
        context["what_if_close"] = close
        context["what_if_add"] = add
    except DomainError as exc:
        return _siting_error(desk, exc)
    return render(desk.request, "services/siting.html", context)


@router.get("/services/coverage.xlsx")
def coverage_xlsx(desk: StaffDesk) -> Response:
    session = desk.session
    snapshot = circle.current_snapshot(session)
    if snapshot is None:
        raise NotFound("Coverage has not been computed yet: import a walking network first.")
    language = language_of(desk.request)
    body = export.coverage_xlsx(
        session,
        snapshot,
        scope=desk.user.effective_scope,
        gettext=lambda text: i18n.gettext(language, text),
        names=export.region_names(session),
    )
    return download(
        body,
        "service-coverage.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
