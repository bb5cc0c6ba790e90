"""Pure rules of the audit chain: canonical content, row hashes, chain verification.

Each row's hash is ``HMAC(key, prev_hash || canonical(row))`` where the canonical form
includes the row's sequence number, so a changed, deleted, inserted or reordered row
breaks the chain at that row. The key lives outside the database: whoever can write
SQL cannot forge a consistent chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gridgov.errors import Problem

GENESIS = "0" * 64
RETENTION_FLOOR = timedelta(days=180)

CHAINED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "role",
    "action",
    "object_type",
    "object_id",
    "region_code",
    "summary",
    "request_id",
    "ip",
)


def canonical(fields: Mapping[str, Any]) -> bytes:
    """A byte string that is equal for equal rows on every engine and platform."""
    values: dict[str, Any] = {}
    for name in CHAINED_FIELDS:
        value = fields[name]
        if isinstance(value, datetime):
            value = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        values[name] = value
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def chain_hash(key: bytes, prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hmac.new(key, prev_hash.encode() + b"\n" + canonical(fields), hashlib.sha256).hexdigest()


def summary_json(summary: Mapping[str, Any]) -> str:
    return json.dumps(summary, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(
    key: bytes,
    rows: Iterable[Mapping[str, Any]],
    *,
    start_seq: int = 1,
    start_hash: str = GENESIS,
    head: tuple[int, str] | None = None,
) -> tuple[int, ChainBreak | None]:
    """Walk rows in stored order; return how many were checked and the first break.

    ``start_seq``/``start_hash`` let a chain begin after a retention purge; ``head`` is
    the recorded last (seq, hash), which catches rows removed from the end.
    """
    expected_seq = start_seq
    prev_hash = start_hash
    checked = 0
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            if seq > expected_seq:
                reason = f"rows {expected_seq}..{seq - 1} are missing (deleted)"
                return checked, ChainBreak(expected_seq, reason)
            return checked, ChainBreak(seq, "row is out of order or duplicated")
        if row["prev_hash"] != prev_hash:
            return checked, ChainBreak(
                seq, "previous-hash link is broken (a row was inserted, removed or reordered)"
            )
        if chain_hash(key, prev_hash, row) != row["hash"]:
            return checked, ChainBreak(seq, "row content does not match its hash (changed)")
        prev_hash = row["hash"]
        expected_seq += 1
        checked += 1
    if head is not None:
        head_seq, head_hash = head
        last_seq = expected_seq - 1
        if head_seq > last_seq:
            reason = f"rows {last_seq + 1}..{head_seq} are missing from the end (deleted)"
            return checked, ChainBreak(last_seq + 1, reason)
        if head_seq < last_seq:
            return checked, ChainBreak(head_seq + 1, "row was appended outside the application")
        if head_hash != prev_hash:
            return checked, ChainBreak(last_seq, "chain head does not match the last row")
    return checked, None


def purge_cutoff_problem(before: datetime, now: datetime, retention: timedelta) -> Problem | None:
    """Why rows older than ``before`` may not be purged at ``now``; None if they may."""
    floor = max(retention, RETENTION_FLOOR)
    if before > now - floor:
        return Problem(
            "before", "Audit rows younger than %(days)s days are never purged.", days=floor.days
        )
    return None
