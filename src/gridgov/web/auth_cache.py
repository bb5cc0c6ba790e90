"""Who a session token belongs to, remembered for a moment (ADR 0021).

Every authenticated request used to look its token up: a worker-thread hop, a
connection from the pool, BEGIN, one SELECT, ROLLBACK — most of the server time of a
small read. This process now remembers, for ``TTL_SECONDS``, the user a live token
belongs to and when its session expires; a request within that window authenticates on
the event loop without touching the database, and its session opens a connection only
if the route itself needs one.

Correctness:

- **In this process**, any commit that changes a user or an auth session (logout,
  disabling, a new role or scope, a password change revoking sessions, bulk UPDATEs of
  either table through the ORM) empties the cache at commit, so the next request sees
  the change at once. A lookup that raced such a commit is not stored (a generation
  counter).
- **In another process** (a second app instance, the CLI), the change reaches this one
  within ``TTL_SECONDS``: the bound on how long a revoked token can still be used.
- The session's own expiry is checked against the request's clock on every hit.
- Only successes are remembered: an unknown or revoked token always asks the database.

A hit hands the route a copy of the remembered user merged into the request's session
without SQL (``Session.merge(load=False)``): the route reads, lazy-loads and changes it
as a user it had loaded itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from gridgov.accounts import service as accounts
from gridgov.accounts.models import AuthSession, User

TTL_SECONDS = 2.0
MAX_ENTRIES = 50_000
CHANGED = "gridgov.auth_changed"
WATCHED = (User, AuthSession)
WATCHED_TABLES = frozenset({User.__tablename__, AuthSession.__tablename__})


@dataclass(frozen=True)
class Entry:
    user: User  # detached, never attached to a session: merged copies are
    expires_at: datetime  # the auth session's own expiry
    stored_at: float  # time.monotonic()


class PrincipalCache:
    """token digest and kind (per database) -> the user, for ``ttl`` seconds."""

    def __init__(self, ttl: float = TTL_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.entries: dict[tuple[str, str, str], Entry] = {}
        self.generation = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str, str], now: datetime) -> User | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.stored_at > self.ttl or entry.expires_at <= now:
            self.entries.pop(key, None)
            return None
        return entry.user

    def put(self, key: tuple[str, str, str], entry: Entry, generation: int) -> None:
        with self.lock:
            if generation != self.generation:
                return  # a user or session changed while this was looked up
            if len(self.entries) >= self.max_entries:
                self.entries.clear()
            self.entries[key] = entry

    def clear(self) -> None:
        with self.lock:
            self.generation += 1
            self.entries.clear()


CACHE = PrincipalCache()


def _lookup(
    open_session: Callable[[], Session], *, token: str, kind: str, now: datetime
) -> tuple[User, datetime] | None:
    """The user and expiry, read in a session of its own and detached from it."""
    with open_session() as lookup:
        found = accounts.authenticate_until(lookup, token=token, kind=kind, now=now)
        if found is None:
            return None
        lookup.expunge(found[0])
        return found


def cached_detached(database_url: str, *, token: str, kind: str, now: datetime) -> User | None:
    """The remembered user itself, in no session: shared by every request that reads
    it, so only to be read (its columns), never changed; None on a miss."""
    return CACHE.get((database_url, kind, accounts.token_digest(token)), now)


def remember_detached(
    database_url: str,
    open_session: Callable[[], Session],
    *,
    token: str,
    kind: str,
    now: datetime,
) -> User | None:
    """Look the token up (blocking: run it in a worker thread), remember a live one and
    return the remembered user itself (``cached_detached``'s rules)."""
    generation = CACHE.generation
    found = _lookup(open_session, token=token, kind=kind, now=now)
    if found is None:
        return None
    user, expires_at = found
    key = (database_url, kind, accounts.token_digest(token))
    CACHE.put(key, Entry(user, expires_at, time.monotonic()), generation)
    return user


# ---------------------------------------------------------------- invalidation


@event.listens_for(Session, "after_flush")
def _note_flushed_change(session: Session, _flush: UOWTransaction) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, WATCHED):
            session.info[CHANGED] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_change(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        table: Any = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in WATCHED_TABLES:
            state.session.info[CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_on_commit(session: Session) -> None:
    if session.info.pop(CHANGED, False):
        CACHE.clear()
