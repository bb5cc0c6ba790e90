"""Notices API (under /api/v1): public reading (a region's notices, a notice with its
public objections and answers), staff drafting, posting and closing, objections by
signed-in users and answers by staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from gridgov.accounts.models import User
from gridgov.deliberation import notices
from gridgov.deliberation.models import Notice, NoticeObjection
from gridgov.deliberation.schemas.notices import (
    AnswerIn,
    NoticeDetailOut,
    NoticeIn,
    NoticeOut,
    ObjectionIn,
    ObjectionOut,
)
from gridgov.errors import NotFound
from gridgov.guard.rules import Write
from gridgov.web.deps import SessionDep, require_roles
from gridgov.web.toolkit import CurrentDesk, Desk, desk, filled

router = APIRouter(tags=["deliberation"])

NoticeStaff = Annotated[User, Depends(require_roles(*notices.NOTICE_ROLES))]
NoticeId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RegionCode = Annotated[str, Path(min_length=6, max_length=18, pattern=r"^[0-9]+$")]


NoticeStaffDesk = Annotated[Desk, Depends(desk(NoticeStaff, name="notice_staff_desk"))]


def _objection_out(row: NoticeObjection, *, full_name: bool) -> ObjectionOut:
    return filled(
        ObjectionOut,
        row,
        author=row.author_name if full_name else notices.public_name(row.author_name),
    )


def _detail(session: SessionDep, notice: Notice) -> NoticeDetailOut:
    objections = [
        _objection_out(o, full_name=False) for o in notices.objections_of(session, notice.id)
    ]
    return NoticeDetailOut.model_validate(
        {**NoticeOut.model_validate(notice).model_dump(), "objections": objections}
    )


@router.get("/portal/{region_code}/notices", response_model=list[NoticeOut])
def region_notices(region_code: RegionCode, session: SessionDep) -> list[NoticeOut]:
    """The posted and closed notices of a region and the regions under it (public)."""
    return [
        NoticeOut.model_validate(n)
        for n in notices.notices_for(session, region_code, portal_only=True)
    ]


@router.get("/notices/{notice_id}", response_model=NoticeDetailOut)
def get_notice(notice_id: NoticeId, session: SessionDep) -> NoticeDetailOut:
    """A posted or closed notice with its public objections and answers (public)."""
    return _detail(session, notices.get_public(session, notice_id))


@router.get("/notices", response_model=list[NoticeOut])
def list_notices(user: NoticeStaff, session: SessionDep) -> list[NoticeOut]:
    """Every notice in the caller's area, drafts included."""
    return [
        NoticeOut.model_validate(n)
        for n in notices.notices_in_scope(session, scope=user.effective_scope)
    ]


@router.post("/notices", response_model=NoticeOut, status_code=201)
def draft_notice(body: NoticeIn, desk: NoticeStaffDesk) -> NoticeOut:
    """Save a draft; ID numbers and phones are masked (``masked_findings`` counts them)."""
    notice = desk.commit(
        notices.do_draft, **body.model_dump(exclude={"channels"}), channels=tuple(body.channels)
    )
    return NoticeOut.model_validate(notice)


@router.post("/notices/{notice_id}/post", response_model=NoticeOut)
def post_notice(notice_id: NoticeId, desk: NoticeStaffDesk) -> NoticeOut:
    notice = desk.commit(
        notices.do_post,
        notice_id=notice_id,
        base_url=str(desk.request.base_url),
        tz=desk.tz,
    )
    return NoticeOut.model_validate(notice)


@router.post("/notices/{notice_id}/close", response_model=NoticeOut)
def close_notice(notice_id: NoticeId, desk: NoticeStaffDesk) -> NoticeOut:
    """Refused (409) before the posting period is over, naming when it may close."""
    notice = desk.commit(notices.do_close, notice_id=notice_id, tz=desk.tz)
    return NoticeOut.model_validate(notice)


@router.post("/notices/{notice_id}/objections", response_model=ObjectionOut, status_code=201)
def object_to_notice(notice_id: NoticeId, body: ObjectionIn, desk: CurrentDesk) -> ObjectionOut:
    """Object or ask while the window is open (409 after it, naming its end)."""
    desk.check_rate(Write.OBJECTION, str(notice_id))
    row = desk.commit(
        notices.do_object,
        notice_id=notice_id,
        author_user_id=desk.user.id,
        tz=desk.tz,
        **body.model_dump(),
    )
    return _objection_out(row, full_name=True)


@router.post("/notices/{notice_id}/objections/{objection_id}/answer", response_model=ObjectionOut)
def answer_objection(
    notice_id: NoticeId,
    objection_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: AnswerIn,
    desk: NoticeStaffDesk,
) -> ObjectionOut:
    if objection_id not in {
        o.id for o in notices.objections_of(desk.session, notice_id, public_only=False)
    }:
        raise NotFound("There is no objection %(id)s.", params={"id": objection_id})
    row = desk.commit(notices.do_answer, objection_id=objection_id, answer=body.answer)
    return _objection_out(row, full_name=True)
