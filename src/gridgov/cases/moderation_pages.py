"""HTML actions on reports and notice objections held as possible spam: release or
remove, from the one moderation queue (``/deliberation/moderation`` lists them beside
held posts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import RedirectResponse, Response

from gridgov.accounts.models import User
from gridgov.cases import moderation
from gridgov.cases.pages import ScopedCasePage, StaffPage
from gridgov.errors import DomainError
from gridgov.web.deps import CsrfChecked, Now, SessionDep, StateDep, actor_of, require_roles
from gridgov.web.toolkit import form_action

router = APIRouter()
QUEUE = "/deliberation/moderation"
ObjectionModerator = Annotated[
    User, Depends(require_roles(*moderation.OBJECTION_MODERATORS, page=True))
]
ObjectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _raise(error: DomainError) -> Response:
    """The error page (the app's handler): the queue has no form to show again."""
    raise error


@router.post("/cases/{case_id}/release-held", dependencies=[CsrfChecked])
def release_held(
    request: Request,
    case: ScopedCasePage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: StaffPage,
) -> Response:
    try:
        moderation.do_release_case(
            session, actor=actor_of(request, user), case=case, now=now, tz=state.settings.timezone
        )
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return RedirectResponse(QUEUE, status_code=303)


@router.post("/cases/{case_id}/remove-held", dependencies=[CsrfChecked])
def remove_held(
    request: Request, case: ScopedCasePage, session: SessionDep, now: Now, user: StaffPage
) -> Response:
    try:
        moderation.do_remove_case(session, actor=actor_of(request, user), case=case, now=now)
    except DomainError:
        session.rollback()
        raise
    session.commit()
    return RedirectResponse(QUEUE, status_code=303)


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
        lambda: moderation.do_release_objection(
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
        lambda: moderation.do_remove_objection(
            session, actor=actor_of(request, user), objection_id=objection_id, now=now
        ),
        to=QUEUE,
        on_error=_raise,
    )
