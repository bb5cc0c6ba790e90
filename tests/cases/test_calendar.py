"""The working-time calendar behind case deadlines, on real Chinese holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from gridgov.cases.calendar import (
    BEIJING,
    GUARD_DAYS,
    UNKNOWN_YEAR,
    DeadlineUnit,
    Due,
    WorkCalendar,
    WorkingHours,
    official_workday,
    official_years,
)

H = DeadlineUnit.HOURS
WH = DeadlineUnit.WORKING_HOURS
WD = DeadlineUnit.WORKING_DAYS
UNKNOWN_2031 = "The holiday calendar does not know 2031; weekends only were used for 2031."
UNKNOWN_2032 = "The holiday calendar does not know 2032; weekends only were used for 2032."


def bj(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Beijing wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


# The package itself


def test_package_range_covers_the_test_years_but_not_2031() -> None:
    # given the installed chinese_calendar
    # when its range is probed
    years = official_years()
    # then it covers the known years used below and stops before 2031
    assert 2025 in years
    assert 2031 not in years
    assert official_workday(date(2031, 10, 1)) is None


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # National Day and Mid-Autumn 2025: 1–8 October off, two make-up days
        pytest.param(date(2025, 9, 27), False, id="2025-09-27-sat"),
        pytest.param(date(2025, 9, 28), True, id="2025-09-28-sun-make-up"),
        pytest.param(date(2025, 9, 30), True, id="2025-09-30-tue"),
        *(
            pytest.param(date(2025, 10, d), False, id=f"2025-10-0{d}-national-day")
            for d in range(1, 9)
        ),
        pytest.param(date(2025, 10, 9), True, id="2025-10-09-thu"),
        pytest.param(date(2025, 10, 11), True, id="2025-10-11-sat-make-up"),
        pytest.param(date(2025, 10, 12), False, id="2025-10-12-sun"),
        # Spring Festival 2025: 28 January – 4 February off
        pytest.param(date(2025, 1, 25), False, id="2025-01-25-sat"),
        pytest.param(date(2025, 1, 26), True, id="2025-01-26-sun-make-up"),
        pytest.param(date(2025, 1, 27), True, id="2025-01-27-mon"),
        pytest.param(date(2025, 1, 28), False, id="2025-01-28-new-years-eve"),
        pytest.param(date(2025, 2, 4), False, id="2025-02-04-last-day-off"),
        pytest.param(date(2025, 2, 5), True, id="2025-02-05-wed"),
        pytest.param(date(2025, 2, 8), True, id="2025-02-08-sat-make-up"),
        pytest.param(date(2025, 2, 9), False, id="2025-02-09-sun"),
    ],
)
def test_known_year_follows_the_package(day: date, working: bool) -> None:
    # given a calendar without overrides
    calendar = WorkCalendar()
    # when a day of a known year is asked about
    # then the package and the calendar agree with the State Council's notice
    assert official_workday(day) is working
    assert calendar.is_workday(day) is working


# Deadlines in known years


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        pytest.param(bj(2025, 9, 30, 10), 3, WD, bj(2025, 10, 11, 10), id="3wd-over-national-day"),
        pytest.param(bj(2025, 10, 1, 23), 2, H, bj(2025, 10, 2, 1), id="2h-emergency-on-holiday"),
        pytest.param(bj(2025, 10, 1, 9), 24, H, bj(2025, 10, 2, 9), id="24h-utilities-on-holiday"),
        pytest.param(bj(2025, 9, 30, 17), 4, WH, bj(2025, 10, 9, 11, 30), id="4wh-over-holiday"),
        pytest.param(bj(2025, 9, 30, 10), 0, WD, bj(2025, 9, 30, 10), id="zero-is-start"),
        pytest.param(bj(2025, 9, 30, 20), 0, WH, bj(2025, 9, 30, 20), id="zero-outside-hours"),
        # Spring Festival 2025: a weekend, then the make-up Sunday
        pytest.param(bj(2025, 1, 25, 15), 1, WD, bj(2025, 1, 27, 8, 30), id="sat-counts-from-sun"),
        pytest.param(bj(2025, 1, 27, 9), 7, WD, bj(2025, 2, 12, 9), id="7wd-over-spring-fest"),
        pytest.param(bj(2025, 1, 27, 17), 2, WH, bj(2025, 2, 5, 9, 30), id="2wh-over-spring-fest"),
        pytest.param(bj(2025, 1, 24, 18), 1, WH, bj(2025, 1, 26, 9, 30), id="wh-on-make-up-sun"),
        pytest.param(bj(2025, 1, 27, 9), 15, WD, bj(2025, 2, 24, 9), id="15wd-complex"),
    ],
)
def test_due_in_a_known_year(
    start: datetime, amount: int, unit: DeadlineUnit, expected: datetime
) -> None:
    # given the package's calendar and the default working hours
    calendar = WorkCalendar()
    # when a case's clock starts
    due = calendar.due(start, amount, unit)
    # then it runs out at the expected Beijing time, with no warning
    assert due == Due(at=expected)
    assert due.at.tzinfo is UTC


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected"),
    [
        # Saturday 15 November 2025, an ordinary weekend
        pytest.param(bj(2025, 11, 15, 15), 1, WD, bj(2025, 11, 18, 8, 30), id="sat-1wd-tue"),
        pytest.param(bj(2025, 11, 15, 15), 2, WH, bj(2025, 11, 17, 10, 30), id="sat-2wh-mon"),
        pytest.param(bj(2025, 11, 17, 7), 1, WD, bj(2025, 11, 18, 8, 30), id="early-morning"),
        pytest.param(bj(2025, 11, 17, 12, 30), 1, WD, bj(2025, 11, 18, 14), id="lunch-break"),
        pytest.param(bj(2025, 11, 17, 12), 1, WH, bj(2025, 11, 17, 15), id="noon-is-outside"),
        pytest.param(bj(2025, 11, 17, 18), 1, WD, bj(2025, 11, 19, 8, 30), id="after-hours"),
        pytest.param(bj(2025, 11, 17, 16), 2, WH, bj(2025, 11, 17, 18), id="ends-at-close"),
        pytest.param(bj(2025, 11, 17, 17), 4, WH, bj(2025, 11, 18, 11, 30), id="overnight"),
        pytest.param(bj(2025, 11, 17, 11), 2, WH, bj(2025, 11, 17, 15), id="over-lunch"),
    ],
)
def test_start_outside_working_time_moves_to_next_interval(
    start: datetime, amount: int, unit: DeadlineUnit, expected: datetime
) -> None:
    # given the default working hours 08:30–12:00 and 14:00–18:00
    calendar = WorkCalendar()
    # when the clock starts, possibly outside working time
    due = calendar.due(start, amount, unit)
    # then counting begins at the next working interval
    assert due.at == expected


def test_start_in_another_timezone_is_converted() -> None:
    # given 30 September 2025 10:00 Beijing time written in UTC
    start = datetime(2025, 9, 30, 2, tzinfo=UTC)
    # when 3 working days are added
    due = WorkCalendar().due(start, 3, WD)
    # then the deadline is the same as for the Beijing-time start
    assert due.at == bj(2025, 10, 11, 10)
    assert due.at == datetime(2025, 10, 11, 2, tzinfo=UTC)


def test_units_accept_their_stored_strings() -> None:
    # given units as stored in the category table
    # when they are read back
    # then they are the enum members
    assert [DeadlineUnit(v) for v in ("hours", "working_hours", "working_days")] == [H, WH, WD]


# Years the package does not know


@pytest.mark.parametrize(
    ("start", "amount", "unit", "expected", "warnings"),
    [
        # 2031-10-01 is a Wednesday; nothing is known of National Day 2031
        pytest.param(
            bj(2031, 9, 30, 10), 3, WD, bj(2031, 10, 3, 10), (UNKNOWN_2031,), id="wd-weekdays"
        ),
        pytest.param(
            bj(2031, 10, 4, 9), 1, WD, bj(2031, 10, 7, 8, 30), (UNKNOWN_2031,), id="wd-weekend"
        ),
        pytest.param(
            bj(2031, 9, 30, 17), 4, WH, bj(2031, 10, 1, 11, 30), (UNKNOWN_2031,), id="wh-weekdays"
        ),
        pytest.param(
            bj(2031, 12, 31, 10),
            1,
            WD,
            bj(2032, 1, 1, 10),
            (UNKNOWN_2031, UNKNOWN_2032),
            id="wd-into-2032",
        ),
        pytest.param(bj(2031, 10, 1, 23), 2, H, bj(2031, 10, 2, 1), (), id="natural-hours-no-warn"),
    ],
)
def test_unknown_year_uses_weekends_and_warns(
    start: datetime, amount: int, unit: DeadlineUnit, expected: datetime, warnings: tuple[str, ...]
) -> None:
    # given a calendar without overrides and a year beyond the package
    calendar = WorkCalendar()
    assert not calendar.knows(2031)
    # when a deadline falls in that year
    due = calendar.due(start, amount, unit)
    # then Monday–Friday count and each unknown year is named once
    assert due == Due(at=expected, warnings=warnings)


def test_override_in_unknown_year_is_honoured_but_the_year_stays_unknown() -> None:
    # given an administrator who entered National Day 2031 (one day, for the test)
    calendar = WorkCalendar(overrides={date(2031, 10, 1): False})
    # when a case is received the day before with 3 working days
    due = calendar.due(bj(2031, 9, 30, 10), 3, WD)
    # then 1 October is skipped, but one holiday does not make 2031 known: still a warning
    assert not calendar.knows(2031)
    assert not calendar.is_workday(date(2031, 10, 1))
    assert due == Due(at=bj(2031, 10, 6, 10), warnings=(UNKNOWN_YEAR % {"year": 2031},))


def test_a_year_marked_complete_is_known_and_gives_no_warning() -> None:
    # given an administrator who entered National Day 2031 and marked 2031 complete
    calendar = WorkCalendar(overrides={date(2031, 10, 1): False}, complete_years={2031})
    # when a case is received the day before with 3 working days
    due = calendar.due(bj(2031, 9, 30, 10), 3, WD)
    # then 2031 is known, 2032 is not, and no warning is given
    assert calendar.knows(2031)
    assert not calendar.knows(2032)
    assert due == Due(at=bj(2031, 10, 6, 10))


def test_unknown_year_fallback_never_raises() -> None:
    # given a calendar and days far outside the package's range
    calendar = WorkCalendar()
    # when they are asked about
    # then Monday–Friday are working days and nothing raises
    assert calendar.is_workday(date(1999, 10, 1))  # a Friday
    assert not calendar.is_workday(date(2100, 1, 2))  # a Saturday
    assert calendar.is_workday(datetime(2031, 1, 1, 9, tzinfo=BEIJING))  # a Wednesday


# Overrides beat the package


@pytest.mark.parametrize(
    ("overrides", "start", "amount", "unit", "expected"),
    [
        # Typhoon Ragasa: Wednesday 24 September 2025 declared a day off
        pytest.param(
            {date(2025, 9, 24): False},
            bj(2025, 9, 22, 10),
            2,
            WD,
            bj(2025, 9, 25, 10),
            id="typhoon-day-off",
        ),
        pytest.param(
            {date(2025, 9, 24): False},
            bj(2025, 9, 23, 17),
            2,
            WH,
            bj(2025, 9, 25, 9, 30),
            id="typhoon-working-hours",
        ),
        # a holiday turned into a working day (an emergency duty day)
        pytest.param(
            {date(2025, 10, 2): True},
            bj(2025, 9, 30, 10),
            1,
            WD,
            bj(2025, 10, 2, 10),
            id="holiday-made-working",
        ),
    ],
)
def test_overrides_beat_the_package(
    overrides: dict[date, bool],
    start: datetime,
    amount: int,
    unit: DeadlineUnit,
    expected: datetime,
) -> None:
    # given the package's calendar with an administrator's override
    calendar = WorkCalendar(overrides=overrides)
    # when a deadline crosses the overridden day
    due = calendar.due(start, amount, unit)
    # then the override decides and the known year gives no warning
    for day, working in overrides.items():
        assert calendar.is_workday(day) is working
    assert due == Due(at=expected)


# Working hours between two instants


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        pytest.param(bj(2025, 9, 30, 17), bj(2025, 10, 9, 11, 30), 4.0, id="across-national-day"),
        pytest.param(bj(2025, 10, 1, 9), bj(2025, 10, 8, 18), 0.0, id="inside-holiday"),
        pytest.param(bj(2025, 11, 17, 9), bj(2025, 11, 17, 15), 4.0, id="over-lunch"),
        pytest.param(bj(2025, 11, 17, 9), bj(2025, 11, 17, 9), 0.0, id="empty"),
        pytest.param(bj(2025, 11, 14, 17), bj(2025, 11, 17, 9), 1.5, id="over-weekend"),
        pytest.param(bj(2025, 10, 9, 11, 30), bj(2025, 9, 30, 17), -4.0, id="reversed"),
        pytest.param(bj(2025, 1, 24, 18), bj(2025, 1, 27, 8, 30), 7.5, id="make-up-sunday"),
    ],
)
def test_working_hours_between(a: datetime, b: datetime, hours: float) -> None:
    # given the package's calendar
    calendar = WorkCalendar()
    # when the working time between two instants is measured
    # then only working intervals of working days count
    assert calendar.working_hours_between(a, b) == pytest.approx(hours)


def test_working_hours_between_inverts_due() -> None:
    # given a deadline of 20 working hours over National Day 2025
    calendar = WorkCalendar()
    start = bj(2025, 9, 29, 10, 15)
    due = calendar.due(start, 20, WH)
    # when the working time up to it is measured
    # then it is 20 hours
    assert calendar.working_hours_between(start, due.at) == pytest.approx(20.0)


# Configuration


def test_custom_working_hours() -> None:
    # given a unit working 09:00–12:00 and 13:00–17:00
    hours = WorkingHours(time(9), time(12), time(13), time(17))
    calendar = WorkCalendar(hours=hours)
    # when 4 working hours start on Monday 17 November 2025 at 16:00
    due = calendar.due(bj(2025, 11, 17, 16), 4, WH)
    # then 1 hour that day and 3 the next morning
    assert due.at == bj(2025, 11, 18, 12)


@pytest.mark.parametrize(
    "bounds",
    [
        pytest.param((time(12), time(8, 30), time(14), time(18)), id="morning-backwards"),
        pytest.param((time(8, 30), time(14, 30), time(14), time(18)), id="overlap"),
        pytest.param((time(8, 30, tzinfo=UTC), time(12), time(14), time(18)), id="aware"),
    ],
)
def test_invalid_working_hours_are_refused(bounds: tuple[time, time, time, time]) -> None:
    # given working hours that are out of order or carry a timezone
    # when they are built
    # then ValueError
    with pytest.raises(ValueError, match="Working hours"):
        WorkingHours(*bounds)


# Refusals


@pytest.mark.parametrize("unit", [WD, WH], ids=["working-days", "working-hours"])
def test_all_holiday_overrides_hit_the_guard(unit: DeadlineUnit) -> None:
    # given an override table that makes every day for more than ten years a holiday
    first = date(2025, 1, 1)
    overrides = {first + timedelta(days=i): False for i in range(GUARD_DAYS + 400)}
    calendar = WorkCalendar(overrides=overrides)
    # when a deadline is asked for
    # then ValueError instead of an endless walk
    with pytest.raises(ValueError, match="No deadline within 3,660 days of 2025-03-03"):
        calendar.due(bj(2025, 3, 3, 10), 1, unit)


def test_natural_hours_ignore_the_guard() -> None:
    # given the same all-holiday table
    overrides = {date(2025, 1, 1) + timedelta(days=i): False for i in range(GUARD_DAYS + 400)}
    # when an emergency deadline is asked for
    due = WorkCalendar(overrides=overrides).due(bj(2025, 3, 3, 10), 2, H)
    # then natural hours still count
    assert due.at == bj(2025, 3, 3, 12)


@pytest.mark.parametrize("unit", [H, WH, WD], ids=["hours", "working-hours", "working-days"])
def test_naive_start_is_refused(unit: DeadlineUnit) -> None:
    # given a naive datetime
    naive = datetime(2025, 9, 30, 10)  # noqa: DTZ001 - the point of the test
    # when it starts a deadline
    # then ValueError
    with pytest.raises(ValueError, match="timezone-aware"):
        WorkCalendar().due(naive, 1, unit)


@pytest.mark.parametrize("naive_side", ["a", "b"])
def test_naive_bounds_are_refused(naive_side: str) -> None:
    # given one naive and one aware instant
    naive = datetime(2025, 9, 30, 10)  # noqa: DTZ001 - the point of the test
    aware = bj(2025, 9, 30, 12)
    a, b = (naive, aware) if naive_side == "a" else (aware, naive)
    # when the working time between them is measured
    # then ValueError
    with pytest.raises(ValueError, match="timezone-aware"):
        WorkCalendar().working_hours_between(a, b)


def test_negative_amount_is_refused() -> None:
    # given a negative amount
    # when it starts a deadline
    # then ValueError
    with pytest.raises(ValueError, match="negative"):
        WorkCalendar().due(bj(2025, 9, 30, 10), -1, WD)


def test_datetime_override_keys_are_refused() -> None:
    # given an override keyed by a datetime, which would never match a day
    overrides: dict[date, bool] = {datetime(2025, 10, 2, tzinfo=BEIJING): True}
    # when the calendar is built
    # then ValueError
    with pytest.raises(ValueError, match="dates, not datetimes"):
        WorkCalendar(overrides=overrides)
