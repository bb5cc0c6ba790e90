"""Who manages notices, their channels, and the small helpers the notice board shares."""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, may_access
from gridgov.audit.service import Actor
from gridgov.deliberation.models import (
    Notice,
    NoticeObjection,
)
from gridgov.deliberation.noticeboard import held
from gridgov.deliberation.rules import NoticeKind, NoticeState
from gridgov.errors import Forbidden, NotFound

log = logging.getLogger("gridgov.notices")

# Who drafts, posts, closes and answers: the village or community's cadres, and above.
NOTICE_ROLES = frozenset({Role.BRANCH_SECRETARY, Role.LEADER, Role.ADMIN})
# Who may also photograph the notice on the board: the grid worker who put it up.
BOARD_ROLES = NOTICE_ROLES | {Role.GRID_WORKER}
CHANNELS = ("portal", "board", "chat")
OBJECTION_KINDS = ("objection", "question")
ROUTINE_KINDS = (NoticeKind.VILLAGE_AFFAIRS, NoticeKind.PARTY_AFFAIRS, NoticeKind.FINANCES)
PUBLIC_STATES = (NoticeState.POSTED.value, NoticeState.CLOSED.value)
MAX_POSTING_DAYS = 90
REMIND_DAYS = 7  # a routine disclosure is "due" this many days before its last day
HELD = held.OBJECTION_HELD  # hidden_reason of an objection held as suspected spam
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 5
DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_LANGUAGE = "zh_Hans"
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?")


# ---------------------------------------------------------------- helpers


def _local(moment: datetime, tz: str) -> str:
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")


def channels_of(notice: Notice) -> tuple[str, ...]:
    return tuple(c for c in notice.channels.split(",") if c)


def is_public(notice: Notice) -> bool:
    return notice.state in PUBLIC_STATES


def objections_open(notice: Notice, now: datetime) -> bool:
    """Objections are received from posting until ``objections_until``, that moment
    included, and never once the notice is closed."""
    return (
        notice.state == NoticeState.POSTED.value
        and notice.objections_until is not None
        and now <= notice.objections_until
    )


def _authorise(actor: Actor, region_code: str, roles: frozenset[Role] = NOTICE_ROLES) -> None:
    if actor.role == "system":
        return
    if actor.role not in roles:
        raise Forbidden("Your role may not publish or manage public notices.")
    if not may_access(actor.scope, region_code):
        raise Forbidden("Region %(region)s is outside your area.", params={"region": region_code})


def may_manage(actor: Actor, notice: Notice, roles: frozenset[Role] = NOTICE_ROLES) -> bool:
    try:
        _authorise(actor, notice.region_code, roles)
    except Forbidden:
        return False
    return True


def _notice(session: Session, notice_id: int, *, lock: bool = False) -> Notice:
    query = select(Notice).where(Notice.id == notice_id)
    if lock:
        query = query.with_for_update()
    notice = session.scalar(query)
    if notice is None:
        raise NotFound("There is no notice %(id)s.", params={"id": notice_id})
    return notice


def _objection(session: Session, objection_id: int) -> tuple[NoticeObjection, Notice]:
    objection = session.get(NoticeObjection, objection_id)
    if objection is None:
        raise NotFound("There is no objection %(id)s.", params={"id": objection_id})
    return objection, _notice(session, objection.notice_id)
