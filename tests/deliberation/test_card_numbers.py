"""Bank-card numbers in free text (pure): found by the one detector that finds ID
numbers and phones, masked as first four and last four digits."""

from __future__ import annotations

import pytest

from gridgov.deliberation.rules import FindingKind, luhn_valid, scan_personal_data
from gridgov.guard.rules import mask_free_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("卡号6222021234567894", "卡号6222********7894"),
        ("card 6217-0000-1234-5670 pls", "card 6217********5670 pls"),
        ("visa 4111 1111 1111 1111.", "visa 4111********1111."),
    ],
)
def test_a_card_number_is_masked_in_free_text(text: str, masked: str) -> None:
    assert mask_free_text(text) == masked
    assert [f.kind for f in scan_personal_data(text)] == [FindingKind.CARD_NUMBER]


def test_numbers_that_are_not_cards_are_left_alone() -> None:
    # 16 digits failing the Luhn check, an order number of 13 digits, a date
    for text in ("订单 6222021234567895", "编号 1234567890123", "2026-12-06"):
        assert not luhn_valid("6222021234567895")
        assert mask_free_text(text) == text


def test_an_id_number_and_a_phone_beside_a_card_are_masked_as_themselves() -> None:
    text = "身份证 11010519491231002X 电话 13812345678 卡 6222021234567894"
    assert mask_free_text(text) == "身份证 110105********002X 电话 138****5678 卡 6222********7894"
