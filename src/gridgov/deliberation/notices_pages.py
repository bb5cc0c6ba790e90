"""Notice pages (公示/公开).

Public (no login; listed in ``gridgov.web.deps.PUBLIC_PATHS``): ``/notices/{id}`` (the
masked notice, its period and countdown, objections and their answers, the objection
form while the window is open), ``/notices/{id}/print`` (the A4 notice with a QR code
to its page), ``/notices/{id}/objections`` (the objection form's POST) and
``/notices/{id}/files/{file_id}`` (the board photo). Drafts exist only for staff who may
manage them. Staff: ``/notices`` (the scoped list, routine disclosures due), ``/notices/new``
and the action forms on the notice page.

Served with ``notice_actions_pages`` (each its own router).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.accounts.rules import Role, may_access
from gridgov.audit.service import Actor
from gridgov.deliberation import notices, rules
from gridgov.deliberation.matter_pages_common import owned_file
from gridgov.deliberation.models import Notice
from gridgov.deliberation.rules import NoticeKind, NoticeState
from gridgov.errors import DomainError, InvalidInput, NotFound, Problem
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from gridgov.msgids import N_
from gridgov.territory import service as territory
from gridgov.territory.models import Region
from gridgov.territory.rules import Level
from gridgov.web.deps import (
    Now,
    OptionalUser,
    SessionDep,
    StateDep,
    actor_of,
    anonymous_actor,
    client_ip,
    require_roles,
)
from gridgov.web.regions import region_choices
from gridgov.web.render import error_page, language_of, local_time, no_store, render, render_form
from gridgov.web.toolkit import Desk, StaffDesk, desk, form_action, form_post

router = APIRouter(include_in_schema=False)

NoticePage = Annotated[User, Depends(require_roles(*notices.NOTICE_ROLES, page=True))]
BoardPage = Annotated[User, Depends(require_roles(*notices.BOARD_ROLES, page=True))]
NoticeId = Annotated[int, Path(ge=1, le=2**31 - 1)]
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

LABELS = (
    N_("draft"),
    N_("posted"),
    N_("closed"),
    N_("withdrawn"),
    N_("resolution"),
    N_("result"),
    N_("village_affairs"),
    N_("party_affairs"),
    N_("finances"),
    N_("major_matters"),
    N_("election_result"),
    N_("other"),
    N_("portal"),
    N_("board"),
    N_("chat"),
    N_("objection"),
    N_("question"),
    N_("overdue"),
    N_("due"),
    N_("ok"),
    N_("id_number"),
    N_("old_id_number"),
    N_("mainland_mobile"),
    N_("macau_phone"),
    N_("hong_kong_phone"),
    N_("card_number"),
)


# ---------------------------------------------------------------- helpers


NoticeDesk = Annotated[Desk, Depends(desk(NoticePage, name="notice_desk"))]


def html_lang(language: str) -> str:
    return language.replace("_", "-")


def remaining(until: datetime | None, now: datetime) -> dict[str, int] | None:
    """Whole days and hours left until ``until`` (None once it has passed)."""
    if until is None or now >= until:
        return None
    seconds = int((until - now).total_seconds())
    return {"days": seconds // 86400, "hours": (seconds % 86400) // 3600}


def notice_url(request: Request, notice_id: int) -> str:
    return f"{str(request.base_url).rstrip('/')}/notices/{notice_id}"


def qr_svg(url: str) -> str:
    """An offline QR code of ``url`` as inline SVG (segno: pure Python)."""
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2, title=url))


def viewer_actor(request: Request, user: User | None) -> Actor | None:
    return actor_of(request, user) if user is not None else None


def visible_notice(session: Session, notice_id: int, actor: Actor | None) -> Notice:
    """Public notices for everyone; drafts only for staff who may see their region."""
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NotFound("There is no notice %(id)s.", params={"id": notice_id})
    if notices.is_public(notice):
        return notice
    if (
        actor is not None
        and actor.role != Role.RESIDENT.value
        and may_access(actor.scope, notice.region_code)
    ):
        return notice
    raise NotFound("There is no notice %(id)s.", params={"id": notice_id})


def _not_found(request: Request, error: DomainError) -> HTMLResponse:
    return error_page(request, "deliberation/notice_missing.html", error)


# ---------------------------------------------------------------- staff list


@router.get("/notices", response_class=HTMLResponse)
def notice_list(desk: StaffDesk, show: Annotated[str, Query(max_length=16)] = "") -> HTMLResponse:
    """The notices of the viewer's area and the routine disclosures due or overdue."""
    session = desk.session
    tz = ZoneInfo(desk.tz)
    scope = desk.user.effective_scope
    chosen = show if show in {s.value for s in NoticeState} else None
    rows = notices.notices_in_scope(session, scope=scope, state=chosen)
    names = {
        r.code: r.name
        for r in session.scalars(
            select(Region).where(Region.code.in_({n.region_code for n in rows}))
        )
    }
    items = [
        {
            "notice": n,
            "region": names.get(n.region_code, n.region_code),
            "posted": local_time(n.posted_at, tz),
            "closes": local_time(n.closes_at, tz),
            "may_close": n.state == NoticeState.POSTED.value
            and n.closes_at is not None
            and desk.now >= n.closes_at,
        }
        for n in rows
    ]
    due = notices.due_disclosures(
        session, scope=scope, today=desk.now.astimezone(tz).date(), tz=desk.tz
    )
    context = {
        "items": items,
        "due": due,
        "show": show,
        "states": [s.value for s in NoticeState],
        "may_draft": desk.user.role in notices.NOTICE_ROLES,
    }
    return render(desk.request, "deliberation/notices.html", context)


# ---------------------------------------------------------------- drafting


def _new_page(
    desk: Desk,
    form: dict[str, Any],
    *,
    error: DomainError | None = None,
) -> HTMLResponse:
    context = {
        "form": form,
        # the regions of the drafter's scope a notice may be posted in, picked by name
        "regions": region_choices(
            desk.session, desk.actor, (Level.COMMUNITY, Level.STREET, Level.DISTRICT)
        ),
        "kinds": [k.value for k in NoticeKind],
        "channels": notices.CHANNELS,
        "default_days": rules.DEFAULT_POSTING_DAYS,
    }
    return render_form(desk.request, "deliberation/notice_new.html", context, error)


@router.get("/notices/new", response_class=HTMLResponse)
def notice_new(
    desk: NoticeDesk,
    region: Annotated[str, Query(max_length=18)] = "",
    kind: Annotated[str, Query(max_length=24)] = "",
    matter_id: Annotated[int | None, Query(ge=1)] = None,
    election_id: Annotated[int | None, Query(ge=1)] = None,
) -> HTMLResponse:
    form = {
        "region": region or (desk.user.effective_scope or ""),
        "kind": kind or NoticeKind.VILLAGE_AFFAIRS.value,
        "title": "",
        "body": "",
        "posting_days": str(rules.DEFAULT_POSTING_DAYS),
        "objection_days": "",
        "channels": ["portal"],
        "language": language_of(desk.request),
        "matter_id": matter_id or "",
        "election_id": election_id or "",
    }
    return _new_page(desk, form)


def _whole(text: str, field: str, problem: str) -> int | None:
    """A form's optional whole number: None when blank; else refused with ``problem``
    at ``field``."""
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError as exc:
        raise InvalidInput("The notice was not saved.", details=[Problem(field, problem)]) from exc


def _days(text: str, field: str) -> int | None:
    return _whole(text, field, N_("Give a whole number of days."))


def _optional_id(text: str, field: str) -> int | None:
    return _whole(text, field, N_("Not a number."))


class NoticeForm(BaseModel):
    """The new notice form, as typed (the numbers are parsed when it is saved)."""

    region: str = Field(default="", max_length=18)
    kind: str = Field(default="", max_length=24)
    title: str = Field(default="", max_length=400)
    body: str = Field(default="", max_length=40000)
    posting_days: str = Field(default="", max_length=8)
    objection_days: str = Field(default="", max_length=8)
    channels: list[str] = Field(default_factory=list)
    language: str = Field(default="zh_Hans", max_length=16)
    matter_id: str = Field(default="", max_length=12)
    election_id: str = Field(default="", max_length=12)


@form_post(router, "/notices/new")
def notice_create(desk: NoticeDesk, drafted: Annotated[NoticeForm, Form()]) -> HTMLResponse:
    session = desk.session
    form = drafted.model_dump()
    title, body, kind = drafted.title, drafted.body, drafted.kind
    try:
        try:
            chosen_kind = NoticeKind(kind)
        except ValueError as exc:
            raise InvalidInput(
                "The notice was not saved.",
                details=[Problem("kind", "%(value)s is not a kind of notice.", value=kind)],
            ) from exc
        findings = rules.scan_personal_data(title.strip()) + rules.scan_personal_data(body.strip())
        notice = notices.do_draft(
            session,
            actor=desk.actor,
            region_code=drafted.region.strip(),
            kind=chosen_kind,
            title=title,
            body=body,
            now=desk.now,
            matter_id=_optional_id(drafted.matter_id, "matter"),
            election_id=_optional_id(drafted.election_id, "election"),
            posting_days=_days(drafted.posting_days, "posting_days"),
            objection_days=_days(drafted.objection_days, "objection_days"),
            channels=tuple(drafted.channels),
            language=drafted.language.strip() or "zh_Hans",
        )
    except DomainError as exc:
        session.rollback()
        return _new_page(desk, form, error=exc)
    session.commit()
    context = {
        "notice": notice,
        # the masked forms only: the values themselves are never shown again
        "findings": [(f.kind.value, f.masked) for f in findings],
    }
    return render(desk.request, "deliberation/notice_saved.html", context, status_code=201)


# ---------------------------------------------------------------- the notice page


def _notice_page(
    request: Request,
    session: Session,
    tz_name: str,
    now: datetime,
    notice: Notice,
    actor: Actor | None,
    *,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    flash: str | None = None,
) -> HTMLResponse:
    tz = ZoneInfo(tz_name)
    manage = actor is not None and notices.may_manage(actor, notice)
    board = actor is not None and notices.may_manage(actor, notice, notices.BOARD_ROLES)
    objections = notices.objections_of(session, notice.id, public_only=not manage)
    photos = notices.board_photos(session, notice.id) if notices.is_public(notice) else []
    context = {
        "notice": notice,
        "notice_lang": html_lang(notice.language),
        "region": territory.region_name(session, notice.region_code),
        "channels": notices.channels_of(notice),
        "posted": local_time(notice.posted_at, tz),
        "closes": local_time(notice.closes_at, tz),
        "objections_until": local_time(notice.objections_until, tz),
        "closed": local_time(notice.closed_at, tz),
        "left": remaining(notice.closes_at, now) if notice.state == "posted" else None,
        "objections_open": notices.objections_open(notice, now),
        "objections": [
            {
                "row": o,
                "at": local_time(o.at, tz),
                "answered": local_time(o.answered_at, tz),
                "held": notices.is_held(o),
                "name": o.author_name if manage else notices.public_name(o.author_name),
                "lang": html_lang(o.language),
            }
            for o in objections
        ],
        "photos": photos,
        "manage": manage,
        "board": board,
        "may_close": notice.state == "posted"
        and notice.closes_at is not None
        and now >= notice.closes_at,
        "needs_photo": "board" in notices.channels_of(notice)
        and notices.is_public(notice)
        and not photos,
        "form": form or {"author_name": "", "text": "", "kind": "objection"},
        "flash": flash,
    }
    return render_form(request, "deliberation/notice.html", context, error)


@dataclass(frozen=True)
class NoticeReader:
    """Whoever reads a notice's pages, signed in or not (the request, the session, the
    office's time zone, the clock, the user): what the notice's routes share."""

    request: Request
    session: Session
    tz: str
    now: datetime
    user: User | None

    @property
    def actor(self) -> Actor | None:
        return viewer_actor(self.request, self.user)

    def show(self, notice_id: int, page: Callable[[Notice], Response]) -> Response:
        """``page(notice)`` for the notice this reader may see (``visible_notice``); else
        the missing-notice page."""
        try:
            notice = visible_notice(self.session, notice_id, self.actor)
        except NotFound as exc:
            return _not_found(self.request, exc)
        return page(notice)

    def page(self, notice: Notice, **options: Any) -> HTMLResponse:
        """The notice's page for this reader (``_notice_page``'s options)."""
        return _notice_page(
            self.request, self.session, self.tz, self.now, notice, self.actor, **options
        )


def notice_reader(
    request: Request, session: SessionDep, state: StateDep, now: Now, user: OptionalUser
) -> NoticeReader:
    return NoticeReader(request, session, state.settings.timezone, now, user)


Reader = Annotated[NoticeReader, Depends(notice_reader)]


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    notice_id: NoticeId, reader: Reader, sent: Annotated[str, Query(max_length=8)] = ""
) -> Response:
    """The notice for everyone: masked text, period, objections and answers."""
    flash = {
        "held": N_("Thank you. Your message is held for review before it is shown."),
        "shown": N_("Thank you. Your message is shown below; the answer will be public."),
    }.get(sent)
    return reader.show(notice_id, lambda notice: no_store(reader.page(notice, flash=flash)))


class ObjectionForm(BaseModel):
    """An objection or question from a notice's page, as typed."""

    text: str = Field(default="", max_length=4000)
    kind: str = Field(default="objection", max_length=16)
    author_name: str = Field(default="", max_length=128)


@form_post(router, "/notices/{notice_id}/objections")
def objection_submit(
    notice_id: NoticeId, reader: Reader, typed: Annotated[ObjectionForm, Form()]
) -> Response:
    """Anyone may object or ask while the window is open; a name is required."""
    request, session, now, user = reader.request, reader.session, reader.now, reader.user
    actor = reader.actor or anonymous_actor(request)
    try:
        notice = notices.get_public(session, notice_id)
    except NotFound as exc:
        return _not_found(request, exc)
    try:
        source = f"user:{user.id}" if user is not None else client_ip(request)
        check_rate(session, write=Write.OBJECTION, source=source, target=str(notice.id), now=now)
        objection = notices.do_object(
            session,
            notice_id=notice.id,
            **typed.model_dump(),
            author_user_id=user.id if user is not None else None,
            language=language_of(request),
            now=now,
            actor=actor,
            tz=reader.tz,
        )
    except DomainError as exc:
        session.rollback()
        return reader.page(
            notices.get_public(session, notice_id), error=exc, form=typed.model_dump()
        )
    session.commit()
    sent = "held" if notices.is_held(objection) else "shown"
    return RedirectResponse(f"/notices/{notice_id}?sent={sent}", status_code=303)


def _staff_action(
    request: Request,
    session: Session,
    tz_name: str,
    now: datetime,
    user: User,
    notice_id: int,
    action: Any,
) -> Response:
    """Run ``action()`` (a ``do_*``), commit and go back to the notice page; on a refusal
    show the page with the reason."""
    reader = NoticeReader(request, session, tz_name, now, user)

    def again(error: DomainError) -> Response:
        return reader.page(visible_notice(session, notice_id, reader.actor), error=error)

    return reader.show(
        notice_id,
        lambda notice: form_action(session, action, to=f"/notices/{notice.id}", on_error=again),
    )


@router.get("/notices/{notice_id}/files/{file_id}")
def notice_file(notice_id: NoticeId, file_id: RowId, reader: Reader) -> Response:
    """A photo of the notice on the board: public evidence, as the notice is."""
    visible_notice(reader.session, notice_id, reader.actor)
    return owned_file(reader.session, file_id, "notice", notice_id, "private, max-age=3600")


@router.get("/notices/{notice_id}/print", response_class=HTMLResponse)
def notice_print(notice_id: NoticeId, reader: Reader) -> Response:
    """The A4 notice for the board, with a QR code to its page."""
    return reader.show(notice_id, lambda notice: _print_page(reader, notice))


def _print_page(reader: NoticeReader, notice: Notice) -> Response:
    request, session, now = reader.request, reader.session, reader.now
    tz = ZoneInfo(reader.tz)
    url = notice_url(request, notice.id)
    if notice.posted_at is not None:
        posted, closes, until = notice.posted_at, notice.closes_at, notice.objections_until
    else:
        # A draft prints with the period it would have if posted now.
        posted = now
        closes = rules.posting_closes_at(now, notice.posting_days)
        until = rules.objection_window_end(now, notice.objection_days)
    context = {
        "notice": notice,
        "notice_lang": html_lang(notice.language),
        "region": territory.region_name(session, notice.region_code),
        "posted": local_time(posted, tz),
        "closes": local_time(closes, tz),
        "objections_until": local_time(until, tz),
        "url": url,
        "qr": qr_svg(url),
        "issued": local_time(posted, tz)[:10],
    }
    return render(request, "deliberation/notice_print.html", context)
