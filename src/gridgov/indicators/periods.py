"""Periods a tree is computed for: months, quarters and years in the office's timezone."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from gridgov.errors import InvalidInput
from gridgov.indicators.kinds import (
    PeriodKind,
)

# -- periods -----------------------------------------------------------------------

_PERIOD = {
    PeriodKind.MONTH: re.compile(r"(\d{4})-(0[1-9]|1[0-2])"),
    PeriodKind.QUARTER: re.compile(r"(\d{4})-Q([1-4])"),
    PeriodKind.YEAR: re.compile(r"(\d{4})"),
}


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str  # 2026-07, 2026-Q3, 2026
    first: date
    last: date  # inclusive

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC for the period's days in the office's time zone."""
        start = datetime.combine(self.first, time(), tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def previous(self) -> Period:
        return period_containing(self.kind, self.first - timedelta(days=1))


def parse_period(kind: PeriodKind, key: str) -> Period:
    match = _PERIOD[kind].fullmatch(key.strip())
    if not match:
        examples = {PeriodKind.MONTH: "2026-07", PeriodKind.QUARTER: "2026-Q3"}
        raise InvalidInput(
            "A %(kind)s period is written like %(example)s.",
            params={"kind": kind.value, "example": examples.get(kind, "2026")},
        )
    year = int(match.group(1))
    if kind is PeriodKind.MONTH:
        month = int(match.group(2))
        first, last_month = date(year, month, 1), month
    elif kind is PeriodKind.QUARTER:
        quarter = int(match.group(2))
        first, last_month = date(year, 3 * quarter - 2, 1), 3 * quarter
    else:
        first, last_month = date(year, 1, 1), 12
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(kind, key.strip(), first, last)


def period_containing(kind: PeriodKind, day: date) -> Period:
    if kind is PeriodKind.MONTH:
        return parse_period(kind, f"{day.year}-{day.month:02d}")
    if kind is PeriodKind.QUARTER:
        return parse_period(kind, f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse_period(kind, str(day.year))


def recent_periods(kind: PeriodKind, day: date, count: int) -> list[Period]:
    """The ``count`` periods up to and including the one containing ``day``, oldest first."""
    periods = [period_containing(kind, day)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]
