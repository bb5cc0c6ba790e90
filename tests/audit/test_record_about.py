"""record_about: an audit row about one domain row names its type, id and region."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from sqlalchemy import select

from gridgov.audit import service as audit
from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM

FIELDS = ("actor", "role", "action", "object_type", "object_id", "region_code", "summary")


@dataclass
class Pledge:
    """A row whose audit type is its actions' prefix."""

    id: int
    region_code: str | None


@dataclass
class Meeting:
    """A row audited under another prefix's actions, so it declares its type."""

    audit_type: ClassVar[str] = "meeting"
    id: int
    region_code: str | None


@dataclass
class ServicePoint:
    id: str
    region_code: str | None


def _rows(db: Database) -> list[dict[str, Any]]:
    with db.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        return [{name: getattr(event, name) for name in FIELDS} for event in events]


def test_the_row_is_the_one_record_writes_with_the_prefix_as_type(db: Database) -> None:
    # given a pledge in a grid
    pledge = Pledge(id=42, region_code="440512001001")
    summary = {"title": "修路灯", "kind": "offer"}
    # when one transaction records its posting both ways
    with db.transaction() as session:
        audit.record_about(session, SYSTEM, "pledge.posted", pledge, now=FIXED_NOW, summary=summary)
        audit.record(
            session,
            actor=SYSTEM,
            action="pledge.posted",
            object_type="pledge",
            object_id=42,
            region_code="440512001001",
            now=FIXED_NOW,
            summary=summary,
        )
    # then the two rows are the same
    about, explicit = _rows(db)
    assert about == explicit
    assert about["object_type"] == "pledge"
    assert about["object_id"] == "42"
    assert about["region_code"] == "440512001001"


def test_a_declared_type_wins_over_the_prefix(db: Database) -> None:
    # given a meeting, whose actions are named "deliberation.*"
    meeting = Meeting(id=7, region_code="440512001")
    # when its sign-in is recorded
    with db.transaction() as session:
        audit.record_about(session, SYSTEM, "deliberation.signed_in", meeting, now=FIXED_NOW)
    # then the row names the meeting, not the prefix
    (row,) = _rows(db)
    assert row["object_type"] == "meeting"
    assert row["object_id"] == "7"
    assert row["region_code"] == "440512001"
    assert row["summary"] == "{}"


def test_a_text_id_and_no_region_are_kept_as_they_are(db: Database) -> None:
    # given a service point named by its code, in no region
    point = ServicePoint(id="HJ-0001", region_code=None)
    # when its closing is recorded
    with db.transaction() as session:
        audit.record_about(session, SYSTEM, "service_point.closed", point, now=FIXED_NOW)
    # then the row has the code as its id, no region, and the chain verifies
    (row,) = _rows(db)
    assert (row["object_type"], row["object_id"], row["region_code"]) == (
        "service_point",
        "HJ-0001",
        None,
    )
    with db.session() as session:
        assert audit.verify(session).ok


def test_the_type_comes_from_the_class_or_the_first_part_of_the_action() -> None:
    assert audit.audit_type(Pledge(1, None), "pledge.status.changed") == "pledge"
    assert audit.audit_type(Meeting(1, None), "deliberation.ballot_cast") == "meeting"


def test_an_entry_about_a_region_names_its_code_as_id_and_region(db: Database) -> None:
    # given a grid, and the district it lies in
    summary = {"categories": ["road.light"]}
    # when the grid's matters list and the district's demo are recorded
    with db.transaction() as session:
        audit.record_region(
            session, SYSTEM, "grid_matters.set", "440512001001", now=FIXED_NOW, summary=summary
        )
        audit.record_region(
            session, SYSTEM, "demo.built", "440512", object_type="district", now=FIXED_NOW
        )
    # then each row names the region by its code, as object and as region
    grid, district = _rows(db)
    assert (grid["object_type"], grid["object_id"], grid["region_code"]) == (
        "region",
        "440512001001",
        "440512001001",
    )
    assert grid["summary"] == '{"categories":["road.light"]}'
    assert (district["object_type"], district["object_id"], district["region_code"]) == (
        "district",
        "440512",
        "440512",
    )
