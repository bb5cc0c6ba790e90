"""Build the demo district into an empty database.

Until the territory import lands this is the district alone (濠江区, code 440512) and a
few demo accounts. Their passwords are random, printed once and written to
``<data_dir>/demo-accounts.txt`` (mode 0600): gridgov has no default account.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.territory import service as territory

DISTRICT_CODE = "440512"
DISTRICT_NAME = "濠江区"
DEMO_ACCOUNTS = (
    ("demo-admin", "admin", "演示管理员"),
    ("demo-leader", "leader", "演示领导"),
    ("demo-auditor", "auditor", "演示审计员"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    password: str


def is_empty(db: Database) -> bool:
    with db.session() as session:
        return territory.count_regions(session) == 0


def build(db: Database, *, data_dir: Path, now: datetime) -> list[DemoAccount]:
    """Create the district and the demo accounts in one transaction."""
    actor = Actor.system("demo")
    created: list[DemoAccount] = []
    with db.transaction() as session:
        territory.do_create_region(
            session, actor=actor, code=DISTRICT_CODE, name=DISTRICT_NAME, level="district", now=now
        )
        for username, role, display_name in DEMO_ACCOUNTS:
            password = "demo-" + secrets.token_urlsafe(12)
            accounts.do_create_user(
                session,
                actor=actor,
                username=username,
                role=role,
                scope=DISTRICT_CODE,
                password=password,
                display_name=display_name,
                now=now,
            )
            created.append(DemoAccount(username, role, password))
    _write_credentials(data_dir / "demo-accounts.txt", created)
    return created


def _write_credentials(path: Path, created: list[DemoAccount]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("# gridgov demo accounts (random passwords; demo only)\n")
        for account in created:
            handle.write(f"{account.username}\t{account.role}\t{account.password}\n")
