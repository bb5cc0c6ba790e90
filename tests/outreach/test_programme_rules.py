"""Programme rules without a database: overdue, task moves, progress rolled up from
tasks to projects to a 1+6+9 tree, money typed in yuan."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.errors import Conflict
from gridgov.outreach.programme_rules import (
    Rollup,
    TaskFigure,
    TaskStatus,
    check_task_transition,
    combine,
    days_overdue,
    format_yuan,
    is_overdue,
    parent_problem,
    parse_yuan,
    programme_rollups,
    project_problems,
    project_rollup,
    settled_progress,
    task_problems,
    tree_order,
)

TODAY = date(2026, 11, 30)
P, W, D, C = TaskStatus.PLANNED, TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED


def test_a_task_is_overdue_the_day_after_its_due_date_until_done_or_cancelled() -> None:
    assert not is_overdue(date(2026, 11, 30), W, TODAY)  # due today: not yet
    assert is_overdue(date(2026, 11, 29), W, TODAY)
    assert is_overdue(date(2026, 11, 29), P, TODAY)
    assert not is_overdue(date(2026, 1, 1), D, TODAY)
    assert not is_overdue(date(2026, 1, 1), C, TODAY)
    assert days_overdue(date(2026, 11, 20), P, TODAY) == 10
    assert days_overdue(date(2026, 11, 20), D, TODAY) == 0
    assert days_overdue(None, P, TODAY) == 0


def test_a_cancelled_task_stays_cancelled_and_a_done_one_may_only_be_reopened() -> None:
    check_task_transition(P, W)
    check_task_transition(W, D)
    check_task_transition(D, W)
    check_task_transition(W, W)  # saving progress without a move
    with pytest.raises(Conflict):
        check_task_transition(C, W)
    with pytest.raises(Conflict):
        check_task_transition(D, C)


def test_progress_is_settled_by_the_status() -> None:
    assert settled_progress(D, 40) == 100
    assert settled_progress(P, 40) == 0
    assert settled_progress(W, 100) == 99
    assert settled_progress(W, 35) == 35


def test_a_project_is_the_mean_of_its_tasks_not_cancelled() -> None:
    tasks = [
        TaskFigure(D, 100, 30_000_00, date(2026, 10, 1)),
        TaskFigure(W, 50, 10_000_00, date(2026, 11, 1)),  # overdue
        TaskFigure(P, 0, 0, date(2026, 12, 31)),
        TaskFigure(C, 0, 500_00, date(2026, 9, 1)),  # not counted, but its money is
    ]
    r = project_rollup(100_000_00, tasks, TODAY)
    assert r.progress == 50  # (100 + 50 + 0) / 3
    assert (r.tasks, r.done, r.overdue) == (4, 1, 1)
    assert r.spent_fen == 40_500_00
    assert r.spent_share == 40
    assert not r.over_budget
    assert project_rollup(0, [], TODAY).progress is None


def test_projects_weigh_by_budget_when_all_have_one_else_equally() -> None:
    big = Rollup(80, 900_00, 100_00, 1, 2, 1, 0)
    small = Rollup(20, 100_00, 200_00, 1, 2, 0, 1)
    assert combine([big, small]).progress == 74  # (80×900 + 20×100) / 1000
    unbudgeted = Rollup(20, 0, 0, 1, 1, 0, 0)
    assert combine([big, unbudgeted]).progress == 50
    both = combine([big, small])
    assert (both.budget_fen, both.spent_fen, both.projects, both.overdue) == (1000_00, 300_00, 2, 1)
    assert Rollup(50, 100, 150, 1, 1, 0, 0).over_budget


def test_a_1_6_9_tree_rolls_up_its_subtrees() -> None:
    # 1 is the overall programme; 2 one of the "6", 3 one of the "9" under it; 4 under 2
    parents = {1: None, 2: 1, 3: 1, 4: 2}
    projects = {
        2: [Rollup(100, 0, 10, 1, 1, 1, 0)],
        3: [Rollup(0, 0, 0, 1, 1, 0, 1)],
        4: [Rollup(50, 0, 5, 1, 2, 0, 0)],
    }
    r = programme_rollups(parents, projects)
    assert r[4].progress == 50
    assert r[2].progress == 75  # its own project and 4's
    assert r[1].progress == 50  # (100 + 0 + 50) / 3
    assert (r[1].projects, r[1].overdue, r[1].spent_fen) == (3, 1, 15)
    assert r[3].overdue == 1


def test_the_tree_is_listed_depth_first_by_name() -> None:
    # 9's parent is not listed (outside the viewer's area): it starts a tree of its own
    parents = {1: None, 2: 1, 3: 1, 4: 2, 9: 77}
    names = {1: "A overall", 2: "C six", 3: "B nine", 4: "D below", 9: "Z other"}
    order = tree_order(parents, names)
    assert [(r.id, r.depth) for r in order] == [(1, 0), (3, 1), (2, 1), (4, 2), (9, 0)]


def test_a_programme_cannot_sit_under_itself_or_too_deep() -> None:
    assert parent_problem([3, 1], 1) is not None
    assert parent_problem([3, 2, 1], None) is None
    assert parent_problem([4, 3, 2, 1], None) is not None


def test_yuan_as_typed_become_fen() -> None:
    assert parse_yuan("12,500") == 1_250_000
    assert parse_yuan("¥3 000.5") == 300_050
    assert parse_yuan("0") == 0
    assert parse_yuan("1.234") is None
    assert parse_yuan("-5") is None
    assert parse_yuan("十万") is None
    assert format_yuan(1_250_000_00) == "1,250,000.00"
    assert format_yuan(5) == "0.05"


def test_what_a_person_types_is_checked() -> None:
    fields = {
        p.field
        for p in project_problems(
            name=" ", budget_fen=None, starts_on=date(2026, 5, 1), ends_on=date(2026, 4, 1)
        )
    }
    assert fields == {"name", "budget", "ends_on"}
    assert not project_problems(
        name="红色物业", budget_fen=0, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    fields = {
        p.field
        for p in task_problems(
            progress=101, spent_fen=None, due_on=date(2025, 1, 1), starts_on=date(2026, 1, 1)
        )
    }
    assert fields == {"progress", "spent", "due_on"}
