"""Message catalogues (gettext .po files) and language negotiation.

Message ids are English; ``zh_Hans`` is the default language. Catalogues are read from
the .po sources at start-up, so no compiled .mo files are kept in the repository.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from gridgov.config import SUPPORTED_LANGUAGES

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DOMAIN = "messages"

LANGUAGE_NAMES = {
    "zh_Hans": "简体中文",
    "zh_Hant": "繁體中文",
    "en": "English",
    "ko": "한국어",
    "ja": "日本語",
    "vi": "Tiếng Việt",
    "ar": "العربية",
}
HTML_LANG = {
    "zh_Hans": "zh-Hans",
    "zh_Hant": "zh-Hant",
    "en": "en",
    "ko": "ko",
    "ja": "ja",
    "vi": "vi",
    "ar": "ar",
}
# Languages written right to left: pages get dir="rtl" (the CSS uses logical properties).
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})


def text_direction(language: str) -> str:
    return "rtl" if language.split("_")[0].split("-")[0] in RTL_LANGUAGES else "ltr"


# Accept-Language tags and the catalogue they mean.
_TAG_ALIASES = {
    "zh": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh-sg": "zh_Hans",
    "zh-hans": "zh_Hans",
    "zh-tw": "zh_Hant",
    "zh-hk": "zh_Hant",
    "zh-mo": "zh_Hant",
    "zh-hant": "zh_Hant",
    "en": "en",
}


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language`` (cached); an empty one when unknown."""
    path = TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language.replace("_Hans", "").replace("_Hant", ""))
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def normalise(language: str | None) -> str | None:
    if not language:
        return None
    candidate = language.strip().replace("-", "_")
    for supported in SUPPORTED_LANGUAGES:
        if candidate.lower() == supported.lower():
            return supported
    return _TAG_ALIASES.get(language.strip().lower())


def from_accept_language(header: str | None) -> str | None:
    """The best supported language in an Accept-Language header, by q-value."""
    if not header:
        return None
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, index, tag.strip()))
    for negative_quality, _index, tag in sorted(weighted):
        if negative_quality >= 0:
            continue
        subtags = tag.replace("_", "-").split("-")
        for length in range(len(subtags), 0, -1):
            found = normalise("-".join(subtags[:length]))
            if found:
                return found
    return None


def choose(candidates: Iterable[str | None], default: str) -> str:
    for candidate in candidates:
        found = normalise(candidate)
        if found:
            return found
    return default


def gettext(language: str, message: str, params: Mapping[str, Any] | None = None) -> str:
    text = translations(language).gettext(message)
    return text % dict(params) if params else text
