"""The working calendar's admin page: each year's status (known from the package,
marked complete by an administrator, or unknown) with its entered holidays; mark a year
complete, enter a day off or a make-up working day."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.cases import service
from gridgov.cases.models import Case
from gridgov.errors import DomainError, InvalidInput, Problem
from gridgov.msgids import N_
from gridgov.web import i18n
from gridgov.web.deps import CsrfChecked, require_roles
from gridgov.web.render import render_form
from gridgov.web.toolkit import Desk, desk

router = APIRouter(include_in_schema=False)
# The calendar's warning (cases.calendar.UNKNOWN_YEAR), marked here for the catalogues.
UNKNOWN_YEAR_MESSAGE = N_(
    "The holiday calendar does not know %(year)s; weekends only were used for %(year)s."
)


def due_warnings(session: Session, case: Case, language: str, tz: str) -> list[str]:
    """One warning per year the case's clocks run through that the calendar does not
    know, in the reader's language: shown on the case page and in every API answer
    that carries its due times."""
    return [
        i18n.gettext(language, UNKNOWN_YEAR_MESSAGE, {"year": year})
        for year in service.unknown_years(session, case, tz)
    ]


AdminPage = Annotated[User, Depends(require_roles(Role.ADMIN, page=True))]
AdminDesk = Annotated[Desk, Depends(desk(AdminPage, name="admin_desk"))]


def _page(desk: Desk, *, error: DomainError | None = None) -> HTMLResponse:
    years = service.holiday_years(desk.session, today=desk.today)
    return render_form(desk.request, "cases/calendar.html", {"years": years}, error)


@router.get("/admin/calendar", response_class=HTMLResponse)
def calendar_page(desk: AdminDesk) -> HTMLResponse:
    return _page(desk)


@router.post("/admin/calendar/years", response_class=HTMLResponse, dependencies=[CsrfChecked])
def mark_year(
    desk: AdminDesk,
    year: Annotated[int, Form(ge=2000, le=2200)],
    complete: Annotated[bool, Form()] = False,
) -> Response:
    return desk.form(
        desk.action(service.do_mark_holiday_year, year=year, complete=complete),
        to="/admin/calendar",
        on_error=lambda exc: _page(desk, error=exc),
    )


@router.post("/admin/calendar/days", response_class=HTMLResponse, dependencies=[CsrfChecked])
def set_day(
    desk: AdminDesk,
    day: Annotated[str, Form(max_length=10)],
    workday: Annotated[bool, Form()] = False,
    note: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    def run() -> None:
        try:
            parsed = date.fromisoformat(day.strip())
        except ValueError as exc:
            raise InvalidInput(
                N_("Give the day as YYYY-MM-DD."),
                details=[Problem("day", N_("Give the day as YYYY-MM-DD."))],
            ) from exc
        desk.run(service.do_set_holiday, day=parsed, is_workday=workday, note=note)

    return desk.form(run, to="/admin/calendar", on_error=lambda exc: _page(desk, error=exc))
