"""One-click sign-in as each demo role. Mounted only when the database is in demo mode;
outside demo mode these routes do not exist."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gridgov import settings_store
from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.demo.build import ROLE_SIGN_IN, sign_in_names
from gridgov.errors import NotFound
from gridgov.territory.service import region_names
from gridgov.web.deps import (
    CsrfChecked,
    Now,
    SessionDep,
    StateDep,
    anonymous_actor,
    signed_in,
)

router = APIRouter(include_in_schema=False)
DEMO_PREFIX = "demo-"


@router.post("/demo/sign-in/{username}", dependencies=[CsrfChecked])
def demo_sign_in(
    username: str, request: Request, state: StateDep, session: SessionDep, now: Now
) -> Response:
    """Open a session as a demo account without its password (demo mode only)."""
    if not username.startswith(DEMO_PREFIX) or not settings_store.demo_mode(session):
        raise NotFound("Not found, or outside your area.")
    user = accounts.get_user_by_username(session, username=username)
    result = accounts.do_open_session(
        session,
        user=user,
        kind="cookie",
        actor=anonymous_actor(request),
        now=now,
        lifetime=timedelta(hours=state.settings.session_hours),
        how="demo",
    )
    session.commit()
    return signed_in(state, result.token, "/")


def demo_accounts(session: SessionDep) -> list[tuple[str, str, str]]:
    """The one-click accounts (demo.build.sign_in_names) that exist and are active, as
    (username, role, place): one per role with no place, then the accounts made for one
    community (头村's secretary) with the community's name beside their role."""
    names = sign_in_names(session)
    users = {
        u.username: u
        for u in accounts.list_users(session, viewer=Actor.system())
        if u.username in names and u.is_active
    }
    placed = {name: users[name].scope or "" for name in names[len(ROLE_SIGN_IN) :] if name in users}
    places = region_names(session, set(placed.values()))
    return [
        (name, users[name].role, places.get(placed.get(name, ""), ""))
        for name in names
        if name in users
    ]
