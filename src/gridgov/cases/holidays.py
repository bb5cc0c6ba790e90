"""The working calendar as the database keeps it: holiday overrides and the years an
administrator marked complete, cached per process, and the actions that change them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record
from gridgov.cases.calendar import WorkCalendar
from gridgov.cases.models import (
    Case,
    Holiday,
    HolidayYear,
)
from gridgov.db import database_key
from gridgov.errors import InvalidInput, Problem
from gridgov.msgids import N_

_HOLIDAYS_TTL = 30.0
_holidays: dict[str, tuple[float, dict[date, bool], frozenset[int]]] = {}


def calendar_for(session: Session, tz_name: str = "Asia/Shanghai") -> WorkCalendar:
    """The working calendar with the holiday table's overrides and the years marked
    complete, read at most every ``_HOLIDAYS_TTL`` seconds per process (the tables
    change a few times a year)."""
    from zoneinfo import ZoneInfo

    key = database_key(session)
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
            N_("The year must be between 2000 and 2200."),
            details=[Problem("year", N_("The year must be between 2000 and 2200."))],
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
