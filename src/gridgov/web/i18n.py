"""Language negotiation for requests (``?lang=``, cookie, ``Accept-Language``) and the
languages' names and writing direction. The catalogues themselves are ``gridgov.i18n``,
re-exported here for the routes and templates.
"""

from __future__ import annotations

from collections.abc import Iterable

from gridgov.i18n import DOMAIN, TRANSLATIONS_DIR, gettext, normalise, translations

__all__ = [
    "DOMAIN",
    "HTML_LANG",
    "LANGUAGE_NAMES",
    "RTL_LANGUAGES",
    "TRANSLATIONS_DIR",
    "choose",
    "from_accept_language",
    "gettext",
    "normalise",
    "text_direction",
    "translations",
]

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
