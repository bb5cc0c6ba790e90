"""Paper ballots at the polling station: the clerk finds the voter and records the
ballot.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access
from gridgov.deliberation import elections
from gridgov.deliberation.elections_pages import ClerkPage, ElectionId, _staff_election
from gridgov.deliberation.models import Election
from gridgov.deliberation.rules import ElectionState
from gridgov.errors import DomainError
from gridgov.registry.models import Resident
from gridgov.web.deps import CsrfChecked, Now, SessionDep, StateDep, actor_of
from gridgov.web.render import (
    error_context,
    error_message,
    language_of,
    local_time,
    no_store,
    render,
)

# ---------------------------------------------------------------- paper ballots


def _ballot_page(
    request: Request,
    session: Session,
    state_tz: str,
    user: User,
    election: Election,
    *,
    voter: Resident | None = None,
    form: dict[str, str] | None = None,
    recorded: str = "",
    error: DomainError | None = None,
) -> Response:
    language = language_of(request)
    tz = ZoneInfo(state_tz)
    ballot = None
    voted = False
    refusal = None
    if voter is not None:
        voted = elections.has_voted(session, election.id, voter.id)
        if not voted:
            try:
                ballot = elections.check_voter(session, election, voter)
            except DomainError as exc:
                refusal = error_message(language, exc)
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
        **error_context(language, error),
    }
    return no_store(
        render(
            request,
            "deliberation/election_ballots.html",
            context,
            status_code=error.status if error else 200,
        )
    )


router = APIRouter(include_in_schema=False)


@router.get("/deliberation/elections/{election_id}/ballots", response_class=HTMLResponse)
def ballots_page(
    request: Request,
    election_id: ElectionId,
    session: SessionDep,
    state: StateDep,
    user: ClerkPage,
    recorded: Annotated[str, Query(max_length=128)] = "",
) -> Response:
    """The clerk's paper-ballot entry: find the voter, then record their ballot."""
    election = _staff_election(session, actor_of(request, user), election_id)
    return _ballot_page(
        request, session, state.settings.timezone, user, election, recorded=recorded
    )


@router.post("/deliberation/elections/{election_id}/ballots/find", dependencies=[CsrfChecked])
def ballots_find(
    request: Request,
    election_id: ElectionId,
    session: SessionDep,
    state: StateDep,
    user: ClerkPage,
    name: Annotated[str, Form(max_length=128)] = "",
    id_number: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """The voter by name and whole document number (a POST: the number stays out of
    URLs and logs)."""
    actor = actor_of(request, user)
    election = _staff_election(session, actor, election_id)
    try:
        voter = elections.find_voter(
            session, actor=actor, election=election, name=name, id_number=id_number
        )
    except DomainError as exc:
        return _ballot_page(
            request,
            session,
            state.settings.timezone,
            user,
            election,
            form={"name": name},
            error=exc,
        )
    return _ballot_page(request, session, state.settings.timezone, user, election, voter=voter)


@router.post("/deliberation/elections/{election_id}/ballots", dependencies=[CsrfChecked])
def ballots_submit(
    request: Request,
    election_id: ElectionId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: ClerkPage,
    resident_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    choices: Annotated[list[int] | None, Form()] = None,
) -> Response:
    actor = actor_of(request, user)
    election = _staff_election(session, actor, election_id)
    try:
        elections.do_record_paper_ballot(
            session,
            actor=actor,
            election_id=election.id,
            resident_id=resident_id,
            choices=choices or [],
            now=now,
            tz=state.settings.timezone,
        )
    except DomainError as exc:
        session.rollback()
        voter = session.get(Resident, resident_id)
        return _ballot_page(
            request,
            session,
            state.settings.timezone,
            user,
            election,
            voter=voter if voter is not None and may_access(actor.scope, voter.grid_code) else None,
            error=exc,
        )
    session.commit()
    voter = session.get(Resident, resident_id)
    name = voter.name if voter is not None else ""
    return RedirectResponse(
        f"/deliberation/elections/{election.id}/ballots?{urlencode({'recorded': name})}",
        status_code=303,
    )
