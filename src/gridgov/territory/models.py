"""The region tree, its geometry, and the chat groups bound to grids."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base, Row, enum_check
from gridgov.territory.rules import GridKind, Level


class Region(Row):
    """A district, street, community, grid or micro-grid, addressed by its code.

    Geometry is stored portably as WKB (WGS84 lon/lat) with its bounding box, centroid
    and area beside it, so both engines can filter without a spatial extension.
    """

    __tablename__ = "region"
    __table_args__ = (
        CheckConstraint(enum_check("level", Level), name="level"),
        CheckConstraint(enum_check("kind", GridKind), name="kind"),
    )

    code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    # Grids: comprehensive (全科网格) or dedicated (专属网格: a park, an industrial zone).
    kind: Mapped[str] = mapped_column(String(16), default=GridKind.COMPREHENSIVE.value)
    geometry: Mapped[bytes | None] = mapped_column(LargeBinary)
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    centroid_lon: Mapped[float | None] = mapped_column(Float)
    centroid_lat: Mapped[float | None] = mapped_column(Float)
    area_m2: Mapped[float | None] = mapped_column(Float)


class TerritoryVersion(Base):
    """One row; bumped by every territory change so each app instance knows to rebuild
    its in-memory locator."""

    __tablename__ = "territory_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer)


class ChatGroup(Row):
    """A grid's chat group (WeCom, WeChat, DingTalk…): its binding decides the grid of a
    message posted there."""

    __tablename__ = "chat_group"
    __table_args__ = (
        CheckConstraint("platform IN ('wecom', 'wechat', 'dingtalk', 'other')", name="platform"),
    )

    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
