"""Rate limits counted in the database, on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from gridgov.db import Database
from gridgov.errors import TooManyRequests
from gridgov.guard.rules import PER_SOURCE, PER_TARGET, Write
from gridgov.guard.service import check_rate, forget_old_hits, set_limit_factor
from tests.conftest import FIXED_NOW


def test_a_source_is_refused_past_its_limit_until_the_window_moves_on(db: Database) -> None:
    limit = PER_SOURCE[Write.OBJECTION]
    with db.transaction() as session:
        for _ in range(limit.count):
            check_rate(session, write=Write.OBJECTION, source="203.0.113.9", now=FIXED_NOW)
    with pytest.raises(TooManyRequests) as refused, db.transaction() as session:
        check_rate(session, write=Write.OBJECTION, source="203.0.113.9", now=FIXED_NOW)
    assert int(refused.value.headers["Retry-After"]) == int(limit.window.total_seconds())
    with db.transaction() as session:  # another address is not affected
        check_rate(session, write=Write.OBJECTION, source="198.51.100.1", now=FIXED_NOW)
    later = FIXED_NOW + limit.window + timedelta(seconds=1)
    with db.transaction() as session:
        check_rate(session, write=Write.OBJECTION, source="203.0.113.9", now=later)


def test_a_target_is_protected_from_many_addresses(db: Database) -> None:
    limit = PER_TARGET[Write.RATING]
    with db.transaction() as session:
        for n in range(limit.count):
            check_rate(
                session, write=Write.RATING, source=f"203.0.113.{n}", target="17", now=FIXED_NOW
            )
    with pytest.raises(TooManyRequests), db.transaction() as session:
        check_rate(session, write=Write.RATING, source="192.0.2.1", target="17", now=FIXED_NOW)
    with db.transaction() as session:
        # one hit per source and one per target for each accepted rating
        assert forget_old_hits(session, before=FIXED_NOW + timedelta(days=2)) == 2 * limit.count


@pytest.fixture
def doubled_limits() -> Iterator[None]:
    set_limit_factor(2.0)
    yield
    set_limit_factor(1.0)


def test_the_limit_factor_lets_a_hotline_centre_file_more(
    db: Database, doubled_limits: None
) -> None:
    # given GRIDGOV_RATE_LIMIT_FACTOR=2: an operator may file twice the staff limit
    limit = PER_SOURCE[Write.REPORT_STAFF]
    with db.transaction() as session:
        for _ in range(2 * limit.count):
            check_rate(session, write=Write.REPORT_STAFF, source="user:7", now=FIXED_NOW)
    # and no more
    with pytest.raises(TooManyRequests), db.transaction() as session:
        check_rate(session, write=Write.REPORT_STAFF, source="user:7", now=FIXED_NOW)
