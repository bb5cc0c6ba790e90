"""Outreach pages through the app: a secretary makes groups, a worker logs a visit on
the phone form and turns it into a case, the public board, the pipeline's officers."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.outreach import pipeline, pledges
from gridgov.outreach.models import Candidate, CandidateStep, ContactScheme, Visit
from gridgov.outreach.rules import Stage
from gridgov.registry.models import Household, Organisation
from tests.cases.factories import make_cases_world
from tests.conftest import FIXED_NOW
from tests.factories import csrf_of, make_user, page_login
from tests.outreach.factories import buildings_in_a_row
from tests.photos import jpeg

GRID = "44051200100101"


@pytest.fixture
def households(db: Database) -> list[int]:
    make_cases_world(db)
    make_user(db, "li.secretary", "branch_secretary", "440512001001")
    make_user(db, "wang.worker", "grid_worker", "44051200200101")
    ids = buildings_in_a_row(db, 6, step=0.001, width=1)
    with db.transaction() as session:
        session.execute(
            insert(Organisation),
            [
                {
                    "code": "P1",
                    "name": "支部",
                    "kind": "party_branch",
                    "region_code": GRID,
                    "macau_funded": False,
                    "note": "",
                }
            ],
        )
    return ids


def _make_scheme(client: TestClient, name: str, token: str | None = None) -> Any:
    """3 contact groups of 青篮社区 asked for from the outreach home."""
    return client.post(
        "/outreach/schemes",
        data={
            "region_code": "440512001001",
            "name": name,
            "groups": "3",
            "csrf_token": token or csrf_of(client, "/outreach"),
        },
        follow_redirects=False,
    )


def test_a_secretary_makes_groups_and_sees_them_in_chinese(
    client: TestClient, db: Database, households: list[int]
) -> None:
    page_login(client, "li.secretary")
    token = csrf_of(client, "/outreach")
    response = _make_scheme(client, "青篮联系户", token)
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert page.status_code == 200
    assert "被拆分的楼栋：0" in page.text
    assert "共3组，每组8–8户" in page.text
    download = client.get(response.headers["location"] + "/groups.xlsx")
    assert download.content[:2] == b"PK"
    # the outreach home lists it by its community's name
    assert '<a href="/regions/440512001001">青篮社区</a>' in client.get("/outreach").text
    # Too many groups: a clear error on the same page, the typed name kept
    response = client.post(
        "/outreach/schemes",
        data={"region_code": "440512001001", "name": "太多", "groups": "99", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "组数须在1至24之间" in response.text
    assert 'value="太多"' in response.text


def _log_visit(
    client: TestClient,
    household: int,
    fields: dict[str, str],
    files: dict[str, tuple[str, bytes, str]] | None = None,
) -> Any:
    """A visit to ``household`` on 2026-11-29 posted from the visits page."""
    token = csrf_of(client, f"/outreach/visits?household={household}")
    return client.post(
        "/outreach/visits",
        data={"household_id": str(household), "visited_on": "2026-11-29", "csrf_token": token}
        | fields,
        files=files,
        follow_redirects=False,
    )


def test_a_worker_logs_a_visit_and_its_opinion_becomes_a_case(
    client: TestClient, db: Database, households: list[int]
) -> None:
    page_login(client, "chen.worker")
    response = _log_visit(
        client, households[0], {"kind": "home", "heard": "楼下路灯坏了一个星期", "to_case": "true"}
    )
    assert response.status_code == 303, response.text
    with db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.case_id is not None
        assert visit.outcome == "case"
    listing = client.get("/outreach/visits")
    assert f'href="/cases/{visit.case_id}"' in listing.text
    assert "入户走访" in listing.text


def test_a_visit_logged_with_a_photo_keeps_the_photo(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # given a worker on the visits page
    page_login(client, "chen.worker")
    # when she logs a phone call with a photo of the notice she left
    response = _log_visit(
        client,
        households[0],
        {"kind": "phone", "heard": "家里老人想了解医保报销"},
        files={"photo": ("notice.jpg", jpeg(), "image/jpeg")},
    )
    # then the visit is logged with its kind, what was heard and the photo
    assert response.status_code == 303, response.text
    with db.session() as session:
        visit = session.scalars(select(Visit)).one()
        assert (visit.kind, visit.heard) == ("phone", "家里老人想了解医保报销")
        assert visit.photo_type == "image/jpeg"
        assert visit.photo


def test_a_visit_outside_ones_grid_is_not_found(
    client: TestClient, db: Database, households: list[int]
) -> None:
    page_login(client, "wang.worker")
    token = csrf_of(client, "/outreach/visits")
    response = client.post(
        "/outreach/visits",
        data={
            "household_id": str(households[0]),
            "visited_on": "2026-11-29",
            "kind": "home",
            "heard": "",
            "csrf_token": token,
        },
    )
    assert response.status_code == 404
    with db.session() as session:
        assert session.scalars(select(Visit)).all() == []


def test_the_pipeline_page_is_for_the_branchs_officers_only(
    client: TestClient, db: Database, households: list[int]
) -> None:
    with db.session() as session:
        branch = session.scalar(select(Organisation.id).where(Organisation.code == "P1"))
    page_login(client, "chen.worker")
    assert client.get(f"/outreach/pipeline/{branch}").status_code == 403
    client.cookies.clear()
    page_login(client, "li.secretary")
    page = client.get(f"/outreach/pipeline/{branch}")
    assert page.status_code == 200
    assert "发展对象" in page.text


def test_the_public_board_is_open_to_anyone(client: TestClient, db: Database) -> None:
    make_cases_world(db)
    response = client.get("/board/440512001001")
    assert response.status_code == 200
    assert "暂无承诺" in response.text
    with db.session() as session:
        assert session.scalars(select(ContactScheme)).all() == []


def test_a_count_that_forces_a_group_out_of_range_is_cut_as_asked_and_a_better_one_named(
    client: TestClient, db: Database
) -> None:
    # Given a secretary whose community has a block of 9 households beside a tower of
    # 22: in 3 groups of 10–11 the tower fills two groups and the 9 stay one short
    make_cases_world(db)
    make_user(db, "li.secretary", "branch_secretary", "440512001001")
    buildings_in_a_row(db, 1, per=9)
    buildings_in_a_row(db, 1, start=1, per=22)
    page_login(client, "li.secretary")
    # When she asks for 3 groups
    response = _make_scheme(client, "楼栋")
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    # Then the groups are made as asked, 3 of them, and the page says, in Chinese, that
    # at least one must be outside 10–11 without splitting a building, and that 2
    # groups of 15–16 need none outside; the figures say the same beside the count
    assert page.status_code == 200
    assert "共3组，每组10–11户" in page.text
    assert "3个组、每组10–11户，不拆分楼栋就不能全部在范围内：至少有1个组会超出范围。" in page.text
    assert "若分为2个组、每组15–16户，则不必有组超出范围。" in page.text
    assert "超出10–11户的组：1（不拆分楼栋，至少有1个组必然超出）" in page.text
    layout = client.get(response.headers["location"] + "/map.json").json()
    assert layout["quality"]["out_of_band"] == 1
    assert layout["quality"]["fewest_outside"] == 1
    with db.session() as session:
        scheme = session.scalars(select(ContactScheme)).one()
        assert (scheme.groups, scheme.size_low, scheme.size_high) == (3, 10, 11)


def test_a_count_that_forces_nothing_out_of_range_shows_no_advice(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given 6 buildings of 4 households each, cut into 3 groups of 8
    page_login(client, "li.secretary")
    response = _make_scheme(client, "青篮")
    # When the scheme's page is read
    page = client.get(response.headers["location"])
    # Then no group is forced outside the band, and the page says nothing about it
    assert "scheme-count-advice" not in page.text
    assert "必然超出" not in page.text


def _probing(db: Database, read: Any, locked: list[bool]) -> Any:
    """``read``, then a note of whether another connection could take SQLite's write lock
    at that moment (without waiting)."""

    def probed(*args: Any, **kwargs: Any) -> Any:
        result = read(*args, **kwargs)
        other = db.engine.raw_connection()  # the driver's own: no BEGIN of SQLAlchemy's
        try:
            other.execute("PRAGMA busy_timeout=0")
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                locked.append(False)
            except sqlite3.OperationalError:
                locked.append(True)
        finally:
            other.close()
        return result

    return probed


def test_the_audited_pipeline_page_holds_the_write_lock_from_its_start(
    client: TestClient, db: Database, households: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The page records who looked at the candidates: a read that writes. On SQLite a
    # read session that writes after another writer's commit is refused (503), so the
    # route's session is a write session from its start.
    if db.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    # Given the branch secretary, and a probe of the write lock while the page reads
    with db.session() as session:
        branch = session.scalar(select(Organisation.id).where(Organisation.code == "P1"))
    locked: list[bool] = []
    monkeypatch.setattr(pipeline, "list_candidates", _probing(db, pipeline.list_candidates, locked))
    page_login(client, "li.secretary")
    # When the secretary opens the pipeline page
    page = client.get(f"/outreach/pipeline/{branch}")
    # Then it answers, and no other writer could commit while it read
    assert page.status_code == 200, page.text
    assert locked == [True]


def test_an_ordinary_page_reads_without_the_write_lock(
    client: TestClient, db: Database, households: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.dialect != "sqlite":
        pytest.skip("SQLite's write lock")
    # Given the same probe in a page that only reads (the pledges list)
    locked: list[bool] = []
    monkeypatch.setattr(pledges, "list_pledges", _probing(db, pledges.list_pledges, locked))
    page_login(client, "li.secretary")
    # When the secretary opens it, then others may write meanwhile
    assert client.get("/outreach/pledges").status_code == 200
    assert locked == [False]


def test_the_outreach_page_links_the_secretary_to_her_branchs_pipeline(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given branch P1 with an applicant, in the secretary's community
    with db.session() as session:
        branch = session.scalar(select(Organisation.id).where(Organisation.code == "P1"))
    assert branch is not None
    secretary = accounts.actor_for(make_user(db, "zhou.secretary", "branch_secretary", GRID))
    with db.transaction() as session:
        pipeline.do_add_candidate(
            session,
            actor=secretary,
            branch_id=branch,
            name="黄申请",
            applied_on=FIXED_NOW.date(),
            today=FIXED_NOW.date(),
            now=FIXED_NOW,
        )
    # When the secretary opens the outreach page, then it links to the branch's pipeline
    page_login(client, "li.secretary")
    assert f'href="/outreach/pipeline/{branch}">支部</a>' in client.get("/outreach").text
    # and a grid worker's page does not
    client.cookies.clear()
    page_login(client, "wang.worker")
    assert "/outreach/pipeline/" not in client.get("/outreach").text


# ---------------------------------------------------------------- acting on the pipeline

TODAY = FIXED_NOW.date()  # 30 November 2026 in Shanghai too


def _branch_p1(db: Database) -> int:
    with db.session() as session:
        branch = session.scalar(select(Organisation.id).where(Organisation.code == "P1"))
    assert branch is not None
    return branch


def _candidate(db: Database, branch: int, name: str, since: date, stage: Stage) -> int:
    """A candidate of ``branch`` at ``stage`` since ``since`` (added by the service)."""
    actor = Actor(username="li.secretary", role="branch_secretary", scope="440512001001")
    with db.transaction() as session:
        candidate = pipeline.do_add_candidate(
            session,
            actor=actor,
            branch_id=branch,
            name=name,
            applied_on=since,
            today=TODAY,
            now=FIXED_NOW,
        )
        candidate.stage = stage.value
        return candidate.id


def _steps(db: Database, candidate_id: int) -> list[str]:
    with db.session() as session:
        return list(
            session.scalars(
                select(CandidateStep.step)
                .where(CandidateStep.candidate_id == candidate_id)
                .order_by(CandidateStep.id)
            )
        )


def test_a_secretary_records_a_talk_then_promotes_the_applicant_after_30_days(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given an applicant of branch P1 who applied 40 days ago and has had no talk
    branch = _branch_p1(db)
    applicant = _candidate(db, branch, "黄申请", TODAY - timedelta(days=40), Stage.APPLICANT)
    page_login(client, "li.secretary")
    page = client.get(f"/outreach/pipeline/{branch}")
    assert f'action="/outreach/pipeline/candidates/{applicant}/steps"' in page.text
    assert "转入下一阶段" not in page.text
    # When the secretary records the talk, dated 35 days ago, on the page's form
    token = csrf_of(client, f"/outreach/pipeline/{branch}")
    on = (TODAY - timedelta(days=35)).isoformat()
    response = client.post(
        f"/outreach/pipeline/candidates/{applicant}/steps",
        data={"step": "talk", "on": on, "note": "谈话顺利", "csrf_token": token},
        follow_redirects=False,
    )
    # Then it is recorded, said so, and the page now offers to move them on
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/outreach/pipeline/{branch}"
    page = client.get(f"/outreach/pipeline/{branch}")
    assert "步骤已记录。" in page.text
    assert f'action="/outreach/pipeline/candidates/{applicant}/promote"' in page.text
    assert _steps(db, applicant) == ["application", "talk"]
    # When she moves them to the next stage
    response = client.post(
        f"/outreach/pipeline/candidates/{applicant}/promote",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    # Then the applicant is an activist from today, and the page says so
    assert response.status_code == 303, response.text
    assert "已转入下一阶段。" in client.get(f"/outreach/pipeline/{branch}").text
    with db.session() as session:
        candidate = session.get(Candidate, applicant)
        assert candidate is not None
        assert (candidate.stage, candidate.stage_since) == ("activist", TODAY)


def test_a_branch_vote_without_quorum_is_refused_on_the_page_in_chinese(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given a development target (发展对象) of branch P1
    branch = _branch_p1(db)
    target = _candidate(db, branch, "郑对象", TODAY - timedelta(days=10), Stage.TARGET)
    page_login(client, "li.secretary")
    token = csrf_of(client, f"/outreach/pipeline/{branch}")
    # When the secretary records a branch vote where 3 of 10 members came
    response = client.post(
        f"/outreach/pipeline/candidates/{target}/steps",
        data={
            "step": "branch_vote",
            "on": TODAY.isoformat(),
            "members": "10",
            "present": "3",
            "yes": "3",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    # Then the page comes back with the refusal in Chinese beside the candidate, the
    # tally as typed, and nothing is recorded
    assert response.status_code == 409, response.text
    assert "支部大会到会人数不足，不能表决。" in response.text
    assert '"detail"' not in response.text
    assert 'name="members" min="0" inputmode="numeric" value="10"' in response.text
    assert _steps(db, target) == ["application"]


def test_another_branchs_secretary_cannot_act_on_the_candidate(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given an applicant of branch P1 ready to move on, and the secretary of another
    # community's branch
    branch = _branch_p1(db)
    applicant = _candidate(db, branch, "黄申请", TODAY - timedelta(days=40), Stage.APPLICANT)
    make_user(db, "wu.secretary", "branch_secretary", "440512002001")
    page_login(client, "wu.secretary")
    token = csrf_of(client, "/outreach")
    # When she posts a talk, a promotion or a new applicant to P1
    talk = client.post(
        f"/outreach/pipeline/candidates/{applicant}/steps",
        data={"step": "talk", "on": TODAY.isoformat(), "csrf_token": token},
        follow_redirects=False,
    )
    promote = client.post(
        f"/outreach/pipeline/candidates/{applicant}/promote",
        data={"csrf_token": token},
        follow_redirects=False,
    )
    added = client.post(
        f"/outreach/pipeline/{branch}/candidates",
        data={"name": "外人", "applied_on": TODAY.isoformat(), "csrf_token": token},
        follow_redirects=False,
    )
    # Then each is refused as not found, and nothing changed
    assert (talk.status_code, promote.status_code, added.status_code) == (404, 404, 404)
    assert _steps(db, applicant) == ["application"]
    with db.session() as session:
        assert session.scalars(select(Candidate.name)).all() == ["黄申请"]


def test_the_secretary_adds_an_applicant_and_someone_only_willing_to_join(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given the secretary on her branch's pipeline page
    branch = _branch_p1(db)
    page_login(client, "li.secretary")
    token = csrf_of(client, f"/outreach/pipeline/{branch}")
    path = f"/outreach/pipeline/{branch}/candidates"
    # When she adds an applicant, and someone only willing to join
    applied = (TODAY - timedelta(days=3)).isoformat()
    first = client.post(
        path,
        data={"name": "黄申请", "applied_on": applied, "csrf_token": token},
        follow_redirects=False,
    )
    second = client.post(
        path,
        data={"name": "林意愿", "willing_only": "true", "csrf_token": token},
        follow_redirects=False,
    )
    # Then both are added, at their stages, with the page saying so
    assert (first.status_code, second.status_code) == (303, 303)
    assert "已登记。" in client.get(f"/outreach/pipeline/{branch}").text
    with db.session() as session:
        rows = session.execute(
            select(Candidate.name, Candidate.stage, Candidate.stage_since).order_by(Candidate.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("黄申请", "applicant", TODAY - timedelta(days=3)),
        ("林意愿", "willing", TODAY),
    ]
    # When she sends the form with a name of spaces only
    refused = client.post(path, data={"name": "   ", "csrf_token": token})
    # Then the page comes back with the problem in Chinese, and nobody is added
    assert refused.status_code == 422, refused.text
    assert "请填写1至128个字符的名称。" in refused.text
    with db.session() as session:
        assert len(session.scalars(select(Candidate)).all()) == 2


def test_the_secretary_puts_a_candidate_on_the_reserve_and_takes_them_off(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given an activist of branch P1, and the secretary on the pipeline page
    branch = _branch_p1(db)
    activist = _candidate(db, branch, "谢兰", TODAY - timedelta(days=100), Stage.ACTIVIST)
    page_login(client, "li.secretary")
    token = csrf_of(client, f"/outreach/pipeline/{branch}")
    # When she adds them to the reserve cadres with a plan
    response = client.post(
        "/outreach/pipeline/reserve",
        data={
            "candidate_id": str(activist),
            "reserve": "true",
            "plan": "担任网格员",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    # Then they are listed there with the plan, and the page says so
    assert response.status_code == 303, response.text
    page = client.get(f"/outreach/pipeline/{branch}")
    assert "后备干部名单已更新。" in page.text
    assert "谢兰 (入党积极分子): 担任网格员" in page.text
    # When she takes them off again, then they are no longer a reserve cadre
    client.post(
        "/outreach/pipeline/reserve",
        data={"candidate_id": str(activist), "plan": "担任网格员", "csrf_token": token},
    )
    with db.session() as session:
        candidate = session.get(Candidate, activist)
        assert candidate is not None
        assert (candidate.reserve_cadre, candidate.plan) == (False, "担任网格员")
    # and another community's secretary cannot touch it
    client.cookies.clear()
    make_user(db, "wu.secretary", "branch_secretary", "440512002001")
    page_login(client, "wu.secretary")
    refused = client.post(
        "/outreach/pipeline/reserve",
        data={
            "candidate_id": str(activist),
            "reserve": "true",
            "csrf_token": csrf_of(client, "/outreach"),
        },
        follow_redirects=False,
    )
    assert refused.status_code == 404


def test_recent_visits_name_the_household_masked_for_roles_that_may_not_reveal(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given a visit the grid worker logged to a household of the register
    with db.session() as session:
        home = session.get(Household, households[0])
        assert home is not None
        number, address = home.number, home.address
    page_login(client, "chen.worker")
    assert (
        _log_visit(client, households[0], {"kind": "home", "heard": "路灯坏了"}).status_code == 303
    )
    # When the worker opens the recent visits
    listing = client.get("/outreach/visits").text
    # Then the visit names the household: its number and address
    assert f"{number} · {address}" in listing
    # And the party secretary of the community, who may not reveal residents' details,
    # reads the address up to its building, the door starred, and no household number
    client.post("/logout", data={"csrf_token": csrf_of(client, "/")})
    page_login(client, "li.secretary")
    seen = client.get("/outreach/visits").text
    building = address[: address.rindex("号") + 1]
    assert f"<td>{building}***</td>" in seen
    assert number not in seen
    assert address not in seen


def test_a_case_from_a_visit_names_who_filed_it(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given a grid worker whose account shows the name 陈网格
    with db.transaction() as session:
        accounts.get_user_by_username(session, username="chen.worker").display_name = "陈网格"
    page_login(client, "chen.worker")
    # When what was heard on a visit becomes a case
    logged = _log_visit(client, households[0], {"kind": "home", "heard": "楼道灯坏了很久没人修"})
    assert logged.status_code == 303
    with db.session() as session:
        visit = session.scalars(select(Visit)).one()
    opened = client.post(
        f"/outreach/visits/{visit.id}/case",
        data={"csrf_token": csrf_of(client, "/outreach/visits")},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    # Then the case page names the worker as its reporter, with the role, from a visit
    page = client.get(opened.headers["location"]).text
    assert "陈网格 · 网格员" in page
    assert page.count("来自走访") == 2  # beside the reporter, and the timeline's first entry
    assert "网格员巡查" not in page
    # and the timeline says who by the account's name, not its username
    assert "chen.worker" not in page


def test_the_secretary_picks_the_community_of_new_groups_by_name(
    client: TestClient, db: Database, households: list[int]
) -> None:
    # Given the branch secretary of 青篮社区 on the outreach home
    page_login(client, "li.secretary")
    page = client.get("/outreach").text
    # Then new contact groups are made for a community picked by name, theirs chosen
    assert '<select name="region_code" required><option value="440512001001" selected>青篮社区' in (
        page
    )
    assert "区划代码" not in page
