"""Message catalogues (gettext .po files): the catalogue of a language, a message in it.

Message ids are English; ``zh_Hans`` is the default language. Catalogues are read from
the .po sources (kept with the web shell in ``web/translations``) at first use, so no
compiled .mo files are kept in the repository. Any layer may translate through this
module (notification texts, exports); language negotiation for requests is in
``gridgov.web.i18n``.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from gridgov.config import SUPPORTED_LANGUAGES

TRANSLATIONS_DIR = Path(__file__).parent / "web" / "translations"
DOMAIN = "messages"


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


def gettext(language: str, message: str, params: Mapping[str, Any] | None = None) -> str:
    text = translations(language).gettext(message)
    return text % dict(params) if params else text
