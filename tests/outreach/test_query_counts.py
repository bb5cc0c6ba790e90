"""The contact schemes list (the outreach home page) runs a number of queries that does not
grow with its rows."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import insert

from gridgov.db import Database
from gridgov.outreach.models import ContactScheme
from tests.conftest import FIXED_NOW
from tests.factories import make_territory, make_user, page_login
from tests.querycount import assert_constant_queries


def _schemes(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(ContactScheme),
            [
                {
                    "region_code": "440512001001",
                    "name": f"党员联户第{start + n}期",
                    "groups": 4,
                    "size_low": 10,
                    "size_high": 15,
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        )


def test_the_schemes_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient
) -> None:
    # Given the street's leader
    make_territory(db)
    make_user(db, "qc.leader", "leader", "440512")
    page_login(client, "qc.leader")
    # When 10 schemes exist, then 100, the same number of queries lists them
    assert_constant_queries(
        db, client, "/outreach", lambda count, start: _schemes(db, count, start)
    )
