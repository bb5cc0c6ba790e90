"""Intake on every channel: check a report, locate it, store it with its photos, tell
the reporter, and accept and route it at once when nothing needs a dispatcher's eye."""

from __future__ import annotations

import math
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov import images
from gridgov.audit.service import Actor, record_about
from gridgov.cases import classify
from gridgov.cases.assigning import assign
from gridgov.cases.models import (
    Case,
    Photo,
)
from gridgov.cases.notifications import notify_reporter
from gridgov.cases.routing import catalogue_of, category_of
from gridgov.cases.rules import Channel, Level, State
from gridgov.cases.screening import (
    format_suggestions,
    likely_duplicate_ids,
    spam_reasons,
    spam_signals,
    understand,
)
from gridgov.cases.steps import add_event, move
from gridgov.db import attach_row, changed_columns, insert_row, new_row, rows_at_once
from gridgov.errors import InvalidInput, Problem
from gridgov.registry import public as registry_public
from gridgov.registry import service as registry
from gridgov.registry.rules import normalise_phone, phone_problem
from gridgov.territory import service as territory

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp"}


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
        category = catalogue_of(session)[0].get(value.category_code)
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
    # A byte modulo 32 is uniform (256 is a multiple of 32): secrets.choice, ten times.
    return "".join([TRACKING_ALPHABET[byte % 32] for byte in secrets.token_bytes(10)])


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
    case, phone_index = _new_case(session, value, decision, stored_key, now)
    _screen(session, case, value, phone_index, now)
    secret = reporter.issue_secret(case)
    reporter.seal_description(session, case)
    # Filed without a person only when the classifier is sure, in a language it was
    # validated on (classify.decide); everything else waits in the dispatcher's queue.
    if case.suggested_category and decision.auto and not case.category_code:
        case.category_code = case.suggested_category
        suggested = category_of(session, case)
        if suggested is None or not suggested.active or suggested.start_level is None:
            case.category_code = None  # a retired category: leave it to the dispatcher
    stored = _store(session, case, stored_key)
    if isinstance(stored, Case):
        return Intake(stored, created=False)
    # The case is in the database, outside the session: what routing changes below is
    # written by one UPDATE at the end (``attach_row``), not by the commit's flush; its
    # events and messages are buffered as values and inserted a table at a time.
    with rows_at_once(session) as buffer:
        for content_type, data in value.photos:
            add_photo(session, case, None, content_type, data, now)
        add_event(
            session, case, actor, now, "submitted", None, State.SUBMITTED, note=value.channel.value
        )
        summary = {
            "channel": case.channel,
            "category": case.category_code,
            "spam": case.spam_suspected,
        }
        record_about(session, actor, "case.submitted", case, now=now, summary=summary)
        notify_reporter(
            session, case, now, "received", tz, link=f"/track/{case.tracking_code}?k={secret}"
        )
        # Reads of other cases: what this request has pending (its photos) changes
        # nothing they find, so it is flushed once, at commit.
        with session.no_autoflush:
            duplicates = likely_duplicate_ids(session, case, now=now)
        if duplicates:
            add_event(
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
            with session.no_autoflush:
                move(session, case, system, now, State.ACCEPTED, "accepted")
                assign(session, case, system, now, route=None, tz=tz)
        buffer.update(case, changed_columns(case, stored))
        buffer.write(session.connection())
    attach_row(session, case)
    return Intake(case, created=True, duplicates=duplicates, secret=secret)


def _new_case(
    session: Session,
    value: IntakeInput,
    decision: classify.Decision,
    stored_key: str | None,
    now: datetime,
) -> tuple[Case, str | None]:
    """The case row of a checked report, with the classifier's suggestions and the
    reporter's phone sealed; and the phone's index (for the flood check)."""
    suggestion = (
        decision.suggestions[0].code if decision.suggestions and not value.category_code else None
    )
    case = new_row(
        Case,
        tracking_code=_tracking_code(),
        idempotency_key=stored_key,
        channel=value.channel.value,
        state=State.SUBMITTED.value,
        description=value.description,
        category_code=value.category_code or None,
        suggested_category=suggestion,
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
    phone_index = None
    if value.reporter_phone and not value.anonymous:
        sealed = registry.seal_phone(registry.cipher_of(session), value.reporter_phone)
        case.reporter_phone_enc, phone_index = sealed.encrypted, sealed.index
        case.reporter_phone_index, case.reporter_phone_masked = sealed.index, sealed.masked
    return case, phone_index


def _screen(
    session: Session, case: Case, value: IntakeInput, phone_index: str | None, now: datetime
) -> None:
    """Hold the case for review when its text or the reporter's name looks like spam, or
    its source or phone floods."""
    with session.no_autoflush:  # counts earlier cases; the rate hit pending here is not one
        reasons = spam_reasons(
            session, text=value.description, source=value.source, phone_index=phone_index, now=now
        )
    if value.reporter_name.strip():
        reasons += [r for r in spam_signals(value.reporter_name) if r not in reasons]
    case.spam_suspected = bool(reasons)
    case.spam_reasons = ", ".join(reasons)[:160]


def _store(session: Session, case: Case, stored_key: str | None) -> dict[str, Any] | Case:
    """Insert the case (``insert_row``: it stays outside the session) in a savepoint
    (the caller's transaction stays whole), and give the values written; when another
    request with the same idempotency key won the race, its case instead. Without a key
    there is no race to lose (the tracking code's 50 bits do not collide): no savepoint,
    which is two statements fewer (a round trip each on PostgreSQL)."""
    if stored_key is None:
        return insert_row(session, case)
    try:
        with session.begin_nested():
            return insert_row(session, case)
    except IntegrityError:
        first = find_by_idempotency_key(session, stored_key)
        if first is None:
            raise
        return first


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


def add_photo(
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
