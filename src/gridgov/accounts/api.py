"""Accounts API: bearer tokens, the caller, user administration, API-key check."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from gridgov.accounts import service, units
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.accounts.schemas import (
    ApiKeyOut,
    ThrottleClear,
    ThrottleOut,
    TokenRequest,
    TokenResponse,
    UnitSet,
    UserCreate,
    UserOut,
)
from gridgov.errors import InvalidCredentials, TooManyRequests
from gridgov.web.deps import (
    ApiKeyAuth,
    CurrentIdentity,
    Now,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    require_roles,
)
from gridgov.web.toolkit import CurrentDesk, Desk, desk, scoped

router = APIRouter(tags=["accounts"])

AdminUser = Annotated[User, Depends(require_roles(Role.ADMIN))]
AccountReader = Annotated[User, Depends(require_roles(Role.ADMIN, Role.AUDITOR))]


AdminDesk = Annotated[Desk, Depends(desk(AdminUser, name="admin_desk"))]


@router.post("/auth/token", response_model=TokenResponse)
def create_token(
    body: TokenRequest, request: Request, state: StateDep, session: SessionDep, now: Now
) -> TokenResponse:
    """Exchange a username and password for a bearer token (rate-limited)."""
    try:
        result = service.do_login(
            session,
            username=body.username,
            password=body.password,
            kind="bearer",
            actor=anonymous_actor(request),
            now=now,
            limits=state.login_limits,
            lifetime=timedelta(hours=state.settings.token_hours),
        )
    except (InvalidCredentials, TooManyRequests):
        session.commit()  # keep the attempt and its audit row
        raise
    session.commit()
    return TokenResponse(access_token=result.token, expires_at=result.auth_session.expires_at)


@router.post("/auth/logout", status_code=204)
def revoke_token(desk: CurrentDesk) -> Response:
    """End the bearer token (or cookie session) used for this call, server-side."""
    principal = desk.request.state.principal
    desk.commit(service.do_logout, token=principal.token)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentIdentity) -> Response:
    # Serialised here by the response model itself (the same JSON FastAPI would write;
    # the model still describes the answer in OpenAPI): FastAPI's own pass validates and
    # serialises in steps of its own, a visible share of this frequent read (issue #18).
    return Response(UserOut.model_validate(user).model_dump_json(), media_type="application/json")


scoped_user = scoped(User, "user_id", AccountReader, service.may_see_user)
ScopedUser = Annotated[User, Depends(scoped_user)]


@router.get("/users", response_model=list[UserOut])
def list_users(request: Request, viewer: AccountReader, session: SessionDep) -> list[User]:
    """Accounts whose scope lies within the caller's."""
    return service.list_users(session, viewer=actor_of(request, viewer))


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserCreate, request: Request, admin: AdminUser, session: SessionDep, now: Now
) -> User:
    actor = actor_of(request, admin)
    unit = units.find_unit(session, text=body.unit, viewer=actor) if body.unit else None
    user = service.do_create_user(
        session,
        actor=actor,
        username=body.username,
        role=body.role.value,
        scope=body.scope or (unit.region_code if unit else ""),
        password=body.password,
        display_name=body.display_name,
        now=now,
    )
    if unit is not None:
        units.do_set_unit(session, actor=actor, user=user, unit=unit, now=now)
    session.commit()
    return user


@router.put("/users/{user_id}/unit", response_model=UserOut)
def set_user_unit(
    body: UnitSet,
    request: Request,
    admin: AdminUser,
    target: ScopedUser,
    session: SessionDep,
    now: Now,
) -> User:
    """Put the account in a department or office (by code or name); its scope becomes the
    unit's region. ``null`` takes it out of its unit."""
    actor = actor_of(request, admin)
    unit = units.find_unit(session, text=body.unit, viewer=actor) if body.unit else None
    units.do_set_unit(session, actor=actor, user=target, unit=unit, now=now)
    session.commit()
    return target


@router.get("/users/{user_id}", response_model=UserOut)
def get_user(target: ScopedUser) -> User:
    return target


def _account_switch(verb: str, do: Callable[..., object], doc: str | None) -> None:
    """``POST /users/{id}/<verb>``: ``do`` (disable or enable) on the account."""

    def handler(
        request: Request, admin: AdminUser, target: ScopedUser, session: SessionDep, now: Now
    ) -> User:
        do(session, actor=actor_of(request, admin), user=target, now=now)
        session.commit()
        return target

    handler.__name__ = handler.__qualname__ = f"{verb}_user"
    handler.__doc__ = doc
    router.post(f"/users/{{user_id}}/{verb}", response_model=UserOut)(handler)


_account_switch(
    "disable",
    service.do_disable_user,
    "Disable the account; its sessions and tokens stop working at once.",
)
_account_switch("enable", service.do_enable_user, None)


@router.get("/integrations/whoami", response_model=ApiKeyOut)
def api_key_whoami(key: ApiKeyAuth) -> ApiKeyOut:
    """Lets an integration check its API key."""
    return ApiKeyOut.model_validate(key)


@router.get("/auth/throttles", response_model=list[ThrottleOut])
def list_throttles(user: AdminUser, state: StateDep, session: SessionDep, now: Now) -> list[Any]:
    """Accounts and addresses with failed logins within the window (administrators)."""
    return list(service.list_throttles(session, now=now, limits=state.login_limits))


@router.post("/auth/throttles/clear")
def clear_throttle(body: ThrottleClear, desk: AdminDesk) -> dict[str, int]:
    """End an account's login throttle and delay (from one address, or all), audited."""
    cleared = desk.commit(
        service.do_clear_throttle,
        username=body.username,
        ip=body.ip,
        limits=desk.state.login_limits,
    )
    return {"cleared": cleared}
