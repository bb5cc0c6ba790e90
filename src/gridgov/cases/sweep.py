"""The sweep: escalate what was not acknowledged in time, mark what is overdue, queue
reminders; and the delivery of the outbox. Both are safe with several app instances on
one PostgreSQL: every escalation is a compare-and-set on the case's version, overdue
marking updates only rows not yet marked, and every message has a unique dedupe key.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record
from gridgov.cases import rules
from gridgov.cases import service as cases
from gridgov.cases.models import Assignment, Case, OutboxMessage
from gridgov.db import Database
from gridgov.errors import Conflict

log = logging.getLogger("gridgov.sweep")
REMIND_BEFORE = timedelta(hours=1)
SWEEPER = Actor.system("sweep")


@dataclass
class SweepResult:
    escalated: int = 0
    overdue: int = 0
    reminders: int = 0
    lost_races: int = 0


def sweep(
    db: Database, *, now: datetime, tz: str = "Asia/Shanghai", batch: int = 500
) -> SweepResult:
    """One pass. Each escalation runs in its own short transaction, so a crash loses
    at most the case in hand and two sweepers never escalate the same case twice."""
    result = SweepResult()
    with db.session() as session:
        late = list(
            session.execute(
                select(Case.id, Case.version)
                .join(
                    Assignment,
                    (Assignment.case_id == Case.id)
                    & Assignment.active.is_(True)
                    & Assignment.lead.is_(True),
                )
                .where(
                    Case.state.in_([s.value for s in rules.AWAITING_ACK]),
                    Assignment.acknowledged_at.is_(None),
                    Assignment.response_due_at < now,
                    Case.level != rules.Level.DEPARTMENT.value,
                )
                .order_by(Case.id)
                .limit(batch)
            )
        )
    for case_id, version in late:
        if _escalate_once(db, case_id=case_id, version=version, now=now, tz=tz):
            result.escalated += 1
        else:
            result.lost_races += 1
    with db.transaction() as session:
        result.overdue = _mark_overdue(session, now)
        result.reminders = _remind(session, now)
    return result


def _escalate_once(db: Database, *, case_id: int, version: int, now: datetime, tz: str) -> bool:
    with db.transaction() as session:
        # Claim the case: only the sweeper that still sees the version it read wins.
        claimed = session.execute(
            update(Case)
            .where(Case.id == case_id, Case.version == version)
            .values(version=Case.version + 1)
        )
        if getattr(claimed, "rowcount", 0) != 1:
            return False
        case = session.get(Case, case_id)
        if case is None:
            return False
        session.refresh(case)
        try:
            cases.escalate_one(session, case, SWEEPER, now, "not acknowledged in time", tz)
        except Conflict:
            return False
        return True


def _mark_overdue(session: Session, now: datetime) -> int:
    """Set overdue_at once per case (only rows not yet marked) and queue one notice each."""
    ids = [
        row[0]
        for row in session.execute(
            update(Case)
            .where(cases.overdue_clause(now), Case.overdue_at.is_(None))
            .values(overdue_at=now)
            .returning(Case.id, Case.unit_code, Case.tracking_code)
        )
    ]
    if not ids:
        return 0
    rows = session.execute(
        select(Case.id, Case.unit_code, Case.tracking_code, Case.department_id).where(
            Case.id.in_(ids)
        )
    ).all()
    session.execute(
        insert(OutboxMessage),
        [
            {
                "created_at": now,
                "available_at": now,
                "channel": "in_app",
                "recipient": f"department:{dept}" if dept else f"unit:{unit}",
                "subject": f"[{code}] overdue",
                "body": f"case {code} is past its due time",
                "case_id": case_id,
                "dedupe_key": f"overdue:{case_id}",
            }
            for case_id, unit, code, dept in rows
        ],
    )
    record(
        session,
        actor=SWEEPER,
        action="case.marked_overdue",
        object_type="case",
        now=now,
        summary={"cases": len(ids)},
    )
    return len(ids)


def _remind(session: Session, now: datetime) -> int:
    """One reminder per assignment whose report-in time is within the hour."""
    due_soon = session.execute(
        select(
            Assignment.id,
            Assignment.unit_code,
            Assignment.department_id,
            Case.id,
            Case.tracking_code,
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Assignment.active.is_(True),
            Assignment.acknowledged_at.is_(None),
            Assignment.response_due_at >= now,
            Assignment.response_due_at < now + REMIND_BEFORE,
        )
    ).all()
    queued = 0
    for assignment_id, unit, dept, case_id, code in due_soon:
        key = f"remind:{assignment_id}"
        if session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key == key)
        ):
            continue
        try:
            with session.begin_nested():
                session.add(
                    OutboxMessage(
                        created_at=now,
                        available_at=now,
                        channel="in_app",
                        recipient=f"department:{dept}" if dept else f"unit:{unit}",
                        subject=f"[{code}] report in within the hour",
                        body=f"case {code}",
                        case_id=case_id,
                        dedupe_key=key,
                    )
                )
            queued += 1
        except IntegrityError:
            continue  # another sweeper queued it a moment ago
    return queued


# ---------------------------------------------------------------- delivery


class Channel(Protocol):
    """An external channel: SMS, e-mail, a chat group. ``send`` raises on failure."""

    def send(self, message: OutboxMessage) -> None: ...


class RecordingChannel:
    """Keeps what it was asked to send: used by tests and the demo."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, message: OutboxMessage) -> None:
        self.sent.append((message.recipient, message.subject, message.body))


def deliver(
    db: Database,
    *,
    channels: Mapping[str, Channel],
    now: datetime,
    limit: int = 200,
    max_attempts: int = 5,
    on_error: Callable[[OutboxMessage, Exception], None] | None = None,
) -> int:
    """Send what is due, after the writes that queued it have committed. In-app messages
    need no sending: the app reads them. Rows are claimed with SKIP LOCKED on PostgreSQL
    so two instances never send the same message."""
    sent = 0
    with db.transaction() as session:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.available_at <= now,
                OutboxMessage.attempts < max_attempts,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if db.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        for message in session.scalars(query):
            channel = channels.get(message.channel)
            if message.channel == "in_app":
                message.sent_at = now
                sent += 1
                continue
            if channel is None:
                continue
            try:
                channel.send(message)
            except Exception as exc:
                message.attempts += 1
                message.last_error = str(exc)[:256]
                message.available_at = now + timedelta(minutes=2**message.attempts)
                if on_error:
                    on_error(message, exc)
                continue
            message.sent_at = now
            message.attempts += 1
            sent += 1
    return sent
