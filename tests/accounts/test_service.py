"""Account services on both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from gridgov.accounts import service as accounts
from gridgov.accounts.models import AuthSession
from gridgov.accounts.rules import LoginLimits
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import FIXED_NOW
from tests.factories import PASSWORD, SYSTEM, make_user

LIMITS = LoginLimits(timedelta(minutes=15), 10, 10)
FROM_OFFICE = Actor.anonymous(ip="198.51.100.10")


def login(db: Database, username: str, password: str = PASSWORD) -> str:
    with db.transaction() as session:
        return accounts.do_login(
            session,
            username=username,
            password=password,
            kind="bearer",
            actor=FROM_OFFICE,
            now=FIXED_NOW,
            limits=LIMITS,
            lifetime=timedelta(hours=1),
        ).token


def test_usernames_are_unique_case_insensitively(db: Database) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    with pytest.raises(Conflict):
        make_user(db, "Chen.Ming", "grid_worker", "440512001")


def test_every_problem_is_reported_at_once(db: Database) -> None:
    with pytest.raises(InvalidInput) as caught, db.transaction() as session:
        accounts.do_create_user(
            session,
            actor=SYSTEM,
            username="x",
            role="mayor",
            scope="44",
            password="abc",
            now=FIXED_NOW,
        )
    assert {p.field for p in caught.value.details} == {"username", "role", "scope", "password"}


def test_a_street_admin_grants_only_inside_the_street(db: Database) -> None:
    admin = make_user(db, "dahao.admin", "admin", "440512001")
    actor = accounts.actor_for(admin)
    with pytest.raises(Forbidden), db.transaction() as session:
        accounts.do_create_user(
            session,
            actor=actor,
            username="li.na",
            role="admin",
            scope="440512",
            password="Guangao-street-77",
            now=FIXED_NOW,
        )
    with db.transaction() as session:
        created = accounts.do_create_user(
            session,
            actor=actor,
            username="wu.jie",
            role="grid_worker",
            scope="440512001001",
            password="Qinglan-grid-2026",
            now=FIXED_NOW,
        )
    assert created.scope == "440512001001"


def test_a_password_reset_ends_every_session(db: Database) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    token = login(db, "chen.ming")
    with db.transaction() as session:
        user = accounts.get_user_by_username(session, username="chen.ming")
        accounts.do_reset_password(
            session, actor=SYSTEM, user=user, password="Another-grid-9931", now=FIXED_NOW
        )
    with db.session() as session:
        assert accounts.authenticate(session, token=token, kind="bearer", now=FIXED_NOW) is None
        live = session.scalars(select(AuthSession).where(AuthSession.revoked_at.is_(None)))
        assert list(live) == []
    assert login(db, "chen.ming", "Another-grid-9931")


def test_tokens_expire(db: Database) -> None:
    make_user(db, "chen.ming", "grid_worker", "440512001")
    token = login(db, "chen.ming")
    with db.session() as session:
        later = FIXED_NOW + timedelta(hours=1)
        assert accounts.authenticate(session, token=token, kind="bearer", now=later) is None
        assert accounts.authenticate(session, token=token, kind="cookie", now=FIXED_NOW) is None
        assert accounts.authenticate(session, token=token, kind="bearer", now=FIXED_NOW)


def test_an_admin_cannot_disable_themselves(db: Database) -> None:
    admin = make_user(db, "zhou.admin", "admin")
    with db.transaction() as session:
        user = accounts.get_user_by_username(session, username="zhou.admin")
        with pytest.raises(InvalidInput):
            accounts.do_disable_user(
                session, actor=accounts.actor_for(admin), user=user, now=FIXED_NOW
            )
        assert user.is_active


def test_passwords_are_stored_as_argon2_hashes(db: Database) -> None:
    user = make_user(db, "chen.ming", "grid_worker", "440512001")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
