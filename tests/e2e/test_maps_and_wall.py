"""Maps people can use and the leader's wall (issue 10), in a real browser: the report
map shows the register's buildings once zoomed in and its address box moves the pin;
the resident's map is never blank; the wall view fits 1920×1080 without scrolling."""

from __future__ import annotations

from typing import Any

import pytest

from gridgov.db import Database
from gridgov.registry.models import Building
from tests.e2e.conftest import Phone
from tests.factories import PASSWORD, make_territory, make_user
from tests.indicators.factories import compute_october, make_indicators_world

pytestmark = pytest.mark.e2e
WALL = {"width": 1920, "height": 1080}
REPORT_BUDGET = 100 * 1024


def sign_in(page: Any, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def test_the_address_box_moves_the_pin_and_buildings_show_when_zoomed_in(
    db: Database, phone: Phone
) -> None:
    # Given a district whose register has a building with a name that looks like markup
    make_territory(db)
    with db.transaction() as session:
        session.add(
            Building(
                code="B1",
                name="青篮花园1栋",
                address="青篮路1号",
                lon=116.7052,
                lat=23.2851,
                grid_code="44051200100101",
            )
        )
        session.add(
            Building(
                code="B2",
                name="<b>海景</b>",
                address="青篮路2号",
                lon=116.7054,
                lat=23.2853,
                grid_code="44051200100101",
            )
        )
    page = phone()
    # When a resident opens the report form, no building data comes with the first load
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/report")
    page.locator("#report-map").scroll_into_view_if_needed()  # drawn once it is in view
    page.wait_for_selector("#report-map path")
    assert not any("/report/buildings.json" in url for url in requests)
    # And types the start of the building's name and picks it
    page.fill("#place-q", "青篮花")
    page.click("#place-go")
    page.click("#place-results button:has-text('青篮花园1栋')")
    # Then the pin is on the building, the address is filled, and the map, zoomed in,
    # shows the register's buildings by name, as text
    assert page.input_value("#report-lon") == "116.705200"
    assert page.input_value("#report-lat") == "23.285100"
    assert "青篮花园1栋" in page.input_value("input[name=address]")
    page.wait_for_selector(".building-label:has-text('<b>海景</b>')")
    assert page.locator(".building-label b").count() == 0


def test_the_report_form_stays_light_on_first_load(db: Database, phone: Phone) -> None:
    make_territory(db)
    page = phone()
    page.route("**/*", lambda route: route.continue_())  # no HTTP cache
    page.goto("/report", wait_until="load")
    page.locator("#report-map").scroll_into_view_if_needed()  # the map too, once in view
    page.wait_for_selector("#report-map path")
    weight = page.evaluate(
        """() => performance.getEntries()
            .filter((e) => 'transferSize' in e)
            .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"""
    )
    print(f"/report: {weight} bytes on first load (budget {REPORT_BUDGET})")
    assert 0 < weight <= REPORT_BUDGET


def test_a_residents_map_is_never_blank(db: Database, phone: Phone) -> None:
    # Given a district with grids and a signed-in resident (who has no scope)
    make_territory(db)
    make_user(db, "li.resident", "resident", "440512")
    page = phone()
    sign_in(page, "li.resident")
    # When the resident opens the map, then the district and its grids are drawn
    page.goto("/map")
    page.wait_for_selector("#grid-map path.leaflet-interactive")
    assert page.locator("#grid-map path").count() >= 4
    assert page.locator("#map-empty").is_hidden()


def test_with_nothing_imported_the_map_says_so(db: Database, phone: Phone) -> None:
    make_user(db, "li.resident", "resident", "440512")
    page = phone()
    sign_in(page, "li.resident")
    page.goto("/map")
    assert page.locator("#map-empty").is_visible()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_wall_view_fits_a_1920_by_1080_screen(db: Database, phone: Phone, locale: str) -> None:
    # Given a district with figures, a ranking and a leader
    make_indicators_world(db)
    compute_october(db)
    make_user(db, "zhao.leader", "leader", "440512")
    page = phone(locale=locale, viewport=WALL)
    sign_in(page, "zhao.leader")
    # When the wall view opens on a 1920×1080 screen and its charts and map are drawn
    page.goto("/dashboard?screen=wall")
    page.wait_for_selector("#trend-chart canvas, #trend-chart svg")
    page.wait_for_load_state("networkidle")
    # Then nothing scrolls
    height, width = page.evaluate(
        "() => [document.documentElement.scrollHeight, document.documentElement.scrollWidth]"
    )
    assert height <= WALL["height"], height
    assert width <= WALL["width"], width
