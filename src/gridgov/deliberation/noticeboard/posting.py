"""Posting a notice on its channels: the portal, the board (with a photo), the chat groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov import images
from gridgov.accounts.rules import scope_clause
from gridgov.audit.service import Actor, record_about
from gridgov.cases import outbox
from gridgov.db import rows
from gridgov.deliberation import files, rules
from gridgov.deliberation.models import (
    DeliberationFile,
    Notice,
)
from gridgov.deliberation.noticeboard.common import (
    BOARD_ROLES,
    DEFAULT_TZ,
    _authorise,
    _local,
    _notice,
    channels_of,
    is_public,
)
from gridgov.deliberation.rules import NoticeState
from gridgov.deliberation.states import NOTICE_ALLOWED, move
from gridgov.errors import Conflict, InvalidInput, Problem
from gridgov.territory.models import ChatGroup

# ---------------------------------------------------------------- posting


def _chat_groups(session: Session, region_code: str) -> list[ChatGroup]:
    """The chat groups of the region and of its grids."""
    return rows(
        session,
        ChatGroup,
        scope_clause(region_code, ChatGroup.region_code),
        order_by=(ChatGroup.id,),
    )


def do_post(
    session: Session,
    *,
    actor: Actor,
    notice_id: int,
    now: datetime,
    base_url: str = "",
    tz: str = DEFAULT_TZ,
) -> Notice:
    """Post a draft: the posting period and objection window start now. On the chat
    channel, one outbox message per chat group of the region (and its grids) is queued
    in the same transaction, each with its own dedupe key; the board channel expects a
    photo of the posted notice (:func:`do_attach_board_photo`)."""
    notice = _notice(session, notice_id, lock=True)
    _authorise(actor, notice.region_code)
    if notice.state != NoticeState.DRAFT.value:
        raise Conflict(
            "Only a draft can be posted; this notice is %(state)s.",
            params={"state": notice.state},
        )
    notice.state = move(NOTICE_ALLOWED, notice.state, NoticeState.POSTED, "notice")
    notice.posted_by = actor.username
    notice.posted_at = now
    notice.closes_at = rules.posting_closes_at(now, notice.posting_days)
    notice.objections_until = rules.objection_window_end(now, notice.objection_days)
    queued = 0
    if "chat" in channels_of(notice):
        link = f"{base_url.rstrip('/')}/notices/{notice.id}"
        closes = _local(notice.closes_at, tz)
        for group in _chat_groups(session, notice.region_code):
            outbox.queue_notifications(
                session,
                now=now,
                messages=[
                    outbox.Notification(
                        channel="chat",
                        recipient=f"chat-group:{group.id}",
                        subject=f"[公示] {notice.title}",
                        body=f"{notice.title}\n{link}\n公示至 {closes}",
                        dedupe_key=f"notice:{notice.id}:chat:{group.id}",
                    )
                ],
            )
            queued += 1
    session.flush()
    summary = {
        "closes_at": notice.closes_at.isoformat(),
        "objections_until": notice.objections_until.isoformat(),
        "channels": notice.channels,
        "chat_messages": queued,
    }
    record_about(session, actor, "notice.posted", notice, now=now, summary=summary)
    return notice


def do_attach_board_photo(
    session: Session,
    *,
    actor: Actor,
    notice_id: int,
    name: str,
    content_type: str,
    data: bytes,
    now: datetime,
) -> DeliberationFile:
    """Keep a photo of the notice on the physical board as evidence that it was posted."""
    notice = _notice(session, notice_id)
    _authorise(actor, notice.region_code, BOARD_ROLES)
    if not is_public(notice):
        raise Conflict("Post the notice before adding a photo of it on the board.")
    if content_type.startswith("image/") and content_type != "image/heic":
        # Like every photo: upright, without EXIF (a phone's GPS), at most 1600 px.
        try:
            kept = images.normalise(data)
        except images.PhotoRefused as exc:
            raise InvalidInput(exc.message, details=[Problem("file", exc.message)]) from exc
        content_type, data = kept.content_type, kept.data
    return files.do_attach_file(
        session,
        actor=actor,
        owner_type="notice",
        owner_id=notice.id,
        purpose="board",
        name=name,
        content_type=content_type,
        data=data,
        now=now,
        region_code=notice.region_code,
    )


def board_photos(session: Session, notice_id: int) -> list[DeliberationFile]:
    return [f for f in files.files_of(session, "notice", notice_id) if f.purpose == "board"]
