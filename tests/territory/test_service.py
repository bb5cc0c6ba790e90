"""Regions on both engines: validation and scoped reads."""

from __future__ import annotations

import pytest

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.errors import Conflict, InvalidInput, NotFound
from gridgov.territory import service as territory
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, make_district

DAHAO = Actor(username="dahao.admin", role="admin", user_id=1, scope="440512001")


def test_lists_only_the_scope(db: Database) -> None:
    make_district(db)
    with db.session() as session:
        codes = [r.code for r in territory.list_regions(session, viewer=DAHAO)]
        assert codes == ["440512001", "440512001001"]
        with pytest.raises(NotFound):
            territory.get_region(session, code="440512002", viewer=DAHAO)


@pytest.mark.parametrize(
    ("code", "level", "parent", "error"),
    [
        pytest.param("440512", "district", None, Conflict, id="duplicate"),
        pytest.param("440512003", "street", "440512009", InvalidInput, id="missing-parent"),
        pytest.param("440512003", "county", "440512", InvalidInput, id="unknown-level"),
    ],
)
def test_bad_regions_are_refused(
    db: Database, code: str, level: str, parent: str | None, error: type[Exception]
) -> None:
    make_district(db)
    with pytest.raises(error), db.transaction() as session:
        territory.do_create_region(
            session,
            actor=SYSTEM,
            code=code,
            name="新街道",
            level=level,
            parent_code=parent,
            now=FIXED_NOW,
        )
