"""The demo's people at work (issue 10): an account for every department, street office
and community office, and for every grid, so that the simulated months act through the
account whose job each step is: the grid's worker reports in and resolves, the
department's or office's staff report in and resolve, the dispatcher dispatches and the
community checks. Inserted in bulk with one shared random password (written once, with
the other demo accounts), so the build stays fast.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor, record
from gridgov.cases.models import Case
from gridgov.cases.rules import Level
from gridgov.registry.models import Organisation
from gridgov.territory import service as territory

DEMO_DEPARTMENT = "区城市管理和综合执法局"  # the one-click department account's unit
DEPARTMENT_ACCOUNT = "demo-department"


def secretary_of(code: str) -> str:
    """The username of a community's party secretary in the demo."""
    return f"demo-secretary-{code}"


DISPATCHER = Actor(username="demo-dispatcher", role="dispatcher", scope="440512")


def staff_username(org: Organisation) -> str:
    return "staff-" + org.code.lower()


def worker_username(grid_code: str) -> str:
    return "gw-" + grid_code


def create_staff(
    session: Session, *, grid_codes: list[str], actor: Actor, now: datetime
) -> tuple[str, int]:
    """One unit-staff account per department and office, one worker account per grid,
    and ``demo-department`` (one-click) in the urban-management bureau. Returns the
    shared password and how many accounts were made."""
    password = "demo-" + secrets.token_urlsafe(12)
    hashed = accounts.hash_password(password)
    units = session.scalars(
        select(Organisation)
        .where(Organisation.kind.in_(("department", "street_office", "community_office")))
        .order_by(Organisation.code)
    ).all()
    rows: list[dict[str, Any]] = []

    def row(username: str, role: str, scope: str, name: str, org: int | None) -> None:
        rows.append(
            {
                "username": username,
                "display_name": name,
                "role": role,
                "scope": scope,
                "password_hash": hashed,
                "is_active": True,
                "created_at": now,
                "password_changed_at": now,
                "organisation_id": org,
            }
        )

    for org in units:
        row(staff_username(org), "unit_staff", org.region_code, org.name + "工作人员", org.id)
        if org.kind == "department" and org.name.endswith(DEMO_DEPARTMENT):
            row(DEPARTMENT_ACCOUNT, "unit_staff", org.region_code, "演示城管局工作人员", org.id)
    for code in grid_codes:
        row(worker_username(code), "grid_worker", code, f"网格员 {code[-3:]}", None)
    table: Table = User.__table__  # type: ignore[assignment]
    session.execute(insert(table), rows)
    record(
        session,
        actor=actor,
        action="demo.staff_created",
        object_type="user",
        now=now,
        summary={"units": len(units), "grids": len(grid_codes), "accounts": len(rows)},
    )
    return password, len(rows)


@dataclass
class People:
    """Who does each step of a demo case: built once from the accounts table."""

    departments: dict[int, Actor]
    offices: dict[str, Actor]

    @classmethod
    def load(cls, session: Session) -> People:
        departments: dict[int, Actor] = {}
        offices: dict[str, Actor] = {}
        rows = session.execute(
            select(User.id, User.username, User.scope, User.organisation_id, Organisation.kind)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.username.startswith("staff-"))
        ).all()
        for user_id, username, scope, org_id, kind in rows:
            actor = Actor(
                username=username,
                role="unit_staff",
                user_id=user_id,
                scope=scope,
                organisation_id=org_id,
            )
            if kind == "department" and org_id is not None:
                departments[org_id] = actor
            else:
                offices[scope] = actor
        return cls(departments, offices)

    def handler(self, case: Case) -> Actor:
        """The account whose job the case's next step is; the dispatcher when nobody's."""
        if case.level == Level.GRID.value and case.grid_code:
            return Actor(
                username=worker_username(case.grid_code), role="grid_worker", scope=case.grid_code
            )
        if case.department_id is not None:
            return self.departments.get(case.department_id, DISPATCHER)
        return self.offices.get(case.unit_code or "", DISPATCHER)

    def checker(self, case: Case) -> Actor:
        """The community checks on the spot; the dispatcher when the community did the work."""
        community = (case.grid_code or "")[:12]
        if case.level == Level.COMMUNITY.value:
            return DISPATCHER
        return self.offices.get(community, DISPATCHER)


def community_secretaries(session: Session, codes: list[str], now: datetime) -> dict[str, Actor]:
    """Each community's branch secretary (``demo-secretary-<code>``), by community code:
    the ones an earlier demo step made, the others inserted at once with one random
    password hash (never shown: they act in the demo only; one hash each would cost
    about 0.2 s of CPU per community)."""
    names = {secretary_of(code): code for code in codes}
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
    missing = [name for name in names if name not in found]
    if missing:
        hashed = accounts.hash_password("demo-" + secrets.token_urlsafe(16))
        places = territory.region_names(session, {names[n] for n in missing})
        table: Table = User.__table__  # type: ignore[assignment]
        session.execute(
            insert(table),
            [
                {
                    "username": name,
                    "display_name": f"{places.get(names[name], names[name])}党委书记",
                    "role": "branch_secretary",
                    "scope": names[name],
                    "password_hash": hashed,
                    "is_active": True,
                    "created_at": now,
                    "password_changed_at": now,
                }
                for name in missing
            ],
        )
        record(
            session,
            actor=Actor.system("demo"),
            action="demo.secretaries_created",
            object_type="user",
            now=now,
            summary={"accounts": len(missing)},
        )
        found.update(
            (u.username, u) for u in session.scalars(select(User).where(User.username.in_(missing)))
        )
    return {names[name]: accounts.actor_for(user) for name, user in found.items()}
