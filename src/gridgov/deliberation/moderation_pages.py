"""Staff pages of the discussion loop: the proposals waiting for the community's answer,
and moderation (hide, release, dismiss a report).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.accounts.models import User
from gridgov.deliberation import discussion
from gridgov.deliberation.discussion_pages import AnswerPage, ItemId, ModeratorPage, _base_context
from gridgov.deliberation.noticeboard import held
from gridgov.errors import DomainError
from gridgov.territory import service as territory
from gridgov.web.deps import (
    CsrfChecked,
    Now,
    SessionDep,
    StateDep,
    actor_of,
    require_roles,
)
from gridgov.web.render import no_store, render
from gridgov.web.toolkit import form_action, safe_next

# ---------------------------------------------------------------- staff: answers


router = APIRouter(include_in_schema=False)


@router.get("/deliberation/proposals", response_class=HTMLResponse)
def proposals_awaiting_page(
    request: Request, session: SessionDep, state: StateDep, user: AnswerPage
) -> HTMLResponse:
    """Proposals in the viewer's area awaiting the community's answer."""
    context = _base_context(request, state, user, None)
    rows = discussion.proposals_awaiting(session, user=user)
    context.update(
        {
            "proposals": rows,
            "regions": {
                c: territory.region_name(session, c) for c in {p.region_code for p in rows}
            },
            "candidates": discussion.merge_candidates_of(session, rows),
            "answers": [a.value for a in discussion.Answer],
        }
    )
    return no_store(render(request, "deliberation/proposals.html", context))


# ---------------------------------------------------------------- staff: moderation


@router.get("/deliberation/moderation", response_class=HTMLResponse)
def moderation_page(
    request: Request, session: SessionDep, state: StateDep, user: ModeratorPage
) -> HTMLResponse:
    """Reports and held items in the viewer's area: hide, release or dismiss."""
    context = _base_context(request, state, user, None)
    queue = discussion.moderation_queue(session, user=user)
    # Reports held as possible spam share this one queue (cases.moderation).
    from gridgov.cases import moderation as case_moderation

    viewer = actor_of(request, user)
    held_cases = case_moderation.held_cases(session, viewer=viewer)
    held_objections = held.held_objections(session, viewer=viewer)
    context.update({"queue": queue, "held_cases": held_cases, "held_objections": held_objections})
    return no_store(render(request, "deliberation/moderation.html", context))


@router.post("/deliberation/moderation/hide", dependencies=[CsrfChecked])
def moderation_hide(
    request: Request,
    session: SessionDep,
    now: Now,
    user: ModeratorPage,
    target_type: Annotated[str, Form(max_length=24)] = "",
    target_id: Annotated[int, Form(ge=1, le=2**31 - 1)] = 0,
    reason: Annotated[str, Form(max_length=400)] = "",
    next: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    discussion.do_hide(
        session,
        user=user,
        actor=actor_of(request, user),
        target_type=target_type,
        target_id=target_id,
        reason=reason,
        now=now,
    )
    session.commit()
    return RedirectResponse(safe_next(next, "/deliberation/moderation"), status_code=303)


@router.post("/deliberation/moderation/release", dependencies=[CsrfChecked])
def moderation_release(
    request: Request,
    session: SessionDep,
    now: Now,
    user: ModeratorPage,
    target_type: Annotated[str, Form(max_length=24)] = "",
    target_id: Annotated[int, Form(ge=1, le=2**31 - 1)] = 0,
) -> Response:
    discussion.do_release(
        session,
        user=user,
        actor=actor_of(request, user),
        target_type=target_type,
        target_id=target_id,
        now=now,
    )
    session.commit()
    return RedirectResponse("/deliberation/moderation", status_code=303)


@router.post("/deliberation/moderation/reports/{report_id}/dismiss", dependencies=[CsrfChecked])
def moderation_dismiss(
    request: Request, report_id: ItemId, session: SessionDep, now: Now, user: ModeratorPage
) -> Response:
    discussion.do_dismiss_report(
        session, user=user, actor=actor_of(request, user), report_id=report_id, now=now
    )
    session.commit()
    return RedirectResponse("/deliberation/moderation", status_code=303)


ObjectionModerator = Annotated[User, Depends(require_roles(*held.OBJECTION_MODERATORS, page=True))]
ObjectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
QUEUE = "/deliberation/moderation"


def _raise(error: DomainError) -> Response:
    """The error page (the app's handler): the queue has no form to show again."""
    raise error


@router.post(
    "/deliberation/moderation/objections/{objection_id}/release", dependencies=[CsrfChecked]
)
def release_objection(
    request: Request,
    objection_id: ObjectionId,
    session: SessionDep,
    now: Now,
    user: ObjectionModerator,
) -> Response:
    return form_action(
        session,
        lambda: held.do_release_objection(
            session, actor=actor_of(request, user), objection_id=objection_id, now=now
        ),
        to=QUEUE,
        on_error=_raise,
    )


@router.post(
    "/deliberation/moderation/objections/{objection_id}/remove", dependencies=[CsrfChecked]
)
def remove_objection(
    request: Request,
    objection_id: ObjectionId,
    session: SessionDep,
    now: Now,
    user: ObjectionModerator,
) -> Response:
    return form_action(
        session,
        lambda: held.do_remove_objection(
            session, actor=actor_of(request, user), objection_id=objection_id, now=now
        ),
        to=QUEUE,
        on_error=_raise,
    )
