"""The service points list (map page and API) runs a number of queries that does not grow
with its rows."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from gridgov.db import Database
from gridgov.services.models import ServicePoint
from tests.conftest import FIXED_NOW
from tests.factories import bearer, make_territory, make_user, page_login
from tests.querycount import assert_constant_queries


def _points(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(ServicePoint),
            [
                {
                    "code": f"SP{start + n:05d}",
                    "name": f"便民服务窗口{start + n}",
                    "kind": "convenience_window",
                    "region_code": "440512001001",
                    "lon": 116.70 + n / 10_000,
                    "lat": 23.36,
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        )


@pytest.mark.parametrize(
    ("path", "page"),
    [
        pytest.param("/services", True, id="page"),
        pytest.param("/api/v1/services/points", False, id="api"),
    ],
)
def test_the_service_points_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient, path: str, page: bool
) -> None:
    # Given the street's leader
    make_territory(db)
    make_user(db, "qc.leader", "leader", "440512")
    headers = {} if page else bearer(client, "qc.leader")
    if page:
        page_login(client, "qc.leader")
    # When 10 service points are open, then 100, the same number of queries lists them
    assert_constant_queries(
        db, client, path, lambda count, start: _points(db, count, start), headers
    )
