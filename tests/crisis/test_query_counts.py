"""The incidents list (page and API) runs a number of queries that does not grow with its
rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from gridgov.crisis.models import Incident
from gridgov.db import Database
from tests.conftest import FIXED_NOW
from tests.factories import bearer, make_territory, make_user, page_login
from tests.querycount import assert_constant_queries


def _incidents(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(Incident),
            [
                {
                    "title": f"台风防御第{start + n}号",
                    "kind": "typhoon",
                    "level": "level_iv",
                    "region_code": "440512001",
                    "area_codes": "440512001001",
                    "started_at": FIXED_NOW,
                    "created_by": "qc.leader",
                }
                for n in range(count)
            ],
        )


@pytest.mark.parametrize(
    ("path", "page"),
    [pytest.param("/crisis", True, id="page"), pytest.param("/api/v1/incidents", False, id="api")],
)
def test_the_incidents_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient, path: str, page: bool
) -> None:
    # Given the street's leader
    make_territory(db)
    make_user(db, "qc.leader", "leader", "440512")
    headers = {} if page else bearer(client, "qc.leader")
    if page:
        page_login(client, "qc.leader")
    # When 10 incidents are on, then 100, the same number of queries lists them
    assert_constant_queries(
        db, client, path, lambda count, start: _incidents(db, count, start), headers
    )
