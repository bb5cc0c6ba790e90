"""The office clock: one timezone (``Settings.timezone``, Beijing time by default) for
every "today" and every local date. A date is never taken from a UTC datetime: between
00:00 and 08:00 Beijing time the UTC date is still yesterday's.

``set_office_timezone`` is called once at start-up (the app factory, the CLI) with the
settings' timezone; the helpers take an explicit ``tz`` where the caller has one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Shanghai"
_office = ZoneInfo(DEFAULT_TIMEZONE)


def set_office_timezone(name: str) -> None:
    global _office
    _office = ZoneInfo(name)


def office_zone(tz: str | ZoneInfo | None = None) -> ZoneInfo:
    """The timezone given, or the office's."""
    if tz is None:
        return _office
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def local_date(moment: datetime, tz: str | ZoneInfo | None = None) -> date:
    """The office's calendar date at ``moment`` (an aware datetime)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a local date needs an aware datetime, got the naive {moment}")
    return moment.astimezone(office_zone(tz)).date()


def local_minute(moment: datetime | None, tz: str | ZoneInfo | None = None) -> str:
    """``moment`` on the office's wall clock to the minute (``2026-11-30 17:30``); empty
    for None. A naive moment is taken as UTC (how SQLite hands stored times back)."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(office_zone(tz)).strftime("%Y-%m-%d %H:%M")


def local_today(now: datetime, tz: str | ZoneInfo | None = None) -> date:
    """Today, in the office, at ``now``: the one definition of "today"."""
    return local_date(now, tz)


def local_day_bounds(day: date, tz: str | ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The office's day ``day`` as a half-open range of aware instants [start, end)."""
    zone = office_zone(tz)
    start = datetime.combine(day, time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
