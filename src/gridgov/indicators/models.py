"""Indicator trees (every revision kept), computed snapshots with each unit's score,
and reviewers' manual assessments."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, Row, UTCDateTime, enum_check
from gridgov.indicators.rules import AssessmentState
from gridgov.revisions import StoredRevision


class IndicatorTree(StoredRevision, Base):
    """One revision of a tree file as an administrator loaded it. Snapshots point at
    the revision they were computed with, so an old ranking keeps its old weights."""

    __tablename__ = "indicator_tree"
    __table_args__ = (UniqueConstraint("key", "revision"),)


class IndicatorSnapshot(Row):
    """A tree computed for a period. Provisional until the period has settled, then
    final: computing a final period again returns these numbers."""

    __tablename__ = "indicator_snapshot"
    audit_type: ClassVar[str] = "indicator_snapshot"  # its audited action is "indicators.computed"
    __table_args__ = (UniqueConstraint("tree_id", "period"),)

    tree_id: Mapped[int] = mapped_column(ForeignKey("indicator_tree.id"), index=True)
    tree_key: Mapped[str] = mapped_column(String(48), index=True)
    period: Mapped[str] = mapped_column(String(8))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    computed_by: Mapped[str] = mapped_column(String(64))
    final: Mapped[bool] = mapped_column(Boolean, default=False)
    digest: Mapped[str] = mapped_column(String(64))  # sha256 of the scores, for comparing

    @property
    def region_code(self) -> None:
        """Audit entries about a snapshot name it in no region: it scores many units."""
        return None


class IndicatorScore(Row):
    """One unit's score in a snapshot; ``detail`` is the scorecard (JSON): every leaf's
    raw value, points and note, and every node's points."""

    __tablename__ = "indicator_score"
    __table_args__ = (UniqueConstraint("snapshot_id", "unit"),)

    snapshot_id: Mapped[int] = mapped_column(ForeignKey("indicator_snapshot.id"), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    unit_name: Mapped[str] = mapped_column(String(128))
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    league: Mapped[str] = mapped_column(String(24))
    total: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(8))
    previous_rank: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text)


class Assessment(Row):
    """A reviewer's score for a manual item of a unit in a period, with evidence; it
    counts once a second reviewer has confirmed it."""

    __tablename__ = "indicator_assessment"
    audit_type: ClassVar[str] = "indicator_assessment"  # its audited actions are "indicators.*"
    __table_args__ = (
        UniqueConstraint("tree_key", "indicator_id", "period", "unit"),
        CheckConstraint(enum_check("state", AssessmentState), name="state"),
    )

    tree_key: Mapped[str] = mapped_column(String(48))
    indicator_id: Mapped[str] = mapped_column(String(48))
    period: Mapped[str] = mapped_column(String(8), index=True)
    unit: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    points: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    attachment: Mapped[bytes | None] = mapped_column(LargeBinary)
    attachment_name: Mapped[str] = mapped_column(String(128), default="")
    attachment_type: Mapped[str] = mapped_column(String(64), default="")
    state: Mapped[str] = mapped_column(String(16))
    scored_by: Mapped[str] = mapped_column(String(64))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
