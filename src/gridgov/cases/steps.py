"""The workflow's building blocks: lock a case to change it, write an event on its
timeline, move it to another state (with the audit row), require a reason or a note."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record_about
from gridgov.cases import rules
from gridgov.cases.models import (
    Case,
    CaseEvent,
)
from gridgov.cases.rules import State
from gridgov.db import add_values
from gridgov.errors import Conflict, InvalidInput, Problem
from gridgov.msgids import N_


def lock_case(session: Session, case: Case) -> None:
    """Load the case's row to change it: ``SELECT … FOR UPDATE`` on PostgreSQL (SQLite's
    write transaction already holds the database's lock), then go on only when its
    version is still the one the caller read. Someone who changed it meanwhile (a
    person, or the sweep) wins; the caller gets a 409 and reloads."""
    read = case.version
    if session.is_modified(case):
        session.flush()  # changes made earlier in this transaction (intake, then assign)
        read = case.version
    current = session.scalar(select(Case.version).where(Case.id == case.id).with_for_update())
    if current != read:
        raise Conflict(
            "This case was changed by someone else a moment ago; reload it and try again."
        )


def event_values(
    case: Case,
    actor: Actor,
    now: datetime,
    kind: str,
    from_state: State | None,
    to_state: State | None,
    *,
    note: str = "",
    public: bool = True,
) -> dict[str, Any]:
    """The columns of an event on ``case``'s timeline (``add_event``, ``log_event``)."""
    return {
        "case_id": case.id,
        "at": now,
        "actor": actor.username,
        "role": actor.role,
        "kind": kind,
        "from_state": from_state.value if from_state else None,
        "to_state": to_state.value if to_state else None,
        "note": note[:2000],
        "public": public,
    }


def add_event(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    kind: str,
    from_state: State | None,
    to_state: State | None,
    *,
    note: str = "",
    public: bool = True,
) -> CaseEvent:
    event = CaseEvent(
        **event_values(case, actor, now, kind, from_state, to_state, note=note, public=public)
    )
    session.add(event)
    return event


def log_event(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    kind: str,
    from_state: State | None,
    to_state: State | None,
    *,
    note: str = "",
    public: bool = True,
) -> None:
    """``add_event`` for a caller that does not read the event back: inside
    ``rows_at_once`` (intake) only its values are buffered, no ORM object."""
    values = event_values(case, actor, now, kind, from_state, to_state, note=note, public=public)
    add_values(session, CaseEvent, values)


def _enter(case: Case, target: State, now: datetime) -> State:
    """Move ``case`` to ``target`` (refused unless the rules allow it); its former state."""
    current = State(case.state)
    rules.transition(current, target)
    case.state = target.value
    case.updated_at = now
    case.version += 1
    return current


def _record_move(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    current: State,
    target: State,
    kind: str,
    note: str,
) -> None:
    summary = {"from": current.value, "to": target.value, "note": note[:200]}
    record_about(session, actor, f"case.{kind}", case, now=now, summary=summary)


def move(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    target: State,
    kind: str,
    *,
    note: str = "",
    public: bool = True,
) -> CaseEvent:
    current = _enter(case, target, now)
    event = add_event(session, case, actor, now, kind, current, target, note=note, public=public)
    _record_move(session, case, actor, now, current, target, kind, note)
    return event


def step(
    session: Session,
    case: Case,
    actor: Actor,
    now: datetime,
    target: State,
    kind: str,
    *,
    note: str = "",
    public: bool = True,
) -> None:
    """``move`` for a caller that does not read the event back (routing, intake): its
    event goes through ``log_event``."""
    current = _enter(case, target, now)
    log_event(session, case, actor, now, kind, current, target, note=note, public=public)
    _record_move(session, case, actor, now, current, target, kind, note)


REQUIRED = {
    "reason": N_("A reason is required."),
    "note": N_("A note on what was done is required."),
}


def require(text: str, name: str) -> None:
    if not text.strip():
        message = REQUIRED[name]
        raise InvalidInput(message, details=[Problem(name, message)])
