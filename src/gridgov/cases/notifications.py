"""The messages the workflow sends through the outbox: to the reporter (in their
language, with the tracking link), to the unit a case is assigned to, to the district's
dispatchers when nobody staffs that unit; and the in-app inbox that reads them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.cases import messages
from gridgov.cases.access import DISPATCH_ROLES, DISTRICT_CODE_LENGTH
from gridgov.cases.models import (
    Assignment,
    Case,
    OutboxMessage,
)
from gridgov.cases.routing import category_of
from gridgov.cases.rules import Level
from gridgov.cases.steps import add_event
from gridgov.db import add_values
from gridgov.registry import public as registry_public


class _Address(NamedTuple):
    """Where a message goes, once: the channel, the recipient, the de-duplication key."""

    channel: str
    recipient: str
    dedupe_key: str


def outbox_values(
    *, now: datetime, case: Case | None, message: tuple[str, str], to: _Address
) -> dict[str, Any]:
    """The columns of the outbox row that queues ``message`` (subject, body) for ``to``."""
    subject, body = message
    return {
        "created_at": now,
        "available_at": now,
        "channel": to.channel,
        "recipient": to.recipient[:128],
        "subject": subject[:256],
        "body": body,
        "case_id": case.id if case else None,
        "dedupe_key": to.dedupe_key[:128],
    }


def _outbox(
    session: Session, *, now: datetime, case: Case | None, message: tuple[str, str], to: _Address
) -> None:
    """Queue ``message`` (subject, body) about ``case`` for ``to``: inside ``rows_at_once``
    (intake) as values in its buffer, else as a new row of the session."""
    values = outbox_values(now=now, case=case, message=message, to=to)
    add_values(session, OutboxMessage, values)


def _language_of(session: Session, user_id: int | None) -> str | None:
    from gridgov.accounts.models import User

    if user_id is None:
        return None
    # Usually the caller, already in the session (authentication put it there): no SQL,
    # and no flush of what the request has pending.
    user = session.get(User, user_id)
    return user.language if user is not None else None


def _case_params(session: Session, case: Case, language: str | None) -> dict[str, object]:
    category = category_of(session, case)
    return {
        "code": case.tracking_code,
        "category": messages.category_label(category.name_zh, category.name_en, language)
        if category
        else "—",
        "place": case.address or case.grid_code or "—",
    }


def notify_reporter(
    session: Session,
    case: Case,
    now: datetime,
    what: str,
    tz: str = "Asia/Shanghai",
    *,
    link: str = "",
) -> None:
    """Tell the reporter, in their language, with a link to the tracking page (carrying
    the reporter's secret when the caller has it: the SMS after a report)."""
    recipients: list[_Address] = []
    if case.reporter_user_id is not None:
        recipients.append(
            _Address(
                "in_app",
                f"user:{case.reporter_user_id}",
                f"reporter:{case.id}:{what}:{case.version}",
            )
        )
    if case.reporter_phone_index is not None:
        recipients.append(
            _Address(
                "sms",
                f"phone-index:{case.reporter_phone_index}",
                f"sms:{case.id}:{what}:{case.version}",
            )
        )
    if not recipients:
        return
    language = _language_of(session, case.reporter_user_id)
    params = {
        **_case_params(session, case, language),
        "when": messages.local(now, tz),
        "link": link or f"/track/{case.tracking_code}",
    }
    message = messages.compose(what, language=language, params=params)
    for to in recipients:
        _outbox(session, now=now, case=case, message=message, to=to)


def notify_unit(
    session: Session, case: Case, assignment: Assignment, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    """Tell the unit a case is theirs. A grid's case reaches the grid's chat group (where
    its workers and helpers talk) and the grid workers' own in-app inbox (where the app
    shows it whether or not the chat bridge delivers); other units read it in the app."""
    recipient = (
        f"department:{assignment.department_id}"
        if assignment.department_id
        else f"unit:{assignment.unit_code}"
    )
    params = {
        **_case_params(session, case, None),
        "due": messages.local(assignment.response_due_at, tz),
        "link": f"/cases/{case.id}",
    }
    message = messages.compose("assigned", language=None, params=params)
    key = f"assigned:{case.id}:{case.version}:{assignment.unit_code}"
    addresses = [_Address("in_app", recipient, key)]
    if assignment.level == Level.GRID.value:
        # A grid's chat message keeps the key it always had; its in-app copy is marked.
        addresses = [_Address("chat", recipient, key), _Address("in_app", recipient, f"{key}:app")]
    for to in addresses:
        _outbox(session, now=now, case=case, message=message, to=to)


def flag_unstaffed(session: Session, case: Case, assignment: Assignment, now: datetime) -> None:
    """A case routed to a department or office with nobody to work it (no active account,
    or a department the register does not know) reaches the district's dispatchers at
    once, rather than at its deadline."""
    from gridgov.accounts import units

    if assignment.level == Level.GRID.value:
        return
    missing = assignment.level == Level.DEPARTMENT.value and assignment.department_id is None
    if not missing and units.has_active_staff(
        session, organisation_id=assignment.department_id, region_code=assignment.unit_code
    ):
        return
    if assignment.id is None:  # assign inserts its assignments at once (insert_now)
        session.flush()  # the assignment's id, for the message's key
    unit_name = (
        registry_public.organisation_name(session, assignment.department_id)
        if assignment.department_id
        else None
    )
    message = messages.compose(
        "unstaffed",
        language=None,
        params={
            **_case_params(session, case, None),
            "unit": unit_name or assignment.unit_code,
            "link": f"/cases/{case.id}",
        },
    )
    add_event(
        session,
        case,
        Actor.system("router"),
        now,
        "unstaffed",
        None,
        None,
        note=assignment.unit_code,
        public=False,
    )
    dispatchers = f"dispatchers:{(case.grid_code or assignment.unit_code)[:DISTRICT_CODE_LENGTH]}"
    to = _Address("in_app", dispatchers, f"unstaffed:{case.id}:{assignment.id}")
    _outbox(session, now=now, case=case, message=message, to=to)


def recipients_of(actor: Actor) -> list[str]:
    """The outbox recipients an in-app user reads: their own, their unit's, their area's."""
    names = []
    if actor.user_id is not None:
        names.append(f"user:{actor.user_id}")
    if actor.organisation_id is not None:
        names.append(f"department:{actor.organisation_id}")
    if actor.scope and actor.role != Role.RESIDENT:
        names.append(f"unit:{actor.scope}")
    if actor.scope and actor.role in DISPATCH_ROLES:
        names.append(f"dispatchers:{actor.scope[:DISTRICT_CODE_LENGTH]}")
    return names


def inbox(session: Session, *, actor: Actor, limit: int = 100) -> list[OutboxMessage]:
    """The user's in-app notifications, newest first."""
    names = recipients_of(actor)
    if not names:
        return []
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "in_app", OutboxMessage.recipient.in_(names))
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        )
    )
