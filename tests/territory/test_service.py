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


def test_region_names_for_every_region_or_the_codes_asked(db: Database) -> None:
    # Given the district with two streets and two communities
    make_district(db)

    with db.session() as session:
        # When every name is asked, then only some codes (one of them no region), then none
        every = territory.region_names(session)
        some = territory.region_names(session, ["440512001", "440512001001", "440599"])
        none = territory.region_names(session, [])

    # Then each answer names exactly the regions it covers
    assert every == {
        "440512": "濠江区",
        "440512001": "达濠街道",
        "440512002": "广澳街道",
        "440512001001": "青篮社区",
        "440512002001": "东湖社区",
    }
    assert some == {"440512001": "达濠街道", "440512001001": "青篮社区"}
    assert none == {}


def test_regions_at_levels_and_their_levels(db: Database) -> None:
    # Given the district
    make_district(db)

    with db.session() as session:
        # When the streets are listed, one community is looked up, and levels are asked
        streets = territory.regions_at(session, levels=["street"])
        one = territory.regions_at(session, levels=["community"], code="440512002001")
        levels = territory.region_levels(session, ["440512", "440512001001", "nowhere"])
        roots = territory.root_codes(session)

    # Then the answers are the regions of the register, in code order
    assert streets == [
        ("440512001", "达濠街道", "street"),
        ("440512002", "广澳街道", "street"),
    ]
    assert one == [("440512002001", "东湖社区", "community")]
    assert levels == {"440512": "district", "440512001001": "community"}
    assert roots == ["440512"]
