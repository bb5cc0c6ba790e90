"""The register: buildings, households, residents, organisations and people's roles.

Every row carries the code of the region it belongs to (a grid for buildings,
households and residents), which is what scopes are matched against. Residents' ID
numbers and phones are stored encrypted, blind-indexed and masked (gridgov.fields).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import GridPlaced, Row, UTCDateTime, enum_check
from gridgov.registry.rules import OrgKind, PersonRole, Relation, Sex


class Building(Row):
    __tablename__ = "building"

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(256))
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)


class Household(Row):
    """A household (户) at an address, in a grid."""

    __tablename__ = "household"

    number: Mapped[str] = mapped_column(String(32), unique=True)  # 户号
    address: Mapped[str] = mapped_column(String(256))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("building.id"), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    grid_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)


class Resident(GridPlaced, Row):
    __tablename__ = "resident"
    __table_args__ = (
        CheckConstraint(enum_check("sex", Sex), name="sex"),
        CheckConstraint(enum_check("relation", Relation), name="relation"),
        Index("ix_resident_grid_code_name", "grid_code", "name"),
    )

    name: Mapped[str] = mapped_column(String(128))
    doc_type: Mapped[str] = mapped_column(String(32))
    id_number_enc: Mapped[bytes] = mapped_column(LargeBinary)
    id_number_index: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(32))
    phone_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(8))
    nationality: Mapped[str] = mapped_column(String(3), default="CHN")  # ISO 3166 alpha-3
    language: Mapped[str | None] = mapped_column(String(16))  # BCP 47, e.g. zh-Hant, ko
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(16))
    tags: Mapped[str] = mapped_column(String(256), default="")  # comma-separated Tag values
    grid_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Organisation(Row):
    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(enum_check("kind", OrgKind), name="kind"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(24), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)
    macau_funded: Mapped[bool] = mapped_column(Boolean, default=False)
    credit_code: Mapped[str | None] = mapped_column(String(18))  # 统一社会信用代码
    note: Mapped[str] = mapped_column(Text, default="")


class PersonRoleRow(Row):
    """A role a resident holds: grid worker, party member, central household, volunteer,
    deliberation representative; where, in which organisation, since when."""

    __tablename__ = "person_role"
    __table_args__ = (
        CheckConstraint(enum_check("role", PersonRole), name="role"),
        Index("ix_person_role_region_code_role", "region_code", "role"),
    )

    resident_id: Mapped[int] = mapped_column(ForeignKey("resident.id"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    since: Mapped[date | None] = mapped_column(Date)
    full_time: Mapped[bool] = mapped_column(Boolean, default=False)
