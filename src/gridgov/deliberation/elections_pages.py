"""Election pages: elections of deliberation representatives (议事代表选举).

Public (no login; listed in ``gridgov.web.deps.PUBLIC_PATHS``):
``/portal/{region_code}/elections`` (the elections of a village or community) and
``/elections/{id}`` (constituencies and seats, the eligibility rules in words, the
candidates with their statements and review outcome, the state; the count once made,
and a link to the result notice).

Residents: ``/elections/{id}/vote``, for a signed-in resident whose account is linked to
their register entry; after voting they see that they have voted, never their choices.

Staff: ``/deliberation/elections`` (the scoped list), ``/deliberation/elections/new``,
``/deliberation/elections/{id}`` (nominate, review, open the review and the vote, count,
publish) and ``/deliberation/elections/{id}/ballots`` (the clerk's paper-ballot entry at
the polling station: find the voter by name and whole document number, then record).

Served with ``election_public_pages`` and ``ballot_pages`` (each its own router).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.db import visible_row
from gridgov.deliberation import elections
from gridgov.deliberation.models import Election
from gridgov.deliberation.rules import CandidateState, ElectionState
from gridgov.errors import DomainError, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry import service as registry
from gridgov.registry.models import Resident
from gridgov.territory import service as territory
from gridgov.territory.rules import Level
from gridgov.web import i18n
from gridgov.web.deps import require_roles
from gridgov.web.regions import region_choices
from gridgov.web.render import (
    error_page,
    language_of,
    local_time,
    no_store,
    render,
    render_form,
)
from gridgov.web.toolkit import Desk, desk, form_post

router = APIRouter(include_in_schema=False)

ClerkPage = Annotated[User, Depends(require_roles(*elections.CLERK_ROLES, page=True))]
RunPage = Annotated[User, Depends(require_roles(*elections.ELECTION_ROLES, page=True))]
ElectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RegionCode = Annotated[str, Path(min_length=6, max_length=18, pattern=r"^[0-9]+$")]
# The console's steps that move the election on, by the name in their path.
STEPS: dict[str, Callable[..., object]] = {
    "review": elections.do_open_review,
    "open": elections.do_open_voting,
    "count": elections.do_count,
    "publish": elections.do_publish,
}

LABELS = (
    N_("nomination"),
    N_("review"),
    N_("voting"),
    N_("counted"),
    N_("published"),
    N_("nominated"),
    N_("eligible"),
    N_("ineligible"),
    N_("withdrawn"),
    N_("Meets the eligibility rules."),
    N_("The date of birth is missing."),
)


# ---------------------------------------------------------------- helpers


ClerkDesk = Annotated[Desk, Depends(desk(ClerkPage, name="clerk_desk"))]
RunDesk = Annotated[Desk, Depends(desk(RunPage, name="run_desk"))]


def _staff_election(session: Session, actor: Actor, election_id: int) -> Election:
    return visible_row(session, Election, election_id, partial(elections.may_see_staff, actor))


def _error_page(request: Request, error: DomainError) -> HTMLResponse:
    return error_page(request, "deliberation/election_missing.html", error)


def detail(session: Session, election: Election, language: str, tz: ZoneInfo) -> dict[str, Any]:
    """What the public page and the staff console show of an election."""
    election_rules = elections.rules_of(election)
    region = territory.region_name(session, election.region_code)
    candidates = elections.candidates_of(session, election.id)
    result = elections.result_of(election)
    parts = {int(item["constituency"]): item for item in (result or {}).get("constituencies", [])}
    names = {c.id: c.name for c in candidates}
    constituencies = []
    found = elections.constituencies_of(session, election.id)
    # One look-up for every constituency's region, not one per constituency.
    region_names = territory.region_names(session, (c.region_code for c in found))
    for constituency in found:
        item = parts.get(constituency.id)
        rows: list[dict[str, Any]] = []
        for candidate in candidates:
            if candidate.constituency_id != constituency.id:
                continue
            review = elections.review_of(candidate)
            rows.append(
                {
                    "id": candidate.id,
                    "name": candidate.name,
                    "statement": candidate.statement,
                    "state": candidate.state,
                    "review": i18n.gettext(language, review.message, review.params)
                    if review.message
                    else "",
                    "override": review.override,
                    "votes": candidate.votes,
                    "elected": candidate.elected,
                }
            )
        if item is not None:
            rows.sort(key=lambda r: (-int(r["votes"] or 0), int(r["id"])))
        constituencies.append(
            {
                "id": constituency.id,
                "name": constituency.name,
                "region_code": constituency.region_code,
                "region": region_names.get(constituency.region_code, constituency.region_code),
                "seats": constituency.seats,
                "candidates": rows,
                "count": item,
                "draw": [names.get(c, str(c)) for c in (item or {}).get("draw", [])],
                "runoff": [names.get(c, str(c)) for c in (item or {}).get("runoff", [])],
            }
        )
    notice = elections.result_notice(session, election.id)
    return {
        "election": election,
        "region": region,
        "state": election.state,
        "states": [s.value for s in ElectionState],
        "rules": [
            i18n.gettext(language, line.message, line.params)
            for line in elections.rules_in_words(election_rules, region)
        ],
        "opens": local_time(election.voting_opens_at, tz),
        "closes": local_time(election.voting_closes_at, tz),
        "counted": local_time(election.counted_at, tz),
        "constituencies": constituencies,
        "result": result,
        "notice_id": notice.id if notice is not None else None,
    }


# ---------------------------------------------------------------- staff


@router.get("/deliberation/elections", response_class=HTMLResponse)
def staff_list(desk: ClerkDesk) -> HTMLResponse:
    """The elections in the viewer's area."""
    tz = ZoneInfo(desk.tz)
    scope = desk.user.effective_scope or ""
    found = elections.list_elections(desk.session, region_code=scope) if scope else []
    # One look-up for every region, not one per election.
    names = territory.region_names(desk.session, (e.region_code for e in found))
    rows = [
        {
            "election": e,
            "region": names.get(e.region_code, e.region_code),
            "opens": local_time(e.voting_opens_at, tz),
            "closes": local_time(e.voting_closes_at, tz),
        }
        for e in found
    ]
    may_run = desk.user.role in elections.ELECTION_ROLES
    return render(
        desk.request, "deliberation/election_staff_list.html", {"rows": rows, "may_run": may_run}
    )


def _new_page(
    desk: Desk,
    form: dict[str, str],
    *,
    error: DomainError | None = None,
) -> HTMLResponse:
    context = {
        "form": form,
        "regions": region_choices(desk.session, desk.actor, (Level.COMMUNITY,)),
        "default_rules": elections.rules_text(elections.template_rules(desk.session)),
    }
    return render_form(desk.request, "deliberation/election_new.html", context, error)


@router.get("/deliberation/elections/new", response_class=HTMLResponse)
def new_page(desk: RunDesk) -> HTMLResponse:
    return _new_page(desk, {})


def _parse_local(text: str, tz: ZoneInfo, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            N_("The election was not created."),
            details=[Problem(field, N_("Give a date and time such as 2026-12-01 08:00."))],
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(UTC)


def parse_constituencies(text: str) -> list[elections.ConstituencyInput]:
    """One constituency a line: ``name, region code, seats`` (commas or tabs)."""
    items: list[elections.ConstituencyInput] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
        if len(parts) != 3 or not parts[2].isdigit():
            raise InvalidInput(
                N_("The election was not created."),
                details=[
                    Problem(
                        "constituencies",
                        N_("Line %(line)s: write a constituency as name, region code, seats."),
                        line=number,
                    )
                ],
            )
        items.append(elections.ConstituencyInput(parts[0], parts[1], int(parts[2])))
    return items


class NewElectionForm(BaseModel):
    """The new election form, as typed (the list and the times are read when it is saved)."""

    region: str = Field(default="", max_length=18)
    title: str = Field(default="", max_length=200)
    constituencies: str = Field(default="", max_length=10_000)
    opens: str = Field(default="", max_length=32)
    closes: str = Field(default="", max_length=32)
    rules_yaml: str = Field(default="", max_length=4000)

    def draft(self, tz: ZoneInfo) -> elections.ElectionDraft:
        return elections.ElectionDraft(
            region_code=self.region,
            title=self.title,
            constituencies=parse_constituencies(self.constituencies),
            voting_opens_at=_parse_local(self.opens, tz, "opens"),
            voting_closes_at=_parse_local(self.closes, tz, "closes"),
        )


@form_post(router, "/deliberation/elections/new")
def new_submit(desk: RunDesk, typed: Annotated[NewElectionForm, Form()]) -> Response:
    tz = ZoneInfo(desk.tz)
    return desk.form(
        lambda: desk.run(
            elections.do_create_election,
            draft=typed.draft(tz),
            rules_yaml=typed.rules_yaml or None,
        ),
        to=lambda election: f"/deliberation/elections/{election.id}",
        on_error=lambda exc: _new_page(desk, typed.model_dump(), error=exc),
    )


def _console(
    desk: Desk, election: Election, *, q: str = "", error: DomainError | None = None
) -> Response:
    request, session, user, actor = desk.request, desk.session, desk.user, desk.actor
    language = language_of(request)
    context = detail(session, election, language, ZoneInfo(desk.tz))
    matches: list[Resident] = []
    if q.strip() and election.state == ElectionState.NOMINATION.value:
        matches = registry.list_residents(
            session, viewer=actor, q=q, region_code=election.region_code, limit=20
        )
    context.update(
        {
            "may_run": user.role in elections.ELECTION_ROLES,
            "q": q,
            "matches": matches,
            "receipts": elections.receipts_count(session, election.id),
        }
    )
    return no_store(render_form(request, "deliberation/election_console.html", context, error))


@router.get("/deliberation/elections/{election_id}", response_class=HTMLResponse)
def console_page(
    election_id: ElectionId, desk: ClerkDesk, q: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    election = _staff_election(desk.session, desk.actor, election_id)
    return _console(desk, election, q=q)


def _on_console(desk: Desk, election: Election, run: Callable[[], object]) -> Response:
    """``run`` a form of the election's console: back to the console (303), or the
    console again with the refusal."""
    return desk.form(
        run,
        to=f"/deliberation/elections/{election.id}",
        on_error=lambda exc: _console(desk, election, error=exc),
    )


@form_post(router, "/deliberation/elections/{election_id}/nominate")
def nominate_submit(
    election_id: ElectionId,
    desk: RunDesk,
    resident_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    constituency_id: Annotated[int, Form(ge=1, le=2**31 - 1)],
    statement: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    session = desk.session
    election = _staff_election(session, desk.actor, election_id)
    return _on_console(
        desk,
        election,
        desk.action(
            elections.do_nominate,
            election_id=election.id,
            constituency_id=constituency_id,
            resident_id=resident_id,
            statement=statement,
        ),
    )


@form_post(router, "/deliberation/elections/{election_id}/candidates/{candidate_id}/review")
def review_submit(
    election_id: ElectionId,
    candidate_id: RowId,
    desk: RunDesk,
    decision: Annotated[str, Form(max_length=16)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Confirm the rules' finding (no decision) or override it with a reason."""
    session = desk.session
    election = _staff_election(session, desk.actor, election_id)

    def run() -> None:
        override = None
        if decision:
            try:
                override = CandidateState(decision)
            except ValueError:
                raise InvalidInput("A review finds a candidate eligible or ineligible.") from None
        on = {"election_id": election.id, "candidate_id": candidate_id, "reason": reason}
        if decision == "withdrawn":
            desk.run(elections.do_withdraw_candidate, **on)
        else:
            desk.run(elections.do_review_candidate, override=override, **on)

    return _on_console(desk, election, run)


@form_post(router, "/deliberation/elections/{election_id}/act/{step}")
def act_submit(
    election_id: ElectionId, step: Annotated[str, Path(max_length=16)], desk: RunDesk
) -> Response:
    """Move the election on: open the review, open the vote, count, publish."""
    if step not in STEPS:
        raise NotFound("Not found, or outside your area.")
    election = _staff_election(desk.session, desk.actor, election_id)
    run = desk.action(STEPS[step], election_id=election.id)
    return _on_console(desk, election, run)
