"""The outbox, as other domains use it: queue messages in the caller's transaction,
once per ``dedupe_key``, and read delivery receipts. Delivery happens after commit
(``cases.sweep.deliver``) like every other outbox message.

Deliberation's notices and reminders, crisis broadcasts and the field app write through
these functions; only the cases package touches ``OutboxMessage`` itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.cases.models import OutboxMessage
from gridgov.db import count_rows


@dataclass(frozen=True)
class Notification:
    """A message for the outbox; ``dedupe_key`` makes it exist once."""

    channel: str  # in_app, sms, chat, email
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    case_id: int | None = None  # the case it is about: the inbox opens it


def _row(now: datetime, m: Notification) -> dict[str, object]:
    return {
        "created_at": now,
        "available_at": now,
        "channel": m.channel,
        "recipient": m.recipient[:128],
        "subject": m.subject[:256],
        "body": m.body,
        "case_id": m.case_id,
        "dedupe_key": m.dedupe_key[:128],
        "attempts": 0,
        "last_error": "",
    }


def queue_notifications(
    session: Session, *, now: datetime, messages: Sequence[Notification]
) -> None:
    """Queue many messages in the caller's transaction (one bulk insert)."""
    if not messages:
        return
    session.execute(insert(OutboxMessage), [_row(now, m) for m in messages])


def queue_once(session: Session, *, now: datetime, message: Notification) -> bool:
    """Queue one message unless one with its ``dedupe_key`` exists (also when another
    process queues it at the same moment); True when this call queued it."""
    if is_queued(session, message.dedupe_key):
        return False
    try:
        with session.begin_nested():
            session.execute(insert(OutboxMessage), [_row(now, message)])
    except IntegrityError:
        return False
    return True


def is_queued(session: Session, dedupe_key: str) -> bool:
    return bool(count_rows(session, OutboxMessage, OutboxMessage.dedupe_key == dedupe_key[:128]))


def queued_for(session: Session, *, recipient: str, key_prefix: str) -> list[OutboxMessage]:
    """The messages queued for ``recipient`` whose dedupe key starts with ``key_prefix``,
    newest first."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.dedupe_key.startswith(key_prefix),
                OutboxMessage.recipient == recipient,
            )
            .order_by(OutboxMessage.id.desc())
        )
    )


def sent_times(session: Session, *, dedupe_keys: Sequence[str]) -> dict[str, datetime]:
    """When each of these queued messages was sent (delivery receipts); unsent ones
    are absent."""
    found: dict[str, datetime] = {}
    keys = list(dedupe_keys)
    for start in range(0, len(keys), 500):
        for key, sent_at in session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.sent_at).where(
                OutboxMessage.dedupe_key.in_(keys[start : start + 500]),
                OutboxMessage.sent_at.is_not(None),
            )
        ):
            if sent_at is not None:
                found[key] = sent_at
    return found
