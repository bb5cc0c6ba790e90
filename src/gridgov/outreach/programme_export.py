"""A programme's projects and tasks as XLSX, in the reader's language: one sheet of
projects (with their rolled-up progress, budget and spending) and one of tasks. Every
text a person typed is made inert (no formulas)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from sqlalchemy.orm import Session

from gridgov.guard.rules import inert_cell
from gridgov.i18n import gettext
from gridgov.msgids import N_
from gridgov.outreach import programmes
from gridgov.outreach.models import Programme, Project
from gridgov.outreach.programme_rules import TASK_LABELS, TaskStatus, days_overdue
from gridgov.registry.imports import first_sheet, workbook_bytes

PROJECT_HEADERS = (
    N_("Programme"),
    N_("Project"),
    N_("Region"),
    N_("Owner"),
    N_("Starts on"),
    N_("Ends on"),
    N_("Budget (yuan)"),
    N_("Spent (yuan)"),
    N_("Progress (%)"),
    N_("Tasks"),
    N_("Done"),
    N_("Overdue"),
)
YES = N_("Yes")
TASK_HEADERS = (
    N_("Project"),
    N_("Task"),
    N_("Owner"),
    N_("Due on"),
    N_("Milestone"),
    N_("Status"),
    N_("Progress (%)"),
    N_("Spent (yuan)"),
    N_("Days overdue"),
)


def export_xlsx(
    session: Session,
    *,
    programme: Programme,
    programme_list: Sequence[Programme],
    projects: Sequence[Project],
    today: date,
    language: str,
) -> bytes:
    """The projects (of ``programme`` and the programmes below it that are listed) and
    their tasks."""

    def t(msgid: str) -> str:
        return gettext(language, msgid)

    names = {p.id: p.name for p in programme_list}
    rollups = programmes.project_rollups(session, projects, today=today)
    owners = programmes.owner_names(session, projects)
    book = Workbook()
    sheet = first_sheet(book)
    sheet.title = t("Projects")
    sheet.append([t(h) for h in PROJECT_HEADERS])
    for project in projects:
        r = rollups[project.id]
        sheet.append(
            [
                inert_cell(names.get(project.programme_id, "")),
                inert_cell(project.name),
                project.region_code,
                inert_cell(owners.get((project.owner_user_id, project.owner_org_id), "")),
                project.starts_on,
                project.ends_on,
                project.budget_fen / 100,
                r.spent_fen / 100,
                r.progress if r.progress is not None else "",
                r.tasks,
                r.done,
                r.overdue,
            ]
        )
    tasks_sheet = book.create_sheet(t("Tasks"))
    tasks_sheet.append([t(h) for h in TASK_HEADERS])
    for project in projects:
        tasks = programmes.project_tasks(session, project)
        task_owners = programmes.owner_names(session, tasks)
        for task in tasks:
            status = TaskStatus(task.status)
            tasks_sheet.append(
                [
                    inert_cell(project.name),
                    inert_cell(task.title),
                    inert_cell(task_owners.get((task.owner_user_id, task.owner_org_id), "")),
                    task.due_on,
                    t(YES) if task.milestone else "",
                    t(TASK_LABELS[status.value]),
                    task.progress,
                    task.spent_fen / 100,
                    days_overdue(task.due_on, status, today) or "",
                ]
            )
    return workbook_bytes(book)
