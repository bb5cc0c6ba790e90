"""Matters, meetings, votes and implementation records against the database, on both
engines: quorum and decision by the 四议两公开 template, the chain of stages, rosters,
sign-in, show of hands, roll call and secret ballots under concurrent requests, audit,
and the whole chain to both disclosures."""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select, update

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import notices
from gridgov.deliberation import service as svc
from gridgov.deliberation.models import (
    BallotReceipt,
    Implementation,
    Matter,
    MatterStep,
    Meeting,
    MeetingMember,
    MeetingVote,
    Notice,
    SecretBallot,
)
from gridgov.deliberation.rules import (
    MatterState,
    MeetingState,
    NoticeKind,
    NoticeState,
    Roster,
    Voting,
)
from gridgov.errors import Conflict, Forbidden, NotFound
from tests.conftest import FIXED_NOW
from tests.deliberation.factories import VILLAGE, Village, make_village

NOW = FIXED_NOW
CLERK = Actor(username="dl_clerk", role="unit_staff", scope=VILLAGE)
SECRETARY = Actor(username="dl_secretary", role="branch_secretary", scope=VILLAGE)
OUTSIDER = Actor(username="dl_outsider", role="branch_secretary", scope="440512002001")


@pytest.fixture
def village(db: Database) -> Village:
    return make_village(db, with_users=False)


def open_matter(db: Database, *, one_person: bool = False, title: str = "修缮村道") -> int:
    with db.transaction() as session:
        matter = svc.do_open_matter(
            session,
            actor=SECRETARY,
            region_code=VILLAGE,
            title=title,
            description="村东道路硬化 1.2 公里",
            one_person=one_person,
            now=NOW,
        )
        return matter.id


def put_at_stage(db: Database, matter_id: int, stage_id: str) -> None:
    """Test setup only: place a matter at a later stage without its earlier meetings."""
    with db.transaction() as session:
        session.execute(update(Matter).where(Matter.id == matter_id).values(stage_id=stage_id))


def convene(
    db: Database,
    matter_id: int,
    *,
    voting: str = Voting.SHOW_OF_HANDS.value,
    body: str | None = None,
    notice_days: int = 11,
    now: datetime = NOW,
) -> int:
    with db.transaction() as session:
        meeting = svc.do_convene(
            session,
            actor=CLERK,
            matter_id=matter_id,
            notified_at=now - timedelta(days=notice_days),
            starts_at=now - timedelta(hours=1),
            voting=voting,
            body=body,
            now=now,
        )
        return meeting.id


def member_ids(db: Database, meeting_id: int) -> list[int]:
    with db.transaction() as session:
        return [m.id for m in svc.members_of(session, meeting_id)]


def sign_in(db: Database, meeting_id: int, count: int, now: datetime = NOW) -> list[int]:
    ids = member_ids(db, meeting_id)[:count]
    with db.transaction() as session:
        for member_id in ids:
            svc.do_sign_in(
                session, actor=CLERK, meeting_id=meeting_id, member_id=member_id, now=now
            )
    return ids


def hands(db: Database, meeting_id: int, yes: int, no: int, abstain: int = 0) -> None:
    with db.transaction() as session:
        svc.do_record_totals(
            session, actor=CLERK, meeting_id=meeting_id, yes=yes, no=no, abstain=abstain, now=NOW
        )


def close(db: Database, meeting_id: int, *, returned: bool = False, now: datetime = NOW) -> Meeting:
    with db.transaction() as session:
        return svc.do_close_meeting(
            session, actor=CLERK, meeting_id=meeting_id, now=now, returned=returned
        )


def matter_of(db: Database, matter_id: int) -> Matter:
    with db.transaction() as session:
        matter = session.get(Matter, matter_id)
        assert matter is not None
        return matter


def hold(db: Database, matter_id: int, present: int, yes: int) -> Meeting:
    """A meeting of the matter's current stage: ``present`` signed in, ``yes`` hands up."""
    meeting_id = convene(db, matter_id)
    sign_in(db, meeting_id, present)
    hands(db, meeting_id, yes=yes, no=present - yes)
    return close(db, meeting_id)


def audit_actions(db: Database) -> Counter[str]:
    with db.transaction() as session:
        return Counter(session.scalars(select(AuditEvent.action)))


# -- quorum and decision ------------------------------------------------------------


def test_a_representatives_meeting_without_two_thirds_present_cannot_decide(
    db: Database, village: Village
) -> None:
    # given a matter at the decision stage and the 45 representatives convened
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "decision")
    meeting_id = convene(db, matter_id)
    with db.transaction() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.members == len(village.representative_ids) == 45
        # rules.decide refuses a tally without quorum: the same rule the close applies
        live = svc.live_count(session, meeting)
        assert not live.quorum.passed

    # when 29 sign in (29 × 3 < 2 × 45) and the meeting is closed
    sign_in(db, meeting_id, 29)
    hands(db, meeting_id, yes=29, no=0)
    closed = close(db, meeting_id)

    # then it ends without a quorum, decides nothing, and the matter stays at its stage
    assert closed.state == MeetingState.NO_QUORUM.value
    assert closed.quorum_met is False
    assert closed.outcome is None
    assert closed.present == 29
    explanation = json.loads(closed.explanation)
    assert explanation["quorum"]["params"]["present"] == 29
    assert explanation["quorum"]["params"]["members"] == 45
    assert "decision" not in explanation
    matter = matter_of(db, matter_id)
    assert matter.stage_id == "decision"
    assert matter.state == MatterState.OPEN.value
    with db.transaction() as session:
        assert svc.matter_steps(session, matter_id) == []
        from gridgov.deliberation import rules

        stage = svc.held_stage(session, closed)
        with pytest.raises(Conflict):
            rules.decide(stage, rules.Tally(members=45, present=29, yes=29))

    # and a new meeting may be convened: with 30 present (30 × 3 = 2 × 45) it decides
    again = hold(db, matter_id, present=30, yes=16)
    assert again.quorum_met is True
    assert again.state == MeetingState.DECIDED.value


def test_with_a_quorum_exactly_half_in_favour_fails_and_a_rejected_stage_ends_the_chain(
    db: Database, village: Village
) -> None:
    # given a matter at the decision stage
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "decision")

    # when 30 of 45 are present and 15 (exactly half) vote for it
    meeting = hold(db, matter_id, present=30, yes=15)

    # then it is not adopted, the chain ends and nothing is implemented or disclosed
    assert meeting.outcome == "rejected"
    matter = matter_of(db, matter_id)
    assert matter.state == MatterState.REJECTED.value
    assert matter.stage_id is None
    with db.transaction() as session:
        steps = svc.matter_steps(session, matter_id)
        assert [(s.stage_id, s.outcome, s.next_stage_id) for s in steps] == [
            ("decision", "rejected", None)
        ]
        assert json.loads(steps[0].explanation)["decision"]["params"]["yes"] == 15
        assert session.scalar(select(func.count(Implementation.id))) == 0
        assert session.scalar(select(func.count(Notice.id))) == 0
    with db.transaction() as session, pytest.raises(Conflict):
        svc.do_convene(
            session,
            actor=CLERK,
            matter_id=matter_id,
            notified_at=NOW - timedelta(days=1),
            starts_at=NOW,
            now=NOW,
        )


def test_with_a_quorum_more_than_half_in_favour_adopts(db: Database, village: Village) -> None:
    # given a matter at the decision stage
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "decision")

    # when 30 are present and 16 vote for it
    meeting = hold(db, matter_id, present=30, yes=16)

    # then it is adopted: implementation record opened, resolution notice drafted
    assert meeting.outcome == "adopted"
    matter = matter_of(db, matter_id)
    assert matter.stage_id == "resolution_disclosure"
    with db.transaction() as session:
        implementation = session.scalars(
            select(Implementation).where(Implementation.matter_id == matter_id)
        ).one()
        assert implementation.state == "not_started"
        notice = session.scalars(select(Notice).where(Notice.matter_id == matter_id)).one()
        assert notice.kind == NoticeKind.RESOLUTION.value
        assert notice.state == NoticeState.DRAFT.value
        step = svc.matter_steps(session, matter_id)[0]
        decision = json.loads(step.explanation)["decision"]
        assert decision["params"] == {
            "yes": 16,
            "present": 30,
            "symbol": ">",
            "fraction": "1/2",
        }


def test_returned_goes_back_to_the_stage_the_template_names(db: Database, village: Village) -> None:
    # given a matter at the review stage (Party members' meeting, 15 members)
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "review")
    meeting_id = convene(db, matter_id)
    sign_in(db, meeting_id, 12)

    # when the meeting sends it back for revision
    closed = close(db, meeting_id, returned=True)

    # then it goes back to the two committees' deliberation
    assert closed.outcome == "returned"
    assert matter_of(db, matter_id).stage_id == "deliberation"


def test_one_person_chair_merges_the_first_two_stages(db: Database, village: Village) -> None:
    # when a matter is opened with and without 一肩挑
    plain = open_matter(db, title="普通议题")
    merged = open_matter(db, one_person=True, title="一肩挑议题")

    # then the plain one starts at the proposal, the merged one at the deliberation
    assert matter_of(db, plain).stage_id == "proposal"
    assert matter_of(db, merged).stage_id == "deliberation"
    with db.transaction() as session:
        matter = session.get(Matter, merged)
        assert matter is not None
        stage = svc.current_stage(session, matter)
        assert stage is not None
        assert stage.merged_from == ("proposal",)
        # the two committees (8 people) hold it, and adoption leads to the review
    meeting = hold(db, merged, present=8, yes=8)
    assert meeting.members == len(village.two_committees)
    assert matter_of(db, merged).stage_id == "review"


def test_the_villagers_meeting_needs_ten_days_notice_and_counts_adults_and_households(
    db: Database, village: Village
) -> None:
    # given a matter at the decision stage, held by the villagers' meeting instead
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "decision")

    # when notice was given nine days ago, the meeting is refused
    with pytest.raises(Conflict) as refused:
        convene(db, matter_id, body="villagers_meeting", notice_days=9)
    assert refused.value.params["days"] == 10

    # when ten days ago, it is convened; minors and other communities are not on the roster
    meeting_id = convene(db, matter_id, body="villagers_meeting", notice_days=10)
    with db.transaction() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert meeting.body == "villagers_meeting"
        assert meeting.members == len(village.adult_ids)
        assert meeting.households_total == len(village.household_ids)
        roster = {m.resident_id for m in svc.members_of(session, meeting_id)}
        assert roster == set(village.adult_ids)
        assert not roster & {*village.minor_ids, village.outsider_id}

    # then the householders of 17 households (≥ 2/3 of 25) make a quorum on their own
    with db.transaction() as session:
        by_resident = {m.resident_id: m.id for m in svc.members_of(session, meeting_id)}
        for resident_id in village.householder_ids[:17]:
            svc.do_sign_in(
                session,
                actor=CLERK,
                meeting_id=meeting_id,
                member_id=by_resident[resident_id],
                now=NOW,
            )
    hands(db, meeting_id, yes=17, no=0)
    closed = close(db, meeting_id)
    assert closed.quorum_met is True
    assert closed.households_represented == 17
    assert closed.outcome == "adopted"


def test_rosters_of_each_body(db: Database, village: Village) -> None:
    with db.transaction() as session:
        day = NOW.date()

        def ids(roster: Roster) -> set[int | None]:
            return {e.resident_id for e in svc.roster_of(session, roster, VILLAGE, day)}

        assert ids(Roster.PARTY_MEMBERS) == set(village.party_member_ids)
        assert ids(Roster.REPRESENTATIVES) == set(village.representative_ids)
        assert ids(Roster.BRANCH_COMMITTEE_MEMBERS) == set(village.bodies["branch_committee"])
        assert ids(Roster.TWO_COMMITTEES_MEMBERS) == set(village.two_committees)
        assert ids(Roster.COUNCIL_MEMBERS) == set(village.bodies["deliberation_council"])
        households = svc.roster_of(session, Roster.HOUSEHOLDS, VILLAGE, day)
        assert [e.resident_id for e in households] == village.householder_ids
    assert svc.adult_cutoff(date(2028, 2, 29)) == date(2010, 2, 28)


def test_outside_the_scope_nothing_is_found_and_a_reader_may_not_run(
    db: Database, village: Village
) -> None:
    matter_id = open_matter(db)
    with db.transaction() as session, pytest.raises(NotFound):
        svc.get_matter(session, matter_id=matter_id, viewer=OUTSIDER)
    auditor = Actor(username="dl_supervisor", role="auditor", scope=VILLAGE)
    with db.transaction() as session, pytest.raises(Forbidden):
        svc.do_open_matter(
            session, actor=auditor, region_code=VILLAGE, title="x", description="", now=NOW
        )


# -- sign-in ------------------------------------------------------------------------


def test_signing_in_twice_counts_once_and_is_audited_once(db: Database, village: Village) -> None:
    # given a convened meeting of the Party members
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "review")
    meeting_id = convene(db, matter_id)
    first = member_ids(db, meeting_id)[0]
    before = audit_actions(db)["deliberation.signed_in"]

    # when the clerk taps the same member twice
    for _ in range(2):
        with db.transaction() as session:
            svc.do_sign_in(session, actor=CLERK, meeting_id=meeting_id, member_id=first, now=NOW)

    # then one sign-in is counted and audited
    with db.transaction() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert svc.attendance(session, meeting).present == 1
    assert audit_actions(db)["deliberation.signed_in"] == before + 1


def test_proxies_only_where_the_stage_allows_and_no_sign_in_after_the_decision(
    db: Database, village: Village
) -> None:
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "review")
    meeting_id = convene(db, matter_id)
    holder, absent = member_ids(db, meeting_id)[:2]
    sign_in(db, meeting_id, 1)
    # the 四议两公开 template allows no proxies at the Party members' meeting
    with db.transaction() as session, pytest.raises(Conflict):
        svc.do_sign_in(
            session,
            actor=CLERK,
            meeting_id=meeting_id,
            member_id=absent,
            proxy_holder_id=holder,
            now=NOW,
        )
    sign_in(db, meeting_id, 12)
    close(db, meeting_id)
    late = member_ids(db, meeting_id)[14]
    with db.transaction() as session, pytest.raises(Conflict):
        svc.do_sign_in(session, actor=CLERK, meeting_id=meeting_id, member_id=late, now=NOW)


# -- votes --------------------------------------------------------------------------


def test_a_roll_call_tally_equals_the_stored_votes(db: Database, village: Village) -> None:
    # given the Party members' meeting voting by roll call, 12 of 15 present
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "review")
    meeting_id = convene(db, matter_id, voting=Voting.ROLL_CALL.value)
    present = sign_in(db, meeting_id, 12)
    choices = ["yes"] * 7 + ["no"] * 3 + ["abstain"] * 2

    # when each present member's vote is recorded
    with db.transaction() as session:
        for member_id, choice in zip(present, choices, strict=True):
            svc.do_record_vote(
                session,
                actor=CLERK,
                meeting_id=meeting_id,
                member_id=member_id,
                choice=choice,
                now=NOW,
            )
    # an absent member cannot vote
    absent = member_ids(db, meeting_id)[13]
    with db.transaction() as session, pytest.raises(Conflict):
        svc.do_record_vote(
            session, actor=CLERK, meeting_id=meeting_id, member_id=absent, choice="yes", now=NOW
        )
    closed = close(db, meeting_id)

    # then the totals are counted from the rows
    with db.transaction() as session:
        stored = Counter(
            session.scalars(select(MeetingVote.choice).where(MeetingVote.meeting_id == meeting_id))
        )
    assert (closed.yes, closed.no, closed.abstain) == (
        stored["yes"],
        stored["no"],
        stored["abstain"],
    )
    assert closed.outcome == "adopted"  # 7 of 12 > 1/2 of 12
    actions = audit_actions(db)
    assert actions["deliberation.vote_recorded"] == 12
    assert actions["deliberation.meeting_decided"] == 1
    assert actions["deliberation.matter_step"] == 1


def _race(db: Database, count: int, action: object) -> Counter[str]:
    barrier = threading.Barrier(count)
    results: Counter[str] = Counter()
    lock = threading.Lock()

    def worker() -> None:
        barrier.wait()
        outcome = "stored"
        try:
            with db.transaction() as session:
                action(session)  # type: ignore[operator]
        except Conflict:
            outcome = "conflict"
        except Exception as exc:
            outcome = f"error: {type(exc).__name__}: {exc}"
        with lock:
            results[outcome] += 1

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_hundred_concurrent_duplicate_votes_store_one(db: Database, village: Village) -> None:
    # given a roll call with one member present
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "review")
    meeting_id = convene(db, matter_id, voting=Voting.ROLL_CALL.value)
    (member_id,) = sign_in(db, meeting_id, 1)

    # when 100 requests record that member's vote at once, each in its own session
    results = _race(
        db,
        100,
        lambda session: svc.do_record_vote(
            session,
            actor=CLERK,
            meeting_id=meeting_id,
            member_id=member_id,
            choice="yes",
            now=NOW,
        ),
    )

    # then exactly one is stored and the others are told the member already voted
    assert results == Counter({"stored": 1, "conflict": 99})
    with db.transaction() as session:
        assert (
            session.scalar(
                select(func.count(MeetingVote.id)).where(MeetingVote.meeting_id == meeting_id)
            )
            == 1
        )
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        assert svc.counted_votes(session, meeting) == (1, 0, 0)
    assert audit_actions(db)["deliberation.vote_recorded"] == 1


def test_concurrent_duplicate_secret_ballots_store_one_unlinked_ballot(
    db: Database, village: Village
) -> None:
    # given a secret ballot at the Party members' meeting, 12 present
    matter_id = open_matter(db)
    put_at_stage(db, matter_id, "review")
    meeting_id = convene(db, matter_id, voting=Voting.SECRET_BALLOT.value)
    present = sign_in(db, meeting_id, 12)

    # when the first member's ballot is sent 30 times at once
    results = _race(
        db,
        30,
        lambda session: svc.do_cast_ballot(
            session,
            actor=CLERK,
            meeting_id=meeting_id,
            member_id=present[0],
            choice="no",
            now=NOW,
        ),
    )
    assert results == Counter({"stored": 1, "conflict": 29})
    # and the others vote
    with db.transaction() as session:
        for member_id in present[1:]:
            svc.do_cast_ballot(
                session,
                actor=CLERK,
                meeting_id=meeting_id,
                member_id=member_id,
                choice="yes",
                now=NOW,
            )
    closed = close(db, meeting_id)

    # then the tally equals the ballots, and no ballot column names a voter or a time
    with db.transaction() as session:
        box = svc.ballot_box(meeting_id)
        ballots = Counter(
            session.scalars(select(SecretBallot.choices).where(SecretBallot.box == box))
        )
        receipts = session.scalars(select(BallotReceipt).where(BallotReceipt.box == box)).all()
        columns = {c["name"] for c in inspect(session.connection()).get_columns("secret_ballot")}
        ballot_ids = sorted(session.scalars(select(SecretBallot.id).where(SecretBallot.box == box)))
        cast = session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "deliberation.ballot_cast")
        ).all()
    assert (closed.yes, closed.no) == (ballots["yes"], ballots["no"]) == (11, 1)
    assert len(receipts) == 12 == sum(ballots.values())
    assert columns == {"id", "box", "choices"}
    assert ballot_ids != sorted(r.id for r in receipts)  # ids do not follow the receipts
    assert all(id_ >= 2**30 for id_ in ballot_ids)
    assert len(cast) == 12
    assert not any('"no"' in s or '"yes"' in s for s in cast)


# -- implementation, supervision and the whole chain --------------------------------


def test_the_whole_chain_from_proposal_to_both_disclosures(db: Database, village: Village) -> None:
    # given a matter proposed by the branch
    matter_id = open_matter(db)

    # when each of the four deliberations adopts it
    assert hold(db, matter_id, present=5, yes=3).outcome == "adopted"  # branch committee
    assert matter_of(db, matter_id).stage_id == "deliberation"
    assert hold(db, matter_id, present=8, yes=6).outcome == "adopted"  # two committees
    assert hold(db, matter_id, present=10, yes=6).outcome == "adopted"  # Party members
    assert hold(db, matter_id, present=31, yes=17).outcome == "adopted"  # representatives
    matter = matter_of(db, matter_id)
    assert matter.stage_id == "resolution_disclosure"

    # and the resolution notice is posted and closed after its seven days
    with db.transaction() as session:
        resolution = session.scalars(select(Notice).where(Notice.matter_id == matter_id)).one()
        notices.do_post(session, actor=SECRETARY, notice_id=resolution.id, now=NOW)
    with db.transaction() as session, pytest.raises(Conflict):
        notices.do_close(
            session, actor=SECRETARY, notice_id=resolution.id, now=NOW + timedelta(days=6)
        )
    later = NOW + timedelta(days=7)
    with db.transaction() as session:
        notices.do_close(session, actor=SECRETARY, notice_id=resolution.id, now=later)
    # then the matter waits at the result disclosure for the implementation
    assert matter_of(db, matter_id).stage_id == "result_disclosure"
    with db.transaction() as session:
        assert session.scalar(select(func.count(Notice.id))) == 1
        implementation = session.scalars(
            select(Implementation).where(Implementation.matter_id == matter_id)
        ).one()
        milestone = svc.do_add_milestone(
            session,
            actor=CLERK,
            implementation_id=implementation.id,
            title="路基完成",
            due_on=date(2026, 12, 5),
            now=later,
        )
        svc.do_post_update(
            session,
            actor=CLERK,
            implementation_id=implementation.id,
            text="开工",
            progress=30,
            now=later,
        )
        implementation_id, milestone_id = implementation.id, milestone.id

    # the supervision committee sees the overdue milestone
    auditor = Actor(username="dl_supervisor", role="auditor", scope=VILLAGE)
    with db.transaction() as session:
        view = svc.supervision_view(session, viewer=auditor, today=date(2026, 12, 10))
        assert [m.id for m, _ in view.overdue] == [milestone_id]
        assert [m.id for m, _ in view.disclosures_due] == [matter_id]
        with pytest.raises(Conflict):  # open milestones: not done yet
            svc.do_complete_implementation(
                session, actor=CLERK, implementation_id=implementation_id, now=later
            )
    done_at = NOW + timedelta(days=12)
    with db.transaction() as session:
        svc.do_mark_milestone_done(
            session,
            actor=CLERK,
            milestone_id=milestone_id,
            done_on=date(2026, 12, 11),
            now=done_at,
        )
        svc.do_complete_implementation(
            session, actor=CLERK, implementation_id=implementation_id, now=done_at
        )
        result = session.scalars(
            select(Notice).where(Notice.matter_id == matter_id, Notice.kind == "result")
        ).one()
        notices.do_post(session, actor=SECRETARY, notice_id=result.id, now=done_at)
    with db.transaction() as session:
        notices.do_close(
            session, actor=SECRETARY, notice_id=result.id, now=done_at + timedelta(days=7)
        )

    # then the matter is completed with one step per stage
    matter = matter_of(db, matter_id)
    assert matter.state == MatterState.COMPLETED.value
    assert matter.stage_id is None
    with db.transaction() as session:
        steps = session.scalars(
            select(MatterStep).where(MatterStep.matter_id == matter_id).order_by(MatterStep.id)
        ).all()
        assert [(s.stage_id, s.outcome) for s in steps] == [
            ("proposal", "adopted"),
            ("deliberation", "adopted"),
            ("review", "adopted"),
            ("decision", "adopted"),
            ("resolution_disclosure", "adopted"),
            ("result_disclosure", "adopted"),
        ]
        assert steps[4].notice_id == resolution.id
        assert steps[5].notice_id == result.id
        signed = session.scalar(
            select(func.count(MeetingMember.id)).where(MeetingMember.signed_in_at.is_not(None))
        )
    actions = audit_actions(db)
    assert actions["deliberation.signed_in"] == signed == 5 + 8 + 10 + 31
    assert actions["deliberation.meeting_decided"] == 4
    assert actions["deliberation.matter_step"] == 6
