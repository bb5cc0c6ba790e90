"""What crosses the parts of deliberation, written out in one place (ADR 0019).

The notice board knows nothing of matters, and matters know the notice board only to
draft their disclosures. Where one part's step moves another, the step is here:

- a disclosure notice closes after its posting period → the matter's disclosure stage is
  adopted and the matter moves on (``do_close``, and ``sweep`` for every due notice);
- an implementation completes while its matter waits at the result disclosure → the
  result notice is drafted (``do_complete_implementation``);
- a matter is withdrawn → its open meetings are cancelled and its notices withdrawn
  (``do_withdraw_matter``).

Each runs in the caller's transaction, audited by the steps it is made of.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record, record_about
from gridgov.deliberation.access import OPEN_MEETING_STATES, _clean, check_may_run
from gridgov.deliberation.implementation import complete_implementation
from gridgov.deliberation.matters import (
    _bump,
    _disclosure_kind,
    _draft_disclosure,
    advance_after_disclosure,
    get_matter,
    procedure_of,
)
from gridgov.deliberation.models import Implementation, Matter, Meeting, Notice
from gridgov.deliberation.noticeboard.closing import close_notice, withdraw_for_matter
from gridgov.deliberation.noticeboard.common import DEFAULT_TZ
from gridgov.deliberation.noticeboard.routine import queue_reminders
from gridgov.deliberation.rules import MatterState, NoticeKind, NoticeState, StageKind
from gridgov.deliberation.states import MATTER_ALLOWED, move
from gridgov.deliberation.voting import do_cancel_meeting
from gridgov.errors import Conflict

log = logging.getLogger("gridgov.notices")


def do_close(
    session: Session, *, actor: Actor, notice_id: int, now: datetime, tz: str = DEFAULT_TZ
) -> Notice:
    """Close a notice whose posting period is over; a matter's disclosure then moves the
    matter on (``matters.advance_after_disclosure``) in the same transaction."""
    notice = close_notice(session, actor=actor, notice_id=notice_id, now=now, tz=tz)
    if notice.matter_id is not None:
        advance_after_disclosure(
            session, matter_id=notice.matter_id, notice_id=notice.id, actor=actor, now=now
        )
    return notice


def sweep(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    tz: str = DEFAULT_TZ,
    language: str | None = None,
) -> dict[str, int]:
    """Close every posted notice whose period is over (each through :func:`do_close`, in
    a savepoint so one refusal does not stop the rest) and queue one reminder per routine
    disclosure due or overdue (region, kind and due date: the dedupe key), written in
    ``language`` (None: the office default)."""
    counts = {"closed": 0, "close_failed": 0, "reminders": 0}
    due_ids = list(
        session.scalars(
            select(Notice.id)
            .where(Notice.state == NoticeState.POSTED.value, Notice.closes_at <= now)
            .order_by(Notice.id)
        )
    )
    for notice_id in due_ids:
        try:
            with session.begin_nested():
                do_close(session, actor=actor, notice_id=notice_id, now=now, tz=tz)
            counts["closed"] += 1
        except Exception:
            # One notice's refusal or error does not stop the others; it is logged with its
            # id, and audited only when something changed (below).
            log.warning("notice not closed", exc_info=True, extra={"fields": {"notice": notice_id}})
            counts["close_failed"] += 1
    counts["reminders"] = queue_reminders(session, now=now, tz=tz, language=language)
    if counts["closed"] or counts["reminders"]:
        record(
            session,
            actor=actor,
            action="notice.swept",
            object_type="notice",
            now=now,
            summary=dict(counts),
        )
    return counts


def do_complete_implementation(
    session: Session, *, actor: Actor, implementation_id: int, now: datetime, note: str = ""
) -> Implementation:
    """Done: every milestone done, progress 100 %. A matter waiting at its result
    disclosure gets the result notice drafted now."""
    row = complete_implementation(
        session, actor=actor, implementation_id=implementation_id, now=now, note=note
    )
    if row.matter_id is None:
        return row
    matter = session.get(Matter, row.matter_id)
    if matter is None or matter.state != MatterState.OPEN.value or not matter.stage_id:
        return row
    procedure = procedure_of(session, matter)
    stage = procedure.stage(matter.stage_id)
    if (
        stage.kind is StageKind.DISCLOSURE
        and _disclosure_kind(procedure, stage) is NoticeKind.RESULT
    ):
        _draft_disclosure(
            session, actor=actor, matter=matter, procedure=procedure, stage=stage, now=now
        )
    return row


def do_withdraw_matter(
    session: Session, *, actor: Actor, matter_id: int, reason: str, now: datetime
) -> Matter:
    matter = get_matter(session, matter_id=matter_id, viewer=actor)
    check_may_run(actor, matter.region_code)
    if matter.state != MatterState.OPEN.value:
        raise Conflict("The matter is no longer open.")
    reason = _clean(reason, "reason", 2000)
    _bump(session, Matter, matter.id, matter.version)
    session.refresh(matter, attribute_names=["version"])
    matter.state = move(MATTER_ALLOWED, matter.state, MatterState.WITHDRAWN, "matter")
    matter.updated_at = now
    # Nothing of a withdrawn matter stays open: its meetings are cancelled, its notices
    # withdrawn (each audited), so no sweep tries to close them ever after.
    for meeting in session.scalars(
        select(Meeting)
        .where(Meeting.matter_id == matter.id, Meeting.state.in_(OPEN_MEETING_STATES))
        .order_by(Meeting.id)
    ):
        do_cancel_meeting(
            session, actor=actor, meeting_id=meeting.id, reason=reason or "withdrawn", now=now
        )
    withdraw_for_matter(session, actor=actor, matter_id=matter.id, now=now)
    summary = {"stage": matter.stage_id, "reason": reason}
    record_about(session, actor, "deliberation.matter_withdrawn", matter, now=now, summary=summary)
    return matter
