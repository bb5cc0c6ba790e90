"""Paper ballots at the polling station: the clerk finds the voter and records the
ballot.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, Response

from gridgov.accounts.rules import may_access
from gridgov.deliberation import elections
from gridgov.deliberation.elections_pages import ClerkDesk, ElectionId, _staff_election
from gridgov.deliberation.models import Election
from gridgov.deliberation.rules import ElectionState
from gridgov.errors import DomainError
from gridgov.registry.models import Resident
from gridgov.web.render import error_message, language_of, local_time, no_store, render_form
from gridgov.web.toolkit import Desk, form_post

# ---------------------------------------------------------------- paper ballots


def _ballot_page(
    desk: Desk,
    election: Election,
    *,
    voter: Resident | None = None,
    form: dict[str, str] | None = None,
    recorded: str = "",
    error: DomainError | None = None,
) -> Response:
    session = desk.session
    tz = ZoneInfo(desk.tz)
    ballot = None
    voted = False
    refusal = None
    if voter is not None:
        voted = elections.has_voted(session, election.id, voter.id)
        if not voted:
            try:
                ballot = elections.check_voter(session, election, voter)
            except DomainError as exc:
                refusal = error_message(language_of(desk.request), exc)
    context = {
        "election": election,
        "opens": local_time(election.voting_opens_at, tz),
        "closes": local_time(election.voting_closes_at, tz),
        "voting": election.state == ElectionState.VOTING.value,
        "voter": voter,
        "voted": voted,
        "ballot": ballot,
        "refusal": refusal,
        "form": form or {},
        "recorded": recorded,
        "receipts": elections.receipts_count(session, election.id),
    }
    return no_store(render_form(desk.request, "deliberation/election_ballots.html", context, error))


router = APIRouter(include_in_schema=False)


@router.get("/deliberation/elections/{election_id}/ballots", response_class=HTMLResponse)
def ballots_page(
    election_id: ElectionId,
    desk: ClerkDesk,
    recorded: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """The clerk's paper-ballot entry: find the voter, then record their ballot."""
    election = _staff_election(desk.session, desk.actor, election_id)
    return _ballot_page(desk, election, recorded=recorded)


@form_post(router, "/deliberation/elections/{election_id}/ballots/find")
def ballots_find(
    election_id: ElectionId,
    desk: ClerkDesk,
    name: Annotated[str, Form(max_length=128)] = "",
    id_number: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The voter by name and whole document number (a POST: the number stays out of
    URLs and logs)."""
    election = _staff_election(desk.session, desk.actor, election_id)
    try:
        voter = elections.find_voter(
            desk.session, actor=desk.actor, election=election, name=name, id_number=id_number
        )
    except DomainError as exc:
        return _ballot_page(desk, election, form={"name": name}, error=exc)
    return _ballot_page(desk, election, voter=voter)


@form_post(router, "/deliberation/elections/{election_id}/ballots")
def ballots_submit(
    election_id: ElectionId,
    desk: ClerkDesk,
    resident_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    choices: Annotated[list[int] | None, Form()] = None,
) -> Response:
    election = _staff_election(desk.session, desk.actor, election_id)

    def again(exc: DomainError) -> Response:
        voter = desk.session.get(Resident, resident_id)
        shown = voter is not None and may_access(desk.actor.scope, voter.grid_code)
        return _ballot_page(desk, election, voter=voter if shown else None, error=exc)

    def recorded(_: object) -> str:
        voter = desk.session.get(Resident, resident_id)
        name = voter.name if voter is not None else ""
        return f"/deliberation/elections/{election.id}/ballots?{urlencode({'recorded': name})}"

    return desk.form(
        desk.action(
            elections.do_record_paper_ballot,
            election_id=election.id,
            resident_id=resident_id,
            choices=choices or [],
            tz=desk.tz,
        ),
        to=recorded,
        on_error=again,
    )
