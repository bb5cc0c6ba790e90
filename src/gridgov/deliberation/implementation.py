"""Implementation records (落实): milestones, progress updates, completion."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import within_view
from gridgov.audit.service import Actor, add_and_record, record_about
from gridgov.db import rows, visible_row
from gridgov.deliberation.access import (
    TEXT_LIMIT,
    TIMEZONE,
    TITLE_LIMIT,
    _clean,
    check_may_run,
    local_date,
    may_read,
)
from gridgov.deliberation.models import (
    Implementation,
    ImplementationUpdate,
    Milestone,
)
from gridgov.deliberation.rules import (
    ImplementationState,
)
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.msgids import N_

# -- implementation records --------------------------------------------------------


def do_start_implementation(
    session: Session,
    *,
    actor: Actor,
    region_code: str,
    title: str,
    now: datetime,
    matter_id: int | None = None,
    proposal_id: int | None = None,
    owner: str = "",
) -> Implementation:
    """Open the implementation record of an adopted matter or an accepted proposal (a
    governance action). One per matter or proposal: starting again returns it."""
    if (matter_id is None) == (proposal_id is None):
        raise ValueError("an implementation belongs to a matter or to a proposal")
    existing = session.scalars(
        select(Implementation).where(
            Implementation.matter_id == matter_id
            if matter_id is not None
            else Implementation.proposal_id == proposal_id
        )
    ).first()
    if existing is not None:
        return existing
    row = Implementation(
        region_code=region_code,
        matter_id=matter_id,
        proposal_id=proposal_id,
        title=title[:200],
        owner=owner,
        state=ImplementationState.NOT_STARTED.value,
        progress=0,
        created_at=now,
    )
    summary = {"matter": matter_id, "proposal": proposal_id, "title": row.title}
    return add_and_record(
        session, actor, "deliberation.implementation_started", row, now=now, summary=summary
    )


# -- implementation records ---------------------------------------------------------


def get_implementation(
    session: Session, *, implementation_id: int, viewer: Actor
) -> Implementation:
    return visible_row(
        session, Implementation, implementation_id, lambda row: may_read(viewer, row.region_code)
    )


def milestones_of(session: Session, implementation_id: int) -> list[Milestone]:
    return rows(
        session,
        Milestone,
        Milestone.implementation_id == implementation_id,
        order_by=(Milestone.position, Milestone.due_on, Milestone.id),
    )


def implementation_updates(session: Session, implementation_id: int) -> list[ImplementationUpdate]:
    return rows(
        session,
        ImplementationUpdate,
        ImplementationUpdate.implementation_id == implementation_id,
        order_by=(ImplementationUpdate.at, ImplementationUpdate.id),
    )


def _writable_implementation(
    session: Session, actor: Actor, implementation_id: int
) -> Implementation:
    row = get_implementation(session, implementation_id=implementation_id, viewer=actor)
    check_may_run(actor, row.region_code)
    if row.state == ImplementationState.DONE.value:
        raise Conflict("The implementation is done; it can no longer change.")
    return row


def do_add_milestone(
    session: Session,
    *,
    actor: Actor,
    implementation_id: int,
    title: str,
    due_on: date,
    now: datetime,
) -> Milestone:
    row = _writable_implementation(session, actor, implementation_id)
    clean = _clean(title, "title", TITLE_LIMIT)
    position = len(milestones_of(session, row.id))
    milestone = Milestone(
        implementation_id=row.id, title=clean, due_on=due_on, done_on=None, position=position
    )
    session.add(milestone)
    session.flush()
    summary = {"milestone": milestone.id, "title": clean, "due_on": due_on.isoformat()}
    record_about(session, actor, "deliberation.milestone_added", row, now=now, summary=summary)
    return milestone


def do_mark_milestone_done(
    session: Session,
    *,
    actor: Actor,
    milestone_id: int,
    done_on: date,
    now: datetime,
    tz: str = TIMEZONE,
) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("Not found, or outside your area.")
    row = _writable_implementation(session, actor, milestone.implementation_id)
    if done_on > local_date(now, tz):
        raise InvalidInput(
            N_("A milestone cannot be done in the future."),
            details=[Problem("done_on", N_("A milestone cannot be done in the future."))],
        )
    if milestone.done_on is not None:
        return milestone
    milestone.done_on = done_on
    if row.state == ImplementationState.NOT_STARTED.value:
        row.state = ImplementationState.IN_PROGRESS.value
    summary = {"milestone": milestone.id, "done_on": done_on.isoformat()}
    record_about(session, actor, "deliberation.milestone_done", row, now=now, summary=summary)
    return milestone


def do_post_update(
    session: Session,
    *,
    actor: Actor,
    implementation_id: int,
    text: str,
    progress: int,
    now: datetime,
) -> ImplementationUpdate:
    """A dated progress update (0-100 %); the record's progress follows it."""
    row = _writable_implementation(session, actor, implementation_id)
    clean = _clean(text, "text", TEXT_LIMIT)
    if isinstance(progress, bool) or not 0 <= progress <= 100:
        raise InvalidInput(
            N_("Progress is a percentage from 0 to 100."),
            details=[Problem("progress", N_("Progress is a percentage from 0 to 100."))],
        )
    entry = ImplementationUpdate(
        implementation_id=row.id, at=now, author=actor.username, text=clean, progress=progress
    )
    session.add(entry)
    row.progress = progress
    if row.state == ImplementationState.NOT_STARTED.value:
        row.state = ImplementationState.IN_PROGRESS.value
    session.flush()
    summary = {"update": entry.id, "progress": progress}
    record_about(
        session, actor, "deliberation.implementation_updated", row, now=now, summary=summary
    )
    return entry


def complete_implementation(
    session: Session, *, actor: Actor, implementation_id: int, now: datetime, note: str = ""
) -> Implementation:
    """Done: every milestone done, progress 100 %. (``flows.do_complete_implementation``
    also drafts the result notice of a matter waiting for it: call that one.)"""
    row = _writable_implementation(session, actor, implementation_id)
    open_milestones = [m.title for m in milestones_of(session, row.id) if m.done_on is None]
    if open_milestones:
        raise Conflict(
            "%(n)s milestones are not done yet: %(titles)s.",
            params={"n": len(open_milestones), "titles": ", ".join(open_milestones)},
        )
    if note.strip():
        session.add(
            ImplementationUpdate(
                implementation_id=row.id,
                at=now,
                author=actor.username,
                text=_clean(note, "note", TEXT_LIMIT),
                progress=100,
            )
        )
    row.state = ImplementationState.DONE.value
    row.progress = 100
    row.completed_at = now
    session.flush()
    summary = {"matter": row.matter_id, "proposal": row.proposal_id}
    record_about(session, actor, "deliberation.implementation_done", row, now=now, summary=summary)
    return row


def overdue_milestones(
    session: Session, *, viewer: Actor, today: date, region_code: str | None = None
) -> list[tuple[Milestone, Implementation]]:
    """Milestones due before ``today`` and not done, in the viewer's area, oldest first."""
    query = (
        select(Milestone, Implementation)
        .join(Implementation, Implementation.id == Milestone.implementation_id)
        .where(Milestone.done_on.is_(None), Milestone.due_on < today)
        .order_by(Milestone.due_on, Milestone.id)
    )
    query = within_view(query, viewer, Implementation.region_code)
    if region_code:
        query = query.where(Implementation.region_code.startswith(region_code, autoescape=True))
    return [(row[0], row[1]) for row in session.execute(query).all()]
