"""HTML actions on reports held as possible spam: release or remove, from the one
moderation queue (``/deliberation/moderation`` lists them beside held posts and
objections)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from gridgov.cases import moderation
from gridgov.cases.page_helpers import StaffDesk
from gridgov.cases.pages import ScopedCasePage
from gridgov.web.deps import CsrfChecked
from gridgov.web.toolkit import committed

router = APIRouter()
QUEUE = "/deliberation/moderation"


@router.post("/cases/{case_id}/release-held", dependencies=[CsrfChecked])
def release_held(case: ScopedCasePage, desk: StaffDesk) -> Response:
    # A refusal propagates; the session dependency rolls back what was not committed.
    moderation.do_release_case(desk.session, actor=desk.actor, case=case, now=desk.now, tz=desk.tz)
    return committed(desk.session, QUEUE)


@router.post("/cases/{case_id}/remove-held", dependencies=[CsrfChecked])
def remove_held(case: ScopedCasePage, desk: StaffDesk) -> Response:
    moderation.do_remove_case(desk.session, actor=desk.actor, case=case, now=desk.now)
    return committed(desk.session, QUEUE)
