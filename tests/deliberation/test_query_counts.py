"""The deliberation lists (matters, notices: pages and API; elections, proposals: pages)
run a number of queries that does not grow with their rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from gridgov.db import Database
from gridgov.deliberation import service
from gridgov.deliberation.models import Election, Matter, Notice, Proposal
from tests.conftest import FIXED_NOW
from tests.factories import bearer, make_territory, make_user, page_login
from tests.querycount import assert_constant_queries

VILLAGE = "440512001001"


def _matters(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        service.ensure_shipped_templates(session, now=FIXED_NOW)
        template, procedure = service.get_template(session, "si_yi_liang_gong_kai")
        session.execute(
            insert(Matter),
            [
                {
                    "region_code": VILLAGE,
                    "title": f"村道硬化第{start + n}段",
                    "description": "村民提议硬化村道",
                    "template_id": template.id,
                    "stage_id": procedure.first.id,
                    "state": "open",
                    "created_by": "qc.clerk",
                    "created_at": FIXED_NOW,
                    "updated_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        )


def _notices(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(Notice),
            [
                {
                    "region_code": VILLAGE,
                    "kind": "village_affairs",
                    "title": f"第{start + n}期村务公开",
                    "body": "收支明细",
                    "state": "draft",
                    "posting_days": 7,
                    "objection_days": 7,
                    "created_by": "qc.clerk",
                    "created_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        )


def _elections(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(Election),
            [
                {
                    "region_code": VILLAGE,
                    "title": f"第{start + n}届村民委员会选举",
                    "rules": "",
                    "state": "nomination",
                    "voting_opens_at": FIXED_NOW + timedelta(days=10),
                    "voting_closes_at": FIXED_NOW + timedelta(days=11),
                    "created_by": "qc.clerk",
                    "created_at": FIXED_NOW,
                }
                for n in range(count)
            ],
        )


def _proposals(db: Database, count: int, start: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(Proposal),
            [
                {
                    "region_code": VILLAGE,
                    "title": f"建议增设路灯{start + n}",
                    "body": "村口太暗",
                    "language": "zh_Hans",
                    "author_name": "村民",
                    "created_at": FIXED_NOW,
                    "state": "submitted",
                }
                for n in range(count)
            ],
        )


CASES: list[tuple[str, bool, Callable[[Database, int, int], None]]] = [
    ("/deliberation", True, _matters),
    ("/api/v1/deliberation/matters", False, _matters),
    ("/notices", True, _notices),
    ("/api/v1/notices", False, _notices),
    ("/deliberation/elections", True, _elections),
    ("/deliberation/proposals", True, _proposals),
]


@pytest.mark.parametrize(("path", "page", "add"), CASES, ids=[c[0] for c in CASES])
def test_a_deliberation_list_runs_as_many_queries_for_100_rows_as_for_10(
    db: Database,
    client: TestClient,
    path: str,
    page: bool,
    add: Callable[[Database, int, int], None],
) -> None:
    # Given the village's branch secretary
    make_territory(db)
    make_user(db, "qc.clerk", "branch_secretary", VILLAGE)
    headers = {} if page else bearer(client, "qc.clerk")
    if page:
        page_login(client, "qc.clerk")
    # When the list has 10 rows, then 100, the same number of queries answers it
    assert_constant_queries(db, client, path, lambda count, start: add(db, count, start), headers)
