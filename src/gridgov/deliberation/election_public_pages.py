"""An election's public pages (the portal's list, the result) and the voter's own ballot."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.deliberation import elections
from gridgov.deliberation.elections_pages import ElectionId, RegionCode, _error_page, detail
from gridgov.deliberation.models import Election
from gridgov.deliberation.rules import ElectionState
from gridgov.errors import Conflict, DomainError, NotFound
from gridgov.registry.models import Resident
from gridgov.territory import service as territory
from gridgov.web.render import (
    error_message,
    language_of,
    local_time,
    no_store,
    render,
    render_form,
)
from gridgov.web.toolkit import Desk, PageDesk, VisitorDep, form_post

# ---------------------------------------------------------------- public pages


router = APIRouter(include_in_schema=False)


def _missing(request: Request, election_id: int) -> HTMLResponse:
    """The page of an election that does not exist (404)."""
    return _error_page(
        request, NotFound("There is no election %(id)s.", params={"id": election_id})
    )


@router.get("/portal/{region_code}/elections", response_class=HTMLResponse)
def portal_elections(region_code: RegionCode, visitor: VisitorDep) -> HTMLResponse:
    """The elections of a village or community (and of the regions under it)."""
    request, session, state = visitor.request, visitor.session, visitor.state
    region = territory.find_region(session, code=region_code)
    if region is None:
        return _error_page(request, NotFound("No such region."))
    tz = ZoneInfo(state.settings.timezone)
    rows = [
        {
            "election": e,
            "opens": local_time(e.voting_opens_at, tz),
            "closes": local_time(e.voting_closes_at, tz),
        }
        for e in elections.list_elections(session, region_code=region_code)
    ]
    return render(request, "deliberation/elections.html", {"region": region, "rows": rows})


@router.get("/elections/{election_id}", response_class=HTMLResponse)
def election_page(election_id: ElectionId, visitor: VisitorDep) -> HTMLResponse:
    """An election, for anyone: its constituencies, rules, candidates and result."""
    request, session, state, user = visitor.request, visitor.session, visitor.state, visitor.user
    election = session.get(Election, election_id)
    if election is None:
        return _missing(request, election_id)
    language = language_of(request)
    context = detail(session, election, language, ZoneInfo(state.settings.timezone))
    context["may_vote"] = user is not None and user.resident_id is not None
    return render(request, "deliberation/election.html", context)


# ---------------------------------------------------------------- voting


def _vote_page(
    desk: Desk,
    election: Election,
    tz: ZoneInfo,
    *,
    error: DomainError | None = None,
) -> Response:
    session, user = desk.session, desk.user
    language = language_of(desk.request)
    context: dict[str, Any] = {
        "election": election,
        "opens": local_time(election.voting_opens_at, tz),
        "closes": local_time(election.voting_closes_at, tz),
        "linked": user.resident_id is not None,
        "voted": False,
        "ballot": None,
        "refusal": None,
    }
    if user.resident_id is not None:
        context["voted"] = elections.has_voted(session, election.id, user.resident_id)
        resident = session.get(Resident, user.resident_id)
        if not context["voted"] and resident is not None:
            try:
                if election.state != ElectionState.VOTING.value:
                    raise Conflict("This election is not taking votes.")
                context["ballot"] = elections.check_voter(session, election, resident)
            except DomainError as exc:
                context["refusal"] = error_message(language, exc)
    return no_store(render_form(desk.request, "deliberation/election_vote.html", context, error))


@router.get("/elections/{election_id}/vote", response_class=HTMLResponse)
def vote_page(election_id: ElectionId, desk: PageDesk) -> Response:
    """The ballot of a signed-in resident: up to ``seats`` candidates of their
    constituency; once voted, only that they have voted."""
    election = desk.session.get(Election, election_id)
    if election is None:
        return _missing(desk.request, election_id)
    return _vote_page(desk, election, ZoneInfo(desk.tz))


@form_post(router, "/elections/{election_id}/vote")
def vote_submit(
    election_id: ElectionId, desk: PageDesk, choices: Annotated[list[int] | None, Form()] = None
) -> Response:
    session = desk.session
    election = session.get(Election, election_id)
    if election is None:
        return _missing(desk.request, election_id)
    return desk.form(
        desk.action(
            elections.do_vote,
            election_id=election.id,
            resident_id=desk.user.resident_id,
            choices=choices or [],
            tz=desk.tz,
        ),
        to=f"/elections/{election.id}/vote",
        on_error=lambda exc: _vote_page(
            desk,
            election,
            ZoneInfo(desk.tz),
            error=exc,
        ),
    )
