"""Objections to public notices held as possible spam join the one moderation queue,
beside held reports and posts; a moderator in the notice's area releases them (public
from then on) or removes them (never public), both audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation.models import NoticeObjection
from gridgov.deliberation.noticeboard import held as moderation
from gridgov.errors import Conflict, NotFound
from tests.conftest import FIXED_NOW
from tests.deliberation.factories_notices import DONGHU, QINGLAN, posted
from tests.factories import csrf_of, make_territory, make_user, page_login

# A keyword run as spammers paste it into public forms: no link, no sentence.
SPAM = "澳门新葡京 百家乐 真人视讯 娱乐城 注册送彩金 美女荷官 在线发牌 日赚千元"
CALM = "修缮费用偏高，请公开报价单。"


@pytest.fixture
def land(db: Database) -> Database:
    make_territory(db)
    make_user(db, "qinglan-sec", "branch_secretary", QINGLAN)
    make_user(db, "donghu-sec", "branch_secretary", DONGHU)
    return db


def _object(client: TestClient, notice_id: int, text: str, name: str = "陈大文") -> None:
    token = csrf_of(client, f"/notices/{notice_id}")
    sent = client.post(
        f"/notices/{notice_id}/objections",
        data={"csrf_token": token, "kind": "objection", "author_name": name, "text": text},
    )
    assert sent.status_code == 303, sent.text


def _objection_ids(db: Database) -> dict[str, int]:
    with db.session() as session:
        return {o.text: o.id for o in session.scalars(select(NoticeObjection))}


def _actions(db: Database) -> list[str]:
    with db.session() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.startswith("notice.objection_"))
                .order_by(AuditEvent.seq)
            )
        )


def test_a_keyword_run_objection_is_held_queued_and_public_only_once_released(
    land: Database, client: TestClient
) -> None:
    # Given a posted notice and, from anonymous visitors, a keyword-run objection and a
    # calm one
    notice_id = posted(land)
    _object(client, notice_id, SPAM, name="张三")
    _object(client, notice_id, CALM)
    held_id = _objection_ids(land)[SPAM]
    # then the public notice page shows the calm objection but not the spam
    public = client.get(f"/notices/{notice_id}").text
    assert CALM in public
    assert "百家乐" not in public
    # and the secretary's moderation queue shows the spam, with why it was held
    page_login(client, "qinglan-sec")
    queue = client.get("/deliberation/moderation")
    assert queue.status_code == 200
    assert "百家乐" in queue.text
    assert f"/deliberation/moderation/objections/{held_id}/release" in queue.text
    assert CALM not in queue.text
    # when the secretary releases it
    released = client.post(
        f"/deliberation/moderation/objections/{held_id}/release",
        data={"csrf_token": csrf_of(client, "/deliberation/moderation")},
    )
    assert released.status_code == 303
    assert released.headers["location"] == "/deliberation/moderation"
    # then it has left the queue and is public, and the release is audited
    assert "百家乐" not in client.get("/deliberation/moderation").text
    client.cookies.clear()
    assert "百家乐" in client.get(f"/notices/{notice_id}").text
    assert _actions(land)[-1] == "notice.objection_released"


def test_a_removed_objection_is_never_public_and_cannot_be_released_again(
    land: Database, client: TestClient
) -> None:
    # Given a held keyword-run objection
    notice_id = posted(land)
    _object(client, notice_id, SPAM)
    held_id = _objection_ids(land)[SPAM]
    # when the secretary removes it as spam from the queue
    page_login(client, "qinglan-sec")
    removed = client.post(
        f"/deliberation/moderation/objections/{held_id}/remove",
        data={"csrf_token": csrf_of(client, "/deliberation/moderation")},
    )
    assert removed.status_code == 303
    # then it leaves the queue, stays off the public page, and the removal is audited
    assert "百家乐" not in client.get("/deliberation/moderation").text
    assert _actions(land)[-1] == "notice.objection_removed"
    with land.session() as session:
        stored = session.get(NoticeObjection, held_id)
        assert stored is not None
        assert stored.hidden_reason == moderation.OBJECTION_REMOVED
    # and a second release answers 409, not a 500
    again = client.post(
        f"/deliberation/moderation/objections/{held_id}/release",
        data={"csrf_token": csrf_of(client, "/deliberation/moderation")},
    )
    assert again.status_code == 409
    client.cookies.clear()
    assert "百家乐" not in client.get(f"/notices/{notice_id}").text


def test_held_objections_stay_in_the_notices_area(land: Database, client: TestClient) -> None:
    # Given a held objection on a notice of 青篮社区
    notice_id = posted(land)
    _object(client, notice_id, SPAM)
    held_id = _objection_ids(land)[SPAM]
    donghu = Actor(username="donghu-sec", role="branch_secretary", scope=DONGHU)
    resident = Actor(username="chen-resident", role="resident", scope=QINGLAN)
    with land.session() as session:
        # then a secretary of another community neither sees nor releases it
        assert moderation.held_objections(session, viewer=donghu) == []
        with pytest.raises(NotFound):
            moderation.do_release_objection(
                session, actor=donghu, objection_id=held_id, now=FIXED_NOW
            )
        # and a resident is no moderator
        assert moderation.held_objections(session, viewer=resident) == []
    # nor over HTTP
    page_login(client, "donghu-sec")
    refused = client.post(
        f"/deliberation/moderation/objections/{held_id}/release",
        data={"csrf_token": csrf_of(client, "/deliberation/moderation")},
    )
    assert refused.status_code == 404
    with land.session() as session:
        stored = session.get(NoticeObjection, held_id)
        assert stored is not None
        assert moderation.objection_is_held(stored)


def test_only_held_objections_are_released_from_the_queue(land: Database) -> None:
    # Given a calm objection, shown at once
    notice_id = posted(land)
    secretary = Actor(username="qinglan-sec", role="branch_secretary", scope=QINGLAN)
    from gridgov.deliberation import notices

    with land.transaction() as session:
        calm = notices.do_object(
            session,
            notice_id=notice_id,
            text=CALM,
            kind="objection",
            author_name="陈大文",
            author_user_id=None,
            language="zh_Hans",
            now=FIXED_NOW,
            actor=secretary,
        )
        calm_id = calm.id
    # then the queue's release refuses it: it is not held
    with land.session() as session, pytest.raises(Conflict):
        moderation.do_release_objection(
            session, actor=secretary, objection_id=calm_id, now=FIXED_NOW
        )
