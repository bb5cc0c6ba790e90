"""Programme pages (党建+项目, 1+6+9): the programme tree with each programme's rolled-up
progress, budget and overdue tasks; a programme with its projects (add one, XLSX); a
project with its tasks (add one, move one on: status, progress, money spent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response

from gridgov.audit.service import Actor
from gridgov.errors import DomainError
from gridgov.msgids import N_
from gridgov.outreach import programme_export, programmes
from gridgov.outreach.models import Programme, Project, ProjectTask
from gridgov.outreach.programme_rules import (
    CLOSED,
    TASK_LABELS,
    TASK_TRANSITIONS,
    Rollup,
    TaskStatus,
    days_overdue,
    format_yuan,
    parse_yuan,
    tree_order,
)
from gridgov.web.regions import region_choices
from gridgov.web.render import download, language_of, render_form
from gridgov.web.toolkit import Desk, StaffDesk, StaffPage, form_post, scoped

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Text200 = Annotated[str, Form(max_length=200)]
Short = Annotated[str, Form(max_length=64)]
DateText = Annotated[str, Form(max_length=10)]
Codes = Annotated[str, Form(max_length=4000)]

ScopedProgramme = Annotated[
    Programme,
    Depends(scoped(Programme, "programme_id", StaffPage, programmes.visible)),
]
ScopedProject = Annotated[
    Project,
    Depends(scoped(Project, "project_id", StaffPage, programmes.visible)),
]
ScopedTask = Annotated[
    ProjectTask,
    Depends(
        scoped(ProjectTask, "task_id", StaffPage, programmes.visible, object_type="project_task")
    ),
]


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _codes(text: str) -> list[str]:
    """Codes typed one a line or separated by commas, spaces or 、."""
    for sep in (",", "，", "、", "\n", "\r", "\t"):
        text = text.replace(sep, " ")
    return [c for c in text.split(" ") if c]


def _may_plan(actor: Actor) -> bool:
    return actor.role in {r.value for r in programmes.PLAN_ROLES}


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class _Summed:
    """The programmes the viewer sees (``by_id``, in list order), the projects under
    the ones added up (``below``: a programme's subtree; all of them for the whole tree),
    each project's rollup and each added-up programme's rollup (``tree``)."""

    by_id: dict[int, Programme]
    below: list[int]
    projects: list[Project]
    rollups: dict[int, Rollup]
    tree: dict[int, Rollup]


def _summed(desk: Desk, root: Programme | None = None) -> _Summed:
    """What the tree page (no ``root``) and a programme's page (its subtree) add up."""
    session, actor = desk.session, desk.actor
    listed = programmes.list_programmes(session, viewer=actor)
    by_id = {p.id: p for p in listed}
    below = None if root is None else programmes.subtree_ids(listed, root.id)
    projects = programmes.list_projects(session, viewer=actor, programme_ids=below)
    rollups = programmes.project_rollups(session, projects, today=desk.today)
    added = listed if below is None else [by_id[i] for i in below]
    tree = programmes.tree_rollups(added, projects, rollups)
    return _Summed(by_id, below or [], projects, rollups, tree)


def _tree_page(
    desk: Desk,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    summed = _summed(desk)
    by_id, listed = summed.by_id, list(summed.by_id.values())
    order = tree_order({p.id: p.parent_id for p in listed}, {p.id: p.name for p in listed})
    # Projects in the viewer's area under a programme of a wider area they cannot open.
    elsewhere = [p for p in summed.projects if p.programme_id not in by_id]
    return render_form(
        desk.request,
        "outreach/programmes.html",
        {
            "rows": [(by_id[row.id], row.depth, summed.tree[row.id]) for row in order],
            "elsewhere": [(p, summed.rollups[p.id]) for p in elsewhere],
            "may_plan": (may_plan := _may_plan(desk.actor)),
            "yuan": format_yuan,
            "form": form or {},
            # the regions a new programme can cover, by name
            "regions": region_choices(desk.session, desk.actor, PROGRAMME_LEVELS)
            if may_plan
            else [],
        },
        error,
    )


PROGRAMME_LEVELS = ("district", "street", "community")


@router.get("/outreach/programmes", response_class=HTMLResponse)
def programmes_page(desk: StaffDesk) -> HTMLResponse:
    return _tree_page(desk)


@form_post(router, "/outreach/programmes")
def programme_create(
    desk: StaffDesk,
    name: Text200 = "",
    region_code: Annotated[str, Form(max_length=18)] = "",
    parent_id: Annotated[int | None, Form(ge=1)] = None,
    summary: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    session, actor = desk.session, desk.actor

    def run() -> Programme:
        parent = (
            programmes.get_programme(session, programme_id=parent_id, viewer=actor)
            if parent_id
            else None
        )
        return programmes.do_create_programme(
            session,
            actor=actor,
            region_code=region_code,
            name=name,
            summary=summary,
            parent=parent,
            now=desk.now,
        )

    form = {"name": name, "region_code": region_code, "summary": summary}
    return desk.form(
        run,
        to=lambda p: f"/outreach/programmes/{p.id}",
        on_error=lambda exc: _tree_page(desk, error=exc, form=form),
        flash=N_("The programme was created."),
    )


# ---------------------------------------------------------------- a programme


def _programme_page(
    desk: Desk,
    programme: Programme,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    summed = _summed(desk, programme)
    by_id, below, tree, rollups = summed.by_id, summed.below, summed.tree, summed.rollups
    trail: list[Programme] = []
    parent = by_id.get(programme.parent_id or 0)
    while parent is not None and parent not in trail:
        trail.insert(0, parent)
        parent = by_id.get(parent.parent_id or 0)
    own = [p for p in summed.projects if p.programme_id == programme.id]
    owners = programmes.owner_names(desk.session, own)
    return render_form(
        desk.request,
        "outreach/programme.html",
        {
            "programme": programme,
            "trail": trail,
            "rollup": tree[programme.id],
            "children": [
                (by_id[i], tree[i])
                for i in below
                if i in by_id and by_id[i].parent_id == programme.id
            ],
            "projects": [
                (p, rollups[p.id], owners.get((p.owner_user_id, p.owner_org_id), "")) for p in own
            ],
            "may_plan": _may_plan(desk.actor),
            "yuan": format_yuan,
            "form": form or {},
        },
        error,
    )


@router.get("/outreach/programmes/{programme_id}", response_class=HTMLResponse)
def programme_page(
    programme: ScopedProgramme,
    desk: StaffDesk,
) -> HTMLResponse:
    return _programme_page(desk, programme)


@form_post(router, "/outreach/programmes/{programme_id}/projects")
def project_create(
    programme: ScopedProgramme,
    desk: StaffDesk,
    name: Text200 = "",
    region_code: Annotated[str, Form(max_length=18)] = "",
    owner_username: Short = "",
    owner_org_code: Short = "",
    budget: Annotated[str, Form(max_length=32)] = "0",
    starts_on: DateText = "",
    ends_on: DateText = "",
    grids: Codes = "",
    units: Codes = "",
) -> Response:
    value = programmes.ProjectInput(
        name=name,
        region_code=region_code,
        owner_username=owner_username,
        owner_org_code=owner_org_code,
        budget_fen=parse_yuan(budget),
        starts_on=_date(starts_on),
        ends_on=_date(ends_on),
        grid_codes=_codes(grids),
        unit_codes=_codes(units),
    )
    form = {
        "name": name,
        "region_code": region_code,
        "owner_username": owner_username,
        "owner_org_code": owner_org_code,
        "budget": budget,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "grids": grids,
        "units": units,
    }
    return desk.form(
        desk.action(programmes.do_create_project, programme=programme, value=value),
        to=lambda p: f"/outreach/projects/{p.id}",
        on_error=lambda exc: _programme_page(desk, programme, error=exc, form=form),
        flash=N_("The project was created."),
    )


@router.get("/outreach/programmes/{programme_id}/projects.xlsx")
def programme_xlsx(
    programme: ScopedProgramme,
    desk: StaffDesk,
) -> Response:
    session, actor, today = desk.session, desk.actor, desk.today
    listed = programmes.list_programmes(session, viewer=actor)
    below = programmes.subtree_ids(listed, programme.id)
    projects = programmes.list_projects(session, viewer=actor, programme_ids=below)
    data = programme_export.export_xlsx(
        session,
        programme=programme,
        programme_list=listed,
        projects=projects,
        today=today,
        language=language_of(desk.request),
    )
    return download(data, f"项目-{programme.id}.xlsx", XLSX)


# ---------------------------------------------------------------- a project


def _project_page(
    desk: Desk,
    project: Project,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    session, actor, today = desk.session, desk.actor, desk.today
    tasks = programmes.project_tasks(session, project)
    owners = programmes.owner_names(session, [project, *tasks])
    rollup = programmes.project_rollups(session, [project], today=today)[project.id]
    programme = session.get(Programme, project.programme_id)
    return render_form(
        desk.request,
        "outreach/project.html",
        {
            "project": project,
            "programme": programme
            if programme is not None and programmes.visible(actor, programme)
            else None,
            "owner": owners.get((project.owner_user_id, project.owner_org_id), ""),
            "links": programmes.project_links(session, project),
            "rollup": rollup,
            "tasks": [
                {
                    "task": t,
                    "owner": owners.get((t.owner_user_id, t.owner_org_id), ""),
                    "late": days_overdue(t.due_on, TaskStatus(t.status), today),
                    "may_update": programmes.may_update_task(actor, t)
                    and TaskStatus(t.status) != TaskStatus.CANCELLED,
                    "next": [
                        TaskStatus(t.status),
                        *sorted(TASK_TRANSITIONS[TaskStatus(t.status)], key=list(TaskStatus).index),
                    ],
                    "closed": TaskStatus(t.status) in CLOSED,
                }
                for t in tasks
            ],
            "may_add": actor.role in {r.value for r in programmes.TASK_ROLES},
            "labels": TASK_LABELS,
            "yuan": format_yuan,
            "today": today.isoformat(),
            "form": form or {},
        },
        error,
    )


@router.get("/outreach/projects/{project_id}", response_class=HTMLResponse)
def project_page(
    project: ScopedProject,
    desk: StaffDesk,
) -> HTMLResponse:
    return _project_page(desk, project)


@form_post(router, "/outreach/projects/{project_id}/tasks")
def task_add(
    project: ScopedProject,
    desk: StaffDesk,
    title: Text200 = "",
    due_on: DateText = "",
    milestone: Annotated[bool, Form()] = False,
    owner_username: Short = "",
    owner_org_code: Short = "",
) -> Response:
    value = programmes.TaskInput(
        title=title,
        due_on=_date(due_on),
        milestone=milestone,
        owner_username=owner_username,
        owner_org_code=owner_org_code,
    )
    form = {
        "title": title,
        "due_on": due_on,
        "owner_username": owner_username,
        "owner_org_code": owner_org_code,
    }
    return desk.form(
        desk.action(programmes.do_add_task, project=project, value=value),
        to=f"/outreach/projects/{project.id}",
        on_error=lambda exc: _project_page(desk, project, error=exc, form=form),
        flash=N_("The task was added."),
    )


@form_post(router, "/outreach/tasks/{task_id}")
def task_update(
    task: ScopedTask,
    desk: StaffDesk,
    status: Annotated[TaskStatus, Form()],
    progress: Annotated[int, Form()] = 0,
    spent: Annotated[str, Form(max_length=32)] = "0",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    session, project_id = desk.session, task.project_id

    def again(exc: DomainError) -> Response:
        project = programmes.get_project(session, project_id=project_id, viewer=desk.actor)
        return _project_page(desk, project, error=exc)

    return desk.form(
        lambda: desk.run(
            programmes.do_update_task,
            task=task,
            status=status,
            progress=progress,
            spent_fen=parse_yuan(spent),
            note=note,
            today=desk.today,
        ),
        to=f"/outreach/projects/{project_id}#task-{task.id}",
        on_error=again,
        flash=N_("The task was updated."),
    )
