"""Rules files (indicator trees, procedures) stored as numbered revisions of their key:
loading a changed text adds a revision, loading the same text again changes nothing,
and whatever was computed or decided under an old revision keeps pointing at it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import TypeVar

from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from gridgov.audit.service import Actor, record
from gridgov.datafiles import DataFileError
from gridgov.db import UTCDateTime
from gridgov.errors import InvalidInput


class StoredRevision:
    """The columns of one revision (a declarative mixin)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(48))
    revision: Mapped[int] = mapped_column(Integer)
    name_zh: Mapped[str] = mapped_column(String(128))
    name_en: Mapped[str] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    loaded_by: Mapped[str] = mapped_column(String(64))


RevisionT = TypeVar("RevisionT", bound=StoredRevision)
RulesT = TypeVar("RulesT")


def shipped_text(package: str, key: str) -> str:
    """The text of the rules file ``key`` shipped in ``package``'s ``data`` folder."""
    return (resources.files(package) / "data" / f"{key}.yaml").read_text("utf-8")


def check_text(load: Callable[[str], RulesT], text: str, refused: str) -> RulesT:
    """``load(text)``; a file with a problem raises InvalidInput with ``refused`` (a
    msgid taking ``line`` and ``reason``) naming the line of the first problem."""
    try:
        return load(text)
    except DataFileError as exc:
        raise InvalidInput(
            refused,
            params={"line": exc.line, "reason": exc.problem.text()},
            details=[exc.problem],
        ) from exc


def latest(session: Session, model: type[RevisionT], key: str) -> RevisionT | None:
    return session.scalars(
        select(model).where(model.key == key).order_by(model.revision.desc()).limit(1)
    ).first()


def do_store(
    session: Session,
    model: type[RevisionT],
    *,
    key: str,
    names: tuple[str, str],
    text: str,
    actor: Actor,
    now: datetime,
    action: str,
) -> RevisionT:
    """Store ``text`` (already validated) as ``key``'s next revision, audited."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    current = latest(session, model, key)
    if current is not None and current.sha256 == digest:
        return current
    row = model()
    row.key, row.revision = key, (current.revision + 1) if current else 1
    row.name_zh, row.name_en = names
    row.source, row.sha256 = text, digest
    row.loaded_at, row.loaded_by = now, actor.username
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action=action,
        object_type=getattr(model, "__tablename__", model.__name__),
        object_id=row.id,
        now=now,
        summary={"key": row.key, "revision": row.revision, "sha256": digest},
    )
    return row
