"""Identity document numbers: GB 11643-1999 identity cards, permits, passports."""

from __future__ import annotations

from datetime import date

import pytest

from gridgov.errors import Problem
from gridgov.registry.documents import (
    DocumentType,
    birth_date_of,
    check_digit,
    document_problems,
    normalise,
    region_prefix,
    sex_of,
)

TODAY = date(2024, 6, 1)
ID = DocumentType.MAINLAND_ID
HMT = DocumentType.HMT_RESIDENCE

# The worked example printed in GB 11643-1999 (Beijing Chaoyang, born 1949-12-31, female).
PUBLISHED_EXAMPLE = "11010519491231002X"


def iso7064_check(body: str) -> str:
    """MOD 11-2 computed from the ISO 7064 formula, independently of the module's table."""
    total = sum(int(digit) * pow(2, 17 - index, 11) for index, digit in enumerate(body))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(body: str) -> str:
    assert len(body) == 17
    return body + iso7064_check(body)


def wrong_check(body: str) -> str:
    good = iso7064_check(body)
    return body + ("0" if good != "0" else "1")


# Region 440512 (Haojiang, Shantou), born 1980-01-01, sequence 123 (odd: male).
HAOJIANG_BODY = "44051219800101123"
HAOJIANG = with_check(HAOJIANG_BODY)
# Region 440512, born 1992-07-15, sequence 086 (even: female).
HAOJIANG_WOMAN = with_check("44051219920715086")
# Hong Kong residence permit prefix 810000, born 1985-03-09, sequence 041.
HONG_KONG_RESIDENT = with_check("81000019850309041")
MACAU_RESIDENT = with_check("82000020000229012")  # a real 29 February
TAIWAN_RESIDENT = with_check("83000019761111055")


def messages(problems: list[Problem]) -> list[str]:
    return [problem.text() for problem in problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("11010519491231002", "X", id="published-example"),
        pytest.param("44052418800101001", "4", id="gb11643-annex-example"),
        pytest.param(HAOJIANG_BODY, "X", id="haojiang"),
        pytest.param("00000000000000000", "1", id="all-zero"),
    ],
)
def test_check_digit_known_answers(body: str, expected: str) -> None:
    assert check_digit(body) == expected
    assert iso7064_check(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(f"{index:017d}", id=f"zeros-then-{index}")
        for index in (1, 7, 99, 12345, 99999999999999999)
    ]
    + [pytest.param("81000019850309041", id="hong-kong-body")],
)
def test_check_digit_agrees_with_iso7064_formula(body: str) -> None:
    assert check_digit(body) == iso7064_check(body)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("1101051949123100", id="16-digits"),
        pytest.param("110105194912310021", id="18-digits"),
        pytest.param("1101051949123100X", id="letter"),
        pytest.param("１１０１０５１９４９１２３１００２", id="full-width"),
    ],
)
def test_check_digit_rejects_bad_input(body: str) -> None:
    with pytest.raises(ValueError, match="17 ASCII digits"):
        check_digit(body)


@pytest.mark.parametrize(
    ("doc_type", "raw", "expected"),
    [
        pytest.param(ID, " 440512 19800101 123x ", "44051219800101123X", id="spaces-lower-x"),
        pytest.param(ID, "440512-19800101-123X", "44051219800101123X", id="hyphens"),
        pytest.param(
            ID, "１１０１０５１９４９１２３１００２ｘ", PUBLISHED_EXAMPLE, id="full-width"
        ),
        pytest.param(DocumentType.HK_MACAU_PERMIT, "h 1234 5678", "H12345678", id="permit"),
        pytest.param(DocumentType.PASSPORT, "e12345678", "E12345678", id="passport"),
        pytest.param(DocumentType.OTHER, "ab-12\u300034", "AB1234", id="ideographic-space"),
    ],
)
def test_normalise(doc_type: DocumentType, raw: str, expected: str) -> None:
    assert normalise(doc_type, raw) == expected


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(PUBLISHED_EXAMPLE, id="published-example"),
        pytest.param(PUBLISHED_EXAMPLE.lower(), id="published-example-lower-x"),
        pytest.param(HAOJIANG, id="haojiang-male"),
        pytest.param(HAOJIANG.lower(), id="haojiang-lower-x"),
        pytest.param(HAOJIANG_WOMAN, id="haojiang-female"),
        pytest.param(with_check("65010219000101001"), id="born-1900-01-01"),
        pytest.param(with_check(f"440512{TODAY:%Y%m%d}001"), id="born-today"),
        pytest.param(with_check("46000020000229002"), id="hainan-leap-day"),
    ],
)
def test_valid_mainland_ids(number: str) -> None:
    assert document_problems(ID, number, today=TODAY) == []


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param(
            wrong_check(HAOJIANG_BODY), ["The check digit should be X."], id="wrong-check-digit"
        ),
        pytest.param(
            "110105194912310021", ["The check digit should be X."], id="published-digit-changed"
        ),
        pytest.param(
            with_check("44051219900230123"),
            ["1990-02-30 is not a real date of birth."],
            id="30-february",
        ),
        pytest.param(
            with_check("44051219991301123"),
            ["1999-13-01 is not a real date of birth."],
            id="month-13",
        ),
        pytest.param(
            with_check("44051220240602123"),
            ["The date of birth 2024-06-02 is in the future."],
            id="born-tomorrow",
        ),
        pytest.param(
            "440524188001010014",
            ["The date of birth 1880-01-01 is before 1 January 1900."],
            id="gb11643-annex-example-1880",
        ),
        pytest.param(
            with_check("99051219800101123"),
            ["99 is not a mainland province code."],
            id="province-99",
        ),
        pytest.param(
            with_check("71000019800101123"),
            ["71 is not a mainland province code."],
            id="taiwan-71",
        ),
        pytest.param(
            HONG_KONG_RESIDENT,
            ["81 is not a mainland province code."],
            id="hong-kong-81",
        ),
        pytest.param(
            MACAU_RESIDENT,
            ["82 is not a mainland province code."],
            id="macau-82",
        ),
        pytest.param(
            wrong_check("99051219900230123"),
            [
                "99 is not a mainland province code.",
                "1990-02-30 is not a real date of birth.",
                "The check digit should be " + iso7064_check("99051219900230123") + ".",
            ],
            id="every-reason-at-once",
        ),
        pytest.param(
            "440512800101123",
            [
                "Only 18-digit identity card numbers are accepted; "
                "15-digit numbers are no longer valid."
            ],
            id="first-generation-15-digits",
        ),
        pytest.param(
            "4405121980010112",
            ["The number has 16 characters; it should have 18."],
            id="16-characters",
        ),
        pytest.param(
            HAOJIANG + "1",
            ["The number has 19 characters; it should have 18."],
            id="19-characters",
        ),
        pytest.param(
            "4405121980010112X3",
            ["The number should be 17 digits followed by a digit or X."],
            id="x-not-last",
        ),
        pytest.param(
            "44051219800101123Y",
            ["The number should be 17 digits followed by a digit or X."],
            id="y-check",
        ),
        pytest.param("  - ", ["A document number is required."], id="blank"),
    ],
)
def test_invalid_mainland_ids(number: str, expected: list[str]) -> None:
    assert messages(document_problems(ID, number, today=TODAY)) == expected


def test_check_digit_problem_names_the_expected_digit() -> None:
    # given a Haojiang number whose check digit was mistyped
    number = wrong_check(HAOJIANG_BODY)
    # when it is validated
    problems = document_problems(ID, number, today=TODAY)
    # then the one problem is on the id_number field and carries the expected digit
    assert problems == [
        Problem("id_number", "The check digit should be %(expected)s.", expected="X")
    ]


def test_today_defaults_to_the_current_date() -> None:
    # given a person born on 1 January 1980, long enough ago for any real clock
    # when no date is passed, then the number is still valid
    assert document_problems(ID, HAOJIANG) == []
    # and a birth date far in the future is refused without an explicit today
    far_future = with_check("44051230000101123")
    assert messages(document_problems(ID, far_future)) == [
        "The date of birth 3000-01-01 is in the future."
    ]


@pytest.mark.parametrize(
    "number",
    [
        pytest.param(HONG_KONG_RESIDENT, id="hong-kong-810000"),
        pytest.param(MACAU_RESIDENT, id="macau-820000"),
        pytest.param(TAIWAN_RESIDENT, id="taiwan-830000"),
        pytest.param(HONG_KONG_RESIDENT[:-1] + HONG_KONG_RESIDENT[-1].lower(), id="lower"),
    ],
)
def test_valid_residence_permits(number: str) -> None:
    assert document_problems(HMT, number, today=TODAY) == []


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param(
            HAOJIANG,
            [
                "A residence permit number for Hong Kong, Macau or Taiwan residents "
                "begins with 810000, 820000 or 830000, not 440512."
            ],
            id="mainland-prefix-440512",
        ),
        pytest.param(
            with_check("81010019850309041"),
            [
                "A residence permit number for Hong Kong, Macau or Taiwan residents "
                "begins with 810000, 820000 or 830000, not 810100."
            ],
            id="prefix-810100",
        ),
        pytest.param(
            wrong_check("81000019850309041"),
            ["The check digit should be " + iso7064_check("81000019850309041") + "."],
            id="wrong-check-digit",
        ),
        pytest.param(
            with_check("82000019990229012"),
            ["1999-02-29 is not a real date of birth."],
            id="29-february-1999",
        ),
        pytest.param(
            "81000019850309",
            ["The number has 14 characters; it should have 18."],
            id="short",
        ),
        pytest.param(
            "8100001985030904",
            ["The number has 16 characters; it should have 18."],
            id="16-characters",
        ),
    ],
)
def test_invalid_residence_permits(number: str, expected: list[str]) -> None:
    assert messages(document_problems(HMT, number, today=TODAY)) == expected


HK_MACAU_MESSAGE = (
    "A Hong Kong or Macau residents' travel permit number is H or M followed by 8 or 10 digits."
)
TAIWAN_MESSAGE = "A Taiwan residents' travel permit number has 8 or 10 digits."


@pytest.mark.parametrize(
    ("doc_type", "number", "expected"),
    [
        pytest.param(DocumentType.HK_MACAU_PERMIT, "H12345678", [], id="hk-9"),
        pytest.param(DocumentType.HK_MACAU_PERMIT, "M1234567801", [], id="macau-11"),
        pytest.param(DocumentType.HK_MACAU_PERMIT, "h 1234 5678", [], id="hk-lower-spaced"),
        pytest.param(DocumentType.HK_MACAU_PERMIT, "X12345678", [HK_MACAU_MESSAGE], id="letter-x"),
        pytest.param(
            DocumentType.HK_MACAU_PERMIT, "H1234567", [HK_MACAU_MESSAGE], id="hk-7-digits"
        ),
        pytest.param(
            DocumentType.HK_MACAU_PERMIT, "H123456789", [HK_MACAU_MESSAGE], id="hk-9-digits"
        ),
        pytest.param(DocumentType.HK_MACAU_PERMIT, "12345678", [HK_MACAU_MESSAGE], id="no-letter"),
        pytest.param(DocumentType.TAIWAN_PERMIT, "12345678", [], id="taiwan-8"),
        pytest.param(DocumentType.TAIWAN_PERMIT, "1234567801", [], id="taiwan-10"),
        pytest.param(DocumentType.TAIWAN_PERMIT, "1234567", [TAIWAN_MESSAGE], id="taiwan-7"),
        pytest.param(DocumentType.TAIWAN_PERMIT, "123456789", [TAIWAN_MESSAGE], id="taiwan-9"),
        pytest.param(DocumentType.TAIWAN_PERMIT, "T12345678", [TAIWAN_MESSAGE], id="taiwan-letter"),
        pytest.param(DocumentType.PASSPORT, "E12345678", [], id="passport-chinese"),
        pytest.param(DocumentType.PASSPORT, "533380006", [], id="passport-digits-only"),
        pytest.param(DocumentType.PASSPORT, "A1234", [], id="passport-5"),
        pytest.param(
            DocumentType.PASSPORT,
            "ABCDE",
            ["A passport number contains at least one digit."],
            id="passport-no-digit",
        ),
        pytest.param(
            DocumentType.PASSPORT,
            "E1234567890123456789",
            ["A passport number has 5 to 17 characters."],
            id="passport-20",
        ),
        pytest.param(
            DocumentType.PASSPORT,
            "E123",
            ["A passport number has 5 to 17 characters."],
            id="passport-4",
        ),
        pytest.param(
            DocumentType.PASSPORT,
            "E12345/678",
            ["A passport number has only letters A to Z and digits."],
            id="passport-slash",
        ),
        pytest.param(
            DocumentType.PASSPORT,
            "ÉÈ/",
            [
                "A passport number has 5 to 17 characters.",
                "A passport number has only letters A to Z and digits.",
                "A passport number contains at least one digit.",
            ],
            id="passport-every-reason",
        ),
        pytest.param(DocumentType.OTHER, "军官证 No.123", [], id="other-chinese"),
        pytest.param(DocumentType.OTHER, "X" * 32, [], id="other-32"),
        pytest.param(
            DocumentType.OTHER,
            "X" * 33,
            ["A document number has at most 32 characters."],
            id="other-33",
        ),
        pytest.param(
            DocumentType.OTHER,
            "AB\x00CD",
            ["A document number has only printable characters."],
            id="other-control-character",
        ),
    ]
    + [
        pytest.param(doc_type, "", ["A document number is required."], id=f"empty-{doc_type}")
        for doc_type in DocumentType
    ],
)
def test_other_documents(doc_type: DocumentType, number: str, expected: list[str]) -> None:
    assert messages(document_problems(doc_type, number, today=TODAY)) == expected


def test_every_message_is_a_sentence_on_the_id_number_field() -> None:
    # given numbers that break every rule of every type
    cases = [
        (ID, "99051219900230123Y"),
        (ID, wrong_check("99051219900230123")),
        (ID, "440512800101123"),
        (ID, "123"),
        (HMT, HAOJIANG),
        (HMT, with_check("81000030000101123")),
        (HMT, with_check("81000018000101123")),
        (DocumentType.HK_MACAU_PERMIT, "X1"),
        (DocumentType.TAIWAN_PERMIT, "X1"),
        (DocumentType.PASSPORT, "É"),
        (DocumentType.OTHER, "\x00" * 40),
        (DocumentType.OTHER, ""),
    ]
    # when they are validated
    problems = [p for doc_type, number in cases for p in document_problems(doc_type, number)]
    # then each problem is a full English sentence whose placeholders all resolve
    assert problems
    for problem in problems:
        assert problem.field == "id_number"
        assert problem.message.endswith(".")
        assert problem.message[0].isupper() or problem.message.startswith("%(")
        assert "%(" not in problem.text()


@pytest.mark.parametrize(
    ("doc_type", "number", "born", "sex"),
    [
        pytest.param(ID, PUBLISHED_EXAMPLE, date(1949, 12, 31), "female", id="published"),
        pytest.param(ID, HAOJIANG.lower(), date(1980, 1, 1), "male", id="haojiang-male"),
        pytest.param(ID, HAOJIANG_WOMAN, date(1992, 7, 15), "female", id="haojiang-female"),
        pytest.param(HMT, HONG_KONG_RESIDENT, date(1985, 3, 9), "male", id="hong-kong"),
        pytest.param(HMT, MACAU_RESIDENT, date(2000, 2, 29), "female", id="macau-leap-day"),
        pytest.param(ID, with_check("44051219900230123"), None, "male", id="impossible-date"),
        pytest.param(ID, "440512800101123", None, None, id="15-digits"),
        pytest.param(ID, "4405121980010112X3", None, None, id="bad-layout"),
        pytest.param(DocumentType.PASSPORT, HAOJIANG, None, None, id="passport-type"),
        pytest.param(DocumentType.OTHER, HAOJIANG, None, None, id="other-type"),
    ],
)
def test_birth_date_and_sex(
    doc_type: DocumentType, number: str, born: date | None, sex: str | None
) -> None:
    assert birth_date_of(doc_type, number) == born
    assert sex_of(doc_type, number) == sex


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        pytest.param(HAOJIANG, "440512", id="haojiang"),
        pytest.param(PUBLISHED_EXAMPLE, "110105", id="published"),
        pytest.param("440 512-1980 0101 123x", "440512", id="typed-with-separators"),
    ],
)
def test_region_prefix(number: str, expected: str) -> None:
    assert region_prefix(number) == expected


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("", id="empty"),
        pytest.param("44O512", id="letter-o"),
        pytest.param("44", id="short"),
    ],
)
def test_region_prefix_needs_six_leading_digits(number: str) -> None:
    with pytest.raises(ValueError, match="six-digit region code"):
        region_prefix(number)
