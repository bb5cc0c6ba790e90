"""Rate-limit hits, kept in the database so that every app instance counts the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Row, UTCDateTime


class RateHit(Row):
    """One counted write in a bucket (``report:ip:203.0.113.9``, ``rating:case:17``)."""

    __tablename__ = "rate_hit"
    __table_args__ = (Index("ix_rate_hit_bucket_at", "bucket", "at"),)

    bucket: Mapped[str] = mapped_column(String(160))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
