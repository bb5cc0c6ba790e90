"""Pairing on both engines: an organ branch paired with a community, a joint activity,
a member enrolled as a part-time grid worker of a paired grid, and the record."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import Conflict, InvalidInput, NotFound
from gridgov.outreach import pairing
from gridgov.outreach.models import Pairing
from gridgov.registry import service as registry
from gridgov.registry.models import Organisation, PersonRoleRow
from tests.conftest import FIXED_NOW
from tests.factories import mainland_id, make_territory, make_user, page_login

TODAY = date(2026, 11, 30)
SECRETARY = Actor(username="li.secretary", role="branch_secretary", scope="440512001001")
OUTSIDER = Actor(username="wu.secretary", role="branch_secretary", scope="440512002001")


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    make_territory(db)
    with db.transaction() as session:
        branch = session.execute(
            insert(Organisation).returning(Organisation.id),
            [
                {
                    "code": "PD001",
                    "name": "区民政局机关党支部",
                    "kind": "party_branch",
                    "region_code": "440512",
                    "macau_funded": False,
                    "note": "",
                }
            ],
        ).scalar_one()
        member = registry.do_create_resident(
            session,
            actor=Actor.system(),
            value=registry.ResidentInput(
                name="郑干部",
                doc_type="mainland_id",
                id_number=mainland_id("19850505", "031"),
                grid_code="44051200200101",
            ),
            now=FIXED_NOW,
        )
        return {"branch": branch, "member": member.id}


def _pair_qinglan(
    session: Session,
    branch_id: int,
    *,
    actor: Actor = SECRETARY,
    agreement: str = "",
    signed_on: date = TODAY,
) -> Pairing:
    """The branch paired with 青篮社区 (440512001001) by ``actor``."""
    return pairing.do_pair(
        session,
        actor=actor,
        branch_id=branch_id,
        region_code="440512001001",
        agreement=agreement,
        signed_on=signed_on,
        today=TODAY,
        now=FIXED_NOW,
    )


def test_a_pairing_records_activities_and_enrolled_workers(
    db: Database, ids: dict[str, int]
) -> None:
    with db.transaction() as session:
        with pytest.raises(NotFound):
            _pair_qinglan(session, ids["branch"], actor=OUTSIDER)
        paired = _pair_qinglan(
            session,
            ids["branch"],
            agreement="每月共建活动一次；认领微心愿",
            signed_on=date(2026, 3, 1),
        )
        with pytest.raises(Conflict):
            _pair_qinglan(session, ids["branch"])
        pairing.do_record_activity(
            session,
            actor=SECRETARY,
            pairing=paired,
            held_on=date(2026, 11, 2),
            title="共建清洁家园",
            participants=23,
            problems_solved=4,
            today=TODAY,
            now=FIXED_NOW,
        )
        with pytest.raises(InvalidInput):  # a grid of another place
            pairing.do_enrol_worker(
                session,
                actor=SECRETARY,
                pairing=paired,
                resident_id=ids["member"],
                grid_code="44051200200101",
                since=TODAY,
                now=FIXED_NOW,
            )
        pairing.do_enrol_worker(
            session,
            actor=SECRETARY,
            pairing=paired,
            resident_id=ids["member"],
            grid_code="44051200100102",
            since=TODAY,
            now=FIXED_NOW,
        )
    with db.session() as session:
        records = pairing.pairing_records(session, viewer=SECRETARY)
        assert [(r.activities, r.participants, r.problems_solved, r.workers) for r in records] == [
            (1, 23, 4, 1)
        ]
        assert pairing.pairing_records(session, viewer=OUTSIDER) == []
        role = session.scalars(
            select(PersonRoleRow).where(PersonRoleRow.resident_id == ids["member"])
        ).one()
        assert (role.role, role.region_code, role.full_time) == (
            "grid_worker",
            "44051200100102",
            False,
        )
        assert role.organisation_id == ids["branch"]


def test_the_pairings_page_names_the_paired_community(
    db: Database, client: TestClient, ids: dict[str, int]
) -> None:
    # Given a district branch paired with 青篮社区
    with db.transaction() as session:
        _pair_qinglan(session, ids["branch"], signed_on=date(2026, 3, 1))
    make_user(db, "li.secretary", "branch_secretary", "440512001001")
    page_login(client, "li.secretary")
    # When the pairings report is opened
    page = client.get("/outreach/pairings").text
    # Then the community reads by its name, its code only in the link
    assert '<a href="/regions/440512001001">青篮社区</a>' in page
