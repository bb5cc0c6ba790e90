"""Account administration pages: list, create, disable and enable users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from gridgov.accounts import service
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.errors import DomainError
from gridgov.msgids import N_
from gridgov.web import i18n
from gridgov.web.deps import CsrfChecked, SessionDep, actor_of, require_roles
from gridgov.web.render import error_problems, language_of, render
from gridgov.web.toolkit import Desk, committed, desk, scoped

router = APIRouter(include_in_schema=False)

AdminPage = Annotated[User, Depends(require_roles(Role.ADMIN, page=True))]
ReaderPage = Annotated[User, Depends(require_roles(Role.ADMIN, Role.AUDITOR, page=True))]
AdminDesk = Annotated[Desk, Depends(desk(AdminPage, name="admin_desk"))]


scoped_user_page = scoped(User, "user_id", ReaderPage, service.may_see_user)
ScopedUserPage = Annotated[User, Depends(scoped_user_page)]


def _users_page(
    request: Request,
    viewer: User,
    session: SessionDep,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = language_of(request)
    users = service.list_users(session, viewer=actor_of(request, viewer))
    context = {
        "users": users,
        "roles": list(Role),
        "form": form or {"scope": viewer.effective_scope or ""},
        "error": i18n.gettext(language, error.message, error.params) if error else None,
        "problems": error_problems(language, error),
    }
    return render(request, "accounts/users.html", context, status_code=status_code)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, viewer: ReaderPage, session: SessionDep) -> HTMLResponse:
    return _users_page(request, viewer, session)


class NewUser(BaseModel):
    """The new account form (``do_create_user``'s fields)."""

    username: str = Field(default="", max_length=64)
    role: str = Field(default="", max_length=32)
    scope: str = Field(default="", max_length=15)
    password: str = Field(default="", max_length=1024)
    display_name: str = Field(default="", max_length=128)


@router.post("/users", response_class=HTMLResponse, dependencies=[CsrfChecked])
def create_user_submit(desk: AdminDesk, new: Annotated[NewUser, Form()]) -> Response:
    form = new.model_dump(exclude={"password"})
    return desk.form(
        desk.action(service.do_create_user, **new.model_dump()),
        to="/users",
        flash=N_("The account was created."),
        on_error=lambda exc: _users_page(
            desk.request, desk.user, desk.session, error=exc, form=form, status_code=exc.status
        ),
    )


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request, target: ScopedUserPage, viewer: ReaderPage, session: SessionDep
) -> HTMLResponse:
    from gridgov.accounts import units

    context = {"target": target, "unit": units.unit_of(session, target)}
    return render(request, "accounts/user.html", context)


def _account_switch(verb: str, do: Callable[..., object]) -> None:
    """``POST /users/{id}/<verb>``: ``do`` (disable or enable) on the account, back to it."""

    def handler(desk: AdminDesk, target: ScopedUserPage) -> Response:
        desk.run(do, user=target)
        return committed(desk.session, f"/users/{target.id}")

    handler.__name__ = handler.__qualname__ = f"{verb}_submit"
    router.post(f"/users/{{user_id}}/{verb}", dependencies=[CsrfChecked])(handler)


_account_switch("disable", service.do_disable_user)
_account_switch("enable", service.do_enable_user)
