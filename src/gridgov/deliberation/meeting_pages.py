"""The clerk's meeting console (phone/tablet): tap to sign in, live quorum arithmetic,
votes, minutes, the signed sheet's photo, close and decide. htmx swaps the console in
place; a plain form gets a redirect.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from gridgov.deliberation import service
from gridgov.deliberation.matter_pages_common import (
    FILE_PURPOSES,
    ReaderDesk,
    ReaderPage,
    RunnerDesk,
    ScopedMeeting,
    _explanations,
    _tz,
    owned_file,
    stage_name,
)
from gridgov.deliberation.models import BallotReceipt, Meeting, MeetingVote
from gridgov.deliberation.rules import Voting
from gridgov.errors import DomainError, InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.web.deps import SessionDep
from gridgov.web.render import error_message, language_of, local_time, no_store, render, sniff
from gridgov.web.toolkit import Desk, form_action, form_post

# ---------------------------------------------------------------- the meeting console


def _console_context(desk: Desk, meeting: Meeting) -> dict[str, Any]:
    session, language, tz = desk.session, language_of(desk.request), _tz(desk.state)
    members = service.members_of(session, meeting.id)
    names = {m.id: m.name for m in members}
    live = (
        service.live_count(session, meeting)
        if meeting.state in service.OPEN_MEETING_STATES
        else None
    )
    voted: set[int] = set()
    votes: dict[int, str] = {}
    if meeting.voting == Voting.ROLL_CALL.value:
        for member_id, choice in session.execute(
            select(MeetingVote.member_id, MeetingVote.choice).where(
                MeetingVote.meeting_id == meeting.id
            )
        ):
            votes[member_id] = choice
        voted = set(votes)
    elif meeting.voting == Voting.SECRET_BALLOT.value:
        for voter in session.scalars(
            select(BallotReceipt.voter).where(BallotReceipt.box == service.ballot_box(meeting.id))
        ):
            if voter.startswith("member:"):
                voted.add(int(voter.split(":", 1)[1]))
    stage = service.held_stage(session, meeting)
    return {
        "meeting": meeting,
        "stage_name": stage_name(stage, language),
        "members": members,
        "names": names,
        "live": live,
        "votes": votes,
        "voted": voted,
        "open": meeting.state in service.OPEN_MEETING_STATES,
        "may_run": service.may_run(desk.actor, meeting.region_code),
        "starts": local_time(meeting.starts_at, tz),
        "notified": local_time(meeting.notified_at, tz),
        "explanations": _explanations(meeting.explanation),
        "files": service.files_of(session, "meeting", meeting.id),
        "decided": meeting.state not in service.OPEN_MEETING_STATES,
    }


def _console(
    desk: Desk, meeting: Meeting, *, error: DomainError | None = None, partial: bool = False
) -> HTMLResponse:
    context = _console_context(desk, meeting)
    context["error"] = error_message(language_of(desk.request), error) if error else None
    status = error.status if error and not partial else 200
    template = "deliberation/_meeting_console.html" if partial else "deliberation/meeting.html"
    return no_store(render(desk.request, template, context, status_code=status))


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


router = APIRouter(include_in_schema=False)


@router.get("/deliberation/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(meeting: ScopedMeeting, desk: ReaderDesk) -> HTMLResponse:
    return _console(desk, meeting, partial=_is_htmx(desk.request))


def _act(desk: Desk, meeting: Meeting, action: Callable[[], object]) -> Response:
    """Run one console action; htmx gets the console back, a plain form a redirect."""
    htmx = _is_htmx(desk.request)

    def console(error: DomainError | None = None) -> HTMLResponse:
        fresh = desk.session.get(Meeting, meeting.id) or meeting
        return _console(desk, fresh, error=error, partial=htmx)

    answer = form_action(
        desk.session, action, to=f"/deliberation/meetings/{meeting.id}", on_error=console
    )
    # htmx swaps the console in place: it gets the fresh console, not a redirect.
    return console() if htmx and isinstance(answer, RedirectResponse) else answer


def _act_on(desk: Desk, meeting: Meeting, do: Callable[..., object], **fields: Any) -> Response:
    """``_act`` with ``do`` (a ``do_*``) on this meeting, as the desk's actor, now."""
    return _act(desk, meeting, desk.action(do, meeting_id=meeting.id, **fields))


@form_post(router, "/deliberation/meetings/{meeting_id}/sign-in/{member_id}")
def sign_in_submit(
    member_id: int,
    meeting: ScopedMeeting,
    desk: RunnerDesk,
    proxy_holder: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    holder = int(proxy_holder) if proxy_holder.strip().isdigit() else None
    return _act_on(
        desk,
        meeting,
        service.do_sign_in,
        member_id=member_id,
        proxy_holder_id=holder,
        tz=str(_tz(desk.state)),
    )


@form_post(router, "/deliberation/meetings/{meeting_id}/vote/{member_id}")
def vote_submit(
    member_id: int,
    meeting: ScopedMeeting,
    desk: RunnerDesk,
    choice: Annotated[str, Form(max_length=8)],
) -> Response:
    secret = meeting.voting == Voting.SECRET_BALLOT.value
    record = service.do_cast_ballot if secret else service.do_record_vote
    return _act_on(desk, meeting, record, member_id=member_id, choice=choice)


def _count(text: str, field: str) -> int:
    """A tally's count (``field`` is yes, no or abstain: its form label too)."""
    value = text.strip() or "0"
    if not value.isdigit():
        raise InvalidInput(
            N_("%(field)s must be a whole number."),
            params={"field": field},
            details=[Problem(field, N_("A whole number."))],
        )
    return int(value)


@form_post(router, "/deliberation/meetings/{meeting_id}/totals")
def totals_submit(
    meeting: ScopedMeeting,
    desk: RunnerDesk,
    yes: Annotated[str, Form(max_length=8)] = "0",
    no: Annotated[str, Form(max_length=8)] = "0",
    abstain: Annotated[str, Form(max_length=8)] = "0",
) -> Response:
    return _act(
        desk,
        meeting,
        lambda: desk.run(
            service.do_record_totals,
            meeting_id=meeting.id,
            yes=_count(yes, "yes"),
            no=_count(no, "no"),
            abstain=_count(abstain, "abstain"),
        ),
    )


@form_post(router, "/deliberation/meetings/{meeting_id}/minutes")
def minutes_submit(
    meeting: ScopedMeeting,
    desk: RunnerDesk,
    minutes: Annotated[str, Form(max_length=100_000)] = "",
) -> Response:
    return _act_on(desk, meeting, service.do_edit_minutes, minutes=minutes)


@form_post(router, "/deliberation/meetings/{meeting_id}/files")
async def file_submit(
    meeting: ScopedMeeting,
    desk: RunnerDesk,
    file: Annotated[UploadFile, File()],
    purpose: Annotated[str, Form(max_length=24)] = "sign_in",
) -> Response:
    data = await file.read(service.FILE_LIMIT + 1)

    def act() -> None:
        service.check_may_run(desk.actor, meeting.region_code)
        if purpose not in FILE_PURPOSES:
            raise InvalidInput("Unknown purpose %(value)s.", params={"value": purpose})
        service.do_attach_file(
            desk.session,
            actor=desk.actor,
            owner_type="meeting",
            owner_id=meeting.id,
            purpose=purpose,
            name=file.filename or "scan",
            content_type=sniff(data) or "",
            data=data,
            now=desk.now,
            region_code=meeting.region_code,
        )

    return _act(desk, meeting, act)


@router.get("/deliberation/meetings/{meeting_id}/files/{file_id}")
def file_view(
    meeting: ScopedMeeting, user: ReaderPage, session: SessionDep, file_id: int
) -> Response:
    return owned_file(session, file_id, "meeting", meeting.id, "private, max-age=86400")


@form_post(router, "/deliberation/meetings/{meeting_id}/close")
def close_submit(
    meeting: ScopedMeeting,
    desk: RunnerDesk,
    returned: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    return _act_on(desk, meeting, service.do_close_meeting, returned=bool(returned))
