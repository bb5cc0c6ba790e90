"""What other domains may read of the register: its counts for the indicator trees (a
metric provider, ``gridgov.metrics``), the organisations that are scored as units, and
organisations' names. Anything else goes through ``registry.service``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from gridgov.db import read_value
from gridgov.metrics import GroupedCounts, Window
from gridgov.registry.models import Building, Household, Organisation, PersonRoleRow, Resident
from gridgov.registry.rules import PARTY_KINDS, OrgKind, PersonRole

# People's roles counted per region: metric → role.
ROLE_COUNTS = {
    "party_members": PersonRole.PARTY_MEMBER,
    "central_households": PersonRole.CENTRAL_HOUSEHOLD,
    "volunteers": PersonRole.VOLUNTEER,
    "grid_workers": PersonRole.GRID_WORKER,
}
REGISTER_COUNTS = ("households", "residents", *ROLE_COUNTS)


def register_counts(session: Session, metrics: Sequence[str], window: Window) -> GroupedCounts:
    """The register as it stands (the window does not apply): households and residents
    by grid, people in each counted role by the region of the role; one grouped query
    per table."""
    result = GroupedCounts()

    def put(code: str, metric: str, n: int) -> None:
        result.by_region.setdefault(code, {})[metric] = float(n)

    for metric, model in (("households", Household), ("residents", Resident)):
        if metric in metrics:
            rows = session.execute(select(model.grid_code, func.count()).group_by(model.grid_code))
            for code, n in rows:
                put(code, metric, n)
    metric_of = {role.value: metric for metric, role in ROLE_COUNTS.items() if metric in metrics}
    if metric_of:
        role_rows = session.execute(
            select(PersonRoleRow.region_code, PersonRoleRow.role, func.count())
            .where(PersonRoleRow.role.in_(list(metric_of)))
            .group_by(PersonRoleRow.region_code, PersonRoleRow.role)
        )
        for code, role, n in role_rows:
            put(code, metric_of[role], n)
    return result


def departments(session: Session, *, code: str | None = None) -> list[tuple[int, str, str, str]]:
    """Departments (only the one with ``code`` when given), by code: id, code, name,
    region code."""
    query = select(
        Organisation.id, Organisation.code, Organisation.name, Organisation.region_code
    ).where(Organisation.kind == OrgKind.DEPARTMENT.value)
    if code is not None:
        query = query.where(Organisation.code == code)
    return [
        (oid, c, name, region)
        for oid, c, name, region in session.execute(query.order_by(Organisation.code))
    ]


def organisations(
    session: Session, *, kinds: Iterable[str], code: str | None = None
) -> list[tuple[str, str, str]]:
    """Organisations of ``kinds`` (only the one with ``code`` when given), by code: code,
    name, region code."""
    query = select(Organisation.code, Organisation.name, Organisation.region_code).where(
        Organisation.kind.in_(list(kinds))
    )
    if code is not None:
        query = query.where(Organisation.code == code)
    return [
        (c, name, region) for c, name, region in session.execute(query.order_by(Organisation.code))
    ]


def organisation_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Organisation id → name, for the ids that exist."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    )
    return {oid: name for oid, name in rows}


def building_by_code(session: Session, code: str) -> Building | None:
    return session.scalar(select(Building).where(Building.code == code))


def building_at(session: Session, text: str) -> Building | None:
    """The first building (by id) whose address or name is ``text``, or whose address
    contains it: where a report written as an address is."""
    return session.scalar(
        select(Building)
        .where(
            or_(
                Building.address == text,
                Building.name == text,
                Building.address.contains(text, autoescape=True),
            )
        )
        .order_by(Building.id)
        .limit(1)
    )


# Routing asks for every report sent to a department: built once, its cache key too.
_DEPARTMENT_NAMED = (
    select(Organisation.id)
    .where(
        Organisation.kind == OrgKind.DEPARTMENT.value,
        Organisation.name.endswith(bindparam("name")),
        Organisation.region_code == bindparam("district"),
    )
    .order_by(Organisation.id)
    .limit(1)
)


def department_named(session: Session, *, name: str, district: str) -> int | None:
    """The id of the first department of ``district`` (of any, when "") whose name ends
    with ``name``."""
    if district:
        found: int | None = read_value(
            session, _DEPARTMENT_NAMED, {"name": name, "district": district}
        )
        return found
    return session.scalar(
        select(Organisation.id)
        .where(Organisation.kind == OrgKind.DEPARTMENT.value, Organisation.name.endswith(name))
        .order_by(Organisation.id)
        .limit(1)
    )


def organisation_region(session: Session, organisation_id: int) -> str:
    return (
        session.scalar(select(Organisation.region_code).where(Organisation.id == organisation_id))
        or ""
    )


def organisation_name(session: Session, organisation_id: int) -> str | None:
    return session.scalar(select(Organisation.name).where(Organisation.id == organisation_id))


def organisation_id_by_code(session: Session, code: str) -> int | None:
    """The id of the organisation with ``code`` (a public page's address), if any."""
    return session.scalar(select(Organisation.id).where(Organisation.code == code))


def branch_member_ids(session: Session, *, branch_id: int) -> list[int]:
    """Residents holding the party-member role in the party organisation or in any
    organisation under it (a grid's branch seats its members in its party groups, a
    community's committee has its grids' branches under it)."""
    tree = (
        select(Organisation.id.label("id"))
        .where(Organisation.id == branch_id)
        .cte("tree", recursive=True)
    )
    tree = tree.union_all(select(Organisation.id).where(Organisation.parent_id == tree.c.id))
    rows = session.scalars(
        select(PersonRoleRow.resident_id)
        .where(
            PersonRoleRow.role == PersonRole.PARTY_MEMBER.value,
            PersonRoleRow.organisation_id.in_(select(tree.c.id)),
        )
        .distinct()
    )
    return sorted(rows)


def party_organisations_over(session: Session, *, region_code: str) -> list[tuple[int, str]]:
    """Party organisations whose region is ``region_code`` or contains it (the district's
    organ branches, the street's working committee, …): id and name, by region and code."""
    prefixes = [region_code[:n] for n in range(6, len(region_code) + 1)]
    rows = session.execute(
        select(Organisation.id, Organisation.name)
        .where(
            Organisation.kind.in_([k.value for k in PARTY_KINDS - {OrgKind.PARTY_GROUP}]),
            Organisation.region_code.in_(prefixes),
        )
        .order_by(Organisation.region_code, Organisation.code)
        .limit(200)
    )
    return [(oid, name) for oid, name in rows]


def organisations_by_code(
    session: Session, codes: Iterable[str]
) -> dict[str, tuple[int, str, str, str]]:
    """Organisation code → id, kind, name, region code, for the codes that exist."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    rows = session.execute(
        select(
            Organisation.code,
            Organisation.id,
            Organisation.kind,
            Organisation.name,
            Organisation.region_code,
        ).where(Organisation.code.in_(wanted))
    )
    return {code: (oid, kind, name, region) for code, oid, kind, name, region in rows}
