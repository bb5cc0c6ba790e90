"""The case category catalogue: groups and leaf categories with their routing and deadlines.

The default catalogue (``data/categories.json``) follows GB/T 30428.2 (digital urban
management: components ``C`` and events ``E``) and adds social-governance matters
(``S``). A level-1 group has a code of a letter and two digits and no parent; a leaf
category adds two more digits to its group's code and carries where a case starts
(``start_level``, and the ``department`` when it starts at one), its response and
resolution deadlines, whether the reporter confirms the result, whether a grid may
settle it, and its urgency.

Everything here is pure: ``parse`` validates a document and names the entry of every
problem; nothing reads the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any, TypeVar

from gridgov.errors import Problem

VERSION = 1


class StartLevel(StrEnum):
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"


class Urgency(StrEnum):
    EMERGENCY = "emergency"
    UTILITY = "utility"
    GENERAL = "general"
    COMPLEX = "complex"


class Unit(StrEnum):
    HOURS = "hours"
    WORKING_HOURS = "working_hours"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True, slots=True)
class Deadline:
    amount: int
    unit: str

    def to_document(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": str(self.unit)}


@dataclass(frozen=True, slots=True)
class Category:
    """A group (``parent`` is None, routing fields None) or a leaf category."""

    code: str
    parent: str | None
    name_zh: str
    name_en: str
    start_level: StartLevel | None = None
    department: str | None = None
    response: Deadline | None = None
    resolution: Deadline | None = None
    reporter_confirms: bool = False
    grid_allowed: bool = False
    urgency: Urgency | None = None

    @property
    def is_group(self) -> bool:
        return self.parent is None

    def to_document(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "code": self.code,
            "parent": self.parent,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
        }
        if self.is_group:
            return document
        document.update(
            start_level=None if self.start_level is None else str(self.start_level),
            department=self.department,
            response=None if self.response is None else self.response.to_document(),
            resolution=None if self.resolution is None else self.resolution.to_document(),
            reporter_confirms=self.reporter_confirms,
            grid_allowed=self.grid_allowed,
            urgency=None if self.urgency is None else str(self.urgency),
        )
        return document


class Catalogue:
    """A validated, immutable set of categories in document order."""

    __slots__ = ("_by_code", "_children", "categories", "version")

    def __init__(self, version: int, categories: Sequence[Category]) -> None:
        self.version = version
        self.categories: tuple[Category, ...] = tuple(categories)
        self._by_code = {c.code: c for c in self.categories}
        children: dict[str, list[Category]] = {}
        for category in self.categories:
            if category.parent is not None:
                children.setdefault(category.parent, []).append(category)
        self._children = {code: tuple(items) for code, items in children.items()}

    def get(self, code: str) -> Category | None:
        return self._by_code.get(code)

    def leaves(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if not c.is_group)

    def groups(self) -> tuple[Category, ...]:
        return tuple(c for c in self.categories if c.is_group)

    def children(self, code: str) -> tuple[Category, ...]:
        return self._children.get(code, ())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Category]:
        return iter(self.categories)

    def __len__(self) -> int:
        return len(self.categories)

    def to_document(self) -> dict[str, Any]:
        return {"version": self.version, "categories": [c.to_document() for c in self]}


# ---------------------------------------------------------------- parsing

GROUP_KEYS = frozenset({"code", "parent", "name_zh", "name_en"})
LEAF_KEYS = GROUP_KEYS | {
    "start_level",
    "department",
    "response",
    "resolution",
    "reporter_confirms",
    "grid_allowed",
    "urgency",
}
DEADLINE_KEYS = frozenset({"amount", "unit"})
_GROUP_CODE = re.compile(r"[CES][0-9]{2}")
_LEAF_CODE = re.compile(r"[CES][0-9]{4}")

_E = TypeVar("_E", bound=StrEnum)


class _Entry:
    """One raw entry and the problems found in it. Every problem names the entry: its
    field is ``categories[<index>].<key>`` and its params carry ``index`` and ``code``."""

    def __init__(self, index: int, raw: dict[Any, Any], problems: list[Problem]) -> None:
        self.index = index
        self.raw = raw
        code = raw.get("code")
        self.code = code if isinstance(code, str) and code else "?"
        self.at: dict[str, Any] = {"index": index, "code": self.code}
        self._problems = problems
        self.ok = True

    def field(self, key: str) -> str:
        return f"categories[{self.index}].{key}"

    def add(self, problem: Problem) -> None:
        self.ok = False
        self._problems.append(problem)

    def name(self, key: str) -> str:
        value = self.raw.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.add(
            Problem(
                self.field(key),
                "Category %(index)s (%(code)s) needs a name in %(key)s.",
                **self.at,
                key=key,
            )
        )
        return ""

    def flag(self, key: str) -> bool:
        value = self.raw.get(key)
        if isinstance(value, bool):
            return value
        self.add(
            Problem(
                self.field(key),
                "Category %(index)s (%(code)s): %(key)s is true or false.",
                **self.at,
                key=key,
            )
        )
        return False

    def choice(self, value: object, key: str, kind: type[_E]) -> _E | None:
        allowed = [member.value for member in kind]
        if isinstance(value, str) and value in allowed:
            return kind(value)
        self.add(
            Problem(
                self.field(key),
                "Category %(index)s (%(code)s): %(key)s is one of %(allowed)s, not %(value)s.",
                **self.at,
                key=key,
                allowed=", ".join(allowed),
                value=repr(value),
            )
        )
        return None

    def deadline(self, key: str) -> Deadline | None:
        value = self.raw.get(key)
        if not isinstance(value, dict):
            self.add(
                Problem(
                    self.field(key),
                    "Category %(index)s (%(code)s): %(key)s has an amount and a unit.",
                    **self.at,
                    key=key,
                )
            )
            return None
        extra = sorted(set(value) - DEADLINE_KEYS, key=str)
        for name in extra:
            self.add(
                Problem(
                    self.field(f"{key}.{name}"),
                    "Category %(index)s (%(code)s): unknown key %(key)s.",
                    **self.at,
                    key=f"{key}.{name}",
                )
            )
        amount = value.get("amount")
        if isinstance(amount, bool) or not isinstance(amount, int):
            self.add(
                Problem(
                    self.field(f"{key}.amount"),
                    "Category %(index)s (%(code)s): %(key)s is a whole number.",
                    **self.at,
                    key=f"{key}.amount",
                )
            )
            amount = None
        elif amount <= 0:
            self.add(
                Problem(
                    self.field(f"{key}.amount"),
                    "Category %(index)s (%(code)s): %(key)s must be positive, not %(value)s.",
                    **self.at,
                    key=f"{key}.amount",
                    value=amount,
                )
            )
            amount = None
        unit = self.choice(value.get("unit"), f"{key}.unit", Unit)
        if amount is None or unit is None or extra:
            return None
        return Deadline(amount, unit)

    def unknown_keys(self, allowed: frozenset[str]) -> None:
        for key in sorted(set(self.raw) - allowed, key=str):
            self.add(
                Problem(
                    self.field(str(key)),
                    "Category %(index)s (%(code)s): unknown key %(key)s.",
                    **self.at,
                    key=key,
                )
            )

    def group(self) -> Category | None:
        if not _GROUP_CODE.fullmatch(self.code):
            self.add(
                Problem(
                    self.field("code"),
                    "Category %(index)s (%(code)s): a group's code is C, E or S and 2 digits.",
                    **self.at,
                )
            )
        for key in sorted(set(self.raw) & (LEAF_KEYS - GROUP_KEYS)):
            self.add(
                Problem(
                    self.field(key),
                    "Category %(index)s (%(code)s): a group has no %(key)s.",
                    **self.at,
                    key=key,
                )
            )
        self.unknown_keys(LEAF_KEYS)
        name_zh, name_en = self.name("name_zh"), self.name("name_en")
        return Category(self.code, None, name_zh, name_en) if self.ok else None

    def leaf(self) -> Category | None:
        parent = self.raw.get("parent")
        if not isinstance(parent, str):
            self.add(
                Problem(
                    self.field("parent"),
                    "Category %(index)s (%(code)s): parent is a group's code.",
                    **self.at,
                )
            )
            parent = ""
        if not _LEAF_CODE.fullmatch(self.code):
            self.add(
                Problem(
                    self.field("code"),
                    "Category %(index)s (%(code)s): a leaf's code is C, E or S and 4 digits.",
                    **self.at,
                )
            )
        self.unknown_keys(LEAF_KEYS)
        for key in sorted(LEAF_KEYS - set(self.raw)):
            self.add(
                Problem(
                    self.field(key),
                    "Category %(index)s (%(code)s) lacks %(key)s.",
                    **self.at,
                    key=key,
                )
            )
        name_zh, name_en = self.name("name_zh"), self.name("name_en")
        raw = self.raw
        level = (
            self.choice(raw["start_level"], "start_level", StartLevel)
            if "start_level" in raw
            else None
        )
        urgency = self.choice(raw["urgency"], "urgency", Urgency) if "urgency" in raw else None
        response = self.deadline("response") if "response" in raw else None
        resolution = self.deadline("resolution") if "resolution" in raw else None
        confirms = self.flag("reporter_confirms") if "reporter_confirms" in raw else False
        grid_allowed = self.flag("grid_allowed") if "grid_allowed" in raw else False
        department = raw.get("department")
        if level is StartLevel.DEPARTMENT:
            if not isinstance(department, str) or not department.strip():
                self.add(
                    Problem(
                        self.field("department"),
                        "Category %(index)s (%(code)s) starts at a department and must name it.",
                        **self.at,
                    )
                )
        elif department is not None:
            self.add(
                Problem(
                    self.field("department"),
                    "Category %(index)s (%(code)s) names a department but starts at %(level)s.",
                    **self.at,
                    level=str(raw.get("start_level")),
                )
            )
        if not self.ok:
            return None
        return Category(
            code=self.code,
            parent=parent,
            name_zh=name_zh,
            name_en=name_en,
            start_level=level,
            department=department.strip() if isinstance(department, str) else None,
            response=response,
            resolution=resolution,
            reporter_confirms=confirms,
            grid_allowed=grid_allowed,
            urgency=urgency,
        )

    def check_parent(self, first: Mapping[str, _Entry]) -> None:
        parent = self.raw.get("parent")
        if not isinstance(parent, str):
            return
        parent_entry = first.get(parent)
        if parent_entry is None:
            self.add(
                Problem(
                    self.field("parent"),
                    "Category %(index)s (%(code)s): its parent %(parent)s is missing.",
                    **self.at,
                    parent=parent,
                )
            )
        elif parent_entry.raw.get("parent") is not None:
            self.add(
                Problem(
                    self.field("parent"),
                    "Category %(index)s (%(code)s): its parent %(parent)s is not a group.",
                    **self.at,
                    parent=parent,
                )
            )
        elif not self.code.startswith(parent):
            self.add(
                Problem(
                    self.field("code"),
                    "Category %(index)s (%(code)s) does not extend its parent's code %(parent)s.",
                    **self.at,
                    parent=parent,
                )
            )


def parse(document: object) -> tuple[Catalogue | None, list[Problem]]:
    """Validate a catalogue document: the catalogue and no problems, or None and every
    problem found, each naming the entry (``index`` and ``code`` in its params)."""
    if not isinstance(document, dict):
        return None, [Problem("", "A category catalogue is a JSON object.")]
    problems: list[Problem] = []
    for key in sorted(set(document) - {"version", "categories"}, key=str):
        problems.append(Problem(str(key), "Unknown key %(key)s.", key=key))
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        problems.append(
            Problem(
                "version",
                "Catalogue version %(version)s is not supported; expected %(expected)s.",
                version=repr(version),
                expected=VERSION,
            )
        )
    raw_entries = document.get("categories")
    if not isinstance(raw_entries, list) or not raw_entries:
        problems.append(Problem("categories", "A catalogue lists at least one category."))
        return None, problems

    entries: list[_Entry] = []
    for index, raw in enumerate(raw_entries):
        if isinstance(raw, dict):
            entries.append(_Entry(index, raw, problems))
        else:
            problems.append(
                Problem(
                    f"categories[{index}]",
                    "Category %(index)s (%(code)s) is not an object.",
                    index=index,
                    code="?",
                )
            )
    first: dict[str, _Entry] = {}
    for entry in entries:
        if entry.code in first:
            entry.add(
                Problem(
                    entry.field("code"),
                    "Category %(index)s (%(code)s) repeats the code of category %(first)s.",
                    **entry.at,
                    first=first[entry.code].index,
                )
            )
        elif entry.code != "?":
            first[entry.code] = entry
    categories: list[Category] = []
    for entry in entries:
        category = entry.group() if entry.raw.get("parent") is None else entry.leaf()
        entry.check_parent(first)
        if category is not None and entry.ok:
            categories.append(category)
    if problems:
        return None, problems
    return Catalogue(VERSION, categories), []


def load(text: str) -> Catalogue:
    """Parse catalogue JSON text; ValueError listing every problem when it is refused."""
    catalogue, problems = parse(json.loads(text))
    if catalogue is None:
        raise ValueError("; ".join(p.text() for p in problems))
    return catalogue


@cache
def load_default() -> Catalogue:
    """The catalogue shipped with gridgov (``gridgov/cases/data/categories.json``)."""
    text = resources.files("gridgov.cases").joinpath("data/categories.json").read_text("utf-8")
    return load(text)
