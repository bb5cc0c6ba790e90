"""The region tree. Geometry and grid details arrive with the territory import."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Base
from gridgov.territory.rules import Level

LEVEL_CHECK = "level IN (" + ", ".join(f"'{lv.value}'" for lv in Level) + ")"


class Region(Base):
    __tablename__ = "region"
    __table_args__ = (CheckConstraint(LEVEL_CHECK, name="level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(15), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
