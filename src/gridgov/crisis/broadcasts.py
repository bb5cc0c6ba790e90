"""Broadcasts: a notice or alert written once with one block per language (as CAP
alerts carry one <info> per language), sent to every household of an area once, in
the language of its members (else the fallback), on its channel: in-app when a member
has an account, SMS to a member's phone, else the grid's chat group. Delivery and read
receipts; the households not reached feed the incident's check-in list."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.rules import may_access, within_view
from gridgov.audit.service import Actor, record_about
from gridgov.cases import outbox
from gridgov.crisis import rules
from gridgov.crisis.models import (
    Broadcast,
    BroadcastBlock,
    BroadcastDelivery,
    HouseholdCheckin,
    Incident,
)
from gridgov.crisis.rules import Block, BroadcastChannel, BroadcastSeverity, DeliveryStatus
from gridgov.crisis.service import check_command, may_see_incident, overlaps
from gridgov.db import rows, visible_row
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.registry import service as registry

MAX_BLOCKS = 20


def may_see_broadcast(actor: Actor, broadcast: Broadcast) -> bool:
    if actor.role == "system":
        return True
    return may_access(actor.scope, broadcast.region_code) or overlaps(
        actor.scope, rules.split(broadcast.area_codes)
    )


def get_broadcast(session: Session, *, broadcast_id: int, viewer: Actor) -> Broadcast:
    return visible_row(session, Broadcast, broadcast_id, partial(may_see_broadcast, viewer))


def list_broadcasts(
    session: Session, *, viewer: Actor, incident: Incident | None = None
) -> list[Broadcast]:
    query = select(Broadcast).order_by(Broadcast.created_at.desc(), Broadcast.id.desc()).limit(100)
    if incident is not None:
        query = query.where(Broadcast.incident_id == incident.id)
    return [b for b in session.scalars(query) if may_see_broadcast(viewer, b)]


def blocks_of(session: Session, broadcast: Broadcast) -> list[BroadcastBlock]:
    return rows(
        session,
        BroadcastBlock,
        BroadcastBlock.broadcast_id == broadcast.id,
        order_by=(BroadcastBlock.id,),
    )


def do_create_broadcast(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    area_codes: Sequence[str],
    severity: str,
    fallback_language: str,
    blocks: Sequence[Block],
    now: datetime,
    incident: Incident | None = None,
) -> Broadcast:
    check_command(actor, region_code)
    problems = rules.broadcast_problems(blocks, fallback_language)
    if len(blocks) > MAX_BLOCKS:
        problems.append(Problem("blocks", "At most %(n)s languages.", n=MAX_BLOCKS))
    if severity not in {s.value for s in BroadcastSeverity}:
        problems.append(Problem("severity", "Choose notice or alert."))
    problems.extend(rules.area_problems(region_code, area_codes))
    if incident is not None and not may_see_incident(actor, incident):
        raise NotFound("Not found, or outside your area.")
    if problems:
        raise InvalidInput("The broadcast was not saved.", details=problems)
    broadcast = Broadcast(
        incident_id=incident.id if incident else None,
        region_code=region_code,
        area_codes=rules.join(area_codes),
        severity=severity,
        fallback_language=fallback_language,
        created_at=now,
        created_by=actor.username[:64],
    )
    session.add(broadcast)
    session.flush()
    for block in blocks:
        session.add(
            BroadcastBlock(
                broadcast_id=broadcast.id,
                language=block.language,
                headline=block.headline.strip(),
                body=block.body.strip(),
            )
        )
    summary = {"languages": [b.language for b in blocks], "fallback": fallback_language}
    record_about(session, actor, "broadcast.created", broadcast, now=now, summary=summary)
    return broadcast


@dataclass(frozen=True)
class Plan:
    household_id: int
    grid_code: str
    language: str
    channel: BroadcastChannel
    recipient: str


def plan(
    facts: Sequence[registry.HouseholdFacts],
    *,
    languages: Sequence[str],
    fallback: str,
    users: dict[int, int],
) -> list[Plan]:
    """Who gets which block on which channel: pure, given the register facts."""
    plans = []
    for household in facts:
        language = rules.choose_language(household.languages, languages, fallback)
        user_id = next((users[r] for r in household.resident_ids if r in users), None)
        if user_id is not None:
            channel, recipient = BroadcastChannel.IN_APP, f"user:{user_id}"
        elif household.phone_index:
            channel, recipient = BroadcastChannel.SMS, f"phone-index:{household.phone_index}"
        else:
            channel, recipient = BroadcastChannel.CHAT, f"unit:{household.grid_code}"
        plans.append(Plan(household.id, household.grid_code, language, channel, recipient))
    return plans


def do_send_broadcast(
    session: Session, *, actor: Actor, broadcast: Broadcast, now: datetime
) -> int:
    """Queue the broadcast for every household of its area, once each."""
    check_command(actor, broadcast.region_code)
    if broadcast.sent_at is not None:
        raise Conflict("This broadcast has been sent already.")
    blocks = {b.language: b for b in blocks_of(session, broadcast)}
    facts = registry.household_facts(session, prefixes=rules.split(broadcast.area_codes))
    users = accounts.users_of_residents(
        session, resident_ids=[r for f in facts for r in f.resident_ids]
    )
    plans = plan(facts, languages=list(blocks), fallback=broadcast.fallback_language, users=users)
    already = set(
        session.scalars(
            select(BroadcastDelivery.household_id).where(
                BroadcastDelivery.broadcast_id == broadcast.id
            )
        )
    )
    plans = [p for p in plans if p.household_id not in already]
    rows = []
    messages = []
    chat_sent: set[tuple[str, str]] = set()
    for p in plans:
        key = f"broadcast:{broadcast.id}:household:{p.household_id}"
        rows.append(
            {
                "broadcast_id": broadcast.id,
                "household_id": p.household_id,
                "grid_code": p.grid_code,
                "language": p.language,
                "channel": p.channel.value,
                "recipient": p.recipient,
                "outbox_key": key,
                "status": DeliveryStatus.QUEUED.value,
                "queued_at": now,
            }
        )
        block = blocks[p.language]
        if p.channel is BroadcastChannel.CHAT:
            # One post per chat group and language reaches every household in it.
            group = (p.recipient, p.language)
            if group in chat_sent:
                continue
            chat_sent.add(group)
            key = f"broadcast:{broadcast.id}:chat:{p.recipient}:{p.language}"
        messages.append(
            outbox.Notification(
                channel=p.channel.value,
                recipient=p.recipient,
                subject=block.headline,
                body=block.body,
                dedupe_key=key,
            )
        )
    for start in range(0, len(rows), 2000):
        session.execute(insert(BroadcastDelivery), rows[start : start + 2000])
    outbox.queue_notifications(session, now=now, messages=messages)
    broadcast.sent_at = now
    summary = {
        "households": len(rows),
        "languages": dict(Counter(p.language for p in plans)),
        "channels": dict(Counter(p.channel.value for p in plans)),
    }
    record_about(session, actor, "broadcast.sent", broadcast, now=now, summary=summary)
    return len(rows)


def _audit_receipts(
    session: Session, *, broadcast: Broadcast, status: str, count: int, now: datetime
) -> int:
    """One audit row per batch of receipts that changed something (none when nothing did)."""
    if count:
        summary = {"households": count}
        record_about(
            session,
            Actor.system("receipts"),
            f"broadcast.{status}",
            broadcast,
            now=now,
            summary=summary,
        )
    return count


def do_refresh_receipts(session: Session, *, broadcast: Broadcast, now: datetime) -> int:
    """Mark deliveries whose outbox message went out as delivered (a chat post counts
    for every household of its group)."""
    queued = list(
        session.execute(
            select(
                BroadcastDelivery.id,
                BroadcastDelivery.outbox_key,
                BroadcastDelivery.channel,
                BroadcastDelivery.recipient,
                BroadcastDelivery.language,
            ).where(
                BroadcastDelivery.broadcast_id == broadcast.id,
                BroadcastDelivery.status == DeliveryStatus.QUEUED.value,
            )
        )
    )
    if not queued:
        return 0

    def key_of(row: Any) -> str:
        _id, key, channel, recipient, language = row
        if channel == BroadcastChannel.CHAT.value:
            return f"broadcast:{broadcast.id}:chat:{recipient}:{language}"
        return str(key)

    sent = outbox.sent_times(session, dedupe_keys=sorted({key_of(r) for r in queued}))
    delivered: dict[datetime, list[int]] = {}
    for row in queued:
        at = sent.get(key_of(row))
        if at is not None:
            delivered.setdefault(at, []).append(row[0])
    count = 0
    for at, ids in delivered.items():
        for start in range(0, len(ids), 500):
            session.execute(
                update(BroadcastDelivery)
                .where(BroadcastDelivery.id.in_(ids[start : start + 500]))
                .values(status=DeliveryStatus.DELIVERED.value, delivered_at=at)
                .execution_options(synchronize_session=False)
            )
        count += len(ids)
    return _audit_receipts(session, broadcast=broadcast, status="delivered", count=count, now=now)


def do_mark_read(
    session: Session, *, broadcast: Broadcast, household_id: int, now: datetime
) -> bool:
    """A read receipt (the resident opened it in the app; an SMS gateway's receipt)."""
    return (
        do_mark_read_many(session, broadcast=broadcast, household_ids=[household_id], now=now) > 0
    )


def do_mark_failed(
    session: Session, *, broadcast: Broadcast, household_id: int, now: datetime
) -> bool:
    return (
        do_mark_failed_many(session, broadcast=broadcast, household_ids=[household_id], now=now) > 0
    )


def do_mark_failed_many(
    session: Session, *, broadcast: Broadcast, household_ids: Sequence[int], now: datetime
) -> int:
    """A gateway's report that a message did not arrive (number out of service, group
    bridge down): the household goes on the "not reached" list. A read receipt wins."""
    count = _mark_deliveries(
        session,
        broadcast,
        household_ids,
        BroadcastDelivery.status.in_([DeliveryStatus.QUEUED.value, DeliveryStatus.DELIVERED.value]),
        status=DeliveryStatus.FAILED.value,
    )
    return _audit_receipts(session, broadcast=broadcast, status="failed", count=count, now=now)


def _mark_deliveries(
    session: Session,
    broadcast: Broadcast,
    household_ids: Sequence[int],
    still: ColumnElement[bool],
    **values: object,
) -> int:
    """Set ``values`` on the broadcast's deliveries to ``household_ids`` that are
    ``still`` as the receipt expects, 500 households a statement; how many changed."""
    count = 0
    ids = list(household_ids)
    for start in range(0, len(ids), 500):
        result = session.execute(
            update(BroadcastDelivery)
            .where(
                BroadcastDelivery.broadcast_id == broadcast.id,
                BroadcastDelivery.household_id.in_(ids[start : start + 500]),
                still,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        count += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return count


def receipt_counts(
    session: Session, *, broadcast: Broadcast, viewer: Actor
) -> dict[str, dict[str, int]]:
    """language -> status -> households, inside the viewer's area."""
    query = (
        select(BroadcastDelivery.language, BroadcastDelivery.status, func.count())
        .where(BroadcastDelivery.broadcast_id == broadcast.id)
        .group_by(BroadcastDelivery.language, BroadcastDelivery.status)
    )
    query = within_view(query, viewer, BroadcastDelivery.grid_code)
    found: dict[str, dict[str, int]] = {}
    for language, status, count in session.execute(query):
        found.setdefault(language, {})[status] = int(count)
    return found


def not_reached(
    session: Session, *, broadcast: Broadcast, viewer: Actor, limit: int = 500
) -> list[BroadcastDelivery]:
    query = select(BroadcastDelivery).where(
        BroadcastDelivery.broadcast_id == broadcast.id,
        BroadcastDelivery.status.in_([DeliveryStatus.QUEUED.value, DeliveryStatus.FAILED.value]),
    )
    query = within_view(query, viewer, BroadcastDelivery.grid_code)
    return list(
        session.scalars(
            query.order_by(BroadcastDelivery.grid_code, BroadcastDelivery.household_id).limit(limit)
        )
    )


def do_feed_checkins(session: Session, *, actor: Actor, broadcast: Broadcast, now: datetime) -> int:
    """Households the broadcast did not reach go to the front of the incident's
    check-in list."""
    check_command(actor, broadcast.region_code)
    if broadcast.incident_id is None:
        raise InvalidInput("This broadcast belongs to no incident.")
    missed = select(BroadcastDelivery.household_id).where(
        BroadcastDelivery.broadcast_id == broadcast.id,
        BroadcastDelivery.status.in_([DeliveryStatus.QUEUED.value, DeliveryStatus.FAILED.value]),
    )
    result = session.execute(
        update(HouseholdCheckin)
        .where(
            HouseholdCheckin.incident_id == broadcast.incident_id,
            HouseholdCheckin.household_id.in_(missed),
            HouseholdCheckin.missed_broadcast.is_(False),
        )
        .values(missed_broadcast=True)
        .execution_options(synchronize_session=False)
    )
    count = int(result.rowcount or 0)  # type: ignore[attr-defined]
    record_about(
        session, actor, "broadcast.fed_checkins", broadcast, now=now, summary={"households": count}
    )
    return count


def do_mark_read_many(
    session: Session, *, broadcast: Broadcast, household_ids: Sequence[int], now: datetime
) -> int:
    """Read receipts in a batch, as a gateway reports them."""
    count = _mark_deliveries(
        session,
        broadcast,
        household_ids,
        BroadcastDelivery.read_at.is_(None),
        status=DeliveryStatus.READ.value,
        read_at=now,
    )
    return _audit_receipts(session, broadcast=broadcast, status="read", count=count, now=now)


def delivered_households(session: Session, *, broadcast: Broadcast) -> list[int]:
    return list(
        session.scalars(
            select(BroadcastDelivery.household_id)
            .where(
                BroadcastDelivery.broadcast_id == broadcast.id,
                BroadcastDelivery.status == DeliveryStatus.DELIVERED.value,
            )
            .order_by(BroadcastDelivery.household_id)
        )
    )
