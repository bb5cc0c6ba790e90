"""Appending to, reading and verifying the audit chain.

``record`` is called by every ``do_*`` function inside its transaction, so the audit
row commits or rolls back with the change it describes.
"""

from __future__ import annotations

import contextlib
import json
import weakref
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar, cast, overload

from sqlalchemy import (
    Integer,
    Table,
    bindparam,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.util import find_tables

from gridgov.accounts.rules import may_access, scope_clause
from gridgov.audit import rules
from gridgov.audit.models import AuditEvent, AuditHead
from gridgov.db import AUDIT_KEY_INFO, array_insert, array_params, run_statement
from gridgov.errors import InvalidInput

PURGE_ACTION = "audit.purged"
DISTRICT_CODE_LENGTH = 6


_HEAD = cast(Table, AuditHead.__table__)
_SET_HEAD = (
    update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))
)
_EVENT = cast(Table, AuditEvent.__table__)
_INSERT_EVENT = insert(_EVENT)


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

    def covers(self, code: str) -> bool:
        """The system, or an actor whose scope holds the region ``code``."""
        return self.role == "system" or may_access(self.scope, code)

    def acts_in(self, roles: Collection[str], code: str) -> bool:
        """The system, or an actor of one of ``roles`` whose scope holds ``code``."""
        return self.role == "system" or (self.role in roles and may_access(self.scope, code))


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
) -> None:
    """Add one audit row to the caller's transaction; it is chained when it commits.

    The rows wait on the transaction's connection until ``before_commit``
    (``_append_pending``), which flushes the transaction's other writes, then bumps the
    chain's head once for all of them with ``UPDATE … RETURNING`` (the row lock on
    PostgreSQL, the write lock on SQLite), chains them in order and inserts them. The
    head's lock is therefore held for the commit alone, not for the rest of a long
    transaction: two instances' writers queue on it for milliseconds. Rows recorded
    inside a savepoint that rolls back are dropped with it; a rolled-back transaction
    drops them all.
    """
    fields: dict[str, Any] = {
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
    _pending(session.connection()).append(fields)


class AuditSubject(Protocol):
    """A row an audit entry is about: its id and the region it lies in (None: no region).

    The entry's ``object_type`` is the action's prefix (``"pledge"`` for
    ``"pledge.posted"``), unless the row's class declares ``audit_type`` as a ClassVar
    (``audit_type: ClassVar[str] = "meeting"`` for ``"deliberation.signed_in"``).
    """

    @property
    def id(self) -> int | str: ...

    @property
    def region_code(self) -> str | None: ...


def audit_type(about: AuditSubject, action: str) -> str:
    """The ``object_type`` an entry about ``about`` recording ``action`` names."""
    declared = getattr(type(about), "audit_type", None)
    return declared if isinstance(declared, str) else action.partition(".")[0]


def record_about(
    session: Session,
    actor: Actor,
    action: str,
    about: AuditSubject,
    *,
    now: datetime,
    summary: dict[str, Any] | None = None,
) -> None:
    """``record`` an entry about one row: it names the row's type, id and region.

    ``record_about(session, actor, "pledge.posted", pledge, now=now)`` writes what
    ``record(..., object_type="pledge", object_id=pledge.id,
    region_code=pledge.region_code)`` does. An entry about no row, or one that names
    another region than the row's, calls ``record``.
    """
    record(
        session,
        actor=actor,
        action=action,
        object_type=audit_type(about, action),
        now=now,
        object_id=about.id,
        region_code=about.region_code,
        summary=summary,
    )


def record_region(
    session: Session,
    actor: Actor,
    action: str,
    code: str,
    *,
    now: datetime,
    summary: dict[str, Any] | None = None,
    object_type: str = "region",
) -> None:
    """``record`` an entry about a region itself: its code is the entry's object id and
    its region (``object_type`` names the kind when it is not "region")."""
    record(
        session,
        actor=actor,
        action=action,
        object_type=object_type,
        now=now,
        object_id=code,
        region_code=code,
        summary=summary,
    )


Row = TypeVar("Row")
Subject = TypeVar("Subject", bound=AuditSubject)


@overload
def add_and_record(
    session: Session,
    actor: Actor,
    action: str,
    row: Subject,
    *,
    now: datetime,
    summary: dict[str, Any] | None = None,
) -> Subject: ...


@overload
def add_and_record(
    session: Session,
    actor: Actor,
    action: str,
    row: Row,
    *,
    about: AuditSubject,
    now: datetime,
    summary: dict[str, Any] | None = None,
) -> Row: ...


def add_and_record(
    session: Session,
    actor: Actor,
    action: str,
    row: Any,
    *,
    about: AuditSubject | None = None,
    now: datetime,
    summary: dict[str, Any] | None = None,
) -> Any:
    """Add a new row, flush it (it has its id) and ``record_about`` it, or ``about`` the
    row it belongs to; the row is returned.

    ``return add_and_record(session, actor, "pledge.posted", pledge, now=now,
    summary=summary)`` is ``session.add(pledge)``, ``session.flush()`` and
    ``record_about(session, actor, "pledge.posted", pledge, ...)``. The summary is built
    before the flush: one that names the new row's id records it after.
    """
    session.add(row)
    session.flush()
    record_about(session, actor, action, row if about is None else about, now=now, summary=summary)
    return row


_PENDING = "gridgov.audit_pending"
# A session whose savepoints all end before its single commit (the intake writer's
# batch, one savepoint per report) sets this in its ``info``: a savepoint's release then
# leaves its rows pending, and the commit chains the whole transaction's rows with one
# bump of the head instead of one per savepoint. Such a session must never commit with a
# savepoint open (a commit there skips the rows the savepoints still hold).
CHAIN_AT_COMMIT = "gridgov.audit_chain_at_commit"
_MARKS = "gridgov.audit_savepoints"


def _pending(connection: Connection) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], connection.info.setdefault(_PENDING, []))


# Built once (its cache key with it): every commit that audits takes it.
_BUMP_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=_HEAD.c.seq + bindparam("count", type_=Integer))
    .returning(_HEAD.c.seq, _HEAD.c.hash)
)


# The audit rows (``array_insert``: one array parameter per column, ``row_{key}``) and
# the new head (``seq``, ``hash``) in one statement (PostgreSQL), built once: the same
# whatever the number of rows.
_APPEND_WITH_HEAD = _SET_HEAD.add_cte(
    array_insert(_EVENT, tuple(column.key for column in _EVENT.columns), "row_").cte("appended")
)


@event.listens_for(Session, "before_commit")
def _append_pending(session: Session) -> None:
    """Chain and insert the transaction's audit rows, and store the new head, in the
    same transaction as the change they describe.

    SQLAlchemy calls this for a savepoint's release too (``begin_nested``), where it
    chains what is pending so far, unless the session set ``CHAIN_AT_COMMIT``."""
    if session.info.get(CHAIN_AT_COMMIT) and session.in_nested_transaction():
        return  # the savepoint marks keep its rows; the commit chains them
    session.flush()
    bind = session.connection()
    rows = bind.info.pop(_PENDING, None)
    # Rows chained now are in the database: a savepoint rolled back later undoes them
    # there (with the head), so the open savepoints mark an empty pending list.
    marks: list[int] = bind.info.get(_MARKS, [])
    marks[:] = [0] * len(marks)
    if not rows:
        return
    ((last, prev_hash),) = run_statement(bind, _BUMP_HEAD, {"count": len(rows)})
    key = _key(session)
    seq = int(last) - len(rows)
    chained = []
    for fields in rows:
        seq += 1
        fields = {**fields, "seq": seq}
        digest = rules.chain_hash(key, prev_hash, fields)
        chained.append({**fields, "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    if bind.dialect.name == "postgresql":
        # The rows and the new head in one statement: the head's row lock, taken by the
        # bump above, is held for one round trip fewer (each is also a wait for the GIL
        # in a busy process). One array per column, so a sweep's thousands of rows are
        # one statement too.
        params = array_params(chained, prefix="row_")
        run_statement(bind, _APPEND_WITH_HEAD, {**params, "seq": seq, "hash": prev_hash})
        return
    run_statement(bind, _INSERT_EVENT, chained)
    run_statement(bind, _SET_HEAD, {"seq": seq, "hash": prev_hash})


# Savepoints nest strictly, so a stack of "rows pending when it began" tells what a
# rollback to the innermost one undoes. (SQLAlchemy names a savepoint only after its
# "savepoint" event, so names cannot be matched.)
@event.listens_for(Session, "do_orm_execute")
def _append_before_reading(state: ORMExecuteState) -> None:
    """A transaction that reads the audit log sees its own rows: chain them first (the
    rare transaction that does so takes the head's lock earlier)."""
    if not state.is_select:
        return
    bind = state.session.connection()
    if not bind.info.get(_PENDING):
        return
    statement = state.statement
    if isinstance(statement, ClauseElement) and _reads_audit(statement):
        _append_pending(state.session)


# Whether a statement reads the audit log, per statement object: a statement built once
# (most of the reads intake and the workflow run) is walked once, not at every execution.
_READS_AUDIT: weakref.WeakKeyDictionary[ClauseElement, bool] = weakref.WeakKeyDictionary()


def _reads_audit(statement: ClauseElement) -> bool:
    """Whether ``statement`` reads ``audit_event``. find_tables walks the statement (~15
    µs, a hundred calls); get_final_froms compiled an ORM select (~1 ms), which a
    transaction of many actions paid on every read. Statements are immutable, so the
    answer is remembered for as long as the statement lives."""
    try:
        known = _READS_AUDIT.get(statement)
    except TypeError:  # a construct that cannot be weakly referenced: walked each time
        known = None
    if known is None:
        tables = find_tables(statement, include_joins=True, include_aliases=True)
        known = any(table.name == AuditEvent.__tablename__ for table in tables)
        with contextlib.suppress(TypeError):
            _READS_AUDIT[statement] = known
    return known


@event.listens_for(Engine, "savepoint")
def _savepoint(connection: Connection, name: str | None) -> None:
    connection.info.setdefault(_MARKS, []).append(len(_pending(connection)))


@event.listens_for(Engine, "rollback_savepoint")
def _rollback_savepoint(connection: Connection, name: str, context: Any) -> None:
    marks: list[int] = connection.info.get(_MARKS, [])
    if marks:
        del _pending(connection)[marks.pop() :]


@event.listens_for(Engine, "release_savepoint")
def _release_savepoint(connection: Connection, name: str, context: Any) -> None:
    marks: list[int] = connection.info.get(_MARKS, [])
    if marks:
        marks.pop()


@event.listens_for(Engine, "rollback")
def _rollback(connection: Connection) -> None:
    connection.info.pop(_PENDING, None)
    connection.info.pop(_MARKS, None)


@event.listens_for(Engine, "commit")
def _commit(connection: Connection) -> None:
    # A commit outside a Session (none in gridgov) would leave rows behind: never carry
    # them into the connection's next use.
    connection.info.pop(_PENDING, None)
    connection.info.pop(_MARKS, None)


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

    @property
    def broken_seq(self) -> int | None:
        return self.problem.seq if self.problem else None

    @property
    def reason(self) -> str | None:
        return self.problem.reason if self.problem else None


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
