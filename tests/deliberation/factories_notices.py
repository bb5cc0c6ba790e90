"""Builders for the notices tests: actors and notices in 青篮社区 (440512001001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import notices
from gridgov.deliberation.models import Notice
from gridgov.deliberation.rules import NoticeKind
from tests.conftest import FIXED_NOW

QINGLAN = "440512001001"
DONGHU = "440512002001"
SECRETARY = Actor(username="qinglan-sec", role="branch_secretary", scope=QINGLAN, user_id=None)
RESIDENT = Actor(username="chen-resident", role="resident", scope=QINGLAN)


def draft(
    db: Database,
    *,
    region_code: str = QINGLAN,
    title: str = "2026年第四季度村务公开",
    body: str = "本季度修缮青篮路排水沟，支出人民币 38,600 元。",
    kind: NoticeKind = NoticeKind.VILLAGE_AFFAIRS,
    now: datetime = FIXED_NOW,
    actor: Actor = SECRETARY,
    **options: Any,
) -> int:
    with db.transaction() as session:
        notice = notices.do_draft(
            session,
            actor=actor,
            region_code=region_code,
            kind=kind,
            title=title,
            body=body,
            now=now,
            **options,
        )
        return notice.id


def posted(db: Database, *, now: datetime = FIXED_NOW, **options: Any) -> int:
    notice_id = draft(db, now=now, **options)
    with db.transaction() as session:
        notices.do_post(session, actor=SECRETARY, notice_id=notice_id, now=now)
    return notice_id


def load(db: Database, notice_id: int) -> Notice:
    with db.session() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        session.expunge(notice)
        return notice
