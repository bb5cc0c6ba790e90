"""Installation settings kept in the database (``app_setting``): demo mode and the like.

Unlike ``config.Settings`` these are shared by every app instance and change at run time.
"""

from __future__ import annotations

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gridgov.db import Base

DEMO_MODE = "demo_mode"


class AppSetting(Base):
    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def get(session: Session, key: str) -> str | None:
    return session.scalar(select(AppSetting.value).where(AppSetting.key == key))


def put(session: Session, key: str, value: str) -> None:
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value


def demo_mode(session: Session) -> bool:
    return get(session, DEMO_MODE) == "on"
