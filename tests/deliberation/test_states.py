"""The state tables of matters, meetings and notices: every state reachable, every other
move refused; and a withdrawn matter leaves nothing open for the sweep to trip on."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

import pytest
from sqlalchemy import func, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import notices
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import Matter
from gridgov.deliberation.rules import MatterState, MeetingState, NoticeKind, NoticeState
from gridgov.deliberation.states import (
    INITIAL,
    MATTER_ALLOWED,
    MEETING_ALLOWED,
    NOTICE_ALLOWED,
    move,
    reachable,
)
from gridgov.errors import Conflict
from tests.conftest import FIXED_NOW
from tests.deliberation.factories_notices import QINGLAN, SECRETARY, load, posted
from tests.factories import make_territory


@pytest.mark.parametrize(
    ("noun", "table", "enum"),
    [
        ("matter", MATTER_ALLOWED, MatterState),
        ("meeting", MEETING_ALLOWED, MeetingState),
        ("notice", NOTICE_ALLOWED, NoticeState),
    ],
)
def test_every_state_has_a_row_and_is_reachable_from_the_first(
    noun: str, table: dict[StrEnum, frozenset[StrEnum]], enum: type[StrEnum]
) -> None:
    assert set(table) == set(enum)
    assert reachable(table, INITIAL[noun]) == set(enum)


def test_a_move_the_table_does_not_allow_is_refused_with_409() -> None:
    with pytest.raises(Conflict) as refused:
        move(NOTICE_ALLOWED, "closed", NoticeState.POSTED, "notice")
    assert refused.value.status == 409
    assert move(NOTICE_ALLOWED, "posted", NoticeState.WITHDRAWN, "notice") == "withdrawn"


def test_withdrawing_a_matter_withdraws_its_posted_notice_and_the_sweep_stays_quiet(
    db: Database,
) -> None:
    make_territory(db)
    # Given a matter at its resolution disclosure, with the notice posted
    with db.transaction() as session:
        deliberation.ensure_shipped_templates(session, now=FIXED_NOW)
        template, _ = deliberation.get_template(session, "si_yi_liang_gong_kai")
        matter = Matter(
            region_code=QINGLAN,
            title="青篮路排水沟修缮",
            description="修缮排水沟",
            template_id=template.id,
            stage_id="resolution_disclosure",
            state="open",
            created_by="test",
            created_at=FIXED_NOW,
            updated_at=FIXED_NOW,
        )
        session.add(matter)
        session.flush()
        matter_id = matter.id
    notice_id = posted(db, kind=NoticeKind.RESOLUTION, matter_id=matter_id)
    # When the matter is withdrawn
    with db.transaction() as session:
        deliberation.do_withdraw_matter(
            session, actor=SECRETARY, matter_id=matter_id, reason="村民会议决定暂缓", now=FIXED_NOW
        )
    # Then its notice is withdrawn, not left posted
    assert load(db, notice_id).state == NoticeState.WITHDRAWN.value
    # and sweeps after the posting period close nothing and write no audit row
    later = FIXED_NOW + timedelta(days=8)
    passes_that_changed = 0
    for minute in range(3):
        with db.transaction() as session:
            counts = notices.sweep(
                session, now=later + timedelta(minutes=minute), actor=Actor.system("sweep")
            )
        assert (counts["closed"], counts["close_failed"]) == (0, 0)
        passes_that_changed += counts["reminders"] > 0
    with db.session() as session:
        audited = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "notice", AuditEvent.object_id == str(notice_id)
            )
        ).all()
        swept = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "notice.swept")
        )
    assert "notice.withdrawn" in audited
    # an audit row only for a pass that changed something (the first one's reminders)
    assert swept == passes_that_changed <= 1
