"""Enterprise service desk tables: service records under the seven priorities, an
enterprise's requests and their handling, and a party organisation's brand
(一支部一品牌).

An enterprise is an organisation of the register (kind ``enterprise``; some
``macau_funded``). Each row carries the region code it is scoped by: a record's and a
request's the enterprise's, a brand's the party organisation's.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.db import Row, UTCDateTime, enum_check
from gridgov.outreach.enterprise_rules import Priority, RequestState


class ServiceRecord(Row):
    """A service an enterprise received under one of the seven priorities."""

    __tablename__ = "enterprise_service"
    __table_args__ = (
        CheckConstraint(enum_check("priority", Priority), name="priority"),
        Index("ix_enterprise_service_enterprise_on", "enterprise_id", "served_on"),
    )

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    priority: Mapped[str] = mapped_column(String(24))
    served_on: Mapped[date] = mapped_column(Date, index=True)
    served_by: Mapped[str] = mapped_column(String(64))  # the staff account's username
    done: Mapped[str] = mapped_column(Text)  # what was done
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EnterpriseRequest(Row):
    """An enterprise's ask under a priority: received, accepted, resolved or declined
    with a reply; due a number of days after receipt by its priority."""

    __tablename__ = "enterprise_request"
    __table_args__ = (
        CheckConstraint(enum_check("priority", Priority), name="priority"),
        CheckConstraint(enum_check("state", RequestState), name="state"),
        Index("ix_enterprise_request_region_state", "region_code", "state"),
    )

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(18))
    priority: Mapped[str] = mapped_column(String(24))
    ask: Mapped[str] = mapped_column(Text)
    received_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[str] = mapped_column(String(64))
    accepted_by: Mapped[str | None] = mapped_column(String(64))
    accepted_on: Mapped[date | None] = mapped_column(Date)
    # The party organisation that took the request on (its brand counts it resolved).
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str | None] = mapped_column(String(64))
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Brand(Row):
    """A party organisation's brand (一支部一品牌): name, slogan, description; shown at
    ``/brand/{code}`` once published."""

    __tablename__ = "party_brand"

    branch_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    region_code: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    slogan: Mapped[str] = mapped_column(String(128), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
