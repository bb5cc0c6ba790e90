"""Service points, the matters catalogue, service records, walking networks, coverage
snapshots and siting runs.

Networks and snapshots keep their arrays as compressed .npz blobs (LargeBinary): the
same on both engines, read whole when used (ADR 0015).
"""

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

from gridgov.db import Row, UTCDateTime, enum_check
from gridgov.services.rules import NetworkSource, PointKind
from gridgov.services.siting import Method, Solver


class ServicePoint(Row):
    """A party–people service centre, community service station or convenience window."""

    __tablename__ = "service_point"
    __table_args__ = (CheckConstraint(enum_check("kind", PointKind), name="kind"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    address: Mapped[str] = mapped_column(String(256), default="")
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    opening_hours: Mapped[str] = mapped_column(String(256), default="")
    staff: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ServiceMatter(Row):
    """A matter of the catalogue; names and documents in every UI language (JSON)."""

    __tablename__ = "service_matter"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    names: Mapped[str] = mapped_column(Text)  # {"zh_Hans": …, "zh_Hant": …, "en": …}
    documents: Mapped[str] = mapped_column(Text)  # {"zh_Hans": [...], ...}
    department: Mapped[str] = mapped_column(String(128), default="")
    one_trip: Mapped[bool] = mapped_column(Boolean, default=False)
    average_minutes: Mapped[int] = mapped_column(Integer)


class PointMatter(Row):
    """A matter offered at a point."""

    __tablename__ = "service_point_matter"
    __table_args__ = (UniqueConstraint("point_id", "matter_id"),)

    point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("service_matter.id"), index=True)


class ServiceRecord(Row):
    """A matter handled at a window: how many trips the resident made for it and how
    long it took at the window. ``visits == 1`` is "one trip" (最多跑一次)."""

    __tablename__ = "service_record"
    __table_args__ = (
        CheckConstraint("visits >= 1", name="visits"),
        CheckConstraint("minutes >= 0", name="minutes"),
    )

    point_id: Mapped[int] = mapped_column(ForeignKey("service_point.id"), index=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("service_matter.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    handled_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    visits: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[int] = mapped_column(Integer)
    recorded_by: Mapped[str] = mapped_column(String(64))


class WalkNetwork(Row):
    """An imported walking network; the newest active one is used."""

    __tablename__ = "walk_network"
    __table_args__ = (CheckConstraint(enum_check("source", NetworkSource), name="source"),)

    name: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(16))
    nodes: Mapped[int] = mapped_column(Integer)
    edges: Mapped[int] = mapped_column(Integer)
    length_km: Mapped[float] = mapped_column(Float)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))

    @property
    def region_code(self) -> None:
        """Audit entries about a network (``record_about``) name it in no region."""
        return None


class CoverageSnapshot(Row):
    """Walking time from every household to its nearest point, as computed at one
    moment for one network, set of points and threshold; the newest is current."""

    __tablename__ = "coverage_snapshot"
    audit_type: ClassVar[str] = "coverage_snapshot"  # its audited action is "coverage.computed"

    network_id: Mapped[int] = mapped_column(ForeignKey("walk_network.id"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reason: Mapped[str] = mapped_column(String(64))
    minutes: Mapped[float] = mapped_column(Float)
    speed: Mapped[float] = mapped_column(Float)  # metres a minute
    points_digest: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer)
    households: Mapped[int] = mapped_column(Integer)
    covered: Mapped[int] = mapped_column(Integer)
    by_region: Mapped[str] = mapped_column(Text)  # {code: [households, covered]}
    by_point: Mapped[str] = mapped_column(Text)  # {point code: households nearest & covered}
    distances: Mapped[bytes] = mapped_column(LargeBinary)  # .npz: household ids, minutes
    isochrones: Mapped[str] = mapped_column(Text)  # GeoJSON FeatureCollection

    @property
    def region_code(self) -> None:
        """Audit entries about a snapshot name it in no region: it covers every grid."""
        return None


class SitingRun(Row):
    """A siting question asked and its answer, kept to explain and compare."""

    __tablename__ = "siting_run"
    audit_type: ClassVar[str] = "siting_run"  # its audited action is "siting.run"
    __table_args__ = (
        CheckConstraint(enum_check("method", Method), name="method"),
        CheckConstraint(enum_check("solver", Solver), name="solver"),
    )

    region_code: Mapped[str] = mapped_column(String(18), index=True)
    method: Mapped[str] = mapped_column(String(8))
    solver: Mapped[str] = mapped_column(String(8))
    k: Mapped[int] = mapped_column(Integer)
    minutes: Mapped[float] = mapped_column(Float)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("coverage_snapshot.id"), index=True)
    result: Mapped[str] = mapped_column(Text)  # JSON: chosen sites, figures, bound
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(64))
