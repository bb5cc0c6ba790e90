"""Rate limits on writes, counted in the database (every instance sees the same hits).

``check_rate`` refuses with 429 and ``Retry-After`` when a bucket is full; otherwise it
inserts the hit (in the same statement as the count) in the caller's transaction, so a
write that fails and rolls back is not counted.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from gridgov.db import run_statement
from gridgov.errors import TooManyRequests
from gridgov.guard.models import RateHit
from gridgov.guard.rules import PER_SOURCE, PER_TARGET, Limit, Write

KEEP_HITS = timedelta(days=1)  # longer than every window in the table
CLEANUP_ODDS = 200
_factor = 1.0
RATE_HIT: Table = RateHit.__table__  # type: ignore[assignment]


def set_limit_factor(factor: float) -> None:
    """Multiply every limit's count by ``factor`` (``Settings.rate_limit_factor``), once
    at start-up like the office timezone."""
    global _factor
    _factor = max(1.0, factor)


# The count and the hit in one statement: the row goes in only while the bucket has
# room, so a refused request records no hit (one round trip less per counted write).
# Built once (every write counts through it): its cache key is worked out once, not per
# request. RETURNING, not rowcount: psycopg reports -1 for an INSERT ... SELECT here.
def _add_hit_statement() -> Any:
    counted = (
        select(func.count())
        .where(RATE_HIT.c.bucket == bindparam("bucket"), RATE_HIT.c.at > bindparam("since"))
        .scalar_subquery()
    )
    return (
        insert(RATE_HIT)
        .from_select(
            ["bucket", "at"],
            select(
                bindparam("bucket", type_=RATE_HIT.c.bucket.type),
                bindparam("at", type_=RATE_HIT.c.at.type),
            ).where(counted < bindparam("room")),
        )
        .returning(RATE_HIT.c.id)
    )


_ADD_HIT = _add_hit_statement()


def _hit(session: Session, bucket: str, limit: Limit, now: datetime) -> None:
    since = now - limit.window
    bucket = bucket[:160]
    added = run_statement(
        session.connection(),
        _ADD_HIT,
        {"bucket": bucket, "at": now, "since": since, "room": math.ceil(limit.count * _factor)},
    )
    if added:
        return
    in_window = (RateHit.bucket == bucket, RateHit.at > since)
    oldest = session.execute(select(func.min(RateHit.at)).where(*in_window)).scalar()
    wait = limit.window - (now - oldest) if oldest is not None else limit.window
    seconds = max(1, math.ceil(wait.total_seconds()))
    raise TooManyRequests(
        "Too many requests. Try again later.",
        headers={"Retry-After": str(seconds)},
    )


def check_rate(
    session: Session,
    *,
    write: Write,
    source: str,
    now: datetime,
    target: str | None = None,
) -> None:
    """Count one ``write`` from ``source`` (an address or account) on ``target`` (a case,
    a notice); 429 when either its per-source or its per-target bucket is full."""
    _hit(session, f"{write.value}:src:{source}", PER_SOURCE[write], now)
    if target is not None and write in PER_TARGET:
        _hit(session, f"{write.value}:obj:{target}", PER_TARGET[write], now)
    if secrets.randbelow(CLEANUP_ODDS) == 0:  # now and then, forget hits no window needs
        forget_old_hits(session, before=now - KEEP_HITS)


def forget_old_hits(session: Session, *, before: datetime) -> int:
    """Delete hits older than ``before`` (the sweep keeps the table small)."""
    result = session.execute(delete(RateHit).where(RateHit.at < before))
    return int(getattr(result, "rowcount", 0) or 0)
