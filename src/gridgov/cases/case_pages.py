"""The case page (``/cases/{case_id}``) with its photos, its action forms and the steps
they take, and the in-app notifications page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts import units
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.cases import messages as messages_text
from gridgov.cases import permissions, placing, rules, service
from gridgov.cases.calendar_pages import due_warnings
from gridgov.cases.models import Case, CaseEvent, Photo
from gridgov.cases.page_helpers import (
    _CODE,
    ACTION_PHOTOS,
    DISPATCH,
    PhotoSize,
    StaffDesk,
    StaffPage,
    _categories,
    _category_name,
    category_groups,
    photo_problems,
    read_photos,
    report_language,
)
from gridgov.cases.rules import Channel, Level, Route, State
from gridgov.errors import DomainError, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry import service as registry
from gridgov.territory.service import region_names
from gridgov.web.deps import CsrfChecked, SessionDep
from gridgov.web.render import inline, language_of, local_time, no_store, render, render_form
from gridgov.web.toolkit import Desk, PageDesk, scoped

router = APIRouter(include_in_schema=False)


# The case if the viewer may see it; 404 (audited) otherwise.
scoped_case_page = scoped(Case, "case_id", StaffPage, service.may_see)


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


def _note(event: CaseEvent, case: Case, language: str) -> str:
    """``event_note``; a visit's case says it came from a visit where its channel would
    read as a grid worker's patrol (the visitor may be the branch secretary)."""
    if event.kind == "submitted" and (case.source or "").startswith("visit:"):
        from gridgov.web.i18n import gettext

        return gettext(language, "from a visit")
    return event_note(event, language)


def _grids_by_community(session: Session, actor: Actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """The grids a case may be placed in, grouped under their community's name."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for code, name, community in placing.grids_for(session, actor):
        grouped.setdefault(community, []).append((code, name))
    return list(grouped.items())


def _photos(session: Session, case: Case) -> dict[int | None, list[int]]:
    """Photo ids of the case by the timeline event they belong to (None: the report)."""
    rows = session.execute(
        select(Photo.id, Photo.event_id).where(Photo.case_id == case.id).order_by(Photo.id)
    ).all()
    grouped: dict[int | None, list[int]] = {}
    for photo_id, event_id in rows:
        grouped.setdefault(event_id, []).append(photo_id)
    return grouped


def _units(session: Session, case: Case) -> list[units.Unit]:
    """The units a case located in a grid can go to (``units_for_region``), read once a
    page: the departments, the office the case sits with and the unit names all come
    from it."""
    if not case.grid_code:
        return []
    return units.units_for_region(session, region_code=case.grid_code)


def _departments(
    session: Session, case: Case, found: Sequence[units.Unit], actor: Actor
) -> list[tuple[int, str]]:
    """The departments of the case's district by code; from ``found`` (the units of its
    grid, which hold the same departments in the same order) when it is located; those
    the viewer can see when the case is in no place (the dispatcher names one)."""
    district = (case.grid_code or case.unit_code or "")[:6]
    if case.grid_code:
        return [(u.id, u.name) for u in found if u.kind == "department"][:200]
    return [
        (o.id, o.name)
        for o in registry.list_organisations(
            session,
            viewer=Actor.system() if district else actor,
            kind="department",
            region_code=district or None,
            limit=200,
        )
    ]


def _office_name(case: Case, found: Sequence[units.Unit]) -> str:
    """The street or community office a case sits with, by name, when the register has it."""
    if case.department_id is not None or not case.unit_code or not case.grid_code:
        return ""
    for unit in found:
        if unit.kind != "department" and unit.region_code == case.unit_code:
            return unit.name
    return ""


def _case_page(desk: Desk, case: Case, *, error: DomainError | None = None) -> HTMLResponse:
    session, now = desk.session, desk.now
    language = language_of(desk.request)
    tz = ZoneInfo(desk.state.settings.timezone)
    actor = desk.actor
    categories = _categories(session)
    category = categories.get(case.category_code or "")
    found = _units(session, case)
    departments = _departments(session, case, found, actor)
    steps = permissions.allowed_steps(session, actor=actor, case=case)
    duplicates: list[Case] = []
    if desk.user.role in DISPATCH and State(case.state) in rules.OPEN_STATES:
        duplicates = service.likely_duplicates(session, case, now=now)
    original = None
    if case.duplicate_of_id is not None:
        try:
            original = service.get_case(session, case_id=case.duplicate_of_id, viewer=actor)
        except NotFound:
            original = None
    events = service.timeline(session, case)
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
        or _office_name(case, found),
        "departments": [name for _, name in departments],
        # the names of its grid and of the office handling it, shown beside their codes
        "places": region_names(session, {c for c in (case.grid_code, case.unit_code) if c}),
        "units": [u.name for u in found],
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
        "due_warnings": due_warnings(session, case, language, desk.state.settings.timezone),
        "events": [(e, local_time(e.at, tz), _note(e, case, language)) for e in events],
        # who did what by the name their account shows, not its username
        "names": accounts.display_names(session, [e.actor for e in events if e.role != "system"]),
        # a case staff filed (a patrol, a visit's opinion) is reported by that person
        "filed_by": next(
            (e for e in events if e.kind == "submitted" and case.channel == Channel.STAFF),
            None,
        ),
        "photos": _photos(session, case),
        "steps": steps,
        "duplicates": duplicates,
        "original": original,
        "max_photos": ACTION_PHOTOS,
        # the place form: a case not yet with a unit, placed by grid name or address
        "placeable": (placeable := placing.may_place(actor, case)),
        "grids": _grids_by_community(session, actor) if placeable else [],
    }
    return no_store(render_form(desk.request, "cases/case.html", context, error))


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(case: ScopedCasePage, desk: StaffDesk) -> HTMLResponse:
    return _case_page(desk, case)


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
        return inline(photo.thumbnail, thumb_type, cache)
    return inline(photo.data, photo.content_type, cache)


def _back(next_path: str, case: Case) -> str:
    """Back to the list the form came from, or the case page; never off-site."""
    if next_path.startswith("/cases") and "//" not in next_path and "\\" not in next_path:
        return next_path
    return f"/cases/{case.id}"


def _original_id(text: str) -> int:
    digits = text.strip().lstrip("#")
    if not digits.isdigit():
        raise InvalidInput(
            N_("Give the number of the case to merge into."),
            details=[Problem("original", N_("Give the number of the case to merge into."))],
        )
    return int(digits)


_KIND_LEVEL = {"department": Level.DEPARTMENT, "street_office": Level.STREET}


def _unit_route(session: Session, case: Case, name: str, actor: Actor) -> Route:
    """Assign to a unit named by the dispatcher: a department of the district, or the
    street or community office of the case's own place."""
    unit = units.find_unit(session, text=name, viewer=actor)
    allowed = {u.id for u in units.units_for_region(session, region_code=case.grid_code or "")}
    place = case.grid_code or case.unit_code or ""
    # An unlocated case may go to any department the dispatcher can see.
    if unit.kind == "department" and (not place or place[:6] == unit.region_code):
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
    elif step == "resolve":
        problems = photo_problems(photos)
        if problems:
            raise InvalidInput("The photos were not taken.", details=problems)
        service.do_resolve(
            session, actor=actor, case=case, note=note, now=now, photos=photos, tz=tz
        )
    elif step == "verify":
        if result not in ("passed", "failed"):
            raise InvalidInput(
                N_("Say whether the result passed the check."),
                details=[Problem("result", N_("Say whether the result passed the check."))],
            )
        service.do_verify(
            session, actor=actor, case=case, passed=result == "passed", note=note, now=now
        )
    elif step in service.PLAIN_STEPS:  # the page's start has a note, the rest a reason
        text = note if step == "start" else reason
        service.take_step(session, actor=actor, case=case, step=step, text=text, now=now, tz=tz)
    else:  # pragma: no cover - the route refuses unknown steps first
        raise NotFound("Not found, or outside your area.")


@dataclass(frozen=True)
class StepForm:
    """The fields of the case page's step forms, each step reading those it needs: what
    ``take_step`` is given (a dependency, for ``act_submit``)."""

    note: Annotated[str, Form(max_length=2000)] = ""
    reason: Annotated[str, Form(max_length=2000)] = ""
    result: Annotated[str, Form(max_length=16)] = ""
    level: Annotated[str, Form(max_length=16)] = ""
    department: Annotated[str, Form(max_length=64)] = ""
    original: Annotated[str, Form(max_length=32)] = ""
    category: Annotated[str, Form(max_length=16)] = ""
    assign: Annotated[str, Form(max_length=8)] = ""  # any value: assign on accepting

    def fields(self) -> dict[str, Any]:
        """``take_step``'s keywords for these fields."""
        return {**asdict(self), "assign": bool(self.assign)}


@router.post("/cases/{case_id}/act/{step}", dependencies=[CsrfChecked])
def act_submit(
    step: str,
    case: ScopedCasePage,
    desk: StaffDesk,
    form: Annotated[StepForm, Depends()],
    next: Annotated[str, Form(max_length=256)] = "",
    photos: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    """One workflow step from the case page's forms; back to the page (303) when done,
    the page again with the refusal in words (and its status) when not."""
    session = desk.session
    if step not in STEP_TARGET:
        raise NotFound("Not found, or outside your area.")
    actor = desk.actor

    def run() -> None:
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
            now=desk.now,
            tz=desk.tz,
            photos=pictures,
            **form.fields(),
        )

    return desk.form(
        run,
        to=_back(next, case),
        on_error=lambda exc: _case_page(desk, case, error=exc),
    )


@router.post("/cases/{case_id}/place", dependencies=[CsrfChecked])
def place_submit(
    case: ScopedCasePage,
    desk: StaffDesk,
    grid: Annotated[str, Form(max_length=32)] = "",
    address: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Place a case on the map by hand (``placing.do_place``); back to its page, where
    accepting assigns it by the routing rules as for a case located at intake."""

    def run() -> None:
        placing.do_place(
            desk.session, actor=desk.actor, case=case, now=desk.now, grid_code=grid, address=address
        )

    return desk.form(
        run,
        to=f"/cases/{case.id}#actions",
        on_error=lambda exc: _case_page(desk, case, error=exc),
    )


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(desk: PageDesk) -> HTMLResponse:
    """The in-app notifications of the user, their unit and their area, newest first."""
    session, user = desk.session, desk.user
    messages = service.inbox(session, actor=desk.actor)
    tz = ZoneInfo(desk.request.app.state.gridgov.settings.timezone)
    seen = user.notifications_seen_at
    ids = {m.case_id for m in messages if m.case_id is not None}
    codes = {
        row[0]: row[1]
        for row in session.execute(select(Case.id, Case.tracking_code).where(Case.id.in_(ids)))
    }
    resident = user.role == Role.RESIDENT.value
    rows = []
    for m in messages:
        # The words, and the path the message ends with as the link (messages of other
        # domains: a notice to publish, an incident); a case's message opens the case.
        text, path = messages_text.split_link(m.body)
        rows.append(
            {
                "when": local_time(m.created_at, tz),
                "subject": m.subject,
                "body": text,
                "case_id": m.case_id,
                # One tap to the case: staff open the case, a resident its tracking page.
                "href": (f"/track/{codes[m.case_id]}" if resident else f"/cases/{m.case_id}")
                if m.case_id in codes
                else (path or ""),
                "unread": seen is None or m.created_at > seen,
            }
        )
    accounts.mark_notifications_seen(desk.state.db, user.id, desk.now)
    return render(desk.request, "cases/notifications.html", {"rows": rows, "unread_count": 0})
