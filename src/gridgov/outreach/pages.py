"""Outreach pages: contact-group schemes (list, one scheme with its groups and the
households not visited, refit, hand moves, XLSX), the phone form for a visit (with
"turn into a case"), pledges for the branch to review, the public pledge board, and a
branch's member pipeline (its officers only)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.deliberation.rules import Tally
from gridgov.errors import DomainError, InvalidInput, Problem
from gridgov.fields import mask_address
from gridgov.msgids import N_
from gridgov.outreach import pairing, pipeline, pledges, service, spreadsheets
from gridgov.outreach.models import ContactScheme, Pledge
from gridgov.outreach.rules import STAGE_ORDER, PledgeState, Step, VisitKind
from gridgov.registry import service as registry
from gridgov.registry.models import Household
from gridgov.territory.service import region_names
from gridgov.web.deps import (
    Now,
    SessionDep,
    StateDep,
    anonymous_actor,
    client_ip,
    require_roles,
    writes_on_read,
)
from gridgov.web.errors import wants_json
from gridgov.web.regions import region_choices
from gridgov.web.render import download, render, render_form
from gridgov.web.toolkit import Desk, StaffDesk, desk, form_post, office_today

router = APIRouter(include_in_schema=False)
Secretary = Annotated[User, Depends(require_roles(Role.BRANCH_SECRETARY, Role.ADMIN, page=True))]
Visitor = Annotated[
    User, Depends(require_roles(Role.GRID_WORKER, Role.BRANCH_SECRETARY, Role.ADMIN, page=True))
]
SecretaryDesk = Annotated[Desk, Depends(desk(Secretary, name="secretary_desk"))]
VisitorDesk = Annotated[Desk, Depends(desk(Visitor, name="visitor_desk"))]
RegionCode = Annotated[str, Path(pattern=r"^[0-9]{6,18}$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_PHOTO = 5 * 1024 * 1024


def _scheme(desk: Desk, scheme_id: int) -> ContactScheme:
    """The contact-group scheme, if the desk's user may see it (else 404)."""
    return service.get_scheme(desk.session, scheme_id=scheme_id, viewer=desk.actor)


# ---------------------------------------------------------------- schemes


def _home(desk: Desk) -> dict[str, object]:
    """The outreach home's schemes (with their places' names) and the officer's branches."""
    schemes = service.list_schemes(desk.session, viewer=desk.actor)
    return {
        "schemes": schemes,
        "places": region_names(desk.session, {s.region_code for s in schemes}),
        "branches": pipeline.officer_branches(desk.session, actor=desk.actor),
        # the villages and communities a scheme can be made for, by name
        "communities": region_choices(desk.session, desk.actor, ("community",)),
    }


@router.get("/outreach", response_class=HTMLResponse)
def outreach_home(desk: StaffDesk) -> HTMLResponse:
    return render(desk.request, "outreach/home.html", _home(desk))


@form_post(router, "/outreach/schemes")
def scheme_create(
    desk: SecretaryDesk,
    region_code: Annotated[str, Form(max_length=18)] = "",
    name: Annotated[str, Form(max_length=128)] = "",
    groups: Annotated[int, Form(ge=1, le=5000)] = 1,
    member_max: Annotated[int, Form(ge=1, le=200)] = 15,
) -> Response:
    def again(exc: DomainError) -> Response:
        form = {"region_code": region_code, "name": name, "groups": groups}
        return render_form(desk.request, "outreach/home.html", {**_home(desk), "form": form}, exc)

    return desk.form(
        desk.action(
            service.do_create_scheme,
            region_code=region_code.strip(),
            name=name,
            groups=groups,
            member_max=member_max,
        ),
        to=lambda made: f"/outreach/schemes/{made[0].id}",
        on_error=again,
    )


@router.get("/outreach/schemes/{scheme_id}", response_class=HTMLResponse)
def scheme_page(
    scheme_id: int,
    desk: StaffDesk,
    group: Annotated[int | None, Query(ge=1, le=5000)] = None,
) -> HTMLResponse:
    session, settings, today = desk.session, desk.state.settings, desk.today
    scheme = _scheme(desk, scheme_id)
    rows = service.group_rows(session, scheme, today=today)
    missing = service.not_visited(session, scheme=scheme, today=today, number=group)
    households = registry.households_by_id(session, ids=[h for h, _ in missing[:200]])
    layout = service.scheme_map(session, scheme)
    return render(
        desk.request,
        "outreach/scheme.html",
        {
            "scheme": scheme,
            "rows": rows,
            "quality": layout.quality,
            "advice": layout.advice,
            "distances": {g.number: g.largest_distance_m for g in layout.groups},
            "missing": [(households.get(h), n) for h, n in missing[:200]],
            "missing_total": len(missing),
            "group": group,
            "tile_url": settings.map_tile_url or "",
            "tile_attribution": settings.map_tile_attribution,
        },
    )


@router.get("/outreach/schemes/{scheme_id}/map.json")
def scheme_map_json(scheme_id: int, desk: StaffDesk) -> dict[str, object]:
    """What the map beside the hand edit draws: every building as a point with its
    groups, each group's size and largest in-group distance, the band and the quality."""
    return _map_body(service.scheme_map(desk.session, _scheme(desk, scheme_id)))


def _map_body(layout: service.SchemeMap) -> dict[str, object]:
    quality = layout.quality
    return {
        "band": {"low": layout.band.low, "high": layout.band.high},
        "quality": {
            "smallest": quality.smallest,
            "largest": quality.largest,
            "out_of_band": quality.out_of_band,
            "fewest_outside": layout.advice.fewest_outside if layout.advice else 0,
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


@form_post(router, "/outreach/schemes/{scheme_id}/refresh")
def scheme_refresh(scheme_id: int, desk: SecretaryDesk) -> Response:
    desk.commit(service.do_refresh_scheme, scheme=_scheme(desk, scheme_id))
    return RedirectResponse(f"/outreach/schemes/{scheme_id}", status_code=303)


@form_post(router, "/outreach/schemes/{scheme_id}/move")
def scheme_move(
    scheme_id: int,
    desk: SecretaryDesk,
    household_number: Annotated[str, Form(max_length=32)] = "",
    to_number: Annotated[int, Form(ge=1, le=5000)] = 1,
) -> Response:
    scheme = _scheme(desk, scheme_id)
    found = registry.list_households(
        desk.session,
        viewer=desk.actor,
        q=household_number.strip(),
        region_code=scheme.region_code,
        limit=2,
    )
    exact = [h for h in found if h.number == household_number.strip()]
    if not exact:
        problem = Problem(
            "household_number", "No household numbered %(value)s.", value=household_number
        )
        raise InvalidInput("The contact groups were not changed.", details=[problem])
    desk.commit(
        service.do_move_household, scheme=scheme, household_id=exact[0].id, to_number=to_number
    )
    if wants_json(desk.request):  # the map's script: it redraws from the new layout
        return JSONResponse(_map_body(service.scheme_map(desk.session, scheme)))
    return RedirectResponse(f"/outreach/schemes/{scheme_id}?group={to_number}", status_code=303)


@router.get("/outreach/schemes/{scheme_id}/groups.xlsx")
def scheme_xlsx(scheme_id: int, desk: StaffDesk) -> Response:
    scheme = _scheme(desk, scheme_id)
    content = spreadsheets.export_xlsx(desk.session, scheme)
    return download(content, f"联系户-{scheme.id}.xlsx", XLSX)


@form_post(router, "/outreach/schemes/{scheme_id}/import")
async def scheme_import(
    scheme_id: int, desk: SecretaryDesk, file: Annotated[UploadFile, File()]
) -> Response:
    """Load the groups back from an edited XLSX: all rows or none, problems by row."""
    scheme = _scheme(desk, scheme_id)
    data = await file.read(spreadsheets.MAX_BYTES + 1)
    desk.commit(spreadsheets.do_import_groups, scheme=scheme, data=data)
    return RedirectResponse(f"/outreach/schemes/{scheme_id}", status_code=303)


# ---------------------------------------------------------------- visits


def _visits_page(
    desk: Desk,
    household: Household | None,
    today: date,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    visits = service.list_visits(desk.session, viewer=desk.actor, limit=50)
    context = {
        "visits": visits,
        "homes": _homes(desk, [v.household_id for v in visits]),
        "household": household,
        "kinds": [k.value for k in VisitKind],
        "today": today.isoformat(),
        "form": form or {},
    }
    return render_form(desk.request, "outreach/visits.html", context, error)


def _homes(desk: Desk, ids: list[int]) -> dict[int, str]:
    """Who was visited, by household: its number and address for the roles that may
    reveal a resident's details (``registry.may_reveal``), the address up to its building
    for the others."""
    found = registry.households_by_id(desk.session, ids=sorted(set(ids)))
    if registry.may_reveal(desk.actor):
        return {i: f"{h.number} · {h.address}" for i, h in found.items()}
    return {i: mask_address(h.address) for i, h in found.items()}


@router.get("/outreach/visits", response_class=HTMLResponse)
def visits_page(
    desk: StaffDesk, household: Annotated[int | None, Query(ge=1)] = None
) -> HTMLResponse:
    chosen = registry.get_household(desk.session, household_id=household) if household else None
    return _visits_page(desk, chosen, desk.today)


class VisitForm(BaseModel):
    """A visit's form, its fields named as ``do_record_visit`` names them."""

    household_id: int = Field(ge=1)
    visited_on: date
    kind: VisitKind = VisitKind.HOME
    heard: str = Field(default="", max_length=2000)


@form_post(router, "/outreach/visits")
async def visit_record(
    desk: VisitorDesk,
    posted: Annotated[VisitForm, Form()],
    to_case: Annotated[bool, Form()] = False,
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    picture = None
    if photo is not None and photo.filename:
        data = await photo.read(MAX_PHOTO + 1)
        picture = (photo.content_type or "", data)

    def run() -> None:
        visit = desk.run(
            service.do_record_visit, **posted.model_dump(), photo=picture, today=desk.today
        )
        if to_case:
            desk.run(service.do_visit_to_case, visit=visit, tz=desk.tz)

    def again(exc: DomainError) -> Response:
        household = registry.get_household(desk.session, household_id=posted.household_id)
        form = {"heard": posted.heard, "kind": posted.kind.value}
        return _visits_page(desk, household, posted.visited_on, exc, form)

    return desk.form(run, to="/outreach/visits", on_error=again)


@form_post(router, "/outreach/visits/{visit_id}/case")
def visit_case(visit_id: int, desk: VisitorDesk) -> Response:
    visit = service.get_visit(desk.session, visit_id=visit_id, viewer=desk.actor)
    case_id = desk.commit(service.do_visit_to_case, visit=visit, tz=desk.tz)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


# ---------------------------------------------------------------- pledges


@router.get("/outreach/pledges", response_class=HTMLResponse)
def pledges_page(desk: StaffDesk) -> HTMLResponse:
    session = desk.session
    items = pledges.list_pledges(session, viewer=desk.actor)
    names = {
        p.member_id: (
            r.name if (r := registry.get_resident(session, resident_id=p.member_id)) else ""
        )
        for p in items
    }
    return render(
        desk.request,
        "outreach/pledges.html",
        {"pledges": items, "names": names, "today": desk.today.isoformat()},
    )


def _pledge(desk: Desk, pledge_id: int) -> Pledge:
    """The pledge, if the desk's user may see it (else 404)."""
    return pledges.get_pledge(desk.session, pledge_id=pledge_id, viewer=desk.actor)


@form_post(router, "/outreach/pledges/{pledge_id}/review")
def pledge_review(
    pledge_id: int,
    desk: SecretaryDesk,
    approve: Annotated[bool, Form()] = False,
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    pledge = _pledge(desk, pledge_id)
    desk.commit(pledges.do_review_pledge, pledge=pledge, approve=approve, note=note)
    return RedirectResponse("/outreach/pledges", status_code=303)


@form_post(router, "/outreach/pledges/{pledge_id}/fulfil")
def pledge_fulfil(
    pledge_id: int, desk: SecretaryDesk, evidence: Annotated[str, Form(max_length=2000)] = ""
) -> Response:
    pledge, today = _pledge(desk, pledge_id), desk.today
    desk.commit(pledges.do_fulfil_pledge, pledge=pledge, evidence=evidence, on=today, today=today)
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


@form_post(router, "/board/{region_code}/pledges/{pledge_id}/comments")
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


def _pipeline_page(
    desk: Desk,
    branch_id: int,
    error: DomainError | None = None,
    failed: int | str | None = None,
    form: dict[str, object] | None = None,
) -> HTMLResponse:
    """The pipeline page; after a refused form, ``failed`` (a candidate's id, or "add")
    says where its ``error`` and the user's ``form`` input go."""
    session, today = desk.session, desk.today
    candidates = desk.commit(pipeline.list_candidates, branch_id=branch_id)  # an audited read
    context = {
        "branch_id": branch_id,
        "candidates": candidates,
        "funnel": pipeline.branch_funnel(candidates),
        "stages": STAGE_ORDER,
        "due": pipeline.steps_due(session, candidates, today=today),
        "reserve": [c for c in candidates if c.reserve_cadre],
        "states": [s.value for s in PledgeState],
        "today": today,
        "failed": failed,
        "form": form or {},
    }
    return render_form(desk.request, "outreach/pipeline.html", context, error)


@router.get("/outreach/pipeline/{branch_id}", response_class=HTMLResponse)
@writes_on_read  # an audited read of personal data
def pipeline_page(branch_id: int, desk: SecretaryDesk) -> HTMLResponse:
    return _pipeline_page(desk, branch_id)


@form_post(router, "/outreach/pipeline/{branch_id}/candidates")
def pipeline_add(
    branch_id: int,
    desk: SecretaryDesk,
    name: Annotated[str, Form(max_length=128)] = "",
    applied_on: Annotated[date | None, Form()] = None,
    willing_only: Annotated[bool, Form()] = False,
) -> Response:
    """An applicant, or someone only willing to join, added to the branch's pipeline."""
    on = applied_on or desk.today

    def again(exc: DomainError) -> Response:
        form = {"name": name, "applied_on": on.isoformat(), "willing_only": willing_only}
        return _pipeline_page(desk, branch_id, exc, "add", form)

    return desk.form(
        desk.action(
            pipeline.do_add_candidate,
            branch_id=branch_id,
            name=name,
            applied_on=on,
            today=desk.today,
            willing_only=willing_only,
        ),
        to=f"/outreach/pipeline/{branch_id}",
        on_error=again,
        flash=N_("The person was added to the pipeline."),
    )


class StepForm(BaseModel):
    """A step's form: the step, its date, training hours, a branch vote's tally."""

    step: Step
    on: date
    hours: int = Field(default=0, ge=0, le=200)
    members: int = Field(default=0, ge=0, le=100_000)
    present: int = Field(default=0, ge=0, le=100_000)
    yes: int = Field(default=0, ge=0, le=100_000)
    no: int = Field(default=0, ge=0, le=100_000)
    abstain: int = Field(default=0, ge=0, le=100_000)
    note: str = Field(default="", max_length=2000)


@form_post(router, "/outreach/pipeline/candidates/{candidate_id}/steps")
def pipeline_step(
    candidate_id: int, desk: SecretaryDesk, posted: Annotated[StepForm, Form()]
) -> Response:
    """One step recorded; a refusal (quorum, interval, date) shown beside the candidate."""
    candidate = pipeline.get_candidate(desk.session, candidate_id=candidate_id, actor=desk.actor)
    branch_id = candidate.branch_id

    def run() -> object:
        if posted.step is Step.PROMOTE:  # the promote button's, not a step to record
            raise InvalidInput("The step was not recorded.")
        tally = None
        if posted.step is Step.BRANCH_VOTE:
            tally = Tally(
                members=posted.members,
                present=posted.present,
                yes=posted.yes,
                no=posted.no,
                abstain=posted.abstain,
            )
        return desk.run(
            pipeline.do_record_step,
            candidate=candidate,
            step=posted.step,
            on=posted.on,
            today=desk.today,
            hours=posted.hours if posted.step is Step.TRAINING else 0,
            tally=tally,
            note=posted.note,
        )

    def again(exc: DomainError) -> Response:
        form = posted.model_dump(mode="json")
        return _pipeline_page(desk, branch_id, exc, candidate_id, form)

    return desk.form(
        run,
        to=f"/outreach/pipeline/{branch_id}",
        on_error=again,
        flash=N_("The step was recorded."),
    )


@form_post(router, "/outreach/pipeline/candidates/{candidate_id}/promote")
def pipeline_promote(candidate_id: int, desk: SecretaryDesk) -> Response:
    """The candidate moved on to the next stage today, if the rules allow it."""
    candidate = pipeline.get_candidate(desk.session, candidate_id=candidate_id, actor=desk.actor)
    branch_id = candidate.branch_id

    def again(exc: DomainError) -> Response:
        return _pipeline_page(desk, branch_id, exc, candidate_id)

    return desk.form(
        desk.action(pipeline.do_promote, candidate=candidate, on=desk.today, today=desk.today),
        to=f"/outreach/pipeline/{branch_id}",
        on_error=again,
        flash=N_("Moved to the next stage."),
    )


@form_post(router, "/outreach/pipeline/reserve")
def pipeline_reserve(
    desk: SecretaryDesk,
    candidate_id: Annotated[int, Form(ge=1)],
    reserve: Annotated[bool, Form()] = False,
    plan: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """A candidate put on (or taken off) the reserve cadres, with their plan."""
    candidate = pipeline.get_candidate(desk.session, candidate_id=candidate_id, actor=desk.actor)
    branch_id = candidate.branch_id

    def again(exc: DomainError) -> Response:
        return _pipeline_page(desk, branch_id, exc, "reserve", {"plan": plan})

    return desk.form(
        desk.action(pipeline.do_set_reserve, candidate=candidate, reserve=reserve, plan=plan),
        to=f"/outreach/pipeline/{branch_id}",
        on_error=again,
        flash=N_("The reserve cadres were updated."),
    )


# ---------------------------------------------------------------- pairing


@router.get("/outreach/pairings", response_class=HTMLResponse)
def pairings_page(desk: StaffDesk) -> HTMLResponse:
    """Pairings (结对共建) in scope with each one's record: the report."""
    records = pairing.pairing_records(desk.session, viewer=desk.actor)
    totals = {
        "activities": sum(r.activities for r in records),
        "problems_solved": sum(r.problems_solved for r in records),
        "workers": sum(r.workers for r in records),
    }
    places = region_names(desk.session, {r.pairing.region_code for r in records})
    context = {"records": records, "totals": totals, "places": places}
    return render(desk.request, "outreach/pairings.html", context)
