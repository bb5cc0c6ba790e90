"""The workflow's building blocks: lock a case to change it, write an event on its
timeline, move it to another state (with the audit row), require a reason or a note."""

from __future__ import annotations

from datetime import datetime

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
) -> CaseEvent | None:
    """Write an event on ``case``'s timeline: the new ``CaseEvent``, or None inside
    ``rows_at_once`` (intake), where only its values are buffered, no ORM object."""
    values = {
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
    return add_values(session, CaseEvent, values)


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
) -> CaseEvent | None:
    """Move ``case`` to ``target`` (refused unless the rules allow it), with its event (as
    ``add_event`` writes it, and gives it back) and its audit row."""
    current = State(case.state)
    rules.transition(current, target)
    case.state = target.value
    case.updated_at = now
    case.version += 1
    event = add_event(session, case, actor, now, kind, current, target, note=note, public=public)
    summary = {"from": current.value, "to": target.value, "note": note[:200]}
    record_about(session, actor, f"case.{kind}", case, now=now, summary=summary)
    return event


REQUIRED = {
    "reason": N_("A reason is required."),
    "note": N_("A note on what was done is required."),
}


def require(text: str, name: str) -> None:
    if not text.strip():
        message = REQUIRED[name]
        raise InvalidInput(message, details=[Problem(name, message)])
