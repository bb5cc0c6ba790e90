"""Notices and the disclosure rhythm: posting periods, objection windows, and when a
routine disclosure is next due (村民委员会组织法 第三十条).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum

from gridgov.errors import InvalidInput

__all__ = [
    "DISCLOSURE_RHYTHM",
    "DisclosureKind",
    "next_due",
    "notice_may_close",
    "objection_window_end",
    "posting_closes_at",
]

# --------------------------------------------------------------------------- notices


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def posting_closes_at(posted_at: datetime, period_days: int) -> datetime:
    """When a notice posted at ``posted_at`` has been up its full period (calendar days)."""
    _aware(posted_at, "posted_at")
    if period_days < 0:
        raise ValueError("period_days cannot be negative")
    return posted_at + timedelta(days=period_days)


def notice_may_close(posted_at: datetime, period_days: int, now: datetime) -> bool:
    """True once the notice has been posted for the whole period, not a second sooner."""
    _aware(now, "now")
    return now >= posting_closes_at(posted_at, period_days)


def objection_window_end(posted_at: datetime, objection_days: int) -> datetime:
    """The last moment objections to a notice are received (a disclosure stage's
    ``objection_days``, by default its posting period)."""
    return posting_closes_at(posted_at, objection_days)


class DisclosureKind(StrEnum):
    VILLAGE_AFFAIRS = "village_affairs"  # 村务公开
    PARTY_AFFAIRS = "party_affairs"  # 党务公开
    FINANCES = "finances"  # 财务公开
    MAJOR_MATTERS = "major_matters"  # 重大事项


# Routine disclosures: once in every period of this many calendar months (quarters align
# with January); 0 means at once, due the day the matter arises. 村民委员会组织法 第三十条:
# 一般事项至少每季度公布一次，财务收支情况应当每月公布一次，重大事项应当随时公布.
DISCLOSURE_RHYTHM: dict[str, int] = {
    DisclosureKind.VILLAGE_AFFAIRS: 3,
    DisclosureKind.PARTY_AFFAIRS: 3,
    DisclosureKind.FINANCES: 1,
    DisclosureKind.MAJOR_MATTERS: 0,
}


def next_due(
    kind: str,
    last_published: date | None,
    today: date,
    rhythm: Mapping[str, int] = DISCLOSURE_RHYTHM,
) -> date:
    """The last day the next routine disclosure of ``kind`` may be published: the end of
    the period after the one ``last_published`` fell in. Never published, or a matter
    to disclose at once: ``today``. A date before ``today`` means it is overdue."""
    if kind not in rhythm:
        raise InvalidInput(
            "%(kind)s is not a kind of routine disclosure.", params={"kind": str(kind)}
        )
    months = rhythm[kind]
    if months == 0 or last_published is None:
        return today
    period = (last_published.year * 12 + last_published.month - 1) // months
    last_month = (period + 2) * months - 1
    year, month = divmod(last_month, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])
