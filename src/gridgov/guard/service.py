"""Rate limits on writes, counted in the database (every instance sees the same hits).

``check_rate`` refuses with 429 and ``Retry-After`` when a bucket is full; otherwise it
adds the hit in the caller's transaction, so a write that fails and rolls back is not
counted.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gridgov.errors import TooManyRequests
from gridgov.guard.models import RateHit
from gridgov.guard.rules import PER_SOURCE, PER_TARGET, Limit, Write

KEEP_HITS = timedelta(days=1)  # longer than every window in the table
CLEANUP_ODDS = 200
_factor = 1.0


def set_limit_factor(factor: float) -> None:
    """Multiply every limit's count by ``factor`` (``Settings.rate_limit_factor``), once
    at start-up like the office timezone."""
    global _factor
    _factor = max(1.0, factor)


def _hit(session: Session, bucket: str, limit: Limit, now: datetime) -> None:
    since = now - limit.window
    count, oldest = session.execute(
        select(func.count(), func.min(RateHit.at)).where(
            RateHit.bucket == bucket, RateHit.at > since
        )
    ).one()
    if (count or 0) >= limit.count * _factor:
        wait = limit.window - (now - oldest) if oldest is not None else limit.window
        seconds = max(1, math.ceil(wait.total_seconds()))
        raise TooManyRequests(
            "Too many requests. Try again later.",
            headers={"Retry-After": str(seconds)},
        )
    session.add(RateHit(bucket=bucket[:160], at=now))


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
