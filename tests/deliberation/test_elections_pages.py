"""Election pages and API: the public election page, a resident's vote, the clerk's paper
ballot, the staff console from creation to the published result."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import elections
from gridgov.deliberation.models import BallotReceipt, Candidate, Election, SecretBallot
from gridgov.deliberation.rules import ElectionState
from gridgov.registry.models import Resident
from gridgov.registry.service import ID_FIELD, cipher_of
from gridgov.web.deps import get_now
from tests.conftest import FIXED_NOW
from tests.deliberation.factories import VILLAGE, VILLAGE_GRIDS, Village, make_village
from tests.factories import bearer, csrf_of, page_login

SECRETARY = Actor(username="dl_secretary", role="branch_secretary", scope=VILLAGE)
OPENS = FIXED_NOW - timedelta(hours=1)
CLOSES = FIXED_NOW + timedelta(hours=8)
CREATED = FIXED_NOW - timedelta(days=10)
STATEMENT = "修好村口那段路，按月公开账目。"


@dataclass
class Ready:
    village: Village
    election_id: int
    candidate_id: int  # the first constituency's (grid 1) candidate
    candidate_name: str


def grid_of(db: Database, resident_id: int) -> str:
    with db.session() as session:
        resident = session.get(Resident, resident_id)
        assert resident is not None
        return resident.grid_code


def ready(db: Database) -> Ready:
    """A village election taking votes; the villager (adult 0) lives in grid 1."""
    village = make_village(db, households=4, minors=1, representatives=2, party_members=1)
    grid1 = [r for r in village.adult_ids if grid_of(db, r) == VILLAGE_GRIDS[0]]
    grid2 = [r for r in village.adult_ids if grid_of(db, r) == VILLAGE_GRIDS[1]]
    assert village.adult_ids[0] in grid1
    with db.transaction() as session:
        election = elections.do_create_election(
            session,
            actor=SECRETARY,
            draft=elections.ElectionDraft(
                region_code=VILLAGE,
                title="青篮社区议事代表选举",
                constituencies=[
                    ("第一选区", VILLAGE_GRIDS[0], 1),
                    ("第二选区", VILLAGE_GRIDS[1], 1),
                ],
                voting_opens_at=OPENS,
                voting_closes_at=CLOSES,
            ),
            now=CREATED,
        )
        first, second = elections.constituencies_of(session, election.id)
        candidate = elections.do_nominate(
            session,
            actor=SECRETARY,
            election_id=election.id,
            constituency_id=first.id,
            resident_id=grid1[1],
            statement=STATEMENT,
            now=CREATED,
        )
        elections.do_nominate(
            session,
            actor=SECRETARY,
            election_id=election.id,
            constituency_id=second.id,
            resident_id=grid2[0],
            statement="",
            now=CREATED,
        )
        elections.do_open_review(session, actor=SECRETARY, election_id=election.id, now=CREATED)
        elections.do_open_voting(session, actor=SECRETARY, election_id=election.id, now=CREATED)
        return Ready(village, election.id, candidate.id, candidate.name)


def receipts(db: Database) -> int:
    with db.session() as session:
        return int(session.scalar(select(func.count()).select_from(BallotReceipt)) or 0)


def test_anyone_reads_the_election_and_its_candidates(client: TestClient, db: Database) -> None:
    # Given an election taking votes
    world = ready(db)
    # when anyone opens the portal's election list and the election, without logging in
    listing = client.get(f"/portal/{VILLAGE}/elections")
    page = client.get(f"/elections/{world.election_id}?lang=en")
    # then they see the election, its constituencies and seats, rules and candidates
    assert listing.status_code == 200
    assert f"/elections/{world.election_id}" in listing.text
    assert page.status_code == 200
    assert "第一选区" in page.text
    assert world.candidate_name in page.text
    assert STATEMENT in page.text
    assert "Macau residents may not vote or stand in this election." in page.text
    # and the API says the same
    api = client.get(f"/api/v1/elections/{world.election_id}")
    assert api.status_code == 200
    body = api.json()
    assert body["state"] == ElectionState.VOTING
    assert body["rules"]["eligibility"]["include_macau_residents"] is False
    assert {c["name"] for c in body["candidates"]} >= {world.candidate_name}
    # and there is no result before counting
    assert client.get(f"/api/v1/elections/{world.election_id}/result").status_code == 404


def test_a_resident_votes_once_and_never_sees_their_choices(
    client: TestClient, db: Database
) -> None:
    # Given an election and the villager signed in
    world = ready(db)
    page_login(client, world.village.users["villager"])
    ballot = client.get(f"/elections/{world.election_id}/vote?lang=en")
    assert ballot.status_code == 200
    assert f'value="{world.candidate_id}"' in ballot.text
    # when they vote for the candidate
    token = csrf_of(client, f"/elections/{world.election_id}/vote")
    sent = client.post(
        f"/elections/{world.election_id}/vote",
        data={"csrf_token": token, "choices": str(world.candidate_id)},
    )
    # then the vote is stored, and the page says they have voted without their choices
    assert sent.status_code == 303
    assert receipts(db) == 1
    after = client.get(f"/elections/{world.election_id}/vote?lang=en")
    assert "You have voted." in after.text
    assert world.candidate_name not in after.text
    # and a second vote is refused
    again = client.post(
        f"/elections/{world.election_id}/vote?lang=en",
        data={"csrf_token": token, "choices": str(world.candidate_id)},
    )
    assert again.status_code == 409
    assert "has already voted" in again.text
    assert receipts(db) == 1


def test_the_api_takes_one_vote_and_refuses_the_second(client: TestClient, db: Database) -> None:
    world = ready(db)
    headers = bearer(client, world.village.users["villager"])
    path = f"/api/v1/elections/{world.election_id}/vote"
    first = client.post(path, json={"choices": [world.candidate_id]}, headers=headers)
    second = client.post(path, json={"choices": [world.candidate_id]}, headers=headers)
    assert first.status_code == 201
    assert second.status_code == 409
    assert client.get(path, headers=headers).json() == {
        "election_id": world.election_id,
        "voted": True,
    }
    # and a staff account with no register entry cannot vote as anyone
    staff = bearer(client, world.village.users["secretary"])
    assert client.post(path, json={"choices": []}, headers=staff).status_code == 403


def test_a_clerk_records_a_paper_ballot_for_a_named_voter(client: TestClient, db: Database) -> None:
    # Given a voter at the polling station, and the clerk signed in
    world = ready(db)
    with db.session() as session:
        resident = session.get(Resident, world.village.adult_ids[2])
        assert resident is not None
        name = resident.name
        number = cipher_of(session).decrypt(resident.id_number_enc, field=ID_FIELD)
        voter_id = resident.id
    page_login(client, world.village.users["clerk"])
    base = f"/deliberation/elections/{world.election_id}/ballots"
    token = csrf_of(client, base)
    # when the clerk finds the voter by name and whole document number
    found = client.post(
        f"{base}/find", data={"csrf_token": token, "name": name, "id_number": number}
    )
    assert found.status_code == 200
    assert f'name="resident_id" value="{voter_id}"' in found.text
    assert number not in found.text  # the page shows the masked number only
    # and records their ballot
    recorded = client.post(
        base, data={"csrf_token": token, "resident_id": str(voter_id), "choices": []}
    )
    assert recorded.status_code == 303
    assert receipts(db) == 1
    # then looking them up again says they have voted
    again = client.post(
        f"{base}/find", data={"csrf_token": token, "name": name, "id_number": number}
    )
    assert f'name="resident_id" value="{voter_id}"' not in again.text
    # and a wrong name finds nobody
    wrong = client.post(
        f"{base}/find", data={"csrf_token": token, "name": "别人", "id_number": number}
    )
    assert wrong.status_code == 404


def test_staff_take_an_election_from_creation_to_the_published_result(
    app: FastAPI, client: TestClient, db: Database
) -> None:
    # Given the branch secretary signed in
    village = make_village(db, households=4, minors=0, representatives=2, party_members=1)
    page_login(client, village.users["secretary"])
    token = csrf_of(client, "/deliberation/elections/new")
    # when they create an election through the form
    created = client.post(
        "/deliberation/elections/new",
        data={
            "csrf_token": token,
            "region": VILLAGE,
            "title": "青篮社区议事代表选举",
            "constituencies": f"全社区, {VILLAGE}, 1",
            "opens": "2026-11-30 08:00",
            "closes": "2026-11-30 20:00",
        },
    )
    assert created.status_code == 303, created.text
    console = created.headers["location"]
    election_id = int(re.findall(r"\d+", console)[-1])
    # and nominate a resident found by name
    with db.session() as session:
        nominee = session.get(Resident, village.adult_ids[1])
        assert nominee is not None
        nominee_name, nominee_id = nominee.name, nominee.id
    search = client.get(f"{console}?q={nominee_name}")
    assert f'name="resident_id" value="{nominee_id}"' in search.text
    with db.session() as session:
        constituency_id = elections.constituencies_of(session, election_id)[0].id
    nominated = client.post(
        f"{console}/nominate",
        data={
            "csrf_token": token,
            "resident_id": str(nominee_id),
            "constituency_id": str(constituency_id),
            "statement": STATEMENT,
        },
    )
    assert nominated.status_code == 303
    # and move it through review and voting
    for step in ("review", "open"):
        moved = client.post(f"{console}/act/{step}", data={"csrf_token": token})
        assert moved.status_code == 303, moved.text
    with db.transaction() as session:
        candidate_id = session.scalars(
            select(Candidate.id).where(Candidate.election_id == election_id)
        ).one()
        elections.do_vote(
            session,
            actor=Actor(username="villager", role="resident"),
            election_id=election_id,
            resident_id=village.adult_ids[0],
            choices=[candidate_id],
            now=FIXED_NOW,
        )
    # then counting is refused while voting is open
    early = client.post(f"{console}/act/count", data={"csrf_token": token})
    assert early.status_code == 409
    # and once it has closed, counting and publishing work
    # (voting closes at 20:00 Shanghai time, 12:00 UTC)
    app.dependency_overrides[get_now] = lambda: FIXED_NOW + timedelta(hours=3)
    for step in ("count", "publish"):
        moved = client.post(f"{console}/act/{step}", data={"csrf_token": token})
        assert moved.status_code == 303, moved.text
        assert moved.headers["location"] == console
    with db.session() as session:
        election = session.get(Election, election_id)
        assert election is not None
        assert election.state == ElectionState.PUBLISHED
        notice = elections.result_notice(session, election_id)
        assert notice is not None
        stored = session.scalar(select(func.count()).select_from(SecretBallot))
    # and the public page shows the result and links to the notice
    public = client.get(f"/elections/{election_id}?lang=en")
    assert f"/notices/{notice.id}" in public.text
    result = client.get(f"/api/v1/elections/{election_id}/result").json()
    assert result["ballots"] == stored
    assert result["constituencies"][0]["elected"] == [candidate_id]


def test_an_outsider_cannot_run_the_village_election(client: TestClient, db: Database) -> None:
    world = ready(db)
    page_login(client, world.village.users["outsider"])
    assert client.get(f"/deliberation/elections/{world.election_id}").status_code == 404
    token = csrf_of(client, "/deliberation/elections")
    moved = client.post(
        f"/deliberation/elections/{world.election_id}/act/count", data={"csrf_token": token}
    )
    assert moved.status_code == 404
