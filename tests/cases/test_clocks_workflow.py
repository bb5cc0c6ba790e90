"""The clocks through the real workflow, on both engines: a reassignment keeps the late
unit late, a resolved case is never overdue, a suspension moves the due time on; and on
PostgreSQL, two writers at once: one wins, the other gets a 409, nothing is lost."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from gridgov.audit.service import Actor
from gridgov.cases import figures, sweep
from gridgov.cases import service as cases
from gridgov.cases.calendar import BEIJING
from gridgov.cases.models import Case, CaseEvent, OutboxMessage
from gridgov.db import Database
from gridgov.errors import Conflict
from tests.cases.factories import report
from tests.conftest import FIXED_NOW

GRID_1, COMMUNITY = "44051200100101", "440512001001"


def act(db: Database, case_id: int, step: str, actor: Actor, now: datetime, **kw: object) -> Case:
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        getattr(cases, f"do_{step}")(session, actor=actor, case=case, now=now, **kw)
        return case


def unit_figures(db: Database, now: datetime, group: str) -> dict[str, figures.Figures]:
    with db.session() as session:
        rows = figures.compute(
            session,
            start=FIXED_NOW - timedelta(days=1),
            end=FIXED_NOW + timedelta(days=1),
            now=now,
            group=group,
        )
    return {row.group: row for row in rows}


def test_an_escalation_does_not_erase_the_grids_late_response(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given a grid case the grid never reported in for
    case = report(db)
    assert case.response_due_at is not None
    # When the sweep escalates it a minute past the due time and the community reports in
    late = case.response_due_at + timedelta(minutes=1)
    assert sweep.sweep(db, now=late).escalated == 1
    act(db, case.id, "acknowledge", people["wu.community"], late + timedelta(minutes=5))
    # Then the grid is late in its own figures and the community on time in its own
    by_unit = unit_figures(db, late + timedelta(days=1), "unit")
    assert (by_unit[GRID_1].responded_on_time, by_unit[GRID_1].responses) == (0, 1)
    assert by_unit[GRID_1].response_rate == 0.0
    assert by_unit[COMMUNITY].response_rate == 1.0
    # and the area counts both clocks: one of two on time
    (whole,) = unit_figures(db, late + timedelta(days=1), "all").values()
    assert (whole.responded_on_time, whole.responses, whole.response_rate) == (1, 2, 0.5)


def test_a_unit_still_within_its_response_time_is_not_counted_yet(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given a fresh grid case, nobody reported in
    case = report(db)
    assert case.response_due_at is not None
    # When the figures are read just at the due time, then a minute later
    at_due = unit_figures(db, case.response_due_at, "all")["all"]
    past_due = unit_figures(db, case.response_due_at + timedelta(minutes=1), "all")["all"]
    # Then the clock counts only once it has run out
    assert (at_due.responses, at_due.response_rate) == (0, None)
    assert (past_due.responses, past_due.response_rate) == (1, 0.0)


def test_a_case_resolved_on_time_is_not_overdue_while_it_awaits_the_check(
    db: Database, people: dict[str, Actor]
) -> None:
    worker = people["chen.worker"]
    # Given a case resolved an hour before its resolution due time
    case = report(db)
    assert case.resolution_due_at is not None
    resolved_at = case.resolution_due_at - timedelta(hours=1)
    act(db, case.id, "acknowledge", worker, FIXED_NOW)
    act(db, case.id, "start", worker, FIXED_NOW)
    act(db, case.id, "resolve", worker, resolved_at, note="已清理")
    # When the sweep runs a day past the due time, before anyone checked
    result = sweep.sweep(db, now=case.resolution_due_at + timedelta(days=1))
    # Then nothing is overdue and no unit is told so; the check has its own due time
    assert result.overdue == 0
    with db.session() as session:
        notices = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedupe_key == f"overdue:{case.id}")
        )
        stored = session.get(Case, case.id)
    assert notices == 0
    assert stored is not None
    assert stored.verification_due_at is not None
    assert stored.verification_due_at > resolved_at
    # and the case checked by the dispatcher (not its resolver) counts as closed on time
    act(
        db,
        case.id,
        "verify",
        people["lin.dispatch"],
        case.resolution_due_at + timedelta(days=1),
        passed=True,
        note="",
    )
    row = unit_figures(db, case.resolution_due_at + timedelta(days=2), "all")["all"]
    assert (row.closed, row.closed_on_time) == (1, 1)


def test_a_resumed_suspension_moves_the_due_time_on_by_the_working_time_paused(
    db: Database, people: dict[str, Actor]
) -> None:
    worker, leader = people["chen.worker"], people["zhao.leader"]
    # Given a 7-working-day case received Monday 30 November 17:30, due Wed 9 Dec 17:30
    case = report(db)
    assert case.resolution_due_at == datetime(2026, 12, 9, 17, 30, tzinfo=BEIJING)
    act(db, case.id, "acknowledge", worker, FIXED_NOW)
    act(db, case.id, "start", worker, FIXED_NOW)
    act(db, case.id, "request_suspension", worker, FIXED_NOW, reason="需要等待管线迁改")
    act(db, case.id, "approve_suspension", leader, FIXED_NOW)
    # When it resumes two weeks later (ten working days), past its old due time
    resumed = FIXED_NOW + timedelta(days=14)
    act(db, case.id, "resume", leader, resumed)
    # Then the due time moved on by ten working days and the case is not overdue
    with db.session() as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        assert stored.resolution_due_at == datetime(2026, 12, 23, 17, 30, tzinfo=BEIJING)
        assert not cases.is_overdue(stored, resumed + timedelta(days=1))
        assert stored.paused_at is None


# ---------------------------------------------------------------- two writers at once


def _race(db: Database, *sides: object) -> list[object]:
    """Run each side in its own thread, all released at once by a barrier; each side is
    (case id, function(session, case)) and commits its own transaction. Returns what
    each side ended with: None on success, or the exception."""
    barrier = threading.Barrier(len(sides))
    outcomes: list[object] = [None] * len(sides)

    def run(index: int, side: object) -> None:
        try:
            side(barrier)  # type: ignore[operator]
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sides)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _person(db: Database, case_id: int, step: str, actor: Actor, now: datetime, **kw: object):  # type: ignore[no-untyped-def]
    def side(barrier: threading.Barrier) -> None:
        with db.transaction() as session:
            case = session.get(Case, case_id)  # read first, as a request does
            assert case is not None
            barrier.wait(timeout=30)
            getattr(cases, f"do_{step}")(session, actor=actor, case=case, now=now, **kw)

    return side


def test_two_people_acting_on_one_case_at_once_one_wins_the_other_gets_409(
    db: Database, people: dict[str, Actor]
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    # Given an assigned case
    case = report(db)
    # When the grid worker reports in while the dispatcher escalates it, at the same moment
    outcomes = _race(
        db,
        _person(db, case.id, "acknowledge", people["chen.worker"], FIXED_NOW),
        _person(db, case.id, "escalate", people["lin.dispatch"], FIXED_NOW, reason="需要社区协调"),
    )
    # Then exactly one succeeded and the other was refused with a conflict (409)
    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"]
    conflict = next(o for o in outcomes if isinstance(o, Conflict))
    assert conflict.status == 409
    # and the stored case is the winner's, with exactly the winner's one event
    winner = "acknowledged" if outcomes[0] is None else "escalated"
    with db.session() as session:
        stored = session.get(Case, case.id)
        kinds = session.scalars(
            select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
    assert stored is not None
    assert stored.state == winner
    assert kinds == ["submitted", "accepted", "assigned", winner]


def test_a_person_and_the_sweep_at_once_one_wins_nothing_is_lost(
    db: Database, people: dict[str, Actor]
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    # Given a grid case a minute past its response due time
    case = report(db)
    assert case.response_due_at is not None
    late = case.response_due_at + timedelta(minutes=1)
    swept: list[sweep.SweepResult] = []

    def sweeper(barrier: threading.Barrier) -> None:
        barrier.wait(timeout=30)
        swept.append(sweep.sweep(db, now=late))

    # When the grid worker reports in (late) while the sweep escalates, at the same moment
    outcomes = _race(db, _person(db, case.id, "acknowledge", people["chen.worker"], late), sweeper)
    # Then one of them won: either the report-in stands and the sweep left the case, or
    # the escalation stands and the person was told 409
    assert outcomes[1] is None
    with db.session() as session:
        stored = session.get(Case, case.id)
        kinds = session.scalars(
            select(CaseEvent.kind).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
    assert stored is not None
    if outcomes[0] is None:
        assert (stored.state, swept[0].escalated) == ("acknowledged", 0)
        assert kinds[-1] == "acknowledged"
    else:
        assert isinstance(outcomes[0], Conflict)
        assert (stored.state, stored.escalations, swept[0].escalated) == ("escalated", 1, 1)
        assert kinds[-1] == "escalated"
    assert len(kinds) == 4  # submitted, accepted, assigned, and the winner's step only


def test_the_overdue_notice_is_a_sentence_with_a_link(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given a case nobody finished by its resolution due time
    case = report(db)
    assert case.resolution_due_at is not None
    # When the sweep runs a day later
    sweep.sweep(db, now=case.resolution_due_at + timedelta(days=1))
    # Then the unit reads it in Chinese, with the case's code and a link, not "overdue"
    with db.session() as session:
        subject, body = session.execute(
            select(OutboxMessage.subject, OutboxMessage.body).where(
                OutboxMessage.dedupe_key == f"overdue:{case.id}"
            )
        ).one()
    assert subject == f"［{case.tracking_code}］已超时"
    assert f"/cases/{case.id}" in body
    assert "超过办理时限" in body
