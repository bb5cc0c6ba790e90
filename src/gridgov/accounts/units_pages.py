"""Units' pages: the admin puts an account in a unit from the account's page; a unit's
page lists its staff and links its inbox."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from gridgov.accounts import units
from gridgov.accounts.models import User
from gridgov.accounts.pages import AdminPage, ScopedUserPage
from gridgov.accounts.rules import Role, may_access
from gridgov.errors import DomainError
from gridgov.web.deps import CsrfChecked, Now, SessionDep, actor_of, in_scope, require_roles
from gridgov.web.render import error_message, language_of, render
from gridgov.web.toolkit import form_action

router = APIRouter(include_in_schema=False)

UnitReader = Annotated[
    User,
    Depends(
        require_roles(
            Role.ADMIN,
            Role.AUDITOR,
            Role.DISPATCHER,
            Role.LEADER,
            Role.UNIT_STAFF,
            Role.BRANCH_SECRETARY,
            page=True,
        )
    ),
]


@router.post("/users/{user_id}/unit", response_class=HTMLResponse, dependencies=[CsrfChecked])
def set_unit_submit(
    request: Request,
    admin: AdminPage,
    target: ScopedUserPage,
    session: SessionDep,
    now: Now,
    unit: Annotated[str, Form(max_length=128)] = "",
) -> Response:
    """Put the account in the unit typed (code or name); empty takes it out."""
    actor = actor_of(request, admin)

    def run() -> None:
        found = units.find_unit(session, text=unit, viewer=actor) if unit.strip() else None
        units.do_set_unit(session, actor=actor, user=target, unit=found, now=now)

    def again(exc: DomainError) -> Response:
        context = {
            "target": target,
            "unit": units.unit_of(session, target),
            "unit_error": error_message(language_of(request), exc),
            "unit_text": unit,
        }
        return render(request, "accounts/user.html", context, status_code=exc.status)

    return form_action(session, run, to=f"/users/{target.id}", on_error=again)


@router.get("/units/{unit_id}", response_class=HTMLResponse)
def unit_page(
    request: Request, unit_id: int, viewer: UnitReader, session: SessionDep, now: Now
) -> HTMLResponse:
    """The unit, its staff (active first) and a link to its inbox."""
    unit = in_scope(
        request,
        session,
        now,
        viewer,
        units.get_unit(session, unit_id=unit_id),
        visible=lambda unit: (
            viewer.organisation_id == unit.id
            or may_access(viewer.effective_scope, unit.region_code)
        ),
        object_type="unit",
        object_id=str(unit_id),
    )
    staff = units.list_staff(session, unit=unit)
    context = {
        "unit": unit,
        "staff": staff,
        "active": sum(1 for u in staff if u.is_active),
        "may_see_accounts": viewer.role in (Role.ADMIN.value, Role.AUDITOR.value),
    }
    return render(request, "accounts/unit.html", context)
