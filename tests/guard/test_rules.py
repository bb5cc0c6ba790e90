"""Pure hardening rules: ranges, NUL, depth, formula cells, numbers in free text."""

from __future__ import annotations

import pytest

from gridgov.guard import rules
from tests.factories import mainland_id


@pytest.mark.parametrize(
    ("value", "problems"),
    [
        ({"id": 2**31 - 1}, []),
        ({"id": 2**31}, [("id", "range")]),
        ({"items": [1, -(2**63)]}, [("items.1", "range")]),
        ({"text": "a\x00b"}, [("text", "nul")]),
        ({"ok": True, "n": 3.5e300}, []),
    ],
)
def test_bad_json_values_name_the_field(value: object, problems: list[tuple[str, str]]) -> None:
    assert list(rules.bad_json_values(value)) == problems


def test_deep_json_is_found_without_recursing_through_it() -> None:
    deep: object = 1
    for _ in range(10_000):
        deep = [deep]
    assert rules.json_depth(deep) == rules.MAX_JSON_DEPTH + 1
    assert next(iter(rules.bad_json_values(deep)))[1] == "depth"


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"],
)
def test_formula_cells_become_text(text: str) -> None:
    assert rules.looks_like_formula(text)
    assert rules.inert_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["陈伟雄", "QL-0001", 42, None, ""])
def test_ordinary_cells_pass_unchanged(value: object) -> None:
    assert rules.inert_cell(value) == value


def test_numbers_typed_into_free_text_are_masked() -> None:
    number = mainland_id("19800101", "123")
    text = f"我叫陈伟雄，身份证{number}，电话 138 1234 5678，卡号6222 0212 3456 7890 128"
    masked = rules.mask_free_text(text)
    assert number not in masked
    assert number[:6] in masked
    assert number[-4:] in masked
    assert "138****5678" in masked
    assert "6222" in masked
    assert "7890 128" not in masked
    assert rules.has_personal_numbers(text)
    assert not rules.has_personal_numbers("路灯坏了三天，3号楼门口")


def test_a_luhn_invalid_long_number_is_not_a_card() -> None:
    text = "订单号 1234567890123456"
    assert rules.mask_free_text(text) == text


def test_a_zip_bomb_is_seen_from_its_directory() -> None:
    assert rules.xlsx_bomb([("xl/worksheets/sheet1.xml", 300_000, 1_500_000_000)])
    assert rules.xlsx_bomb([("a", 10_000, 5_000_000)])  # 500 times its size
    assert not rules.xlsx_bomb([("xl/worksheets/sheet1.xml", 200_000, 2_000_000)])


def test_hits_are_kept_longer_than_every_window() -> None:
    from gridgov.guard.service import KEEP_HITS

    windows = [limit.window for limit in (*rules.PER_SOURCE.values(), *rules.PER_TARGET.values())]
    assert max(windows) < KEEP_HITS
