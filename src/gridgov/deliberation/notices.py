"""Public notices (公示/公开): the two disclosures of a procedure, routine village-affairs,
party-affairs and finance disclosures, election results.

A notice is drafted (its title and body scanned for ID numbers and phones, and stored
masked), posted on its channels (the portal; the physical notice board, with a photo as
evidence; the region's chat groups, through the outbox), open to objections and
questions during its objection window (answers are public), and closed once its posting
period is over, never a second sooner. Closing a matter's disclosure moves the matter on.

``sweep`` closes what is due and reminds each village or community of routine disclosures
due or overdue on the statutory rhythm (村民委员会组织法 第三十条). Reminders go to *every*
community-level region (every village and community is bound by the statute, whether
or not it has used gridgov for notices yet), one per region, kind and due date however
often the sweep runs (the outbox's unique dedupe key).

``check_*`` validates and authorises; ``do_*`` changes state in the caller's transaction
with an audit row. ``now`` is always passed in.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov import images
from gridgov.accounts.rules import Role, may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.cases import moderation
from gridgov.cases import service as cases
from gridgov.cases.models import OutboxMessage
from gridgov.deliberation import rules
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import (
    DeliberationFile,
    Election,
    Matter,
    Notice,
    NoticeObjection,
)
from gridgov.deliberation.rules import NoticeKind, NoticeState
from gridgov.deliberation.states import NOTICE_ALLOWED, move
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound, Problem
from gridgov.fields import mask_name
from gridgov.territory import service as territory
from gridgov.territory.models import ChatGroup, Region

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
HELD = moderation.OBJECTION_HELD  # hidden_reason of an objection held as suspected spam
FLOOD_WINDOW = timedelta(minutes=10)
FLOOD_LIMIT = 5
DEFAULT_TZ = "Asia/Shanghai"
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


# ---------------------------------------------------------------- drafting


@dataclass(frozen=True)
class DraftCheck:
    """A draft as it will be stored: masked, and what was masked."""

    title: str
    body: str
    findings: tuple[rules.Finding, ...]
    posting_days: int
    objection_days: int
    channels: tuple[str, ...]


def check_draft(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    kind: NoticeKind | str,
    title: str,
    body: str,
    matter_id: int | None = None,
    election_id: int | None = None,
    posting_days: int | None = None,
    objection_days: int | None = None,
    channels: Sequence[str] = ("portal",),
    language: str = "zh_Hans",
) -> DraftCheck:
    """Validate and authorise a draft; InvalidInput lists every problem at once."""
    region = territory.find_region(session, code=region_code)
    if region is None:
        raise NotFound("There is no region %(code)s.", params={"code": region_code})
    _authorise(actor, region_code)
    problems: list[Problem] = []
    if region.level == "grid":
        problems.append(
            Problem("region", "Notices are published by a village or community, not a grid.")
        )
    try:
        NoticeKind(kind)
    except ValueError:
        problems.append(Problem("kind", "%(value)s is not a kind of notice.", value=str(kind)))
    title = title.strip()
    body = body.strip()
    if not title:
        problems.append(Problem("title", "A notice needs a title."))
    elif len(title) > 200:
        problems.append(Problem("title", "At most %(n)s characters.", n=200))
    if not body:
        problems.append(Problem("body", "A notice needs its text."))
    elif len(body) > 20000:
        problems.append(Problem("body", "At most %(n)s characters.", n=20000))
    days = rules.DEFAULT_POSTING_DAYS if posting_days is None else posting_days
    if not 1 <= days <= MAX_POSTING_DAYS:
        problems.append(
            Problem(
                "posting_days",
                "A notice is posted for %(low)s to %(high)s days.",
                low=1,
                high=MAX_POSTING_DAYS,
            )
        )
    window = days if objection_days is None else objection_days
    if not 0 <= window <= days:
        problems.append(
            Problem(
                "objection_days",
                "The objection window is at most the posting period (%(days)s days).",
                days=days,
            )
        )
    chosen = tuple(dict.fromkeys(c.strip() for c in channels if c.strip()))
    if not chosen:
        problems.append(Problem("channels", "Choose at least one channel."))
    for channel in chosen:
        if channel not in CHANNELS:
            problems.append(
                Problem(
                    "channels",
                    "%(value)s is not a channel; use %(expected)s.",
                    value=channel,
                    expected=", ".join(CHANNELS),
                )
            )
    if not _LANGUAGE.fullmatch(language):
        problems.append(
            Problem("language", "%(value)s is not a language tag such as en.", value=language)
        )
    if matter_id is not None:
        matter = session.get(Matter, matter_id)
        if matter is None or matter.region_code != region_code:
            problems.append(
                Problem("matter", "Matter %(id)s is not a matter of this region.", id=matter_id)
            )
    if election_id is not None:
        election = session.get(Election, election_id)
        if election is None or not region_code.startswith(election.region_code):
            problems.append(
                Problem(
                    "election", "Election %(id)s is not an election of this region.", id=election_id
                )
            )
    if problems:
        raise InvalidInput("The notice was not saved.", details=problems)
    findings = tuple(rules.scan_personal_data(title)) + tuple(rules.scan_personal_data(body))
    return DraftCheck(
        title=rules.mask_personal_data(title),
        body=rules.mask_personal_data(body),
        findings=findings,
        posting_days=days,
        objection_days=window,
        channels=tuple(c for c in CHANNELS if c in chosen),
    )


def do_draft(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    kind: NoticeKind,
    title: str,
    body: str,
    now: datetime,
    matter_id: int | None = None,
    election_id: int | None = None,
    posting_days: int | None = None,
    objection_days: int | None = None,
    channels: tuple[str, ...] = ("portal",),
    language: str = "zh_Hans",
) -> Notice:
    """Save a draft notice, masked. ``masked_findings`` says how many ID numbers and phone
    numbers were masked, so the author can check the text before posting."""
    checked = check_draft(
        session,
        actor=actor,
        region_code=region_code,
        kind=kind,
        title=title,
        body=body,
        matter_id=matter_id,
        election_id=election_id,
        posting_days=posting_days,
        objection_days=objection_days,
        channels=channels,
        language=language,
    )
    notice = Notice(
        region_code=region_code,
        kind=NoticeKind(kind).value,
        title=checked.title,
        body=checked.body,
        language=language,
        matter_id=matter_id,
        election_id=election_id,
        state=NoticeState.DRAFT.value,
        posting_days=checked.posting_days,
        objection_days=checked.objection_days,
        channels=",".join(checked.channels),
        masked_findings=len(checked.findings),
        created_by=actor.username,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.drafted",
        object_type="notice",
        object_id=notice.id,
        region_code=region_code,
        now=now,
        summary={
            "kind": notice.kind,
            "matter": matter_id,
            "election": election_id,
            "posting_days": notice.posting_days,
            "objection_days": notice.objection_days,
            "channels": notice.channels,
            # kinds only: the values themselves never reach the audit log
            "masked": sorted({f.kind.value for f in checked.findings}),
            "masked_findings": notice.masked_findings,
        },
    )
    return notice


# ---------------------------------------------------------------- posting


def _chat_groups(session: Session, region_code: str) -> list[ChatGroup]:
    """The chat groups of the region and of its grids."""
    return list(
        session.scalars(
            select(ChatGroup)
            .where(scope_clause(region_code, ChatGroup.region_code))
            .order_by(ChatGroup.id)
        )
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
            session.add(
                OutboxMessage(
                    created_at=now,
                    available_at=now,
                    channel="chat",
                    recipient=f"chat-group:{group.id}",
                    subject=f"[公示] {notice.title}"[:256],
                    body=f"{notice.title}\n{link}\n公示至 {closes}",
                    case_id=None,
                    dedupe_key=f"notice:{notice.id}:chat:{group.id}",
                )
            )
            queued += 1
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.posted",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={
            "closes_at": notice.closes_at.isoformat(),
            "objections_until": notice.objections_until.isoformat(),
            "channels": notice.channels,
            "chat_messages": queued,
        },
    )
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
    return deliberation.do_attach_file(
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
    return [f for f in deliberation.files_of(session, "notice", notice_id) if f.purpose == "board"]


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


def do_close(
    session: Session, *, actor: Actor, notice_id: int, now: datetime, tz: str = DEFAULT_TZ
) -> Notice:
    """Close a notice whose posting period is over; a matter's disclosure then moves the
    matter on (``service.advance_after_disclosure``) in the same transaction."""
    notice = _notice(session, notice_id, lock=True)
    _authorise(actor, notice.region_code)
    check_close(notice, now, tz)
    notice.state = move(NOTICE_ALLOWED, notice.state, NoticeState.CLOSED, "notice")
    notice.closed_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.closed",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"matter": notice.matter_id, "posted_at": _iso(notice.posted_at)},
    )
    if notice.matter_id is not None:
        # Looked up at call time: the matters' half of service.py builds on this module.
        advance = deliberation.advance_after_disclosure  # type: ignore[attr-defined,unused-ignore]
        advance(session, matter_id=notice.matter_id, notice_id=notice.id, actor=actor, now=now)
    return notice


def withdraw_for_matter(
    session: Session, *, actor: Actor, matter_id: int, now: datetime
) -> list[int]:
    """Withdraw the draft and posted notices of a withdrawn matter (the matters' service
    calls this in its own transaction); returns their ids."""
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
        record(
            session,
            actor=actor,
            action="notice.withdrawn",
            object_type="notice",
            object_id=notice.id,
            region_code=notice.region_code,
            now=now,
            summary={"matter": matter_id, "from": before},
        )
        withdrawn.append(notice.id)
    return withdrawn


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


# ---------------------------------------------------------------- objections


def _flooding(
    session: Session, *, notice_id: int, author_name: str, author_user_id: int | None, now: datetime
) -> bool:
    same = (
        NoticeObjection.author_user_id == author_user_id
        if author_user_id is not None
        else NoticeObjection.author_name == author_name
    )
    recent = session.scalar(
        select(func.count())
        .select_from(NoticeObjection)
        .where(
            NoticeObjection.notice_id == notice_id,
            NoticeObjection.at >= now - FLOOD_WINDOW,
            same,
        )
    )
    return (recent or 0) >= FLOOD_LIMIT


def public_name(name: str) -> str:
    """A signer as the public sees them (``fields.mask_name``); staff see the full name."""
    return mask_name(name)


def is_held(objection: NoticeObjection) -> bool:
    return moderation.objection_is_held(objection)


def do_object(
    session: Session,
    *,
    notice_id: int,
    text: str,
    kind: str,
    author_name: str,
    author_user_id: int | None,
    language: str,
    now: datetime,
    actor: Actor,
    tz: str = DEFAULT_TZ,
) -> NoticeObjection:
    """A resident objects to a notice or asks about it, while its window is open.

    A name is required (an objection is a public act, and the answer addresses someone);
    an account is optional. Phone and ID numbers in the text are masked, as everything
    public is. Links, keyword walls and floods (five from one person on one notice in ten
    minutes) are held for review instead of shown."""
    notice = _notice(session, notice_id)
    if not is_public(notice):
        raise NotFound("There is no notice %(id)s.", params={"id": notice_id})
    if not objections_open(notice, now):
        until = notice.objections_until or notice.closed_at or now
        raise Conflict(
            "Objections to this notice were received until %(until)s.",
            params={"until": _local(until, tz)},
        )
    text = text.strip()
    author_name = author_name.strip()
    problems: list[Problem] = []
    if kind not in OBJECTION_KINDS:
        problems.append(
            Problem("kind", "Say whether this is an objection or a question.", value=kind)
        )
    if len(text) < 2:
        problems.append(Problem("text", "Write your objection or question."))
    elif len(text) > 2000:
        problems.append(Problem("text", "At most %(n)s characters.", n=2000))
    if not author_name:
        problems.append(Problem("author_name", "Give your name: objections are signed."))
    elif len(author_name) > 64:
        problems.append(Problem("author_name", "At most %(n)s characters.", n=64))
    if not _LANGUAGE.fullmatch(language):
        language = notice.language
    if problems:
        raise InvalidInput("The objection was not taken.", details=problems)
    signals = cases.spam_signals(text) + cases.spam_signals(author_name)
    if _flooding(
        session,
        notice_id=notice.id,
        author_name=author_name,
        author_user_id=author_user_id,
        now=now,
    ):
        signals.append("flood")
    objection = NoticeObjection(
        notice_id=notice.id,
        kind=kind,
        text=rules.mask_personal_data(text),
        language=language,
        author_name=rules.mask_personal_data(author_name),
        author_user_id=author_user_id,
        at=now,
        answer="",
        hidden_reason=moderation.objection_hold(signals),
    )
    session.add(objection)
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.objection_received",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"objection": objection.id, "kind": kind, "held": sorted(set(signals))},
    )
    return objection


def do_answer(
    session: Session, *, actor: Actor, objection_id: int, answer: str, now: datetime
) -> NoticeObjection:
    """Answer an objection or question; the answer is public (personal data masked). An
    answer may be corrected: the audit log keeps each version's length and time."""
    objection, notice = _objection(session, objection_id)
    _authorise(actor, notice.region_code)
    answer = answer.strip()
    if not answer:
        raise InvalidInput(
            "The answer was not saved.", details=[Problem("answer", "Write the answer.")]
        )
    if len(answer) > 4000:
        raise InvalidInput(
            "The answer was not saved.",
            details=[Problem("answer", "At most %(n)s characters.", n=4000)],
        )
    objection.answer = rules.mask_personal_data(answer)
    objection.answered_by = actor.username
    objection.answered_at = now
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.objection_answered",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"objection": objection.id, "length": len(objection.answer)},
    )
    return objection


def do_hide_objection(
    session: Session, *, actor: Actor, objection_id: int, reason: str, now: datetime
) -> NoticeObjection:
    """Hide an objection from the public page, with the reason (kept and audited)."""
    objection, notice = _objection(session, objection_id)
    _authorise(actor, notice.region_code)
    reason = reason.strip()
    if not reason:
        raise InvalidInput(
            "The objection was not hidden.",
            details=[Problem("reason", "Say why it is hidden.")],
        )
    objection.hidden_reason = reason[:200]
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.objection_hidden",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"objection": objection.id, "reason": objection.hidden_reason},
    )
    return objection


def do_release_objection(
    session: Session, *, actor: Actor, objection_id: int, now: datetime
) -> NoticeObjection:
    """Show an objection that was held for review (or hidden) after all."""
    objection, notice = _objection(session, objection_id)
    _authorise(actor, notice.region_code)
    previous = objection.hidden_reason
    objection.hidden_reason = None
    session.flush()
    record(
        session,
        actor=actor,
        action="notice.objection_released",
        object_type="notice",
        object_id=notice.id,
        region_code=notice.region_code,
        now=now,
        summary={"objection": objection.id, "was": previous},
    )
    return objection


def objections_of(
    session: Session, notice_id: int, *, public_only: bool = True
) -> list[NoticeObjection]:
    query = (
        select(NoticeObjection)
        .where(NoticeObjection.notice_id == notice_id)
        .order_by(NoticeObjection.at, NoticeObjection.id)
    )
    if public_only:
        query = query.where(NoticeObjection.hidden_reason.is_(None))
    return list(session.scalars(query))


# ---------------------------------------------------------------- reading


def notices_for(
    session: Session,
    region_code: str,
    include_children: bool = True,
    public_only: bool = True,
    *,
    portal_only: bool = False,
    kinds: Sequence[str] | None = None,
    limit: int = 200,
) -> list[Notice]:
    """A region's notices, newest first: posted and closed ones only when
    ``public_only``; only those on the portal channel when ``portal_only``."""
    query = select(Notice)
    if include_children:
        query = query.where(scope_clause(region_code, Notice.region_code))
    else:
        query = query.where(Notice.region_code == region_code)
    if public_only:
        query = query.where(Notice.state.in_(PUBLIC_STATES))
    if portal_only:
        query = query.where(Notice.channels.contains("portal"))
    if kinds is not None:
        query = query.where(Notice.kind.in_(list(kinds)))
    query = query.order_by(
        func.coalesce(Notice.posted_at, Notice.created_at).desc(), Notice.id.desc()
    ).limit(limit)
    return list(session.scalars(query))


def notices_in_scope(
    session: Session, *, scope: str | None, state: str | None = None, limit: int = 200
) -> list[Notice]:
    """Every notice a staff member may see (drafts included), newest first."""
    query = select(Notice).where(scope_clause(scope, Notice.region_code))
    if state:
        query = query.where(Notice.state == state)
    return list(
        session.scalars(query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))
    )


def get_public(session: Session, notice_id: int) -> Notice:
    """A posted or closed notice; drafts and withdrawn ones do not exist for the public."""
    notice = session.get(Notice, notice_id)
    if notice is None or not is_public(notice):
        raise NotFound("There is no notice %(id)s.", params={"id": notice_id})
    return notice


def get_notice(session: Session, notice_id: int) -> Notice:
    return _notice(session, notice_id)


# ---------------------------------------------------------------- routine disclosures


@dataclass(frozen=True)
class RoutineDue:
    """When a village or community must next publish a routine disclosure."""

    region_code: str
    region_name: str
    kind: str
    last_published: date | None
    due_on: date
    status: str  # "overdue", "due" (within REMIND_DAYS) or "ok"

    @property
    def overdue(self) -> bool:
        return self.status == "overdue"


def _last_published(session: Session, scope: str | None, tz: str) -> dict[tuple[str, str], date]:
    rows = session.execute(
        select(Notice.region_code, Notice.kind, func.max(Notice.posted_at))
        .where(
            Notice.posted_at.is_not(None),
            Notice.kind.in_([k.value for k in ROUTINE_KINDS]),
            scope_clause(scope, Notice.region_code) if scope else Notice.id.is_not(None),
        )
        .group_by(Notice.region_code, Notice.kind)
    ).all()
    zone = ZoneInfo(tz)
    return {(code, kind): at.astimezone(zone).date() for code, kind, at in rows if at}


def due_disclosures(
    session: Session,
    *,
    scope: str | None,
    today: date,
    include_ok: bool = False,
    tz: str = DEFAULT_TZ,
) -> list[RoutineDue]:
    """For every village and community in ``scope`` (None: all), each routine kind's next
    due date on the statutory rhythm; overdue first. Without ``include_ok`` only those
    due within ``REMIND_DAYS`` or overdue."""
    region_query = select(Region.code, Region.name).where(Region.level == "community")
    if scope is not None:
        region_query = region_query.where(scope_clause(scope, Region.code))
    regions = session.execute(region_query.order_by(Region.code)).all()
    last = _last_published(session, scope, tz)
    found: list[RoutineDue] = []
    for code, name in regions:
        for kind in ROUTINE_KINDS:
            published = last.get((code, kind.value))
            due_on = rules.next_due(kind.value, published, today)
            if due_on < today:
                status = "overdue"
            elif (due_on - today).days <= REMIND_DAYS:
                status = "due"
            else:
                status = "ok"
            if status != "ok" or include_ok:
                found.append(RoutineDue(code, name, kind.value, published, due_on, status))
    order = {"overdue": 0, "due": 1, "ok": 2}
    return sorted(found, key=lambda d: (order[d.status], d.due_on, d.region_code, d.kind))


def _reminder_key(due: RoutineDue) -> str:
    # Never published: next_due says "today" every day, so the key names the first
    # disclosure instead of a date: one reminder, not one a day.
    when = due.due_on.isoformat() if due.last_published else "first"
    return f"disclosure:{due.region_code}:{due.kind}:{when}"


def sweep(session: Session, *, now: datetime, actor: Actor, tz: str = DEFAULT_TZ) -> dict[str, int]:
    """Close every posted notice whose period is over (each through :func:`do_close`, in
    a savepoint so one refusal does not stop the rest) and queue one reminder per routine
    disclosure due or overdue (region, kind and due date: the dedupe key)."""
    counts = {"closed": 0, "close_failed": 0, "reminders": 0}
    due_ids = list(
        session.scalars(
            select(Notice.id)
            .where(Notice.state == NoticeState.POSTED.value, Notice.closes_at <= now)
            .order_by(Notice.id)
        )
    )
    for notice_id in due_ids:
        try:
            with session.begin_nested():
                do_close(session, actor=actor, notice_id=notice_id, now=now, tz=tz)
            counts["closed"] += 1
        except Exception:
            # One notice's refusal or error does not stop the others; it is logged with its
            # id, and audited only when something changed (below).
            log.warning("notice not closed", exc_info=True, extra={"fields": {"notice": notice_id}})
            counts["close_failed"] += 1
    today = now.astimezone(ZoneInfo(tz)).date()
    for due in due_disclosures(session, scope=None, today=today, tz=tz):
        key = _reminder_key(due)
        exists = session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key == key)
        )
        if exists:
            continue
        try:
            with session.begin_nested():
                session.add(
                    OutboxMessage(
                        created_at=now,
                        available_at=now,
                        channel="in_app",
                        recipient=f"unit:{due.region_code}",
                        subject=f"{due.region_name}: {due.kind} disclosure {due.status}"[:256],
                        body=(
                            f"{due.kind} disclosure of {due.region_name} ({due.region_code}) "
                            f"is {due.status}: publish by {due.due_on.isoformat()}; last "
                            f"published {_iso_date(due.last_published)}"
                        ),
                        case_id=None,
                        dedupe_key=key,
                    )
                )
            counts["reminders"] += 1
        except IntegrityError:
            continue  # another sweeper queued it a moment ago
    if counts["closed"] or counts["reminders"]:
        record(
            session,
            actor=actor,
            action="notice.swept",
            object_type="notice",
            now=now,
            summary=dict(counts),
        )
    return counts


def _iso_date(day: date | None) -> str:
    return day.isoformat() if day else "never"


def reminders_for(session: Session, region_code: str) -> list[OutboxMessage]:
    """The disclosure reminders queued for a region (newest first)."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.dedupe_key.startswith(f"disclosure:{region_code}:"),
                OutboxMessage.recipient == f"unit:{region_code}",
            )
            .order_by(OutboxMessage.id.desc())
        )
    )
