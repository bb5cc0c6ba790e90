"""HTML actions on reports held as possible spam: release or remove, from the one
moderation queue (``/deliberation/moderation`` lists them beside held posts and
objections)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from gridgov.cases import moderation
from gridgov.cases.pages import ScopedCasePage, StaffPage
from gridgov.web.deps import CsrfChecked, Now, SessionDep, StateDep, actor_of

router = APIRouter()
QUEUE = "/deliberation/moderation"


@router.post("/cases/{case_id}/release-held", dependencies=[CsrfChecked])
def release_held(
    request: Request,
    case: ScopedCasePage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: StaffPage,
) -> Response:
    # A refusal propagates; the session dependency rolls back what was not committed.
    moderation.do_release_case(
        session, actor=actor_of(request, user), case=case, now=now, tz=state.settings.timezone
    )
    session.commit()
    return RedirectResponse(QUEUE, status_code=303)


@router.post("/cases/{case_id}/remove-held", dependencies=[CsrfChecked])
def remove_held(
    request: Request, case: ScopedCasePage, session: SessionDep, now: Now, user: StaffPage
) -> Response:
    moderation.do_remove_case(session, actor=actor_of(request, user), case=case, now=now)
    session.commit()
    return RedirectResponse(QUEUE, status_code=303)
