"""What staff do to a notice from its page: post it, close it, photograph it on the
board, answer, hide and release objections. Each answers the notice page again with the
error, or a redirect to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.deliberation import notices
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.notices_pages import BoardPage, NoticeId, NoticePage, RowId, _staff_action
from gridgov.errors import NotFound
from gridgov.web.deps import Now, SessionDep, StateDep, actor_of
from gridgov.web.render import sniff
from gridgov.web.toolkit import form_post

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class _Desk:
    """One staff action on the notice of the path: what every route here shares."""

    request: Request
    session: Session
    tz: str
    now: datetime
    notice_id: int

    def run(self, user: User, action: Callable[[Actor], object]) -> Response:
        """``action(actor)`` (a ``do_*``), then the notice page: see ``_staff_action``."""
        actor = actor_of(self.request, user)
        return _staff_action(
            self.request,
            self.session,
            self.tz,
            self.now,
            user,
            self.notice_id,
            lambda: action(actor),
        )

    def act(self, user: User, do: Callable[..., object], **fields: Any) -> Response:
        """``do`` (a ``do_*``) on this notice, as ``user``, now."""
        return self.run(
            user,
            lambda actor: do(
                self.session, actor=actor, notice_id=self.notice_id, now=self.now, **fields
            ),
        )

    def on_objection(
        self, user: User, objection_id: int, do: Callable[..., object], **fields: Any
    ) -> Response:
        """``do`` on one of this notice's objections (404 for another notice's)."""

        def action(actor: Actor) -> object:
            found = _objection_of(self.session, self.notice_id, objection_id)
            return do(self.session, actor=actor, objection_id=found, now=self.now, **fields)

        return self.run(user, action)


def _desk(
    request: Request, notice_id: NoticeId, session: SessionDep, state: StateDep, now: Now
) -> _Desk:
    return _Desk(request, session, state.settings.timezone, now, notice_id)


Desk = Annotated[_Desk, Depends(_desk)]
AnswerText = Annotated[str, Form(max_length=8000)]


@form_post(router, "/notices/{notice_id}/post")
def notice_post(desk: Desk, user: NoticePage) -> Response:
    return desk.act(user, notices.do_post, base_url=str(desk.request.base_url), tz=desk.tz)


@form_post(router, "/notices/{notice_id}/close")
def notice_close(desk: Desk, user: NoticePage) -> Response:
    return desk.act(user, notices.do_close, tz=desk.tz)


@form_post(router, "/notices/{notice_id}/board-photo")
def board_photo(
    desk: Desk, user: BoardPage, photo: Annotated[UploadFile | None, File()] = None
) -> Response:
    data = photo.file.read(deliberation.FILE_LIMIT + 1) if photo is not None else b""
    name = (photo.filename if photo is not None else "") or "board"
    return desk.act(
        user,
        notices.do_attach_board_photo,
        name=name,
        content_type=sniff(data) or "application/octet-stream",
        data=data,
    )


OBJECTION = "/notices/{notice_id}/objections/{objection_id}"


@form_post(router, f"{OBJECTION}/answer")
def objection_answer(
    desk: Desk, objection_id: RowId, user: NoticePage, answer: AnswerText = ""
) -> Response:
    return desk.on_objection(user, objection_id, notices.do_answer, answer=answer)


@form_post(router, f"{OBJECTION}/hide")
def objection_hide(
    desk: Desk,
    objection_id: RowId,
    user: NoticePage,
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    return desk.on_objection(user, objection_id, notices.do_hide_objection, reason=reason)


@form_post(router, f"{OBJECTION}/release")
def objection_release(desk: Desk, objection_id: RowId, user: NoticePage) -> Response:
    return desk.on_objection(user, objection_id, notices.do_release_objection)


def _objection_of(session: Session, notice_id: int, objection_id: int) -> int:
    """The objection's id when it belongs to this notice (the URL cannot mix them)."""
    for objection in notices.objections_of(session, notice_id, public_only=False):
        if objection.id == objection_id:
            return objection_id
    raise NotFound("There is no objection %(id)s.", params={"id": objection_id})
