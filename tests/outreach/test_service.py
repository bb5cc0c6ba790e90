"""Contact groups and visits on both engines: a scheme from the register, hand moves
with history, scoped visits, and a visit's opinion turned into a case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gridgov.audit.service import Actor
from gridgov.cases.models import Case
from gridgov.db import Database
from gridgov.errors import NotFound
from gridgov.outreach import service as outreach
from gridgov.outreach import spreadsheets
from gridgov.outreach.models import ContactChange
from gridgov.outreach.rules import OpinionOutcome, VisitKind
from gridgov.registry.models import Building, Household
from tests.cases.factories import make_cases_world
from tests.conftest import FIXED_NOW

GRID = "44051200100101"
OTHER_GRID = "44051200200101"
TODAY = date(2026, 11, 30)
SECRETARY = Actor(username="li.secretary", role="branch_secretary", scope="440512001001")
WORKER = Actor(username="chen.worker", role="grid_worker", scope=GRID)
OUTSIDER = Actor(username="wang.worker", role="grid_worker", scope=OTHER_GRID)


@pytest.fixture
def world(db: Database) -> list[int]:
    """The small territory, the case catalogue, and 60 households of grid 1 in 12
    buildings of five; returns the household ids."""
    make_cases_world(db)
    ids: list[int] = []
    with db.transaction() as session:
        for b in range(12):
            lon, lat = 116.701 + 0.0007 * (b % 4), 23.281 + 0.0006 * (b // 4)
            building = Building(
                code=f"QL-B{b:02d}",
                name=f"{b}号楼",
                address="青篮",
                lon=lon,
                lat=lat,
                grid_code=GRID,
            )
            session.add(building)
            session.flush()
            for unit in range(5):
                household = Household(
                    number=f"QL-{b:02d}-{unit}",
                    address=f"青篮{b}号{unit}房",
                    building_id=building.id,
                    lon=lon,
                    lat=lat,
                    grid_code=GRID,
                )
                session.add(household)
                session.flush()
                ids.append(household.id)
    return ids


def test_a_scheme_groups_whole_buildings_and_keeps_a_history_of_hand_moves(
    db: Database, world: list[int]
) -> None:
    # Given the community's 60 households, cut into 6 groups
    with db.transaction() as session:
        scheme, quality = outreach.do_create_scheme(
            session,
            actor=SECRETARY,
            region_code="440512001001",
            name="青篮联系户",
            groups=6,
            now=FIXED_NOW,
        )
        scheme_id = scheme.id
    assert quality.buildings_split == 0
    assert (quality.smallest, quality.largest) == (10, 10)
    # When the secretary moves one household by hand to group 6
    with db.transaction() as session:
        scheme = outreach.get_scheme(session, scheme_id=scheme_id, viewer=SECRETARY)
        before = outreach.placements(session, scheme)
        target = 6 if before[world[0]] != 6 else 5
        outreach.do_move_household(
            session,
            actor=SECRETARY,
            scheme=scheme,
            household_id=world[0],
            to_number=target,
            now=FIXED_NOW,
        )
    # Then its whole building goes along, and each move is in the history
    with db.session() as session:
        scheme = outreach.get_scheme(session, scheme_id=scheme_id, viewer=SECRETARY)
        after = outreach.placements(session, scheme)
        assert all(after[h] == target for h in world[:5])
        hand = session.scalars(select(ContactChange).where(ContactChange.reason == "hand")).all()
        assert sorted(c.household_id for c in hand) == sorted(world[:5])
        assert spreadsheets.export_xlsx(session, scheme)[:2] == b"PK"


def test_a_scheme_outside_ones_scope_is_not_found(db: Database, world: list[int]) -> None:
    with db.transaction() as session, pytest.raises(NotFound):
        outreach.do_create_scheme(
            session,
            actor=OUTSIDER,
            region_code="440512001001",
            name="x",
            groups=6,
            now=FIXED_NOW,
        )


def test_a_visit_is_scoped_and_its_opinion_becomes_a_linked_case(
    db: Database, world: list[int]
) -> None:
    # Given a worker of grid 1 and a worker of another grid
    with db.transaction() as session, pytest.raises(NotFound):
        outreach.do_record_visit(
            session,
            actor=OUTSIDER,
            household_id=world[3],
            visited_on=TODAY,
            kind=VisitKind.HOME,
            heard="楼道灯坏了",
            now=FIXED_NOW,
            today=TODAY,
        )
    # When the grid's own worker logs a visit and turns what was heard into a case
    with db.transaction() as session:
        visit = outreach.do_record_visit(
            session,
            actor=WORKER,
            household_id=world[3],
            visited_on=TODAY,
            kind=VisitKind.HOME,
            heard="小区门口路灯坏了一个月，晚上很黑",
            now=FIXED_NOW,
            today=TODAY,
        )
        case_id = outreach.do_visit_to_case(session, actor=WORKER, visit=visit, now=FIXED_NOW)
        visit_id = visit.id
    # Then the case exists in the grid, and the visit keeps the link
    with db.session() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert case.grid_code == GRID
        assert case.source == f"visit:{visit_id}"
        visit = outreach.get_visit(session, visit_id=visit_id, viewer=WORKER)
        assert visit.case_id == case_id
        assert visit.outcome == OpinionOutcome.CASE.value
        with pytest.raises(NotFound):
            outreach.get_visit(session, visit_id=visit_id, viewer=OUTSIDER)
        assert [v.id for v in outreach.list_visits(session, viewer=OUTSIDER)] == []


def test_households_not_visited_in_the_period_are_listed(db: Database, world: list[int]) -> None:
    with db.transaction() as session:
        scheme, _ = outreach.do_create_scheme(
            session,
            actor=SECRETARY,
            region_code="440512001001",
            name="青篮",
            groups=6,
            now=FIXED_NOW,
        )
        outreach.do_record_visit(
            session,
            actor=WORKER,
            household_id=world[0],
            visited_on=TODAY - timedelta(days=10),
            kind=VisitKind.PHONE,
            heard="",
            now=FIXED_NOW,
            today=TODAY,
        )
        outreach.do_record_visit(
            session,
            actor=WORKER,
            household_id=world[1],
            visited_on=TODAY - timedelta(days=200),
            kind=VisitKind.HOME,
            heard="",
            now=FIXED_NOW,
            today=TODAY,
        )
        missing = {h for h, _ in outreach.not_visited(session, scheme=scheme, today=TODAY)}
        assert world[0] not in missing
        assert world[1] in missing
        assert len(missing) == 59
        assert outreach.visit_coverage(session, region_code="440512001001", today=TODAY) == round(
            1 / 60, 4
        )


def test_visit_coverage_feeds_the_indicator_counts(db: Database, world: list[int]) -> None:
    from zoneinfo import ZoneInfo

    from gridgov.indicators import service as indicators
    from gridgov.indicators.rules import PeriodKind, parse_period

    with db.transaction() as session:
        outreach.do_create_scheme(
            session,
            actor=SECRETARY,
            region_code="440512001001",
            name="青篮",
            groups=6,
            now=FIXED_NOW,
        )
        for household, day in ((world[0], date(2026, 11, 1)), (world[1], date(2026, 10, 31))):
            outreach.do_record_visit(
                session,
                actor=WORKER,
                household_id=household,
                visited_on=day,
                kind=VisitKind.HOME,
                heard="",
                now=FIXED_NOW,
                today=TODAY,
            )
        start, end = parse_period(PeriodKind.MONTH, "2026-11").bounds(ZoneInfo("Asia/Shanghai"))
        counts = indicators.count(
            session,
            ["households_grouped", "households_visited", "visits_made"],
            start=start,
            end=end,
            now=FIXED_NOW,
        )
    # November's visit counts, October's does not; all 60 households are grouped
    assert counts.by_region[GRID]["households_grouped"] == 60
    assert counts.by_region[GRID]["households_visited"] == 1
    assert counts.by_region["440512001001"]["visits_made"] == 1


def test_an_edited_spreadsheet_loads_back_all_or_nothing(db: Database, world: list[int]) -> None:
    import io

    from openpyxl import load_workbook

    from gridgov.errors import InvalidInput

    with db.transaction() as session:
        scheme, _ = outreach.do_create_scheme(
            session,
            actor=SECRETARY,
            region_code="440512001001",
            name="青篮",
            groups=6,
            now=FIXED_NOW,
        )
        exported = spreadsheets.export_xlsx(session, scheme)
        scheme_id = scheme.id
    book = load_workbook(io.BytesIO(exported))
    sheet = book.worksheets[0]
    # Given the office moves the first household to another group in Excel …
    first = sheet.cell(row=2, column=1).value
    new_group = 1 if first != 1 else 2
    sheet.cell(row=2, column=1).value = new_group
    moved_number = sheet.cell(row=2, column=3).value
    good = io.BytesIO()
    book.save(good)
    # … and also types a household number that does not exist
    sheet.cell(row=3, column=3).value = "NO-SUCH"
    bad = io.BytesIO()
    book.save(bad)
    with db.transaction() as session:
        scheme = outreach.get_scheme(session, scheme_id=scheme_id, viewer=SECRETARY)
        with pytest.raises(InvalidInput) as refused:
            spreadsheets.do_import_groups(
                session, actor=SECRETARY, scheme=scheme, data=bad.getvalue(), now=FIXED_NOW
            )
        assert [p.field for p in refused.value.details] == ["row 3"]
        changed = spreadsheets.do_import_groups(
            session, actor=SECRETARY, scheme=scheme, data=good.getvalue(), now=FIXED_NOW
        )
    assert changed == 1
    with db.session() as session:
        scheme = outreach.get_scheme(session, scheme_id=scheme_id, viewer=SECRETARY)
        placed = outreach.placements(session, scheme)
        moved = session.scalars(
            select(ContactChange).where(ContactChange.reason == "imported")
        ).one()
        assert placed[moved.household_id] == new_group
        assert moved.to_number == new_group
        assert str(moved_number).startswith("QL-")
