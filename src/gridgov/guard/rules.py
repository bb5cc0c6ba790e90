"""Pure hardening rules: bounds on numbers and nesting, NUL characters, spreadsheet
cells made inert, personal numbers found in free text, and the rate-limit table.

Nothing here does I/O; ``now`` is passed in where time matters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

# Every integer column is a 32-bit INTEGER on PostgreSQL; SQLite's is 64-bit. One range
# for both engines, checked before anything reaches the database.
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
MAX_JSON_DEPTH = 32
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def int_in_range(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def bad_json_values(value: Any, path: str = "", depth: int = 0) -> Iterator[tuple[str, str]]:
    """``(field, problem)`` for every integer out of the column range, every text with a
    NUL character and nesting deeper than ``MAX_JSON_DEPTH`` in a parsed JSON value."""
    if depth > MAX_JSON_DEPTH:
        yield path, "depth"
        return
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not int_in_range(value):
            yield path, "range"
    elif isinstance(value, str):
        if "\x00" in value:
            yield path, "nul"
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                yield path, "nul"
            yield from bad_json_values(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from bad_json_values(item, f"{path}.{index}" if path else str(index), depth + 1)


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep ``value`` nests, counting no further than ``limit + 1``."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    deepest = 0
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return deepest


# ---------------------------------------------------------------- spreadsheet cells


def looks_like_formula(text: str) -> bool:
    return bool(text) and text.lstrip(" ").startswith(FORMULA_START)


def inert_cell(value: object) -> object:
    """A CSV cell that Excel or LibreOffice would read as a formula (``=``, ``+``, ``-``,
    ``@``, a tab, CR or LF) gets a leading ``'``, so that spreadsheets show it as text.
    Numbers and other values pass unchanged. (XLSX cells get Excel's quote prefix:
    ``registry.imports.workbook_bytes``.)"""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


# ---------------------------------------------------------------- free text


def mask_free_text(text: str) -> str:
    """``text`` with ID numbers, phone numbers and bank-card numbers masked as the
    registry masks its fields (ID: first 6 and last 4; phone: first 3 and last 4; card:
    first 4 and last 4). One detector serves every free text: the deliberation's."""
    from gridgov.deliberation.rules import mask_personal_data

    return mask_personal_data(text)


def has_personal_numbers(text: str) -> bool:
    return mask_free_text(text) != text


# ---------------------------------------------------------------- rate limits


class Write(StrEnum):
    """Each kind of anonymous (or flood-prone) write and its limits."""

    REPORT = "report"
    REPORT_STAFF = "report_staff"
    RATING = "rating"
    CONTEST = "contest"
    OBJECTION = "objection"
    COMMENT = "comment"
    PLACE_SEARCH = "place_search"  # a read, but an open door to the register


@dataclass(frozen=True)
class Limit:
    count: int
    window: timedelta


# Per source (address, account, chat sender) and, where a write has one, per target.
PER_SOURCE: dict[Write, Limit] = {
    Write.REPORT: Limit(5, timedelta(minutes=10)),
    Write.REPORT_STAFF: Limit(60, timedelta(minutes=10)),
    Write.RATING: Limit(10, timedelta(hours=1)),
    Write.CONTEST: Limit(5, timedelta(hours=1)),
    Write.OBJECTION: Limit(5, timedelta(minutes=10)),
    Write.COMMENT: Limit(10, timedelta(minutes=10)),
    Write.PLACE_SEARCH: Limit(60, timedelta(minutes=10)),
}
PER_TARGET: dict[Write, Limit] = {
    Write.RATING: Limit(5, timedelta(hours=1)),
    Write.CONTEST: Limit(5, timedelta(hours=1)),
    Write.OBJECTION: Limit(50, timedelta(minutes=10)),
    Write.COMMENT: Limit(100, timedelta(minutes=10)),
}


# ---------------------------------------------------------------- spreadsheets read

MAX_SHEET_BYTES = 20 * 1024 * 1024  # a file to import, as uploaded or read from disk
MAX_SHEET_ROWS = 500_000  # a district's whole register fits; a million-row file does not
MAX_SHEET_COLUMNS = 200
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024  # an XLSX's parts, all together, unpacked
MAX_ZIP_RATIO = 200  # a part that unpacks to more than 200 times its packed size


def xlsx_bomb(entries: list[tuple[str, int, int]]) -> bool:
    """Whether an XLSX's zip entries (name, packed, unpacked bytes) look like a zip bomb:
    checked from the zip directory, before anything is unpacked."""
    if sum(unpacked for _, _, unpacked in entries) > MAX_UNZIPPED_BYTES:
        return True
    return any(
        unpacked > 1024 * 1024 and unpacked > MAX_ZIP_RATIO * max(packed, 1)
        for _, packed, unpacked in entries
    )
