"""What the case pages share: the staff roles and their page dependency, the labels the
pages show, category names and groups, photo uploads and coordinates."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import Depends, Path, Query, UploadFile
from sqlalchemy.orm import Session

from gridgov import images
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases import service
from gridgov.cases.models import Case, Category
from gridgov.errors import InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.web.deps import require_roles
from gridgov.web.render import local_time, sniff
from gridgov.web.toolkit import Desk, desk

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
# The case pages' staff desk: STAFF, not toolkit's (which admits auditors too).
StaffDesk = Annotated[Desk, Depends(desk(StaffPage, name="staff_desk"))]
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
    N_("located"),
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


def case_row(
    case: Case, categories: Mapping[str, Category], language: str, now: datetime, tz: ZoneInfo
) -> dict[str, Any]:
    """A case as a row of a list of cases: its category's name, when it is due, overdue."""
    return {
        "case": case,
        "category": _category_name(categories.get(case.category_code or ""), language),
        "due": local_time(case.resolution_due_at, tz),
        "overdue": service.is_overdue(case, now),
    }


def _categories(session: Session) -> dict[str, service.CategoryInfo]:
    """The active categories by code, in code order, from the routing catalogue this
    process keeps (``routing.catalogue_of``): a page reads names and levels, not 93 ORM
    rows a request."""
    known = service.catalogue_of(session)[0]
    return {code: known[code] for code in sorted(known) if known[code].active}


def category_groups(
    categories: Mapping[str, Category | service.CategoryInfo], language: str
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
