"""The office clock: "today" is the office's date, never the UTC one. Each date-sensitive
path runs at 23:30 and at 00:30 Beijing time (15:30 and 16:30 UTC, the UTC date being
the day before at 00:30)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from gridgov import clock
from gridgov.db import Database
from gridgov.registry import service as registry
from tests.factories import SYSTEM, mainland_id, make_territory

# 23:30 on 30 November and 00:30 on 1 December, Beijing time
LATE_EVENING = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
PAST_MIDNIGHT = datetime(2026, 11, 30, 16, 30, tzinfo=UTC)
MATRIX = [
    pytest.param(LATE_EVENING, date(2026, 11, 30), id="23:30-beijing"),
    pytest.param(PAST_MIDNIGHT, date(2026, 12, 1), id="00:30-beijing"),
]


@pytest.mark.parametrize(("now", "today"), MATRIX)
def test_today_is_the_offices_date(now: datetime, today: date) -> None:
    assert clock.local_today(now) == today
    assert clock.local_today(now, "Asia/Shanghai") == today
    # the UTC date is always 30 November here: never the one used
    assert now.date() == date(2026, 11, 30)


@pytest.mark.parametrize(("now", "today"), MATRIX)
def test_a_day_is_the_offices_day(now: datetime, today: date) -> None:
    start, end = clock.local_day_bounds(today)
    assert start <= now < end
    assert end - start == timedelta(days=1)


def test_a_naive_datetime_has_no_local_date() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock.local_date(datetime(2026, 12, 1, 0, 30))  # noqa: DTZ001 - the refused input


@pytest.mark.parametrize(("now", "today"), MATRIX)
def test_a_baby_born_today_is_registered_past_midnight(
    db: Database, now: datetime, today: date
) -> None:
    # Given the territory, and a baby born on the office's today
    make_territory(db)
    value = registry.ResidentInput(
        name="陈小宝",
        doc_type="mainland_id",
        id_number=mainland_id(today.strftime("%Y%m%d"), "021"),
        grid_code="44051200100101",
    )
    # When the grid worker registers it at 23:30 or at 00:30
    with db.transaction() as session:
        resident = registry.do_create_resident(session, actor=SYSTEM, value=value, now=now)
    # Then the date of birth is today, not "in the future" (which a UTC date would say
    # at 00:30)
    assert resident.birth_date == today


def test_no_module_takes_a_date_from_a_utc_datetime() -> None:
    # A date comes from the office clock (gridgov.clock) or astimezone(...).date();
    # these forms take the UTC (or the machine's) date instead.
    import re
    from pathlib import Path

    import gridgov

    forbidden = re.compile(
        r"date\.today\(\)|datetime\.now\(UTC\)\.date\(\)|\b(now|at|ctx\.now|self\.now)\.date\(\)"
    )
    offenders = [
        f"{path.name}:{number}"
        for path in Path(gridgov.__file__).parent.rglob("*.py")
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if forbidden.search(line)
    ]
    assert offenders == []


def test_a_minute_on_the_office_wall_clock() -> None:
    # Given an instant in UTC, one stored naive by SQLite, and nothing
    moment = datetime(2026, 11, 30, 16, 45, tzinfo=UTC)
    # Then each reads as Beijing time to the minute, and nothing reads as nothing
    assert clock.local_minute(moment, "Asia/Shanghai") == "2026-12-01 00:45"
    assert clock.local_minute(moment.replace(tzinfo=None), "Asia/Shanghai") == "2026-12-01 00:45"
    assert clock.local_minute(None) == ""
