"""JSON routes for triage and moderation of reports (under /api/v1).

``GET /cases-triage``: reports no one has filed yet (the classifier was unsure, or
the language is not one it files alone), each with its top three suggestions.
``GET /moderation/cases``: reports held as possible spam in the caller's area;
``POST /cases/{id}/release`` and ``/remove`` act on one (dispatchers, audited).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from gridgov.cases import moderation, service
from gridgov.cases.api import ScopedCase, detail
from gridgov.cases.models import Case
from gridgov.cases.rules import State
from gridgov.cases.schemas import CaseDetailOut, CaseOut
from gridgov.errors import Forbidden
from gridgov.web.toolkit import CurrentDesk

router = APIRouter(tags=["cases"])


@router.get("/cases-triage", response_model=list[CaseOut])
def triage(desk: CurrentDesk, limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[Case]:
    """Submitted reports without a category and not held, oldest first."""
    actor = desk.actor
    if not moderation.may_moderate(actor):
        raise Forbidden("Only a dispatcher may do this.")
    rows = desk.session.scalars(
        select(Case)
        .where(
            Case.state == State.SUBMITTED.value,
            Case.category_code.is_(None),
            Case.spam_suspected.is_(False),
        )
        .order_by(Case.created_at, Case.id)
        .limit(limit * 2)
    )
    return [c for c in rows if service.may_see(actor, c)][:limit]


@router.get("/moderation/cases", response_model=list[CaseOut])
def held(desk: CurrentDesk) -> list[Case]:
    """Reports held as possible spam in the caller's area (empty for non-dispatchers)."""
    return moderation.held_cases(desk.session, viewer=desk.actor)


@router.post("/cases/{case_id}/release", response_model=CaseDetailOut)
def release(case: ScopedCase, desk: CurrentDesk) -> CaseDetailOut:
    session = desk.session
    moderation.do_release_case(session, actor=desk.actor, case=case, now=desk.now, tz=desk.tz)
    session.commit()
    return detail(session, case, desk.request)


@router.post("/cases/{case_id}/remove", response_model=CaseDetailOut)
def remove(case: ScopedCase, desk: CurrentDesk) -> CaseDetailOut:
    session = desk.session
    moderation.do_remove_case(session, actor=desk.actor, case=case, now=desk.now)
    session.commit()
    return detail(session, case, desk.request)
