"""Closing a notice once its posting period is over (never a second sooner), and
withdrawing the notices of a withdrawn matter. What a closed disclosure does to its matter
is ``deliberation.flows``'s.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.deliberation import rules
from gridgov.deliberation.models import (
    Notice,
)
from gridgov.deliberation.noticeboard.common import DEFAULT_TZ, _authorise, _local, _notice
from gridgov.deliberation.rules import NoticeState
from gridgov.deliberation.states import NOTICE_ALLOWED, move
from gridgov.errors import Conflict

# ---------------------------------------------------------------- closing


def check_close(notice: Notice, now: datetime, tz: str = DEFAULT_TZ) -> None:
    if notice.state != NoticeState.POSTED.value or notice.posted_at is None:
        raise Conflict(
            "Only a posted notice can be closed; this notice is %(state)s.",
            params={"state": notice.state},
        )
    if not rules.notice_may_close(notice.posted_at, notice.posting_days, now):
        closes = rules.posting_closes_at(notice.posted_at, notice.posting_days)
        raise Conflict(
            "The notice must stay posted for %(days)s days: it may close from %(closes_at)s.",
            params={"days": notice.posting_days, "closes_at": _local(closes, tz)},
        )


def close_notice(
    session: Session, *, actor: Actor, notice_id: int, now: datetime, tz: str = DEFAULT_TZ
) -> Notice:
    """Close a notice whose posting period is over. What that does to a matter whose
    disclosure it was is ``flows.do_close``'s: call that one."""
    notice = _notice(session, notice_id, lock=True)
    _authorise(actor, notice.region_code)
    check_close(notice, now, tz)
    notice.state = move(NOTICE_ALLOWED, notice.state, NoticeState.CLOSED, "notice")
    notice.closed_at = now
    session.flush()
    summary = {"matter": notice.matter_id, "posted_at": _iso(notice.posted_at)}
    record_about(session, actor, "notice.closed", notice, now=now, summary=summary)
    return notice


def withdraw_for_matter(
    session: Session, *, actor: Actor, matter_id: int, now: datetime
) -> list[int]:
    """Withdraw the draft and posted notices of a withdrawn matter (``flows`` calls this
    in the withdrawal's transaction); returns their ids."""
    withdrawn = []
    for notice in session.scalars(
        select(Notice)
        .where(
            Notice.matter_id == matter_id,
            Notice.state.in_([NoticeState.DRAFT.value, NoticeState.POSTED.value]),
        )
        .order_by(Notice.id)
        .with_for_update()
    ):
        before = notice.state
        notice.state = move(NOTICE_ALLOWED, notice.state, NoticeState.WITHDRAWN, "notice")
        notice.closed_at = now
        summary = {"matter": matter_id, "from": before}
        record_about(session, actor, "notice.withdrawn", notice, now=now, summary=summary)
        withdrawn.append(notice.id)
    return withdrawn


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
