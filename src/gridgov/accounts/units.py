"""Units and their staff: a staff account belongs to a department, a street office or
a community office (docs/adr/0011-units-and-permissions.md).

A unit is an organisation of the register (``registry.models.Organisation``) of one of
the ``UNIT_KINDS``. Belonging to it sets the account's scope to the unit's region code:
a department's staff see the district, a street office's its street, a community
office's its community; that is also how the case workflow recognises an office's
staff (``cases.service``) and whose inbox a case lands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, func, literal_column, or_, select
from sqlalchemy.orm import Session

from gridgov.accounts import rules
from gridgov.accounts.models import User
from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor, record_about
from gridgov.db import read_value, rows
from gridgov.errors import Forbidden, InvalidInput, NotFound, Problem
from gridgov.msgids import N_
from gridgov.registry.models import Organisation

UNIT_KINDS = ("department", "street_office", "community_office")
# The roles that work in a unit: its staff, and a community's party secretary.
UNIT_ROLES = frozenset({Role.UNIT_STAFF.value, Role.BRANCH_SECRETARY.value})


NAME_IT = N_("Name the unit by its code or name.")
NO_UNIT = N_("No department or office is called %(unit)s.")
SEVERAL = N_("Several units match %(unit)s: %(names)s.")
ONLY_UNIT_ROLES = N_("Only unit staff and branch secretaries belong to a unit.")


@dataclass(frozen=True)
class Unit:
    id: int
    name: str
    kind: str
    region_code: str


def _unit(org: Organisation) -> Unit:
    return Unit(id=org.id, name=org.name, kind=org.kind, region_code=org.region_code)


def find_unit(session: Session, *, text: str, viewer: Actor | None = None) -> Unit:
    """The unit named by its code, its id (``#12``), its full name or the one unit whose
    name contains ``text``; InvalidInput naming the candidates when it is ambiguous."""
    text = text.strip()
    if not text or len(text) > 128:
        raise InvalidInput(NAME_IT, details=[Problem("unit", NAME_IT)])
    base = select(Organisation).where(Organisation.kind.in_(UNIT_KINDS))
    if viewer is not None and viewer.role != "system":
        base = base.where(rules.scope_clause(viewer.scope, Organisation.region_code))
    exact = [Organisation.code == text, Organisation.name == text]
    if text.lstrip("#").isdigit():
        exact.append(Organisation.id == int(text.lstrip("#")))
    found = list(session.scalars(base.where(or_(*exact)).limit(2)))
    if not found:
        found = list(
            session.scalars(
                base.where(Organisation.name.contains(text, autoescape=True))
                .order_by(Organisation.code)
                .limit(6)
            )
        )
    if not found:
        raise InvalidInput(
            NO_UNIT, params={"unit": text}, details=[Problem("unit", NO_UNIT, unit=text)]
        )
    if len(found) > 1:
        names = "、".join(o.name for o in found[:5])
        params = {"unit": text, "names": names}
        raise InvalidInput(SEVERAL, params=params, details=[Problem("unit", SEVERAL, **params)])
    return _unit(found[0])


def get_unit(session: Session, *, unit_id: int) -> Unit | None:
    org = session.get(Organisation, unit_id)
    if org is None or org.kind not in UNIT_KINDS:
        return None
    return _unit(org)


def unit_of(session: Session, user: User) -> Unit | None:
    return get_unit(session, unit_id=user.organisation_id) if user.organisation_id else None


def check_set_unit(actor: Actor, user: User, unit: Unit | None) -> None:
    """Only the system or an administrator whose scope holds both the account and the
    unit; only unit staff and branch secretaries belong to a unit."""
    if actor.role != "system" and (
        actor.role != Role.ADMIN
        or not rules.scope_within(user.scope, actor.scope)
        or (unit is not None and not rules.scope_within(unit.region_code, actor.scope))
    ):
        raise Forbidden("You may not manage accounts outside your scope.")
    if unit is not None and user.role not in UNIT_ROLES:
        raise InvalidInput(ONLY_UNIT_ROLES, details=[Problem("unit", ONLY_UNIT_ROLES)])


def do_set_unit(
    session: Session, *, actor: Actor, user: User, unit: Unit | None, now: datetime
) -> None:
    """Put the account in ``unit`` (None: in none); its scope becomes the unit's region."""
    check_set_unit(actor, user, unit)
    before = (user.organisation_id, user.scope)
    user.organisation_id = unit.id if unit else None
    if unit is not None:
        user.scope = unit.region_code
    summary = {
        "username": user.username,
        "unit": unit.name if unit else None,
        "unit_id": unit.id if unit else None,
        "before": {"unit_id": before[0], "scope": before[1]},
        "scope": user.scope,
    }
    record_about(session, actor, "user.unit_set", user, now=now, summary=summary)


def list_staff(session: Session, *, unit: Unit) -> list[User]:
    """The unit's accounts, active first."""
    return rows(
        session,
        User,
        User.organisation_id == unit.id,
        order_by=(User.is_active.desc(), User.username),
    )


def staffed_units(session: Session, *, organisation_ids: list[int]) -> set[int]:
    """Which of these units have at least one active account."""
    if not organisation_ids:
        return set()
    return set(
        session.scalars(
            select(User.organisation_id)
            .where(User.organisation_id.in_(organisation_ids), User.is_active.is_(True))
            .group_by(User.organisation_id)
        )
    )


# Active unit-staff accounts of one office: routing asks for every report sent to an
# office. Built once, with the roles written in (a list parameter is expanded at every
# execution).
_OFFICE_STAFF = (
    select(func.count())
    .select_from(User)
    .where(
        User.is_active.is_(True),
        User.role.in_([literal_column(f"'{role}'") for role in sorted(UNIT_ROLES)]),
        User.scope == bindparam("scope"),
    )
)


# An active account of one unit (``staffed_units`` for one id): routing asks for every
# report sent to a department. Built once.
_UNIT_STAFF = (
    select(User.organisation_id)
    .where(User.organisation_id == bindparam("organisation_id"), User.is_active.is_(True))
    .limit(1)
)


def has_active_staff(session: Session, *, organisation_id: int | None, region_code: str) -> bool:
    """Whether anyone can work a case for this unit: a department by membership, an office
    by an active unit-staff account whose scope is the office's region. Read on the
    cursor (``read_value``, statements built once): routing asks for every report."""
    if organisation_id is not None:
        return read_value(session, _UNIT_STAFF, {"organisation_id": organisation_id}) is not None
    return bool(read_value(session, _OFFICE_STAFF, {"scope": region_code}))


def unit_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {row[0]: row[1] for row in rows}


def check_unit_exists(unit: Unit | None) -> Unit:
    if unit is None:
        raise NotFound("Not found, or outside your area.")
    return unit


def units_matching(
    session: Session, *, text: str, viewer: Actor | None = None, limit: int = 20
) -> list[Unit]:
    """Units whose code is ``text`` or whose name contains it (a search, not a choice)."""
    text = text.strip()[:128]
    if not text:
        return []
    query = select(Organisation).where(
        Organisation.kind.in_(UNIT_KINDS),
        or_(Organisation.code == text, Organisation.name.contains(text, autoescape=True)),
    )
    if viewer is not None and viewer.role != "system":
        query = query.where(rules.scope_clause(viewer.scope, Organisation.region_code))
    return [_unit(o) for o in session.scalars(query.order_by(Organisation.code).limit(limit))]


def units_for_region(session: Session, *, region_code: str) -> list[Unit]:
    """The departments of the district and the offices whose region holds this one: the
    units a case located here can be assigned to."""
    district = region_code[:6]
    offices = [region_code[:n] for n in (9, 12) if len(region_code) >= n]
    query = select(Organisation).where(
        or_(
            and_(Organisation.kind == "department", Organisation.region_code == district),
            and_(
                Organisation.kind.in_(("street_office", "community_office")),
                Organisation.region_code.in_(offices or ["-"]),
            ),
        )
    )
    return [_unit(o) for o in session.scalars(query.order_by(Organisation.kind, Organisation.code))]
