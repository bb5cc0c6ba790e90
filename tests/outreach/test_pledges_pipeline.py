"""Pledges and the member pipeline on both engines: scope, review, the public board,
comments, and a pipeline that refuses early steps and votes without quorum."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import insert, select

from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation.rules import Tally
from gridgov.errors import Conflict, Forbidden, NotFound, TooManyRequests
from gridgov.outreach import pipeline, pledges
from gridgov.outreach.rules import Stage, Step
from gridgov.registry import service as registry
from gridgov.registry.models import Organisation
from tests.conftest import FIXED_NOW
from tests.factories import mainland_id, make_territory

GRID = "44051200100101"
TODAY = date(2026, 11, 30)
SECRETARY = Actor(username="li.secretary", role="branch_secretary", scope="440512001001")
OTHER_SECRETARY = Actor(username="wu.secretary", role="branch_secretary", scope="440512002001")
WORKER = Actor(username="chen.worker", role="grid_worker", scope=GRID)
RESIDENT = Actor(username="anonymous", role="anonymous")


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    make_territory(db)
    with db.transaction() as session:
        member = registry.do_create_resident(
            session,
            actor=Actor.system(),
            value=registry.ResidentInput(
                name="林党员",
                doc_type="mainland_id",
                id_number=mainland_id("19800101", "011"),
                grid_code=GRID,
            ),
            now=FIXED_NOW,
        )
        branch = session.execute(
            insert(Organisation).returning(Organisation.id),
            [
                {
                    "code": "P1",
                    "name": "青篮社区第1网格党支部",
                    "kind": "party_branch",
                    "region_code": GRID,
                    "macau_funded": False,
                    "note": "",
                }
            ],
        ).scalar_one()
        return {"member": member.id, "branch": branch}


def test_a_pledge_is_scoped_reviewed_and_shown_with_consent(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session, pytest.raises(NotFound):
        pledges.do_post_pledge(
            session,
            actor=OTHER_SECRETARY,
            member_id=ids["member"],
            year=2026,
            title="每月走访联系户",
            deliverables="",
            public=True,
            now=FIXED_NOW,
        )
    with db.transaction() as session:
        pledge = pledges.do_post_pledge(
            session,
            actor=WORKER,
            member_id=ids["member"],
            year=2026,
            title="每月走访联系户一次",
            deliverables="走访记录12次",
            public=True,
            now=FIXED_NOW,
        )
        pledge_id = pledge.id
        # A grid worker may post, but only the branch reviews
        with pytest.raises(Forbidden):
            pledges.do_review_pledge(
                session, actor=WORKER, pledge=pledge, approve=True, note="", now=FIXED_NOW
            )
        assert pledges.public_board(session, region_code="440512001001", year=2026) == []
        pledges.do_review_pledge(
            session, actor=SECRETARY, pledge=pledge, approve=True, note="", now=FIXED_NOW
        )
    with db.transaction() as session:
        board = pledges.public_board(session, region_code="440512001001", year=2026)
        assert [(e.pledge.id, e.member_name) for e in board] == [(pledge_id, "林党员")]
        with pytest.raises(NotFound):
            pledges.get_pledge(session, pledge_id=pledge_id, viewer=OTHER_SECRETARY)
        # Comments: a spammy one is held, a flood is refused
        pledges.do_comment(
            session,
            actor=RESIDENT,
            pledge_id=pledge_id,
            text="点赞，上周来过我家",
            source="ip:1.2.3.4",
            now=FIXED_NOW,
        )
        held = pledges.do_comment(
            session,
            actor=RESIDENT,
            pledge_id=pledge_id,
            text="看这里 http://spam.example",
            source="ip:1.2.3.4",
            now=FIXED_NOW,
        )
        assert held.held
        for n in range(3):
            pledges.do_comment(
                session,
                actor=RESIDENT,
                pledge_id=pledge_id,
                text=f"谢谢{n}",
                source="ip:1.2.3.4",
                now=FIXED_NOW,
            )
        with pytest.raises(TooManyRequests):
            pledges.do_comment(
                session,
                actor=RESIDENT,
                pledge_id=pledge_id,
                text="再来一条",
                source="ip:1.2.3.4",
                now=FIXED_NOW,
            )
        board = pledges.public_board(session, region_code="440512001001", year=2026)
        assert len(board[0].comments) == 4


def test_the_pipeline_refuses_early_steps_and_votes_without_quorum(
    db: Database, ids: dict[str, int]
) -> None:
    applied = TODAY - timedelta(days=400)
    with db.transaction() as session:
        person = pipeline.do_add_candidate(
            session,
            actor=SECRETARY,
            branch_id=ids["branch"],
            name="黄申请",
            applied_on=applied,
            today=TODAY,
            now=FIXED_NOW,
        )
        # Promotion without the talk is refused; with it, after a month, allowed
        with pytest.raises(Conflict):
            pipeline.do_promote(
                session,
                actor=SECRETARY,
                candidate=person,
                on=applied + timedelta(days=40),
                today=TODAY,
                now=FIXED_NOW,
            )
        pipeline.do_record_step(
            session,
            actor=SECRETARY,
            candidate=person,
            step=Step.TALK,
            on=applied + timedelta(days=10),
            today=TODAY,
            now=FIXED_NOW,
        )
        with pytest.raises(Conflict):  # before the month is over
            pipeline.do_promote(
                session,
                actor=SECRETARY,
                candidate=person,
                on=applied + timedelta(days=20),
                today=TODAY,
                now=FIXED_NOW,
            )
        since = applied + timedelta(days=30)
        pipeline.do_promote(
            session, actor=SECRETARY, candidate=person, on=since, today=TODAY, now=FIXED_NOW
        )
        assert person.stage == Stage.ACTIVIST.value
        pipeline.do_record_step(
            session,
            actor=SECRETARY,
            candidate=person,
            step=Step.TRAINING,
            on=since,
            hours=20,
            today=TODAY,
            now=FIXED_NOW,
        )
        # An activist of 370 days may become a development target
        pipeline.do_promote(
            session, actor=SECRETARY, candidate=person, on=TODAY, today=TODAY, now=FIXED_NOW
        )
        assert person.stage == Stage.TARGET.value
        # A branch vote without a quorum is refused and nothing is recorded
        with pytest.raises(Conflict):
            pipeline.do_record_step(
                session,
                actor=SECRETARY,
                candidate=person,
                step=Step.BRANCH_VOTE,
                on=TODAY,
                today=TODAY,
                now=FIXED_NOW,
                tally=Tally(members=15, present=7, yes=7),
            )
        candidate_id = person.id
    with db.transaction() as session:
        # Only the branch's own officers see the list; the read is audited
        with pytest.raises(Forbidden):
            pipeline.list_candidates(session, actor=WORKER, branch_id=ids["branch"], now=FIXED_NOW)
        with pytest.raises(NotFound):
            pipeline.list_candidates(
                session, actor=OTHER_SECRETARY, branch_id=ids["branch"], now=FIXED_NOW
            )
        listed = pipeline.list_candidates(
            session, actor=SECRETARY, branch_id=ids["branch"], now=FIXED_NOW
        )
        assert [c.id for c in listed] == [candidate_id]
        assert pipeline.branch_funnel(listed)[Stage.TARGET] == 1
        due = pipeline.steps_due(session, listed, today=TODAY)
        assert due[0].missing == [Step.POLITICAL_REVIEW, Step.TRAINING, Step.BRANCH_VOTE]
        viewed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "pipeline.viewed")
        ).all()
        assert len(viewed) == 1
