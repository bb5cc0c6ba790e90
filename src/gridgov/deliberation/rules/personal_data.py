"""The personal-data scanner: ID numbers, phones and card numbers in a notice's text,
found and masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from gridgov.fields import mask_id, mask_phone
from gridgov.registry.documents import MAINLAND_PROVINCES, check_digit
from gridgov.registry.rules import normalise_phone

__all__ = [
    "Finding",
    "FindingKind",
    "luhn_valid",
    "mask_card",
    "mask_personal_data",
    "scan_personal_data",
]

# --------------------------------------------------------------------------- personal data


class FindingKind(StrEnum):
    ID_NUMBER = "id_number"  # 18 characters, GB 11643 check digit valid
    OLD_ID_NUMBER = "old_id_number"  # 15 digits (first-generation card)
    MAINLAND_MOBILE = "mainland_mobile"
    MACAU_PHONE = "macau_phone"
    HONG_KONG_PHONE = "hong_kong_phone"
    CARD_NUMBER = "card_number"  # 16 to 19 digits passing the Luhn check (bank cards)


@dataclass(frozen=True)
class Finding:
    """Personal data in a text: ``text[start:end]`` and its masked form."""

    kind: FindingKind
    start: int
    end: int
    masked: str


_ID18 = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])[0-9]{15}(?![0-9A-Za-z])")
_HK_MACAU = re.compile(r"(?<![0-9+])(?:\+|00)(85[23])[ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9+])(?:(?:\+|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
# 13 to 19 digits, in groups separated by single spaces or dashes; a card has 16 to 19.
_CARD = re.compile(r"(?<![0-9A-Za-z*])(?:[0-9][ -]?){12,18}[0-9](?![0-9A-Za-z*])")


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check every bank card number passes."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask_card(number: str) -> str:
    """``6222 **** **** 1234`` style: the first 4 and last 4 digits."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _valid_id18(number: str) -> bool:
    return check_digit(number[:17]) == number[17].upper()


def _valid_id15(number: str) -> bool:
    if number[:2] not in MAINLAND_PROVINCES:
        return False
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def _mask_phone_text(raw: str) -> str:
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    return mask_phone(normalise_phone(raw))


def scan_personal_data(text: str) -> list[Finding]:
    """ID numbers (18-character with a valid check digit, 15-digit old ones), bank-card
    numbers (16 to 19 digits, grouped or not, passing the Luhn check) and phone
    numbers (mainland mobiles with or without +86 and spaces or dashes; Macau +853 and
    Hong Kong +852 numbers) in ``text``, in order, masked as the registry masks them."""
    found: list[Finding] = []

    def add(kind: FindingKind, match: re.Match[str], masked: str) -> None:
        start, end = match.span()
        if all(end <= other.start or start >= other.end for other in found):
            found.append(Finding(kind, start, end, masked))

    for match in _ID18.finditer(text):
        if _valid_id18(match.group()):
            add(FindingKind.ID_NUMBER, match, mask_id(match.group().upper()))
    for match in _ID15.finditer(text):
        if _valid_id15(match.group()):
            add(FindingKind.OLD_ID_NUMBER, match, mask_id(match.group()))
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 16 <= len(digits) <= 19 and luhn_valid(digits):
            add(FindingKind.CARD_NUMBER, match, mask_card(digits))
    for match in _HK_MACAU.finditer(text):
        kind = FindingKind.MACAU_PHONE if match.group(1) == "853" else FindingKind.HONG_KONG_PHONE
        add(kind, match, _mask_phone_text(match.group()))
    for match in _MOBILE.finditer(text):
        add(FindingKind.MAINLAND_MOBILE, match, _mask_phone_text(match.group()))
    return sorted(found, key=lambda finding: finding.start)


def mask_personal_data(text: str) -> str:
    """``text`` with every finding of :func:`scan_personal_data` replaced by its mask."""
    for finding in reversed(scan_personal_data(text)):
        text = text[: finding.start] + finding.masked + text[finding.end :]
    return text
