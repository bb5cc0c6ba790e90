"""Objections and questions during a notice's objection window, answered in public;
suspected floods held for review.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.cases import service as cases
from gridgov.db import count_rows
from gridgov.deliberation import rules
from gridgov.deliberation.models import (
    NoticeObjection,
)
from gridgov.deliberation.noticeboard import held
from gridgov.deliberation.noticeboard.common import (
    _LANGUAGE,
    DEFAULT_TZ,
    FLOOD_LIMIT,
    FLOOD_WINDOW,
    OBJECTION_KINDS,
    _authorise,
    _local,
    _notice,
    _objection,
    is_public,
    objections_open,
)
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem, check_length
from gridgov.fields import mask_name
from gridgov.msgids import N_

# ---------------------------------------------------------------- objections


def _flooding(
    session: Session, *, notice_id: int, author_name: str, author_user_id: int | None, now: datetime
) -> bool:
    same = (
        NoticeObjection.author_user_id == author_user_id
        if author_user_id is not None
        else NoticeObjection.author_name == author_name
    )
    recent = count_rows(
        session,
        NoticeObjection,
        NoticeObjection.notice_id == notice_id,
        NoticeObjection.at >= now - FLOOD_WINDOW,
        same,
    )
    return recent >= FLOOD_LIMIT


def public_name(name: str) -> str:
    """A signer as the public sees them (``fields.mask_name``); staff see the full name."""
    return mask_name(name)


def is_held(objection: NoticeObjection) -> bool:
    return held.objection_is_held(objection)


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
    check_length(problems, "text", text, 2000, N_("Write your objection or question."), least=2)
    signed = N_("Give your name: objections are signed.")
    check_length(problems, "author_name", author_name, 64, signed)
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
        hidden_reason=held.objection_hold(signals),
    )
    session.add(objection)
    session.flush()
    summary = {"objection": objection.id, "kind": kind, "held": sorted(set(signals))}
    record_about(session, actor, "notice.objection_received", notice, now=now, summary=summary)
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
            N_("The answer was not saved."), details=[Problem("answer", N_("Write the answer."))]
        )
    if len(answer) > 4000:
        raise InvalidInput(
            N_("The answer was not saved."),
            details=[Problem("answer", "At most %(n)s characters.", n=4000)],
        )
    objection.answer = rules.mask_personal_data(answer)
    objection.answered_by = actor.username
    objection.answered_at = now
    session.flush()
    summary = {"objection": objection.id, "length": len(objection.answer)}
    record_about(session, actor, "notice.objection_answered", notice, now=now, summary=summary)
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
            N_("The objection was not hidden."),
            details=[Problem("reason", N_("Say why it is hidden."))],
        )
    objection.hidden_reason = reason[:200]
    session.flush()
    summary = {"objection": objection.id, "reason": objection.hidden_reason}
    record_about(session, actor, "notice.objection_hidden", notice, now=now, summary=summary)
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
    summary = {"objection": objection.id, "was": previous}
    record_about(session, actor, "notice.objection_released", notice, now=now, summary=summary)
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
