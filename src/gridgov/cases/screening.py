"""Understanding a report: its language and likely categories (the classifier), spam
and floods (held for review), and likely duplicates near the same point."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, func, literal_column, or_, select
from sqlalchemy.orm import Session, aliased

from gridgov.cases import classify, rules, spam
from gridgov.cases.models import (
    Case,
)
from gridgov.db import run_statement

DUPLICATE_METRES = 100.0
DUPLICATE_WINDOW = timedelta(hours=48)
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 5


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


def _flood_count(*same: Any) -> Any:
    """How many recent cases share the phone or the source (or either), counted up to the
    limit only: a source that floods does not make every further report count all of its
    earlier ones. Built once per shape (phone, source, both): intake asks for every report."""
    first = (
        select(Case.id)
        .where(Case.created_at >= bindparam("since"), or_(*same))
        .limit(FLOOD_LIMIT)
        .subquery()
    )
    return select(func.count()).select_from(first)


_SAME_PHONE = Case.reporter_phone_index == bindparam("phone_index")
_SAME_SOURCE = Case.source == bindparam("source")
_FLOOD_COUNTS = {
    (True, False): _flood_count(_SAME_PHONE),
    (False, True): _flood_count(_SAME_SOURCE),
    (True, True): _flood_count(_SAME_PHONE, _SAME_SOURCE),
}


def _flooding(session: Session, *, source: str, phone_index: str | None, now: datetime) -> bool:
    # One account, or one sender in a group chat; not a whole gateway or hotline.
    by_source = source.startswith(("user:", "chat:")) and source.count(":") >= 1
    if not phone_index and not by_source:
        return False
    ((recent,),) = run_statement(
        session.connection(),
        _FLOOD_COUNTS[bool(phone_index), by_source],
        {"since": now - FLOOD_WINDOW, "phone_index": phone_index, "source": source},
    )
    return (recent or 0) >= FLOOD_LIMIT


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


# Open cases of a category in a box of time and space, oldest first: one statement for
# every report, built once. The open states are written into it (constants): a list
# parameter is expanded anew at every execution.
_NEAR_IDS = (
    select(Case.id, Case.lon, Case.lat)
    .where(
        Case.id != bindparam("case_id"),
        Case.category_code == bindparam("category_code"),
        Case.state.in_([literal_column(f"'{s.value}'") for s in sorted(rules.OPEN_STATES)]),
        Case.created_at >= bindparam("since"),
        Case.lat.between(bindparam("lat_from"), bindparam("lat_to")),
        Case.lon.between(bindparam("lon_from"), bindparam("lon_to")),
    )
    .order_by(Case.created_at)
)


def likely_duplicate_ids(session: Session, case: Case, *, now: datetime) -> tuple[int, ...]:
    """The ids ``likely_duplicates`` would give, reading three columns instead of whole
    cases: intake asks this for every report. Read on the session's connection: nothing
    the request has pending is flushed for it (it changes nothing this finds)."""
    if case.lon is None or case.lat is None or not case.category_code:
        return ()
    degrees = DUPLICATE_METRES / 111_000
    rows = run_statement(
        session.connection(),
        _NEAR_IDS,
        {
            "case_id": case.id,
            "category_code": case.category_code,
            "since": now - DUPLICATE_WINDOW,
            "lat_from": case.lat - degrees,
            "lat_to": case.lat + degrees,
            "lon_from": case.lon - degrees * 1.1,
            "lon_to": case.lon + degrees * 1.1,
        },
    )
    return tuple(
        id_ for id_, lon, lat in rows if _distance(lon, lat, case.lon, case.lat) <= DUPLICATE_METRES
    )


@dataclass(frozen=True)
class NearCase:
    """What the list shows of a likely duplicate: its id and tracking code."""

    id: int
    tracking_code: str


def likely_duplicates_of(
    session: Session, cases: Sequence[Case], *, now: datetime
) -> dict[int, list[NearCase]]:
    """``likely_duplicates`` for a page of cases in one statement, not one per row: the
    page's cases joined to their neighbours (same category, inside each case's box, by
    the ``(category_code, lat)`` index), reading four columns of each pair rather than
    whole cases. The statement's shape does not depend on the page (the ids are one
    expanding parameter), so it is compiled once per process; a flood of reports at one
    spot gives each case only its own neighbours, not every candidate of the page.
    Cases without any are left out."""
    located = [c for c in cases if c.lon is not None and c.lat is not None and c.category_code]
    if not located:
        return {}
    rows = session.execute(
        _NEIGHBOURS, {"ids": [c.id for c in located], "since": now - DUPLICATE_WINDOW}
    ).all()
    by_id = {c.id: c for c in located}
    found: dict[int, list[NearCase]] = {}
    for case_id, other_id, tracking_code, lon, lat in rows:
        case = by_id[case_id]
        if _distance(lon, lat, case.lon, case.lat) <= DUPLICATE_METRES:
            found.setdefault(case_id, []).append(NearCase(other_id, tracking_code))
    return found


def _neighbours_statement() -> Any:
    """(case id, neighbour id, its tracking code, lon, lat) for the cases ``:ids``: open
    neighbours of the same category created since ``:since`` inside the case's box
    (``DUPLICATE_METRES`` of latitude, a tenth more of longitude), oldest first."""
    degrees = DUPLICATE_METRES / 111_000
    page = aliased(Case, name="page_case")
    near = aliased(Case, name="near_case")
    return (
        select(page.id, near.id, near.tracking_code, near.lon, near.lat)
        .join(
            near,
            and_(
                near.category_code == page.category_code,
                near.id != page.id,
                near.lat.between(page.lat - degrees, page.lat + degrees),
                near.lon.between(page.lon - degrees * 1.1, page.lon + degrees * 1.1),
            ),
        )
        .where(
            page.id.in_(bindparam("ids", expanding=True)),
            near.state.in_([s.value for s in rules.OPEN_STATES]),
            near.created_at >= bindparam("since"),
        )
        .order_by(near.created_at, near.id)
    )


_NEIGHBOURS = _neighbours_statement()


def _metres(a: Case, b: Case) -> float:
    return _distance(a.lon, a.lat, b.lon, b.lat)


def _distance(
    a_lon: float | None, a_lat: float | None, b_lon: float | None, b_lat: float | None
) -> float:
    dx = ((a_lon or 0.0) - (b_lon or 0.0)) * 111_320 * math.cos(math.radians(a_lat or 0.0))
    dy = ((a_lat or 0.0) - (b_lat or 0.0)) * 110_574
    return math.hypot(dx, dy)
