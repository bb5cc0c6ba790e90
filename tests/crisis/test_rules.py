"""Pure crisis rules: who comes first, when things escalate and are anonymised, which
language a household reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gridgov.crisis import rules
from gridgov.crisis.rules import Block, TaskLevel, TaskState
from gridgov.errors import InvalidInput

NOW = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def test_vulnerable_households_come_before_others() -> None:
    # given a household with two flags, one with one, one with none
    # then they are ordered by how vulnerable they are
    assert rules.priority(["elderly_alone", "disability"]) < rules.priority(["pregnant"])
    assert rules.priority(["pregnant"]) < rules.priority([])


def test_register_tags_become_flags_and_other_tags_do_not() -> None:
    flags = rules.flags_from_tags(["elderly_alone,veteran", "disability", "low_income"])
    assert flags == ["disability", "elderly_alone"]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        pytest.param(["ko"], "ko", id="exact"),
        pytest.param(["vi-VN"], "vi", id="primary-subtag"),
        pytest.param(["zh-TW"], "zh-Hant", id="traditional-chinese"),
        pytest.param(["zh-CN"], "zh-Hans", id="simplified-chinese"),
        pytest.param([None, "ja"], "ja", id="second-member"),
        pytest.param(["fr"], "en", id="fallback-when-none-matches"),
        pytest.param([], "en", id="fallback-when-unknown"),
    ],
)
def test_a_household_reads_its_own_language_else_the_fallback(
    wanted: list[str | None], expected: str
) -> None:
    available = ["zh-Hans", "zh-Hant", "en", "ko", "ja", "vi"]
    assert rules.choose_language(wanted, available, "en") == expected


def test_unreached_households_escalate_only_after_the_set_hours() -> None:
    started = NOW
    assert not rules.unreached_due(started, 12, NOW + timedelta(hours=11, minutes=59))
    assert rules.unreached_due(started, 12, NOW + timedelta(hours=12))


def test_sensitive_data_is_kept_while_the_incident_runs_and_for_the_retention_period() -> None:
    assert not rules.due_for_anonymisation(None, 30, NOW + timedelta(days=999))
    closed = NOW
    assert not rules.due_for_anonymisation(closed, 30, NOW + timedelta(days=29, hours=23))
    assert rules.due_for_anonymisation(closed, 30, NOW + timedelta(days=30))


def test_an_overdue_task_climbs_grid_community_street_then_stops() -> None:
    assert rules.next_level(TaskLevel.GRID) is TaskLevel.COMMUNITY
    assert rules.next_level(TaskLevel.COMMUNITY) is TaskLevel.STREET
    assert rules.next_level(TaskLevel.STREET) is None
    assert rules.task_overdue(TaskState.OPEN, NOW - timedelta(minutes=1), NOW)
    assert not rules.task_overdue(TaskState.DONE, NOW - timedelta(minutes=1), NOW)


def test_a_finished_task_cannot_reopen() -> None:
    with pytest.raises(InvalidInput):
        rules.transition(TaskState.DONE, TaskState.OPEN)
    assert rules.transition(TaskState.OPEN, TaskState.IN_PROGRESS) is TaskState.IN_PROGRESS


def test_a_broadcast_needs_its_fallback_among_its_blocks_and_no_language_twice() -> None:
    blocks = [
        Block("zh-Hans", "台风预警", "请留在室内"),
        Block("ko", "태풍 경보", "실내에 머무르세요"),
    ]
    assert rules.broadcast_problems(blocks, "zh-Hans") == []
    assert [p.field for p in rules.broadcast_problems(blocks, "en")] == ["fallback"]
    twice = [*blocks, Block("ko", "태풍", "...")]
    assert [p.field for p in rules.broadcast_problems(twice, "ko")] == ["blocks"]
    assert [p.field for p in rules.broadcast_problems([Block("Korean", "a", "b")], "Korean")] == [
        "blocks"
    ]


def test_an_area_must_lie_under_the_incident_region() -> None:
    assert rules.area_problems("440512001", ["440512001001"]) == []
    assert len(rules.area_problems("440512001", ["440512002001"])) == 1
    assert len(rules.area_problems("440512001", [])) == 1
