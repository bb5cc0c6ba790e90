"""Cases: intake on every channel, understanding, routing, the workflow, deadlines,
the sweep and the outbox. ``check_*`` validates and authorises, ``do_*`` changes state
in the caller's transaction with an event row (the timeline) and an audit row.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov import images
from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.cases import classify, clocks, messages, permissions, rules, spam
from gridgov.cases.calendar import DeadlineUnit, WorkCalendar
from gridgov.cases.models import (
    Assignment,
    Case,
    CaseEvent,
    Category,
    GridMatter,
    Holiday,
    HolidayYear,
    OutboxMessage,
    Photo,
)
from gridgov.cases.rules import Channel, Level, Rating, Route, State
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.registry import public as registry_public
from gridgov.registry import service as registry
from gridgov.registry.rules import normalise_phone, phone_problem
from gridgov.territory import service as territory

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}
DUPLICATE_METRES = 100.0
DUPLICATE_WINDOW = timedelta(hours=48)
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 5
DEFAULT_ROUTE = Route(Level.GRID, None, "district default")
DEFAULT_RESPONSE = (1, DeadlineUnit.WORKING_DAYS)
DEFAULT_RESOLUTION = (7, DeadlineUnit.WORKING_DAYS)
DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
SUPERVISOR_ROLES = frozenset({Role.LEADER, Role.ADMIN})


# ---------------------------------------------------------------- the calendar


_HOLIDAYS_TTL = 30.0
_holidays: dict[str, tuple[float, dict[date, bool], frozenset[int]]] = {}


def calendar_for(session: Session, tz_name: str = "Asia/Shanghai") -> WorkCalendar:
    """The working calendar with the holiday table's overrides and the years marked
    complete, read at most every ``_HOLIDAYS_TTL`` seconds per process (the tables
    change a few times a year)."""
    from zoneinfo import ZoneInfo

    key = str(session.get_bind().engine.url)
    cached = _holidays.get(key)
    if cached is None or time.monotonic() - cached[0] > _HOLIDAYS_TTL:
        overrides = {h.day: h.is_workday for h in session.scalars(select(Holiday))}
        complete = frozenset(
            session.scalars(select(HolidayYear.year).where(HolidayYear.complete.is_(True)))
        )
        cached = (time.monotonic(), overrides, complete)
        _holidays[key] = cached
    return WorkCalendar(overrides=cached[1], complete_years=cached[2], tz=ZoneInfo(tz_name))


def unknown_years(session: Session, case: Case, tz: str = "Asia/Shanghai") -> tuple[int, ...]:
    """The years a case's clocks run through that the holiday calendar does not know (the
    package does not cover them and no administrator marked them complete): its due
    times then count weekends only, and every view of them says so."""
    dues = [d for d in (case.response_due_at, case.resolution_due_at) if d is not None]
    if not dues:
        return ()
    start = case.assigned_at or case.created_at
    return calendar_for(session, tz).unknown_years(start, max(dues))


@dataclass(frozen=True)
class YearStatus:
    """One year of the working calendar: known from the package, marked complete by an
    administrator, or unknown; with the administrator's entries for it."""

    year: int
    status: str  # package, complete, unknown
    holidays: tuple[Holiday, ...]
    marked_by: str = ""


def holiday_years(session: Session, *, today: date) -> list[YearStatus]:
    """Every year worth showing: last year to two years ahead, and any year with entries."""
    from gridgov.cases.calendar import official_years

    entries: dict[int, list[Holiday]] = {}
    for row in session.scalars(select(Holiday).order_by(Holiday.day)):
        entries.setdefault(row.day.year, []).append(row)
    marks = {row.year: row for row in session.scalars(select(HolidayYear))}
    years = set(range(today.year - 1, today.year + 3)) | set(entries) | set(marks)
    result = []
    for year in sorted(years):
        mark = marks.get(year)
        if year in official_years():
            status = "package"
        elif mark is not None and mark.complete:
            status = "complete"
        else:
            status = "unknown"
        result.append(
            YearStatus(year, status, tuple(entries.get(year, ())), mark.marked_by if mark else "")
        )
    return result


def do_mark_holiday_year(
    session: Session, *, actor: Actor, year: int, complete: bool, now: datetime
) -> None:
    """An administrator says a year's holidays are all entered (or takes it back); only
    then do deadlines in that year stop carrying the unknown-year warning."""
    if not 2000 <= year <= 2200:
        raise InvalidInput(
            "The year must be between 2000 and 2200.",
            details=[Problem("year", "The year must be between 2000 and 2200.")],
        )
    _holidays.clear()
    row = session.get(HolidayYear, year)
    if row is None:
        row = HolidayYear(year=year)
        session.add(row)
    elif row.complete == complete:
        return  # nothing changes, nothing to audit
    row.complete, row.marked_by, row.marked_at = complete, actor.username[:64], now
    record(
        session,
        actor=actor,
        action="holiday_year.marked",
        object_type="holiday_year",
        object_id=str(year),
        now=now,
        summary={"complete": complete},
    )


# ---------------------------------------------------------------- concurrency


def lock_case(session: Session, case: Case) -> None:
    """Load the case's row to change it: ``SELECT … FOR UPDATE`` on PostgreSQL (SQLite's
    write transaction already holds the database's lock), then go on only when its
    version is still the one the caller read. Someone who changed it meanwhile (a
    person, or the sweep) wins; the caller gets a 409 and reloads."""
    read = case.version
    if session.is_modified(case):
        session.flush()  # changes made earlier in this transaction (intake, then assign)
        read = case.version
    current = session.scalar(select(Case.version).where(Case.id == case.id).with_for_update())
    if current != read:
        raise Conflict(
            "This case was changed by someone else a moment ago; reload it and try again."
        )


# ---------------------------------------------------------------- intake


@dataclass
class IntakeInput:
    description: str
    channel: Channel
    category_code: str | None = None
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    grid_code: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_user_id: int | None = None
    anonymous: bool = False
    idempotency_key: str | None = None
    source: str = ""
    # Who sent it (``user:17``, ``form:…``, ``chat:…``): idempotency keys are theirs alone.
    principal: str = ""
    photos: Sequence[tuple[str, bytes]] = field(default_factory=tuple)


def intake_problems(session: Session, value: IntakeInput) -> list[Problem]:
    problems: list[Problem] = []
    value.description = value.description.strip()
    if len(value.description) < 4:
        problems.append(Problem("description", "Describe the problem in a few words."))
    elif len(value.description) > 2000:
        problems.append(Problem("description", "At most %(n)s characters.", n=2000))
    if (value.lon is None) != (value.lat is None):
        problems.append(Problem("lat", "Give both longitude and latitude, or neither."))
    elif (
        value.lon is not None
        and value.lat is not None
        and not (-180 <= value.lon <= 180 and -90 <= value.lat <= 90 and math.isfinite(value.lon))
    ):
        problems.append(Problem("lon", "The point is not a longitude/latitude."))
    if value.reporter_phone.strip():
        value.reporter_phone = normalise_phone(value.reporter_phone)
        if problem := phone_problem(value.reporter_phone):
            problems.append(problem)
    if value.category_code:
        category = _catalogue_of(session)[0].get(value.category_code)
        if category is None or not category.active or category.start_level is None:
            problems.append(
                Problem("category", "Unknown category %(value)s.", value=value.category_code)
            )
    problems.extend(photo_problems(value.photos))
    if value.idempotency_key is not None and not 8 <= len(value.idempotency_key) <= 128:
        problems.append(Problem("idempotency_key", "An idempotency key has 8 to 128 characters."))
    return problems


def photo_problems(photos: Sequence[tuple[str, bytes]]) -> list[Problem]:
    problems: list[Problem] = []
    if len(photos) > MAX_PHOTOS:
        problems.append(Problem("photos", "At most %(n)s photos.", n=MAX_PHOTOS))
    for content_type, data in photos:
        if content_type not in PHOTO_TYPES:
            problems.append(Problem("photos", "Photos must be JPEG, PNG or WebP."))
        if len(data) > MAX_PHOTO_BYTES:
            problems.append(Problem("photos", "A photo may be at most 5 MB."))
        elif content_type in PHOTO_TYPES and (why := images.check(data)) is not None:
            problems.append(Problem("photos", why))
    return problems


def kept_photo(content_type: str, data: bytes) -> tuple[str, bytes]:
    """A photo another domain keeps (a visit's): upright, without EXIF, at most
    1600 px, re-encoded (see :mod:`gridgov.images`); refused with a 422 otherwise."""
    if content_type not in PHOTO_TYPES:
        raise InvalidInput(
            "Photos must be JPEG, PNG or WebP.",
            details=[Problem("photos", "Photos must be JPEG, PNG or WebP.")],
        )
    try:
        kept = images.normalise(data)
    except images.PhotoRefused as exc:
        raise InvalidInput(exc.message, details=[Problem("photos", exc.message)]) from exc
    return kept.content_type, kept.data


def _tracking_code() -> str:
    """Ten characters from 32 (50 bits): a collision is as good as impossible, and the
    unique constraint would refuse one rather than mix two cases."""
    return "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(10))


def find_by_idempotency_key(session: Session, key: str | None) -> Case | None:
    if not key:
        return None
    return session.scalar(select(Case).where(Case.idempotency_key == key))


@dataclass(frozen=True)
class Intake:
    case: Case
    created: bool  # False when an idempotent retry found the first case
    duplicates: tuple[int, ...] = ()
    secret: str | None = None  # the reporter's credential, issued once (cases/reporter.py)


def do_intake(
    session: Session,
    *,
    actor: Actor,
    value: IntakeInput,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> Intake:
    """Take a report from any channel: validate, locate, classify, screen, store, then
    accept and route it at once when nothing needs a dispatcher's eye."""
    from gridgov.cases import reporter

    stored_key = (
        reporter.scoped_key(value.principal, value.idempotency_key)
        if value.principal
        else value.idempotency_key
    )
    existing = find_by_idempotency_key(session, stored_key)
    if existing is not None:
        return Intake(existing, created=False)
    problems = intake_problems(session, value)
    if problems:
        raise InvalidInput("The report was not taken.", details=problems)
    _locate(session, value)
    decision = understand(value.description)
    suggestion = (
        (decision.suggestions[0].code, decision.suggestions[0].probability)
        if decision.suggestions and not value.category_code
        else None
    )
    phone_index = None
    case = Case(
        tracking_code=_tracking_code(),
        idempotency_key=stored_key,
        channel=value.channel.value,
        state=State.SUBMITTED.value,
        description=value.description,
        category_code=value.category_code or None,
        suggested_category=suggestion[0] if suggestion else None,
        language=decision.language,
        suggestions=format_suggestions(decision),
        lon=value.lon,
        lat=value.lat,
        address=value.address.strip()[:256],
        grid_code=value.grid_code,
        level=Level.GRID.value,
        reporter_name="" if value.anonymous else value.reporter_name.strip()[:64],
        reporter_user_id=value.reporter_user_id,
        anonymous=value.anonymous,
        source=value.source[:128],
        created_at=now,
        updated_at=now,
    )
    if value.reporter_phone and not value.anonymous:
        sealed = registry.seal_phone(registry.cipher_of(session), value.reporter_phone)
        case.reporter_phone_enc, phone_index = sealed.encrypted, sealed.index
        case.reporter_phone_index, case.reporter_phone_masked = sealed.index, sealed.masked
    reasons = spam_reasons(
        session, text=value.description, source=value.source, phone_index=phone_index, now=now
    )
    if value.reporter_name.strip():
        reasons += [r for r in spam_signals(value.reporter_name) if r not in reasons]
    case.spam_suspected = bool(reasons)
    case.spam_reasons = ", ".join(reasons)[:160]
    secret = reporter.issue_secret(case)
    reporter.seal_description(session, case)
    # Filed without a person only when the classifier is sure, in a language it was
    # validated on (classify.decide); everything else waits in the dispatcher's queue.
    if suggestion and decision.auto and not case.category_code:
        case.category_code = suggestion[0]
        suggested = category_of(session, case)
        if suggested is None or not suggested.active or suggested.start_level is None:
            case.category_code = None  # a retired category: leave it to the dispatcher
    try:
        with session.begin_nested():  # a savepoint: the caller's transaction stays whole
            session.add(case)
            session.flush()
    except IntegrityError:
        # Another request with the same idempotency key won the race: answer with its case.
        first = find_by_idempotency_key(session, stored_key)
        if first is None:
            raise
        return Intake(first, created=False)
    for content_type, data in value.photos:
        _add_photo(session, case, None, content_type, data, now)
    _event(session, case, actor, now, "submitted", None, State.SUBMITTED, note=value.channel.value)
    record(
        session,
        actor=actor,
        action="case.submitted",
        object_type="case",
        object_id=case.id,
        region_code=case.grid_code,
        now=now,
        summary={
            "channel": case.channel,
            "category": case.category_code,
            "spam": case.spam_suspected,
        },
    )
    _notify_reporter(
        session, case, now, "received", tz, link=f"/track/{case.tracking_code}?k={secret}"
    )
    duplicates = likely_duplicate_ids(session, case, now=now)
    if duplicates:
        _event(
            session,
            case,
            actor,
            now,
            "duplicate_suspected",
            None,
            None,
            note=", ".join(f"#{d}" for d in duplicates),
            public=False,
        )
    if not case.spam_suspected and case.category_code and case.grid_code and not duplicates:
        system = Actor.system("router")
        with session.no_autoflush:  # one UPDATE of the case for both steps
            _move(session, case, system, now, State.ACCEPTED, "accepted")
            _assign(session, case, system, now, route=None, tz=tz)
    return Intake(case, created=True, duplicates=duplicates, secret=secret)


def _locate(session: Session, value: IntakeInput) -> None:
    """Fill the grid from the point, or the point and grid from a known building."""
    if value.grid_code:
        return
    if value.lon is not None and value.lat is not None:
        location = territory.get_locator(session).locate(value.lon, value.lat)
        value.grid_code = location.grid.code if location.grid else None
        return
    text = value.address.strip()
    if len(text) >= 4:
        building = registry_public.building_at(session, text)
        if building is not None:
            value.lon, value.lat, value.grid_code = building.lon, building.lat, building.grid_code


def understand(text: str) -> classify.Decision:
    """The report's language, the top three categories, and whether to file it alone."""
    return classify.decide(text)


def format_suggestions(decision: classify.Decision) -> str:
    """``"C0102:0.981 C0503:0.012 C0101:0.004"`` for the case row (at most three)."""
    return " ".join(f"{s.code}:{s.probability:.3f}" for s in decision.suggestions[:3])


def parse_suggestions(value: str) -> list[tuple[str, float]]:
    """The stored suggestions back as ``(code, probability)``; bad parts are skipped."""
    out: list[tuple[str, float]] = []
    for part in value.split():
        code, _, probability = part.partition(":")
        try:
            out.append((code, float(probability)))
        except ValueError:
            continue
    return out


def suggest_category(text: str) -> tuple[str, float] | None:
    suggestions = classify.default().suggest(text, k=1)
    return (suggestions[0].code, suggestions[0].probability) if suggestions else None


def spam_signals(text: str) -> list[str]:
    """Why a text looks like spam or abuse (gridgov.cases.spam): links, contact handles,
    keyword runs, repeated characters or words, abuse, the content model. Every public
    write is screened with it: reports, discussions, proposals, comments, objections."""
    if not text.strip():
        return []
    return spam.default().reasons(text)


def spam_suspected(
    session: Session, *, text: str, source: str, phone_index: str | None, now: datetime
) -> bool:
    """Hold for review: a spammy text, or a flood from one source or phone."""
    return bool(spam_reasons(session, text=text, source=source, phone_index=phone_index, now=now))


def spam_reasons(
    session: Session, *, text: str, source: str, phone_index: str | None, now: datetime
) -> list[str]:
    """Why a report is held: the text's signals, and "flood" from one source or phone."""
    signals = spam_signals(text)
    if _flooding(session, source=source, phone_index=phone_index, now=now):
        signals.append("flood")
    return signals


def _flooding(session: Session, *, source: str, phone_index: str | None, now: datetime) -> bool:
    since = now - FLOOD_WINDOW
    same = []
    if phone_index:
        same.append(Case.reporter_phone_index == phone_index)
    # One account, or one sender in a group chat; not a whole gateway or hotline.
    if source.startswith(("user:", "chat:")) and source.count(":") >= 1:
        same.append(Case.source == source)
    if not same:
        return False
    recent = (
        session.scalar(
            select(func.count()).select_from(Case).where(Case.created_at >= since, or_(*same))
        )
        or 0
    )
    return recent >= FLOOD_LIMIT


def likely_duplicates(session: Session, case: Case, *, now: datetime) -> list[Case]:
    """Open cases of the same category near the same point within the time window."""
    if case.lon is None or case.lat is None or not case.category_code:
        return []
    degrees = DUPLICATE_METRES / 110_574  # of latitude
    # A degree of longitude shrinks with the cosine of the latitude: the box must widen
    # with it (a fixed factor missed neighbours north of about 24.6°).
    lon_degrees = DUPLICATE_METRES / (111_320 * max(math.cos(math.radians(case.lat)), 0.01))
    candidates = session.scalars(
        select(Case)
        .where(
            Case.id != case.id,
            Case.category_code == case.category_code,
            Case.state.in_([s.value for s in rules.OPEN_STATES]),
            Case.created_at >= now - DUPLICATE_WINDOW,
            Case.lat.between(case.lat - degrees * 1.01, case.lat + degrees * 1.01),
            Case.lon.between(case.lon - lon_degrees * 1.01, case.lon + lon_degrees * 1.01),
        )
        .order_by(Case.created_at)
    )
    return [c for c in candidates if _metres(c, case) <= DUPLICATE_METRES]


def likely_duplicate_ids(session: Session, case: Case, *, now: datetime) -> tuple[int, ...]:
    """The ids ``likely_duplicates`` would give, reading three columns instead of whole
    cases: intake asks this for every report."""
    if case.lon is None or case.lat is None or not case.category_code:
        return ()
    degrees = DUPLICATE_METRES / 111_000
    rows = session.execute(
        select(Case.id, Case.lon, Case.lat)
        .where(
            Case.id != case.id,
            Case.category_code == case.category_code,
            Case.state.in_([s.value for s in rules.OPEN_STATES]),
            Case.created_at >= now - DUPLICATE_WINDOW,
            Case.lat.between(case.lat - degrees, case.lat + degrees),
            Case.lon.between(case.lon - degrees * 1.1, case.lon + degrees * 1.1),
        )
        .order_by(Case.created_at)
    )
    return tuple(
        id_ for id_, lon, lat in rows if _distance(lon, lat, case.lon, case.lat) <= DUPLICATE_METRES
    )


def likely_duplicates_of(
    session: Session, cases: Sequence[Case], *, now: datetime
) -> dict[int, list[Case]]:
    """``likely_duplicates`` for a page of cases in one statement (one box per case,
    OR-ed), not one statement per row. Cases without any are left out."""
    located = [c for c in cases if c.lon is not None and c.lat is not None and c.category_code]
    if not located:
        return {}
    degrees = DUPLICATE_METRES / 111_000
    boxes = [
        and_(
            Case.category_code == c.category_code,
            Case.lat.between(c.lat - degrees, c.lat + degrees),  # type: ignore[operator]
            Case.lon.between(c.lon - degrees * 1.1, c.lon + degrees * 1.1),  # type: ignore[operator]
        )
        for c in located
    ]
    candidates = list(
        session.scalars(
            select(Case)
            .where(
                Case.state.in_([s.value for s in rules.OPEN_STATES]),
                Case.created_at >= now - DUPLICATE_WINDOW,
                or_(*boxes),
            )
            .order_by(Case.created_at)
        )
    )
    found: dict[int, list[Case]] = {}
    for case in located:
        lat, lon = case.lat or 0.0, case.lon or 0.0
        near = [
            c
            for c in candidates
            if c.id != case.id
            and c.category_code == case.category_code
            and lat - degrees <= (c.lat or 0.0) <= lat + degrees
            and lon - degrees * 1.1 <= (c.lon or 0.0) <= lon + degrees * 1.1
            and _metres(c, case) <= DUPLICATE_METRES
        ]
        if near:
            found[case.id] = near
    return found


def _metres(a: Case, b: Case) -> float:
    return _distance(a.lon, a.lat, b.lon, b.lat)


def _distance(
    a_lon: float | None, a_lat: float | None, b_lon: float | None, b_lat: float | None
) -> float:
    dx = ((a_lon or 0.0) - (b_lon or 0.0)) * 111_320 * math.cos(math.radians(a_lat or 0.0))
    dy = ((a_lat or 0.0) - (b_lat or 0.0)) * 110_574
    return math.hypot(dx, dy)


def _add_photo(
    session: Session,
    case: Case,
    event_id: int | None,
    content_type: str,
    data: bytes,
    now: datetime,
) -> None:
    import hashlib

    try:
        kept = images.normalise(data)
    except images.PhotoRefused as exc:
        raise InvalidInput(exc.message, details=[Problem("photos", exc.message)]) from exc
    session.add(
        Photo(
            case_id=case.id,
            event_id=event_id,
            content_type=kept.content_type,
            size=len(kept.data),
            sha256=hashlib.sha256(kept.data).hexdigest(),
            data=kept.data,
            thumbnail=kept.thumbnail,
            created_at=now,
        )
    )


# ---------------------------------------------------------------- the workflow


def _event(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    kind: str,
    from_state: State | None,
    to_state: State | None,
    *,
    note: str = "",
    public: bool = True,
) -> CaseEvent:
    event = CaseEvent(
        case_id=case.id,
        at=now,
        actor=actor.username,
        role=actor.role,
        kind=kind,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value if to_state else None,
        note=note[:2000],
        public=public,
    )
    session.add(event)
    return event


def _move(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    target: State,
    kind: str,
    *,
    note: str = "",
    public: bool = True,
) -> CaseEvent:
    current = State(case.state)
    rules.transition(current, target)
    case.state = target.value
    case.updated_at = now
    case.version += 1
    event = _event(session, case, actor, now, kind, current, target, note=note, public=public)
    record(
        session,
        actor=actor,
        action=f"case.{kind}",
        object_type="case",
        object_id=case.id,
        region_code=case.grid_code,
        now=now,
        summary={"from": current.value, "to": target.value, "note": note[:200]},
    )
    return event


_CATALOGUE_TTL = 30.0
# Per process and database: (read at, categories by code, grid matters by grid code).
_catalogue: dict[str, tuple[float, dict[str, CategoryInfo], dict[str, frozenset[str]]]] = {}


@dataclass(frozen=True)
class CategoryInfo:
    """What routing and deadlines need of a category, detached from any session."""

    code: str
    name_zh: str
    name_en: str
    active: bool
    start_level: str | None
    department: str | None
    grid_allowed: bool
    response_amount: int | None
    response_unit: str | None
    resolution_amount: int | None
    resolution_unit: str | None


def _catalogue_of(session: Session) -> tuple[dict[str, CategoryInfo], dict[str, frozenset[str]]]:
    """Categories and grid matters lists, read at most every ``_CATALOGUE_TTL`` seconds
    per process (administrators change them rarely; this instance's own changes clear it)."""
    key = str(session.get_bind().engine.url)
    cached = _catalogue.get(key)
    if cached is None or time.monotonic() - cached[0] > _CATALOGUE_TTL:
        categories = {
            c.code: CategoryInfo(
                code=c.code,
                name_zh=c.name_zh,
                name_en=c.name_en,
                active=c.active,
                start_level=c.start_level,
                department=c.department,
                grid_allowed=c.grid_allowed,
                response_amount=c.response_amount,
                response_unit=c.response_unit,
                resolution_amount=c.resolution_amount,
                resolution_unit=c.resolution_unit,
            )
            for c in session.scalars(select(Category))
        }
        matters: dict[str, set[str]] = {}
        for grid, code in session.execute(select(GridMatter.grid_code, GridMatter.category_code)):
            matters.setdefault(grid, set()).add(code)
        cached = (time.monotonic(), categories, {g: frozenset(c) for g, c in matters.items()})
        _catalogue[key] = cached
    return cached[1], cached[2]


def forget_catalogue() -> None:
    _catalogue.clear()


def category_of(session: Session, case: Case) -> CategoryInfo | None:
    if not case.category_code:
        return None
    return _catalogue_of(session)[0].get(case.category_code)


def grid_matters(session: Session, grid_code: str | None) -> frozenset[str] | None:
    if not grid_code:
        return None
    return _catalogue_of(session)[1].get(grid_code)


def route_case(session: Session, case: Case, override: Route | None = None) -> Route:
    category = category_of(session, case)
    return rules.route(
        override=override,
        category_level=category.start_level if category else None,
        category_department=category.department if category else None,
        grid_allowed=category.grid_allowed if category else True,
        grid_matters=grid_matters(session, case.grid_code),
        category_code=case.category_code,
        district_default=DEFAULT_ROUTE,
    )


def _unit_code(case: Case, level: Level) -> str:
    grid = case.grid_code or ""
    return {
        Level.GRID: grid,
        Level.COMMUNITY: grid[:12],
        Level.STREET: grid[:9],
        Level.DEPARTMENT: grid[:6],
    }[level]


def _department_id(session: Session, name: str | None, district: str) -> int | None:
    if not name:
        return None
    return registry_public.department_named(session, name=name, district=district)


def _deadlines(
    session: Session, case: Case
) -> tuple[tuple[int, DeadlineUnit], tuple[int, DeadlineUnit]]:
    category = category_of(session, case)
    if (
        category is None
        or category.response_amount is None
        or category.resolution_amount is None
        or category.response_unit is None
        or category.resolution_unit is None
    ):
        return DEFAULT_RESPONSE, DEFAULT_RESOLUTION
    return (
        (category.response_amount, DeadlineUnit(category.response_unit)),
        (category.resolution_amount, DeadlineUnit(category.resolution_unit)),
    )


def do_assign(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    now: datetime,
    route: Route | None = None,
    tz: str = "Asia/Shanghai",
    co_handlers: Sequence[Route] = (),
) -> Assignment:
    """Route (most specific wins) and assign; the response and resolution clocks start."""
    permissions.check_step(session, actor=actor, case=case, step="assign")
    lock_case(session, case)
    return _assign(session, case, actor, now, route=route, tz=tz, co_handlers=co_handlers)


def _assign(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    *,
    route: Route | None,
    tz: str,
    co_handlers: Sequence[Route] = (),
) -> Assignment:
    chosen = route or route_case(session, case)
    if case.grid_code is None and chosen.level is not Level.DEPARTMENT:
        raise InvalidInput("Locate the case to a grid before assigning it.")
    target = State.ASSIGNED
    _move(
        session,
        case,
        actor,
        now,
        target,
        "assigned",
        note=" ".join(filter(None, (chosen.level.value, chosen.department, f"({chosen.source})"))),
    )
    return _new_assignment(session, case, actor, chosen, now, tz, co_handlers=co_handlers)


def _new_assignment(
    session: Session,
    case: Case,
    actor: Actor,
    chosen: Route,
    now: datetime,
    tz: str,
    *,
    co_handlers: Sequence[Route] = (),
) -> Assignment:
    calendar = calendar_for(session, tz)
    (response_amount, response_unit), (resolution_amount, resolution_unit) = _deadlines(
        session, case
    )
    response = calendar.due(now, response_amount, response_unit)
    if case.assigned_at is not None:  # a first assignment has nothing to retire
        _end_assignments(session, case, now)
    lead: Assignment | None = None
    for is_lead, route in [(True, chosen), *((False, r) for r in co_handlers)]:
        unit = _unit_code(case, route.level)
        department = (
            _department_id(session, route.department, unit[:6])
            if route.level is Level.DEPARTMENT
            else None
        )
        assignment = Assignment(
            case_id=case.id,
            level=route.level.value,
            unit_code=unit,
            department_id=department,
            lead=is_lead,
            active=True,
            assigned_at=now,
            response_due_at=response.at,
        )
        session.add(assignment)
        lead = lead or assignment
        _notify_unit(session, case, assignment, now, tz)
        _flag_unstaffed(session, case, assignment, now)
    assert lead is not None  # noqa: S101 - the lead is always first
    case.level = chosen.level.value
    case.unit_code = lead.unit_code
    case.department_id = lead.department_id
    case.assigned_at = case.assigned_at or now
    case.acknowledged_at = None
    case.response_due_at = response.at
    if case.resolution_due_at is None:
        resolution = calendar.due(now, resolution_amount, resolution_unit)
        case.resolution_due_at = resolution.at
        case.due_warning = " ".join(response.warnings + resolution.warnings)[:256]
    return lead


def _end_assignments(session: Session, case: Case, now: datetime) -> None:
    """Retire the case's active assignments; each one's response clock stops now (a unit
    that was already late stays late in its own figures)."""
    session.execute(
        update(Assignment)
        .where(Assignment.case_id == case.id, Assignment.active.is_(True))
        .values(active=False, ended_at=now)
        .execution_options(synchronize_session="fetch")
    )


def _resolution_unit(session: Session, case: Case) -> DeadlineUnit:
    return _deadlines(session, case)[1][1]


def _resume_clock(session: Session, case: Case, now: datetime, tz: str) -> None:
    """Work starts again: the resolution due time moves on by the time its clock stood
    still (``clocks.extend_due``)."""
    if case.paused_at is not None and case.resolution_due_at is not None:
        case.resolution_due_at = clocks.extend_due(
            case.resolution_due_at,
            paused_at=case.paused_at,
            resumed_at=now,
            unit=_resolution_unit(session, case),
            calendar=calendar_for(session, tz),
        )
    case.paused_at = None
    case.verification_due_at = None
    case.overdue_at = None


def do_accept(
    session: Session, *, actor: Actor, case: Case, now: datetime, category_code: str | None = None
) -> None:
    permissions.check_step(session, actor=actor, case=case, step="accept")
    lock_case(session, case)
    if category_code:
        problems = intake_problems(
            session, IntakeInput("xxxx", Channel.STAFF, category_code=category_code)
        )
        if problems:
            raise InvalidInput("The case was not accepted.", details=problems)
        case.category_code = category_code
    case.spam_suspected = False
    _move(session, case, actor, now, State.ACCEPTED, "accepted")


def do_reject(session: Session, *, actor: Actor, case: Case, reason: str, now: datetime) -> None:
    permissions.check_step(session, actor=actor, case=case, step="reject")
    _require(reason, "reason")
    lock_case(session, case)
    _move(session, case, actor, now, State.REJECTED, "rejected", note=reason)
    _notify_reporter(session, case, now, "rejected")


def do_merge(
    session: Session, *, actor: Actor, duplicate: Case, original: Case, now: datetime
) -> None:
    """A duplicate closes as rejected pointing to its original; both reporters stay informed."""
    permissions.check_step(session, actor=actor, case=duplicate, step="merge")
    if duplicate.id == original.id or original.duplicate_of_id is not None:
        raise Conflict("A case cannot be merged into itself or into a merged case.")
    lock_case(session, duplicate)
    duplicate.duplicate_of_id = original.id
    if State(duplicate.state) is State.SUBMITTED:
        _move(session, duplicate, actor, now, State.ACCEPTED, "accepted", public=False)
    _move(
        session,
        duplicate,
        actor,
        now,
        State.REJECTED,
        "merged",
        note=f"#{original.id} {original.tracking_code}",
    )
    _event(session, original, actor, now, "duplicate_merged", None, None, note=f"#{duplicate.id}")
    _notify_reporter(session, duplicate, now, "merged")


def do_acknowledge(session: Session, *, actor: Actor, case: Case, now: datetime) -> None:
    """The unit reports in (报到). A co-handler reports in without moving the case."""
    permissions.check_step(session, actor=actor, case=case, step="acknowledge")
    assignment = check_handler(session, actor, case)
    lock_case(session, case)
    assignment.acknowledged_at = assignment.acknowledged_at or now
    if assignment.lead:
        case.acknowledged_at = now
        _move(session, case, actor, now, State.ACKNOWLEDGED, "acknowledged")
    else:
        case.version += 1
        case.updated_at = now
        _event(session, case, actor, now, "co_acknowledged", None, None, note=assignment.unit_code)
        record(
            session,
            actor=actor,
            action="case.co_acknowledged",
            object_type="case",
            object_id=case.id,
            region_code=case.grid_code,
            now=now,
            summary={"assignment": assignment.id, "unit": assignment.unit_code},
        )


def do_start(session: Session, *, actor: Actor, case: Case, now: datetime, note: str = "") -> None:
    permissions.check_step(session, actor=actor, case=case, step="start")
    lock_case(session, case)
    _move(session, case, actor, now, State.IN_PROGRESS, "started", note=note)


def do_resolve(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    note: str,
    now: datetime,
    photos: Sequence[tuple[str, bytes]] = (),
    tz: str = "Asia/Shanghai",
) -> None:
    """The handler's result: the resolution clock stops here, the verification clock
    (the check on the spot) starts. On a case not yet reported in or started, resolving
    reports in and starts it first (the timeline shows each step): one step for a worker
    on the spot."""
    permissions.check_step(session, actor=actor, case=case, step="resolve")
    _require(note, "note")
    problems = photo_problems(photos)
    if problems:
        raise InvalidInput("The result was not recorded.", details=problems)
    lock_case(session, case)
    if State(case.state) in (State.ASSIGNED, State.ESCALATED):
        assignment = check_handler(session, actor, case)
        assignment.acknowledged_at = assignment.acknowledged_at or now
        case.acknowledged_at = now
        _move(session, case, actor, now, State.ACKNOWLEDGED, "acknowledged")
    if State(case.state) is State.ACKNOWLEDGED:
        _move(session, case, actor, now, State.IN_PROGRESS, "started")
    event = _move(session, case, actor, now, State.RESOLVED, "resolved", note=note)
    case.paused_at = now
    amount, unit = clocks.VERIFICATION
    case.verification_due_at = calendar_for(session, tz).due(now, amount, unit).at
    if photos:
        session.flush()  # the event's id, for the photos
    for content_type, data in photos:
        _add_photo(session, case, event.id, content_type, data, now)
    case.resolved_at = now
    _notify_reporter(session, case, now, "resolved")


def do_verify(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    passed: bool,
    note: str,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> None:
    """The grid worker (or the reporter) checks the result on the spot: passed closes the
    case; failed sends it back to work (返工), and the resolution clock runs again from
    where it stopped. Nobody checks a result they recorded."""
    permissions.check_step(session, actor=actor, case=case, step="verify")
    if not passed:
        _require(note, "note")
    lock_case(session, case)
    if passed:
        _move(session, case, actor, now, State.VERIFIED, "verified", note=note)
        _move(session, case, actor, now, State.CLOSED, "closed")
        case.closed_at = now
        _notify_reporter(session, case, now, "closed")
    else:
        case.reworks += 1
        _move(session, case, actor, now, State.IN_PROGRESS, "rework", note=note)
        _resume_clock(session, case, now, tz)


def do_escalate(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    reason: str,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> Assignment:
    """Up one rung of the ladder (吹哨), by hand with a reason."""
    permissions.check_step(session, actor=actor, case=case, step="escalate")
    _require(reason, "reason")
    lock_case(session, case)
    return escalate_one(session, case, actor, now, reason, tz)


def escalate_one(
    session: Session, case: Case, actor: Actor, now: datetime, reason: str, tz: str
) -> Assignment:
    current = Level(case.level)
    upper = rules.next_level(current)
    if upper is None:
        raise Conflict("The case is already with a department; it cannot go higher.")
    category = category_of(session, case)
    department = category.department if category and upper is Level.DEPARTMENT else None
    case.escalations += 1
    _move(
        session,
        case,
        actor,
        now,
        State.ESCALATED,
        "escalated",
        note=f"{current.value} → {upper.value}: {reason}",
    )
    return _new_assignment(session, case, actor, Route(upper, department, "escalation"), now, tz)


def do_return(session: Session, *, actor: Actor, case: Case, reason: str, now: datetime) -> None:
    """The unit hands a mis-routed case back to the dispatcher (退单)."""
    permissions.check_step(session, actor=actor, case=case, step="return")
    _require(reason, "reason")
    lock_case(session, case)
    _end_assignments(session, case, now)
    _move(session, case, actor, now, State.RETURNED, "returned", note=reason)


def do_request_suspension(
    session: Session, *, actor: Actor, case: Case, reason: str, now: datetime
) -> None:
    permissions.check_step(session, actor=actor, case=case, step="request-suspension")
    _require(reason, "reason")
    lock_case(session, case)
    if State(case.state) is not State.IN_PROGRESS:
        raise Conflict("Only a case in progress can be suspended.")
    case.suspension_requested = True
    case.version += 1
    case.updated_at = now
    _event(session, case, actor, now, "suspension_requested", None, None, note=reason)
    record(
        session,
        actor=actor,
        action="case.suspension_requested",
        object_type="case",
        object_id=case.id,
        region_code=case.grid_code,
        now=now,
        summary={"reason": reason[:200]},
    )


def do_approve_suspension(session: Session, *, actor: Actor, case: Case, now: datetime) -> None:
    """挂账 needs a supervisor: a leader or an administrator within scope."""
    permissions.check_step(session, actor=actor, case=case, step="approve-suspension")
    lock_case(session, case)
    case.suspension_requested = False
    _move(session, case, actor, now, State.SUSPENDED, "suspended")
    case.paused_at = now  # the resolution clock stands still (挂账)


def do_resume(
    session: Session, *, actor: Actor, case: Case, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    """Work on a suspended case starts again: its resolution due time moves on by the
    working time it was suspended."""
    permissions.check_step(session, actor=actor, case=case, step="resume")
    lock_case(session, case)
    _move(session, case, actor, now, State.IN_PROGRESS, "resumed")
    _resume_clock(session, case, now, tz)


def do_rate(session: Session, *, case: Case, rating: Rating, now: datetime, note: str = "") -> None:
    """The reporter's verdict (满意 / 基本满意 / 不满意), once, after the close."""
    if State(case.state) is not State.CLOSED:
        raise Conflict("A case is rated once it is closed.")
    if case.rating is not None:
        raise Conflict("This case has been rated already.")
    lock_case(session, case)
    case.version += 1
    case.rating = rating.value
    case.rated_at = now
    reporter = Actor(username="reporter", role="reporter")
    _event(
        session,
        case,
        reporter,
        now,
        "rated",
        None,
        None,
        note=rating.value + (f": {note}" if note else ""),
    )
    record(
        session,
        actor=reporter,
        action="case.rated",
        object_type="case",
        object_id=case.id,
        region_code=case.grid_code,
        now=now,
        summary={"rating": rating.value},
    )


def do_contest(
    session: Session, *, case: Case, reason: str, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    """The reporter disputes a close, once: the case goes back to work, and the
    resolution clock runs again from where it stopped."""
    if State(case.state) is not State.CLOSED:
        raise Conflict("Only a closed case can be contested.")
    if case.contested:
        raise Conflict("A close can be contested once.")
    _require(reason, "reason")
    lock_case(session, case)
    case.contested = True
    case.closed_at = None
    case.reworks += 1
    _move(
        session,
        case,
        Actor(username="reporter", role="reporter"),
        now,
        State.IN_PROGRESS,
        "contested",
        note=reason,
    )
    _resume_clock(session, case, now, tz)


REQUIRED = {
    "reason": "A reason is required.",
    "note": "A note on what was done is required.",
}


def _require(text: str, name: str) -> None:
    if not text.strip():
        message = REQUIRED[name]
        raise InvalidInput(message, details=[Problem(name, message)])


# ---------------------------------------------------------------- who may act


DISTRICT_CODE_LENGTH = 6


def _in_scope(actor: Actor, case: Case) -> bool:
    """A case belongs where it was located or is handled; one not located anywhere yet
    belongs to the whole district (its dispatchers place it)."""
    if actor.role == "system":
        return True
    code = case.grid_code or case.unit_code
    if code is None:
        return bool(actor.scope) and len(actor.scope or "") == DISTRICT_CODE_LENGTH
    return may_access(actor.scope, code)


def may_see(actor: Actor, case: Case) -> bool:
    return _in_scope(actor, case)


def check_dispatch(actor: Actor, case: Case) -> None:
    if actor.role != "system" and (actor.role not in DISPATCH_ROLES or not _in_scope(actor, case)):
        raise Forbidden("Only a dispatcher may do this.")


def check_handler(session: Session, actor: Actor, case: Case) -> Assignment:
    """The active assignment the actor works for: grid workers for their grid, unit staff
    for their unit (department by membership, offices by scope), dispatchers for any."""
    assignments = list(
        session.scalars(
            select(Assignment)
            .where(Assignment.case_id == case.id, Assignment.active.is_(True))
            .order_by(Assignment.lead.desc(), Assignment.id)
        )
    )
    if not assignments:
        raise Conflict("The case is not assigned to anyone.")
    if actor.role == "system" or (actor.role in DISPATCH_ROLES and _in_scope(actor, case)):
        return assignments[0]
    for assignment in assignments:
        if _works_for(actor, assignment):
            return assignment
    raise Forbidden("This case is not assigned to your unit.")


def _works_for(actor: Actor, assignment: Assignment) -> bool:
    if assignment.level == Level.GRID.value:
        return actor.role == Role.GRID_WORKER and may_access(actor.scope, assignment.unit_code)
    if assignment.department_id is not None:
        return actor.role == Role.UNIT_STAFF and actor.organisation_id == assignment.department_id
    return (
        actor.role in (Role.UNIT_STAFF, Role.BRANCH_SECRETARY)
        and actor.scope == assignment.unit_code
    )


# ---------------------------------------------------------------- reading


def get_case(session: Session, *, case_id: int, viewer: Actor) -> Case:
    case = session.get(Case, case_id)
    if case is None or not may_see(viewer, case):
        raise NotFound("Not found, or outside your area.")
    return case


def get_by_tracking_code(session: Session, code: str) -> Case:
    case = session.scalar(select(Case).where(Case.tracking_code == code.strip().upper()))
    if case is None:
        raise NotFound("No case has this tracking code.")
    return case


def timeline(session: Session, case: Case, *, public_only: bool = False) -> list[CaseEvent]:
    query = (
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.at, CaseEvent.id)
    )
    if public_only:
        query = query.where(CaseEvent.public.is_(True))
    return list(session.scalars(query))


def list_cases(
    session: Session,
    *,
    viewer: Actor,
    state: str | None = None,
    overdue: bool = False,
    region_code: str | None = None,
    unit: bool = False,
    now: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Case]:
    query = select(Case).order_by(Case.resolution_due_at.is_(None), Case.resolution_due_at, Case.id)
    if viewer.role != "system":
        visible = [
            scope_clause(viewer.scope, Case.grid_code),
            scope_clause(viewer.scope, Case.unit_code),
        ]
        if viewer.scope and len(viewer.scope) == DISTRICT_CODE_LENGTH:
            # Not located anywhere yet: the district's dispatchers place it.
            visible.append(Case.grid_code.is_(None) & Case.unit_code.is_(None))
        query = query.where(or_(*visible))
    if unit and viewer.organisation_id is not None:
        query = query.where(Case.department_id == viewer.organisation_id)
    if state:
        query = query.where(Case.state == state)
    if overdue and now is not None:
        query = query.where(overdue_clause(now))
    if region_code:
        query = query.where(scope_clause(region_code, Case.grid_code))
    return list(session.scalars(query.limit(limit).offset(offset)))


def overdue_clause(now: datetime):  # type: ignore[no-untyped-def]
    """ "Overdue" defined once (``clocks.is_overdue``), in SQL: the resolution clock runs
    (``clocks.RUNNING``) and its due time is in the past."""
    return Case.state.in_([s.value for s in clocks.RUNNING]) & (Case.resolution_due_at < now)


def is_overdue(case: Case, now: datetime) -> bool:
    """The same definition in Python."""
    return clocks.is_overdue(State(case.state), case.resolution_due_at, now)


# ---------------------------------------------------------------- notifications


def _outbox(
    session: Session,
    *,
    now: datetime,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    case: Case | None,
    dedupe_key: str,
) -> None:
    session.add(
        OutboxMessage(
            created_at=now,
            available_at=now,
            channel=channel,
            recipient=recipient[:128],
            subject=subject[:256],
            body=body,
            case_id=case.id if case else None,
            dedupe_key=dedupe_key[:128],
        )
    )


def _language_of(session: Session, user_id: int | None) -> str | None:
    from gridgov.accounts.models import User

    if user_id is None:
        return None
    return session.scalar(select(User.language).where(User.id == user_id))


def _case_params(session: Session, case: Case, language: str | None) -> dict[str, object]:
    category = category_of(session, case)
    return {
        "code": case.tracking_code,
        "category": messages.category_label(category.name_zh, category.name_en, language)
        if category
        else "—",
        "place": case.address or case.grid_code or "—",
    }


def _notify_reporter(
    session: Session,
    case: Case,
    now: datetime,
    what: str,
    tz: str = "Asia/Shanghai",
    *,
    link: str = "",
) -> None:
    """Tell the reporter, in their language, with a link to the tracking page (carrying
    the reporter's secret when the caller has it: the SMS after a report)."""
    recipients = []
    if case.reporter_user_id is not None:
        recipients.append(
            ("in_app", f"user:{case.reporter_user_id}", f"reporter:{case.id}:{what}:{case.version}")
        )
    if case.reporter_phone_index is not None:
        recipients.append(
            (
                "sms",
                f"phone-index:{case.reporter_phone_index}",
                f"sms:{case.id}:{what}:{case.version}",
            )
        )
    if not recipients:
        return
    language = _language_of(session, case.reporter_user_id)
    params = {
        **_case_params(session, case, language),
        "when": messages.local(now, tz),
        "link": link or f"/track/{case.tracking_code}",
    }
    subject, body = messages.compose(what, language=language, params=params)
    for channel, recipient, key in recipients:
        _outbox(
            session,
            now=now,
            channel=channel,
            recipient=recipient,
            subject=subject,
            body=body,
            case=case,
            dedupe_key=key,
        )


def _notify_unit(
    session: Session, case: Case, assignment: Assignment, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    channel = "chat" if assignment.level == Level.GRID.value else "in_app"
    recipient = (
        f"department:{assignment.department_id}"
        if assignment.department_id
        else f"unit:{assignment.unit_code}"
    )
    params = {
        **_case_params(session, case, None),
        "due": messages.local(assignment.response_due_at, tz),
        "link": f"/cases/{case.id}",
    }
    subject, body = messages.compose("assigned", language=None, params=params)
    _outbox(
        session,
        now=now,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        case=case,
        dedupe_key=f"assigned:{case.id}:{case.version}:{assignment.unit_code}",
    )


def _flag_unstaffed(session: Session, case: Case, assignment: Assignment, now: datetime) -> None:
    """A case routed to a department or office with nobody to work it (no active account,
    or a department the register does not know) reaches the district's dispatchers at
    once, rather than at its deadline."""
    from gridgov.accounts import units

    if assignment.level == Level.GRID.value:
        return
    missing = assignment.level == Level.DEPARTMENT.value and assignment.department_id is None
    if not missing and units.has_active_staff(
        session, organisation_id=assignment.department_id, region_code=assignment.unit_code
    ):
        return
    session.flush()  # the assignment's id, for the message's key
    unit_name = (
        registry_public.organisation_name(session, assignment.department_id)
        if assignment.department_id
        else None
    )
    subject, body = messages.compose(
        "unstaffed",
        language=None,
        params={
            **_case_params(session, case, None),
            "unit": unit_name or assignment.unit_code,
            "link": f"/cases/{case.id}",
        },
    )
    _event(
        session,
        case,
        Actor.system("router"),
        now,
        "unstaffed",
        None,
        None,
        note=assignment.unit_code,
        public=False,
    )
    _outbox(
        session,
        now=now,
        channel="in_app",
        recipient=f"dispatchers:{(case.grid_code or assignment.unit_code)[:DISTRICT_CODE_LENGTH]}",
        subject=subject,
        body=body,
        case=case,
        dedupe_key=f"unstaffed:{case.id}:{assignment.id}",
    )


# ---------------------------------------------------------------- the catalogue as rows

CATEGORY_FIELDS = (
    "parent_code",
    "name_zh",
    "name_en",
    "start_level",
    "department",
    "response_amount",
    "response_unit",
    "resolution_amount",
    "resolution_unit",
    "reporter_confirms",
    "grid_allowed",
    "urgency",
)


def category_rows(document: dict[str, object]) -> list[dict[str, object]]:
    """Rows for the category table from a catalogue document (categories.json shape)."""
    rows: list[dict[str, object]] = []
    entries = document.get("categories")
    if not isinstance(entries, list):
        raise InvalidInput("A catalogue has a list of categories.")
    for entry in entries:
        response = entry.get("response") or {}
        resolution = entry.get("resolution") or {}
        rows.append(
            {
                "code": entry["code"],
                "parent_code": entry.get("parent"),
                "name_zh": entry["name_zh"],
                "name_en": entry["name_en"],
                "start_level": entry.get("start_level"),
                "department": entry.get("department"),
                "response_amount": response.get("amount"),
                "response_unit": response.get("unit"),
                "resolution_amount": resolution.get("amount"),
                "resolution_unit": resolution.get("unit"),
                "reporter_confirms": bool(entry.get("reporter_confirms", False)),
                "grid_allowed": bool(entry.get("grid_allowed", True)),
                "urgency": entry.get("urgency"),
            }
        )
    return rows


def do_load_categories(
    session: Session,
    *,
    actor: Actor,
    rows: Sequence[dict[str, object]],
    now: datetime,
    source: str = "default",
) -> tuple[int, int]:
    """Insert new categories and update existing ones by code; returns (created, updated).
    Categories missing from the file stay, inactive, so old cases keep their category."""
    forget_catalogue()
    existing = {c.code: c for c in session.scalars(select(Category))}
    created = updated = 0
    for row in rows:
        code = str(row["code"])
        category = existing.get(code)
        if category is None:
            session.add(Category(code=code, active=True, **{k: row[k] for k in CATEGORY_FIELDS}))
            created += 1
        else:
            for key in CATEGORY_FIELDS:
                setattr(category, key, row[key])
            category.active = True
            updated += 1
    codes = {str(row["code"]) for row in rows}
    for code, category in existing.items():
        if code not in codes:
            category.active = False
    record(
        session,
        actor=actor,
        action="categories.loaded",
        object_type="category",
        now=now,
        summary={"created": created, "updated": updated, "source": source[-120:]},
    )
    return created, updated


def default_category_document() -> dict[str, object]:
    import json
    from importlib import resources

    text = resources.files("gridgov.cases").joinpath("data/categories.json").read_text("utf-8")
    document: dict[str, object] = json.loads(text)
    return document


def catalogue_problems(document: dict[str, object]) -> list[Problem]:
    """Every problem of a catalogue document (``catalogue.parse``), naming the entry."""
    from gridgov.cases import catalogue

    _parsed, problems = catalogue.parse(document)
    return problems


def do_set_holiday(
    session: Session, *, actor: Actor, day: date, is_workday: bool, note: str, now: datetime
) -> None:
    _holidays.clear()  # this instance sees the change at once
    row = session.get(Holiday, day)
    if row is None:
        session.add(Holiday(day=day, is_workday=is_workday, note=note[:128]))
    else:
        row.is_workday, row.note = is_workday, note[:128]
    record(
        session,
        actor=actor,
        action="holiday.set",
        object_type="holiday",
        object_id=day.isoformat(),
        now=now,
        summary={"workday": is_workday, "note": note[:64]},
    )


def list_categories(session: Session, *, leaves_only: bool = True) -> list[Category]:
    query = select(Category).where(Category.active.is_(True)).order_by(Category.code)
    if leaves_only:
        query = query.where(Category.start_level.is_not(None))
    return list(session.scalars(query))


# ---------------------------------------------------------------- in-app notifications


def recipients_of(actor: Actor) -> list[str]:
    """The outbox recipients an in-app user reads: their own, their unit's, their area's."""
    names = []
    if actor.user_id is not None:
        names.append(f"user:{actor.user_id}")
    if actor.organisation_id is not None:
        names.append(f"department:{actor.organisation_id}")
    if actor.scope and actor.role != Role.RESIDENT:
        names.append(f"unit:{actor.scope}")
    if actor.scope and actor.role in DISPATCH_ROLES:
        names.append(f"dispatchers:{actor.scope[:DISTRICT_CODE_LENGTH]}")
    return names


def inbox(session: Session, *, actor: Actor, limit: int = 100) -> list[OutboxMessage]:
    """The user's in-app notifications, newest first."""
    names = recipients_of(actor)
    if not names:
        return []
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "in_app", OutboxMessage.recipient.in_(names))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- grid matters lists


def do_set_grid_matters(
    session: Session, *, actor: Actor, grid_code: str, category_codes: Sequence[str], now: datetime
) -> None:
    """Replace a grid's matters list (事项清单); an empty list removes it, and the grid
    then follows the catalogue."""
    known = _catalogue_of(session)[0]
    unknown = [c for c in category_codes if c not in known or known[c].start_level is None]
    if unknown:
        problems = [Problem("category", "Unknown category %(value)s.", value=c) for c in unknown]
        raise InvalidInput("The matters list was not changed.", details=problems)
    if territory.find_region(session, code=grid_code) is None:
        raise NotFound("No such region.")
    session.execute(delete(GridMatter).where(GridMatter.grid_code == grid_code))
    session.add_all(
        GridMatter(grid_code=grid_code, category_code=c) for c in sorted(set(category_codes))
    )
    forget_catalogue()
    record(
        session,
        actor=actor,
        action="grid_matters.set",
        object_type="region",
        object_id=grid_code,
        region_code=grid_code,
        now=now,
        summary={"categories": sorted(set(category_codes))},
    )


def category_document(session: Session) -> dict[str, object]:
    """The catalogue as it stands, in the shape ``categories.json`` has: export it, edit
    it, load it back with ``gridgov cases categories FILE``."""
    entries: list[dict[str, object]] = []
    for c in session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.code)
    ):
        entry: dict[str, object] = {
            "code": c.code,
            "parent": c.parent_code,
            "name_zh": c.name_zh,
            "name_en": c.name_en,
        }
        if c.start_level is not None:
            entry.update(
                {
                    "start_level": c.start_level,
                    "department": c.department,
                    "response": {"amount": c.response_amount, "unit": c.response_unit},
                    "resolution": {"amount": c.resolution_amount, "unit": c.resolution_unit},
                    "reporter_confirms": c.reporter_confirms,
                    "grid_allowed": c.grid_allowed,
                    "urgency": c.urgency,
                }
            )
        entries.append(entry)
    return {"version": 1, "categories": entries}
