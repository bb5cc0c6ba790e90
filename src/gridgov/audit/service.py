"""Appending to, reading and verifying the audit chain.

``record`` is called by every ``do_*`` function inside its transaction, so the audit
row commits or rolls back with the change it describes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, event, func, insert, or_, select, text, update
from sqlalchemy.orm import Session

from gridgov.accounts.rules import scope_clause
from gridgov.audit import rules
from gridgov.audit.models import AuditEvent, AuditHead
from gridgov.db import AUDIT_KEY_INFO
from gridgov.errors import InvalidInput

PURGE_ACTION = "audit.purged"
DISTRICT_CODE_LENGTH = 6


_HEAD = cast(Table, AuditHead.__table__)
_BUMP_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + 1)
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)
_SET_HEAD = (
    update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))
)
_INSERT_EVENT = insert(cast(Table, AuditEvent.__table__))


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where: a user, an API key, the CLI or the system."""

    username: str
    role: str
    user_id: int | None = None
    scope: str | None = None
    organisation_id: int | None = None  # the unit a unit-staff user belongs to
    request_id: str | None = None
    ip: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(username=name, role="system")

    @classmethod
    def anonymous(cls, *, request_id: str | None = None, ip: str | None = None) -> Actor:
        return cls(username="anonymous", role="anonymous", request_id=request_id, ip=ip)


def _key(session: Session) -> bytes:
    key = session.info.get(AUDIT_KEY_INFO)
    if not isinstance(key, bytes):
        raise RuntimeError("session has no audit key: open it through gridgov.db.Database")
    return key


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    object_type: str,
    now: datetime,
    object_id: str | int | None = None,
    region_code: str | None = None,
    summary: dict[str, Any] | None = None,
) -> int:
    """Append one chained audit row in the caller's transaction; return its sequence.

    The first row of a transaction bumps the head with ``UPDATE … RETURNING``, which
    takes the row lock (PostgreSQL) or the write lock (SQLite) before the previous hash
    is read, so concurrent appends queue up. Later rows of the same transaction hold
    that lock already and chain in memory; the head is written once, just before the
    commit (``_write_head``). Prebuilt Core statements on the session's connection:
    this runs on every write of the application.
    """
    connection = session.connection()
    pending: dict[str, Any] | None = session.info.get(_PENDING_HEAD)
    if pending is None:
        seq, prev_hash = connection.execute(_BUMP_HEAD).one()
    else:
        seq, prev_hash = pending["seq"] + 1, pending["hash"]
    fields: dict[str, Any] = {
        "seq": seq,
        "at": now,
        "actor_id": actor.user_id,
        "actor": actor.username,
        "role": actor.role,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "region_code": region_code,
        "summary": rules.summary_json(summary or {}),
        "request_id": actor.request_id,
        "ip": actor.ip,
    }
    digest = rules.chain_hash(_key(session), prev_hash, fields)
    connection.execute(_INSERT_EVENT, {**fields, "prev_hash": prev_hash, "hash": digest})
    session.info[_PENDING_HEAD] = {"seq": int(seq), "hash": digest}
    return int(seq)


_PENDING_HEAD = "gridgov.audit_pending_head"


@event.listens_for(Session, "before_commit")
def _write_head(session: Session) -> None:
    """Store the chain's new head in the same transaction as its rows."""
    pending = session.info.pop(_PENDING_HEAD, None)
    if pending is not None:
        session.connection().execute(_SET_HEAD, pending)


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: Any) -> None:
    """A rolled-back transaction's rows are gone: so is the head it was building."""
    if transaction.parent is None:
        session.info.pop(_PENDING_HEAD, None)


def list_events(
    session: Session,
    *,
    scope: str | None,
    limit: int = 100,
    before_seq: int | None = None,
    action: str | None = None,
) -> list[AuditEvent]:
    """Newest first. Rows of a region show within scopes that cover it; rows with no
    region (logins, API keys, purges) only to readers scoped to a whole district."""
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)
    visible = scope_clause(scope, AuditEvent.region_code)
    if scope and len(scope) == DISTRICT_CODE_LENGTH:
        visible = or_(visible, AuditEvent.region_code.is_(None))
    query = query.where(visible)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


@dataclass(frozen=True)
class Verification:
    checked: int
    head_seq: int
    head_hash: str
    first_seq: int
    problem: rules.ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _rows(session: Session) -> Iterator[dict[str, Any]]:
    columns = [getattr(AuditEvent, name) for name in (*rules.CHAINED_FIELDS, "prev_hash", "hash")]
    result = session.execute(
        select(*columns).order_by(AuditEvent.seq).execution_options(yield_per=2000)
    )
    for row in result:
        yield dict(row._mapping)


def _purge_start(session: Session, first_seq: int) -> tuple[int, str] | None:
    """The (seq, hash) a purge recorded just before ``first_seq``, if one did."""
    for summary in session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == PURGE_ACTION)
    ):
        data = json.loads(summary)
        if data.get("through_seq") == first_seq - 1:
            return first_seq, str(data["through_hash"])
    return None


def verify(session: Session, *, anchor: tuple[int, str] | None = None) -> Verification:
    """Walk the whole chain; report the first row that was changed, removed or added.

    ``anchor`` is a (seq, hash) recorded elsewhere earlier (``gridgov audit head``): it
    catches a tail cut off together with a rewound head.
    """
    key = _key(session)
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    first_seq = session.scalar(select(func.min(AuditEvent.seq))) or 1
    start_seq, start_hash = 1, rules.GENESIS
    if first_seq > 1:
        start = _purge_start(session, first_seq)
        if start is None:
            missing = rules.ChainBreak(1, f"rows 1..{first_seq - 1} are missing (deleted)")
            return Verification(0, head.seq, head.hash, first_seq, missing)
        start_seq, start_hash = start
    checked, problem = rules.verify_chain(
        key, _rows(session), start_seq=start_seq, start_hash=start_hash, head=(head.seq, head.hash)
    )
    if problem is None and anchor is not None:
        anchor_seq, anchor_hash = anchor
        stored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == anchor_seq))
        if stored != anchor_hash:
            problem = rules.ChainBreak(anchor_seq, "row does not match the recorded anchor")
    return Verification(checked, head.seq, head.hash, first_seq, problem)


def check_purge(*, before: datetime, now: datetime, retention_days: int) -> None:
    problem = rules.purge_cutoff_problem(before, now, timedelta(days=retention_days))
    if problem:
        raise InvalidInput(problem.message, params=problem.params)


def do_purge(
    session: Session, *, actor: Actor, before: datetime, now: datetime, retention_days: int
) -> int:
    """Delete rows older than ``before`` (never younger than the retention floor).

    The purge is itself recorded in the chain with the last purged row's hash, from
    which ``verify`` restarts the walk.
    """
    check_purge(before=before, now=now, retention_days=retention_days)
    # Purge a prefix of the chain: up to the first row that is not old enough.
    first_young = session.scalar(select(func.min(AuditEvent.seq)).where(AuditEvent.at >= before))
    through = select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
    if first_young is not None:
        through = through.where(AuditEvent.seq < first_young)
    last = session.execute(through).first()
    if last is None:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL gridgov.audit_purge = 'on'"))
    result = session.execute(delete(AuditEvent).where(AuditEvent.seq <= last.seq))
    count = int(getattr(result, "rowcount", 0))
    record(
        session,
        actor=actor,
        action=PURGE_ACTION,
        object_type="audit_event",
        now=now,
        summary={"through_seq": last.seq, "through_hash": last.hash, "rows": count},
    )
    return count
