"""Programmes and projects (党建+项目; Qianhai's "1+6+9"): a tree of programmes, projects
under a programme (an owner, a budget, dates, the grids and units they serve), tasks
under a project (an owner, a due date, milestones, status, progress, money spent), the
progress rolled up (``programme_rules``), and the overdue tasks of an area.

Scoping: a programme, a project and a task each carry a region code; a viewer sees
the projects and tasks inside their scope, and the programmes inside it or of a wider
area holding it (the district's "1+6+9" is every community's, counted over the
projects the viewer may see). A project's region lies inside its programme's, its
grids inside its own; a task carries its project's region.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import TypeVar

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.rules import (
    SCOPE_LENGTHS,
    STAFF_ROLES,
    Role,
    may_access,
    scope_clause,
    within_view,
)
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.db import visible_row
from gridgov.errors import Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.outreach.models import Programme, Project, ProjectGrid, ProjectTask, ProjectUnit
from gridgov.outreach.programme_rules import (
    MAX_LINKS,
    MAX_NOTE,
    Rollup,
    TaskFigure,
    TaskStatus,
    check_task_transition,
    days_overdue,
    name_problem,
    parent_problem,
    programme_rollups,
    project_problems,
    project_rollup,
    settled_progress,
    task_problems,
)
from gridgov.outreach.service import check_scope
from gridgov.registry import public as registry
from gridgov.registry.rules import PARTY_KINDS
from gridgov.territory import service as territory

# Who plans (programmes, projects) and who keeps tasks up to date, within their scope;
# a task's own owner may always update it.
PLAN_ROLES = frozenset({Role.ADMIN, Role.LEADER, Role.BRANCH_SECRETARY})
TASK_ROLES = PLAN_ROLES | {Role.UNIT_STAFF}
MAX_LIST = 2000


_Row = TypeVar("_Row", Programme, Project, ProjectTask)


def visible(actor: Actor, row: Programme | Project | ProjectTask) -> bool:
    """Whether ``actor`` may see the row (the pages' ``scoped`` loader asks this): a
    project or task inside their area; a programme inside it or one of a wider area
    that holds it (a district's programme is every community's)."""
    if actor.role == "system":
        return True
    if actor.role not in STAFF_ROLES or not actor.scope:
        return False
    if isinstance(row, Programme) and actor.scope.startswith(row.region_code):
        return True
    return may_access(actor.scope, row.region_code)


@dataclass(frozen=True)
class Owner:
    user_id: int | None
    org_id: int | None


def _owner(
    session: Session, *, username: str, org_code: str, region_code: str, field: str
) -> Owner | Problem:
    """A staff account (by username) whose scope covers the region, or a party
    organisation (by code); exactly one of them."""
    username, org_code = username.strip(), org_code.strip()
    if bool(username) == bool(org_code):
        return Problem(field, "Name either a staff account or a party organisation.")
    if username:
        try:
            user = accounts.get_user_by_username(session, username=username[:64])
        except NotFound:
            return Problem(field, "No staff account is called %(name)s.", name=username[:64])
        if (
            not user.is_active
            or user.role not in STAFF_ROLES
            or not may_access(user.scope, region_code)
        ):
            return Problem(field, "%(name)s does not work in this area.", name=username[:64])
        return Owner(user.id, None)
    found = registry.organisations_by_code(session, [org_code[:32]]).get(org_code[:32])
    if found is None or found[1] not in PARTY_KINDS:
        return Problem(field, "No party organisation has the code %(code)s.", code=org_code[:32])
    return Owner(None, found[0])


# ---------------------------------------------------------------- programmes


def _ancestors(session: Session, parent_id: int) -> list[int]:
    chain: list[int] = []
    current: int | None = parent_id
    while current is not None and current not in chain and len(chain) < 16:
        chain.append(current)
        current = session.scalar(select(Programme.parent_id).where(Programme.id == current))
    return chain


def do_create_programme(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    name: str,
    summary: str = "",
    parent: Programme | None = None,
    now: datetime,
) -> Programme:
    """A programme of the area ``region_code``, under ``parent`` (whose area holds it)
    or at the top."""
    region_code = region_code.strip()
    check_scope(actor, region_code, PLAN_ROLES)
    problems: list[Problem] = []
    if (problem := name_problem("name", name)) is not None:
        problems.append(problem)
    if len(summary) > MAX_NOTE:
        problems.append(Problem("summary", "At most %(n)s characters.", n=MAX_NOTE))
    if region_code not in territory.region_names(session, [region_code]):
        problems.append(
            Problem("region_code", "No region has the code %(code)s.", code=region_code)
        )
    if parent is not None:
        if not region_code.startswith(parent.region_code):
            problems.append(
                Problem("region_code", "A sub-programme lies inside its parent's area.")
            )
        if (problem := parent_problem(_ancestors(session, parent.id), None)) is not None:
            problems.append(problem)
    if problems:
        raise InvalidInput("The programme was not created.", details=problems)
    programme = Programme(
        parent_id=parent.id if parent else None,
        region_code=region_code,
        name=name.strip(),
        summary=summary.strip(),
        created_by=actor.username,
        created_at=now,
    )
    audit_summary = {"parent": programme.parent_id}
    return add_and_record(
        session, actor, "programme.created", programme, now=now, summary=audit_summary
    )


def list_programmes(session: Session, *, viewer: Actor) -> list[Programme]:
    """The programmes of the viewer's area and of the wider areas holding it."""
    query = select(Programme).order_by(Programme.id).limit(MAX_LIST)
    if viewer.role != "system":
        scope = viewer.scope or ""
        wider = [scope[:n] for n in SCOPE_LENGTHS if n < len(scope)]
        query = query.where(
            or_(scope_clause(viewer.scope, Programme.region_code), Programme.region_code.in_(wider))
        )
    return list(session.scalars(query))


def _get_visible(session: Session, model: type[_Row], row_id: int, viewer: Actor) -> _Row:
    return visible_row(session, model, row_id, partial(visible, viewer), missing=N_("Not found."))


def get_programme(session: Session, *, programme_id: int, viewer: Actor) -> Programme:
    return _get_visible(session, Programme, programme_id, viewer)


def subtree_ids(programmes: Sequence[Programme], root: int) -> list[int]:
    """``root`` and every programme below it among ``programmes``."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for p in programmes:
        children[p.parent_id].append(p.id)
    found, todo = [], [root]
    while todo:
        node = todo.pop()
        if node in found:
            continue
        found.append(node)
        todo.extend(children[node])
    return found


# ---------------------------------------------------------------- projects


@dataclass(frozen=True)
class ProjectInput:
    name: str
    region_code: str
    owner_username: str = ""
    owner_org_code: str = ""
    budget_fen: int | None = 0
    starts_on: date | None = None
    ends_on: date | None = None
    grid_codes: Sequence[str] = ()
    unit_codes: Sequence[str] = ()


def do_create_project(
    session: Session, *, actor: Actor, programme: Programme, value: ProjectInput, now: datetime
) -> Project:
    region_code = value.region_code.strip() or programme.region_code
    check_scope(actor, region_code, PLAN_ROLES)
    if not visible(actor, programme):
        raise NotFound("Not found.")
    problems = project_problems(
        name=value.name,
        budget_fen=value.budget_fen,
        starts_on=value.starts_on,
        ends_on=value.ends_on,
    )
    grids = sorted({g.strip() for g in value.grid_codes if g.strip()})
    units = sorted({u.strip() for u in value.unit_codes if u.strip()})
    if not region_code.startswith(programme.region_code):
        problems.append(Problem("region_code", "A project lies inside its programme's area."))
    names = territory.region_names(session, [region_code, *grids])
    if region_code not in names:
        problems.append(
            Problem("region_code", "No region has the code %(code)s.", code=region_code)
        )
    if len(grids) > MAX_LINKS or len(units) > MAX_LINKS:
        problems.append(Problem("grids", "At most %(n)s grids and units.", n=MAX_LINKS))
    for code in grids[:MAX_LINKS]:
        if code not in names or not code.startswith(region_code):
            problems.append(
                Problem("grids", "%(code)s is not a region of the project's area.", code=code[:18])
            )
    found = registry.organisations_by_code(session, [u[:32] for u in units[:MAX_LINKS]])
    for code in units[:MAX_LINKS]:
        if code[:32] not in found:
            problems.append(
                Problem("units", "No organisation has the code %(code)s.", code=code[:32])
            )
    owner = _owner(
        session,
        username=value.owner_username,
        org_code=value.owner_org_code,
        region_code=region_code,
        field="owner",
    )
    if isinstance(owner, Problem):
        problems.append(owner)
    if problems or isinstance(owner, Problem) or value.starts_on is None or value.ends_on is None:
        raise InvalidInput("The project was not created.", details=problems)
    project = Project(
        programme_id=programme.id,
        region_code=region_code,
        name=value.name.strip(),
        owner_user_id=owner.user_id,
        owner_org_id=owner.org_id,
        budget_fen=value.budget_fen or 0,
        starts_on=value.starts_on,
        ends_on=value.ends_on,
        created_by=actor.username,
        created_at=now,
    )
    session.add(project)
    session.flush()
    if grids:
        session.execute(
            insert(ProjectGrid), [{"project_id": project.id, "region_code": g} for g in grids]
        )
    if units:
        session.execute(
            insert(ProjectUnit),
            [{"project_id": project.id, "organisation_id": found[u][0]} for u in units],
        )
    summary = {
        "programme": programme.id,
        "budget_fen": project.budget_fen,
        "grids": len(grids),
        "units": len(units),
    }
    record_about(session, actor, "project.created", project, now=now, summary=summary)
    return project


def get_project(session: Session, *, project_id: int, viewer: Actor) -> Project:
    return _get_visible(session, Project, project_id, viewer)


def list_projects(
    session: Session, *, viewer: Actor, programme_ids: Sequence[int] | None = None
) -> list[Project]:
    query = select(Project).order_by(Project.programme_id, Project.name, Project.id)
    query = within_view(query, viewer, Project.region_code)
    if programme_ids is not None:
        query = query.where(Project.programme_id.in_(list(programme_ids)))
    return list(session.scalars(query.limit(MAX_LIST)))


@dataclass(frozen=True)
class ProjectLinks:
    grids: list[tuple[str, str]]  # code, name
    units: list[tuple[int, str]]  # id, name


def project_links(session: Session, project: Project) -> ProjectLinks:
    codes = list(
        session.scalars(
            select(ProjectGrid.region_code)
            .where(ProjectGrid.project_id == project.id)
            .order_by(ProjectGrid.region_code)
        )
    )
    ids = list(
        session.scalars(
            select(ProjectUnit.organisation_id).where(ProjectUnit.project_id == project.id)
        )
    )
    names = territory.region_names(session, codes)
    units = registry.organisation_names(session, ids)
    return ProjectLinks(
        grids=[(c, names.get(c, "")) for c in codes],
        units=sorted(units.items(), key=lambda item: item[1]),
    )


# ---------------------------------------------------------------- tasks


@dataclass(frozen=True)
class TaskInput:
    title: str
    due_on: date | None
    milestone: bool = False
    owner_username: str = ""
    owner_org_code: str = ""


def do_add_task(
    session: Session, *, actor: Actor, project: Project, value: TaskInput, now: datetime
) -> ProjectTask:
    """A planned task of the project; without an owner named, the project's owner."""
    check_scope(actor, project.region_code, TASK_ROLES)
    problems: list[Problem] = []
    if (problem := name_problem("title", value.title)) is not None:
        problems.append(problem)
    if value.due_on is None:
        problems.append(Problem("due_on", "A date is required."))
    problems.extend(
        task_problems(progress=0, spent_fen=0, due_on=value.due_on, starts_on=project.starts_on)
    )
    owner: Owner | Problem = Owner(project.owner_user_id, project.owner_org_id)
    if value.owner_username.strip() or value.owner_org_code.strip():
        owner = _owner(
            session,
            username=value.owner_username,
            org_code=value.owner_org_code,
            region_code=project.region_code,
            field="owner",
        )
        if isinstance(owner, Problem):
            problems.append(owner)
    if problems or isinstance(owner, Problem) or value.due_on is None:
        raise InvalidInput("The task was not added.", details=problems)
    task = ProjectTask(
        project_id=project.id,
        region_code=project.region_code,
        title=value.title.strip(),
        owner_user_id=owner.user_id,
        owner_org_id=owner.org_id,
        due_on=value.due_on,
        milestone=value.milestone,
        status=TaskStatus.PLANNED.value,
        progress=0,
        spent_fen=0,
        note="",
        updated_by=actor.username,
        updated_at=now,
    )
    summary = {
        "project": project.id,
        "due_on": value.due_on.isoformat(),
        "milestone": value.milestone,
    }
    return add_and_record(session, actor, "project_task.added", task, now=now, summary=summary)


def get_task(session: Session, *, task_id: int, viewer: Actor) -> ProjectTask:
    return _get_visible(session, ProjectTask, task_id, viewer)


def may_update_task(actor: Actor, task: ProjectTask) -> bool:
    if actor.role == "system":
        return True
    if not may_access(actor.scope, task.region_code):
        return False
    return actor.role in TASK_ROLES or (
        actor.user_id is not None and actor.user_id == task.owner_user_id
    )


def do_update_task(
    session: Session,
    *,
    actor: Actor,
    task: ProjectTask,
    status: TaskStatus,
    progress: int,
    spent_fen: int | None,
    note: str = "",
    today: date,
    now: datetime,
) -> ProjectTask:
    """Move a task on: its status, progress (100 when done, 0 when planned) and the
    money spent so far; the date it was done is today's (the office's)."""
    if not may_update_task(actor, task):
        if not may_access(actor.scope, task.region_code):
            raise NotFound("Not found.")
        raise Forbidden("Your role may not do this.")
    problems = task_problems(progress=progress, spent_fen=spent_fen, starts_on=None)
    if len(note) > MAX_NOTE:
        problems.append(Problem("note", "At most %(n)s characters.", n=MAX_NOTE))
    if problems or spent_fen is None:
        raise InvalidInput("The task was not updated.", details=problems)
    current = TaskStatus(task.status)
    check_task_transition(current, status)
    before = {"status": task.status, "progress": task.progress, "spent_fen": task.spent_fen}
    task.status = status.value
    task.progress = settled_progress(status, progress)
    task.spent_fen = spent_fen
    if note.strip():
        task.note = note.strip()
    if status == TaskStatus.DONE and current != TaskStatus.DONE:
        task.done_on = today
    elif status != TaskStatus.DONE:
        task.done_on = None
    task.updated_by = actor.username
    task.updated_at = now
    session.flush()
    summary = {
        "from": before,
        "to": {"status": task.status, "progress": task.progress, "spent_fen": task.spent_fen},
    }
    record_about(session, actor, "project_task.updated", task, now=now, summary=summary)
    return task


def project_tasks(session: Session, project: Project) -> list[ProjectTask]:
    return list(
        session.scalars(
            select(ProjectTask)
            .where(ProjectTask.project_id == project.id)
            .order_by(ProjectTask.due_on, ProjectTask.id)
            .limit(MAX_LIST)
        )
    )


def owner_names(
    session: Session, rows: Sequence[Project | ProjectTask]
) -> dict[tuple[int | None, int | None], str]:
    """(user id, organisation id) → the owner's name, for the rows' owners."""
    users = accounts.user_names(session, [r.owner_user_id for r in rows if r.owner_user_id])
    orgs = registry.organisation_names(session, [r.owner_org_id for r in rows if r.owner_org_id])
    names: dict[tuple[int | None, int | None], str] = {}
    for r in rows:
        key = (r.owner_user_id, r.owner_org_id)
        if r.owner_user_id is not None:
            names[key] = users.get(r.owner_user_id, "")
        elif r.owner_org_id is not None:
            names[key] = orgs.get(r.owner_org_id, "")
    return names


# ---------------------------------------------------------------- rolling up


def project_rollups(
    session: Session, projects: Sequence[Project], *, today: date
) -> dict[int, Rollup]:
    """Each project's progress, money and task counts, in one query for all of them."""
    ids = [p.id for p in projects]
    figures: dict[int, list[TaskFigure]] = defaultdict(list)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        rows = session.execute(
            select(
                ProjectTask.project_id,
                ProjectTask.status,
                ProjectTask.progress,
                ProjectTask.spent_fen,
                ProjectTask.due_on,
            ).where(ProjectTask.project_id.in_(chunk))
        )
        for pid, status, progress, spent, due in rows:
            figures[pid].append(TaskFigure(TaskStatus(status), progress, spent, due))
    return {p.id: project_rollup(p.budget_fen, figures[p.id], today) for p in projects}


def tree_rollups(
    programmes: Sequence[Programme], projects: Sequence[Project], rollups: dict[int, Rollup]
) -> dict[int, Rollup]:
    """Each programme's rollup over its subtree of the listed programmes and projects."""
    own: dict[int, list[Rollup]] = defaultdict(list)
    for project in projects:
        own[project.programme_id].append(rollups[project.id])
    return programme_rollups({p.id: p.parent_id for p in programmes}, own)


# ---------------------------------------------------------------- overdue


@dataclass(frozen=True)
class OverdueTask:
    task_id: int
    title: str
    project_id: int
    project_name: str
    region_code: str
    due_on: date
    days_overdue: int
    milestone: bool
    owner: str


def overdue_tasks(
    session: Session, *, scope: str | None, today: date, limit: int = 10
) -> tuple[int, list[OverdueTask]]:
    """How many tasks in ``scope`` are overdue at ``today`` (the office's date), and
    the ``limit`` most overdue of them (the earliest due first)."""
    if not scope:
        return 0, []
    late = (
        scope_clause(scope, ProjectTask.region_code),
        ProjectTask.due_on < today,
        ProjectTask.status.in_([TaskStatus.PLANNED.value, TaskStatus.IN_PROGRESS.value]),
    )
    count = session.scalar(select(func.count()).select_from(ProjectTask).where(*late)) or 0
    rows = session.execute(
        select(ProjectTask, Project.name)
        .join(Project, Project.id == ProjectTask.project_id)
        .where(*late)
        .order_by(ProjectTask.due_on, ProjectTask.id)
        .limit(limit)
    ).all()
    names = owner_names(session, [task for task, _name in rows])
    return count, [
        OverdueTask(
            task_id=task.id,
            title=task.title,
            project_id=task.project_id,
            project_name=name,
            region_code=task.region_code,
            due_on=task.due_on,
            days_overdue=days_overdue(task.due_on, TaskStatus(task.status), today),
            milestone=task.milestone,
            owner=names.get((task.owner_user_id, task.owner_org_id), ""),
        )
        for task, name in rows
    ]
