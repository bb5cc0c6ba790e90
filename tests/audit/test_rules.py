"""The audit chain's pure rules: any change, deletion, insertion or reordering breaks it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gridgov.audit import rules

KEY = b"k" * 32
T0 = datetime(2026, 11, 29, 1, 0, tzinfo=UTC)


def chain(n: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    prev = rules.GENESIS
    for seq in range(1, n + 1):
        row: dict[str, Any] = {
            "seq": seq,
            "at": T0 + timedelta(minutes=seq),
            "actor_id": 7,
            "actor": "wang.li",
            "role": "admin",
            "action": "user.created",
            "object_type": "user",
            "object_id": str(100 + seq),
            "region_code": "440512001",
            "summary": rules.summary_json({"username": f"user{seq}"}),
            "request_id": f"req{seq:08d}",
            "ip": "198.51.100.10",
        }
        row["prev_hash"] = prev
        row["hash"] = rules.chain_hash(KEY, prev, row)
        prev = row["hash"]
        rows.append(row)
    return rows


def head_of(rows: list[dict[str, Any]]) -> tuple[int, str]:
    return rows[-1]["seq"], rows[-1]["hash"]


def test_an_untouched_chain_verifies() -> None:
    rows = chain(5)
    checked, problem = rules.verify_chain(KEY, rows, head=head_of(rows))
    assert (checked, problem) == (5, None)


def test_a_changed_row_is_named() -> None:
    rows = chain(5)
    head = head_of(rows)
    rows[2]["summary"] = rules.summary_json({"username": "someone-else"})
    _, problem = rules.verify_chain(KEY, rows, head=head)
    assert problem is not None
    assert problem.seq == 3
    assert "changed" in problem.reason


def test_a_deleted_row_is_named() -> None:
    rows = chain(5)
    head = head_of(rows)
    del rows[1]
    _, problem = rules.verify_chain(KEY, rows, head=head)
    assert problem == rules.ChainBreak(2, "rows 2..2 are missing (deleted)")


def test_a_deleted_tail_is_caught_by_the_head() -> None:
    rows = chain(5)
    head = head_of(rows)
    _, problem = rules.verify_chain(KEY, rows[:3], head=head)
    assert problem is not None
    assert problem.seq == 4


def test_an_inserted_row_is_named() -> None:
    rows = chain(5)
    head = head_of(rows)
    forged = dict(rows[2], summary=rules.summary_json({"forged": True}))
    forged["hash"] = "f" * 64
    # shift the rest up by one to make room, as an attacker with SQL would
    tail = [dict(r, seq=r["seq"] + 1) for r in rows[2:]]
    _, problem = rules.verify_chain(KEY, [*rows[:2], forged, *tail], head=head)
    assert problem is not None
    assert problem.seq == 3


def test_reordered_rows_are_named() -> None:
    rows = chain(5)
    head = head_of(rows)
    rows[1], rows[2] = dict(rows[2], seq=2), dict(rows[1], seq=3)
    _, problem = rules.verify_chain(KEY, rows, head=head)
    assert problem is not None
    assert problem.seq == 2


def test_another_key_cannot_verify() -> None:
    rows = chain(2)
    _, problem = rules.verify_chain(b"x" * 32, rows, head=head_of(rows))
    assert problem is not None
    assert problem.seq == 1


def test_canonical_form_ignores_time_zone_representation() -> None:
    row = chain(1)[0]
    shanghai = dict(row, at=row["at"].astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")))
    assert rules.canonical(row) == rules.canonical(shanghai)


@pytest.mark.parametrize(("age_days", "allowed"), [(179, False), (180, True), (400, True)])
def test_rows_younger_than_180_days_are_never_purged(age_days: int, allowed: bool) -> None:
    now = datetime(2026, 11, 29, tzinfo=UTC)
    problem = rules.purge_cutoff_problem(now - timedelta(days=age_days), now, timedelta(days=30))
    assert (problem is None) is allowed
