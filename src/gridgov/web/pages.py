"""The shell's pages: login, logout, the home page of each role, the language switch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from gridgov.accounts import service as accounts
from gridgov.accounts.rules import Role
from gridgov.errors import DomainError, InvalidCredentials, TooManyRequests
from gridgov.msgids import N_
from gridgov.territory import service as territory
from gridgov.web import i18n
from gridgov.web.deps import (
    CSRF_COOKIE,
    LANG_COOKIE,
    SESSION_COOKIE,
    AppState,
    CsrfChecked,
    Now,
    OptionalUser,
    PageUser,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    signed_in,
    unsign_cookie_value,
)
from gridgov.web.render import language_of, render
from gridgov.web.toolkit import safe_next

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Tile:
    title: str
    description: str
    href: str


# What each role finds on its home page. A tile appears only when its page exists.
_USERS = Tile(
    N_("Accounts"), N_("People who use gridgov in your area, their roles and scopes."), "/users"
)
_MAP = Tile(N_("Map"), N_("The grids of your area; tap to go down a level."), "/map")
_RESIDENTS = Tile(
    N_("Residents"),
    N_("The people of your area, their households and tags."),
    "/registry/residents",
)
_ORGS = Tile(
    N_("Organisations"),
    N_("Party organisations, departments, offices, enterprises."),
    "/registry/organisations",
)
_IMPORTS = Tile(
    N_("Import templates"),
    N_("Spreadsheet templates for households, residents and more."),
    "/registry/templates",
)
_CASES = Tile(
    N_("Cases"), N_("Reports to handle, by due time; escalate, resolve, verify."), "/cases"
)
_REPORT = Tile(
    N_("Report a problem"), N_("Tell your grid what is wrong; follow it with a code."), "/report"
)
_REGIONS = Tile(N_("Regions"), N_("The district, its streets, communities and grids."), "/regions")
_AUDIT = Tile(
    N_("Audit log"), N_("Every change, who made it and when; verify the chain."), "/audit"
)
HOME_TILES: dict[Role, tuple[Tile, ...]] = {
    Role.RESIDENT: (_REPORT,),
    Role.GRID_WORKER: (_CASES, _MAP, _RESIDENTS, _REGIONS),
    Role.DISPATCHER: (_CASES, _MAP, _RESIDENTS, _REGIONS),
    Role.UNIT_STAFF: (_CASES, _MAP, _ORGS, _REGIONS),
    Role.BRANCH_SECRETARY: (_CASES, _MAP, _RESIDENTS, _ORGS),
    Role.LEADER: (_CASES, _MAP, _REGIONS, _ORGS),
    Role.AUDITOR: (_AUDIT, _USERS, _REGIONS),
    Role.ADMIN: (_USERS, _CASES, _MAP, _REGIONS, _RESIDENTS, _IMPORTS, _AUDIT),
}


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request,
    user: OptionalUser,
    session: SessionDep,
    now: Now,
    list_: Annotated[str, Query(alias="list", max_length=16)] = "",
) -> HTMLResponse:
    """A visitor's start page (report, track, the portal, sign in); a person's work list
    with its counts; every role's tiles."""
    from gridgov.cases import work_pages

    if user is None:
        return render(request, "start.html", {})
    actor = actor_of(request, user)
    region = None
    if user.effective_scope:
        try:
            region = territory.get_region(session, code=user.effective_scope, viewer=actor)
        except DomainError:
            region = None
    return render(
        request,
        "home.html",
        {
            "tiles": HOME_TILES[user.role_enum],
            "region": region,
            "role": user.role,
            "work": work_pages.work_context(request, session, actor, now, list_),
            "my_reports": work_pages.my_reports(request, session, actor),
        },
    )


def _demo_accounts(state: AppState, session: SessionDep) -> list[tuple[str, str, str]]:
    if not state.demo_mode:
        return []
    from gridgov.demo.pages import demo_accounts

    return demo_accounts(session)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request, user: OptionalUser, state: StateDep, session: SessionDep, next: str = "/"
) -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request,
        "login.html",
        {"next": safe_next(next), "error": None, "demo_accounts": _demo_accounts(state, session)},
    )


class Login(BaseModel):
    """The login form: who, the password, and the page to go on to."""

    username: str = Field(default="", max_length=128)
    password: str = Field(default="", max_length=1024)
    next: str = Field(default="/", max_length=2048)


@router.post("/login", response_class=HTMLResponse, dependencies=[CsrfChecked])
def login_submit(
    request: Request,
    state: StateDep,
    session: SessionDep,
    now: Now,
    login: Annotated[Login, Form()],
) -> Response:
    username, password, next = login.username, login.password, login.next
    try:
        result = accounts.do_login(
            session,
            username=username,
            password=password,
            kind="cookie",
            actor=anonymous_actor(request),
            now=now,
            limits=state.login_limits,
            lifetime=timedelta(hours=state.settings.session_hours),
        )
    except (InvalidCredentials, TooManyRequests) as exc:
        session.commit()  # the failed attempt and its audit row must stay
        message = i18n.gettext(language_of(request), exc.message, exc.params)
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "error": message,
                "username": username,
                "demo_accounts": _demo_accounts(state, session),
            },
            status_code=exc.status,
            headers=exc.headers,
        )
    session.commit()
    return signed_in(state, result.token, safe_next(next))


@router.post("/logout", dependencies=[CsrfChecked])
def logout(
    request: Request, state: StateDep, user: PageUser, session: SessionDep, now: Now
) -> Response:
    token = unsign_cookie_value(state.settings.keys.session, request.cookies.get(SESSION_COOKIE))
    if token:
        accounts.do_logout(session, token=token, actor=actor_of(request, user), now=now)
        session.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, next: str = "/") -> Response:
    chosen = i18n.normalise(language)
    response = RedirectResponse(safe_next(next), status_code=303)
    if chosen:
        response.set_cookie(LANG_COOKIE, chosen, samesite="lax", max_age=60 * 60 * 24 * 365)
    return response
