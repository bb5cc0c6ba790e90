"""Staff pages of the discussion loop: the proposals waiting for the community's answer,
and moderation (hide, release, dismiss a report).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path
from fastapi.responses import HTMLResponse, Response

from gridgov.accounts.models import User
from gridgov.deliberation import discussion
from gridgov.deliberation.discussion_pages import (
    AnswerPage,
    ItemId,
    ModeratorPage,
    NextPath,
    OnItem,
    _base_context,
)
from gridgov.deliberation.noticeboard import held
from gridgov.territory import service as territory
from gridgov.web.deps import require_roles
from gridgov.web.render import no_store, render
from gridgov.web.toolkit import Desk, committed, desk, form_post, safe_next

# ---------------------------------------------------------------- staff: answers


router = APIRouter(include_in_schema=False)
QUEUE = "/deliberation/moderation"


AnswerDesk = Annotated[Desk, Depends(desk(AnswerPage, name="answer_desk"))]
ModeratorDesk = Annotated[Desk, Depends(desk(ModeratorPage, name="moderator_desk"))]


@router.get("/deliberation/proposals", response_class=HTMLResponse)
def proposals_awaiting_page(desk: AnswerDesk) -> HTMLResponse:
    """Proposals in the viewer's area awaiting the community's answer."""
    session = desk.session
    context = _base_context(desk, None)
    rows = discussion.proposals_awaiting(session, user=desk.user)
    # One look-up for every region, not one per region; a code not a region shows as is.
    found = territory.region_names(session, (p.region_code for p in rows))
    names = {p.region_code: found.get(p.region_code, p.region_code) for p in rows}
    context.update(
        {
            "proposals": rows,
            "regions": names,
            "candidates": discussion.merge_candidates_of(session, rows),
            "answers": [a.value for a in discussion.Answer],
        }
    )
    return no_store(render(desk.request, "deliberation/proposals.html", context))


# ---------------------------------------------------------------- staff: moderation


@router.get("/deliberation/moderation", response_class=HTMLResponse)
def moderation_page(desk: ModeratorDesk) -> HTMLResponse:
    """Reports and held items in the viewer's area: hide, release or dismiss."""
    session = desk.session
    context = _base_context(desk, None)
    queue = discussion.moderation_queue(session, user=desk.user)
    # Reports held as possible spam share this one queue (cases.moderation).
    from gridgov.cases import moderation as case_moderation

    viewer = desk.actor
    held_cases = case_moderation.held_cases(session, viewer=viewer)
    held_objections = held.held_objections(session, viewer=viewer)
    context.update({"queue": queue, "held_cases": held_cases, "held_objections": held_objections})
    return no_store(render(desk.request, "deliberation/moderation.html", context))


@form_post(router, "/deliberation/moderation/hide")
def moderation_hide(
    item: OnItem,
    user: ModeratorPage,
    reason: Annotated[str, Form(max_length=400)] = "",
    next: NextPath = "",
) -> Response:
    return item.run(user, discussion.do_hide, safe_next(next, QUEUE), reason=reason)


@form_post(router, "/deliberation/moderation/release")
def moderation_release(item: OnItem, user: ModeratorPage) -> Response:
    return item.run(user, discussion.do_release, QUEUE)


@form_post(router, "/deliberation/moderation/reports/{report_id}/dismiss")
def moderation_dismiss(report_id: ItemId, desk: ModeratorDesk) -> Response:
    desk.run(discussion.do_dismiss_report, user=desk.user, report_id=report_id)
    return committed(desk.session, QUEUE)


ObjectionModerator = Annotated[User, Depends(require_roles(*held.OBJECTION_MODERATORS, page=True))]
ObjectionDesk = Annotated[Desk, Depends(desk(ObjectionModerator, name="objection_desk"))]
ObjectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _objection_route(verb: str, do: Callable[..., object]) -> None:
    """``POST .../objections/{id}/<verb>``: ``do`` on a held objection, back to the queue
    (a refusal goes to the error page: the queue has no form to show again)."""

    def handler(objection_id: ObjectionId, desk: ObjectionDesk) -> Response:
        desk.run(do, objection_id=objection_id)
        return committed(desk.session, QUEUE)

    handler.__name__ = handler.__qualname__ = f"{verb}_objection"
    form_post(router, f"/deliberation/moderation/objections/{{objection_id}}/{verb}")(handler)


_objection_route("release", held.do_release_objection)
_objection_route("remove", held.do_remove_objection)
