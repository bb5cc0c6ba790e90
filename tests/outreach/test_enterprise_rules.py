"""The enterprise service desk's pure rules: the seven priorities as data, the request
state machine, deadlines and overdue from a given day, coverage, input checks."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.errors import Conflict
from gridgov.outreach.enterprise_rules import (
    PRIORITIES,
    PRIORITY_ORDER,
    Priority,
    RequestState,
    closed_late,
    coverage,
    date_problems,
    due_on,
    is_overdue,
    label_of,
    matches_coverage,
    request_transition,
    text_problems,
)


def test_there_are_seven_priorities_each_with_a_label_and_days() -> None:
    assert len(PRIORITY_ORDER) == 7
    assert set(PRIORITIES) == set(Priority)
    assert label_of("site") == "Priority in site and space"
    assert label_of("unknown") == "unknown"
    assert all(1 <= rule.answer_days <= 30 for rule in PRIORITIES.values())


def test_a_request_moves_received_accepted_resolved_and_never_back() -> None:
    assert request_transition(RequestState.RECEIVED, RequestState.ACCEPTED) is RequestState.ACCEPTED
    assert request_transition(RequestState.RECEIVED, RequestState.DECLINED) is RequestState.DECLINED
    assert request_transition(RequestState.ACCEPTED, RequestState.RESOLVED) is RequestState.RESOLVED
    for current, target in (
        (RequestState.RECEIVED, RequestState.RESOLVED),  # resolved only once accepted
        (RequestState.RESOLVED, RequestState.DECLINED),
        (RequestState.DECLINED, RequestState.ACCEPTED),
        (RequestState.ACCEPTED, RequestState.RECEIVED),
    ):
        with pytest.raises(Conflict) as refused:
            request_transition(current, target)
        assert refused.value.params == {"current": current.value, "target": target.value}


def test_a_policy_question_is_due_in_five_days_and_overdue_the_day_after() -> None:
    due = due_on(Priority.POLICY, date(2026, 11, 20))
    assert due == date(2026, 11, 25)
    assert not is_overdue(RequestState.RECEIVED, due, date(2026, 11, 25))
    assert is_overdue(RequestState.ACCEPTED, due, date(2026, 11, 26))
    assert not is_overdue(RequestState.RESOLVED, due, date(2026, 11, 26))
    assert due_on(Priority.SITE, date(2026, 11, 20)) == date(2026, 12, 20)


def test_a_reply_after_the_due_day_is_late() -> None:
    due = date(2026, 11, 25)
    assert closed_late(RequestState.RESOLVED, due, date(2026, 11, 26))
    assert not closed_late(RequestState.DECLINED, due, date(2026, 11, 25))
    assert not closed_late(RequestState.ACCEPTED, due, None)


def test_coverage_keeps_the_order_of_the_seven_and_ignores_strays() -> None:
    got = coverage(["site", "policy", "site", "bogus"])
    assert got == (Priority.POLICY, Priority.SITE)
    assert matches_coverage(["site"], Priority.SITE, covered=True)
    assert matches_coverage(["site"], Priority.FINANCING, covered=False)
    assert not matches_coverage([], Priority.SITE, covered=True)


def test_text_and_dates_are_checked() -> None:
    value, problems = text_problems("  协调厂房  ", "done", 10)
    assert value == "协调厂房"
    assert problems == []
    _, problems = text_problems("   ", "done", 10)
    assert [p.field for p in problems] == ["done"]
    _, problems = text_problems("x" * 11, "done", 10)
    assert problems[0].params == {"n": 10}
    assert text_problems("", "outcome", 10, required=False) == ("", [])
    today = date(2026, 11, 30)
    assert date_problems(today, "on", today) == []
    assert [p.field for p in date_problems(date(2026, 12, 1), "on", today)] == ["on"]
    assert [p.field for p in date_problems(date(1999, 12, 31), "on", today)] == ["on"]
