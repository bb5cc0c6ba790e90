"""Outreach pages: contact-group schemes (list, one scheme with its groups and the
households not visited, refit, hand moves, XLSX), the phone form for a visit (with
"turn into a case"), pledges for the branch to review, the public pledge board, and a
branch's member pipeline (its officers only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import STAFF_ROLES, Role
from gridgov.audit.service import Actor
from gridgov.errors import DomainError, InvalidInput, Problem
from gridgov.outreach import pairing, pipeline, pledges, service, spreadsheets
from gridgov.outreach.rules import STAGE_ORDER, PledgeState, VisitKind
from gridgov.registry import service as registry
from gridgov.registry.models import Household
from gridgov.web.deps import (
    CsrfChecked,
    Now,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    client_ip,
    require_roles,
)
from gridgov.web.errors import wants_json
from gridgov.web.render import (
    download,
    error_message,
    error_problems,
    language_of,
    render,
    render_form,
)
from gridgov.web.toolkit import form_action, office_today

router = APIRouter(include_in_schema=False)
Staff = Annotated[User, Depends(require_roles(*STAFF_ROLES, page=True))]
Secretary = Annotated[User, Depends(require_roles(Role.BRANCH_SECRETARY, Role.ADMIN, page=True))]
Visitor = Annotated[
    User, Depends(require_roles(Role.GRID_WORKER, Role.BRANCH_SECRETARY, Role.ADMIN, page=True))
]
RegionCode = Annotated[str, Path(pattern=r"^[0-9]{6,18}$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PHOTO = 5 * 1024 * 1024


def _error(request: Request, exc: DomainError) -> dict[str, object]:
    language = language_of(request)
    return {"error": error_message(language, exc), "problems": error_problems(language, exc)}


# ---------------------------------------------------------------- schemes


@router.get("/outreach", response_class=HTMLResponse)
def outreach_home(request: Request, user: Staff, session: SessionDep) -> HTMLResponse:
    schemes = service.list_schemes(session, viewer=actor_of(request, user))
    return render(request, "outreach/home.html", {"schemes": schemes})


@router.post("/outreach/schemes", dependencies=[CsrfChecked], response_class=HTMLResponse)
def scheme_create(
    request: Request,
    user: Secretary,
    session: SessionDep,
    now: Now,
    region_code: Annotated[str, Form(max_length=18)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
    groups: Annotated[int, Form(ge=1, le=5000)] = 1,
    member_max: Annotated[int, Form(ge=1, le=200)] = 15,
) -> Response:
    try:
        scheme, _ = service.do_create_scheme(
            session,
            actor=actor_of(request, user),
            region_code=region_code.strip(),
            name=name,
            groups=groups,
            member_max=member_max,
            now=now,
        )
    except DomainError as exc:
        session.rollback()
        schemes = service.list_schemes(session, viewer=actor_of(request, user))
        form = {"region_code": region_code, "name": name, "groups": groups}
        return render(
            request,
            "outreach/home.html",
            {"schemes": schemes, **_error(request, exc), "form": form},
            status_code=exc.status,
        )
    session.commit()
    return RedirectResponse(f"/outreach/schemes/{scheme.id}", status_code=303)


@router.get("/outreach/schemes/{scheme_id}", response_class=HTMLResponse)
def scheme_page(
    request: Request,
    scheme_id: int,
    user: Staff,
    session: SessionDep,
    state: StateDep,
    now: Now,
    group: Annotated[int | None, Query(ge=1, le=5000)] = None,
) -> HTMLResponse:
    scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor_of(request, user))
    today = office_today(state, now)
    rows = service.group_rows(session, scheme, today=today)
    missing = service.not_visited(session, scheme=scheme, today=today, number=group)
    households = registry.households_by_id(session, ids=[h for h, _ in missing[:200]])
    layout = service.scheme_map(session, scheme)
    return render(
        request,
        "outreach/scheme.html",
        {
            "scheme": scheme,
            "rows": rows,
            "quality": layout.quality,
            "distances": {g.number: g.largest_distance_m for g in layout.groups},
            "missing": [(households.get(h), n) for h, n in missing[:200]],
            "missing_total": len(missing),
            "group": group,
            "tile_url": state.settings.map_tile_url or "",
            "tile_attribution": state.settings.map_tile_attribution,
        },
    )


@router.get("/outreach/schemes/{scheme_id}/map.json")
def scheme_map_json(
    request: Request, scheme_id: int, user: Staff, session: SessionDep
) -> dict[str, object]:
    """What the map beside the hand edit draws: every building as a point with its
    groups, each group's size and largest in-group distance, the band and the quality."""
    scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor_of(request, user))
    return _map_body(service.scheme_map(session, scheme))


def _map_body(layout: service.SchemeMap) -> dict[str, object]:
    quality = layout.quality
    return {
        "band": {"low": layout.band.low, "high": layout.band.high},
        "quality": {
            "smallest": quality.smallest,
            "largest": quality.largest,
            "out_of_band": quality.out_of_band,
            "buildings_split": quality.buildings_split,
            "largest_distance_m": quality.largest_distance_m,
        },
        "groups": [
            {
                "number": g.number,
                "size": g.size,
                "largest_distance_m": g.largest_distance_m,
                "member": g.member_name,
            }
            for g in layout.groups
        ],
        "points": [
            {
                "key": p.key,
                "lon": p.lon,
                "lat": p.lat,
                "number": p.number,
                "households": p.households,
                "group": p.group,
                "groups": {str(n): c for n, c in p.groups.items()},
            }
            for p in layout.points
        ],
    }


@router.post("/outreach/schemes/{scheme_id}/refresh", dependencies=[CsrfChecked])
def scheme_refresh(
    request: Request, scheme_id: int, user: Secretary, session: SessionDep, now: Now
) -> Response:
    actor = actor_of(request, user)
    scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor)
    service.do_refresh_scheme(session, actor=actor, scheme=scheme, now=now)
    session.commit()
    return RedirectResponse(f"/outreach/schemes/{scheme_id}", status_code=303)


@router.post("/outreach/schemes/{scheme_id}/move", dependencies=[CsrfChecked])
def scheme_move(
    request: Request,
    scheme_id: int,
    user: Secretary,
    session: SessionDep,
    now: Now,
    household_number: Annotated[str, Form(max_length=32)] = "",
    to_number: Annotated[int, Form(ge=1, le=5000)] = 1,
) -> Response:
    actor = actor_of(request, user)
    scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor)
    found = registry.list_households(
        session, viewer=actor, q=household_number.strip(), region_code=scheme.region_code, limit=2
    )
    exact = [h for h in found if h.number == household_number.strip()]
    if not exact:
        problem = Problem(
            "household_number", "No household numbered %(value)s.", value=household_number
        )
        raise InvalidInput("The contact groups were not changed.", details=[problem])
    service.do_move_household(
        session, actor=actor, scheme=scheme, household_id=exact[0].id, to_number=to_number, now=now
    )
    session.commit()
    if wants_json(request):  # the map's script: it redraws from the new layout
        return JSONResponse(_map_body(service.scheme_map(session, scheme)))
    return RedirectResponse(f"/outreach/schemes/{scheme_id}?group={to_number}", status_code=303)


@router.get("/outreach/schemes/{scheme_id}/groups.xlsx")
def scheme_xlsx(request: Request, scheme_id: int, user: Staff, session: SessionDep) -> Response:
    scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor_of(request, user))
    return download(spreadsheets.export_xlsx(session, scheme), f"联系户-{scheme.id}.xlsx", XLSX)


@router.post("/outreach/schemes/{scheme_id}/import", dependencies=[CsrfChecked])
async def scheme_import(
    request: Request,
    scheme_id: int,
    user: Secretary,
    session: SessionDep,
    now: Now,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Load the groups back from an edited XLSX: all rows or none, problems by row."""
    actor = actor_of(request, user)
    scheme = service.get_scheme(session, scheme_id=scheme_id, viewer=actor)
    data = await file.read(spreadsheets.MAX_BYTES + 1)
    spreadsheets.do_import_groups(session, actor=actor, scheme=scheme, data=data, now=now)
    session.commit()
    return RedirectResponse(f"/outreach/schemes/{scheme_id}", status_code=303)


# ---------------------------------------------------------------- visits


def _visits_page(
    request: Request,
    session: Session,
    actor: Actor,
    household: Household | None,
    today: date,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    context = {
        "visits": service.list_visits(session, viewer=actor, limit=50),
        "household": household,
        "kinds": [k.value for k in VisitKind],
        "today": today.isoformat(),
        "form": form or {},
    }
    return render_form(request, "outreach/visits.html", context, error)


@router.get("/outreach/visits", response_class=HTMLResponse)
def visits_page(
    request: Request,
    user: Staff,
    session: SessionDep,
    state: StateDep,
    now: Now,
    household: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    chosen = registry.get_household(session, household_id=household) if household else None
    actor = actor_of(request, user)
    return _visits_page(request, session, actor, chosen, office_today(state, now))


@router.post("/outreach/visits", dependencies=[CsrfChecked], response_class=HTMLResponse)
async def visit_record(
    request: Request,
    user: Visitor,
    session: SessionDep,
    state: StateDep,
    now: Now,
    household_id: Annotated[int, Form(ge=1)],
    visited_on: Annotated[date, Form()],
    kind: Annotated[VisitKind, Form()] = VisitKind.HOME,
    heard: Annotated[str, Form(max_length=2000)] = "",
    to_case: Annotated[bool, Form()] = False,
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    picture = None
    if photo is not None and photo.filename:
        data = await photo.read(MAX_PHOTO + 1)
        picture = (photo.content_type or "", data)
    actor = actor_of(request, user)
    tz = state.settings.timezone

    def run() -> None:
        visit = service.do_record_visit(
            session,
            actor=actor,
            household_id=household_id,
            visited_on=visited_on,
            kind=kind,
            heard=heard,
            photo=picture,
            now=now,
            today=office_today(state, now),
        )
        if to_case:
            service.do_visit_to_case(session, actor=actor, visit=visit, now=now, tz=tz)

    def again(exc: DomainError) -> Response:
        household = registry.get_household(session, household_id=household_id)
        form = {"heard": heard, "kind": kind.value}
        return _visits_page(request, session, actor, household, visited_on, exc, form)

    return form_action(session, run, to="/outreach/visits", on_error=again)


@router.post("/outreach/visits/{visit_id}/case", dependencies=[CsrfChecked])
def visit_case(
    request: Request, visit_id: int, user: Visitor, session: SessionDep, state: StateDep, now: Now
) -> Response:
    actor = actor_of(request, user)
    visit = service.get_visit(session, visit_id=visit_id, viewer=actor)
    case_id = service.do_visit_to_case(
        session, actor=actor, visit=visit, now=now, tz=state.settings.timezone
    )
    session.commit()
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# ---------------------------------------------------------------- pledges


@router.get("/outreach/pledges", response_class=HTMLResponse)
def pledges_page(
    request: Request,
    user: Staff,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> HTMLResponse:
    actor = actor_of(request, user)
    items = pledges.list_pledges(session, viewer=actor)
    names = {
        p.member_id: (
            r.name if (r := registry.get_resident(session, resident_id=p.member_id)) else ""
        )
        for p in items
    }
    return render(
        request,
        "outreach/pledges.html",
        {"pledges": items, "names": names, "today": office_today(state, now).isoformat()},
    )


@router.post("/outreach/pledges/{pledge_id}/review", dependencies=[CsrfChecked])
def pledge_review(
    request: Request,
    pledge_id: int,
    user: Secretary,
    session: SessionDep,
    now: Now,
    approve: Annotated[bool, Form()] = False,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    actor = actor_of(request, user)
    pledge = pledges.get_pledge(session, pledge_id=pledge_id, viewer=actor)
    pledges.do_review_pledge(
        session, actor=actor, pledge=pledge, approve=approve, note=note, now=now
    )
    session.commit()
    return RedirectResponse("/outreach/pledges", status_code=303)


@router.post("/outreach/pledges/{pledge_id}/fulfil", dependencies=[CsrfChecked])
def pledge_fulfil(
    request: Request,
    pledge_id: int,
    user: Secretary,
    session: SessionDep,
    state: StateDep,
    now: Now,
    evidence: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    actor = actor_of(request, user)
    pledge = pledges.get_pledge(session, pledge_id=pledge_id, viewer=actor)
    today = office_today(state, now)
    pledges.do_fulfil_pledge(
        session, actor=actor, pledge=pledge, evidence=evidence, on=today, today=today, now=now
    )
    session.commit()
    return RedirectResponse("/outreach/pledges", status_code=303)


@router.get("/board/{region_code}", response_class=HTMLResponse)
def board_page(
    request: Request, region_code: RegionCode, session: SessionDep, state: StateDep, now: Now
) -> HTMLResponse:
    """The public board (亮身份、亮作为、亮承诺): anyone reads it."""
    year = office_today(state, now).year
    entries = pledges.public_board(session, region_code=region_code, year=year)
    return render(
        request,
        "outreach/board.html",
        {"entries": entries, "region_code": region_code, "year": year},
    )


@router.post("/board/{region_code}/pledges/{pledge_id}/comments", dependencies=[CsrfChecked])
def board_comment(
    request: Request,
    region_code: RegionCode,
    pledge_id: int,
    session: SessionDep,
    now: Now,
    text: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    pledges.do_comment(
        session,
        actor=anonymous_actor(request),
        pledge_id=pledge_id,
        text=text,
        source=f"ip:{client_ip(request)}",
        now=now,
    )
    session.commit()
    return RedirectResponse(f"/board/{region_code}", status_code=303)


# ---------------------------------------------------------------- the pipeline


@router.get("/outreach/pipeline/{branch_id}", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    branch_id: int,
    user: Secretary,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> HTMLResponse:
    actor = actor_of(request, user)
    candidates = pipeline.list_candidates(session, actor=actor, branch_id=branch_id, now=now)
    session.commit()  # the audited read
    today = office_today(state, now)
    return render(
        request,
        "outreach/pipeline.html",
        {
            "candidates": candidates,
            "funnel": pipeline.branch_funnel(candidates),
            "stages": STAGE_ORDER,
            "due": pipeline.steps_due(session, candidates, today=today),
            "reserve": [c for c in candidates if c.reserve_cadre],
            "states": [s.value for s in PledgeState],
        },
    )


# ---------------------------------------------------------------- pairing


@router.get("/outreach/pairings", response_class=HTMLResponse)
def pairings_page(request: Request, user: Staff, session: SessionDep) -> HTMLResponse:
    """Pairings (结对共建) in scope with each one's record: the report."""
    records = pairing.pairing_records(session, viewer=actor_of(request, user))
    totals = {
        "activities": sum(r.activities for r in records),
        "problems_solved": sum(r.problems_solved for r in records),
        "workers": sum(r.workers for r in records),
    }
    return render(request, "outreach/pairings.html", {"records": records, "totals": totals})
