"""Elections of deliberation representatives: eligibility as data, nomination and review,
one secret vote per eligible voter even under concurrent requests, counting with the
election's tie rule, and the result published as a notice with an objection window."""

from __future__ import annotations

import itertools
import json
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import elections, rules
from gridgov.deliberation import service as deliberation_service
from gridgov.deliberation.models import (
    BallotReceipt,
    Candidate,
    Election,
    Notice,
    SecretBallot,
)
from gridgov.deliberation.rules import CandidateState, ElectionState, NoticeState, TieBreak
from gridgov.errors import Conflict, Forbidden, InvalidInput
from gridgov.registry.models import Resident
from gridgov.registry.service import ResidentInput, cipher_of, new_resident, resident_problems
from tests.conftest import FIXED_NOW
from tests.deliberation.factories import (
    OTHER_GRID,
    VILLAGE,
    VILLAGE_GRIDS,
    Village,
    make_village,
)

SECRETARY = Actor(username="dl_secretary", role="branch_secretary", scope=VILLAGE)
OUTSIDER = Actor(username="dl_outsider", role="branch_secretary", scope="440512002001")
ADMIN = Actor(username="dl_admin", role="admin", scope="440512")
CLERK = Actor(username="dl_clerk", role="unit_staff", scope=VILLAGE)
OPENS = FIXED_NOW - timedelta(hours=1)
CLOSES = FIXED_NOW + timedelta(hours=8)
AFTER = CLOSES + timedelta(minutes=1)
CREATED = FIXED_NOW - timedelta(days=10)

OPEN_RULES = """\
eligibility:
  min_age: 18
  residence_in_region: true
  include_macau_residents: %(macau)s
  include_foreign_residents: false
tie_break: %(tie)s
"""


def open_rules(tie: str = "lot", macau: bool = False) -> str:
    return OPEN_RULES % {"tie": tie, "macau": "true" if macau else "false"}


def voter(resident_id: int) -> Actor:
    return Actor(username=f"voter{resident_id}", role="resident", scope=VILLAGE)


def add_resident(
    db: Database,
    *,
    name: str,
    born: date,
    grid: str,
    doc_type: str,
    number: str,
    nationality: str = "CHN",
) -> int:
    with db.transaction() as session:
        value = ResidentInput(
            name=name,
            doc_type=doc_type,
            id_number=number,
            birth_date=born,
            nationality=nationality,
            grid_code=grid,
        )
        assert resident_problems(value, today=FIXED_NOW.date()) == []
        row = new_resident(cipher_of(session), value, household_id=None, now=CREATED)
        session.add(row)
        session.flush()
        return row.id


@dataclass
class World:
    election_id: int
    first: int  # constituency of grid 1 (1 seat)
    second: int  # constituency of grid 2 (2 seats)
    grid1_adults: list[int]
    grid2_adults: list[int]
    outsider_id: int
    minor_ids: list[int]


def residents_in(db: Database, ids: Sequence[int], grid: str) -> list[int]:
    with db.session() as session:
        return [
            r.id
            for r in session.scalars(
                select(Resident).where(Resident.id.in_(ids)).order_by(Resident.id)
            )
            if r.grid_code == grid
        ]


def make_election(
    db: Database,
    *,
    rules_yaml: str | None = None,
    households: int = 6,
    village: Village | None = None,
    title: str = "青篮社区议事代表选举",
) -> World:
    built = village or make_village(
        db, households=households, minors=2, representatives=4, party_members=2
    )
    with db.transaction() as session:
        election = elections.do_create_election(
            session,
            actor=SECRETARY,
            draft=elections.ElectionDraft(
                region_code=VILLAGE,
                title=title,
                constituencies=[
                    ("第一选区", VILLAGE_GRIDS[0], 1),
                    ("第二选区", VILLAGE_GRIDS[1], 2),
                ],
                voting_opens_at=OPENS,
                voting_closes_at=CLOSES,
            ),
            rules_yaml=rules_yaml,
            now=CREATED,
        )
        first, second = elections.constituencies_of(session, election.id)
        election_id, first_id, second_id = election.id, first.id, second.id
    adults: list[int] = built.adult_ids
    return World(
        election_id=election_id,
        first=first_id,
        second=second_id,
        grid1_adults=residents_in(db, adults, VILLAGE_GRIDS[0]),
        grid2_adults=residents_in(db, adults, VILLAGE_GRIDS[1]),
        outsider_id=built.outsider_id,
        minor_ids=list(built.minor_ids),
    )


def nominate(
    db: Database, world: World, constituency: int, resident_id: int, actor: Actor = SECRETARY
) -> int:
    with db.transaction() as session:
        candidate = elections.do_nominate(
            session,
            actor=actor,
            election_id=world.election_id,
            constituency_id=constituency,
            resident_id=resident_id,
            statement="我愿为社区服务。",
            now=CREATED,
        )
        return candidate.id


def open_voting(db: Database, world: World) -> None:
    with db.transaction() as session:
        elections.do_open_review(
            session, actor=SECRETARY, election_id=world.election_id, now=CREATED
        )
    with db.transaction() as session:
        elections.do_open_voting(
            session, actor=SECRETARY, election_id=world.election_id, now=CREATED
        )


def vote(db: Database, world: World, resident_id: int, choices: Sequence[int]) -> None:
    with db.transaction() as session:
        elections.do_vote(
            session,
            actor=voter(resident_id),
            election_id=world.election_id,
            resident_id=resident_id,
            choices=choices,
            now=FIXED_NOW,
        )


def count(db: Database, world: World) -> dict[str, Any]:
    with db.transaction() as session:
        election = elections.do_count(
            session, actor=SECRETARY, election_id=world.election_id, now=AFTER
        )
        result = elections.result_of(election)
    assert result is not None
    return result


def candidate_row(db: Database, candidate_id: int) -> Candidate:
    with db.session() as session:
        row = session.get(Candidate, candidate_id)
        assert row is not None
        return row


def _village_draft(
    title: str, constituencies: list[tuple[str, str, int]]
) -> elections.ElectionDraft:
    """An election of the village with these constituencies, voting from OPENS to CLOSES."""
    return elections.ElectionDraft(
        region_code=VILLAGE,
        title=title,
        constituencies=constituencies,
        voting_opens_at=OPENS,
        voting_closes_at=CLOSES,
    )


# --------------------------------------------------------------------------- pure


def test_the_state_machine_refuses_skipping_a_step() -> None:
    # Given each state, then only the next step of the chain is allowed
    chain = list(ElectionState)
    for current, following in itertools.pairwise(chain):
        assert elections.transition(current, following) is following
    # when nominations would go straight to voting, then it is refused
    with pytest.raises(Conflict):
        elections.transition(ElectionState.NOMINATION, ElectionState.VOTING)
    with pytest.raises(Conflict):
        elections.transition(ElectionState.PUBLISHED, ElectionState.COUNTED)


def test_rules_written_back_read_the_same() -> None:
    # Given the shipped community council's election section
    shipped = rules.load_procedure(
        deliberation_service.shipped_template("community_council")
    ).election
    assert shipped is not None
    # when written back as YAML and read again, then nothing changed
    assert rules.load_election_rules(elections.rules_text(shipped)) == shipped


# --------------------------------------------------------------------------- creating


def test_an_election_takes_its_rules_from_the_template_or_its_own(db: Database) -> None:
    # Given an election created without rules
    world = make_election(db)
    with db.session() as session:
        election = elections.get_election(session, world.election_id)
        stored = elections.rules_of(election)
        lines = [line.text() for line in elections.rules_in_words(stored, "青篮社区")]
    # then it has the community council template's election section
    shipped = rules.load_procedure(
        deliberation_service.shipped_template("community_council")
    ).election
    assert stored == shipped
    assert f"Voters and candidates are {shipped.eligibility.min_age} or older" in lines[0]
    # and given an election with its own rules, then those are kept
    with db.transaction() as session:
        own = elections.do_create_election(
            session,
            actor=SECRETARY,
            draft=_village_draft("横琴式选举", [("全社区", VILLAGE, 3)]),
            rules_yaml=open_rules("older_first", macau=True),
            now=CREATED,
        )
        assert elections.rules_of(own).eligibility.include_macau_residents is True
        assert elections.rules_of(own).tie_break is TieBreak.OLDER_FIRST


def test_creating_is_refused_outside_scope_and_with_bad_rules(db: Database) -> None:
    make_village(db, households=2, minors=0, representatives=2, party_members=1)
    with db.transaction() as session:
        # Given a branch secretary of another community, then they may not run ours
        with pytest.raises(Forbidden):
            elections.do_create_election(
                session,
                actor=OUTSIDER,
                draft=_village_draft("越权选举", [("全社区", VILLAGE, 1)]),
                now=CREATED,
            )
        # and rules with a typo are refused naming the line
        with pytest.raises(InvalidInput) as refused:
            elections.do_create_election(
                session,
                actor=SECRETARY,
                draft=_village_draft("规则有误", [("全社区", VILLAGE, 1)]),
                rules_yaml=open_rules().replace("tie_break: lot", "tie_break: coin"),
                now=CREATED,
            )
        assert refused.value.params["line"] == 6
        # and overlapping constituencies are refused
        with pytest.raises(InvalidInput):
            elections.do_create_election(
                session,
                actor=SECRETARY,
                draft=_village_draft(
                    "选区重叠", [("全社区", VILLAGE, 1), ("第一选区", VILLAGE_GRIDS[0], 1)]
                ),
                now=CREATED,
            )


# --------------------------------------------------------------------------- nomination


def test_nomination_once_per_resident_and_review_applies_the_rules(db: Database) -> None:
    # Given an election and a nominee of each grid, and the other community's resident
    world = make_election(db)
    good = nominate(db, world, world.first, world.grid1_adults[0])
    # (nominated by the district's administrator, who may see both communities)
    stranger = nominate(db, world, world.first, world.outsider_id, actor=ADMIN)
    # when the same resident is nominated again, then it is refused
    with pytest.raises(Conflict):
        nominate(db, world, world.second, world.grid1_adults[0])
    # when the review opens, then each nominee is reviewed by the rules, with the reason
    with db.transaction() as session:
        elections.do_open_review(
            session, actor=SECRETARY, election_id=world.election_id, now=CREATED
        )
    assert candidate_row(db, good).state == CandidateState.ELIGIBLE
    refused = candidate_row(db, stranger)
    assert refused.state == CandidateState.INELIGIBLE
    review = elections.review_of(refused)
    assert "Not resident in this election's area" in review.text()
    assert OTHER_GRID in review.text()
    # when staff override the finding without a reason, then it is refused
    with db.transaction() as session, pytest.raises(InvalidInput):
        elections.do_review_candidate(
            session,
            actor=SECRETARY,
            election_id=world.election_id,
            candidate_id=stranger,
            override=CandidateState.ELIGIBLE,
            now=CREATED,
        )
    # and with a reason it is recorded beside the rules' finding, and audited
    with db.transaction() as session:
        elections.do_review_candidate(
            session,
            actor=SECRETARY,
            election_id=world.election_id,
            candidate_id=stranger,
            override=CandidateState.ELIGIBLE,
            reason="已于上月迁入本社区，登记待更新",
            now=CREATED,
        )
    overridden = elections.review_of(candidate_row(db, stranger))
    assert overridden.override == "已于上月迁入本社区，登记待更新"
    with db.session() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action).where(AuditEvent.action.startswith("election."))
            )
        )
    assert actions.count("election.candidate_reviewed") == 3
    assert actions.count("election.nominated") == 2


def test_voting_cannot_open_with_an_empty_constituency(db: Database) -> None:
    # Given candidates in the first constituency only
    world = make_election(db)
    nominate(db, world, world.first, world.grid1_adults[0])
    with db.transaction() as session:
        elections.do_open_review(
            session, actor=SECRETARY, election_id=world.election_id, now=CREATED
        )
    # when voting would open, then it is refused naming the empty constituency
    with db.transaction() as session, pytest.raises(Conflict) as refused:
        elections.do_open_voting(
            session, actor=SECRETARY, election_id=world.election_id, now=CREATED
        )
    assert "第二选区" in refused.value.params["names"]


# --------------------------------------------------------------------------- voting


def ready(db: Database, rules_yaml: str | None = None, households: int = 6) -> tuple[World, int]:
    """An election taking votes; returns it and the first constituency's candidate."""
    world = make_election(db, rules_yaml=rules_yaml, households=households)
    candidate = nominate(db, world, world.first, world.grid1_adults[0])
    nominate(db, world, world.second, world.grid2_adults[0])
    open_voting(db, world)
    return world, candidate


def test_one_hundred_concurrent_duplicate_votes_store_one(db: Database) -> None:
    # Given an open election and one voter
    world, candidate = ready(db)
    resident_id = world.grid1_adults[1]
    barrier = threading.Barrier(100)

    def attempt(_: int) -> str:
        barrier.wait()
        session = db.session(write=True)
        try:
            elections.do_vote(
                session,
                actor=voter(resident_id),
                election_id=world.election_id,
                resident_id=resident_id,
                choices=[candidate],
                now=FIXED_NOW,
            )
            session.commit()
            return "stored"
        except Conflict:
            session.rollback()
            return "already voted"
        finally:
            session.close()

    # when 100 requests of the same voter race, each in its own session
    with ThreadPoolExecutor(max_workers=100) as pool:
        outcomes = Counter(pool.map(attempt, range(100)))
    # then exactly one is stored, the rest refused as already voted
    assert outcomes == Counter({"stored": 1, "already voted": 99})
    with db.session() as session:
        receipts = session.scalar(select(func.count()).select_from(BallotReceipt))
        ballots = session.scalar(select(func.count()).select_from(SecretBallot))
    assert (receipts, ballots) == (1, 1)


def test_ineligible_voters_are_refused_with_the_reason(db: Database) -> None:
    # Given an election of the village excluding Macau residents, and a 17-year-old,
    # a resident of the other community and a Macau resident
    world, candidate = ready(db)
    teen = add_resident(
        db,
        name="十七岁",
        born=date(2008, 12, 20),
        grid=VILLAGE_GRIDS[0],
        doc_type="mainland_id",
        number=_id("20081220", "771"),
    )
    macau = add_resident(
        db,
        name="澳门居民",
        born=date(1985, 3, 3),
        grid=VILLAGE_GRIDS[0],
        doc_type="hk_macau_permit",
        number="M12345678",
    )
    # when each votes, then each is refused with the rule that keeps them out
    with pytest.raises(InvalidInput) as too_young:
        vote(db, world, teen, [candidate])
    assert too_young.value.details[0].field == "born"
    assert "turns 18 on 2026-12-20" in too_young.value.details[0].text()
    with pytest.raises(InvalidInput) as elsewhere:
        vote(db, world, world.outsider_id, [candidate])
    assert "Not resident in this election's area" in elsewhere.value.details[0].text()
    with pytest.raises(InvalidInput) as excluded:
        vote(db, world, macau, [candidate])
    assert excluded.value.details[0].field == "macau_resident"
    # and nothing was stored for any of them
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(BallotReceipt)) == 0


def test_a_macau_resident_votes_where_the_election_includes_them(db: Database) -> None:
    # Given an election whose rules include Macau residents (横琴), and a Macau resident
    world, candidate = ready(db, rules_yaml=open_rules(macau=True))
    macau = add_resident(
        db,
        name="澳门居民",
        born=date(1985, 3, 3),
        grid=VILLAGE_GRIDS[0],
        doc_type="hk_macau_permit",
        number="M12345678",
    )
    foreign = add_resident(
        db,
        name="Kim Minji",
        born=date(1990, 7, 1),
        grid=VILLAGE_GRIDS[0],
        doc_type="passport",
        number="M98765432",
        nationality="KOR",
    )
    # when the Macau resident votes, then the vote is taken
    vote(db, world, macau, [candidate])
    with db.session() as session:
        assert elections.has_voted(session, world.election_id, macau)
    # and a foreign resident (excluded by the same rules) is refused
    with pytest.raises(InvalidInput) as refused:
        vote(db, world, foreign, [candidate])
    assert refused.value.details[0].field == "foreign_resident"


def test_a_ballot_marks_at_most_the_seats_among_its_constituency(db: Database) -> None:
    world, candidate = ready(db)
    second_candidate = nominate_late_refused(db, world)
    resident_id = world.grid1_adults[1]
    # when a voter of the first constituency marks the second's candidate, refused
    with pytest.raises(InvalidInput):
        vote(db, world, resident_id, [second_candidate])
    # when they mark more candidates than seats, refused
    with pytest.raises(InvalidInput):
        vote(db, world, resident_id, [candidate, candidate])
    # and a blank ballot is a ballot
    vote(db, world, resident_id, [])
    with db.session() as session:
        assert elections.has_voted(session, world.election_id, resident_id)


def nominate_late_refused(db: Database, world: World) -> int:
    """Nominations close when the review opens; the second constituency's candidate."""
    with pytest.raises(Conflict):
        nominate(db, world, world.second, world.grid2_adults[1])
    with db.session() as session:
        return next(
            c.id
            for c in elections.candidates_of(session, world.election_id)
            if c.constituency_id == world.second
        )


def test_voting_outside_the_window_is_refused(db: Database) -> None:
    world, candidate = ready(db)
    resident_id = world.grid1_adults[1]
    for moment in (OPENS - timedelta(minutes=1), CLOSES):
        # when a vote comes before voting opens or once it has closed, then refused
        with db.transaction() as session, pytest.raises(Conflict) as refused:
            elections.do_vote(
                session,
                actor=voter(resident_id),
                election_id=world.election_id,
                resident_id=resident_id,
                choices=[candidate],
                now=moment,
            )
        assert refused.value.message == "Voting is open from %(opens)s to %(closes)s."
    # and counting before voting closes is refused too
    with db.transaction() as session, pytest.raises(Conflict):
        elections.do_count(session, actor=SECRETARY, election_id=world.election_id, now=FIXED_NOW)


def test_a_clerk_records_a_paper_ballot_once(db: Database) -> None:
    world, candidate = ready(db)
    resident_id = world.grid1_adults[2]
    with db.session() as session:
        resident = session.get(Resident, resident_id)
        assert resident is not None
        number = cipher_of(session).decrypt(resident.id_number_enc, field="id_number")
        election = elections.get_election(session, world.election_id)
        # Given the clerk finds the voter by name and whole document number
        found = elections.find_voter(
            session, actor=CLERK, election=election, name=resident.name, id_number=number
        )
    assert found.id == resident_id
    # when the clerk records the ballot, then it is taken; a second time, refused
    for attempt in range(2):
        with db.transaction() as session:
            call = partial(
                elections.do_record_paper_ballot,
                session,
                actor=CLERK,
                election_id=world.election_id,
                resident_id=resident_id,
                choices=[candidate],
                now=FIXED_NOW,
            )
            if attempt == 0:
                call()
            else:
                with pytest.raises(Conflict):
                    call()
    # and the audit row of the vote names the voter and the channel, never the choice
    with db.session() as session:
        summaries = [
            json.loads(s)
            for s in session.scalars(
                select(AuditEvent.summary).where(AuditEvent.action == "election.voted")
            )
        ]
    assert summaries == [{"voter": f"resident:{resident_id}", "channel": "paper"}]


# --------------------------------------------------------------------------- secrecy


def test_no_column_links_a_ballot_to_its_voter(db: Database) -> None:
    # Given a few votes
    world, candidate = ready(db)
    for resident_id in world.grid1_adults[1:4]:
        vote(db, world, resident_id, [candidate])
    columns = {c["name"]: c for c in inspect(db.engine).get_columns("secret_ballot")}
    # then a ballot has its box and choices only: no voter, no time, no receipt
    assert set(columns) == {"id", "box", "choices"}
    assert inspect(db.engine).get_foreign_keys("secret_ballot") == []
    with db.session() as session:
        receipts = list(session.scalars(select(BallotReceipt)))
        ballots = list(session.scalars(select(SecretBallot)))
    # and no value is shared: ids differ, boxes differ, no choice names a voter
    assert {r.id for r in receipts}.isdisjoint({b.id for b in ballots})
    assert {r.box for r in receipts}.isdisjoint({b.box for b in ballots})
    voters = {r.voter.split(":")[1] for r in receipts}
    assert all(not (set(map(str, json.loads(b.choices))) & voters) for b in ballots)


# --------------------------------------------------------------------------- counting


def test_tallies_equal_the_stored_ballots(db: Database) -> None:
    # Given an election with two candidates in the two-seat constituency and votes
    world = make_election(db, rules_yaml=open_rules("lot"), households=8)
    first = nominate(db, world, world.first, world.grid1_adults[0])
    second_a = nominate(db, world, world.second, world.grid2_adults[0])
    second_b = nominate(db, world, world.second, world.grid2_adults[1])
    open_voting(db, world)
    for resident_id in world.grid1_adults[1:5]:
        vote(db, world, resident_id, [first])
    vote(db, world, world.grid2_adults[2], [second_a, second_b])
    vote(db, world, world.grid2_adults[3], [second_a])
    vote(db, world, world.grid2_adults[4], [])
    # when counted
    result = count(db, world)
    # then every stored ballot is counted, and votes + blanks fill every ballot's seats
    with db.session() as session:
        stored = list(session.scalars(select(SecretBallot)))
        receipts = session.scalar(select(func.count()).select_from(BallotReceipt))
        votes = {c.id: c.votes for c in elections.candidates_of(session, world.election_id)}
    marks = Counter(choice for b in stored for choice in json.loads(b.choices))
    assert result["ballots"] == receipts == len(stored)
    assert votes == {first: marks[first], second_a: marks[second_a], second_b: marks[second_b]}
    parts = {item["constituency"]: item for item in result["constituencies"]}
    for constituency, seats in ((world.first, 1), (world.second, 2)):
        item = parts[constituency]
        boxes = [
            b for b in stored if b.box == elections.ballot_box_of(world.election_id, constituency)
        ]
        assert item["ballots_cast"] == len(boxes)
        assert sum(item["votes"].values()) + item["blank_choices"] == len(boxes) * seats


def test_a_tie_broken_by_lot_is_deterministic_with_its_recorded_seed(db: Database) -> None:
    # Given two candidates tied for the first constituency's one seat, rule: lot
    world = make_election(db, rules_yaml=open_rules("lot"), households=8)
    a = nominate(db, world, world.first, world.grid1_adults[0])
    b = nominate(db, world, world.first, world.grid1_adults[1])
    nominate(db, world, world.second, world.grid2_adults[0])
    open_voting(db, world)
    vote(db, world, world.grid1_adults[2], [a])
    vote(db, world, world.grid1_adults[3], [b])
    # when counted
    result = count(db, world)
    item = next(i for i in result["constituencies"] if i["constituency"] == world.first)
    # then the draw and its seed are recorded, and redoing it gives the same winner
    again = rules.count_votes(
        election_id=f"{world.election_id}/{world.first}",
        seats=1,
        candidates=[rules.Candidate(str(a)), rules.Candidate(str(b))],
        ballots=[[str(a)], [str(b)]],
        tie_break=TieBreak.LOT,
    )
    assert item["seed"]
    assert item["seed"] == again.seed
    assert item["draw"] == [int(c) for c in again.draw]
    assert item["elected"] == [int(again.elected[0])]
    winner, loser = item["draw"]
    assert candidate_row(db, winner).elected is True
    assert candidate_row(db, loser).elected is False


def test_a_tie_goes_to_the_older_candidate_under_older_first(db: Database) -> None:
    world = make_election(db, rules_yaml=open_rules("older_first"), households=8)
    a = nominate(db, world, world.first, world.grid1_adults[0])
    b = nominate(db, world, world.first, world.grid1_adults[1])
    nominate(db, world, world.second, world.grid2_adults[0])
    open_voting(db, world)
    vote(db, world, world.grid1_adults[2], [a])
    vote(db, world, world.grid1_adults[3], [b])
    count(db, world)
    with db.session() as session:
        born = {
            c: session.scalars(
                select(Resident.birth_date).where(Resident.id == candidate_row(db, c).resident_id)
            ).one()
            for c in (a, b)
        }
    born_a, born_b = born[a], born[b]
    assert born_a is not None
    assert born_b is not None
    older = a if born_a < born_b else b
    younger = b if older == a else a
    assert born[a] != born[b]
    assert candidate_row(db, older).elected is True
    assert candidate_row(db, younger).elected is False


def test_a_runoff_tie_leaves_the_seat_unfilled_and_reported(db: Database) -> None:
    world = make_election(db, rules_yaml=open_rules("runoff"), households=8)
    a = nominate(db, world, world.first, world.grid1_adults[0])
    b = nominate(db, world, world.first, world.grid1_adults[1])
    nominate(db, world, world.second, world.grid2_adults[0])
    open_voting(db, world)
    vote(db, world, world.grid1_adults[2], [a])
    vote(db, world, world.grid1_adults[3], [b])
    result = count(db, world)
    item = next(i for i in result["constituencies"] if i["constituency"] == world.first)
    # then nobody takes the seat: both go to a runoff for it
    assert item["elected"] == []
    assert sorted(item["runoff"]) == sorted([a, b])
    assert item["runoff_seats"] == 1
    assert candidate_row(db, a).elected is False
    assert candidate_row(db, b).elected is False


# --------------------------------------------------------------------------- publishing


def test_the_result_is_published_as_a_notice_with_an_objection_window(db: Database) -> None:
    world, candidate = ready(db, rules_yaml=open_rules("lot"))
    vote(db, world, world.grid1_adults[1], [candidate])
    count(db, world)
    # when published
    with db.transaction() as session:
        notice = elections.do_publish(
            session, actor=SECRETARY, election_id=world.election_id, now=AFTER
        )
        notice_id = notice.id
    # then a posted election-result notice names the elected, open to objections
    with db.session() as session:
        row = session.get(Notice, notice_id)
        election = session.get(Election, world.election_id)
        elected = candidate_row(db, candidate)
        assert row is not None
        assert election is not None
        assert row.election_id == world.election_id
        assert row.state == NoticeState.POSTED
        assert row.objections_until is not None
        assert row.objections_until > AFTER
        assert elected.name in row.body
        assert election.state == ElectionState.PUBLISHED
        published = elections.result_notice(session, world.election_id)
        assert published is not None
        assert published.id == notice_id
    # and publishing twice is refused by the state machine
    with db.transaction() as session, pytest.raises(Conflict):
        elections.do_publish(session, actor=SECRETARY, election_id=world.election_id, now=AFTER)


def _id(birth: str, sequence: str) -> str:
    from tests.factories import mainland_id

    return mainland_id(birth, sequence)
