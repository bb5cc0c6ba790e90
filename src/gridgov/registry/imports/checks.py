"""Pure checks of one row's values, and parsing of dates and enumerated words."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gridgov.errors import Problem
from gridgov.msgids import N_
from gridgov.registry import documents
from gridgov.registry.documents import DocumentType
from gridgov.registry.rules import OrgKind, PersonRole


@dataclass
class BuildingInput:
    code: str
    name: str
    address: str
    lon: float | None
    lat: float | None
    grid_code: str = ""


@dataclass
class HouseholdInput:
    number: str
    address: str
    lon: float | None = None
    lat: float | None = None
    grid_code: str = ""
    building_code: str = ""


@dataclass
class OrganisationInput:
    code: str
    name: str
    kind: str
    region_code: str
    parent_code: str = ""
    macau_funded: bool = False
    credit_code: str = ""


@dataclass
class RoleInput:
    doc_type: str
    id_number: str
    role: str
    region_code: str
    name: str = ""
    organisation_code: str = ""
    since: date | None = None
    full_time: bool = False


_CODE = re.compile(r"[^\s]{1,32}")
_CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _text_problems(name: str, value: str, *, limit: int, required: str | None) -> list[Problem]:
    if not value:
        return [Problem(name, required)] if required else []
    if len(value) > limit:
        return [Problem(name, "At most %(n)s characters.", n=limit)]
    return []


# An enumerated field: its values, the message when it is empty and when it is unknown.
_CHOICES: dict[str, tuple[type[StrEnum], str, str]] = {
    "kind": (OrgKind, N_("A kind is required."), N_("Unknown organisation kind %(value)s.")),
    "role": (PersonRole, N_("A role is required."), N_("Unknown role %(value)s.")),
}


def _choice_problems(name: str, value: str) -> list[Problem]:
    """A value of the field ``name`` of ``_CHOICES``: required, and one of its values."""
    choices, required, unknown = _CHOICES[name]
    if not value:
        return [Problem(name, required)]
    if value not in {c.value for c in choices}:
        return [Problem(name, unknown, value=value)]
    return []


def code_problems(name: str, value: str, *, required: str) -> list[Problem]:
    """A register code: 1 to 32 characters without spaces."""
    if not value:
        return [Problem(name, required)]
    if not _CODE.fullmatch(value):
        return [Problem(name, "A code has 1 to 32 characters and no spaces.")]
    return []


def point_problems(lon: float | None, lat: float | None, *, required: bool) -> list[Problem]:
    """Longitude and latitude: both or neither (both when ``required``), in range."""
    if lon is None and lat is None:
        if required:
            return [
                Problem("lon", "A longitude is required."),
                Problem("lat", "A latitude is required."),
            ]
        return []
    if lon is None:
        return [Problem("lon", "Give both a longitude and a latitude.")]
    if lat is None:
        return [Problem("lat", "Give both a longitude and a latitude.")]
    if abs(lat) > 90 and abs(lon) <= 90:
        return [Problem("lat", "The longitude and latitude look swapped.")]
    problems: list[Problem] = []
    if not -180 <= lon <= 180:
        problems.append(Problem("lon", "A longitude is between -180 and 180."))
    if not -90 <= lat <= 90:
        problems.append(Problem("lat", "A latitude is between -90 and 90."))
    return problems


def credit_code_problem(code: str) -> Problem | None:
    """GB 32100-2015 unified social credit code: 18 characters, MOD 31 check character."""
    if len(code) != 18:
        return Problem(
            "credit_code", "A unified social credit code has 18 characters, not %(n)s.", n=len(code)
        )
    if any(character not in _CREDIT_CHARACTERS for character in code):
        return Problem(
            "credit_code",
            "A unified social credit code has digits and capital letters other than "
            "I, O, S, V and Z.",
        )
    total = sum(
        _CREDIT_CHARACTERS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True)
    )
    expected = _CREDIT_CHARACTERS[(31 - total % 31) % 31]
    if code[17] != expected:
        return Problem(
            "credit_code", "The check character should be %(expected)s.", expected=expected
        )
    return None


def building_problems(value: BuildingInput) -> list[Problem]:
    problems = code_problems("code", value.code, required=N_("A building code is required."))
    problems += _text_problems("name", value.name, limit=128, required=N_("A name is required."))
    problems += _text_problems(
        "address", value.address, limit=256, required=N_("An address is required.")
    )
    problems += point_problems(value.lon, value.lat, required=True)
    return problems


def household_problems(value: HouseholdInput) -> list[Problem]:
    problems = code_problems("number", value.number, required=N_("A household number is required."))
    problems += _text_problems(
        "address", value.address, limit=256, required=N_("An address is required.")
    )
    problems += point_problems(value.lon, value.lat, required=False)
    if not (value.grid_code or value.building_code or value.lon is not None):
        problems.append(
            Problem(
                "grid_code", "A grid code, a longitude and latitude, or a building is required."
            )
        )
    return problems


def organisation_problems(value: OrganisationInput) -> list[Problem]:
    problems = code_problems("code", value.code, required=N_("An organisation code is required."))
    problems += _text_problems("name", value.name, limit=128, required=N_("A name is required."))
    problems += _choice_problems("kind", value.kind)
    if not value.region_code:
        problems.append(Problem("region_code", "A region code is required."))
    if value.parent_code and value.parent_code == value.code:
        problems.append(Problem("parent_code", "An organisation cannot be its own parent."))
    if value.credit_code and (problem := credit_code_problem(value.credit_code)):
        problems.append(problem)
    return problems


def role_problems(value: RoleInput, *, today: date) -> list[Problem]:
    problems: list[Problem] = []
    try:
        doc_type = DocumentType(value.doc_type or DocumentType.MAINLAND_ID.value)
    except ValueError:
        problems.append(
            Problem("doc_type", "Unknown document type %(value)s.", value=value.doc_type)
        )
    else:
        value.doc_type = doc_type.value
        value.id_number = documents.normalise(doc_type, value.id_number)
        problems += documents.document_problems(doc_type, value.id_number, today=today)
    problems += _choice_problems("role", value.role)
    if not value.region_code:
        problems.append(Problem("region_code", "A region code is required."))
    if value.since and value.since > today:
        problems.append(Problem("since", "The date is in the future."))
    return problems


# ---------------------------------------------------------------- parsing cells

_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")
_EXPONENT = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")
_TAG_SEPARATORS = re.compile(r"[,，;；、]")


def parse_date(text: str) -> date:
    """``1990-03-15``, ``1990/3/15``, ``1990.3.15``, ``19900315``, ``1990年3月15日``, with
    an optional time after a space. Raises ValueError."""
    value = unicodedata.normalize("NFKC", text).strip().split(" ", 1)[0]
    if re.fullmatch(r"[0-9]{8}", value):
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    match = _DATE.fullmatch(value)
    if match is None:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3]))


def _word(words: dict[str, str], text: str) -> str:
    """The English value of a Chinese (or English) word; unknown text as typed."""
    value = text.strip()
    return words.get(value) or words.get(value.casefold()) or value.casefold()
