"""Crisis mode against the database: check-ins inside the scope only, anonymisation
after the retention period, broadcasts once per household in its language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.cases.clocks import VERIFICATION
from gridgov.cases.holidays import calendar_for
from gridgov.cases.models import Case, OutboxMessage
from gridgov.crisis import broadcasts, checkins, field, service
from gridgov.crisis import sweep as crisis_sweep
from gridgov.crisis.models import BroadcastDelivery, HouseholdCheckin, Incident
from gridgov.crisis.rules import Block
from gridgov.db import Database
from gridgov.errors import Forbidden, NotFound
from tests.cases.factories import make_cases_world, report
from tests.conftest import FIXED_NOW
from tests.crisis.factories import (
    COMMUNITY,
    GRID_1,
    add_delivery_task,
    make_world,
    open_typhoon,
)
from tests.factories import make_user

SYSTEM = Actor.system("test")


def test_opening_an_incident_lists_every_household_of_its_area_vulnerable_first(
    db: Database,
) -> None:
    # given the register of 青篮社区 (five households) and 东湖社区 (one)
    world = make_world(db)
    # when the leader opens a typhoon incident over 青篮社区
    incident_id = open_typhoon(db, world)
    # then its five households are on the list, the most vulnerable first
    with db.session() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        rows = checkins.list_checkins(session, incident=incident, viewer=SYSTEM)
        numbers = {world.households[n]: n for n in world.households}
        assert [numbers[r.household_id] for r in rows][:3] == ["QL-005", "QL-001", "QL-003"]
        assert {numbers[r.household_id] for r in rows} == {
            "QL-001",
            "QL-002",
            "QL-003",
            "QL-004",
            "QL-005",
        }
        assert rows[0].flags == "chronic_illness,disability"


def test_a_check_in_outside_the_worker_scope_or_the_incident_is_refused(db: Database) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        # when the worker of grid 2 records a household of grid 1: not found
        with pytest.raises(NotFound):
            checkins.do_checkin(
                session,
                actor=world.worker_2,
                incident=incident,
                household_id=world.households["QL-001"],
                status="safe",
                now=FIXED_NOW,
            )
        # and a household outside the incident's area: not found for anyone
        with pytest.raises(NotFound):
            checkins.do_checkin(
                session,
                actor=world.leader,
                incident=incident,
                household_id=world.households["DH-001"],
                status="safe",
                now=FIXED_NOW,
            )
        # and the worker of the other community cannot even see the incident
        with pytest.raises(NotFound):
            service.get_incident(session, incident_id=incident_id, viewer=world.outsider)
        # while the grid-1 worker records their own household
        checkin = checkins.do_checkin(
            session,
            actor=world.worker_1,
            incident=incident,
            household_id=world.households["QL-001"],
            status="needs_help",
            needs=["medicine", "food"],
            now=FIXED_NOW,
        )
        assert (checkin.status, checkin.needs, checkin.version) == (
            "needs_help",
            "food,medicine",
            2,
        )
    with db.session() as session:
        refused = session.scalar(
            select(func.count())
            .select_from(HouseholdCheckin)
            .where(
                HouseholdCheckin.household_id == world.households["QL-001"],
                HouseholdCheckin.status == "needs_help",
            )
        )
        assert refused == 1


def test_a_check_in_on_a_stale_version_is_a_conflict_not_an_overwrite(db: Database) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    household = world.households["QL-004"]
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        checkins.do_checkin(
            session,
            actor=world.worker_2,
            incident=incident,
            household_id=household,
            status="absent",
            base_version=1,
            now=FIXED_NOW,
        )
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        with pytest.raises(checkins.CheckinConflict) as raised:
            checkins.do_checkin(
                session,
                actor=world.leader,
                incident=incident,
                household_id=household,
                status="safe",
                base_version=1,
                now=FIXED_NOW,
            )
        assert raised.value.server["status"] == "absent"
        assert raised.value.server["version"] == 2


def test_only_command_staff_open_incidents(db: Database) -> None:
    world = make_world(db)
    with db.transaction() as session, pytest.raises(Forbidden):
        service.do_open_incident(
            session,
            actor=world.worker_1,
            value=service.IncidentInput(
                title="x", kind="fire", level="level_iv", region_code=GRID_1, area_codes=(GRID_1,)
            ),
            now=FIXED_NOW,
        )


def test_sensitive_flags_are_anonymised_after_the_retention_period(db: Database) -> None:
    # given an incident with flagged households and a note, closed on day 0, kept 30 days
    world = make_world(db)
    incident_id = open_typhoon(db, world, retention_days=30)
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        checkins.do_checkin(
            session,
            actor=world.worker_1,
            incident=incident,
            household_id=world.households["QL-003"],
            status="needs_help",
            needs=["medical"],
            note="孕32周，需要产检",
            now=FIXED_NOW,
        )
        service.do_close_incident(session, actor=world.leader, incident=incident, now=FIXED_NOW)
    # when the sweep runs on day 29: nothing is erased
    with db.transaction() as session:
        early = crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(days=29))
    assert early.anonymised == 0
    with db.session() as session:
        kept = session.scalars(select(HouseholdCheckin.flags).where(HouseholdCheckin.flags != ""))
        assert sorted(kept) == ["chronic_illness,disability", "elderly_alone", "pregnant"]
    # and when it runs on day 30: every flag and note is gone, the statuses stay
    with db.transaction() as session:
        late = crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(days=30))
    assert late.anonymised == 5
    with db.session() as session:
        rows = list(session.scalars(select(HouseholdCheckin)))
        assert {(r.flags, r.note, r.anonymised) for r in rows} == {("", "", True)}
        assert sorted(r.status for r in rows).count("needs_help") == 1
    # and a second sweep changes nothing more
    with db.transaction() as session:
        assert crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(days=31)).anonymised == 0


def test_unreached_households_escalate_once_after_the_set_hours(db: Database) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world, unreached_hours=6)
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        checkins.do_checkin(
            session,
            actor=world.worker_1,
            incident=incident,
            household_id=world.households["QL-001"],
            status="safe",
            now=FIXED_NOW,
        )
    with db.transaction() as session:
        assert (
            crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(hours=5)).unreached_escalated == 0
        )
    with db.transaction() as session:
        assert (
            crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(hours=6)).unreached_escalated == 4
        )
    with db.transaction() as session:
        assert (
            crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(hours=7)).unreached_escalated == 0
        )
    with db.session() as session:
        notices = list(
            session.scalars(
                select(OutboxMessage.recipient).where(
                    OutboxMessage.dedupe_key.startswith("crisis:unreached")
                )
            )
        )
        assert notices == [f"unit:{COMMUNITY}"]


def test_an_overdue_task_escalates_one_level_per_sweep(db: Database) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    task_id = add_delivery_task(db, world, incident_id)
    for hours, level in ((3, "community"), (4, "street"), (5, "street")):
        with db.transaction() as session:
            crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(hours=hours))
        with db.session() as session:
            assert service.get_task(session, task_id=task_id, viewer=SYSTEM).level == level


def _blocks() -> list[Block]:
    return [
        Block("zh-Hans", "台风红色预警", "请立即转移到安置点。"),
        Block("zh-Hant", "颱風紅色預警", "請立即轉移到安置點。"),
        Block("en", "Typhoon red alert", "Move to the shelter now."),
        Block("ko", "태풍 적색 경보", "지금 대피소로 이동하십시오."),
        Block("ja", "台風赤色警報", "今すぐ避難所へ移動してください。"),
        Block("vi", "Cảnh báo bão đỏ", "Hãy di chuyển đến nơi trú ẩn ngay."),
    ]


def test_a_broadcast_reaches_each_household_once_in_its_language_with_a_fallback(
    db: Database,
) -> None:
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        broadcast = broadcasts.do_create_broadcast(
            session,
            actor=world.leader,
            incident=incident,
            region_code="440512001",
            area_codes=[COMMUNITY],
            severity="alert",
            fallback_language="zh-Hans",
            blocks=_blocks(),
            now=FIXED_NOW,
        )
        sent = broadcasts.do_send_broadcast(
            session, actor=world.leader, broadcast=broadcast, now=FIXED_NOW
        )
        broadcast_id = broadcast.id
    assert sent == 5
    with db.session() as session:
        rows = {
            r.household_id: (r.language, r.channel)
            for r in session.scalars(select(BroadcastDelivery))
        }
    h = world.households
    assert rows == {
        h["QL-001"]: ("zh-Hans", "sms"),  # no language given: the fallback
        h["QL-002"]: ("ko", "sms"),
        h["QL-003"]: ("vi", "chat"),  # vi-VN, no phone: the grid's chat group
        h["QL-004"]: ("zh-Hans", "sms"),  # French is not among the blocks: the fallback
        h["QL-005"]: ("zh-Hans", "chat"),
    }
    # when it is sent again: refused, and nobody gets it twice
    with db.transaction() as session:
        again = broadcasts.get_broadcast(session, broadcast_id=broadcast_id, viewer=world.leader)
        with pytest.raises(Exception, match="sent already"):
            broadcasts.do_send_broadcast(
                session, actor=world.leader, broadcast=again, now=FIXED_NOW
            )
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(BroadcastDelivery)) == 5
        subjects = sorted(
            session.scalars(
                select(OutboxMessage.subject).where(
                    OutboxMessage.dedupe_key.startswith("broadcast:")
                )
            )
        )
        # one SMS per household with a phone, one chat post per (group, language)
        assert subjects.count("태풍 적색 경보") == 1
        assert subjects.count("Cảnh báo bão đỏ") == 1
        assert subjects.count("台风红色预警") == 3  # two SMS, one post in grid 2


def test_the_households_a_broadcast_missed_go_first_on_the_check_in_list(db: Database) -> None:
    from gridgov.cases import sweep as cases_sweep
    from gridgov.cases.sweep import RecordingChannel

    world = make_world(db)
    incident_id = open_typhoon(db, world)
    with db.transaction() as session:
        incident = session.get(Incident, incident_id)
        broadcast = broadcasts.do_create_broadcast(
            session,
            actor=world.leader,
            incident=incident,
            region_code="440512001",
            area_codes=[COMMUNITY],
            severity="alert",
            fallback_language="zh-Hans",
            blocks=_blocks(),
            now=FIXED_NOW,
        )
        broadcasts.do_send_broadcast(
            session, actor=world.leader, broadcast=broadcast, now=FIXED_NOW
        )
        broadcast_id = broadcast.id
    # given SMS is delivered but the chat bridge is down
    recording = RecordingChannel()
    cases_sweep.deliver(db, channels={"sms": recording}, now=FIXED_NOW + timedelta(minutes=1))
    with db.transaction() as session:
        broadcast = broadcasts.get_broadcast(session, broadcast_id=broadcast_id, viewer=SYSTEM)
        assert broadcasts.do_refresh_receipts(session, broadcast=broadcast, now=FIXED_NOW) == 3
        assert broadcasts.do_mark_read(
            session, broadcast=broadcast, household_id=world.households["QL-002"], now=FIXED_NOW
        )
        missed = broadcasts.not_reached(session, broadcast=broadcast, viewer=world.leader)
        assert {m.household_id for m in missed} == {
            world.households["QL-003"],
            world.households["QL-005"],
        }
        assert (
            broadcasts.do_feed_checkins(
                session, actor=world.leader, broadcast=broadcast, now=FIXED_NOW
            )
            == 2
        )
        counts = broadcasts.receipt_counts(session, broadcast=broadcast, viewer=world.leader)
        assert counts["ko"] == {"read": 1}
    with db.session() as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        rows = checkins.list_checkins(session, incident=incident, viewer=world.worker_1)
        assert [r.household_id for r in rows if r.missed_broadcast] == [world.households["QL-003"]]


def test_an_overdue_task_notice_is_text_for_a_person(db: Database) -> None:
    # given a supply delivery due two hours into a typhoon
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    add_delivery_task(db, world, incident_id)
    # when the sweep runs after the deadline
    with db.transaction() as session:
        crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(hours=3))
    # then the community reads Chinese words and a link, not codes
    with db.session() as session:
        subject, body = session.execute(
            select(OutboxMessage.subject, OutboxMessage.body).where(
                OutboxMessage.dedupe_key.startswith("crisis:task:")
            )
        ).one()
    assert "物资配送" in subject
    assert "supply_delivery" not in subject + body
    assert f"/crisis/{incident_id}" in body
    assert "逾期" in subject or "超过" in body
    # and the grid is named, not given as its code
    assert "青篮社区第2网格" in body
    assert "44051200100102" not in body


def test_the_community_office_works_the_task_that_escalates_to_it(db: Database) -> None:
    # given a delivery task in grid 2, past its deadline, and the community office's staff
    world = make_world(db)
    incident_id = open_typhoon(db, world)
    office = accounts.actor_for(make_user(db, "he.office", "unit_staff", COMMUNITY))
    task_id = add_delivery_task(db, world, incident_id)
    # when the sweep escalates it to the community, whose office is told
    with db.transaction() as session:
        crisis_sweep.sweep(session, now=FIXED_NOW + timedelta(hours=3))
    # then the office's staff may take it and finish it, in their area
    with db.transaction() as session:
        task = service.get_task(session, task_id=task_id, viewer=office)
        assert task.level == "community"
        service.do_move_task(
            session, actor=office, task=task, target="done", now=FIXED_NOW + timedelta(hours=4)
        )
    with db.session() as session:
        assert service.get_task(session, task_id=task_id, viewer=SYSTEM).state == "done"


def test_a_case_resolved_offline_counts_the_check_in_the_offices_zone(db: Database) -> None:
    # Given a case routed to a grid worker, and an office in London on a Friday evening
    # that is already Saturday in Shanghai
    people = make_cases_world(db)
    case = report(db)
    friday = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)
    worker = people["chen.worker"]
    # When the worker's resolve, made offline, arrives
    with db.transaction() as session:
        user_id = accounts.get_user_by_username(session, username="chen.worker").id
        field.do_sync_case_step(
            session,
            actor=worker,
            user_id=user_id,
            key="k-step-resolve-0001",
            case_id=case.id,
            step="resolve",
            note="已清理",
            base_version=case.version,
            now=friday,
            tz="Europe/London",
        )
    # Then the on-the-spot check is due by London's working days
    with db.session() as session:
        due = session.scalars(select(Case.verification_due_at).where(Case.id == case.id)).one()
        london = calendar_for(session, "Europe/London").due(friday, *VERIFICATION).at
    assert due == london
