"""Computing indicator trees from the platform's data, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation.models import Meeting
from gridgov.errors import Conflict, Forbidden, InvalidInput
from gridgov.indicators import service
from gridgov.indicators.models import IndicatorScore, IndicatorSnapshot
from tests.conftest import FIXED_NOW
from tests.indicators.factories import (
    GRID_1,
    GRID_2,
    GRID_3,
    OCTOBER,
    TZ,
    case_row,
    compute_october,
    insert_cases,
    make_indicators_world,
)

LEADER = Actor(username="zhao.leader", role="leader", scope="440512")
AUDITOR = Actor(username="qian.audit", role="auditor", scope="440512")
EARLY_NOVEMBER = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)  # October not yet settled


def _scores(db: Database, snapshot_id: int) -> dict[str, IndicatorScore]:
    with db.session() as session:
        rows = session.scalars(
            select(IndicatorScore).where(IndicatorScore.snapshot_id == snapshot_id)
        )
        return {row.unit: row for row in rows}


def test_three_rates_of_the_october_grids_match_the_hand_figures(db: Database) -> None:
    # given October's cases (tests/indicators/factories.py)
    make_indicators_world(db)
    # when the three-rate evaluation is computed
    scores = _scores(db, compute_october(db))
    # then grid 1 scores 30 × 3/4 + 35 × 2/4 + 35 × 2/3 = 22.5 + 17.5 + 23.3333
    assert scores[GRID_1].total == 63.3333
    assert json.loads(scores[GRID_1].detail)["leaves"]["response"] == [0.75, 22.5, ""]
    # grid 2 scores full marks, grid 3 (no cases) the league's mean of each leaf
    assert scores[GRID_2].total == 100
    assert json.loads(scores[GRID_3].detail)["leaves"]["response"] == [
        None,
        26.25,
        "no data: league mean",
    ]
    assert [scores[g].rank for g in (GRID_2, GRID_3, GRID_1)] == [1, 2, 3]
    assert (scores[GRID_2].band, scores[GRID_1].band) == ("green", "red")
    # and the department that handled grid 2's cases has its own league
    assert scores["D001"].league == "department"
    assert scores["D001"].total == 100
    # and the community adds its grids up: 5/6 responded, 4/6 resolved, 4/5 satisfied
    community = json.loads(scores["440512001001"].detail)["leaves"]
    assert [community[i][0] for i in ("response", "resolution", "satisfaction")] == [
        pytest.approx(5 / 6),
        pytest.approx(4 / 6),
        pytest.approx(4 / 5),
    ]


def test_org_strength_counts_members_per_household_by_region(db: Database) -> None:
    make_indicators_world(db)
    scores = _scores(db, compute_october(db, "org_strength"))
    # 6 members in 40 households = 15 per 100 (the most: full 8 points by min–max);
    # 2 in 20 and 1 in 10 = 10 per 100 (the least: 0 points)
    leaves = {g: json.loads(scores["P" + g].detail)["leaves"] for g in (GRID_1, GRID_2, GRID_3)}
    assert leaves[GRID_1]["members"][:2] == [15.0, 8.0]
    assert leaves[GRID_2]["members"][:2] == [10.0, 0.0]
    # one rework case in grid 1 deducts 0.2 of 4; an overdue case 0.5 of 4
    assert leaves[GRID_1]["rework"][:2] == [1.0, 3.8]
    assert leaves[GRID_1]["overdue"][:2] == [1.0, 3.5]
    # party organisations are ranked against their own level
    assert {scores[u].league for u in scores} == {
        "party_district",
        "party_community",
        "party_grid",
    }
    # unscored manual items count zero until confirmed
    assert leaves[GRID_1]["study"] == [None, 0.0, "no data: zero"]


def test_a_final_period_recomputes_to_the_same_numbers(db: Database) -> None:
    # given October computed after it settled (final)
    make_indicators_world(db)
    first = compute_october(db)
    with db.session() as session:
        snapshot = session.get(IndicatorSnapshot, first)
        assert snapshot is not None
        assert snapshot.final
        digest = snapshot.digest
    before = {u: s.total for u, s in _scores(db, first).items()}
    # when a late rating and another October case arrive, and October is computed again
    with db.transaction() as session:
        insert_cases(session, [case_row(GRID_3, rating="dissatisfied")])
    again = compute_october(db, now=datetime(2026, 12, 20, tzinfo=UTC))
    # then the stored numbers stand
    assert again == first
    assert {u: s.total for u, s in _scores(db, again).items()} == before
    with db.session() as session:
        assert session.get(IndicatorSnapshot, again).digest == digest  # type: ignore[union-attr]


def test_a_provisional_period_follows_the_data(db: Database) -> None:
    make_indicators_world(db)
    first = compute_october(db, now=EARLY_NOVEMBER)
    assert _scores(db, first)[GRID_3].rank == 2
    with db.transaction() as session:
        insert_cases(session, [case_row(GRID_3, rating="dissatisfied", state="closed")])
    again = compute_october(db, now=EARLY_NOVEMBER)
    scores = _scores(db, again)
    # grid 3 now has one case: responded and closed in time but rated dissatisfied
    assert scores[GRID_3].total == 30 + 0 + 0
    assert scores[GRID_3].rank == 3


def test_a_new_revision_with_other_weights_changes_the_ranking(db: Database) -> None:
    # given October ranked under 30/35/35: grid 3 (league means) above grid 1
    make_indicators_world(db)
    first = _scores(db, compute_october(db))
    assert first[GRID_3].rank < first[GRID_1].rank
    # when an administrator loads the tree with response weighing 80 and the others 10
    text = service.shipped_text("three_rates").replace("weight: 30", "weight: 80")
    text = text.replace("weight: 35", "weight: 10")
    with db.transaction() as session:
        row = service.do_load_tree(session, text=text, actor=LEADER, now=FIXED_NOW)
        assert row.revision == 2
        snapshot = service.compute(
            session, key="three_rates", period=OCTOBER, now=FIXED_NOW, actor=LEADER, tz=TZ
        )
        second_id = snapshot.id
    # then October is a new snapshot under revision 2 and the order follows the weights:
    # grid 1 = 80 × 0.75 + 10 × 0.5 + 10 × 2/3 = 71.6667; grid 3 = 70 + 7.5 + 8.3333
    second = _scores(db, second_id)
    assert compute_october(db) == second_id  # final: computing again returns it
    assert second[GRID_1].total == 71.6667
    assert second[GRID_3].total == 85.8333
    with db.session() as session:
        assert service.snapshot_for(session, "three_rates", OCTOBER).id == second_id  # type: ignore[union-attr]


def test_loading_the_same_text_twice_keeps_one_revision(db: Database) -> None:
    with db.transaction() as session:
        service.ensure_shipped(session, now=FIXED_NOW)
        again = service.do_load_tree(
            session, text=service.shipped_text("three_rates"), actor=LEADER, now=FIXED_NOW
        )
        assert again.revision == 1


def test_a_bad_tree_is_refused_naming_the_line(db: Database) -> None:
    text = service.shipped_text("three_rates").replace("metric: satisfaction_rate", "metric: joy")
    with db.transaction() as session, pytest.raises(InvalidInput) as caught:
        service.do_load_tree(session, text=text, actor=LEADER, now=FIXED_NOW)
    line = text.splitlines().index("    metric: joy") + 1
    assert caught.value.params["line"] == line
    assert "joy" in str(caught.value.params["reason"])


def test_movement_since_the_last_period(db: Database) -> None:
    # given September computed with no cases (everyone level) and then October
    make_indicators_world(db)
    with db.transaction() as session:
        service.ensure_shipped(session, now=FIXED_NOW)
        service.compute(
            session, key="three_rates", period="2026-09", now=FIXED_NOW, actor=LEADER, tz=TZ
        )
    scores = _scores(db, compute_october(db))
    # then grid 1, first equal in September, fell two places
    assert (scores[GRID_1].previous_rank, scores[GRID_1].rank) == (1, 3)


def test_manual_items_count_once_a_second_reviewer_confirms(db: Database) -> None:
    make_indicators_world(db)
    compute_october(db, "org_strength", now=EARLY_NOVEMBER)
    unit = "P" + GRID_1
    with db.transaction() as session:
        row = service.do_score(
            session,
            actor=LEADER,
            tree_key="org_strength",
            indicator_id="study",
            period=OCTOBER,
            unit=unit,
            points=8,
            evidence="十月支部党员大会、支委会记录与签到表",
            now=EARLY_NOVEMBER,
        )
        assessment_id = row.id
    # the scorer cannot confirm their own score
    with db.transaction() as session, pytest.raises(Conflict):
        service.do_review(
            session,
            actor=LEADER,
            assessment_id=assessment_id,
            confirm=True,
            note="",
            now=EARLY_NOVEMBER,
        )
    pending = _scores(db, compute_october(db, "org_strength", now=EARLY_NOVEMBER))
    assert json.loads(pending[unit].detail)["leaves"]["study"][1] == 0
    with db.transaction() as session:
        service.do_review(
            session,
            actor=AUDITOR,
            assessment_id=assessment_id,
            confirm=True,
            note="",
            now=EARLY_NOVEMBER,
        )
    confirmed = _scores(db, compute_october(db, "org_strength", now=EARLY_NOVEMBER))
    assert json.loads(confirmed[unit].detail)["leaves"]["study"][1] == 8
    assert confirmed[unit].total == pytest.approx(pending[unit].total + 8)
    with db.session() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("indicators.assessment%"))
                .order_by(AuditEvent.seq)
            )
        )
    assert actions == ["indicators.assessment_scored", "indicators.assessment_confirmed"]
    # a confirmed score stands
    with db.transaction() as session, pytest.raises(Conflict):
        service.do_score(
            session,
            actor=LEADER,
            tree_key="org_strength",
            indicator_id="study",
            period=OCTOBER,
            unit=unit,
            points=10,
            evidence="补充材料",
            now=EARLY_NOVEMBER,
        )


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"indicator_id": "members"}, InvalidInput),  # computed, not scored by hand
        ({"points": 11}, InvalidInput),  # above the item's weight of 10
        ({"evidence": "  "}, InvalidInput),
        ({"period": "2026-10-01"}, InvalidInput),
        ({"actor": Actor(username="li.worker", role="grid_worker", scope="440512")}, Forbidden),
        ({"actor": Actor(username="he.street", role="leader", scope="440512002")}, Forbidden),
    ],
)
def test_bad_scores_are_refused(
    db: Database, changes: dict[str, object], error: type[Exception]
) -> None:
    make_indicators_world(db)
    with db.transaction() as session:
        service.ensure_shipped(session, now=FIXED_NOW)
    arguments: dict[str, object] = {
        "actor": LEADER,
        "tree_key": "org_strength",
        "indicator_id": "study",
        "period": OCTOBER,
        "unit": "P" + GRID_1,
        "points": 8,
        "evidence": "会议记录",
        "now": FIXED_NOW,
    } | changes
    with db.transaction() as session, pytest.raises(error):
        service.do_score(session, **arguments)  # type: ignore[arg-type]


def test_computing_is_audited(db: Database) -> None:
    make_indicators_world(db)
    snapshot_id = compute_october(db)
    with db.session() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "indicators.computed")
        ).one()
        assert event.object_id == str(snapshot_id)
        assert session.scalar(select(func.count()).select_from(IndicatorScore)) == 3 + 2 + 2 + 1


def test_dashboard_counts_the_viewers_area(db: Database) -> None:
    make_indicators_world(db)
    with db.session() as session:
        whole = service.dashboard(session, scope="440512", now=FIXED_NOW, tz=TZ)
        east = service.dashboard(session, scope="440512002", now=FIXED_NOW, tz=TZ)
    # one October case is still in progress and past its due time
    assert (whole.open_cases, whole.overdue_cases) == (1, 1)
    assert (east.open_cases, east.overdue_cases) == (0, 0)
    october = dict(whole.trend)["2026-10"]
    assert october is not None
    assert (october.assigned, october.closed) == (6, 5)
    assert whole.most_overdue == [(GRID_1, "青篮社区第1网格", 1)]


def test_a_final_period_takes_no_more_assessments(db: Database) -> None:
    # given October computed after it settled
    make_indicators_world(db)
    compute_october(db, "org_strength")
    # when a reviewer scores one of its manual items
    with db.transaction() as session, pytest.raises(Conflict) as caught:
        service.do_score(
            session,
            actor=LEADER,
            tree_key="org_strength",
            indicator_id="study",
            period=OCTOBER,
            unit="P" + GRID_1,
            points=8,
            evidence="会议记录",
            now=FIXED_NOW,
        )
    # then it is refused: the published numbers stand
    assert caught.value.params == {"period": OCTOBER}


def test_meetings_held_feed_participation_and_quorum(db: Database) -> None:
    # given two October meetings of 青篮社区: its party members' meeting (7 of 9 present,
    # quorate) and a council meeting that closed without a quorum
    make_indicators_world(db)
    held = datetime(2026, 10, 20, 11, 30, tzinfo=UTC)
    with db.transaction() as session:
        session.execute(
            insert(Meeting),
            [
                {
                    "region_code": "440512001001",
                    "body": body,
                    "title": title,
                    "notified_at": held - timedelta(days=3),
                    "starts_at": held,
                    "voting": "show_of_hands",
                    "state": state,
                    "members": members,
                    "present": present,
                    "quorum_met": quorate,
                    "clerk": "wu.community",
                    "created_at": held - timedelta(days=3),
                }
                for body, title, state, members, present, quorate in (
                    ("party_members_meeting", "十月党员大会", "decided", 9, 7, True),
                    ("deliberation_council", "十月议事会", "no_quorum", 11, 4, False),
                )
            ],
        )
    # when the organisational-strength index is computed for October
    scores = _scores(db, compute_october(db, "org_strength"))
    # then the community's party committee has 7/9 attendance (of a 0.8 target) and
    # one of two meetings quorate
    leaves = json.loads(scores["P440512001001"].detail)["leaves"]
    assert leaves["participation"][:2] == [pytest.approx(7 / 9), round(5 * (7 / 9) / 0.8, 4)]
    assert leaves["quorum"][:2] == [0.5, 1.5]
    # and where no unit of a league held a meeting, the "mean" rule has nothing to average
    # and gives every branch the full weight rather than ranking them on nothing
    assert json.loads(scores["P" + GRID_1].detail)["leaves"]["quorum"][1:] == [3.0, "no data: full"]
