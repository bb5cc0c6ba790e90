"""Pure rules of programmes and projects (党建+项目; Qianhai's "1+6+9": one overall
programme, six and nine sub-programmes): the task states, what is overdue, the progress
rolled up from tasks to projects to programmes, budgets against spending, money in
fen, and the checks of what a person types. No I/O; ``today`` is passed in.

A programme is a tree node (a parent programme or none); a project sits under one
programme, a task under one project. A project's progress is the mean of its tasks'
(a done task counts 100 %, a cancelled one not at all); a programme's is the mean of
the projects in its subtree, each weighed by its budget when every one of them has a
budget, else equally.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import NamedTuple

from gridgov.errors import Conflict, Problem
from gridgov.msgids import N_

MAX_NAME = 200
MAX_NOTE = 2000
MAX_FEN = 10**14  # a trillion yuan: anything above is a typing error
MAX_DEPTH = 4  # "1", then "6" and "9", then one level more at most
MAX_LINKS = 200


class TaskStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


CLOSED = frozenset({TaskStatus.DONE, TaskStatus.CANCELLED})

# Where a task may go from each status: a done task may be reopened, a cancelled one is
# final (a new task is added instead).
TASK_TRANSITIONS: Mapping[TaskStatus, frozenset[TaskStatus]] = {
    TaskStatus.PLANNED: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.PLANNED, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset({TaskStatus.IN_PROGRESS}),
    TaskStatus.CANCELLED: frozenset(),
}


def check_task_transition(current: TaskStatus, target: TaskStatus) -> None:
    """Raise ``Conflict`` when a task may not go from ``current`` to ``target``."""
    if current != target and target not in TASK_TRANSITIONS[current]:
        raise Conflict("A cancelled task stays cancelled; a done task may only be reopened.")


def settled_progress(status: TaskStatus, progress: int) -> int:
    """The progress a task is stored with: 100 when done, 0 when planned, else the
    given percentage bounded to 0–99 (a task still in progress is not finished)."""
    if status == TaskStatus.DONE:
        return 100
    if status == TaskStatus.PLANNED:
        return 0
    return max(0, min(99, progress))


def is_overdue(due_on: date | None, status: TaskStatus, today: date) -> bool:
    """A task is overdue when its due date has passed (before ``today``, the office's
    local date) and it is neither done nor cancelled."""
    return due_on is not None and due_on < today and status not in CLOSED


def days_overdue(due_on: date | None, status: TaskStatus, today: date) -> int:
    """How many days past its due date an overdue task is; 0 otherwise."""
    if due_on is None or not is_overdue(due_on, status, today):
        return 0
    return (today - due_on).days


# ---------------------------------------------------------------- the indicator counts


class TaskStanding(NamedTuple):
    """How one task counts in a period's programme figures (the indicator trees)."""

    due: bool  # due in the period and not cancelled
    done_on_time: bool  # …and done on or before its due date
    overdue: bool  # …and overdue (``is_overdue``) on the day ``as_of``


def task_standing(
    due_on: date,
    status: TaskStatus,
    done_on: date | None,
    *,
    first: date,
    after: date,
    as_of: date,
) -> TaskStanding:
    """A task due in the local days [``first``, ``after``) counts as due; done on time
    when it was done on or before its due date; overdue when, on the day ``as_of`` (the
    period's last day, or today while it runs), it would be overdue by the dashboard's
    rule: its due date before that day and not done by the end of it. Cancelled tasks
    and tasks due outside the period do not count; a task done late is not overdue
    from the day it is done."""
    if status == TaskStatus.CANCELLED or not first <= due_on < after:
        return TaskStanding(False, False, False)
    done = status == TaskStatus.DONE
    on_time = done and (done_on is None or done_on <= due_on)
    done_by = done and (done_on is None or done_on <= as_of)
    return TaskStanding(True, on_time, due_on < as_of and not done_by)


# ---------------------------------------------------------------- rolling up


@dataclass(frozen=True)
class TaskFigure:
    status: TaskStatus
    progress: int  # 0–100
    spent_fen: int
    due_on: date | None = None


@dataclass(frozen=True)
class Rollup:
    """What a project or a programme adds up to."""

    progress: int | None  # percent, None with nothing to measure
    budget_fen: int
    spent_fen: int
    projects: int
    tasks: int
    done: int
    overdue: int

    @property
    def over_budget(self) -> bool:
        return self.budget_fen > 0 and self.spent_fen > self.budget_fen

    @property
    def spent_share(self) -> int | None:
        """Spent as a percentage of the budget, rounded down; None without a budget."""
        return None if self.budget_fen <= 0 else self.spent_fen * 100 // self.budget_fen


EMPTY = Rollup(None, 0, 0, 0, 0, 0, 0)


def project_rollup(budget_fen: int, tasks: Iterable[TaskFigure], today: date) -> Rollup:
    """A project from its tasks: the mean progress of the tasks not cancelled (a done
    task counts 100), the money spent on all of them, how many are done and overdue."""
    listed = list(tasks)
    counted = [t for t in listed if t.status != TaskStatus.CANCELLED]
    progress = None
    if counted:
        total = sum(100 if t.status == TaskStatus.DONE else t.progress for t in counted)
        progress = total // len(counted)
    return Rollup(
        progress=progress,
        budget_fen=budget_fen,
        spent_fen=sum(t.spent_fen for t in listed),
        projects=1,
        tasks=len(listed),
        done=sum(1 for t in listed if t.status == TaskStatus.DONE),
        overdue=sum(1 for t in listed if is_overdue(t.due_on, t.status, today)),
    )


def combine(projects: Sequence[Rollup]) -> Rollup:
    """Projects together (a programme's subtree): progress is the mean of the projects
    that have any, weighed by budget when every one of them has a budget."""
    measured = [p for p in projects if p.progress is not None]
    progress = None
    if measured:
        if all(p.budget_fen > 0 for p in measured):
            weight = sum(p.budget_fen for p in measured)
            progress = sum((p.progress or 0) * p.budget_fen for p in measured) // weight
        else:
            progress = sum(p.progress or 0 for p in measured) // len(measured)
    return Rollup(
        progress=progress,
        budget_fen=sum(p.budget_fen for p in projects),
        spent_fen=sum(p.spent_fen for p in projects),
        projects=sum(p.projects for p in projects),
        tasks=sum(p.tasks for p in projects),
        done=sum(p.done for p in projects),
        overdue=sum(p.overdue for p in projects),
    )


def programme_rollups(
    parents: Mapping[int, int | None], projects: Mapping[int, Sequence[Rollup]]
) -> dict[int, Rollup]:
    """Every programme's rollup over its subtree: ``parents`` maps each programme to its
    parent (None at the top), ``projects`` each programme to its own projects' rollups.
    A parent outside ``parents`` is treated as the top."""
    children: dict[int, list[int]] = {p: [] for p in parents}
    for child, parent in parents.items():
        if parent is not None and parent in children:
            children[parent].append(child)
    result: dict[int, Rollup] = {}

    def subtree(node: int, seen: frozenset[int]) -> list[Rollup]:
        own = list(projects.get(node, ()))
        for child in children[node]:
            if child not in seen:  # a cycle cannot be stored, but never loop on one
                own.extend(subtree(child, seen | {child}))
        return own

    for programme in parents:
        result[programme] = combine(subtree(programme, frozenset({programme})))
    return result


@dataclass(frozen=True)
class TreeRow:
    id: int
    depth: int


def tree_order(parents: Mapping[int, int | None], names: Mapping[int, str]) -> list[TreeRow]:
    """The programmes depth first, siblings by name, each with its depth (for the
    indented tree); a programme whose parent is not listed starts a tree of its own."""
    children: dict[int | None, list[int]] = {}
    for node, parent in parents.items():
        key = parent if parent in parents else None
        children.setdefault(key, []).append(node)
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int, seen: frozenset[int]) -> None:
        for node in sorted(children.get(parent, ()), key=lambda n: (names.get(n, ""), n)):
            if node in seen:
                continue
            rows.append(TreeRow(node, depth))
            walk(node, depth + 1, seen | {node})

    walk(None, 0, frozenset())
    return rows


def parent_problem(chain: Sequence[int], programme_id: int | None) -> Problem | None:
    """Why a programme may not sit under the parent whose ancestor ``chain`` is given
    (the parent first, then its parent, up to the top): a loop, or too deep a tree."""
    if programme_id is not None and programme_id in chain:
        return Problem("parent_id", "A programme cannot sit under itself.")
    if len(chain) >= MAX_DEPTH:
        return Problem("parent_id", "At most %(n)s levels of programmes.", n=MAX_DEPTH)
    return None


# ---------------------------------------------------------------- money and checks

_YUAN = re.compile(r"^[0-9]{1,12}(\.[0-9]{1,2})?$")


def parse_yuan(text: str) -> int | None:
    """Yuan as typed (``12,500``, ``3 000.50``, ``¥800``) in fen; None when it is not an
    amount of at most two decimals."""
    cleaned = text.strip().replace(",", "").replace("，", "").replace(" ", "").lstrip("¥￥")
    if not _YUAN.match(cleaned):
        return None
    try:
        fen = int(Decimal(cleaned) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    return fen if fen <= MAX_FEN else None


def format_yuan(fen: int) -> str:
    """Fen as yuan with thousands separators: ``1,250,000.00``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def name_problem(field: str, text: str) -> Problem | None:
    if not 1 <= len(text.strip()) <= MAX_NAME:
        return Problem(field, "A name of 1 to %(n)s characters is required.", n=MAX_NAME)
    return None


def project_problems(
    *, name: str, budget_fen: int | None, starts_on: date | None, ends_on: date | None
) -> list[Problem]:
    problems: list[Problem] = []
    if (problem := name_problem("name", name)) is not None:
        problems.append(problem)
    if budget_fen is None or not 0 <= budget_fen <= MAX_FEN:
        problems.append(Problem("budget", "An amount in yuan, with at most two decimals."))
    if starts_on is None:
        problems.append(Problem("starts_on", "A date is required."))
    if ends_on is None:
        problems.append(Problem("ends_on", "A date is required."))
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        problems.append(Problem("ends_on", "The end cannot come before the start."))
    return problems


def task_problems(
    *, progress: int, spent_fen: int | None, due_on: date | None = None, starts_on: date | None
) -> list[Problem]:
    problems: list[Problem] = []
    if not 0 <= progress <= 100:
        problems.append(Problem("progress", "A percentage from 0 to 100."))
    if spent_fen is None or not 0 <= spent_fen <= MAX_FEN:
        problems.append(Problem("spent", "An amount in yuan, with at most two decimals."))
    if due_on is not None and starts_on is not None and due_on < starts_on:
        problems.append(Problem("due_on", "The due date cannot come before the project starts."))
    return problems


# What each status is called on the pages and in exports (catalogue ids): a task under
# way is 进行中, not the case workflow's 处置中.
TASK_LABELS: Mapping[str, str] = {
    TaskStatus.PLANNED.value: N_("planned"),
    TaskStatus.IN_PROGRESS.value: N_("Under way"),
    TaskStatus.DONE.value: N_("done"),
    TaskStatus.CANCELLED.value: N_("cancelled"),
}
