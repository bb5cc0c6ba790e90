"""The audit list (page and API) runs a number of queries that does not grow with its rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gridgov.audit.service import record
from gridgov.db import Database
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, bearer, make_territory, make_user, page_login
from tests.querycount import assert_constant_queries


def _events(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        for n in range(count):
            record(
                session,
                actor=SYSTEM,
                action="test.counted",
                object_type="case",
                object_id=start + n,
                region_code="44051200100101",
                summary={"note": f"第{start + n}条"},
                now=FIXED_NOW,
            )


@pytest.mark.parametrize(
    ("path", "page"),
    [
        pytest.param("/audit", True, id="page"),
        pytest.param("/api/v1/audit/events", False, id="api"),
    ],
)
def test_the_audit_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient, path: str, page: bool
) -> None:
    # Given an auditor of the district
    make_territory(db)
    make_user(db, "qc.auditor", "auditor", "440512")
    headers = {} if page else bearer(client, "qc.auditor")
    if page:
        page_login(client, "qc.auditor")
    # When the trail holds 10 more rows, then 100, the same number of queries lists them
    assert_constant_queries(
        db, client, path, lambda count, start: _events(db, count, start), headers
    )
