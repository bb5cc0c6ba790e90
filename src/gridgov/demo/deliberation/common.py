"""What the deliberation scenarios share: the simulated clock, the tally of what was
made, the residents they draw on, the accounts of those who act, and a photographed
sheet of paper."""

from __future__ import annotations

import random
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access
from gridgov.audit.service import Actor, record_about
from gridgov.registry.models import Resident
from gridgov.territory.models import Region

SYSTEM = Actor.system("demo")
DAYS = 120  # the simulated months, as for the demo's cases
DEMO_SECRETARY = "demo-secretary"  # the demo's accounts (gridgov.demo.build)
DEMO_CLERK = "demo-unit"
DEMO_RESIDENT = "demo-resident"


@dataclass(frozen=True)
class Clock:
    """Local days before ``now`` (negative: after it) at a local hour, in UTC."""

    now: datetime
    tz: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def day(self, days_ago: int, hour: int = 9, minute: int = 0) -> datetime:
        local = datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute))
        return local.replace(tzinfo=self.tz).astimezone(UTC)

    def local_date(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    grid_code: str
    birth_date: date | None
    doc_type: str
    nationality: str
    language: str | None


def png(rng: random.Random, width: int = 60, height: int = 84) -> bytes:
    """A small valid PNG: a sheet of paper with a red heading and grey lines of text,
    standing in for the photo of a notice on the board or a signed sheet."""
    rows = bytearray()
    lines = [rng.randint(20, width - 6) for _ in range(height // 6)]
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            if 4 <= y < 9 and 8 <= x < width - 8:
                rows += b"\xc8\x20\x20"  # the red heading
            elif y >= 14 and y % 6 in (0, 1) and 5 <= x < lines[y // 6 % len(lines)]:
                rows += b"\x70\x70\x70"
            else:
                rows += b"\xf6\xf3\xea"

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def account(
    session: Session,
    *,
    username: str,
    role: str,
    scope: str,
    display_name: str,
    now: datetime,
    counts: Counts,
    resident_id: int | None = None,
) -> User:
    """The account of someone who acts in the demo: found, or made with a random
    password nobody is shown (a resident's is linked to their register entry, audited:
    no service links accounts yet)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = accounts.do_create_user(
            session,
            actor=SYSTEM,
            username=username,
            role=role,
            scope=scope,
            password="demo-" + secrets.token_urlsafe(18),
            display_name=display_name,
            now=now,
        )
        counts.add("accounts")
    if resident_id is not None and user.resident_id is None:
        link(session, user, resident_id, now)
    return user


def link(session: Session, user: User, resident_id: int, now: datetime) -> None:
    """Link a resident's account to their register entry, as a grid worker does after
    checking their document (no service does it yet): audited."""
    user.resident_id = resident_id
    session.flush()
    summary = {"resident": resident_id, "checked_by": "demo"}
    record_about(session, SYSTEM, "user.resident_linked", user, now=now, summary=summary)


def existing(session: Session, username: str, role: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    return user if user is not None and user.role == role and user.is_active else None


def staff(
    session: Session,
    *,
    demo: str,
    username: str,
    role: str,
    code: str,
    display_name: str,
    now: datetime,
    counts: Counts,
) -> User:
    """The demo's own account ``demo`` where its role and scope fit ``code``, else an
    account of the community's own."""
    found = existing(session, demo, role)
    if found is not None and may_access(found.scope, code):
        return found
    return account(
        session,
        username=username,
        role=role,
        scope=code,
        display_name=display_name,
        now=now,
        counts=counts,
    )


def residents(session: Session, condition: ColumnElement[bool]) -> list[Person]:
    """The residents matching ``condition``, by id."""
    rows = session.execute(
        select(
            Resident.id,
            Resident.name,
            Resident.grid_code,
            Resident.birth_date,
            Resident.doc_type,
            Resident.nationality,
            Resident.language,
        )
        .where(condition)
        .order_by(Resident.id)
    ).all()
    return [Person(*row) for row in rows]


def people(session: Session, region_code: str) -> list[Person]:
    """The residents of a region's grids, by id."""
    return residents(session, Resident.grid_code.startswith(region_code, autoescape=True))


def age(person: Person, on: date) -> int:
    if person.birth_date is None:
        return -1
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def communities(session: Session) -> list[Region]:
    return list(
        session.scalars(select(Region).where(Region.level == "community").order_by(Region.code))
    )


def count_by_community(session: Session, condition: ColumnElement[bool]) -> dict[str, int]:
    """Residents matching ``condition`` by community (the first 12 digits of the grid)."""
    community = func.substr(Resident.grid_code, 1, 12)
    rows = session.execute(
        select(community, func.count(Resident.id)).where(condition).group_by(community)
    ).all()
    return {str(code): int(n) for code, n in rows}


def grids(session: Session, community: str) -> list[str]:
    return list(
        session.scalars(
            select(Region.code)
            .where(Region.parent_code == community, Region.level == "grid")
            .order_by(Region.code)
        )
    )


def villager_name(session: Session, code: str, rng: random.Random) -> str:
    names = list(
        session.scalars(
            select(Resident.name)
            .where(Resident.grid_code.startswith(code, autoescape=True))
            .order_by(Resident.id)
            .limit(200)
        )
    )
    return rng.choice(names) if names else "居民"
