"""The register: validate and write buildings, households, residents, organisations and
roles; read them within a scope; reveal a resident's ID number and phone (audited).

Personal fields go through ``gridgov.fields``: nothing here ever stores or returns a
full ID number or phone except ``do_reveal_resident``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role, scope_clause, within_view
from gridgov.audit.service import Actor, add_and_record, record, record_about
from gridgov.clock import local_today
from gridgov.db import FIELD_CIPHER_INFO
from gridgov.errors import Forbidden, InvalidInput, Problem
from gridgov.fields import FieldCipher, mask_id, mask_phone
from gridgov.msgids import N_
from gridgov.registry import documents
from gridgov.registry.documents import DocumentType
from gridgov.registry.models import Building, Household, Organisation, PersonRoleRow, Resident
from gridgov.registry.rules import (
    PersonRole,
    Relation,
    Sex,
    Tag,
    normalise_phone,
    phone_problem,
)

ID_FIELD = "id_number"
PHONE_FIELD = "phone"
# Roles that may see a resident's full ID number and phone, one audited reveal at a time.
REVEAL_ROLES = frozenset({Role.GRID_WORKER, Role.DISPATCHER, Role.ADMIN})
PAGE_SIZE = 50


def cipher_of(session: Session) -> FieldCipher:
    cipher = session.info.get(FIELD_CIPHER_INFO)
    if not isinstance(cipher, FieldCipher):
        raise RuntimeError("session has no field cipher: open it through gridgov.db.Database")
    return cipher


# ---------------------------------------------------------------- personal fields


@dataclass(frozen=True)
class SealedField:
    encrypted: bytes
    index: str
    masked: str


def seal_id_number(cipher: FieldCipher, number: str) -> SealedField:
    return SealedField(
        cipher.encrypt(number, field=ID_FIELD),
        cipher.blind_index(number, field=ID_FIELD),
        mask_id(number),
    )


def seal_phone(cipher: FieldCipher, phone: str) -> SealedField:
    return SealedField(
        cipher.encrypt(phone, field=PHONE_FIELD),
        cipher.blind_index(phone, field=PHONE_FIELD),
        mask_phone(phone),
    )


# ---------------------------------------------------------------- residents


@dataclass
class ResidentInput:
    """A resident as typed or imported; ``check_resident`` normalises it in place."""

    name: str
    doc_type: str
    id_number: str
    phone: str = ""
    birth_date: date | None = None
    sex: str = ""
    nationality: str = "CHN"
    language: str = ""
    household_number: str = ""
    relation: str = ""
    tags: tuple[str, ...] = ()
    grid_code: str = ""


def resident_problems(value: ResidentInput, *, today: date) -> list[Problem]:
    """Every field-level problem of one resident, without the database. Normalises
    ``value`` (document number, phone, derived birth date and sex) as it goes."""
    problems: list[Problem] = []
    value.name = value.name.strip()
    if not value.name:
        problems.append(Problem("name", "A name is required."))
    elif len(value.name) > 128:
        problems.append(Problem("name", "At most %(n)s characters.", n=128))
    try:
        doc_type = DocumentType(value.doc_type.strip() or DocumentType.MAINLAND_ID.value)
    except ValueError:
        problems.append(
            Problem("doc_type", "Unknown document type %(value)s.", value=value.doc_type)
        )
        doc_type = None
    if doc_type is not None:
        value.doc_type = doc_type.value
        value.id_number = documents.normalise(doc_type, value.id_number)
        problems.extend(documents.document_problems(doc_type, value.id_number, today=today))
        if not problems:
            value.birth_date = value.birth_date or documents.birth_date_of(
                doc_type, value.id_number
            )
            value.sex = value.sex or documents.sex_of(doc_type, value.id_number) or ""
    if value.phone.strip():
        value.phone = normalise_phone(value.phone)
        if problem := phone_problem(value.phone):
            problems.append(problem)
    if value.sex and value.sex not in {s.value for s in Sex}:
        problems.append(Problem("sex", "Sex is male or female."))
    if value.relation and value.relation not in {r.value for r in Relation}:
        problems.append(Problem("relation", "Unknown relation %(value)s.", value=value.relation))
    known_tags = {t.value for t in Tag}
    for tag in value.tags:
        if tag not in known_tags:
            problems.append(Problem("tags", "Unknown tag %(value)s.", value=tag))
    value.nationality = value.nationality.strip().upper() or "CHN"
    if len(value.nationality) != 3 or not value.nationality.isalpha():
        problems.append(
            Problem("nationality", "Nationality is a three-letter ISO 3166 code such as CHN.")
        )
    elif value.nationality != "CHN" and Tag.FOREIGN_RESIDENT.value not in value.tags:
        value.tags = (*value.tags, Tag.FOREIGN_RESIDENT.value)
    if value.birth_date and value.birth_date > today:
        problems.append(Problem("birth_date", "The birth date is in the future."))
    return problems


def new_resident(
    cipher: FieldCipher, value: ResidentInput, *, household_id: int | None, now: datetime
) -> Resident:
    """The row for a checked resident: personal fields sealed, never plaintext."""
    sealed_id = seal_id_number(cipher, value.id_number)
    sealed_phone = seal_phone(cipher, value.phone) if value.phone else None
    return Resident(
        name=value.name,
        doc_type=value.doc_type,
        id_number_enc=sealed_id.encrypted,
        id_number_index=sealed_id.index,
        id_number_masked=sealed_id.masked,
        phone_enc=sealed_phone.encrypted if sealed_phone else None,
        phone_index=sealed_phone.index if sealed_phone else None,
        phone_masked=sealed_phone.masked if sealed_phone else None,
        birth_date=value.birth_date,
        sex=value.sex or None,
        nationality=value.nationality,
        language=value.language or None,
        household_id=household_id,
        relation=value.relation or None,
        tags=",".join(value.tags),
        grid_code=value.grid_code,
        created_at=now,
    )


def find_resident_by_id_number(session: Session, *, doc_type: str, number: str) -> Resident | None:
    cipher = cipher_of(session)
    normalised = documents.normalise(DocumentType(doc_type), number)
    index = cipher.blind_index(normalised, field=ID_FIELD)
    return session.scalar(select(Resident).where(Resident.id_number_index == index))


def do_create_resident(
    session: Session, *, actor: Actor, value: ResidentInput, now: datetime
) -> Resident:
    problems = resident_problems(value, today=local_today(now))
    household: Household | None = None
    if value.household_number:
        household = session.scalar(
            select(Household).where(Household.number == value.household_number)
        )
        if household is None:
            problems.append(
                Problem(
                    "household_number",
                    "No household numbered %(value)s.",
                    value=value.household_number,
                )
            )
        elif not value.grid_code:
            value.grid_code = household.grid_code
    if not value.grid_code:
        problems.append(Problem("grid_code", "A grid or a household is required."))
    if problems:
        raise InvalidInput("The resident was not added.", details=problems)
    _check_may_write(actor, value.grid_code)
    cipher = cipher_of(session)
    if session.scalar(
        select(Resident.id).where(
            Resident.id_number_index == cipher.blind_index(value.id_number, field=ID_FIELD)
        )
    ):
        raise InvalidInput(
            "The resident was not added.",
            details=[Problem("id_number", "This document number is already registered.")],
        )
    resident = new_resident(
        cipher, value, household_id=household.id if household else None, now=now
    )
    summary = {"id_number": resident.id_number_masked, "grid": resident.grid_code}
    return add_and_record(session, actor, "resident.created", resident, now=now, summary=summary)


def _check_may_write(actor: Actor, region_code: str) -> None:
    if not actor.acts_in((Role.ADMIN, Role.GRID_WORKER), region_code):
        raise Forbidden("You may not change the register outside your area.")


def _visible(viewer: Actor, code: str) -> bool:
    return viewer.covers(code)


def may_see_resident(viewer: Actor, resident: Resident) -> bool:
    """A resident shows to readers whose area covers their grid."""
    return _visible(viewer, resident.grid_code)


@dataclass(frozen=True)
class Revealed:
    id_number: str
    phone: str | None


def may_reveal(actor: Actor) -> bool:
    return actor.role == "system" or actor.role in REVEAL_ROLES


def do_reveal_resident(
    session: Session, *, actor: Actor, resident: Resident, reason: str, now: datetime
) -> Revealed:
    """The full ID number and phone, for roles that may see them; every reveal is audited."""
    if not may_reveal(actor):
        raise Forbidden("Your role may not see full ID numbers or phone numbers.")
    if not reason.strip():
        raise InvalidInput(
            N_("Say why you need the full numbers."),
            details=[Problem("reason", "A reason is required.")],
        )
    cipher = cipher_of(session)
    revealed = Revealed(
        cipher.decrypt(resident.id_number_enc, field=ID_FIELD),
        cipher.decrypt(resident.phone_enc, field=PHONE_FIELD) if resident.phone_enc else None,
    )
    summary = {"reason": reason.strip()[:200], "id_number": resident.id_number_masked}
    record_about(session, actor, "resident.revealed", resident, now=now, summary=summary)
    return revealed


def list_residents(
    session: Session,
    *,
    viewer: Actor,
    q: str = "",
    region_code: str | None = None,
    tag: str | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[Resident]:
    """Residents in the viewer's scope. ``q`` is a name prefix, or a whole ID number or
    phone (matched exactly through the blind index, never by decrypting)."""
    query = select(Resident).order_by(Resident.grid_code, Resident.name, Resident.id)
    query = within_view(query, viewer, Resident.grid_code)
    if region_code:
        query = query.where(scope_clause(region_code, Resident.grid_code))
    if tag:
        query = query.where(Resident.tags.contains(tag))
    text = q.strip()
    if text:
        cipher = cipher_of(session)
        candidates = [Resident.name.startswith(text, autoescape=True)]
        upper = text.upper().replace(" ", "")
        if len(upper) >= 5:
            candidates.append(Resident.id_number_index == cipher.blind_index(upper, field=ID_FIELD))
            phone = normalise_phone(text)
            candidates.append(Resident.phone_index == cipher.blind_index(phone, field=PHONE_FIELD))
        query = query.where(or_(*candidates))
    return list(session.scalars(query.limit(limit).offset(offset)))


# ---------------------------------------------------------------- places and households


def list_households(
    session: Session,
    *,
    viewer: Actor,
    q: str = "",
    region_code: str | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[Household]:
    query = select(Household).order_by(Household.grid_code, Household.number)
    query = within_view(query, viewer, Household.grid_code)
    if region_code:
        query = query.where(scope_clause(region_code, Household.grid_code))
    if q.strip():
        like = q.strip()
        query = query.where(
            or_(
                Household.number.startswith(like, autoescape=True),
                Household.address.contains(like, autoescape=True),
            )
        )
    return list(session.scalars(query.limit(limit).offset(offset)))


def list_organisations(
    session: Session,
    *,
    viewer: Actor,
    q: str = "",
    kind: str | None = None,
    region_code: str | None = None,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[Organisation]:
    query = select(Organisation).order_by(Organisation.region_code, Organisation.code)
    query = within_view(query, viewer, Organisation.region_code)
    if region_code:
        query = query.where(Organisation.region_code == region_code)
    if kind:
        query = query.where(Organisation.kind == kind)
    if q.strip():
        query = query.where(Organisation.name.contains(q.strip(), autoescape=True))
    return list(session.scalars(query.limit(limit).offset(offset)))


@dataclass(frozen=True)
class GridSummary:
    households: int
    residents: int
    buildings: int
    workers: list[tuple[Resident, PersonRoleRow]]
    organisations: list[Organisation]


def grid_summary(session: Session, *, code: str) -> GridSummary:
    """What a grid page shows. Callers check the scope first."""
    households = (
        session.scalar(
            select(func.count()).select_from(Household).where(Household.grid_code == code)
        )
        or 0
    )
    residents = (
        session.scalar(select(func.count()).select_from(Resident).where(Resident.grid_code == code))
        or 0
    )
    buildings = (
        session.scalar(select(func.count()).select_from(Building).where(Building.grid_code == code))
        or 0
    )
    workers = [
        (resident, role)
        for resident, role in session.execute(
            select(Resident, PersonRoleRow)
            .join(PersonRoleRow, PersonRoleRow.resident_id == Resident.id)
            .where(
                PersonRoleRow.region_code == code,
                PersonRoleRow.role == PersonRole.GRID_WORKER.value,
            )
            .order_by(PersonRoleRow.full_time.desc(), Resident.name)
        )
    ]
    organisations = list(
        session.scalars(
            select(Organisation).where(Organisation.region_code == code).order_by(Organisation.code)
        )
    )
    return GridSummary(households, residents, buildings, workers, organisations)


# ---------------------------------------------------------------- for outreach


@dataclass(frozen=True)
class HouseholdPlace:
    id: int
    number: str
    lon: float
    lat: float
    building_id: int | None
    grid_code: str


def household_places(session: Session, *, region_code: str) -> list[HouseholdPlace]:
    """Every located household under ``region_code``, with its building (for contact
    groups: where it is and which block it may not leave). Callers check the scope."""
    rows = session.execute(
        select(
            Household.id,
            Household.number,
            func.coalesce(Household.lon, Building.lon),
            func.coalesce(Household.lat, Building.lat),
            Household.building_id,
            Household.grid_code,
        )
        .outerjoin(Building, Building.id == Household.building_id)
        .where(scope_clause(region_code, Household.grid_code))
        .order_by(Household.id)
    )
    return [
        HouseholdPlace(i, n, float(lon), float(lat), b, g)
        for i, n, lon, lat, b, g in rows
        if lon is not None and lat is not None
    ]


def party_members_in(session: Session, *, region_code: str) -> list[tuple[Resident, int | None]]:
    """Party members whose role is under ``region_code``: (resident, their household)."""
    rows = session.execute(
        select(Resident, Resident.household_id)
        .join(PersonRoleRow, PersonRoleRow.resident_id == Resident.id)
        .where(
            PersonRoleRow.role == PersonRole.PARTY_MEMBER.value,
            scope_clause(region_code, PersonRoleRow.region_code),
        )
        .order_by(Resident.id)
        .distinct()
    )
    return [(resident, household) for resident, household in rows]


def get_household(session: Session, *, household_id: int) -> Household | None:
    return session.get(Household, household_id)


def get_resident(session: Session, *, resident_id: int) -> Resident | None:
    return session.get(Resident, resident_id)


def get_organisation(session: Session, *, organisation_id: int) -> Organisation | None:
    return session.get(Organisation, organisation_id)


def households_by_grid(session: Session, *, ids: Any) -> list[tuple[str, int]]:
    """How many of the households ``ids`` (a subquery of household ids) are in each
    grid."""
    return [
        (grid, int(n))
        for grid, n in session.execute(
            select(Household.grid_code, func.count())
            .where(Household.id.in_(ids))
            .group_by(Household.grid_code)
        )
    ]


def do_add_role(
    session: Session,
    *,
    actor: Actor,
    resident_id: int,
    role: PersonRole,
    region_code: str,
    now: datetime,
    since: date | None = None,
    organisation_id: int | None = None,
    full_time: bool = False,
) -> PersonRoleRow:
    """Give a resident a role in a region (a paired branch's member as a part-time grid
    worker of the paired grid, say); the caller has checked who may."""
    row = PersonRoleRow(
        resident_id=resident_id,
        role=role.value,
        region_code=region_code,
        organisation_id=organisation_id,
        since=since,
        full_time=full_time,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="role.added",
        object_type="resident",
        object_id=resident_id,
        region_code=region_code,
        now=now,
        summary={"role": role.value, "organisation": organisation_id},
    )
    return row


# ---------------------------------------------------------------- households for crisis mode


@dataclass(frozen=True)
class HouseholdFacts:
    """What a crisis needs of a household: where it is, its members' care tags and
    languages (the householder's first) and how to reach it."""

    id: int
    number: str
    address: str
    grid_code: str
    building_id: int | None
    lon: float | None
    lat: float | None
    tags: tuple[str, ...]
    languages: tuple[str | None, ...]
    phone_index: str | None
    resident_ids: tuple[int, ...]


def household_facts(session: Session, *, prefixes: list[str]) -> list[HouseholdFacts]:
    """Every household whose grid code starts with one of ``prefixes``, with its
    residents' tags, languages and the first phone (the householder's when present).
    Callers check the scope first."""
    if not prefixes:
        return []
    where = or_(*(Household.grid_code.startswith(p, autoescape=True) for p in prefixes))
    households = session.execute(
        select(
            Household.id,
            Household.number,
            Household.address,
            Household.grid_code,
            Household.building_id,
            Household.lon,
            Household.lat,
        )
        .where(where)
        .order_by(Household.id)
    ).all()
    members: dict[int, list[tuple[int, str, str | None, str | None, int]]] = {}
    rows = session.execute(
        select(
            Resident.household_id,
            Resident.id,
            Resident.tags,
            Resident.language,
            Resident.phone_index,
            Resident.relation,
        )
        .join(Household, Household.id == Resident.household_id)
        .where(where)
    )
    householder = Relation.HOUSEHOLDER.value
    for household_id, resident_id, tags, language, phone_index, relation in rows:
        if household_id is None:
            continue
        rank = 0 if relation == householder else 1
        members.setdefault(household_id, []).append(
            (rank, tags or "", language, phone_index, resident_id)
        )
    facts = []
    for hid, number, address, grid_code, building_id, lon, lat in households:
        people = sorted(members.get(hid, ()), key=lambda m: (m[0], m[4]))
        phones = [p[3] for p in people if p[3]]
        facts.append(
            HouseholdFacts(
                id=hid,
                number=number,
                address=address,
                grid_code=grid_code,
                building_id=building_id,
                lon=lon,
                lat=lat,
                tags=tuple(p[1] for p in people if p[1]),
                languages=tuple(p[2] for p in people),
                phone_index=phones[0] if phones else None,
                resident_ids=tuple(p[4] for p in people),
            )
        )
    return facts


def households_by_id(session: Session, *, ids: list[int]) -> dict[int, Household]:
    if not ids:
        return {}
    return {h.id: h for h in session.scalars(select(Household).where(Household.id.in_(ids)))}


def residents_by_id(session: Session, *, ids: list[int]) -> dict[int, Resident]:
    if not ids:
        return {}
    return {r.id: r for r in session.scalars(select(Resident).where(Resident.id.in_(ids)))}


def building_by_code(session: Session, *, code: str) -> Building | None:
    return session.scalar(select(Building).where(Building.code == code))


def buildings_in(session: Session, *, grid_code: str) -> list[Building]:
    return list(
        session.scalars(
            select(Building).where(Building.grid_code == grid_code).order_by(Building.code)
        )
    )


def people_with_role(
    session: Session, *, role: str, prefixes: list[str], limit: int = 500
) -> list[tuple[int, str, str, bool]]:
    """(resident id, name, region code, full time) of people holding ``role`` in regions
    under ``prefixes``: crisis teams are staffed from these. Callers check the scope."""
    if not prefixes:
        return []
    where = or_(*(PersonRoleRow.region_code.startswith(p, autoescape=True) for p in prefixes))
    rows = session.execute(
        select(Resident.id, Resident.name, PersonRoleRow.region_code, PersonRoleRow.full_time)
        .join(PersonRoleRow, PersonRoleRow.resident_id == Resident.id)
        .where(PersonRoleRow.role == role, where)
        .order_by(PersonRoleRow.region_code, PersonRoleRow.full_time.desc(), Resident.id)
        .limit(limit)
    )
    return [(rid, name, code, bool(full)) for rid, name, code, full in rows]


def has_role(session: Session, *, resident_id: int, role: PersonRole) -> bool:
    """True when the resident holds ``role`` anywhere in the register."""
    return (
        session.scalar(
            select(PersonRoleRow.id)
            .where(PersonRoleRow.resident_id == resident_id, PersonRoleRow.role == role.value)
            .limit(1)
        )
        is not None
    )
