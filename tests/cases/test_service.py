"""The case workflow on both engines: intake, routing, every step, the sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases import sweep
from gridgov.cases.models import Assignment, Case, CaseEvent, OutboxMessage
from gridgov.cases.rules import Level, Rating, Route
from gridgov.db import Database
from gridgov.errors import Conflict, Forbidden, InvalidInput
from tests import photos
from tests.cases.factories import report
from tests.conftest import FIXED_NOW


def load(db: Database, case_id: int) -> Case:
    with db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def got(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    assert case is not None
    return case


def act(db: Database, case_id: int, step: str, actor: Actor, **kwargs: object) -> Case:
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        getattr(cases, f"do_{step}")(
            session, actor=actor, case=case, now=kwargs.pop("now", FIXED_NOW), **kwargs
        )
        return case


def test_a_grid_matter_is_routed_to_the_grid_with_deadlines(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given litter reported at a point in grid 1 (E0101 starts at the grid)
    case = report(db)
    # Then it is located, accepted and assigned to the grid at once, clocks running
    assert case.grid_code == "44051200100101"
    assert case.state == "assigned"
    assert case.level == "grid"
    assert case.unit_code == "44051200100101"
    assert case.response_due_at is not None
    assert case.resolution_due_at is not None
    assert case.response_due_at < case.resolution_due_at
    assert len(case.tracking_code) == 10
    with db.session() as session:
        kinds = [e.kind for e in cases.timeline(session, case)]
        outbox = session.scalars(select(OutboxMessage.dedupe_key)).all()
    assert kinds == ["submitted", "accepted", "assigned"]
    assert any(key.startswith("assigned:") for key in outbox)
    assert any(key.startswith("sms:") for key in outbox)


def test_a_grid_case_reaches_the_grid_chat_and_the_grid_workers_inbox(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given litter reported in grid 1, whose worker is chen.worker
    case = report(db)
    # When the worker and a worker of another grid open their notifications
    with db.session() as session:
        mine = cases.inbox(session, actor=people["chen.worker"])
        chat = session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.case_id == case.id, OutboxMessage.channel == "chat"
            )
        ).all()
        other = Actor(
            username="other.worker", role="grid_worker", user_id=None, scope="44051200100102"
        )
        theirs = cases.inbox(session, actor=other)
    # Then the worker's inbox names the case with a link, the grid's chat group still has
    # its message, and the other grid's worker sees nothing of it
    assigned = [m for m in mine if m.case_id == case.id and m.dedupe_key.startswith("assigned:")]
    assert len(assigned) == 1
    assert f"/cases/{case.id}" in assigned[0].body
    assert [m.recipient for m in chat] == ["unit:44051200100101"]
    assert chat[0].body == assigned[0].body
    assert not [m for m in theirs if m.case_id == case.id]


def test_the_whole_loop_to_a_rated_close(db: Database, people: dict[str, Actor]) -> None:
    worker = people["chen.worker"]
    case = report(db)
    act(db, case.id, "acknowledge", worker)
    act(db, case.id, "start", worker)
    act(
        db,
        case.id,
        "resolve",
        worker,
        note="已清理完毕，附照片",
        photos=[("image/jpeg", photos.jpeg())],
    )
    # A failed check sends it back (返工), then it passes
    community = people["wu.community"]
    act(db, case.id, "verify", community, passed=False, note="角落还有垃圾")
    act(db, case.id, "resolve", worker, note="角落也清理了")
    done = act(db, case.id, "verify", community, passed=True, note="现场确认")
    assert done.state == "closed"
    assert done.reworks == 1
    with db.transaction() as session:
        cases.do_rate(session, case=got(session, case.id), rating=Rating.SATISFIED, now=FIXED_NOW)
    with db.transaction() as session, pytest.raises(Conflict):
        cases.do_rate(
            session, case=got(session, case.id), rating=Rating.DISSATISFIED, now=FIXED_NOW
        )
    assert load(db, case.id).rating == "satisfied"


def test_the_reporter_contests_a_close_once(db: Database, people: dict[str, Actor]) -> None:
    worker = people["chen.worker"]
    case = report(db)
    for step, extra in (
        ("acknowledge", {}),
        ("start", {}),
        ("resolve", {"note": "处理完毕"}),
    ):
        act(db, case.id, step, worker, **extra)
    act(db, case.id, "verify", people["lin.dispatch"], passed=True, note="ok")
    with db.transaction() as session:
        cases.do_contest(session, case=got(session, case.id), reason="根本没处理", now=FIXED_NOW)
    assert load(db, case.id).state == "in_progress"
    act(db, case.id, "resolve", worker, note="重新处理")
    act(db, case.id, "verify", people["lin.dispatch"], passed=True, note="ok")
    with db.transaction() as session, pytest.raises(Conflict):
        cases.do_contest(session, case=got(session, case.id), reason="还是不行", now=FIXED_NOW)


def test_a_department_matter_goes_to_its_department(db: Database, people: dict[str, Actor]) -> None:
    # C0101 manhole covers: a department matter, kept off grids
    case = report(db, text="井盖丢了，晚上很危险", category="C0101")
    assert case.level == "department"
    assert case.department_id is not None
    # A grid worker may not report in for the department; its staff may
    with pytest.raises(Forbidden):
        act(db, case.id, "acknowledge", people["chen.worker"])
    assert act(db, case.id, "acknowledge", people["xu.dept"]).state == "acknowledged"


def test_escalation_by_hand_climbs_the_ladder(db: Database, people: dict[str, Actor]) -> None:
    case = report(db)
    with pytest.raises(InvalidInput):
        act(db, case.id, "escalate", people["chen.worker"], reason="")
    case = act(db, case.id, "escalate", people["chen.worker"], reason="涉及多户，需社区协调")
    assert (case.state, case.level, case.unit_code) == ("escalated", "community", "440512001001")
    case = act(db, case.id, "acknowledge", people["wu.community"])
    assert case.state == "acknowledged"


def test_a_unit_returns_a_misrouted_case_to_the_dispatcher(
    db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    act(db, case.id, "return", people["chen.worker"], reason="不属于本网格")
    assert load(db, case.id).state == "returned"
    with db.transaction() as session:
        returned = session.get(Case, case.id)
        assert returned is not None
        cases.do_assign(
            session,
            actor=people["lin.dispatch"],
            case=returned,
            now=FIXED_NOW,
            route=Route(Level.STREET, None, "dispatcher"),
        )
    assert load(db, case.id).unit_code == "440512001"


def test_suspension_needs_a_supervisor(db: Database, people: dict[str, Actor]) -> None:
    worker = people["chen.worker"]
    case = report(db)
    act(db, case.id, "acknowledge", worker)
    act(db, case.id, "start", worker)
    act(db, case.id, "request_suspension", worker, reason="需等待产权方")
    with pytest.raises(Forbidden):
        act(db, case.id, "approve_suspension", people["lin.dispatch"])
    assert act(db, case.id, "approve_suspension", people["zhao.leader"]).state == "suspended"
    assert act(db, case.id, "resume", people["zhao.leader"]).state == "in_progress"


def test_a_retried_report_with_the_same_key_makes_one_case(
    db: Database, people: dict[str, Actor]
) -> None:
    first = report(db, key="web-7f3c2a91-retry")
    again = report(db, key="web-7f3c2a91-retry")
    assert again.id == first.id
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_spam_is_held_and_never_routed(db: Database, people: dict[str, Actor]) -> None:
    case = report(db, text="加微信 http://spam.example.com 低价贷款 低价贷款 低价贷款 低价贷款")
    assert case.spam_suspected
    assert case.state == "submitted"


def test_a_likely_duplicate_waits_for_the_dispatcher_and_merges(
    db: Database, people: dict[str, Actor]
) -> None:
    original = report(db)
    duplicate = report(
        db, text="门口垃圾又堆起来了", point=(116.7051, 23.2901), phone="13900001111"
    )
    assert duplicate.state == "submitted"
    with db.session() as session:
        notes = [
            e.note for e in cases.timeline(session, duplicate) if e.kind == "duplicate_suspected"
        ]
    assert notes == [f"#{original.id}"]
    with db.transaction() as session:
        dup, orig = session.get(Case, duplicate.id), session.get(Case, original.id)
        assert dup is not None
        assert orig is not None
        cases.do_merge(
            session, actor=people["lin.dispatch"], duplicate=dup, original=orig, now=FIXED_NOW
        )
    merged = load(db, duplicate.id)
    assert (merged.state, merged.duplicate_of_id) == ("rejected", original.id)


def test_the_sweep_escalates_what_was_not_acknowledged(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given a grid case nobody reported in for
    case = report(db)
    assert case.response_due_at is not None
    # When the sweep runs before the due time, nothing happens
    assert sweep.sweep(db, now=case.response_due_at - timedelta(minutes=1)).escalated == 0
    # and after it, the case goes up to the community, once
    later = case.response_due_at + timedelta(minutes=1)
    assert sweep.sweep(db, now=later).escalated == 1
    assert sweep.sweep(db, now=later).escalated == 0
    escalated = load(db, case.id)
    assert (escalated.state, escalated.level, escalated.escalations) == (
        "escalated",
        "community",
        1,
    )
    with db.session() as session:
        active = session.scalars(
            select(Assignment).where(Assignment.case_id == case.id, Assignment.active.is_(True))
        ).all()
    assert [a.unit_code for a in active] == ["440512001001"]


def test_the_sweep_marks_overdue_once_and_delivers(db: Database, people: dict[str, Actor]) -> None:
    worker = people["chen.worker"]
    case = report(db)
    act(db, case.id, "acknowledge", worker)
    assert case.resolution_due_at is not None
    late = case.resolution_due_at + timedelta(hours=1)
    assert sweep.sweep(db, now=late).overdue == 1
    assert sweep.sweep(db, now=late).overdue == 0
    with db.session() as session:
        assert cases.list_cases(session, viewer=people["lin.dispatch"], overdue=True, now=late)
        assert cases.is_overdue(got(session, case.id), late)
    recorder = sweep.RecordingChannel()
    sent = sweep.deliver(db, channels={"sms": recorder, "chat": recorder}, now=late)
    assert sent >= 3
    assert sweep.deliver(db, channels={"sms": recorder, "chat": recorder}, now=late) == 0
    assert any("[" + case.tracking_code + "]" in subject for _, subject, _ in recorder.sent)


def test_every_step_leaves_an_event_and_an_audit_row(
    db: Database, people: dict[str, Actor]
) -> None:
    case = report(db)
    act(db, case.id, "acknowledge", people["chen.worker"])
    with db.session() as session:
        events = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case.id)
        )
        from gridgov.audit.models import AuditEvent

        audited = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.object_type == "case", AuditEvent.object_id == str(case.id)
            )
        ).all()
    assert events == 4
    assert list(audited) == [
        "case.submitted",
        "case.accepted",
        "case.assigned",
        "case.acknowledged",
    ]


def test_figures_follow_their_definitions(db: Database, people: dict[str, Actor]) -> None:
    from gridgov.cases import figures

    worker = people["chen.worker"]
    # Given three cases: one closed on time and rated satisfied after one rework,
    # one acknowledged and left open past its due time, one nobody touched
    done = report(db)
    act(db, done.id, "acknowledge", worker)
    act(db, done.id, "start", worker)
    act(db, done.id, "resolve", worker, note="处理")
    act(db, done.id, "verify", people["wu.community"], passed=False, note="不彻底")
    act(db, done.id, "resolve", worker, note="再处理")
    act(db, done.id, "verify", people["wu.community"], passed=True, note="ok")
    with db.transaction() as session:
        closed = session.get(Case, done.id)
        assert closed is not None
        cases.do_rate(session, case=closed, rating=Rating.SATISFIED, now=FIXED_NOW)
    late = report(db, text="路灯坏了很久没人修", point=(116.7080, 23.2950), phone="13900002222")
    act(db, late.id, "acknowledge", worker)
    report(
        db,
        text="小广告贴满了单元门",
        category="E0201",
        point=(116.7020, 23.2830),
        phone="13900003333",
    )
    assert late.resolution_due_at is not None
    now = late.resolution_due_at + timedelta(days=1)
    # When the figures are computed for the whole area
    with db.session() as session:
        (row,) = figures.compute(
            session,
            start=FIXED_NOW - timedelta(days=1),
            end=FIXED_NOW + timedelta(days=1),
            now=now,
            group="all",
        )
    # Then each follows its definition
    assert (row.cases, row.assigned, row.closed, row.rated, row.overdue) == (3, 3, 1, 1, 2)
    assert row.response_rate == round(2 / 3, 4)
    assert row.closure_rate == round(1 / 3, 4)
    assert row.on_time_closure_rate == round(1 / 3, 4)
    assert row.satisfaction_rate == 1.0
    assert row.rework_rate == 1.0
    with db.session() as session:
        by_grid = figures.compute(
            session,
            start=FIXED_NOW - timedelta(days=1),
            end=FIXED_NOW + timedelta(days=1),
            now=now,
            group="grid",
            scope="440512",
        )
    assert [r.group for r in by_grid] == ["44051200100101"]


def test_in_app_notifications_reach_the_unit(db: Database, people: dict[str, Actor]) -> None:
    # Given a department case (its staff are told in the app) and a grid case
    report(db, text="井盖丢了，晚上很危险", category="C0101")
    with db.session() as session:
        department = cases.inbox(session, actor=people["xu.dept"])
        dispatcher = cases.inbox(session, actor=people["lin.dispatch"])
    assert [m.dedupe_key.split(":")[0] for m in department] == ["assigned"]
    # in words, in the office's language, with the case's link and a local time
    assert department[0].subject.endswith("井盖")
    assert f"/cases/{department[0].case_id}" in department[0].body
    assert "T" not in department[0].body.split("。")[0]
    assert dispatcher == []


def test_a_grid_matters_list_keeps_other_matters_off_the_grid(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given grid 1 settles only small ads (E0201), when litter (E0101) is reported there
    with db.transaction() as session:
        cases.do_set_grid_matters(
            session,
            actor=people["lin.dispatch"],
            grid_code="44051200100101",
            category_codes=["E0201"],
            now=FIXED_NOW,
        )
    litter = report(db)
    ads = report(
        db,
        text="单元门贴满了小广告",
        category="E0201",
        point=(116.7080, 23.2950),
        phone="13900004444",
    )
    # Then litter goes to the community and small ads stay in the grid
    assert (litter.level, ads.level) == ("community", "grid")
    with db.transaction() as session, pytest.raises(InvalidInput):
        cases.do_set_grid_matters(
            session,
            actor=people["lin.dispatch"],
            grid_code="44051200100101",
            category_codes=["X9999"],
            now=FIXED_NOW,
        )


def test_a_page_of_duplicates_in_one_statement_finds_what_each_row_would(
    db: Database, people: dict[str, Actor]
) -> None:
    # given two pairs of reports at two points, a different category at the first point
    # and a lone report far away
    first = report(db)
    second = report(db, text="门口垃圾又堆起来了", point=(116.7051, 23.2901), phone="13900001111")
    other_kind = report(db, text="路灯坏了，晚上很黑", category="E0102", phone="13900002222")
    far = report(db, text="垃圾没人收", point=(116.7400, 23.3100), phone="13900003333")
    page = [first, second, other_kind, far]
    with db.session() as session:
        rows = [got(session, c.id) for c in page]
        # when the page asks once, and each row asks on its own
        batched = cases.likely_duplicates_of(session, rows, now=FIXED_NOW)
        one_by_one = {
            c.id: found
            for c in rows
            if (found := cases.likely_duplicates(session, c, now=FIXED_NOW))
        }
        ids = {c.id: cases.likely_duplicate_ids(session, c, now=FIXED_NOW) for c in rows}
    # then all three agree, and the pair found each other
    assert {k: v for k, v in ids.items() if v} == {
        k: tuple(c.id for c in v) for k, v in one_by_one.items()
    }
    assert {k: [c.id for c in v] for k, v in batched.items()} == {
        k: [c.id for c in v] for k, v in one_by_one.items()
    }
    assert [c.id for c in batched[second.id]] == [first.id]
