"""The demo's deliberation: four months in a small world, through the real services.

The world is the deliberation tests' village (青篮社区, two grids, its bodies seated,
party members and representatives) and, in 东湖社区 next door, foreign residents who
speak Korean, English, Japanese, Portuguese and Spanish and a Macau resident; a Macau
resident lives in each of the village's grids too. ``simulate`` finds the places by
what they hold: the village falls back to the first community, the international
community is the one with foreign residents, the election goes where there are two
grids."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from gridgov.accounts import service as accounts_service
from gridgov.accounts.models import User
from gridgov.cases.models import OutboxMessage
from gridgov.db import Database
from gridgov.deliberation import elections, notices
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import (
    Candidate,
    Comment,
    Discussion,
    Election,
    Implementation,
    Matter,
    Meeting,
    Notice,
    Proposal,
)
from gridgov.deliberation.rules import (
    CandidateState,
    ElectionState,
    MatterState,
    MeetingState,
    NoticeKind,
    NoticeState,
    ProposalState,
)
from gridgov.demo.deliberation import simulate
from gridgov.registry.models import Resident
from gridgov.registry.service import ResidentInput, cipher_of, new_resident, resident_problems
from tests.conftest import FIXED_NOW
from tests.deliberation.factories import (
    OTHER_COMMUNITY,
    OTHER_GRID,
    VILLAGE,
    VILLAGE_GRIDS,
    make_village,
)
from tests.factories import make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEWCOMERS = (
    # (name, document, number, nationality, language, grid)
    ("Kim Min-jun", "passport", "M48213907", "KOR", "ko", OTHER_GRID),
    ("Emily Brown", "passport", "538204117", "USA", "en", OTHER_GRID),
    ("Sato Yui", "passport", "TK4410932", "JPN", "ja", OTHER_GRID),
    ("Ana Silva", "passport", "FX552310", "BRA", "pt", OTHER_GRID),
    ("Lucía García", "passport", "PAA771204", "ESP", "es", OTHER_GRID),
    ("Ethan Tan", "passport", "E7712093K", "SGP", "en", OTHER_GRID),
    ("何嘉欣", "hk_macau_permit", "M30492817", "CHN", "zh-Hant", OTHER_GRID),
    ("梁志明", "hk_macau_permit", "M51837264", "CHN", "zh-Hant", VILLAGE_GRIDS[0]),
    ("区慧仪", "hk_macau_permit", "M62918305", "CHN", "zh-Hant", VILLAGE_GRIDS[1]),
)


@pytest.fixture(autouse=True)
def quick_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """The accounts the simulation makes get random passwords nobody uses: hash them
    cheaply here (argon2's defaults take a fifth of a second each)."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts_service, "_hasher", cheap)


def small_world(db: Database) -> None:
    make_village(db, households=12, minors=4, representatives=15, party_members=9, with_users=False)
    # the demo's own secretary and resident accounts, as the demo build makes them
    make_user(db, "demo-secretary", "branch_secretary", VILLAGE)
    make_user(db, "demo-resident", "resident", VILLAGE_GRIDS[0])
    with db.transaction() as session:
        cipher = cipher_of(session)
        for n, (name, document, number, nationality, language, grid) in enumerate(NEWCOMERS):
            value = ResidentInput(
                name=name,
                doc_type=document,
                id_number=number,
                birth_date=date(1979 + 2 * n, 1 + n, 10 + n),
                sex="female" if n % 2 else "male",
                nationality=nationality,
                language=language,
                grid_code=grid,
            )
            assert not resident_problems(value, today=FIXED_NOW.date())
            session.add(new_resident(cipher, value, household_id=None, now=FIXED_NOW))


SIMULATED: dict[str, dict[str, int]] = {}  # engine → what the simulation counted


def simulated_small_world(db: Database) -> None:
    """The small world and its four simulated months, built once per engine per session:
    the tests below only read what the simulation made."""
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    hasher = accounts_service._hasher
    accounts_service._hasher = cheap
    try:
        small_world(db)
        counts = simulate(db, rng=random.Random(7), now=FIXED_NOW, tz=SHANGHAI)
    finally:
        accounts_service._hasher = hasher
    SIMULATED[db.engine.dialect.name] = counts


pytestmark = [pytest.mark.prebuilt.with_args(simulated_small_world), pytest.mark.slow]


def run(db: Database) -> dict[str, int]:
    """The counts of the simulation whose result ``db`` is a copy of."""
    return SIMULATED[db.engine.dialect.name]


def test_a_village_matter_goes_through_four_deliberations_and_two_disclosures(
    db: Database,
) -> None:
    # Given the small world, when four months are simulated
    counts = run(db)
    with db.session() as session:
        matters = list(
            session.scalars(select(Matter).where(Matter.region_code == VILLAGE).order_by(Matter.id))
        )
        assert counts["matters"] == len(matters)
        # then one matter is completed,
        (done,) = [m for m in matters if m.state == MatterState.COMPLETED.value]
        steps = deliberation.matter_steps(session, done.id)
        # each of the four deliberations adopted at a meeting that had its quorum,
        held = [s for s in steps if s.meeting_id is not None]
        assert [s.stage_id for s in held] == ["proposal", "deliberation", "review", "decision"]
        for step in held:
            meeting = session.get(Meeting, step.meeting_id)
            assert meeting is not None
            assert meeting.quorum_met is True
            assert step.outcome == meeting.outcome == "adopted"
            assert "quorum" in deliberation.explanation_of(step.explanation)
        # both disclosures posted for their period and closed, each a step of the matter
        disclosed = {s.stage_id: s.notice_id for s in steps if s.notice_id is not None}
        assert list(disclosed) == ["resolution_disclosure", "result_disclosure"]
        for notice_id in disclosed.values():
            notice = session.get(Notice, notice_id)
            assert notice is not None
            assert notice.posted_at is not None
            assert notice.state == NoticeState.CLOSED.value
            assert notice.closed_at is not None
            assert (notice.closed_at - notice.posted_at).days >= notice.posting_days
        kinds = {session.get_one(Notice, n).kind for n in disclosed.values()}
        assert kinds == {NoticeKind.RESOLUTION.value, NoticeKind.RESULT.value}
        # with its implementation done, milestones dated and updates posted
        implementation = deliberation.implementation_of(session, done.id)
        assert implementation is not None
        assert implementation.progress == 100
        milestones = deliberation.milestones_of(session, implementation.id)
        assert len(milestones) >= 2
        assert all(m.done_on is not None for m in milestones)
        assert len(deliberation.implementation_updates(session, implementation.id)) >= 2


def test_the_other_village_matters_show_each_state(db: Database) -> None:
    run(db)
    with db.session() as session:
        matters = list(session.scalars(select(Matter).where(Matter.region_code == VILLAGE)))
        # One is rejected by the representatives' meeting: more than half of those
        # present against, and the chain ends there
        (rejected,) = [m for m in matters if m.state == MatterState.REJECTED.value]
        last = deliberation.matter_steps(session, rejected.id)[-1]
        assert (last.stage_id, last.outcome, last.next_stage_id) == ("decision", "rejected", None)
        meeting = session.get(Meeting, last.meeting_id)
        assert meeting is not None
        assert meeting.body == "villagers_representatives_meeting"
        assert meeting.quorum_met
        assert meeting.no * 2 > meeting.present
        # others are still open; one (一肩挑) waits for a meeting convened for next week
        waiting = [m for m in matters if m.state == MatterState.OPEN.value]
        assert any(m.one_person for m in waiting)
        convened = [
            meeting
            for m in waiting
            for meeting in deliberation.meetings_of(session, m.id)
            if meeting.state == MeetingState.CONVENED.value
        ]
        assert convened
        assert all(m.starts_at > FIXED_NOW for m in convened)
        # a villagers' meeting, if convened, was given its ten days' notice
        for meeting in convened:
            if meeting.body == "villagers_meeting":
                assert (meeting.starts_at - meeting.notified_at).days >= 9


def test_routine_disclosures_are_answered_and_one_is_overdue(db: Database) -> None:
    run(db)
    with db.session() as session:
        kinds = Counter(
            session.scalars(select(Notice.kind).where(Notice.region_code == VILLAGE)).all()
        )
        assert kinds[NoticeKind.FINANCES.value] >= 3
        assert kinds[NoticeKind.VILLAGE_AFFAIRS.value] >= 1
        objections = [
            o
            for notice in session.scalars(select(Notice).where(Notice.region_code == VILLAGE))
            for o in notices.objections_of(session, notice.id)
        ]
        assert objections
        assert all(o.answer and o.answered_at for o in objections)
        reminders = session.scalars(
            select(OutboxMessage.subject).where(
                OutboxMessage.dedupe_key.startswith(f"disclosure:{VILLAGE}:")
            )
        ).all()
        # the party-affairs disclosure is overdue, and the office reads it in words
        assert any("党务公开" in r and "逾期" in r for r in reminders)


def test_the_international_community_talks_in_many_languages_and_gets_answers(
    db: Database,
) -> None:
    counts = run(db)
    with db.session() as session:
        discussions = list(
            session.scalars(select(Discussion).where(Discussion.region_code == OTHER_COMMUNITY))
        )
        assert counts["discussions"] == len(discussions)
        assert len({d.language for d in discussions}) >= 4
        proposals = list(
            session.scalars(select(Proposal).where(Proposal.region_code == OTHER_COMMUNITY))
        )
        assert len({p.language for p in proposals}) >= 4
        # every proposal answered with a reason, except the spam held for review
        held = [p for p in proposals if p.held]
        assert len(held) == 1
        assert held[0].state == ProposalState.SUBMITTED.value
        answered = [p for p in proposals if not p.held]
        assert all(p.state != ProposalState.SUBMITTED.value and p.answer for p in answered)
        states = Counter(p.state for p in answered)
        assert states[ProposalState.ACCEPTED.value]
        assert states[ProposalState.NOT_ADOPTED.value]
        (merged,) = [p for p in answered if p.state == ProposalState.MERGED.value]
        target = session.get(Proposal, merged.merged_into_id)
        assert target is not None
        assert target.state == ProposalState.ACCEPTED.value
        # accepted proposals are governance actions with milestones and updates
        actions = list(
            session.scalars(
                select(Implementation).where(
                    Implementation.proposal_id.in_(
                        [p.id for p in answered if p.state == ProposalState.ACCEPTED.value]
                    )
                )
            )
        )
        assert len(actions) == states[ProposalState.ACCEPTED.value]
        for action in actions:
            assert deliberation.milestones_of(session, action.id)
            assert deliberation.implementation_updates(session, action.id)
        # a supervision comment on one, and a reported comment hidden with its reason
        supervision = session.scalars(
            select(Comment).where(
                Comment.supervision.is_(True), Comment.target_type == "implementation"
            )
        ).all()
        assert supervision
        assert supervision[0].target_id in {a.id for a in actions}
        hidden = session.scalars(select(Comment).where(Comment.hidden_reason.is_not(None))).all()
        assert len(hidden) == 1
        assert hidden[0].hidden_reason
        assert counts["comments"] == session.scalar(
            select(func.count(Comment.id)).where(Comment.supervision.is_(False))
        )


def test_the_representatives_election_is_counted_and_published(db: Database) -> None:
    counts = run(db)
    with db.session() as session:
        (election,) = session.scalars(select(Election)).all()
        assert election.state == ElectionState.PUBLISHED.value
        # run by the demo's branch secretary in their own community
        assert (election.region_code, election.created_by) == (VILLAGE, "demo-secretary")
        assert "include_macau_residents: true" in election.rules
        candidates = list(session.scalars(select(Candidate)))
        assert counts["candidates"] == len(candidates)
        # a Macau resident stands; one nominee is refused at review, with the reason
        stands = {c.resident_id for c in candidates if c.state == CandidateState.ELIGIBLE.value}
        macau = [
            c
            for c in candidates
            if c.resident_id in stands
            and elections.voter_of(session, session.get_one(Resident, c.resident_id)).macau_resident
        ]
        assert macau
        refused = [c for c in candidates if c.state == CandidateState.INELIGIBLE.value]
        assert len(refused) == 1
        assert elections.review_of(refused[0]).text()
        # every ballot counted; each constituency fills its seats, or says what is left
        assert counts["ballots"] == elections.receipts_count(session, election.id)
        result = json.loads(election.result)
        assert result["ballots"] == counts["ballots"]
        for item in result["constituencies"]:
            elected = [
                c for c in candidates if c.constituency_id == item["constituency"] and c.elected
            ]
            assert len(elected) == item["seats"] or item["runoff"] or item["unfilled"]
        # published as a notice whose objection window is still open
        notice = elections.result_notice(session, election.id)
        assert notice is not None
        assert notice.state == NoticeState.POSTED.value
        assert notice.objections_until is not None
        assert notice.objections_until > FIXED_NOW
        # the demo's resident account, linked to the register, voted online
        resident = session.scalars(select(User).where(User.username == "demo-resident")).one()
        assert resident.resident_id is not None
        assert elections.has_voted(session, election.id, resident.resident_id)
