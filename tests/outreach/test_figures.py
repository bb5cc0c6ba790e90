"""Pairings', volunteers' and programme tasks' figures in the indicator trees, on both
engines: what each provider counts for a month by region code, the rates of the
organisational-strength tree, and one query per provider whatever the rows."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.indicators import service as indicators
from gridgov.indicators.formulas import evaluate_formula
from gridgov.indicators.kinds import BUILT_IN_DERIVED
from gridgov.indicators.models import IndicatorScore
from gridgov.indicators.rules import PeriodKind, parse_period
from gridgov.metrics import Window
from gridgov.outreach import public as outreach
from gridgov.outreach.models import (
    JointActivity,
    Pairing,
    Programme,
    Project,
    ProjectTask,
    VolunteerActivity,
    VolunteerSignup,
    VolunteerTeam,
)
from gridgov.registry import service as registry
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import mainland_id, make_territory
from tests.querycount import count_queries

QINGLAN = "440512001001"
DONGHU = "440512002001"
GRID = "44051200100101"
TZ = ZoneInfo("Asia/Shanghai")
METRICS = (*outreach.PAIRING_COUNTS, *outreach.VOLUNTEER_COUNTS, *outreach.TASK_COUNTS)


def _organisations(db: Database) -> list[int]:
    with db.transaction() as session:
        return list(
            session.execute(
                insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
                [
                    {
                        "code": f"PD00{n}",
                        "name": f"区直机关第{n}党支部",
                        "kind": "party_branch",
                        "region_code": "440512",
                        "macau_funded": False,
                        "note": "",
                    }
                    for n in range(1, 4)
                ],
            ).scalars()
        )


def _residents(db: Database) -> list[int]:
    with db.transaction() as session:
        return [
            registry.do_create_resident(
                session,
                actor=Actor.system(),
                value=registry.ResidentInput(
                    name=name, doc_type="mainland_id", id_number=number, grid_code=GRID
                ),
                now=FIXED_NOW,
            ).id
            for name, number in (
                ("陈志愿", mainland_id("19800101", "011")),
                ("林热心", mainland_id("19900202", "022")),
                ("王缺席", mainland_id("19700303", "033")),
            )
        ]


@pytest.fixture
def world(db: Database) -> None:
    """Three pairings, three volunteer activities around the October/November
    midnight in Shanghai, and a project of 青篮 with six tasks."""
    make_territory(db)
    branches = _organisations(db)
    chen, lin, wang = _residents(db)
    with db.transaction() as session:
        pairings = _pairings(session, branches)
        session.execute(
            insert(JointActivity),
            [
                _activity(pairings[0], date(2026, 10, 10), 2),
                _activity(pairings[0], date(2026, 11, 3), 1),
                _activity(pairings[0], date(2026, 11, 30), 0),
                _activity(pairings[2], date(2026, 10, 31), 4),
            ],
        )
        team = session.execute(
            insert(VolunteerTeam).returning(VolunteerTeam.id),
            [
                {
                    "region_code": QINGLAN,
                    "name": "青篮志愿队",
                    "created_by": "t",
                    "created_at": FIXED_NOW,
                }
            ],
        ).scalar_one()
        activities = list(
            session.execute(
                insert(VolunteerActivity).returning(
                    VolunteerActivity.id, sort_by_parameter_order=True
                ),
                [
                    # 14 Nov 09:00, 1 Nov 00:30 and 31 Oct 23:00 in Shanghai
                    _volunteering(team, datetime(2026, 11, 14, 1, tzinfo=UTC)),
                    _volunteering(team, datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),
                    _volunteering(team, datetime(2026, 10, 31, 15, tzinfo=UTC)),
                ],
            ).scalars()
        )
        session.execute(
            insert(VolunteerSignup),
            [
                _signup(activities[0], chen, 120),
                _signup(activities[0], lin, 90),
                _signup(activities[0], wang, 0),  # signed up, never came
                _signup(activities[1], chen, 60),
                _signup(activities[2], lin, 30),
            ],
        )
        _tasks(session, branches[0])


def _pairings(session: object, branches: list[int]) -> list[int]:
    rows = [
        (branches[0], QINGLAN, date(2026, 9, 1)),
        (branches[1], QINGLAN, date(2026, 11, 20)),
        (branches[2], DONGHU, date(2026, 10, 5)),
    ]
    return list(
        session.execute(  # type: ignore[attr-defined]
            insert(Pairing).returning(Pairing.id, sort_by_parameter_order=True),
            [
                {
                    "branch_id": branch,
                    "region_code": code,
                    "agreement": "",
                    "signed_on": signed,
                    "created_at": FIXED_NOW,
                }
                for branch, code, signed in rows
            ],
        ).scalars()
    )


def _activity(pairing: int, held_on: date, solved: int) -> dict[str, object]:
    return {
        "pairing_id": pairing,
        "held_on": held_on,
        "title": "联建活动",
        "participants": 10,
        "problems_solved": solved,
        "recorded_by": "t",
        "created_at": FIXED_NOW,
    }


def _volunteering(team: int, starts_at: datetime) -> dict[str, object]:
    return {
        "team_id": team,
        "region_code": QINGLAN,
        "title": "清洁家园",
        "place": "青篮广场",
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=3),
        "capacity": 20,
        "credit_minutes": 180,
        "created_by": "t",
        "created_at": FIXED_NOW,
    }


def _signup(activity: int, resident: int, minutes: int) -> dict[str, object]:
    return {
        "activity_id": activity,
        "resident_id": resident,
        "signed_up_by": "t",
        "signed_up_at": FIXED_NOW,
        "minutes": minutes,
    }


def _tasks(session: object, owner: int) -> None:
    programme = session.execute(  # type: ignore[attr-defined]
        insert(Programme).returning(Programme.id),
        [{"region_code": "440512", "name": "1+6+9", "created_by": "t", "created_at": FIXED_NOW}],
    ).scalar_one()
    project = session.execute(  # type: ignore[attr-defined]
        insert(Project).returning(Project.id),
        [
            {
                "programme_id": programme,
                "region_code": QINGLAN,
                "name": "红色物业",
                "owner_org_id": owner,
                "budget_fen": 0,
                "starts_on": date(2026, 9, 1),
                "ends_on": date(2026, 12, 31),
                "created_by": "t",
                "created_at": FIXED_NOW,
            }
        ],
    ).scalar_one()
    session.execute(  # type: ignore[attr-defined]
        insert(ProjectTask),
        [
            _task(project, owner, date(2026, 11, 5), "done", date(2026, 11, 4)),  # on time
            _task(project, owner, date(2026, 11, 10), "done", date(2026, 11, 20)),  # late
            _task(project, owner, date(2026, 11, 12), "in_progress", None),  # overdue
            _task(project, owner, date(2026, 11, 30), "planned", None),  # due today
            _task(project, owner, date(2026, 11, 15), "cancelled", None),  # not counted
            _task(project, owner, date(2026, 10, 20), "done", date(2026, 11, 2)),  # October's
        ],
    )


def _task(
    project: int, owner: int, due_on: date, status: str, done_on: date | None
) -> dict[str, object]:
    return {
        "project_id": project,
        "region_code": QINGLAN,
        "title": "入户走访",
        "owner_org_id": owner,
        "due_on": due_on,
        "status": status,
        "progress": 100 if status == "done" else 0,
        "done_on": done_on,
        "updated_by": "t",
        "updated_at": FIXED_NOW,
    }


def _month(db: Database, key: str) -> indicators.Counts:
    start, end = parse_period(PeriodKind.MONTH, key).bounds(TZ)
    with db.session() as session:
        return indicators.count(
            session, [*METRICS, "residents", "volunteers"], start=start, end=end, now=FIXED_NOW
        )


def test_november_counts_pairings_volunteer_hours_and_tasks_by_region(
    db: Database, world: None
) -> None:
    # When November is counted on 30 November (the month still running)
    counts = _month(db, "2026-11").by_region
    qinglan, donghu = counts[QINGLAN], counts[DONGHU]
    # Then 青篮 has both its pairings (one signed on 20 November), two joint activities
    # held in November and the one problem they solved; 东湖 its pairing, nothing held
    assert (qinglan["pairings"], qinglan["joint_activities"], qinglan["problems_solved"]) == (
        2,
        2,
        1,
    )
    assert (donghu["pairings"], donghu["joint_activities"], donghu["problems_solved"]) == (1, 0, 0)
    # and 4.5 volunteer hours (120 + 90 + 60 minutes, the 00:30 activity of 1 November
    # included) by two people: the one who never came is not active
    assert qinglan["volunteer_hours"] == pytest.approx(4.5)
    assert qinglan["active_volunteers"] == 2
    # counted in the grid the volunteers live in, not only the team's community
    assert counts[GRID]["volunteer_hours"] == pytest.approx(4.5)
    # and of the four tasks due (the cancelled one aside), one done on time and one
    # overdue today; the one due today is not yet
    assert (qinglan["tasks_due"], qinglan["tasks_done_on_time"], qinglan["tasks_overdue"]) == (
        4,
        1,
        1,
    )
    # and the district adds its communities up
    assert counts["440512"]["pairings"] == 3
    # and the rates of the tree follow: 1 activity per pairing, 150 hours per 100 residents
    rates = {
        metric: evaluate_formula(BUILT_IN_DERIVED[metric], qinglan)
        for metric in (
            "joint_activities_per_pairing",
            "problems_solved_per_pairing",
            "volunteer_hours_per_100_residents",
            "volunteer_hours_per_active_volunteer",
            "task_completion_rate",
            "task_overdue_rate",
        )
    }
    assert rates == pytest.approx(
        {
            "joint_activities_per_pairing": 1.0,
            "problems_solved_per_pairing": 0.5,
            "volunteer_hours_per_100_residents": 150.0,
            "volunteer_hours_per_active_volunteer": 2.25,
            "task_completion_rate": 0.25,
            "task_overdue_rate": 0.25,
        }
    )


def test_october_is_counted_as_it_ended(db: Database, world: None) -> None:
    counts = _month(db, "2026-10").by_region
    qinglan, donghu = counts[QINGLAN], counts[DONGHU]
    # the pairing signed in November is not October's; the 31 October activity is
    assert (qinglan["pairings"], qinglan["joint_activities"], qinglan["problems_solved"]) == (
        1,
        1,
        2,
    )
    assert (donghu["pairings"], donghu["joint_activities"], donghu["problems_solved"]) == (1, 1, 4)
    # the 23:00 activity of 31 October is October's: half an hour by one person
    assert (qinglan["volunteer_hours"], qinglan["active_volunteers"]) == (0.5, 1)
    # the task due 20 October was done only on 2 November: overdue on 31 October
    assert (qinglan["tasks_due"], qinglan["tasks_done_on_time"], qinglan["tasks_overdue"]) == (
        1,
        0,
        1,
    )


def test_the_org_strength_tree_scores_the_new_leaves(db: Database, world: None) -> None:
    # Given 青篮's party committee
    with db.transaction() as session:
        session.execute(
            insert(Organisation),
            [
                {
                    "code": "PQL",
                    "name": "青篮社区党委",
                    "kind": "party_committee",
                    "region_code": QINGLAN,
                    "macau_funded": False,
                    "note": "",
                }
            ],
        )
    # When November's organisational-strength index is computed
    with db.transaction() as session:
        snapshot = indicators.compute(
            session,
            key="org_strength",
            period="2026-11",
            now=FIXED_NOW,
            actor=Actor.system("test"),
            tz=TZ,
        )
        row = session.scalars(
            select(IndicatorScore).where(
                IndicatorScore.snapshot_id == snapshot.id, IndicatorScore.unit == "PQL"
            )
        ).one()
        leaves = json.loads(row.detail)["leaves"]
    # Then its scorecard carries the pairing, volunteer and task leaves with their values
    assert leaves["pairing_activities"][:2] == [1.0, 5.0]  # a target of one a month
    assert leaves["task_completion"][0] == pytest.approx(0.25)
    assert leaves["task_overdue"][:2] == [0.25, 0.6]  # over 0.1, not over 0.25: 0.3 of 2
    assert leaves["volunteer_hours"][0] == pytest.approx(150.0)


def test_each_provider_runs_one_query_per_table_whatever_the_rows(
    db: Database, world: None
) -> None:
    start, end = parse_period(PeriodKind.MONTH, "2026-11").bounds(TZ)
    window = Window(start=start, end=end, now=FIXED_NOW)
    providers = (outreach.pairing_counts, outreach.volunteer_counts, outreach.task_counts)

    def queries() -> list[int]:
        with db.session() as session:
            numbers = []
            for provider in providers:
                with count_queries(db) as counted:
                    provider(session, METRICS, window)
                numbers.append(counted.count)
            return numbers

    before = queries()
    # When ninety more activities, sign-ups and tasks exist
    with db.transaction() as session:
        pairing = session.scalar(select(Pairing.id).limit(1))
        project = session.scalar(select(Project.id).limit(1))
        owner = session.scalar(select(Project.owner_org_id).limit(1))
        team = session.scalar(select(VolunteerTeam.id).limit(1))
        resident = session.scalar(select(VolunteerSignup.resident_id).limit(1))
        assert None not in (pairing, project, owner, team, resident)
        session.execute(
            insert(JointActivity),
            [_activity(pairing, date(2026, 11, 1 + n % 28), 1) for n in range(90)],  # type: ignore[arg-type]
        )
        extra = list(
            session.execute(
                insert(VolunteerActivity).returning(VolunteerActivity.id),
                [
                    _volunteering(team, datetime(2026, 11, 2, 1, tzinfo=UTC) + timedelta(hours=n))  # type: ignore[arg-type]
                    for n in range(90)
                ],
            ).scalars()
        )
        session.execute(insert(VolunteerSignup), [_signup(a, resident, 60) for a in extra])  # type: ignore[arg-type]
        session.execute(
            insert(ProjectTask),
            [_task(project, owner, date(2026, 11, 1 + n % 28), "planned", None) for n in range(90)],  # type: ignore[arg-type]
        )
    # Then each provider runs as many queries as before
    assert queries() == before
    assert before == [2, 1, 1]
