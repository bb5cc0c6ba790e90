"""The registry's lists (residents, households, organisations; pages and API) run a number
of queries that does not grow with their rows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from gridgov.db import Database
from gridgov.registry.models import Household, Organisation, Resident
from tests.conftest import FIXED_NOW
from tests.factories import bearer, make_territory, make_user, page_login
from tests.querycount import assert_constant_queries

GRID = "44051200100101"
COMMUNITY = "440512001001"


def _households(db: Database, count: int, start: int) -> list[int]:
    with db.transaction() as session:
        return list(
            session.execute(
                insert(Household).returning(Household.id),
                [
                    {
                        "number": f"QC-{start + n:04d}",
                        "address": f"青篮路{start + n}号",
                        "grid_code": GRID,
                    }
                    for n in range(count)
                ],
            ).scalars()
        )


def _residents(db: Database, count: int, start: int) -> None:
    households = _households(db, count, start + 10_000)
    with db.transaction() as session:
        session.execute(
            insert(Resident),
            [
                {
                    "name": f"居民{start + n}",
                    "doc_type": "mainland_id",
                    "id_number_enc": b"sealed",
                    "id_number_index": f"index-{start + n}",
                    "id_number_masked": "4405**********0012",
                    "phone_masked": "139****0000",
                    "household_id": household_id,
                    "relation": "householder",
                    "tags": "elderly",
                    "grid_code": GRID,
                    "created_at": FIXED_NOW,
                }
                for n, household_id in enumerate(households)
            ],
        )


def _organisations(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        parent = session.execute(
            insert(Organisation).returning(Organisation.id),
            [
                {
                    "code": f"P{start}",
                    "name": "上级党委",
                    "kind": "party_committee",
                    "region_code": COMMUNITY,
                }
            ],
        ).scalar_one()
        session.execute(
            insert(Organisation),
            [
                {
                    "code": f"O{start + n:05d}",
                    "name": f"组织{start + n}",
                    "kind": "party_branch",
                    "parent_id": parent,
                    "region_code": COMMUNITY,
                }
                for n in range(count)
            ],
        )


ADDERS: dict[str, Callable[[Database, int, int], object]] = {
    "residents": _residents,
    "households": _households,
    "organisations": _organisations,
}


@pytest.mark.parametrize("kind", ["residents", "households", "organisations"])
@pytest.mark.parametrize("page", [True, False], ids=["page", "api"])
def test_a_registry_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database, client: TestClient, kind: str, page: bool
) -> None:
    # Given a grid worker of the district
    make_territory(db)
    make_user(db, "qc.worker", "grid_worker", "440512")
    if page:
        page_login(client, "qc.worker")
        path, headers = f"/registry/{kind}", {}
    else:
        path, headers = f"/api/v1/{kind}?limit=200", bearer(client, "qc.worker")
    # When the list has 10 rows, then 100, the same number of queries answers it
    assert_constant_queries(
        db, client, path, lambda count, start: ADDERS[kind](db, count, start), headers
    )
