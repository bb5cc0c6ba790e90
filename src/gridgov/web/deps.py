"""Typed dependencies: the database session, the clock, the caller and what they may do.

Every non-public route names its authorisation in its signature: ``CurrentUser``,
``PageUser``, a ``require_roles(...)`` alias or ``ApiKeyAuth``. Each of those callables
is marked with ``AUTH_MARK``; a test walks the route table and fails on any route
outside ``PUBLIC_PATHS`` that has none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import ApiKey, User
from gridgov.accounts.rules import LoginLimits, Role
from gridgov.audit.service import Actor, record
from gridgov.cases.intake_writer import IntakeWriter
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.errors import CsrfFailed, Forbidden, NotFound, Unauthenticated
from gridgov.web import auth_cache

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
AUTH_MARK = "__gridgov_authorises__"
SESSION_COOKIE = "gg_session"
CSRF_COOKIE = "gg_csrf"
LANG_COOKIE = "gg_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Open311 GeoReport v2's routes (``gridgov.cases.open311``), all public.
OPEN311_PUBLIC_PATHS = (
    "/open311/discovery.json",
    "/open311/discovery.xml",
    "/open311/v2/services.{format}",
    "/open311/v2/services/{service_code}.{format}",
    "/open311/v2/requests.{format}",
    "/open311/v2/requests/{service_request_id}.{format}",
    "/open311/v2/tokens/{token}.{format}",
    "/open311/v2/servicerequestupdates.{format}",
    "/open311/{path:path}",
)

# Routes anyone may call: health probes, the login page, the language switch, static
# files and the API description. Everything else must declare its authorisation.
PUBLIC_PATHS = frozenset(
    {
        "/healthz",
        "/readyz",
        "/",  # a visitor's start page; a signed-in person's work list
        "/login",
        "/lang/{language}",
        "/api/openapi.json",
        "/api/docs",
        "/api/v1/auth/token",
        "/static",
        "/demo/sign-in/{username}",
        "/api/v1/track/{tracking_code}",
        "/api/v1/track/{tracking_code}/rating",
        "/api/v1/track/{tracking_code}/contest",
        "/report",
        "/report/area.geojson",
        "/report/grids.geojson",
        "/report/buildings.json",  # register buildings in view: names only, bounded
        "/report/places.json",  # the address box: prefix search, rate-limited
        "/track",
        "/track/{code}",
        "/track/{code}/rating",
        "/track/{code}/contest",
        "/track/{code}/photos/{photo_id}",
        # Open311 GeoReport v2: GETs are public by the spec; POST requests checks api_key
        # itself (it arrives in the form body).
        *OPEN311_PUBLIC_PATHS,
        # The discussion loop: anyone reads discussions and proposals; writing needs login.
        "/portal/{region_code}/discussions",
        "/discussions/{discussion_id}",
        "/proposals/{proposal_id}",
        # Party members' public pledge board: anyone reads and comments (rate-limited).
        "/board/{region_code}",
        "/board/{region_code}/pledges/{pledge_id}/comments",
        # A party organisation's published brand (一支部一品牌): anyone reads it.
        "/brand/{code}",
        # A volunteer certificate's code checked by whoever holds the paper (masked name).
        "/volunteer-certificates/verify",
        # Public notices (公示) and the village/community portal: anyone reads and objects.
        "/portal",
        "/portal/{region_code}",
        "/notices/{notice_id}",
        "/notices/{notice_id}/print",
        "/notices/{notice_id}/objections",
        "/notices/{notice_id}/files/{file_id}",
        "/api/v1/portal/{region_code}/notices",
        "/api/v1/notices/{notice_id}",
        # Elections of deliberation representatives: anyone reads candidates and results.
        "/portal/{region_code}/elections",
        "/elections/{election_id}",
        "/api/v1/elections/{election_id}",
        "/api/v1/elections/{election_id}/result",
        # The field app's service worker and manifest: no data, needed before login.
        "/sw.js",
        "/manifest.webmanifest",
    }
)


@dataclass
class AppState:
    settings: Settings
    db: Database
    demo_mode: bool = False
    # Serving processes (``web/asgi.py``) move their start-up heap out of the garbage
    # collector's reach once it is built (``web/app.py: settle_heap``); tests do not.
    freeze_heap: bool = False
    # Reports are filed through one writer thread that commits them in groups
    # (``cases/intake_writer.py``); started and stopped with the app's lifespan.
    intake: IntakeWriter = field(init=False)

    def __post_init__(self) -> None:
        self.intake = IntakeWriter(self.db)

    @property
    def login_limits(self) -> LoginLimits:
        return LoginLimits(
            window=timedelta(minutes=self.settings.login_window_minutes),
            max_failures_per_ip=self.settings.login_max_failures_per_ip,
            max_failures_per_account=self.settings.login_max_failures_per_account,
        )


def _authorises(function: Callable[..., Any]) -> Callable[..., Any]:
    setattr(function, AUTH_MARK, True)
    return function


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.gridgov
    return state


StateDep = Annotated[AppState, Depends(get_state)]


def _state(request: Request) -> AppState:
    """What ``get_state`` gives, for dependencies that read it without a node of their own."""
    state: AppState = request.app.state.gridgov
    return state


async def get_now() -> datetime:
    """The clock. Tests override this dependency to fix time. (The pure dependencies
    here are ``async``: a sync one costs a threadpool round trip per request.)"""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(get_now)]


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITES_ON_READ = "gridgov_writes_on_read"


def writes_on_read(endpoint: F) -> F:
    """Mark a GET route that writes: an audited read (who looked at whose personal data,
    an export). Its session is a write session like a POST's (SQLite: BEGIN IMMEDIATE).
    A read session that writes after another writer's commit is refused by SQLite at once
    (its snapshot is stale), which the route would answer with 503."""
    setattr(endpoint, _WRITES_ON_READ, True)
    return endpoint


def _writes(request: Request) -> bool:
    if request.method not in SAFE_METHODS:
        return True
    return getattr(request.scope.get("endpoint"), _WRITES_ON_READ, False) is True


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request. Unsafe methods and reads marked ``writes_on_read``
    get a write session (SQLite: BEGIN IMMEDIATE); other reads begin DEFERRED and never
    take the write lock. The route commits
    after its ``do_*`` call, before it responds. While the route runs, the session is
    also ``request.state.db_session``: what the page around the route's content reads
    (the navigation's unread badge) reads in it, not in a second session.

    Opening a session does no I/O, so it happens on the event loop. Closing rolls back
    whatever was not committed: on SQLite that is an in-process call of microseconds,
    done in place; on a server database it is a round trip, done in a worker thread.

    The app's state is read from the request here and in the authentication
    dependencies below, not through ``StateDep``: each dependency FastAPI resolves is a
    node of bookkeeping per request (issue #18), and ``get_state`` only reads it.
    """
    state = _state(request)
    session = state.db.session(write=_writes(request))
    request.state.db_session = session  # for what a page renders (web/render.py: _unread)
    try:
        yield session
    finally:
        request.state.db_session = None  # an error page rendered after this opens its own
        if state.db.dialect == "sqlite" or not session.in_transaction():
            session.close()  # keeps loaded objects
        else:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


SessionDep = Annotated[Session, Depends(get_session)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    value = getattr(request.state, "request_id", None)
    return value if isinstance(value, str) else None


def anonymous_actor(request: Request) -> Actor:
    return Actor.anonymous(request_id=request_id(request), ip=client_ip(request))


# ---------------------------------------------------------------- cookies and CSRF


def sign(key: bytes, value: str) -> str:
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def signed_in(state: AppState, token: str, to: str) -> RedirectResponse:
    """See ``to`` (303) with the new session's cookie, signed; the demo's sign-in too."""
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed_cookie_value(state.settings.keys.session, token),
        httponly=True,
        samesite="lax",
        secure=state.settings.secure_cookies,
        max_age=state.settings.session_hours * 3600,
    )
    # A new CSRF seed after login: a token seen before login is worth nothing after.
    response.delete_cookie(CSRF_COOKIE)
    return response


def signed_cookie_value(key: bytes, token: str) -> str:
    return f"{token}.{sign(key, token)}"


def unsign_cookie_value(key: bytes, value: str | None) -> str | None:
    if not value or "." not in value:
        return None
    token, _, signature = value.rpartition(".")
    return token if hmac.compare_digest(signature, sign(key, token)) else None


def csrf_token_for(request: Request, key: bytes) -> str:
    """The CSRF token of this browser: HMAC of its random csrf cookie."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(CSRF_COOKIE)
    if not seed:
        seed = secrets.token_urlsafe(24)
        request.state.new_csrf_seed = seed
    request.state.csrf_seed = seed
    return sign(key, "csrf:" + seed)


async def verify_csrf(request: Request, state: StateDep) -> None:
    """Double-submit check for cookie-authenticated forms and htmx requests."""
    seed = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    expected = sign(state.settings.keys.session, "csrf:" + seed) if seed else None
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("The form has expired. Reload the page and try again.")


CsrfChecked = Depends(verify_csrf)


# ---------------------------------------------------------------- who is calling


@dataclass(frozen=True)
class Viewer:
    """What pages and error handlers show of the caller, readable after the session ends."""

    id: int
    username: str
    display_name: str
    role: str
    effective_scope: str | None
    language: str | None
    organisation_id: int | None = None  # the unit the user works in
    notifications_seen_at: datetime | None = None  # for the navigation's unread badge

    @classmethod
    def of(cls, user: User) -> Viewer:
        """The user's attributes of the same names."""
        return cls(**{field.name: getattr(user, field.name) for field in fields(cls)})


@dataclass(frozen=True)
class Principal:
    user: User
    kind: str  # "cookie" or "bearer"
    token: str


def _credentials(request: Request, state: AppState) -> tuple[str, str | None]:
    """The kind of session and its token, from a bearer header or the signed cookie."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "bearer", header[7:].strip() or None
    cookie = request.cookies.get(SESSION_COOKIE)
    return "cookie", unsign_cookie_value(state.settings.keys.session, cookie)


async def _remembered(state: AppState, kind: str, token: str | None, now: datetime) -> User | None:
    """The token's user as this process remembers it (``web/auth_cache.py``), in no
    session: from memory on the event loop, else one statement in a worker thread."""
    if not token:
        return None
    db = state.db
    user = auth_cache.cached_detached(db.url, token=token, kind=kind, now=now)
    if user is not None:
        return user
    return await anyio.to_thread.run_sync(
        partial(auth_cache.remember_detached, db.url, db.session, token=token, kind=kind, now=now)
    )


async def _principal(
    request: Request, state: AppState, session: Session, now: datetime
) -> Principal | None:
    """The caller, once per request. A token seen in the last moments is answered from
    this process's memory on the event loop (``web/auth_cache.py``); otherwise one
    statement in a worker thread."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal: Principal | None = None
    kind, token = _credentials(request, state)
    found = await _remembered(state, kind, token, now)
    if token and found is not None:
        # A copy in the request's session, without SQL: the route may change it.
        principal = Principal(session.merge(found, load=False), kind, token)
    request.state.principal = principal
    request.state.user = Viewer.of(principal.user) if principal else None
    return principal


def actor_of(request: Request, user: User) -> Actor:
    return accounts.actor_for(user, request_id=request_id(request), ip=client_ip(request))


def audit_refusal(
    request: Request,
    session: Session,
    now: datetime,
    *,
    actor: Actor,
    reason: str,
    object_type: str = "route",
    object_id: str | None = None,
) -> None:
    """Record a refused authorisation and commit it; the caller then raises."""
    session.commit()  # end the read snapshot; nothing else is pending in a dependency
    record(
        session,
        actor=actor,
        action="authz.refused",
        object_type=object_type,
        object_id=object_id or f"{request.method} {request.url.path}",
        now=now,
        summary={"reason": reason},
    )
    session.commit()


@_authorises
async def require_user(request: Request, session: SessionDep, now: Now) -> User:
    """The caller, by bearer token or session cookie; 401 otherwise.

    A cookie-authenticated API call that changes state must carry the CSRF header.
    """
    state = _state(request)
    principal = await _principal(request, state, session, now)
    if principal is None:
        raise Unauthenticated("Please log in.")
    if principal.kind == "cookie" and request.method not in SAFE_METHODS:
        _check_csrf_header(request, state)
    return principal.user


@_authorises
async def require_identity(request: Request, now: Now) -> User:
    """The caller, for a route that reads only the caller's own columns: the same
    authentication as ``require_user`` (401; the CSRF header on a cookie-authenticated
    change), but the user comes in no session. A token the cache knows
    (``web/auth_cache.py``) is answered without creating a SQLAlchemy ``Session`` or
    merging into one, the larger part of ``GET /api/v1/me`` (issue #18).

    The object is the cache's own, shared by concurrent requests: read its columns;
    never change it, follow a relation or hand it to a session (use ``CurrentUser``)."""
    state = _state(request)
    kind, token = _credentials(request, state)
    user = await _remembered(state, kind, token, now)
    if user is None:
        request.state.user = None
        raise Unauthenticated("Please log in.")
    request.state.user = _viewer_of_remembered(user)
    if kind == "cookie" and request.method not in SAFE_METHODS:
        _check_csrf_header(request, state)
    return user


# The Viewer of each user the token cache remembers: that object is never changed (a
# change to the account makes the cache read a new one), so its Viewer is built once,
# not at every request that reads it.
_REMEMBERED_VIEWERS: weakref.WeakKeyDictionary[User, Viewer] = weakref.WeakKeyDictionary()


def _viewer_of_remembered(user: User) -> Viewer:
    viewer = _REMEMBERED_VIEWERS.get(user)
    if viewer is None:
        viewer = _REMEMBERED_VIEWERS[user] = Viewer.of(user)
    return viewer


def _check_csrf_header(request: Request, state: AppState) -> None:
    seed = request.cookies.get(CSRF_COOKIE)
    sent = request.headers.get(CSRF_HEADER, "")
    expected = sign(state.settings.keys.session, "csrf:" + seed) if seed else ""
    if not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("The form has expired. Reload the page and try again.")


async def optional_user(request: Request, session: SessionDep, now: Now) -> User | None:
    principal = await _principal(request, _state(request), session, now)
    return principal.user if principal else None


CurrentUser = Annotated[User, Depends(require_user)]
# The caller in no session, to read only (``require_identity``).
CurrentIdentity = Annotated[User, Depends(require_identity)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


class LoginRequired(Exception):
    """A page needs a logged-in user: the handler redirects to /login."""


@_authorises
async def require_page_user(request: Request, session: SessionDep, now: Now) -> User:
    principal = await _principal(request, _state(request), session, now)
    if principal is None:
        raise LoginRequired
    return principal.user


PageUser = Annotated[User, Depends(require_page_user)]


def require_roles(*roles: Role, page: bool = False) -> Callable[..., Awaitable[User]]:
    """A dependency that admits only ``roles``; others get 403 and an audit row.

    Use it in an alias: ``AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]``.
    """
    allowed = frozenset(roles)
    base = require_page_user if page else require_user

    # ``base`` is a local name, which a string annotation could not resolve: hence the
    # default-value form of Depends here.
    @_authorises
    async def dependency(
        request: Request,
        session: SessionDep,
        now: Now,
        user: User = Depends(base),  # noqa: B008
    ) -> User:
        if user.role_enum not in allowed:
            await anyio.to_thread.run_sync(
                partial(
                    audit_refusal,
                    request,
                    session,
                    now,
                    actor=actor_of(request, user),
                    reason="role " + user.role + " not in " + ",".join(sorted(allowed)),
                )
            )
            raise Forbidden("Your role may not do this.")
        return user

    dependency.__name__ = "require_" + "_or_".join(sorted(allowed))
    return dependency


@_authorises
def require_api_key(request: Request, session: SessionDep) -> ApiKey:
    """An integration key, from ``X-API-Key`` or Open311's ``api_key`` parameter."""
    plaintext = request.headers.get("X-API-Key") or request.query_params.get("api_key")
    key = accounts.authenticate_api_key(session, plaintext=plaintext or "")
    if key is None:
        raise Unauthenticated("A valid API key is required.")
    return key


ApiKeyAuth = Annotated[ApiKey, Depends(require_api_key)]


def in_scope(
    request: Request,
    session: Session,
    now: datetime,
    user: User,
    found: T | None,
    *,
    visible: Callable[[T], bool],
    object_type: str,
    object_id: str,
) -> T:
    """The object when it exists and the user may see it; else 404, audited if hidden.

    Missing and out-of-scope answer alike, so scope never leaks what exists.
    """
    if found is None:
        raise NotFound("Not found, or outside your area.")
    if not visible(found):
        audit_refusal(
            request,
            session,
            now,
            actor=actor_of(request, user),
            reason="outside scope " + (user.effective_scope or "-"),
            object_type=object_type,
            object_id=object_id,
        )
        raise NotFound("Not found, or outside your area.")
    return found


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    dependant: Any  # fastapi.dependencies.models.Dependant
    endpoint: Callable[..., Any]


def route_table(app: Any) -> list[RouteInfo]:
    """Every API route of the app with its full path, whichever way FastAPI stores
    included routers (flat before 0.16x, ``_IncludedRouter`` since)."""
    from fastapi import routing

    routes: list[Any] = list(app.routes)
    iterate = getattr(routing, "iter_route_contexts", None)
    if iterate is not None:
        routes = list(iterate(routes))
    table: list[RouteInfo] = []
    for route in routes:
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        table.append(
            RouteInfo(
                path=route.path,
                methods=frozenset(route.methods or ()),
                dependant=dependant,
                endpoint=route.endpoint,
            )
        )
    return table
