"""The working-time calendar that case deadlines use.

Service levels follow the 12345 hotlines: an emergency in 2 hours, utilities in 24 hours,
a general matter in 7 working days, a complex one in 15 working days. A deadline is an
amount and a `DeadlineUnit`:

- `hours`: natural clock hours, nights, weekends and holidays included (emergencies do
  not wait).
- `working_hours`: hours counted only inside the working intervals (08:30–12:00 and
  14:00–18:00 local by default) of working days.
- `working_days`: the same local clock time on the N-th working day after the start day.

Which days are working days, in this order:

1. the administrators' overrides (date → is it a working day) win over everything;
2. the `chinese_calendar` package for the years it covers: public holidays and the
   make-up working days on weekends (调休);
3. for any other year, Monday to Friday. `WorkCalendar.due` then adds a warning naming
   that year, shown in logs and on the case page. A year is known when the package
   covers it or an administrator marked it complete (`complete_years`); entering one
   holiday of a year does not make the year known.

A start outside working time (before the morning, in the lunch break, after the
afternoon, or on a non-working day) is moved to the start of the next working interval
before anything is counted. So with `working_days` a case received on Saturday at 15:00
with 1 working day counts from Monday 08:30 and is due on Tuesday at 08:30; one received
during the lunch break counts from 14:00 that day. A start inside working time is kept
as it is. Intervals are half-open: 12:00 and 18:00 are outside working time.

An amount of 0 means due at the start itself, whatever the unit. Everything here is
pure: `now` and all instants are passed in, they must be timezone-aware, and instants
returned are in UTC.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]  # the package ships no type hints

BEIJING = ZoneInfo("Asia/Shanghai")

# The longest walk through the calendar before giving up: ten years and a few days.
GUARD_DAYS = 3660

UNKNOWN_YEAR = "The holiday calendar does not know %(year)s; weekends only were used for %(year)s."

# Years probed once to find the range the package covers.
_PROBE_YEARS = range(1900, 2200)


@functools.cache
def official_years() -> range:
    """The years `chinese_calendar` covers, probed once: it raises NotImplementedError
    for a date outside its range."""
    known = [year for year in _PROBE_YEARS if _package_is_workday(date(year, 1, 1)) is not None]
    return range(known[0], known[-1] + 1) if known else range(0)


@functools.lru_cache(maxsize=8192)
def official_workday(day: date) -> bool | None:
    """What `chinese_calendar` says about `day`; None for a year it does not cover."""
    if day.year not in official_years():
        return None
    return _package_is_workday(day)


def _package_is_workday(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


class DeadlineUnit(StrEnum):
    HOURS = "hours"  # natural clock hours, holidays included
    WORKING_HOURS = "working_hours"  # hours inside working time on working days
    WORKING_DAYS = "working_days"


_MORNING_START = time(8, 30)
_MORNING_END = time(12, 0)
_AFTERNOON_START = time(14, 0)
_AFTERNOON_END = time(18, 0)


@dataclass(frozen=True)
class WorkingHours:
    """The two working intervals of a working day, in local wall-clock time."""

    morning_start: time = _MORNING_START
    morning_end: time = _MORNING_END
    afternoon_start: time = _AFTERNOON_START
    afternoon_end: time = _AFTERNOON_END

    def __post_init__(self) -> None:
        bounds = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if any(bound.tzinfo is not None for bound in bounds):
            raise ValueError("Working hours are local wall-clock times without a timezone.")
        if not (self.morning_start < self.morning_end <= self.afternoon_start < self.afternoon_end):
            raise ValueError(
                "Working hours must run morning start < morning end <= afternoon start "
                "< afternoon end."
            )

    @property
    def intervals(self) -> tuple[tuple[time, time], tuple[time, time]]:
        return (
            (self.morning_start, self.morning_end),
            (self.afternoon_start, self.afternoon_end),
        )


DEFAULT_HOURS = WorkingHours()


@dataclass(frozen=True)
class Due:
    """A deadline: the instant (UTC) and one plain-text warning per unknown year used."""

    at: datetime
    warnings: tuple[str, ...] = ()


class WorkCalendar:
    """Working days and working time, for deadlines and for figures."""

    def __init__(
        self,
        *,
        overrides: Mapping[date, bool] | None = None,
        complete_years: Iterable[int] = (),
        tz: ZoneInfo = BEIJING,
        hours: WorkingHours = DEFAULT_HOURS,
    ) -> None:
        table = dict(overrides or {})
        if any(isinstance(day, datetime) for day in table):
            raise ValueError("Calendar overrides are keyed by dates, not datetimes.")
        self._overrides = table
        self._complete_years = frozenset(complete_years)
        self.tz = tz
        self.hours = hours

    # Days

    def knows(self, year: int) -> bool:
        """Whether the package covers `year` or an administrator marked it complete (one
        entered holiday does not make a year known: the others may still be missing)."""
        return year in official_years() or year in self._complete_years

    def unknown_years(self, start: datetime, end: datetime) -> tuple[int, ...]:
        """The years from `start` to `end` (local dates) that the calendar does not know:
        deadlines over them counted weekends only."""
        first = start.astimezone(self.tz).year
        last = end.astimezone(self.tz).year
        return tuple(year for year in range(first, last + 1) if not self.knows(year))

    def is_workday(self, day: date) -> bool:
        """Override, then the package, then Monday–Friday. Never raises; a datetime counts
        as its own wall-clock date."""
        day = date(day.year, day.month, day.day)
        override = self._overrides.get(day)
        if override is not None:
            return override
        official = official_workday(day)
        if official is not None:
            return official
        return day.weekday() < 5

    # Deadlines

    def due(self, start: datetime, amount: int, unit: DeadlineUnit) -> Due:
        """When a clock of `amount` `unit`s started at `start` runs out (see the module
        docstring for the rules). Raises ValueError for a naive `start`, a negative
        amount, or a walk longer than GUARD_DAYS days."""
        _require_aware(start, "start")
        if amount < 0:
            raise ValueError(f"A deadline amount cannot be negative (got {amount}).")
        unit = DeadlineUnit(unit)
        begin = start.astimezone(UTC)
        if amount == 0:
            return Due(at=begin)
        if unit is DeadlineUnit.HOURS:
            return Due(at=begin + timedelta(hours=amount))
        seen: set[int] = set()
        if unit is DeadlineUnit.WORKING_HOURS:
            at = self._add_working_hours(begin, amount, seen)
        else:
            at = self._add_working_days(begin, amount, seen)
        return Due(at=at, warnings=self._warnings(seen))

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """`start` moved on by `amount` of working time (a start outside working time
        counts from the next working interval); a zero amount returns `start`."""
        _require_aware(start, "start")
        if amount <= timedelta():
            return start.astimezone(UTC)
        return self._add_working_time(start.astimezone(UTC), amount, set())

    def working_hours_between(self, a: datetime, b: datetime) -> float:
        """Working hours from `a` to `b`; negative when `b` comes before `a`."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b < a:
            return -self.working_hours_between(b, a)
        a, b = a.astimezone(UTC), b.astimezone(UTC)
        total = timedelta()
        day = a.astimezone(self.tz).date()
        last = b.astimezone(self.tz).date()
        while day <= last:
            if self.is_workday(day):
                for begin, end in self._day_intervals(day):
                    lo, hi = max(begin, a), min(end, b)
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return total / timedelta(hours=1)

    # Walking the calendar

    def _day_intervals(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The working intervals of `day` as UTC instants (the day is not checked)."""
        for begin, end in self.hours.intervals:
            yield (
                datetime.combine(day, begin, tzinfo=self.tz).astimezone(UTC),
                datetime.combine(day, end, tzinfo=self.tz).astimezone(UTC),
            )

    def _intervals_from(
        self, start: datetime, seen: set[int]
    ) -> Iterator[tuple[datetime, datetime]]:
        """Working intervals ending after `start`, the first one clipped to it; the years
        of the days looked at go into `seen`."""
        first = start.astimezone(self.tz).date()
        for offset in range(GUARD_DAYS + 1):
            day = first + timedelta(days=offset)
            seen.add(day.year)
            if not self.is_workday(day):
                continue
            for begin, end in self._day_intervals(day):
                if end > start:
                    yield max(begin, start), end
        raise _too_far(first)

    def _add_working_hours(self, start: datetime, amount: int, seen: set[int]) -> datetime:
        return self._add_working_time(start, timedelta(hours=amount), seen)

    def _add_working_time(self, start: datetime, left: timedelta, seen: set[int]) -> datetime:
        for begin, end in self._intervals_from(start, seen):
            if end - begin >= left:
                return begin + left
            left -= end - begin
        raise AssertionError("unreachable: _intervals_from ends by raising")  # pragma: no cover

    def _add_working_days(self, start: datetime, amount: int, seen: set[int]) -> datetime:
        # Outside working time, the clock starts at the next working interval.
        anchor, _ = next(self._intervals_from(start, seen))
        local = anchor.astimezone(self.tz)
        day, clock = local.date(), local.time()
        for _offset in range(GUARD_DAYS):
            day += timedelta(days=1)
            seen.add(day.year)
            if self.is_workday(day):
                amount -= 1
                if amount == 0:
                    return datetime.combine(day, clock, tzinfo=self.tz).astimezone(UTC)
        raise _too_far(local.date())

    def _warnings(self, years: set[int]) -> tuple[str, ...]:
        return tuple(
            UNKNOWN_YEAR % {"year": year} for year in sorted(years) if not self.knows(year)
        )


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got the naive {moment}.")


def _too_far(first: date) -> ValueError:
    return ValueError(
        f"No deadline within {GUARD_DAYS:,} days of {first.isoformat()}: the calendar "
        "overrides leave (almost) no working days, or the amount is too large."
    )
