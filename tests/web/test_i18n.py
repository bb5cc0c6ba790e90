"""Catalogues are complete, and languages are negotiated as residents expect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from gridgov.web import i18n

SRC = Path(__file__).parents[2] / "src"
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "Problem": (2,),
    "DataFileError": (2,),
    **{
        name: None
        for name in (
            "InvalidInput",
            "NotFound",
            "Forbidden",
            "Conflict",
            "TooManyRequests",
            "Unauthenticated",
            "InvalidCredentials",
            "CsrfFailed",
            "NotReady",
            "DomainError",
        )
    },
}
METHOD_MAP = [("**.py", "python"), ("gridgov/web/templates/**.html", "jinja2")]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(SRC),
        METHOD_MAP,
        keywords=KEYWORDS,
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


SHIPPED = sorted(
    path.name
    for path in i18n.TRANSLATIONS_DIR.iterdir()
    if (path / "LC_MESSAGES" / "messages.po").exists()
)


def test_every_interface_language_ships_a_catalogue_and_six_or_more_do() -> None:
    from gridgov.config import SUPPORTED_LANGUAGES

    assert set(SUPPORTED_LANGUAGES) <= set(SHIPPED)
    assert {"zh_Hans", "zh_Hant", "en", "ko", "ja", "vi"} <= set(SHIPPED)


@pytest.mark.parametrize("language", SHIPPED)
def test_catalogue_translates_every_message_in_the_source(language: str) -> None:
    path = i18n.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    translated = {m.id: m.string for m in catalog if m.id and m.string}
    missing = sorted(_source_messages() - set(translated))
    assert missing == [], f"run `make messages` and translate: {missing[:5]}"
    for message_id, text in translated.items():
        assert isinstance(message_id, str)
        assert isinstance(text, str)
        assert set(PLACEHOLDER.findall(message_id)) == set(PLACEHOLDER.findall(text)), message_id


def test_extraction_finds_messages_in_code_and_templates() -> None:
    messages = _source_messages()
    assert "Wrong username or password, or the account is disabled." in messages
    assert "Welcome, %(name)s" in messages


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        ("zh-Hant-TW", "zh_Hant"),
        ("zh-MO", "zh_Hant"),
        ("pt-PT,en;q=0.5", "en"),
        ("en;q=0.2,zh-HK;q=0.9", "zh_Hant"),
        ("fr-FR", None),
        ("ko-KR,ko;q=0.9,en;q=0.5", "ko"),
        ("ja-JP", "ja"),
        ("vi-VN,vi;q=0.9", "vi"),
        ("", None),
        ("en;q=0", None),
    ],
)
def test_accept_language(header: str, expected: str | None) -> None:
    assert i18n.from_accept_language(header) == expected


def test_gettext_fills_parameters_in_the_language() -> None:
    text = i18n.gettext("zh_Hans", "Welcome, %(name)s", {"name": "陈明"})
    assert "陈明" in text
    assert text != "Welcome, 陈明"
    assert i18n.gettext("en", "Welcome, %(name)s", {"name": "Chen"}) == "Welcome, Chen"


def test_right_to_left_languages_turn_the_page_around() -> None:
    assert i18n.text_direction("ar") == "rtl"
    assert i18n.text_direction("he_IL") == "rtl"
    assert i18n.text_direction("zh_Hans") == "ltr"
    assert i18n.text_direction("vi") == "ltr"


# Han, kana, hangul, CJK and full-width punctuation: words or marks of one language.
_CJK = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")
_TRANSLATED = re.compile(
    r"\{#.*?#\}"  # comments
    r"|\{%-?\s*trans\b.*?endtrans\s*-?%\}"  # trans blocks
    r"|_\(\s*(\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')",  # _("...") ids
    re.S,
)


def test_templates_write_no_chinese_korean_or_japanese_outside_the_catalogue() -> None:
    """A colon ``：`` or a list mark ``、`` written in a template shows on English pages
    too: punctuation and words go through ``_()`` (``_(", ")``, ``_("Leader: %(name)s")``)."""
    templates = sorted((SRC / "gridgov" / "web" / "templates").rglob("*.html"))
    assert len(templates) > 50
    found = [
        f"{path.relative_to(SRC)}:{number}: {line.strip()[:120]}"
        for path in templates
        for number, line in enumerate(
            _TRANSLATED.sub("", path.read_text(encoding="utf-8")).splitlines(), start=1
        )
        if _CJK.search(line)
    ]
    assert found == []
