"""The sweep: escalate what was not acknowledged in time, mark what is overdue, queue
reminders; and the delivery of the outbox. Both are safe with several app instances on
one PostgreSQL: every escalation is a compare-and-set on the case's version, overdue
marking updates only rows not yet marked, and every message has a unique dedupe key.

Each item is isolated: one case that fails to escalate is logged with its id and the
rest go on; delivery claims a batch and commits, sends outside any transaction, then
marks what was sent (at least once: a crash between sending and marking sends again
after the claim's lease, with the same ``dedupe_key`` for the channel to drop).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record
from gridgov.cases import messages, outbox, rules
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
    failed: int = 0


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
        try:
            escalated = _escalate_once(db, case_id=case_id, version=version, now=now, tz=tz)
        except Exception:
            # One case's error must not stop the others: logged with its id, retried next pass.
            log.exception("escalation failed", extra={"fields": {"case_id": case_id}})
            result.failed += 1
            continue
        if escalated:
            result.escalated += 1
        else:
            result.lost_races += 1
    result.overdue = _in_own_transaction(db, result, _mark_overdue, now, "marking overdue cases")
    result.reminders = _in_own_transaction(db, result, _remind, now, "queueing reminders")
    return result


def _in_own_transaction(
    db: Database,
    result: SweepResult,
    step: Callable[[Session, datetime], int],
    now: datetime,
    what: str,
) -> int:
    """Run one step of the pass in its own transaction; a failure is logged and counted
    (the step counts 0) and the pass goes on."""
    try:
        with db.transaction() as session:
            return step(session, now)
    except Exception:
        log.exception("%s failed", what)
        result.failed += 1
        return 0


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


def _to_handler(
    template: str,
    case_id: int,
    code: str,
    unit: str | None,
    dept: int | None,
    *,
    dedupe_key: str,
) -> outbox.Notification:
    """An in-app message about a case to its handling department, else its unit."""
    subject, body = messages.compose(
        template, language=None, params={"code": code, "link": f"/cases/{case_id}"}
    )
    return outbox.Notification(
        channel="in_app",
        recipient=f"department:{dept}" if dept else f"unit:{unit}",
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        case_id=case_id,
    )


def _mark_overdue(session: Session, now: datetime) -> int:
    """Set overdue_at once per case (only rows not yet marked) and queue one notice each."""
    rows = session.execute(
        update(Case)
        .where(cases.overdue_clause(now), Case.overdue_at.is_(None))
        .values(overdue_at=now)
        .returning(Case.id, Case.unit_code, Case.tracking_code, Case.department_id)
    ).all()
    if not rows:
        return 0
    notices = [
        _to_handler("overdue", case_id, code, unit, dept, dedupe_key=f"overdue:{case_id}")
        for case_id, unit, code, dept in rows
    ]
    outbox.queue_notifications(session, now=now, messages=notices)
    record(
        session,
        actor=SWEEPER,
        action="case.marked_overdue",
        object_type="case",
        now=now,
        summary={"cases": len(rows)},
    )
    return len(rows)


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
        reminder = _to_handler(
            "report_in_soon", case_id, code, unit, dept, dedupe_key=f"remind:{assignment_id}"
        )
        queued += outbox.queue_once(session, now=now, message=reminder)
    return queued


# ---------------------------------------------------------------- delivery


class Channel(Protocol):
    """An external channel: SMS, e-mail, a chat group. ``send`` raises on failure."""

    def send(self, message: OutboxMessage) -> None:
        """Send one message. Delivery is at least once: pass ``message.dedupe_key`` to
        the gateway as its idempotency key so a resend after a crash is dropped there."""
        ...


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
    lease: timedelta = timedelta(minutes=5),
    on_error: Callable[[OutboxMessage, Exception], None] | None = None,
) -> int:
    """Send what is due, after the writes that queued it have committed, in three steps:

    1. claim a batch in a short transaction (``SKIP LOCKED`` on PostgreSQL, so two
       instances never claim the same row): in-app messages need no sending and are
       marked sent at once; the others are leased (``available_at`` moves ``lease`` on)
       and counted as an attempt; commit;
    2. send each through its channel outside any transaction (no write lock held while a
       gateway answers); one failure does not stop the others;
    3. mark the sent ones sent, and the failed ones with their error and a back-off.

    Returns the number of messages delivered."""
    sent = 0
    to_send: list[OutboxMessage] = []
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
            if message.channel == "in_app":
                message.sent_at = now
                sent += 1
            elif message.channel in channels:
                message.available_at = now + lease
                message.attempts += 1
                to_send.append(message)
    failures: dict[int, Exception] = {}
    for message in to_send:
        try:
            channels[message.channel].send(message)
        except Exception as exc:
            failures[message.id] = exc
            log.warning(
                "delivery failed",
                extra={"fields": {"outbox_id": message.id, "error": str(exc)[:200]}},
            )
            if on_error:
                on_error(message, exc)
    if not to_send:
        return sent
    with db.transaction() as session:
        for message in to_send:
            error = failures.get(message.id)
            if error is None:
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None))
                    .values(sent_at=now)
                )
                sent += 1
            else:
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message.id)
                    .values(
                        last_error=str(error)[:256],
                        available_at=now + timedelta(minutes=2**message.attempts),
                    )
                )
    return sent
