"""The case workflow's state actions after intake: accept, reject, merge, report in,
start, resolve, verify, escalate, return, suspend, resume, rate and contest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.cases import clocks, permissions
from gridgov.cases.access import check_handler
from gridgov.cases.assigning import end_assignments, escalate_one, resume_clock
from gridgov.cases.holidays import calendar_for
from gridgov.cases.intake import IntakeInput, add_photo, intake_problems, photo_problems
from gridgov.cases.models import (
    Assignment,
    Case,
)
from gridgov.cases.notifications import notify_reporter
from gridgov.cases.rules import Channel, Rating, State
from gridgov.cases.steps import add_event, lock_case, move, require
from gridgov.errors import Conflict, InvalidInput


def do_accept(
    session: Session, *, actor: Actor, case: Case, now: datetime, category_code: str | None = None
) -> None:
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="accept")
    if category_code:
        problems = intake_problems(
            session, IntakeInput("xxxx", Channel.STAFF, category_code=category_code)
        )
        if problems:
            raise InvalidInput("The case was not accepted.", details=problems)
        case.category_code = category_code
    case.spam_suspected = False
    move(session, case, actor, now, State.ACCEPTED, "accepted")


def do_reject(session: Session, *, actor: Actor, case: Case, reason: str, now: datetime) -> None:
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="reject")
    require(reason, "reason")
    move(session, case, actor, now, State.REJECTED, "rejected", note=reason)
    notify_reporter(session, case, now, "rejected")


def do_merge(
    session: Session, *, actor: Actor, duplicate: Case, original: Case, now: datetime
) -> None:
    """A duplicate closes as rejected pointing to its original; both reporters stay informed."""
    permissions.check_step(session, actor=actor, case=duplicate, step="merge")
    if duplicate.id == original.id or original.duplicate_of_id is not None:
        raise Conflict("A case cannot be merged into itself or into a merged case.")
    lock_case(session, duplicate)
    duplicate.duplicate_of_id = original.id
    if State(duplicate.state) is State.SUBMITTED:
        move(session, duplicate, actor, now, State.ACCEPTED, "accepted", public=False)
    move(
        session,
        duplicate,
        actor,
        now,
        State.REJECTED,
        "merged",
        note=f"#{original.id} {original.tracking_code}",
    )
    add_event(
        session, original, actor, now, "duplicate_merged", None, None, note=f"#{duplicate.id}"
    )
    notify_reporter(session, duplicate, now, "merged")


def do_acknowledge(session: Session, *, actor: Actor, case: Case, now: datetime) -> None:
    """The unit reports in (报到). A co-handler reports in without moving the case."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="acknowledge")
    assignment = check_handler(session, actor, case)
    assignment.acknowledged_at = assignment.acknowledged_at or now
    if assignment.lead:
        case.acknowledged_at = now
        move(session, case, actor, now, State.ACKNOWLEDGED, "acknowledged")
    else:
        case.version += 1
        case.updated_at = now
        add_event(
            session, case, actor, now, "co_acknowledged", None, None, note=assignment.unit_code
        )
        summary = {"assignment": assignment.id, "unit": assignment.unit_code}
        record_about(session, actor, "case.co_acknowledged", case, now=now, summary=summary)


def do_start(session: Session, *, actor: Actor, case: Case, now: datetime, note: str = "") -> None:
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="start")
    move(session, case, actor, now, State.IN_PROGRESS, "started", note=note)


def do_resolve(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    note: str,
    now: datetime,
    photos: Sequence[tuple[str, bytes]] = (),
    tz: str = "Asia/Shanghai",
) -> None:
    """The handler's result: the resolution clock stops here, the verification clock
    (the check on the spot) starts. On a case not yet reported in or started, resolving
    reports in and starts it first (the timeline shows each step): one step for a worker
    on the spot."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="resolve")
    require(note, "note")
    problems = photo_problems(photos)
    if problems:
        raise InvalidInput("The result was not recorded.", details=problems)
    if State(case.state) in (State.ASSIGNED, State.ESCALATED):
        assignment = check_handler(session, actor, case)
        assignment.acknowledged_at = assignment.acknowledged_at or now
        case.acknowledged_at = now
        move(session, case, actor, now, State.ACKNOWLEDGED, "acknowledged")
    if State(case.state) is State.ACKNOWLEDGED:
        move(session, case, actor, now, State.IN_PROGRESS, "started")
    event = move(session, case, actor, now, State.RESOLVED, "resolved", note=note)
    assert event is not None  # noqa: S101 - resolving is never inside rows_at_once
    case.paused_at = now
    amount, unit = clocks.VERIFICATION
    case.verification_due_at = calendar_for(session, tz).due(now, amount, unit).at
    if photos:
        session.flush()  # the event's id, for the photos
    for content_type, data in photos:
        add_photo(session, case, event.id, content_type, data, now)
    case.resolved_at = now
    notify_reporter(session, case, now, "resolved")


def do_verify(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    passed: bool,
    note: str,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> None:
    """The grid worker (or the reporter) checks the result on the spot: passed closes the
    case; failed sends it back to work (返工), and the resolution clock runs again from
    where it stopped. Nobody checks a result they recorded."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="verify")
    if not passed:
        require(note, "note")
    if passed:
        move(session, case, actor, now, State.VERIFIED, "verified", note=note)
        move(session, case, actor, now, State.CLOSED, "closed")
        case.closed_at = now
        notify_reporter(session, case, now, "closed")
    else:
        case.reworks += 1
        move(session, case, actor, now, State.IN_PROGRESS, "rework", note=note)
        resume_clock(session, case, now, tz)


def do_escalate(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    reason: str,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> Assignment:
    """Up one rung of the ladder (吹哨), by hand with a reason."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="escalate")
    require(reason, "reason")
    return escalate_one(session, case, actor, now, reason, tz)


def do_return(session: Session, *, actor: Actor, case: Case, reason: str, now: datetime) -> None:
    """The unit hands a mis-routed case back to the dispatcher (退单)."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="return")
    require(reason, "reason")
    end_assignments(session, case, now)
    move(session, case, actor, now, State.RETURNED, "returned", note=reason)


def do_request_suspension(
    session: Session, *, actor: Actor, case: Case, reason: str, now: datetime
) -> None:
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="request-suspension")
    require(reason, "reason")
    if State(case.state) is not State.IN_PROGRESS:
        raise Conflict("Only a case in progress can be suspended.")
    case.suspension_requested = True
    case.version += 1
    case.updated_at = now
    add_event(session, case, actor, now, "suspension_requested", None, None, note=reason)
    record_about(
        session, actor, "case.suspension_requested", case, now=now, summary={"reason": reason[:200]}
    )


def do_approve_suspension(session: Session, *, actor: Actor, case: Case, now: datetime) -> None:
    """挂账 needs a supervisor: a leader or an administrator within scope."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="approve-suspension")
    case.suspension_requested = False
    move(session, case, actor, now, State.SUSPENDED, "suspended")
    case.paused_at = now  # the resolution clock stands still (挂账)


def do_resume(
    session: Session, *, actor: Actor, case: Case, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    """Work on a suspended case starts again: its resolution due time moves on by the
    working time it was suspended."""
    lock_case(session, case)
    permissions.check_step(session, actor=actor, case=case, step="resume")
    move(session, case, actor, now, State.IN_PROGRESS, "resumed")
    resume_clock(session, case, now, tz)


def do_rate(session: Session, *, case: Case, rating: Rating, now: datetime, note: str = "") -> None:
    """The reporter's verdict (满意 / 基本满意 / 不满意), once, after the close."""
    if State(case.state) is not State.CLOSED:
        raise Conflict("A case is rated once it is closed.")
    if case.rating is not None:
        raise Conflict("This case has been rated already.")
    lock_case(session, case)
    case.version += 1
    case.rating = rating.value
    case.rated_at = now
    reporter = Actor(username="reporter", role="reporter")
    add_event(
        session,
        case,
        reporter,
        now,
        "rated",
        None,
        None,
        note=rating.value + (f": {note}" if note else ""),
    )
    record_about(session, reporter, "case.rated", case, now=now, summary={"rating": rating.value})


def do_contest(
    session: Session, *, case: Case, reason: str, now: datetime, tz: str = "Asia/Shanghai"
) -> None:
    """The reporter disputes a close, once: the case goes back to work, and the
    resolution clock runs again from where it stopped."""
    if State(case.state) is not State.CLOSED:
        raise Conflict("Only a closed case can be contested.")
    if case.contested:
        raise Conflict("A close can be contested once.")
    require(reason, "reason")
    lock_case(session, case)
    case.contested = True
    case.closed_at = None
    case.reworks += 1
    move(
        session,
        case,
        Actor(username="reporter", role="reporter"),
        now,
        State.IN_PROGRESS,
        "contested",
        note=reason,
    )
    resume_clock(session, case, now, tz)


# The steps that need nothing but the case and, for some, one text. The API's step
# endpoints, the case page and the field app name a step so and take it through
# ``take_step``: step -> (action, the keyword its text goes to, whether it takes the zone).
_PLAIN: dict[str, tuple[Callable[..., object], str | None, bool]] = {
    "accept": (do_accept, None, False),
    "reject": (do_reject, "reason", False),
    "acknowledge": (do_acknowledge, None, False),
    "start": (do_start, "note", False),
    "resolve": (do_resolve, "note", True),
    "escalate": (do_escalate, "reason", True),
    "return": (do_return, "reason", False),
    "request-suspension": (do_request_suspension, "reason", False),
    "approve-suspension": (do_approve_suspension, None, False),
    "resume": (do_resume, None, True),
}
PLAIN_STEPS = tuple(_PLAIN)


def take_step(
    session: Session,
    *,
    actor: Actor,
    case: Case,
    step: str,
    text: str,
    now: datetime,
    tz: str = "Asia/Shanghai",
) -> None:
    """Take one of ``PLAIN_STEPS`` by its name; ``text`` is its note or reason (the
    steps that need neither ignore it)."""
    action, text_as, zoned = _PLAIN[step]
    extra: dict[str, str] = {text_as: text} if text_as else {}
    if zoned:
        extra["tz"] = tz
    action(session, actor=actor, case=case, now=now, **extra)
