"""One-click sign-in as each demo role. Mounted only when the database is in demo mode;
outside demo mode these routes do not exist."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gridgov import settings_store
from gridgov.accounts import service as accounts
from gridgov.demo.build import DEMO_ACCOUNTS, sign_in_names
from gridgov.errors import NotFound
from gridgov.registry.public import organisation_names
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
    (username, role, place): one per role with no place, then the department's and 头村's
    secretary, each with where it works (its unit, else its region) beside a role that
    another button shares."""
    names = sign_in_names(session)
    # by name, not from list_users: that stops at 500 accounts and the demo has more
    users = {n: u for n, u in accounts.users_named(session, names).items() if u.is_active}
    placed = [users[name] for name in names[len(DEMO_ACCOUNTS) :] if name in users]
    units = organisation_names(session, {u.organisation_id for u in placed if u.organisation_id})
    regions = region_names(session, {u.scope for u in placed if u.scope})
    places = {
        u.username: units.get(u.organisation_id or 0) or regions.get(u.scope or "", "")
        for u in placed
    }
    return [(name, users[name].role, places.get(name, "")) for name in names if name in users]
