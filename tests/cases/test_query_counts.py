"""List pages and APIs run a number of queries that does not grow with their rows; and
the duplicate search finds neighbours at any latitude."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from gridgov.cases.models import Assignment, Case, OutboxMessage
from gridgov.db import Database
from tests.cases.factories import make_cases_world, report
from tests.conftest import FIXED_NOW
from tests.factories import bearer, page_login
from tests.querycount import count_queries

GRID_1 = "44051200100101"
EN = {"Accept-Language": "en"}


def _add_cases(db: Database, count: int, start: int) -> None:
    """``count`` assigned grid cases, each with its assignment and a notice for the unit."""
    rows: list[dict[str, Any]] = [
        {
            "tracking_code": f"Q{start + n:09d}",
            "channel": "web",
            "state": "assigned",
            "description": "楼道灯坏了",
            "category_code": "E0101",
            "grid_code": GRID_1,
            "level": "grid",
            "unit_code": GRID_1,
            "created_at": FIXED_NOW - timedelta(hours=n),
            "updated_at": FIXED_NOW,
            "assigned_at": FIXED_NOW - timedelta(hours=n),
            "response_due_at": FIXED_NOW + timedelta(hours=2),
            "resolution_due_at": FIXED_NOW + timedelta(days=n % 9 - 3),
        }
        for n in range(count)
    ]
    with db.transaction() as session:
        ids = session.execute(insert(Case).returning(Case.id), rows).scalars().all()
        session.execute(
            insert(Assignment),
            [
                {
                    "case_id": case_id,
                    "level": "grid",
                    "unit_code": GRID_1,
                    "lead": True,
                    "active": True,
                    "assigned_at": FIXED_NOW,
                    "response_due_at": FIXED_NOW + timedelta(hours=2),
                }
                for case_id in ids
            ],
        )
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "created_at": FIXED_NOW,
                    "available_at": FIXED_NOW,
                    "channel": "in_app",
                    "recipient": f"unit:{GRID_1}",
                    "subject": "[Q] assigned",
                    "body": "report in",
                    "case_id": case_id,
                    "dedupe_key": f"q:{case_id}",
                }
                for case_id in ids
            ],
        )


@pytest.mark.parametrize(
    ("path", "page", "username"),
    [
        pytest.param("/api/v1/cases?limit=500", False, "chen.worker", id="api-cases"),
        pytest.param(
            "/api/v1/cases?limit=500&overdue=true", False, "chen.worker", id="api-cases-overdue"
        ),
        pytest.param("/cases", True, "chen.worker", id="page-cases"),
        pytest.param("/notifications", True, "chen.worker", id="page-notifications"),
        pytest.param("/desk?state=assigned", True, "lin.dispatch", id="page-desk"),
    ],
)
def test_a_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient, path: str, page: bool, username: str
) -> None:
    make_cases_world(db)
    if page:
        page_login(client, username)
        headers: dict[str, str] = {}
    else:
        headers = bearer(client, username)
    # Given 10 cases
    _add_cases(db, 10, 0)
    client.get(path, headers=headers)  # warm the per-process caches (30 s lifetime)
    with count_queries(db) as ten:
        first = client.get(path, headers=headers)
    # When 90 more arrive
    _add_cases(db, 90, 10)
    client.get(path, headers=headers)
    with count_queries(db) as hundred:
        second = client.get(path, headers=headers)
    # Then the list answers with more rows but the same number of queries
    assert first.status_code == second.status_code == 200
    assert len(second.content) > len(first.content)
    assert hundred.count == ten.count, hundred.statements


@pytest.mark.parametrize("lat", [23.29, 31.23, 45.75])
def test_a_duplicate_90_metres_east_is_found_at_any_latitude(db: Database, lat: float) -> None:
    make_cases_world(db)
    # Given a report, and another 90 m east of it (Shantou, Shanghai, Harbin latitudes)
    import math

    east = 90 / (111_320 * math.cos(math.radians(lat)))
    first = report(db, point=(116.705, lat), phone="13900001111")
    second = report(db, point=(116.705 + east, lat), phone="13900002222")
    # Then the second is held as a likely duplicate of the first
    from gridgov.cases import service as cases

    with db.session() as session:
        stored = session.get(Case, second.id)
        assert stored is not None
        found = cases.likely_duplicates(session, stored, now=FIXED_NOW)
    assert [c.id for c in found] == [first.id]


def _reports_at_one_spot(db: Database, count: int, start: int) -> None:
    """``count`` reports of litter at the same point: after the first, each waits for the
    dispatcher as a likely duplicate of all the others."""
    for n in range(start, start + count):
        report(db, text=f"门口垃圾又堆起来了（{n}）", phone=f"1390000{n:04d}")


def test_the_new_reports_list_runs_as_many_queries_for_20_duplicates_as_for_2(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    page_login(client, "lin.dispatch")
    # Given three reports at one spot, the dispatcher's queue of new reports
    _reports_at_one_spot(db, 3, 0)
    client.get("/cases?view=new", headers=EN)
    with count_queries(db) as few:
        first = client.get("/cases?view=new", headers=EN)
    # When eighteen more arrive at the same spot
    _reports_at_one_spot(db, 18, 3)
    client.get("/cases?view=new", headers=EN)
    with count_queries(db) as many:
        second = client.get("/cases?view=new", headers=EN)
    # Then each row names its likely duplicates, after the same statements, in one
    # transaction (the page's session; the unread badge reads in it too)
    assert first.status_code == second.status_code == 200
    # (the first report was filed at once; each later one waits, near all the others)
    assert first.text.count("Possibly the same as") == 2 * 2
    assert second.text.count("Possibly the same as") == 20 * 20
    # (the cases, their duplicates, the unread badge, the names of their grids)
    assert many.count == few.count <= 4, many.statements
    assert many.transactions == few.transactions == 1


def test_the_case_page_reads_in_one_transaction_and_the_organisations_once(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    page_login(client, "lin.dispatch")
    # Given a report with a likely duplicate, waiting for the dispatcher
    report(db)
    case = report(db, text="门口垃圾又堆起来了", phone="13900001111")
    client.get(f"/cases/{case.id}", headers=EN)
    # When the dispatcher opens it
    with count_queries(db) as opened:
        page = client.get(f"/cases/{case.id}", headers=EN)
    # Then the page is read in one session, the units of its place once
    assert page.status_code == 200
    assert "Possible duplicates" in page.text
    assert opened.transactions == 1
    organisations = [s for s in opened.statements if "FROM organisation" in s]
    assert len(organisations) == 1, organisations
    # with the names of its grid and office, and the place form's grids (one query)
    assert opened.count <= 8, opened.statements


def test_an_intake_runs_a_bounded_number_of_statements(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    headers = bearer(client, "chen.worker")
    body = {"description": "小区门口垃圾堆了三天没人清理", "lon": 116.705, "lat": 23.29}
    assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 201
    # When a second report arrives at the same spot (a likely duplicate: the most work)
    with count_queries(db) as filed:
        second = client.post(
            "/api/v1/cases",
            json={**body, "description": "门口垃圾又堆起来了", "reporter_phone": "13900001111"},
            headers=headers,
        )
    # Then it is filed, located, screened, audited and told to the reporter in one
    # transaction of a bounded number of statements: the rate limit's count and hit (one
    # INSERT ... SELECT that adds the hit only while the bucket has room), the
    # flood count, the case, the duplicate search, the events, the messages, the audit
    # chain. Intake writes its events and its messages with one executemany per table
    # on SQLite, in one statement together on PostgreSQL, which also writes the audit
    # rows with the new head in one statement. One more when the territory's version is
    # due for its check (territory.get_locator).
    assert second.status_code == 201, second.text
    assert filed.transactions == 1
    most = {"postgresql": 7, "sqlite": 9}[db.dialect] + 1
    assert filed.count <= most, filed.statements


def test_a_report_routed_at_once_runs_a_bounded_number_of_statements(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    headers = bearer(client, "chen.worker")
    body = {"description": "小区门口垃圾堆了三天没人清理", "lon": 116.705, "lat": 23.29}
    assert client.post("/api/v1/cases", json=body, headers=headers).status_code == 201
    # When a report nothing holds back arrives far from the first (no likely duplicate)
    with count_queries(db) as filed:
        routed = client.post(
            "/api/v1/cases",
            json={**body, "lat": 23.30, "reporter_phone": "13900001111"},
            headers=headers,
        )
    # Then it is filed, accepted and assigned in one transaction: the rate limit, the
    # flood count, the case, the duplicate search, the assignment (one INSERT: its id
    # names the unstaffed notice, so nothing is flushed for it), the events, the
    # messages and the case's one UPDATE for both steps (on SQLite an executemany per
    # table and the UPDATE; on PostgreSQL one statement), the audit chain; one more for
    # a department's lookup, one for the territory's version check.
    assert routed.status_code == 201, routed.text
    assert routed.json()["state"] == "assigned", routed.json()
    assert filed.transactions == 1
    most = {"postgresql": 8, "sqlite": 11}[db.dialect] + 2
    assert filed.count <= most, filed.statements
