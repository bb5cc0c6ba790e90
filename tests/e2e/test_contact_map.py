"""The map beside the hand edit of contact groups on a 360 px phone, in a real
browser: the map sits above the form and the page keeps to the screen's width; tapping
a building fills the move form; the move redraws the figures without leaving the page."""

from __future__ import annotations

import re

import pytest

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.outreach import service as outreach
from tests.cases.factories import make_cases_world
from tests.conftest import FIXED_NOW
from tests.e2e.conftest import Phone
from tests.e2e.test_maps_and_wall import sign_in
from tests.factories import make_user
from tests.outreach.factories import buildings_in_a_row

pytestmark = pytest.mark.e2e
GRID = "44051200100101"
SECRETARY = Actor(username="li.secretary", role="branch_secretary", scope="440512001001")
WIDTH = "() => document.documentElement.scrollWidth"


def test_a_building_is_moved_from_the_map_on_a_phone(db: Database, phone: Phone) -> None:
    # Given twelve buildings of four households in a row, cut into four groups
    make_cases_world(db)
    make_user(db, "li.secretary", "branch_secretary", "440512001001")
    buildings_in_a_row(db, 12)
    with db.transaction() as session:
        scheme, _quality = outreach.do_create_scheme(
            session,
            actor=SECRETARY,
            region_code="440512001001",
            name="青篮联系户",
            groups=4,
            now=FIXED_NOW,
        )
        scheme_id = scheme.id
    page = phone()
    sign_in(page, "li.secretary")
    # When the secretary opens the scheme on the phone
    page.goto(f"/outreach/schemes/{scheme_id}?group=1")
    dots = page.locator("#contact-map path.leaflet-interactive")
    dots.nth(11).wait_for()
    # Then each building is a dot, the map is above the form, nothing is wider than 360 px
    assert dots.count() == 12
    assert page.evaluate(WIDTH) <= 360
    map_box = page.locator("#contact-map").bounding_box()
    form_box = page.locator("#move-form").bounding_box()
    assert map_box is not None
    assert form_box is not None
    assert map_box["y"] + map_box["height"] <= form_box["y"]
    assert map_box["width"] > 300
    # When a building is tapped, one of its households goes into the move form
    dots.nth(0).click(force=True)
    number = page.input_value("#move-household")
    assert re.fullmatch(r"QL-\d\d-\d", number)
    assert "QL-" in page.text_content("#group-figures")
    # and it is moved to another group from the form, without leaving the page
    loads = len(page.loads)
    to = "4" if number < "QL-06" else "1"
    page.fill("#move-to", to)
    page.click("#move-form button[type=submit]")
    page.wait_for_function(
        "() => document.getElementById('group-figures').textContent.includes('已调整')"
    )
    # Then the figures are redrawn: two groups out of the 12–12 band now
    page.wait_for_function(
        "() => document.getElementById('scheme-figures').textContent.includes('超出12–12户的组：2')"
    )
    assert len(page.loads) == loads
    assert page.url.endswith(f"?group={to}#edit")
    assert page.evaluate(WIDTH) <= 360
