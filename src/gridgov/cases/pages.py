"""Case pages: the public report form and tracking page, the workers' and dispatchers'
lists, the case page with its action forms, photos, and the clustered map of open cases.

Public (no login): ``/report``, ``/report/area.geojson``, ``/track``, ``/track/{code}``
and its rating and contest forms. Everything under ``/cases`` needs a staff role and is
scoped by the viewer's region code.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov import images
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.cases import permissions, reporter, rules, service
from gridgov.cases.calendar_pages import due_warnings
from gridgov.cases.models import Case, CaseEvent, Category, Photo
from gridgov.cases.rules import Channel, Level, Rating, Route, State
from gridgov.errors import Conflict, DomainError, InvalidInput, NotFound, Problem
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.msgids import N_
from gridgov.registry import service as registry
from gridgov.territory import service as territory
from gridgov.web.deps import (
    CSRF_COOKIE,
    AppState,
    CsrfChecked,
    Now,
    OptionalUser,
    PageUser,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    client_ip,
    in_scope,
    require_roles,
)
from gridgov.web.render import (
    error_message,
    error_problems,
    language_of,
    local_time,
    no_store,
    render,
)
from gridgov.web.render import (
    sniff as sniff,  # the report form's photo check, tested here
)

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
REPORT_PHOTOS = 3  # the public form takes up to three; the service allows more
ACTION_PHOTOS = 3
_BATCH = 200
_FAR = datetime.max.replace(tzinfo=UTC)
_CODE = re.compile(r"[A-Za-z0-9]{4,16}")

STAFF = (
    Role.GRID_WORKER,
    Role.DISPATCHER,
    Role.UNIT_STAFF,
    Role.BRANCH_SECRETARY,
    Role.LEADER,
    Role.ADMIN,
)
StaffPage = Annotated[User, Depends(require_roles(*STAFF, page=True))]
PageNumber = Annotated[int, Query(ge=0, le=10_000)]
TrackingCode = Annotated[str, Path(max_length=32)]

DISPATCH = frozenset({Role.DISPATCHER.value, Role.ADMIN.value})
SUPERVISE = frozenset({Role.LEADER.value, Role.ADMIN.value})

# Catalogue ids of the values these pages show through ``_(value)``: states, timeline
# entries, ratings, channels, the list views.
LABELS = (
    N_("submitted"),
    N_("accepted"),
    N_("rejected"),
    N_("assigned"),
    N_("acknowledged"),
    N_("in_progress"),
    N_("resolved"),
    N_("verified"),
    N_("closed"),
    N_("escalated"),
    N_("returned"),
    N_("suspended"),
    N_("started"),
    N_("rework"),
    N_("resumed"),
    N_("rated"),
    N_("contested"),
    N_("merged"),
    N_("duplicate_merged"),
    N_("duplicate_suspected"),
    N_("co_acknowledged"),
    N_("suspension_requested"),
    N_("satisfied"),
    N_("basically_satisfied"),
    N_("dissatisfied"),
    N_("web"),
    N_("api"),
    N_("open311"),
    N_("chat"),
    N_("hotline"),
    N_("staff"),
    N_("system"),
    N_("anonymous"),
    N_("reporter"),
    N_("open"),
    N_("new"),
    N_("overdue"),
    N_("all"),
)


# ---------------------------------------------------------------- helpers


def report_language(code: str) -> dict[str, str]:
    """The report's language for staff: its code for ``lang=`` and its own name; both
    empty for Chinese (the page's language) and unknown text ("und")."""
    from gridgov.cases import language as languages

    if not code or code in ("zh", languages.UNDETERMINED):
        return {"code": "", "name": ""}
    return {"code": code, "name": languages.NAMES.get(code, code)}


def _category_name(category: Category | service.CategoryInfo | None, language: str) -> str:
    if category is None:
        return ""
    return category.name_en if language == "en" else category.name_zh


def _categories(session: Session) -> dict[str, Category]:
    return {c.code: c for c in service.list_categories(session, leaves_only=False)}


def category_groups(
    categories: dict[str, Category], language: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Leaves grouped under their parent's name, in catalogue order (for <optgroup>)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code in sorted(categories):
        category = categories[code]
        if category.start_level is None:
            continue
        groups.setdefault(category.parent_code or "", []).append(
            (code, _category_name(category, language))
        )
    return [
        (_category_name(categories.get(parent), language), items)
        for parent, items in groups.items()
    ]


PhotoSize = Annotated[Literal["full", "thumb"], Query()]


def read_photos(
    uploads: Sequence[UploadFile] | None, limit: int, message: str
) -> list[tuple[str, bytes]]:
    """Uploaded photos as (sniffed type, bytes); the empty part of an unused file input is
    skipped. Types and sizes are checked by :func:`photo_problems` or the service."""
    photos: list[tuple[str, bytes]] = []
    for upload in uploads or ():
        data = upload.file.read(service.MAX_PHOTO_BYTES + 1)
        if not data and not upload.filename:
            continue
        photos.append((sniff(data) or "application/octet-stream", data))
    if len(photos) > limit:
        raise InvalidInput(message, details=[Problem("photos", "At most %(n)s photos.", n=limit)])
    return photos


def photo_problems(photos: Sequence[tuple[str, bytes]]) -> list[Problem]:
    problems: list[Problem] = []
    for content_type, data in photos:
        if content_type not in service.PHOTO_TYPES:
            problems.append(Problem("photos", "Photos must be JPEG, PNG or WebP."))
        if len(data) > service.MAX_PHOTO_BYTES:
            problems.append(Problem("photos", "A photo may be at most 5 MB."))
        elif content_type in service.PHOTO_TYPES and (why := images.check(data)) is not None:
            problems.append(Problem("photos", why))
    return problems


def _coordinate(text: str) -> float | None:
    """A form's longitude or latitude: empty is None; the service checks the pair."""
    if not text.strip():
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise InvalidInput(
            "The report was not taken.",
            details=[Problem("lon", "The point is not a longitude/latitude.")],
        ) from exc


# ---------------------------------------------------------------- the public report form


def _report_page(
    request: Request,
    session: Session,
    form: dict[str, str],
    *,
    error: DomainError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    context = {
        "groups": category_groups(_categories(session), language),
        "form": form,
        "error": error_message(language, error) if error else None,
        "problems": error_problems(language, error),
        "max_photos": REPORT_PHOTOS,
    }
    return no_store(render(request, "cases/report.html", context, status_code=status_code))


def _new_key() -> str:
    return "web-" + secrets.token_urlsafe(18)


@router.get("/report", response_class=HTMLResponse)
def report_page(request: Request, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    """Report a problem; anyone may, without an account."""
    return _report_page(request, session, {"idempotency_key": _new_key()})


@router.post("/report", response_class=HTMLResponse, dependencies=[CsrfChecked])
def report_submit(
    request: Request,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: OptionalUser,
    description: Annotated[str, Form(max_length=4000)] = "",
    category: Annotated[str, Form(max_length=16)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    address: Annotated[str, Form(max_length=256)] = "",
    name: Annotated[str, Form(max_length=64)] = "",
    phone: Annotated[str, Form(max_length=32)] = "",
    anonymous: Annotated[str, Form(max_length=8)] = "",
    idempotency_key: Annotated[str, Form(max_length=128)] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> HTMLResponse:
    hidden = bool(anonymous)
    form = {
        "description": description,
        "category": category,
        "lon": lon,
        "lat": lat,
        "address": address,
        "name": "" if hidden else name,
        "phone": "" if hidden else phone,
        "anonymous": "1" if hidden else "",
        "idempotency_key": idempotency_key or _new_key(),
    }
    try:
        pictures = read_photos(photos, REPORT_PHOTOS, N_("The report was not taken."))
        if user is not None:
            actor = actor_of(request, user)
            source = f"user:{user.username}"
            principal = f"user:{user.id}"
        else:
            actor = anonymous_actor(request)
            source = f"web:{client_ip(request)}"
            # The anonymous form's session: this browser's CSRF cookie (verified above).
            principal = "form:" + request.cookies.get(CSRF_COOKIE, "")
        staff = user is not None and reporter.is_staff(user.role)
        check_rate(
            session,
            write=Write.REPORT_STAFF if staff else Write.REPORT,
            source=principal if staff else client_ip(request),
            now=now,
        )
        intake = service.do_intake(
            session,
            actor=actor,
            value=service.IntakeInput(
                description=description,
                channel=Channel.WEB,
                category_code=category or None,
                lon=_coordinate(lon),
                lat=_coordinate(lat),
                address=address,
                reporter_name="" if hidden else name,
                reporter_phone="" if hidden else phone,
                reporter_user_id=user.id if user is not None else None,
                anonymous=hidden,
                idempotency_key=idempotency_key or None,
                source=source,
                principal=principal,
                photos=pictures,
            ),
            now=now,
            tz=state.settings.timezone,
        )
    except DomainError as exc:
        session.rollback()
        return _report_page(request, session, form, error=exc, status_code=exc.status)
    session.commit()
    return no_store(
        render(
            request,
            "cases/reported.html",
            {
                "code": intake.case.tracking_code,
                "created": intake.created,
                "secret": intake.secret,
            },
        )
    )


@router.get("/report/area.geojson")
def report_area(session: SessionDep) -> JSONResponse:
    """The district's outline, for the report form's map (public: no login needed)."""
    regions = territory.list_regions(session, viewer=Actor.system(), limit=50)
    top = next((r for r in regions if r.level == "district"), None) or next(
        (r for r in regions if r.parent_code is None), None
    )
    if top is None or top.geometry is None:
        raise NotFound("Not found, or outside your area.")
    feature = territory.children_geojson(session, parent=top)["parent"]
    return JSONResponse(
        feature,
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=600"},
    )


@router.get("/report/grids.geojson")
def report_grids(session: SessionDep) -> JSONResponse:
    """The district's grid lines, for the report form's map without a tile server: a
    resident sees which grid they tap in (public: no login needed)."""
    regions = territory.list_regions(session, viewer=Actor.system(), limit=50)
    top = next((r for r in regions if r.level == "district"), None) or next(
        (r for r in regions if r.parent_code is None), None
    )
    if top is None:
        raise NotFound("Not found, or outside your area.")
    return JSONResponse(
        territory.grids_geojson(session, under=top.code),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=600"},
    )


# ---------------------------------------------------------------- public tracking


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
    language = language_of(request)
    return render(
        request,
        "cases/track_form.html",
        {"code": code, "error": error_message(language, error) if error else None},
        status_code=error.status if error else 200,
    )


def _tracked(session: Session, code: str) -> Case:
    if not _CODE.fullmatch(code.strip()):
        raise NotFound("No case has this tracking code.")
    return service.get_by_tracking_code(session, code)


def _track_page(
    request: Request,
    session: Session,
    state: AppState,
    case: Case,
    *,
    error: DomainError | None = None,
    status_code: int = 200,
    secret: str = "",
    user: User | None = None,
) -> HTMLResponse:
    language = language_of(request)
    tz = ZoneInfo(state.settings.timezone)
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
        "error": error_message(language, error) if error else None,
        "problems": error_problems(language, error),
    }
    return render(request, "cases/track.html", context, status_code=status_code)


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
def track_page(
    request: Request,
    code: TrackingCode,
    session: SessionDep,
    state: StateDep,
    user: OptionalUser,
    k: ReporterSecret = "",
) -> HTMLResponse:
    """Anyone with the tracking code follows the case: no names, no phones. The rating
    and reopening forms appear for the reporter only: signed in, or with the link
    (``?k=``) given at submission."""
    try:
        case = _tracked(session, code)
    except NotFound as exc:
        return _track_form(request, code, exc)
    return no_store(_track_page(request, session, state, case, secret=k, user=user))


def _reporter_case(
    request: Request,
    session: Session,
    now: datetime,
    user: User | None,
    code: str,
    k: str,
    write: Write,
) -> Case:
    """The case, for its reporter only (403, audited, otherwise); rate-limited per
    address and per case."""
    case = _tracked(session, code)
    check_rate(session, write=write, source=client_ip(request), target=str(case.id), now=now)
    reporter.check_reporter(
        session,
        case=case,
        secret=k,
        user_id=user.id if user else None,
        actor=actor_of(request, user) if user else anonymous_actor(request),
        action=write.value,
        now=now,
    )
    return case


def _back_to_track(case: Case, k: str) -> RedirectResponse:
    query = f"?k={k}" if k and reporter.secret_matches(case, k) else ""
    return RedirectResponse(f"/track/{case.tracking_code}{query}", status_code=303)


@router.post("/track/{code}/rating", response_class=HTMLResponse, dependencies=[CsrfChecked])
def rating_submit(
    request: Request,
    code: TrackingCode,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: OptionalUser,
    rating: Annotated[str, Form(max_length=24)] = "",
    note: Annotated[str, Form(max_length=500)] = "",
    k: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    case = _reporter_case(request, session, now, user, code, k, Write.RATING)
    try:
        try:
            chosen = Rating(rating)
        except ValueError as exc:
            raise InvalidInput(
                "Choose how satisfied you are.",
                details=[Problem("rating", "Choose how satisfied you are.")],
            ) from exc
        service.do_rate(session, case=case, rating=chosen, now=now, note=note.strip())
    except DomainError as exc:
        session.rollback()
        return _track_page(
            request, session, state, case, error=exc, status_code=exc.status, secret=k, user=user
        )
    session.commit()
    return _back_to_track(case, k)


@router.post("/track/{code}/contest", response_class=HTMLResponse, dependencies=[CsrfChecked])
def contest_submit(
    request: Request,
    code: TrackingCode,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: OptionalUser,
    reason: Annotated[str, Form(max_length=500)] = "",
    k: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    case = _reporter_case(request, session, now, user, code, k, Write.CONTEST)
    try:
        # The service lets any state that may go back to work be contested; a reporter
        # contests a close only.
        if State(case.state) is not State.CLOSED:
            raise Conflict("Only a closed case can be contested.")
        service.do_contest(session, case=case, reason=reason, now=now)
    except DomainError as exc:
        session.rollback()
        return _track_page(
            request, session, state, case, error=exc, status_code=exc.status, secret=k, user=user
        )
    session.commit()
    return _back_to_track(case, k)


# ---------------------------------------------------------------- lists


def _stream(
    session: Session, viewer: Actor, *, state: str, unit: bool, now: datetime
) -> Iterator[Case]:
    """Every case in one state, in the service's order (soonest due first), lazily."""
    offset = 0
    while True:
        batch = service.list_cases(
            session, viewer=viewer, state=state, unit=unit, now=now, limit=_BATCH, offset=offset
        )
        yield from batch
        if len(batch) < _BATCH:
            return
        offset += _BATCH


def urgency(now: datetime) -> Callable[[Case], tuple[bool, bool, datetime, int]]:
    """Overdue first, then soonest due, then oldest: the worker's order."""

    def key(case: Case) -> tuple[bool, bool, datetime, int]:
        due = case.resolution_due_at
        return (not service.is_overdue(case, now), due is None, due or _FAR, case.id)

    return key


def open_states(role: str) -> frozenset[State]:
    """Open states a role's lists and map show: a report nobody has accepted yet (and
    perhaps spam) is the dispatcher's, not yet the grid's or the unit's."""
    if role in DISPATCH | SUPERVISE:
        return rules.OPEN_STATES
    return rules.OPEN_STATES - {State.SUBMITTED}


def open_cases(session: Session, viewer: Actor, *, unit: bool, now: datetime) -> Iterator[Case]:
    """The viewer's open cases by urgency: one ordered stream per open state, merged.
    Each stream is already in urgency order, so the merge is too."""
    streams = [
        _stream(session, viewer, state=s.value, unit=unit, now=now)
        for s in sorted(open_states(viewer.role))
    ]
    return heapq.merge(*streams, key=urgency(now))


def views_for(role: str) -> tuple[str, ...]:
    """The list's tabs for a role; the first is the default."""
    if role in DISPATCH:
        return ("new", "returned", "overdue", "open", "all")
    if role == Role.LEADER.value:
        return ("open", "overdue", "all")
    return ("open", "all")


def list_view(
    session: Session, actor: Actor, *, view: str, now: datetime, page: int
) -> tuple[list[Case], bool]:
    """One page of a view and whether another follows."""
    unit = actor.role in (Role.UNIT_STAFF.value, Role.BRANCH_SECRETARY.value)
    offset = page * PAGE_SIZE
    if view == "open":
        rows = list(
            itertools.islice(
                open_cases(session, actor, unit=unit, now=now), offset, offset + PAGE_SIZE + 1
            )
        )
    else:
        rows = service.list_cases(
            session,
            viewer=actor,
            state={"new": State.SUBMITTED.value, "returned": State.RETURNED.value}.get(view),
            overdue=view == "overdue",
            unit=unit,
            now=now,
            limit=PAGE_SIZE + 1,
            offset=offset,
        )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request,
    user: StaffPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    view: Annotated[str, Query(max_length=16)] = "",
    page: PageNumber = 0,
) -> HTMLResponse:
    """Grid workers: their grid's open cases, most urgent first. Dispatchers: the queue
    (new, returned, overdue, open, all). Unit staff: their unit's inbox."""
    actor = actor_of(request, user)
    language = language_of(request)
    tz = ZoneInfo(state.settings.timezone)
    views = views_for(user.role)
    chosen = view if view in views else views[0]
    rows, more = list_view(session, actor, view=chosen, now=now, page=page)
    categories = _categories(session)
    duplicates: dict[int, list[Case]] = {}
    if chosen == "new":
        duplicates = service.likely_duplicates_of(session, rows, now=now)
    context = {
        "rows": [
            {
                "case": case,
                "category": _category_name(categories.get(case.category_code or ""), language),
                "due": local_time(case.resolution_due_at, tz),
                "overdue": service.is_overdue(case, now),
            }
            for case in rows
        ],
        "views": views,
        "view": chosen,
        "page": page,
        "more": more,
        "duplicates": duplicates,
        "dispatcher": user.role in DISPATCH,
    }
    return render(request, "cases/list.html", context)


# ---------------------------------------------------------------- the clustered map


@dataclass
class Cell:
    count: int = 0
    overdue: int = 0
    lon_sum: float = 0.0
    lat_sum: float = 0.0
    first: Case | None = None


def cell_degrees(zoom: int) -> float:
    """A quarter of a map tile's width at this zoom: about 64 screen pixels."""
    return 360.0 / (1 << zoom) / 4


def cluster(cases: Sequence[Case], *, zoom: int, now: datetime) -> list[dict[str, Any]]:
    """Points rounded to a grid of cells; each cell with its count, how many are overdue,
    and the mean of its points (where the circle goes). A lone case names itself."""
    size = cell_degrees(zoom)
    cells: dict[tuple[int, int], Cell] = {}
    for case in cases:
        if case.lon is None or case.lat is None:
            continue
        key = (math.floor(case.lon / size), math.floor(case.lat / size))
        cell = cells.setdefault(key, Cell())
        cell.count += 1
        cell.overdue += service.is_overdue(case, now)
        cell.lon_sum += case.lon
        cell.lat_sum += case.lat
        cell.first = cell.first or case
    out: list[dict[str, Any]] = []
    for cell in cells.values():
        item: dict[str, Any] = {
            "lon": round(cell.lon_sum / cell.count, 6),
            "lat": round(cell.lat_sum / cell.count, 6),
            "count": cell.count,
            "overdue": cell.overdue,
        }
        if cell.count == 1 and cell.first is not None:
            item["case_id"] = cell.first.id
            item["tracking_code"] = cell.first.tracking_code
        out.append(item)
    out.sort(key=lambda c: (-c["count"], c["lon"], c["lat"]))
    return out


@router.get("/cases/map", response_class=HTMLResponse)
def cases_map_page(request: Request, user: StaffPage) -> HTMLResponse:
    """Open cases in the viewer's area as circles sized by count (no tile server)."""
    return render(request, "cases/map.html", {"scope": user.effective_scope or ""})


@router.get("/cases/map.json")
def cases_map_json(
    request: Request,
    user: StaffPage,
    session: SessionDep,
    now: Now,
    zoom: Annotated[int, Query(ge=0, le=22)] = 12,
) -> JSONResponse:
    """Counts of open cases per cell at ``zoom``, within the viewer's scope."""
    actor = actor_of(request, user)
    unit = actor.role in (Role.UNIT_STAFF.value, Role.BRANCH_SECRETARY.value)
    found = list(open_cases(session, actor, unit=unit, now=now))
    located = [c for c in found if c.lon is not None and c.lat is not None]
    body = {
        "zoom": zoom,
        "cell": cell_degrees(zoom),
        "total": len(located),
        "unlocated": len(found) - len(located),
        "cells": cluster(located, zoom=zoom, now=now),
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


# ---------------------------------------------------------------- the case page


def scoped_case_page(
    case_id: int, request: Request, session: SessionDep, now: Now, user: StaffPage
) -> Case:
    """The case if the viewer may see it; 404 (audited) otherwise."""
    actor = actor_of(request, user)
    return in_scope(
        request,
        session,
        now,
        user,
        session.get(Case, case_id),
        visible=lambda case: service.may_see(actor, case),
        object_type="case",
        object_id=str(case_id),
    )


ScopedCasePage = Annotated[Case, Depends(scoped_case_page)]

# The workflow steps and who may take them: ``cases.permissions``, the same checks the
# service authorises with, so a page never offers a step that would be refused.
STEP_TARGET = permissions.STEP_TARGET


# Words the timeline's notes are made of (routing sources, system actors, event kinds).
NOTE_LABELS = (
    N_("category"),
    N_("grid matters list"),
    N_("district default"),
    N_("dispatcher"),
    N_("escalation"),
    N_("not a grid matter"),
    N_("router"),
    N_("sweep"),
    N_("unstaffed"),
)
_ASSIGNED_NOTE = re.compile(r"(?P<level>[a-z]+)(?: (?P<unit>.*?))? \((?P<source>[^()]*)\)")
_ESCALATED_NOTE = re.compile(r"(?P<low>[a-z]+) → (?P<high>[a-z]+): (?P<reason>.*)", re.S)


def event_note(event: CaseEvent, language: str) -> str:
    """A timeline note in the reader's words: routing notes, escalations, channels and
    ratings are stored as codes and shown as labels; people's own words stay as written."""
    from gridgov.web.i18n import gettext

    note = event.note or ""
    wide = language.startswith("zh")
    colon, left, right, comma = ("：", "（", "）", "、") if wide else (": ", " (", ")", ", ")
    if event.kind == "assigned" and (found := _ASSIGNED_NOTE.fullmatch(note)):
        sources = comma.join(gettext(language, part) for part in found["source"].split(", "))
        unit = f" · {found['unit']}" if found["unit"] else ""
        return f"{gettext(language, found['level'])}{unit}{left}{sources}{right}"
    if event.kind == "escalated" and (found := _ESCALATED_NOTE.fullmatch(note)):
        low, high = gettext(language, found["low"]), gettext(language, found["high"])
        return f"{low} → {high}{colon}{found['reason']}"
    if event.kind == "submitted" or event.kind == "unstaffed":
        return gettext(language, note) if event.kind == "submitted" else note
    if event.kind == "rated":
        rating, _, words = note.partition(": ")
        return gettext(language, rating) + (f"{colon}{words}" if words else "")
    return note


def _photos(session: Session, case: Case) -> dict[int | None, list[int]]:
    """Photo ids of the case by the timeline event they belong to (None: the report)."""
    rows = session.execute(
        select(Photo.id, Photo.event_id).where(Photo.case_id == case.id).order_by(Photo.id)
    ).all()
    grouped: dict[int | None, list[int]] = {}
    for photo_id, event_id in rows:
        grouped.setdefault(event_id, []).append(photo_id)
    return grouped


def _departments(session: Session, case: Case) -> list[tuple[int, str]]:
    district = (case.grid_code or case.unit_code or "")[:6]
    if not district:
        return []
    return [
        (o.id, o.name)
        for o in registry.list_organisations(
            session, viewer=Actor.system(), kind="department", region_code=district, limit=200
        )
    ]


def _office_name(session: Session, case: Case) -> str:
    """The street or community office a case sits with, by name, when the register has it."""
    from gridgov.accounts import units

    if case.department_id is not None or not case.unit_code or not case.grid_code:
        return ""
    for unit in units.units_for_region(session, region_code=case.grid_code):
        if unit.kind != "department" and unit.region_code == case.unit_code:
            return unit.name
    return ""


def _unit_names(session: Session, case: Case) -> list[str]:
    from gridgov.accounts import units

    if not case.grid_code:
        return []
    return [u.name for u in units.units_for_region(session, region_code=case.grid_code)]


def _case_page(
    request: Request,
    session: Session,
    state: AppState,
    user: User,
    case: Case,
    now: datetime,
    *,
    error: DomainError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    tz = ZoneInfo(state.settings.timezone)
    actor = actor_of(request, user)
    categories = _categories(session)
    category = categories.get(case.category_code or "")
    departments = _departments(session, case)
    steps = permissions.allowed_steps(session, actor=actor, case=case)
    duplicates: list[Case] = []
    if user.role in DISPATCH and State(case.state) in rules.OPEN_STATES:
        duplicates = service.likely_duplicates(session, case, now=now)
    original = None
    if case.duplicate_of_id is not None:
        try:
            original = service.get_case(session, case_id=case.duplicate_of_id, viewer=actor)
        except NotFound:
            original = None
    context = {
        "case": case,
        "category": _category_name(category, language),
        "suggested": _category_name(categories.get(case.suggested_category or ""), language),
        "suggestions": [
            (code, _category_name(categories.get(code), language) or code, round(p * 100))
            for code, p in service.parse_suggestions(case.suggestions)
        ],
        "report_language": report_language(case.language),
        "department": dict(departments).get(case.department_id or 0, "")
        or _office_name(session, case),
        "departments": [name for _, name in departments],
        "units": _unit_names(session, case),
        "default_department": (category.department if category else None) or "",
        "groups": category_groups(categories, language),
        "levels": [level.value for level in Level],
        "overdue": service.is_overdue(case, now),
        "times": {
            "created": local_time(case.created_at, tz),
            "assigned": local_time(case.assigned_at, tz),
            "response_due": local_time(case.response_due_at, tz),
            "resolution_due": local_time(case.resolution_due_at, tz),
            "acknowledged": local_time(case.acknowledged_at, tz),
            "resolved": local_time(case.resolved_at, tz),
            "closed": local_time(case.closed_at, tz),
            "verification_due": local_time(
                case.verification_due_at if case.state == State.RESOLVED.value else None, tz
            ),
        },
        "due_warnings": due_warnings(session, case, language, state.settings.timezone),
        "events": [
            (e, local_time(e.at, tz), event_note(e, language))
            for e in service.timeline(session, case)
        ],
        "photos": _photos(session, case),
        "steps": steps,
        "duplicates": duplicates,
        "original": original,
        "error": error_message(language, error) if error else None,
        "problems": error_problems(language, error),
        "max_photos": ACTION_PHOTOS,
    }
    return no_store(render(request, "cases/case.html", context, status_code=status_code))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case: ScopedCasePage,
    user: StaffPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
) -> HTMLResponse:
    return _case_page(request, session, state, user, case, now)


@router.get("/cases/{case_id}/photos/{photo_id}")
def case_photo(
    case: ScopedCasePage,
    user: StaffPage,
    session: SessionDep,
    photo_id: int,
    size: PhotoSize = "full",
) -> Response:
    """A photo of the case, with its own content type; only within the viewer's area.
    ``?size=thumb`` gives the list's thumbnail (the photo itself when it has none)."""
    photo = session.get(Photo, photo_id)
    if photo is None or photo.case_id != case.id:
        raise NotFound("Not found, or outside your area.")
    return _photo_response(photo, size, "private, max-age=86400")


def _photo_response(photo: Photo, size: str, cache: str) -> Response:
    if size == "thumb" and photo.thumbnail is not None:
        # Thumbnails are JPEG, or PNG when the photo kept its transparency.
        thumb_type = "image/png" if photo.thumbnail[:4] == b"\x89PNG" else "image/jpeg"
        return Response(
            photo.thumbnail,
            media_type=thumb_type,
            headers={"Cache-Control": cache, "Content-Disposition": "inline"},
        )
    return Response(
        photo.data,
        media_type=photo.content_type,
        headers={"Cache-Control": cache, "Content-Disposition": "inline"},
    )


def _back(next_path: str, case: Case) -> str:
    """Back to the list the form came from, or the case page; never off-site."""
    if next_path.startswith("/cases") and "//" not in next_path and "\\" not in next_path:
        return next_path
    return f"/cases/{case.id}"


def _original_id(text: str) -> int:
    digits = text.strip().lstrip("#")
    if not digits.isdigit():
        raise InvalidInput(
            "Give the number of the case to merge into.",
            details=[Problem("original", "Give the number of the case to merge into.")],
        )
    return int(digits)


_KIND_LEVEL = {"department": Level.DEPARTMENT, "street_office": Level.STREET}


def _unit_route(session: Session, case: Case, name: str, actor: Actor) -> Route:
    """Assign to a unit named by the dispatcher: a department of the district, or the
    street or community office of the case's own place."""
    from gridgov.accounts import units

    unit = units.find_unit(session, text=name, viewer=actor)
    allowed = {u.id for u in units.units_for_region(session, region_code=case.grid_code or "")}
    if unit.kind == "department" and (case.grid_code or case.unit_code or "")[:6] == (
        unit.region_code
    ):
        allowed.add(unit.id)
    if unit.id not in allowed:
        message = N_("%(unit)s is not a unit for this place.")
        raise InvalidInput(
            message,
            params={"unit": unit.name},
            details=[Problem("department", message, unit=unit.name)],
        )
    level = _KIND_LEVEL.get(unit.kind, Level.COMMUNITY)
    return Route(level, unit.name if level is Level.DEPARTMENT else None, "dispatcher")


def take_step(
    session: Session,
    *,
    step: str,
    actor: Actor,
    case: Case,
    now: datetime,
    tz: str,
    note: str,
    reason: str,
    result: str,
    level: str,
    department: str,
    original: str,
    category: str,
    assign: bool,
    photos: Sequence[tuple[str, bytes]],
) -> None:
    """Call the service for one workflow step; it checks who may and whether the state
    allows it, and raises a DomainError when not."""
    if step == "accept":
        service.do_accept(session, actor=actor, case=case, now=now, category_code=category or None)
        if assign:
            service.do_assign(session, actor=actor, case=case, now=now, tz=tz)
    elif step == "reject":
        service.do_reject(session, actor=actor, case=case, reason=reason, now=now)
    elif step == "merge":
        if _CODE.fullmatch(original.strip()) and not original.strip().isdigit():
            found = service.get_by_tracking_code(session, original)
            target = service.get_case(session, case_id=found.id, viewer=actor)
        else:
            target = service.get_case(session, case_id=_original_id(original), viewer=actor)
        service.do_merge(session, actor=actor, duplicate=case, original=target, now=now)
    elif step == "assign":
        service.check_dispatch(actor, case)
        override = None
        if not level and department.strip():
            override = _unit_route(session, case, department, actor)
        elif level:
            try:
                override = Route(Level(level), department.strip() or None, "dispatcher")
            except ValueError as exc:
                raise InvalidInput("Unknown level %(level)s.", params={"level": level}) from exc
        service.do_assign(session, actor=actor, case=case, now=now, route=override, tz=tz)
    elif step == "acknowledge":
        service.do_acknowledge(session, actor=actor, case=case, now=now)
    elif step == "start":
        service.do_start(session, actor=actor, case=case, now=now, note=note)
    elif step == "resolve":
        problems = photo_problems(photos)
        if problems:
            raise InvalidInput("The photos were not taken.", details=problems)
        service.do_resolve(session, actor=actor, case=case, note=note, now=now, photos=photos)
    elif step == "verify":
        if result not in ("passed", "failed"):
            raise InvalidInput(
                "Say whether the result passed the check.",
                details=[Problem("result", "Say whether the result passed the check.")],
            )
        service.do_verify(
            session, actor=actor, case=case, passed=result == "passed", note=note, now=now
        )
    elif step == "escalate":
        service.do_escalate(session, actor=actor, case=case, reason=reason, now=now, tz=tz)
    elif step == "return":
        service.do_return(session, actor=actor, case=case, reason=reason, now=now)
    elif step == "request-suspension":
        service.do_request_suspension(session, actor=actor, case=case, reason=reason, now=now)
    elif step == "approve-suspension":
        service.do_approve_suspension(session, actor=actor, case=case, now=now)
    elif step == "resume":
        service.do_resume(session, actor=actor, case=case, now=now)
    else:  # pragma: no cover - the route refuses unknown steps first
        raise NotFound("Not found, or outside your area.")


@router.post("/cases/{case_id}/act/{step}", dependencies=[CsrfChecked])
def act_submit(
    request: Request,
    step: str,
    case: ScopedCasePage,
    user: StaffPage,
    session: SessionDep,
    state: StateDep,
    now: Now,
    note: Annotated[str, Form(max_length=2000)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
    result: Annotated[str, Form(max_length=16)] = "",
    level: Annotated[str, Form(max_length=16)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    original: Annotated[str, Form(max_length=32)] = "",
    category: Annotated[str, Form(max_length=16)] = "",
    assign: Annotated[str, Form(max_length=8)] = "",
    next: Annotated[str, Form(max_length=256)] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """One workflow step from the case page's forms; back to the page (303) when done,
    the page again with the refusal in words (and its status) when not."""
    if step not in STEP_TARGET:
        raise NotFound("Not found, or outside your area.")
    actor = actor_of(request, user)
    try:
        pictures = (
            read_photos(photos, ACTION_PHOTOS, N_("The photos were not taken."))
            if step == "resolve"
            else []
        )
        take_step(
            session,
            step=step,
            actor=actor,
            case=case,
            now=now,
            tz=state.settings.timezone,
            note=note,
            reason=reason,
            result=result,
            level=level,
            department=department,
            original=original,
            category=category,
            assign=bool(assign),
            photos=pictures,
        )
    except DomainError as exc:
        session.rollback()
        return _case_page(
            request, session, state, user, case, now, error=exc, status_code=exc.status
        )
    session.commit()
    return RedirectResponse(_back(next, case), status_code=303)


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request, user: PageUser, session: SessionDep, now: Now
) -> HTMLResponse:
    """The in-app notifications of the user, their unit and their area, newest first."""
    messages = service.inbox(session, actor=actor_of(request, user))
    tz = ZoneInfo(request.app.state.gridgov.settings.timezone)
    seen = user.notifications_seen_at
    ids = {m.case_id for m in messages if m.case_id is not None}
    codes = {
        row[0]: row[1]
        for row in session.execute(select(Case.id, Case.tracking_code).where(Case.id.in_(ids)))
    }
    resident = user.role == Role.RESIDENT.value
    rows = [
        {
            "when": local_time(m.created_at, tz),
            "subject": m.subject,
            "body": m.body,
            "case_id": m.case_id,
            # One tap to the case: staff open the case, a resident its tracking page.
            "href": (f"/track/{codes[m.case_id]}" if resident else f"/cases/{m.case_id}")
            if m.case_id in codes
            else "",
            "unread": seen is None or m.created_at > seen,
        }
        for m in messages
    ]
    user.notifications_seen_at = now
    session.commit()
    return render(request, "cases/notifications.html", {"rows": rows, "unread_count": 0})
