"""Pure validation of identity document numbers: no I/O, no database.

Supported documents:

* 居民身份证 (GB 11643-1999 citizen identity number): six-digit region code, eight-digit
  date of birth, three-digit sequence (odd for men, even for women), ISO 7064 MOD 11-2
  check character.
* 港澳居民来往内地通行证 ("回乡证"): H (Hong Kong) or M (Macau), eight digits and an
  optional two-digit issue count.
* 台湾居民来往大陆通行证: eight digits with an optional two-digit issue count, or the older
  ten-digit form.
* 港澳台居民居住证: the GB 11643 layout with region prefix 810000 (Hong Kong), 820000
  (Macau) or 830000 (Taiwan).
* Passports, foreign or Chinese, and any other document.

Every function normalises its input with :func:`normalise` first, so callers may pass what
the user typed. Messages are English catalogue ids with ``%(name)s`` placeholders.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from gridgov.clock import local_today
from gridgov.errors import Problem

FIELD = "id_number"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARACTERS = "10X98765432"
_EARLIEST_BIRTH = date(1900, 1, 1)
# China Standard Time has had no daylight saving since 1991, so a fixed offset is exact.
_CHINA_STANDARD_TIME = timezone(timedelta(hours=8))

# GB/T 2260 province-level codes of the mainland; 71 (Taiwan), 81 (Hong Kong) and
# 82 (Macau) are region codes but never begin a mainland resident identity number.
MAINLAND_PROVINCES: frozenset[str] = frozenset(
    f"{code:02d}"
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
    for code in range(first, last + 1)
)
HMT_PREFIXES: frozenset[str] = frozenset({"810000", "820000", "830000"})

_SEPARATORS = re.compile(r"[\s\-]+")
_DIGITS = re.compile(r"[0-9]+")
_GB11643 = re.compile(r"[0-9]{17}[0-9X]")
_HK_MACAU_PERMIT = re.compile(r"[HM][0-9]{8}(?:[0-9]{2})?")
_TAIWAN_PERMIT = re.compile(r"[0-9]{8}(?:[0-9]{2})?")
_PASSPORT_CHARACTERS = re.compile(r"[A-Z0-9]+")
_PASSPORT_LENGTH = (5, 17)
_OTHER_MAX_LENGTH = 32


class DocumentType(StrEnum):
    MAINLAND_ID = "mainland_id"  # 居民身份证
    HK_MACAU_PERMIT = "hk_macau_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    HMT_RESIDENCE = "hmt_residence"  # 港澳台居民居住证
    PASSPORT = "passport"  # 护照
    OTHER = "other"  # 其他证件


_GB11643_TYPES = frozenset({DocumentType.MAINLAND_ID, DocumentType.HMT_RESIDENCE})


def normalise(doc_type: DocumentType, number: str) -> str:
    """The canonical spelling of ``number``: no spaces or hyphens, upper case.

    Full-width characters typed with a Chinese input method (``１２３``, ``ｘ``, ``－``)
    are folded to their ASCII forms first (Unicode NFKC). Upper-casing turns the trailing
    ``x`` of a mainland identity number into ``X``.
    """
    folded = unicodedata.normalize("NFKC", number)
    return _SEPARATORS.sub("", folded).upper()


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a GB 11643 number."""
    if len(first17) != len(_WEIGHTS) or not _DIGITS.fullmatch(first17):
        raise ValueError(f"expected 17 ASCII digits, got {first17!r}")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARACTERS[total % 11]


def document_problems(
    doc_type: DocumentType, number: str, *, today: date | None = None
) -> list[Problem]:
    """Every reason ``number`` is not a valid ``doc_type`` number; empty if it is valid.

    ``today`` bounds the date of birth; it defaults to today in China Standard Time.
    """
    value = normalise(doc_type, number)
    if not value:
        return [Problem(FIELD, "A document number is required.")]
    if doc_type is DocumentType.MAINLAND_ID:
        return _mainland_problems(value, today or _today())
    if doc_type is DocumentType.HMT_RESIDENCE:
        return _residence_problems(value, today or _today())
    if doc_type is DocumentType.HK_MACAU_PERMIT:
        if _HK_MACAU_PERMIT.fullmatch(value):
            return []
        return [
            Problem(
                FIELD,
                "A Hong Kong or Macau residents' travel permit number is H or M "
                "followed by 8 or 10 digits.",
            )
        ]
    if doc_type is DocumentType.TAIWAN_PERMIT:
        if _TAIWAN_PERMIT.fullmatch(value):
            return []
        return [Problem(FIELD, "A Taiwan residents' travel permit number has 8 or 10 digits.")]
    if doc_type is DocumentType.PASSPORT:
        return _passport_problems(value)
    return _other_problems(value)


def birth_date_of(doc_type: DocumentType, number: str) -> date | None:
    """The date of birth in a mainland identity or residence permit number.

    None for other document types, or when the number does not have the GB 11643 layout
    or its eight date digits are not a real date. The check digit is not verified here:
    call :func:`document_problems` for that.
    """
    value = _gb11643_value(doc_type, number)
    return None if value is None else _parse_birth(value)


def sex_of(doc_type: DocumentType, number: str) -> str | None:
    """ "male" if the 17th digit is odd, "female" if even; None when not applicable.

    Applies to mainland identity and residence permit numbers in the GB 11643 layout; the
    check digit is not verified here.
    """
    value = _gb11643_value(doc_type, number)
    if value is None:
        return None
    return "male" if int(value[16]) % 2 else "female"


def region_prefix(number: str) -> str:
    """The six-digit region code that begins a mainland identity number.

    Raises ValueError if the normalised number does not begin with six digits.
    """
    value = normalise(DocumentType.MAINLAND_ID, number)
    prefix = value[:6]
    if len(prefix) != 6 or not _DIGITS.fullmatch(prefix):
        raise ValueError(f"{number!r} does not begin with a six-digit region code")
    return prefix


def _today() -> date:
    """Only when the caller gave no ``today``: the office's date now."""
    return local_today(datetime.now(_CHINA_STANDARD_TIME))


def _gb11643_value(doc_type: DocumentType, number: str) -> str | None:
    if doc_type not in _GB11643_TYPES:
        return None
    value = normalise(doc_type, number)
    return value if _GB11643.fullmatch(value) else None


def _layout_problem(value: str) -> Problem | None:
    if len(value) != 18:
        return Problem(FIELD, "The number has %(n)s characters; it should have 18.", n=len(value))
    if not _GB11643.fullmatch(value):
        return Problem(FIELD, "The number should be 17 digits followed by a digit or X.")
    return None


def _mainland_problems(value: str, today: date) -> list[Problem]:
    if len(value) == 15 and _DIGITS.fullmatch(value):
        return [
            Problem(
                FIELD,
                "Only 18-digit identity card numbers are accepted; "
                "15-digit numbers are no longer valid.",
            )
        ]
    layout = _layout_problem(value)
    if layout is not None:
        return [layout]
    problems: list[Problem] = []
    province = value[:2]
    if province not in MAINLAND_PROVINCES:
        problems.append(Problem(FIELD, "%(code)s is not a mainland province code.", code=province))
    problems.extend(_birth_problems(value, today))
    problems.extend(_check_digit_problems(value))
    return problems


def _residence_problems(value: str, today: date) -> list[Problem]:
    layout = _layout_problem(value)
    if layout is not None:
        return [layout]
    problems: list[Problem] = []
    if value[:6] not in HMT_PREFIXES:
        problems.append(
            Problem(
                FIELD,
                "A residence permit number for Hong Kong, Macau or Taiwan residents "
                "begins with 810000, 820000 or 830000, not %(prefix)s.",
                prefix=value[:6],
            )
        )
    problems.extend(_birth_problems(value, today))
    problems.extend(_check_digit_problems(value))
    return problems


def _parse_birth(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def _birth_problems(value: str, today: date) -> list[Problem]:
    shown = f"{value[6:10]}-{value[10:12]}-{value[12:14]}"
    born = _parse_birth(value)
    if born is None:
        return [Problem(FIELD, "%(date)s is not a real date of birth.", date=shown)]
    if born > today:
        return [Problem(FIELD, "The date of birth %(date)s is in the future.", date=shown)]
    if born < _EARLIEST_BIRTH:
        return [Problem(FIELD, "The date of birth %(date)s is before 1 January 1900.", date=shown)]
    return []


def _check_digit_problems(value: str) -> list[Problem]:
    expected = check_digit(value[:17])
    if value[17] == expected:
        return []
    return [Problem(FIELD, "The check digit should be %(expected)s.", expected=expected)]


def _passport_problems(value: str) -> list[Problem]:
    problems: list[Problem] = []
    shortest, longest = _PASSPORT_LENGTH
    if not shortest <= len(value) <= longest:
        problems.append(
            Problem(
                FIELD,
                "A passport number has %(min)s to %(max)s characters.",
                min=shortest,
                max=longest,
            )
        )
    if not _PASSPORT_CHARACTERS.fullmatch(value):
        problems.append(Problem(FIELD, "A passport number has only letters A to Z and digits."))
    if not any(character in "0123456789" for character in value):
        problems.append(Problem(FIELD, "A passport number contains at least one digit."))
    return problems


def _other_problems(value: str) -> list[Problem]:
    problems: list[Problem] = []
    if len(value) > _OTHER_MAX_LENGTH:
        problems.append(
            Problem(
                FIELD, "A document number has at most %(max)s characters.", max=_OTHER_MAX_LENGTH
            )
        )
    if not value.isprintable():
        problems.append(Problem(FIELD, "A document number has only printable characters."))
    return problems
