"""Accounts: users, logins and sessions, API keys. ``check_*`` validates, ``do_*`` writes.

Every ``do_*`` runs inside the caller's transaction and appends its audit row there.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from gridgov.accounts import rules
from gridgov.accounts.models import ApiKey, AuthSession, LoginAttempt, User
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor, add_and_record, record, record_about
from gridgov.config import SUPPORTED_LANGUAGES
from gridgov.db import Database
from gridgov.errors import (
    Conflict,
    Forbidden,
    InvalidCredentials,
    InvalidInput,
    NotFound,
    Problem,
    TooManyRequests,
)
from gridgov.msgids import N_

_hasher = PasswordHasher()
# A real hash to verify against when the username is unknown, so that a missing
# account costs the same time as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def actor_for(user: User, *, request_id: str | None = None, ip: str | None = None) -> Actor:
    return Actor(
        username=user.username,
        role=user.role,
        user_id=user.id,
        scope=user.effective_scope,
        organisation_id=user.organisation_id,
        request_id=request_id,
        ip=ip,
    )


# ---------------------------------------------------------------- users


def normalise_username(username: str) -> str:
    return username.strip().lower()


def username_problem(username: str) -> Problem | None:
    if not 3 <= len(username) <= 64 or not set(username) <= USERNAME_CHARS:
        return Problem(
            "username",
            "A username has 3 to 64 characters: lower-case letters, digits, '.', '_' or '-'.",
        )
    return None


def _new_account_problems(username: str, role: str, scope: str, password: str) -> list[Problem]:
    problems: list[Problem] = []
    if problem := username_problem(username):
        problems.append(problem)
    if role not in {r.value for r in Role}:
        problems.append(
            Problem("role", "Unknown role %(role)s.", role=role),
        )
    if problem := rules.scope_problem(scope):
        problems.append(problem)
    problems.extend(rules.password_problems(password, username=username))
    return problems


def _check_may_grant(actor: Actor, scope: str) -> None:
    """Only the system (CLI) or an admin whose scope contains ``scope`` manage accounts."""
    if actor.role == "system":
        return
    if actor.role != Role.ADMIN or not rules.scope_within(scope, actor.scope):
        raise Forbidden("You may not manage accounts outside your scope.")


def do_create_user(
    session: Session,
    *,
    actor: Actor,
    username: str,
    role: str,
    scope: str,
    password: str,
    now: datetime,
    display_name: str = "",
) -> User:
    username = normalise_username(username)
    # the new account checked, then whether ``actor`` may grant it
    problems = _new_account_problems(username, role, scope, password)
    if problems:
        raise InvalidInput("The account was not created.", details=problems)
    _check_may_grant(actor, scope)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("The username %(username)s is taken.", params={"username": username})
    user = User(
        username=username,
        display_name=display_name.strip(),
        role=role,
        scope=scope,
        password_hash=hash_password(password),
        is_active=True,
        created_at=now,
        password_changed_at=now,
    )
    summary = {"username": username, "role": role, "scope": scope}
    return add_and_record(session, actor, "user.created", user, now=now, summary=summary)


def get_user_by_username(session: Session, *, username: str) -> User:
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound("No such user.")
    return user


def display_names(session: Session, usernames: list[str]) -> dict[str, str]:
    """Username → the name a page shows for who did something (the display name, or the
    username when the account has none or is gone)."""
    wanted = sorted({u for u in usernames if u})
    names = dict.fromkeys(wanted, "")
    if wanted:
        for username, display in session.execute(
            select(User.username, User.display_name).where(User.username.in_(wanted))
        ):
            names[username] = display
    return {u: d or u for u, d in names.items()}


def users_named(session: Session, usernames: list[str]) -> dict[str, User]:
    """The accounts of ``usernames`` that exist, by username (one query)."""
    if not usernames:
        return {}
    found = session.scalars(select(User).where(User.username.in_(sorted(set(usernames)))))
    return {user.username: user for user in found}


def user_names(session: Session, ids: list[int]) -> dict[int, str]:
    """User id → the name to show (the display name, else the username), for the ids
    that exist: what other domains print beside an account they refer to."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.display_name, User.username).where(User.id.in_(wanted))
    )
    return {uid: display or username for uid, display, username in rows}


def mark_notifications_seen(db: Database, user_id: int, now: datetime) -> None:
    """The notifications page's one write, in a short write transaction of its own. A
    GET's session reads without SQLite's write lock, and a read transaction upgraded to
    a write after another writer's commit fails at once (the page answered 503 while the
    outbox or a colleague wrote). A read marker, not a change of state: not audited."""
    with db.transaction() as write:
        write.execute(update(User).where(User.id == user_id).values(notifications_seen_at=now))


def may_see_user(viewer: Actor, user: User) -> bool:
    if viewer.role == "system" or viewer.user_id == user.id:
        return True
    return viewer.role in (Role.ADMIN, Role.AUDITOR) and rules.may_access(viewer.scope, user.scope)


def list_users(session: Session, *, viewer: Actor, limit: int = 500) -> list[User]:
    query = select(User).order_by(User.scope, User.username).limit(limit)
    if viewer.role != "system":
        if viewer.role not in (Role.ADMIN, Role.AUDITOR):
            return []
        query = query.where(rules.scope_clause(viewer.scope, User.scope))
    return list(session.scalars(query))


def do_disable_user(session: Session, *, actor: Actor, user: User, now: datetime) -> int:
    """Disable the account and end all its sessions at once; returns sessions ended."""
    _check_may_grant(actor, user.scope)
    if actor.user_id == user.id:
        raise InvalidInput("You cannot disable your own account.")
    user.is_active = False
    user.disabled_at = now
    ended = _revoke_sessions(session, user_id=user.id, now=now)
    summary = {"username": user.username, "sessions_ended": ended}
    record_about(session, actor, "user.disabled", user, now=now, summary=summary)
    return ended


def do_enable_user(session: Session, *, actor: Actor, user: User, now: datetime) -> None:
    _check_may_grant(actor, user.scope)
    user.is_active = True
    user.disabled_at = None
    record_about(session, actor, "user.enabled", user, now=now, summary={"username": user.username})


def do_reset_password(
    session: Session, *, actor: Actor, user: User, password: str, now: datetime
) -> None:
    """Set a new password and end every session of the account."""
    _check_may_grant(actor, user.scope)
    problems = rules.password_problems(password, username=user.username)
    if problems:
        raise InvalidInput("The password was not changed.", details=problems)
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    ended = _revoke_sessions(session, user_id=user.id, now=now)
    summary = {"username": user.username, "sessions_ended": ended}
    record_about(session, actor, "user.password_reset", user, now=now, summary=summary)


def _revoke_sessions(session: Session, *, user_id: int, now: datetime) -> int:
    result = session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0))


# ---------------------------------------------------------------- logins


@dataclass(frozen=True)
class LoginResult:
    token: str
    auth_session: AuthSession


KNOWN_ADDRESS_DAYS = timedelta(days=30)


def check_login_allowed(
    session: Session, *, username: str, ip: str, now: datetime, limits: rules.LoginLimits
) -> None:
    """429 when this address failed too often (on this account, or at all) within the
    window, or while the account's growing delay after many failures runs
    (``rules.login_wait``): many addresses slow an account's guessing down, never lock
    its owner out."""
    since = rules.login_window_start(now, limits)
    failed = (LoginAttempt.success.is_(False), LoginAttempt.at >= since)
    from_ip = session.scalar(select(func.count()).where(LoginAttempt.ip == ip, *failed)) or 0
    pair = (
        session.scalar(
            select(func.count()).where(
                LoginAttempt.username == username, LoginAttempt.ip == ip, *failed
            )
        )
        or 0
    )
    on_account, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            LoginAttempt.username == username, *failed
        )
    ).one()
    known = session.scalar(
        select(LoginAttempt.id)
        .where(
            LoginAttempt.username == username,
            LoginAttempt.ip == ip,
            LoginAttempt.success.is_(True),
            LoginAttempt.at >= now - KNOWN_ADDRESS_DAYS,
        )
        .limit(1)
    )
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    wait = rules.login_wait(
        failures_from_ip=from_ip,
        failures_pair=pair,
        failures_on_account=on_account or 0,
        seconds_since_account_failure=(now - last).total_seconds() if last else None,
        known_address=known is not None,
        limits=limits,
    )
    if wait is None:
        return
    if wait >= limits.window.total_seconds():
        minutes = int(limits.window.total_seconds() // 60)
        raise TooManyRequests(
            "Too many failed logins. Try again in %(minutes)s minutes.",
            params={"minutes": minutes},
            headers={"Retry-After": str(wait)},
        )
    raise TooManyRequests(
        "Too many failed logins on this account. Try again in %(seconds)s seconds.",
        params={"seconds": wait},
        headers={"Retry-After": str(wait)},
    )


def do_login(
    session: Session,
    *,
    username: str,
    password: str,
    kind: str,
    actor: Actor,
    now: datetime,
    limits: rules.LoginLimits,
    lifetime: timedelta,
) -> LoginResult:
    """Check the password and open a session, or record and audit the failure.

    The caller must commit even when this raises InvalidCredentials or TooManyRequests:
    the attempt row and its audit row are what the throttle and the auditors read.
    """
    username = normalise_username(username)[:64]
    ip = actor.ip or "unknown"
    try:
        check_login_allowed(session, username=username, ip=ip, now=now, limits=limits)
    except TooManyRequests:
        record(
            session,
            actor=actor,
            action="auth.login_throttled",
            object_type="user",
            now=now,
            summary={"username": username},
        )
        raise
    user = session.scalar(select(User).where(User.username == username))
    valid = password_matches(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not valid or not user.is_active:
        session.add(LoginAttempt(at=now, username=username, ip=ip, success=False))
        reason = "unknown user" if user is None else ("disabled" if valid else "bad password")
        record(
            session,
            actor=actor,
            action="auth.login_failed",
            object_type="user",
            object_id=None if user is None else user.id,
            now=now,
            summary={"username": username, "reason": reason},
        )
        raise InvalidCredentials("Wrong username or password, or the account is disabled.")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(LoginAttempt(at=now, username=username, ip=ip, success=True))
    return do_open_session(
        session, user=user, kind=kind, actor=actor, now=now, lifetime=lifetime, how="password"
    )


def do_open_session(
    session: Session,
    *,
    user: User,
    kind: str,
    actor: Actor,
    now: datetime,
    lifetime: timedelta,
    how: str,
) -> LoginResult:
    """A new session for ``user``, after a password check or a demo sign-in."""
    token = secrets.token_urlsafe(32)
    auth_session = AuthSession(
        token_hash=token_digest(token),
        user_id=user.id,
        kind=kind,
        created_at=now,
        expires_at=now + lifetime,
        ip=actor.ip or "unknown",
    )
    session.add(auth_session)
    session.flush()
    record(
        session,
        actor=actor_for(user, request_id=actor.request_id, ip=actor.ip),
        action="auth.login",
        object_type="auth_session",
        object_id=auth_session.id,
        region_code=user.scope,
        now=now,
        summary={"kind": kind, "how": how},
    )
    return LoginResult(token=token, auth_session=auth_session)


def authenticate(session: Session, *, token: str, kind: str, now: datetime) -> User | None:
    """The active user behind a live session token, or None. One statement: it runs
    before every authenticated request."""
    found = authenticate_until(session, token=token, kind=kind, now=now)
    return found[0] if found else None


def authenticate_until(
    session: Session, *, token: str, kind: str, now: datetime
) -> tuple[User, datetime] | None:
    """The active user behind a live session token and when that session expires (for
    the web layer's short-lived cache, ``gridgov.web.auth_cache``), or None."""
    row = session.execute(
        select(User, AuthSession.expires_at)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            AuthSession.token_hash == token_digest(token),
            AuthSession.kind == kind,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
            User.is_active.is_(True),
        )
    ).first()
    return (row[0], row[1]) if row else None


def do_logout(session: Session, *, token: str, actor: Actor, now: datetime) -> None:
    auth_session = session.scalar(
        select(AuthSession).where(AuthSession.token_hash == token_digest(token))
    )
    if auth_session is None or auth_session.revoked_at is not None:
        return
    auth_session.revoked_at = now
    record(
        session,
        actor=actor,
        action="auth.logout",
        object_type="auth_session",
        object_id=auth_session.id,
        now=now,
    )


# ---------------------------------------------------------------- API keys

API_KEY_PREFIX = "ggk"


def check_create_api_key(session: Session, *, name: str) -> None:
    if not 1 <= len(name.strip()) <= 128:
        raise InvalidInput(
            N_("The key was not created."),
            details=[Problem("name", N_("A name has 1 to 128 characters."))],
        )
    if session.scalar(select(ApiKey.id).where(ApiKey.name == name.strip())) is not None:
        raise Conflict("An API key named %(name)s exists.", params={"name": name.strip()})


def do_create_api_key(
    session: Session, *, actor: Actor, name: str, now: datetime
) -> tuple[str, ApiKey]:
    """Create a key; the plaintext is returned once and never stored."""
    if actor.role not in ("system", Role.ADMIN):
        raise Forbidden("Only administrators manage API keys.")
    check_create_api_key(session, name=name)
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{API_KEY_PREFIX}_{prefix}_{secret}"
    key = ApiKey(
        name=name.strip(),
        prefix=prefix,
        key_hash=token_digest(plaintext),
        created_at=now,
        created_by=actor.username,
    )
    add_and_record(
        session, actor, "apikey.created", key, now=now, summary={"name": key.name, "prefix": prefix}
    )
    return plaintext, key


def authenticate_api_key(session: Session, *, plaintext: str) -> ApiKey | None:
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, token_digest(plaintext)):
        return None
    return key


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def do_revoke_api_key(session: Session, *, actor: Actor, name: str, now: datetime) -> ApiKey:
    if actor.role not in ("system", Role.ADMIN):
        raise Forbidden("Only administrators manage API keys.")
    key = session.scalar(select(ApiKey).where(ApiKey.name == name))
    if key is None:
        raise NotFound("No API key named %(name)s.", params={"name": name})
    key.revoked_at = now
    record_about(session, actor, "apikey.revoked", key, now=now, summary={"name": key.name})
    return key


# ---------------------------------------------------------------- throttles


@dataclass(frozen=True)
class Throttle:
    """Recent failed logins on one account from one address."""

    username: str
    ip: str
    failures: int
    last_at: datetime


def list_throttles(
    session: Session, *, now: datetime, limits: rules.LoginLimits, limit: int = 200
) -> list[Throttle]:
    """Failed logins within the window, per account and address, most recent first."""
    since = rules.login_window_start(now, limits)
    rows = session.execute(
        select(LoginAttempt.username, LoginAttempt.ip, func.count(), func.max(LoginAttempt.at))
        .where(LoginAttempt.success.is_(False), LoginAttempt.at >= since)
        .group_by(LoginAttempt.username, LoginAttempt.ip)
        .order_by(func.max(LoginAttempt.at).desc())
        .limit(limit)
    ).all()
    return [
        Throttle(u, ip, n, at if at.tzinfo else at.replace(tzinfo=UTC)) for u, ip, n, at in rows
    ]


def do_clear_throttle(
    session: Session,
    *,
    actor: Actor,
    username: str,
    ip: str | None,
    now: datetime,
    limits: rules.LoginLimits,
) -> int:
    """Forget an account's recent failed logins (from one address, or all): its throttle
    and delay end at once. Audited; the failures stay in the audit log."""
    since = rules.login_window_start(now, limits)
    query = delete(LoginAttempt).where(
        LoginAttempt.username == normalise_username(username),
        LoginAttempt.success.is_(False),
        LoginAttempt.at >= since,
    )
    if ip:
        query = query.where(LoginAttempt.ip == ip)
    cleared = int(getattr(session.execute(query), "rowcount", 0) or 0)
    record(
        session,
        actor=actor,
        action="auth.throttle_cleared",
        object_type="user",
        now=now,
        summary={"username": username, "ip": ip or "*", "cleared": cleared},
    )
    return cleared


def users_of_residents(session: Session, *, resident_ids: list[int]) -> dict[int, int]:
    """resident id -> id of the active account linked to that register entry."""
    if not resident_ids:
        return {}
    found: dict[int, int] = {}
    for start in range(0, len(resident_ids), 500):
        chunk = resident_ids[start : start + 500]
        for user_id, resident_id in session.execute(
            select(User.id, User.resident_id).where(
                User.resident_id.in_(chunk), User.is_active.is_(True)
            )
        ):
            if resident_id is not None:
                found[resident_id] = user_id
    return found


def do_set_language(
    session: Session, *, actor: Actor, user: User, language: str, now: datetime
) -> bool:
    """Keep ``language`` as the account's interface language; False when it already was.

    Only the account's holder sets it (the caller passes the signed-in user).
    """
    if language not in SUPPORTED_LANGUAGES:
        raise InvalidInput("Choose one of the offered languages.")
    if actor.user_id != user.id:
        raise InvalidInput("You can only set your own language.")
    if user.language == language:
        return False
    previous = user.language
    user.language = language
    summary = {"from": previous, "to": language}
    record_about(session, actor, "user.language_set", user, now=now, summary=summary)
    return True
