"""What staff do to a notice from its page: post it, close it, photograph it on the
board, answer, hide and release objections. Each answers the notice page again with the
error, or a redirect to it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from gridgov.deliberation import notices
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.notices_pages import BoardPage, NoticeId, NoticePage, RowId, _staff_action
from gridgov.errors import NotFound
from gridgov.web.deps import (
    CsrfChecked,
    Now,
    SessionDep,
    StateDep,
    actor_of,
)
from gridgov.web.render import sniff

router = APIRouter(include_in_schema=False)


@router.post("/notices/{notice_id}/post", response_class=HTMLResponse, dependencies=[CsrfChecked])
def notice_post(
    request: Request,
    notice_id: NoticeId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: NoticePage,
) -> Response:
    tz = state.settings.timezone
    return _staff_action(
        request,
        session,
        tz,
        now,
        user,
        notice_id,
        lambda: notices.do_post(
            session,
            actor=actor_of(request, user),
            notice_id=notice_id,
            now=now,
            base_url=str(request.base_url),
            tz=tz,
        ),
    )


@router.post("/notices/{notice_id}/close", response_class=HTMLResponse, dependencies=[CsrfChecked])
def notice_close(
    request: Request,
    notice_id: NoticeId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: NoticePage,
) -> Response:
    tz = state.settings.timezone
    return _staff_action(
        request,
        session,
        tz,
        now,
        user,
        notice_id,
        lambda: notices.do_close(
            session, actor=actor_of(request, user), notice_id=notice_id, now=now, tz=tz
        ),
    )


@router.post(
    "/notices/{notice_id}/board-photo", response_class=HTMLResponse, dependencies=[CsrfChecked]
)
def board_photo(
    request: Request,
    notice_id: NoticeId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: BoardPage,
    photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    data = photo.file.read(deliberation.FILE_LIMIT + 1) if photo is not None else b""
    name = (photo.filename if photo is not None else "") or "board"
    return _staff_action(
        request,
        session,
        state.settings.timezone,
        now,
        user,
        notice_id,
        lambda: notices.do_attach_board_photo(
            session,
            actor=actor_of(request, user),
            notice_id=notice_id,
            name=name,
            content_type=sniff(data) or "application/octet-stream",
            data=data,
            now=now,
        ),
    )


@router.post(
    "/notices/{notice_id}/objections/{objection_id}/answer",
    response_class=HTMLResponse,
    dependencies=[CsrfChecked],
)
def objection_answer(
    request: Request,
    notice_id: NoticeId,
    objection_id: RowId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: NoticePage,
    answer: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    return _staff_action(
        request,
        session,
        state.settings.timezone,
        now,
        user,
        notice_id,
        lambda: notices.do_answer(
            session,
            actor=actor_of(request, user),
            objection_id=_objection_of(session, notice_id, objection_id),
            answer=answer,
            now=now,
        ),
    )


@router.post(
    "/notices/{notice_id}/objections/{objection_id}/hide",
    response_class=HTMLResponse,
    dependencies=[CsrfChecked],
)
def objection_hide(
    request: Request,
    notice_id: NoticeId,
    objection_id: RowId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: NoticePage,
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    return _staff_action(
        request,
        session,
        state.settings.timezone,
        now,
        user,
        notice_id,
        lambda: notices.do_hide_objection(
            session,
            actor=actor_of(request, user),
            objection_id=_objection_of(session, notice_id, objection_id),
            reason=reason,
            now=now,
        ),
    )


@router.post(
    "/notices/{notice_id}/objections/{objection_id}/release",
    response_class=HTMLResponse,
    dependencies=[CsrfChecked],
)
def objection_release(
    request: Request,
    notice_id: NoticeId,
    objection_id: RowId,
    session: SessionDep,
    state: StateDep,
    now: Now,
    user: NoticePage,
) -> Response:
    return _staff_action(
        request,
        session,
        state.settings.timezone,
        now,
        user,
        notice_id,
        lambda: notices.do_release_objection(
            session,
            actor=actor_of(request, user),
            objection_id=_objection_of(session, notice_id, objection_id),
            now=now,
        ),
    )


def _objection_of(session: Session, notice_id: int, objection_id: int) -> int:
    """The objection's id when it belongs to this notice (the URL cannot mix them)."""
    for objection in notices.objections_of(session, notice_id, public_only=False):
        if objection.id == objection_id:
            return objection_id
    raise NotFound("There is no objection %(id)s.", params={"id": objection_id})
