"""Public tracking (no login): ``/track``, ``/track/{code}`` with its photos, and the
reporter's rating and contest forms (carrying the reporter's secret)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases import reporter, rules, service
from gridgov.cases.case_pages import _photo_response
from gridgov.cases.models import Case, CaseEvent, Photo
from gridgov.cases.page_helpers import _CODE, PhotoSize, TrackingCode, _category_name
from gridgov.cases.rules import Rating, State
from gridgov.errors import Conflict, DomainError, InvalidInput, NotFound, Problem
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.msgids import N_
from gridgov.web.deps import CsrfChecked, OptionalUser, SessionDep, client_ip
from gridgov.web.render import (
    language_of,
    local_time,
    no_store,
    render_form,
)
from gridgov.web.toolkit import Visitor, VisitorDep, form_action

router = APIRouter(include_in_schema=False)


@router.get("/track", response_class=HTMLResponse)
def track_form(
    request: Request,
    user: OptionalUser,
    code: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """Type a tracking code; a code given in ``?code=`` goes straight to its page."""
    code = code.strip().upper()
    if code and _CODE.fullmatch(code):
        return RedirectResponse(f"/track/{code}", status_code=303)
    error = NotFound("No case has this tracking code.") if code else None
    return _track_form(request, code, error)


def _track_form(request: Request, code: str, error: DomainError | None) -> HTMLResponse:
    return render_form(request, "cases/track_form.html", {"code": code}, error)


def _tracked(session: Session, code: str) -> Case:
    if not _CODE.fullmatch(code.strip()):
        raise NotFound("No case has this tracking code.")
    return service.get_by_tracking_code(session, code)


def _track_page(
    seen: Visitor,
    case: Case,
    *,
    error: DomainError | None = None,
    secret: str = "",
) -> HTMLResponse:
    request, session, user = seen.request, seen.session, seen.user
    language = language_of(request)
    tz = ZoneInfo(seen.state.settings.timezone)
    is_reporter = reporter.is_reporter(case, secret=secret, user_id=user.id if user else None)
    events = [
        {
            "at": local_time(e.at, tz),
            "kind": e.kind,
            "to_state": e.to_state,
            # Staff notes may name people; only the reporter's own words are shown.
            "note": e.note if e.role == "reporter" else "",
        }
        for e in service.timeline(session, case, public_only=True)
    ]
    closed = State(case.state) is State.CLOSED
    outcome = public_outcome(session, case)
    context = {
        "outcome": outcome,
        "outcome_at": local_time(outcome.at, tz) if outcome else "",
        "outcome_photos": _public_photos(session, case, outcome),
        "case": case,
        "category": _category_name(service.category_of(session, case), language),
        "status": rules.PUBLIC_STATUS[State(case.state)],
        "created": local_time(case.created_at, tz),
        "due": local_time(case.resolution_due_at, tz),
        "closed_at": local_time(case.closed_at, tz),
        "events": events,
        "may_rate": closed and case.rating is None and is_reporter,
        "may_contest": closed and not case.contested and is_reporter,
        "secret": secret if is_reporter else "",
        "ratings": [r.value for r in Rating],
    }
    return render_form(request, "cases/track.html", context, error)


def public_outcome(session: Session, case: Case) -> CaseEvent | None:
    """What was done, as the public may read it: the latest result recorded, unless the
    handler marked it internal; None before any result."""
    if State(case.state) not in (State.RESOLVED, State.VERIFIED, State.CLOSED):
        return None
    return session.scalar(
        select(CaseEvent)
        .where(
            CaseEvent.case_id == case.id,
            CaseEvent.kind == "resolved",
            CaseEvent.public.is_(True),
        )
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(1)
    )


def _public_photos(session: Session, case: Case, outcome: CaseEvent | None) -> list[int]:
    if outcome is None:
        return []
    return list(
        session.scalars(
            select(Photo.id)
            .where(Photo.case_id == case.id, Photo.event_id == outcome.id)
            .order_by(Photo.id)
        )
    )


@router.get("/track/{code}/photos/{photo_id}")
def track_photo(
    code: TrackingCode, photo_id: int, session: SessionDep, size: PhotoSize = "full"
) -> Response:
    """The after-photo of the published result; the report's own photos and every other
    step's stay with the staff."""
    case = _tracked(session, code)
    if photo_id not in _public_photos(session, case, public_outcome(session, case)):
        raise NotFound("Not found, or outside your area.")
    photo = session.get(Photo, photo_id)
    assert photo is not None  # noqa: S101 - listed just above
    return _photo_response(photo, size, "private, max-age=3600")


ReporterSecret = Annotated[str, Query(alias="k", max_length=128)]


@router.get("/track/{code}", response_class=HTMLResponse)
def track_page(code: TrackingCode, seen: VisitorDep, k: ReporterSecret = "") -> HTMLResponse:
    """Anyone with the tracking code follows the case: no names, no phones. The rating
    and reopening forms appear for the reporter only: signed in, or with the link
    (``?k=``) given at submission."""
    try:
        case = _tracked(seen.session, code)
    except NotFound as exc:
        return _track_form(seen.request, code, exc)
    return no_store(_track_page(seen, case, secret=k))


def as_reporter(seen: Visitor, case: Case, secret: str | None, write: Write) -> Case:
    """``case``, for its reporter only (signed in, or holding its secret; 403, audited,
    otherwise); rate-limited per address and per case. The API's too."""
    session, now, user = seen.session, seen.now, seen.user
    check_rate(session, write=write, source=client_ip(seen.request), target=str(case.id), now=now)
    reporter.check_reporter(
        session,
        case=case,
        secret=secret,
        user_id=user.id if user else None,
        actor=seen.actor,
        action=write.value,
        now=now,
    )
    return case


def _track_path(case: Case, k: str) -> str:
    """The tracking page, carrying the reporter's secret when it is theirs."""
    query = f"?k={k}" if k and reporter.secret_matches(case, k) else ""
    return f"/track/{case.tracking_code}{query}"


@dataclass(frozen=True)
class ReporterForm:
    """A form the reporter sends from the tracking page: who sends it (``seen``) and the
    reporter's secret ``k`` the form carries (a dependency: FastAPI fills its fields)."""

    seen: VisitorDep
    k: Annotated[str, Form(max_length=128)] = ""

    def case(self, code: str, write: Write) -> Case:
        """The tracked case, for its reporter only (see ``as_reporter``)."""
        return as_reporter(self.seen, _tracked(self.seen.session, code), self.k, write)

    def send(self, case: Case, run: Callable[[], None]) -> Response:
        """``run`` the form, then back to the tracking page (with the secret), or the page
        again with the refusal."""
        return form_action(
            self.seen.session,
            run,
            to=lambda _: _track_path(case, self.k),
            on_error=lambda exc: _track_page(self.seen, case, error=exc, secret=self.k),
        )


FromReporter = Annotated[ReporterForm, Depends()]


@router.post("/track/{code}/rating", response_class=HTMLResponse, dependencies=[CsrfChecked])
def rating_submit(
    code: TrackingCode,
    sent: FromReporter,
    rating: Annotated[str, Form(max_length=24)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    case = sent.case(code, Write.RATING)

    def run() -> None:
        try:
            chosen = Rating(rating)
        except ValueError as exc:
            raise InvalidInput(
                N_("Choose how satisfied you are."),
                details=[Problem("rating", N_("Choose how satisfied you are."))],
            ) from exc
        service.do_rate(
            sent.seen.session, case=case, rating=chosen, now=sent.seen.now, note=note.strip()
        )

    return sent.send(case, run)


@router.post("/track/{code}/contest", response_class=HTMLResponse, dependencies=[CsrfChecked])
def contest_submit(
    code: TrackingCode,
    sent: FromReporter,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    case = sent.case(code, Write.CONTEST)

    def run() -> None:
        # The service lets any state that may go back to work be contested; a reporter
        # contests a close only.
        if State(case.state) is not State.CLOSED:
            raise Conflict("Only a closed case can be contested.")
        service.do_contest(sent.seen.session, case=case, reason=reason, now=sent.seen.now)

    return sent.send(case, run)
