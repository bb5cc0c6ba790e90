"""Actions shown = actions allowed (issue 10): for every state a case can rest in and
every role, the steps the case page offers are exactly the steps the service accepts.
Separation of duties: nobody checks a result they recorded. And a case routed to a unit
without active staff reaches the dispatchers at once."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from gridgov.accounts import service as accounts
from gridgov.accounts import units
from gridgov.audit.service import Actor
from gridgov.cases import pages, permissions
from gridgov.cases import service as cases
from gridgov.cases.models import Case, CaseEvent, OutboxMessage
from gridgov.db import Database
from gridgov.errors import DomainError, Forbidden
from tests.cases.factories import make_cases_world, report
from tests.conftest import FIXED_NOW
from tests.factories import make_user

Walk = Callable[[Database, dict[str, Actor], int], None]


def _do(db: Database, case_id: int, step: str, actor: Actor, **kwargs: object) -> None:
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        getattr(cases, f"do_{step}")(session, actor=actor, case=case, now=FIXED_NOW, **kwargs)


def _worker(people: dict[str, Actor]) -> Actor:
    return people["chen.worker"]


# How to bring a fresh grid case (assigned to 青篮社区第1网格) to each state it can rest
# in. "verified" is passed through on the way to "closed", never rested in.
WALKS: dict[str, list[tuple[str, str, dict[str, object]]]] = {
    "assigned": [],
    "acknowledged": [("acknowledge", "chen.worker", {})],
    "in_progress": [("acknowledge", "chen.worker", {}), ("start", "chen.worker", {})],
    "in_progress+suspension": [
        ("acknowledge", "chen.worker", {}),
        ("start", "chen.worker", {}),
        ("request_suspension", "chen.worker", {"reason": "等产权方"}),
    ],
    "resolved": [("resolve", "chen.worker", {"note": "已清理"})],
    "closed": [
        ("resolve", "chen.worker", {"note": "已清理"}),
        ("verify", "wu.community", {"passed": True, "note": "ok"}),
    ],
    "escalated": [("escalate", "chen.worker", {"reason": "需社区协调"})],
    "returned": [("return", "chen.worker", {"reason": "不属于本网格"})],
    "suspended": [
        ("acknowledge", "chen.worker", {}),
        ("start", "chen.worker", {}),
        ("request_suspension", "chen.worker", {"reason": "等产权方"}),
        ("approve_suspension", "zhao.leader", {}),
    ],
    "rejected": [("return", "chen.worker", {"reason": "x"}), ("reject", "lin.dispatch", {})],
}
ROLES = (
    "lin.dispatch",
    "chen.worker",
    "other.worker",
    "wu.community",
    "he.street",
    "xu.dept",
    "zhao.leader",
    "ma.admin",
)


@pytest.fixture
def people(db: Database) -> dict[str, Actor]:
    found = make_cases_world(db)
    for username, role, scope in (
        ("other.worker", "grid_worker", "44051200100102"),
        ("ma.admin", "admin", "440512"),
    ):
        found[username] = accounts.actor_for(make_user(db, username, role, scope))
    return found


def _bring(db: Database, people: dict[str, Actor], state: str) -> int:
    if state in ("submitted", "accepted"):
        case = report(db, point=None)  # not located: waits for the dispatcher
        if state == "accepted":
            _do(db, case.id, "accept", people["lin.dispatch"])
        return case.id
    if state == "department":
        return report(db, category="C0102", text="路灯不亮了").id
    case = report(db)
    for step, who, extra in WALKS[state]:
        if step == "reject":
            extra = {"reason": "重复"}
        _do(db, case.id, step, people[who], **extra)
    return case.id


def _outcomes(
    db: Database, actor: Actor, case_id: int, other_id: int
) -> tuple[list[str], list[str]]:
    """(steps shown, steps that succeed), each step tried and rolled back."""
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        shown = permissions.allowed_steps(session, actor=actor, case=case)
        succeeded = []
        for step in permissions.STEPS:
            savepoint = session.begin_nested()
            try:
                pages.take_step(
                    session,
                    step=step,
                    actor=actor,
                    case=case,
                    now=FIXED_NOW,
                    tz="Asia/Shanghai",
                    note="处理说明",
                    reason="理由",
                    result="passed",
                    level="",
                    # A case in no grid is assigned to a department the dispatcher names
                    department="城市管理和综合执法局" if case.grid_code is None else "",
                    original=str(other_id),
                    category="",
                    assign=False,
                    photos=[],
                )
                succeeded.append(step)
            except DomainError:
                pass
            savepoint.rollback()
        session.rollback()
    return shown, succeeded


STATES = ("submitted", "accepted", "department", *WALKS)


@pytest.mark.parametrize("state", STATES)
def test_every_role_is_shown_exactly_the_steps_that_succeed(
    db: Database, people: dict[str, Actor], state: str
) -> None:
    # Given a case resting in the state, and another open case to merge into
    case_id = _bring(db, people, state)
    other_id = report(db, text="另一处垃圾没人清理", point=(116.715, 23.29)).id
    # When each role looks at the case page and then tries every step
    table = {who: _outcomes(db, people[who], case_id, other_id) for who in ROLES}
    # Then what each is shown is exactly what succeeds
    assert {who: shown for who, (shown, _) in table.items()} == {
        who: succeeded for who, (_, succeeded) in table.items()
    }
    # and every resting state offers the staff something, except the two ends (a closed
    # case is the reporter's to rate or contest)
    offered = {step for shown, _ in table.values() for step in shown}
    assert bool(offered) == (state not in ("rejected", "closed")), offered


def test_the_walk_covers_every_state_a_case_rests_in() -> None:
    from gridgov.cases.rules import State

    covered = {s.split("+")[0] for s in STATES if s != "department"}
    assert covered == {s.value for s in State} - {"verified"}


def test_nobody_checks_their_own_result(db: Database, people: dict[str, Actor]) -> None:
    # Given a dispatcher who resolved a case himself
    case_id = report(db).id
    _do(db, case_id, "resolve", people["lin.dispatch"], note="我亲自处理了")
    # Then he may not check it, and is not offered to; the grid's worker may
    with db.transaction() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert "verify" not in permissions.allowed_steps(
            session, actor=people["lin.dispatch"], case=case
        )
        with pytest.raises(Forbidden):
            cases.do_verify(
                session,
                actor=people["lin.dispatch"],
                case=case,
                passed=True,
                note="",
                now=FIXED_NOW,
            )
    _do(db, case_id, "verify", people["chen.worker"], passed=True, note="现场核实")
    with db.session() as session:
        kinds = [(e.kind, e.actor) for e in cases.timeline(session, session.get(Case, case_id))]  # type: ignore[arg-type]
    assert ("resolved", "lin.dispatch") in kinds
    assert ("verified", "chen.worker") in kinds


def test_a_case_routed_to_a_unit_without_staff_reaches_the_dispatchers_at_once(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given the bureau's only staff member leaves (their account is disabled)
    with db.transaction() as session:
        user = accounts.get_user_by_username(session, username="xu.dept")
        accounts.do_disable_user(session, actor=Actor.system("test"), user=user, now=FIXED_NOW)
    # When a street light is reported (a matter of the bureau)
    case = report(db, category="C0102", text="路灯不亮了好几天")
    # Then the case carries an internal flag and the dispatchers have a message now
    with db.session() as session:
        flags = session.scalars(
            select(CaseEvent.kind).where(
                CaseEvent.case_id == case.id, CaseEvent.kind == "unstaffed"
            )
        ).all()
        dispatcher_inbox = cases.inbox(session, actor=people["lin.dispatch"])
        street_inbox = cases.inbox(session, actor=people["he.street"])
    assert flags == ["unstaffed"]
    assert [m.case_id for m in dispatcher_inbox if "unstaffed" in m.dedupe_key] == [case.id]
    assert not [m for m in street_inbox if "unstaffed" in m.dedupe_key]


def test_a_staffed_unit_raises_no_flag(db: Database, people: dict[str, Actor]) -> None:
    case = report(db, category="C0102", text="路灯不亮了好几天")
    with db.session() as session:
        keys = session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.case_id == case.id)
        ).all()
    assert not [k for k in keys if k.startswith("unstaffed")]


def test_an_office_without_staff_is_flagged_and_one_account_clears_it(
    db: Database, people: dict[str, Actor]
) -> None:
    # Given 东湖社区 has no office account; a case there goes to the community
    first = report(db, point=(116.73, 23.29), text="楼道堆放杂物堵塞通道")
    with db.transaction() as session:
        case = session.get(Case, first.id)
        assert case is not None
        cases.do_escalate(
            session, actor=people["lin.dispatch"], case=case, reason="需社区处理", now=FIXED_NOW
        )
    with db.session() as session:
        assert (
            units.has_active_staff(session, organisation_id=None, region_code="440512002001")
            is False
        )
        keys = session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.case_id == first.id)
        ).all()
    assert [k for k in keys if k.startswith("unstaffed")]
