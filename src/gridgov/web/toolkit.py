"""The route toolkit: the two shapes every pages and API module repeats, written once.

- ``scoped(...)`` builds the dependency that loads one object by its path id and answers
  404 (audited) when it is missing or outside the user's area: ``in_scope`` with the
  loading, the actor and the audit names filled in.
- ``form_action(...)`` runs a ``do_*`` for a form: on a ``DomainError`` it rolls back and
  renders the form again with the error; on success it commits and redirects (303) with an
  optional flash message that the next page shows once.
- ``desk(...)`` builds the dependency that gathers what a handler and its helpers share
  (the request, the session, the user acting and as whom, the clock, the app's state) in
  one ``Desk``, instead of five parameters a route. ``desk.action(do_x, ...)`` is a
  ``do_*`` given the desk's session, actor and time (for ``desk.form``);
  ``desk.commit(do_x, ...)`` runs one and commits (an API's write);
  ``desk.check_rate(write, target)`` counts the user's write against the guard's limits.
- ``Visitor`` (``VisitorDep``) is what a public page reads with: the request, the session,
  the app's state, the clock and the user if one is signed in (``visitor.actor``: as whom
  it acts).
- ``Paging`` is a JSON list's ``limit`` and ``offset`` query parameters.
- ``filled(Out, row, **given)`` is an API's response schema copied field by field from a
  row's attributes of the same names, but for the ``given`` ones.
- ``form_post(router, path)`` declares a page's form POST: CSRF checked, answering the
  page's own (HTML or redirect) response.

Flash messages are catalogue ids, carried in a signed cookie so a browser cannot make a
page show text of its own choosing; ``render`` translates and clears them.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from gridgov import clock
from gridgov.accounts.models import User
from gridgov.accounts.rules import STAFF_ROLES
from gridgov.audit.service import Actor
from gridgov.errors import DomainError
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.web.deps import (
    AppState,
    CsrfChecked,
    CurrentUser,
    Now,
    OptionalUser,
    PageUser,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    in_scope,
    require_roles,
    signed_cookie_value,
    unsign_cookie_value,
)

T = TypeVar("T")
R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)
F = TypeVar("F", bound=Callable[..., Any])


def office_today(state: AppState, now: datetime) -> date:
    """Today in the office's time zone (the setting), for deadlines and periods."""
    return clock.local_today(now, state.settings.timezone)


FLASH_COOKIE = "gg_flash"
_FLASH_MAX = 200


def scoped(
    model: type[T],
    param: str,
    user: Any,
    visible: Callable[[Actor, T], bool],
    *,
    object_type: str | None = None,
    name: str | None = None,
) -> Callable[..., T]:
    """A FastAPI dependency: the ``model`` row whose id is the path parameter ``param``,
    if the user (resolved by the ``user`` annotation, e.g. ``CurrentUser`` or a role
    page dependency) may see it by ``visible(actor, row)``; else 404, audited when hidden
    under ``object_type`` (by default the parameter's name without ``_id``).
    """
    audited_as = object_type or param.removesuffix("_id")

    def bound(request: Request, session: Session, now: Any, viewer: User, **path: Any) -> T:
        object_id = path[param]
        actor = actor_of(request, viewer)
        return in_scope(
            request,
            session,
            now,
            viewer,
            session.get(model, object_id),
            visible=lambda found: visible(actor, found),
            object_type=audited_as,
            object_id=str(object_id),
        )

    # FastAPI reads the dependency's parameters from its signature: the path id, then
    # the request, the session, the clock and the user dependency the caller chose.
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    bound.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(param, kind, annotation=int),
            inspect.Parameter("request", kind, annotation=Request),
            inspect.Parameter("session", kind, annotation=SessionDep),
            inspect.Parameter("now", kind, annotation=Now),
            inspect.Parameter("viewer", kind, annotation=user),
        ]
    )
    bound.__name__ = name or f"scoped_{audited_as}"
    bound.__qualname__ = bound.__name__
    return bound


@dataclass(frozen=True)
class Desk:
    """Who acts, in which session, when: what a route's handler and its helpers share."""

    request: Request
    session: Session
    user: User
    actor: Actor
    now: datetime
    state: AppState

    @property
    def today(self) -> date:
        """Today in the office's time zone."""
        return office_today(self.state, self.now)

    @property
    def tz(self) -> str:
        """The office's time zone (the setting)."""
        return self.state.settings.timezone

    def check_rate(self, write: Write, target: str) -> None:
        """Count one ``write`` by this desk's user on ``target``; 429 when the user or the
        target has had too many (``guard.service.check_rate``)."""
        check_rate(
            self.session, write=write, source=f"user:{self.user.id}", target=target, now=self.now
        )

    def run(self, do: Callable[..., R], /, **kwargs: Any) -> R:
        """``do`` (a ``do_*``) run in this desk's session, as its actor, now."""
        return do(self.session, actor=self.actor, now=self.now, **kwargs)

    def action(self, do: Callable[..., R], /, **kwargs: Any) -> Callable[[], R]:
        """``do`` ready to ``run`` with ``kwargs``: what ``form`` runs. The arguments are
        worked out now; one whose parsing may refuse goes in ``lambda: desk.run(...)``
        so that the refusal shows on the form."""
        return partial(self.run, do, **kwargs)

    def commit(self, do: Callable[..., R], /, **kwargs: Any) -> R:
        """``run`` ``do``, commit, and answer its result (an API's write; a refusal goes
        on to the error handler, uncommitted)."""
        result = self.run(do, **kwargs)
        self.session.commit()
        return result

    def form(
        self,
        run: Callable[[], R],
        *,
        to: str | Callable[[R], str],
        on_error: Callable[[DomainError], Response],
        flash: str | None = None,
    ) -> Response:
        """``form_action`` in this desk's session, the flash for this browser."""
        return form_action(
            self.session, run, to=to, on_error=on_error, request=self.request, flash=flash
        )


@dataclass(frozen=True)
class Visitor:
    """Who reads a public page, in which session, when: the request, the session, the
    app's state, the clock and the user if one is signed in. A dependency: FastAPI fills
    its fields (``VisitorDep``). A ``Desk`` has the same names, with a user always."""

    request: Request
    session: SessionDep
    state: StateDep
    now: Now
    user: OptionalUser

    @property
    def actor(self) -> Actor:
        """As whom the visitor acts: the signed-in user, else an anonymous visitor."""
        if self.user is None:
            return anonymous_actor(self.request)
        return actor_of(self.request, self.user)


VisitorDep = Annotated[Visitor, Depends()]


def desk(user: Any, *, name: str = "desk") -> Callable[..., Awaitable[Desk]]:
    """A FastAPI dependency: the ``Desk`` of a request whose user is resolved by the
    ``user`` annotation (e.g. ``CurrentUser`` or a role page dependency).

    ``async``: it only gathers what other dependencies resolved (the user's columns are
    loaded), so it runs on the event loop instead of costing every page a worker-thread
    round trip."""

    async def bound(
        request: Request, session: Session, now: datetime, state: AppState, viewer: User
    ) -> Desk:
        return Desk(request, session, viewer, actor_of(request, viewer), now, state)

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    bound.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", kind, annotation=Request),
            inspect.Parameter("session", kind, annotation=SessionDep),
            inspect.Parameter("now", kind, annotation=Now),
            inspect.Parameter("state", kind, annotation=StateDep),
            inspect.Parameter("viewer", kind, annotation=user),
        ]
    )
    bound.__name__ = bound.__qualname__ = name
    return bound


@dataclass(frozen=True)
class Paging:
    """A JSON list's window: ``limit`` rows from ``offset`` (the query parameters)."""

    limit: int
    offset: int


def paging(most: int = 500, default: int = 50) -> Callable[..., Paging]:
    """The dependency of a list answering at most ``most`` rows a call, ``default``
    when ``limit`` is not given: ``Annotated[Paging, Depends(paging())]``."""

    def bound(limit: int, offset: int) -> Paging:
        return Paging(limit, offset)

    # The bounds are this call's: FastAPI reads them from the signature.
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    bound.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                "limit", kind, default=default, annotation=Annotated[int, Query(ge=1, le=most)]
            ),
            inspect.Parameter("offset", kind, default=0, annotation=Annotated[int, Query(ge=0)]),
        ]
    )
    return bound


def filled(model: type[M], source: object, **given: Any) -> M:
    """``model`` (a response schema) with each field read from ``source``'s attribute of
    the same name, but for the ``given`` ones (a masked name, a count, a nested list)."""
    values = {name: getattr(source, name) for name in model.model_fields if name not in given}
    return model(**values, **given)


def form_post(router: APIRouter, path: str) -> Callable[[F], F]:
    """The decorator of a page's form POST on ``path``: the CSRF token checked, the
    answer the handler's own response (a page, a partial or a 303), HTML by default."""
    return router.post(
        path, dependencies=[CsrfChecked], response_class=HTMLResponse, response_model=None
    )


def form_action(
    session: Session,
    run: Callable[[], R],
    *,
    to: str | Callable[[R], str],
    on_error: Callable[[DomainError], Response],
    request: Request | None = None,
    flash: str | None = None,
) -> Response:
    """Run a form's action: commit and redirect (303) to ``to``, with ``flash`` shown once
    on the next page; or, on a ``DomainError``, roll back and answer ``on_error(error)``
    (the form again with the error and the user's input)."""
    try:
        result = run()
    except DomainError as exc:
        session.rollback()
        return on_error(exc)
    session.commit()
    target = to(result) if callable(to) else to
    response = RedirectResponse(target, status_code=303)
    if flash is not None and request is not None:
        set_flash(request, response, flash)
    return response


def committed(session: Session, to: str) -> RedirectResponse:
    """The end of an action whose refusals go to the error page (no form to show again):
    commit, then see ``to`` (303)."""
    session.commit()
    return RedirectResponse(to, status_code=303)


def set_flash(request: Request, response: Response, message: str) -> None:
    """Show ``message`` (a catalogue id) once, on the next page this browser renders."""
    state: AppState | None = getattr(request.app.state, "gridgov", None)
    if state is None:
        return
    value = signed_cookie_value(state.settings.keys.session, message[:_FLASH_MAX].encode().hex())
    response.set_cookie(FLASH_COOKIE, value, max_age=60, httponly=True, samesite="lax", path="/")


def take_flash(request: Request) -> str | None:
    """The flash message this request carries (a catalogue id), if its signature holds."""
    raw = request.cookies.get(FLASH_COOKIE)
    state: AppState | None = getattr(request.app.state, "gridgov", None)
    if not raw or state is None:
        return None
    hexed = unsign_cookie_value(state.settings.keys.session, raw)
    if hexed is None:
        return None
    try:
        return bytes.fromhex(hexed).decode()
    except ValueError:
        return None


def safe_next(target: str | None, fallback: str = "/") -> str:
    """A redirect target that stays on this site: a local path, never ``//host`` or a
    scheme; anything else becomes ``fallback``."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return fallback
    return target


# The desks most routes take, defined once: any signed-in caller's (JSON), a signed-in
# page visitor's, and staff pages'.
CurrentDesk = Annotated[Desk, Depends(desk(CurrentUser, name="current_desk"))]
PageDesk = Annotated[Desk, Depends(desk(PageUser, name="page_desk"))]
StaffPage = Annotated[User, Depends(require_roles(*STAFF_ROLES, page=True))]
StaffDesk = Annotated[Desk, Depends(desk(StaffPage, name="staff_desk"))]
