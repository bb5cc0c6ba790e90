"""Fixtures shared by the case tests."""

from __future__ import annotations

import pytest

from gridgov.audit.service import Actor
from gridgov.db import Database
from tests.cases.factories import make_cases_world


@pytest.fixture
def people(db: Database) -> dict[str, Actor]:
    """The cases world (areas, units, staff) by username."""
    return make_cases_world(db)
