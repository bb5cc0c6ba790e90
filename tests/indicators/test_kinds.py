"""Every metric a tree may name has a label, translated in every catalogue."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from gridgov.indicators.kinds import BASE_METRICS, BUILT_IN_DERIVED, METRIC_LABELS
from gridgov.web import i18n

LANGUAGES = ("zh_Hans", "zh_Hant", "en", "ko", "ja", "vi")


def test_every_base_and_built_in_metric_has_a_label() -> None:
    assert sorted((BASE_METRICS | BUILT_IN_DERIVED.keys()) - METRIC_LABELS.keys()) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_metric_label_is_translated(language: str) -> None:
    path = i18n.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalogue = read_po(file, locale=language)
    untranslated = [
        label
        for label in METRIC_LABELS.values()
        if label not in catalogue or not catalogue[label].string or catalogue[label].fuzzy
    ]
    assert untranslated == []
