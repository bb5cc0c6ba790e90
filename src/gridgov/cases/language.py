"""Which language a resident wrote in: script and stop-word heuristics, pure Python.

Scripts decide most languages at once (Hangul: Korean; kana: Japanese; Thai; Arabic;
Cyrillic: Russian; Han without kana: Chinese). Latin-script text is scored by short
function words and letters that belong to one language (``ơ ư đ`` Vietnamese, ``ã õ ç``
Portuguese, ``ñ ¿ ¡`` Spanish, ``è ê ç œ`` French…). Texts in a Latin language we have
no words for, or with too few words to tell, come back ``"und"`` (undetermined), which
the classifier never files automatically. ``detect`` never fails and never guesses a
language it cannot name.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections import Counter
from functools import cache, lru_cache
from importlib import resources

UNDETERMINED = "und"
# Names in their own language, for staff who must reply in it.
NAMES = {
    "zh": "中文",
    "en": "English",
    "ko": "한국어",
    "ja": "日本語",
    "vi": "Tiếng Việt",
    "th": "ไทย",
    "ru": "Русский",
    "pt": "Português",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    "de": "Deutsch",
    "it": "Italiano",
    "id": "Bahasa Indonesia",
    "tl": "Tagalog",
    "nl": "Nederlands",
    "tr": "Türkçe",
    "hi": "हिन्दी",
    "uk": "Українська",
    "fa": "فارسی",
    "ur": "اردو",
    "he": "עברית",
    "el": "Ελληνικά",
    "my": "မြန်မာ",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "ne": "नेपाली",
    "bn": "বাংলা",
    "ta": "தமிழ்",
    "mn": "Монгол",
    UNDETERMINED: "?",
}

# Letters that belong to few languages: a strong hint, added to the n-gram score.
_LETTERS: dict[str, str] = {
    "vi": "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ",
    "pt": "ãõ",
    "es": "ñ¿¡",
    "fr": "œùûëïÿè",
    "de": "ßäöü",
    "tr": "ğış",
}
LATIN_MIN_PROBABILITY = 0.8
LATIN_SAMPLE_GRAMS = 3000  # the same amount of text of each language
# Scores are divided by (number of n-grams) ** _SOFTEN before the softmax: without it
# every sentence looks certain. Chosen with the other two on a small list of sentences.
_SOFTEN = 0.25
# English is the one Latin language that may be filed automatically: it must also show
# an English function word (or be a short all-ASCII note), so German or Dutch that looks
# English by its letters is never taken for it.
# Words no other Latin language we meet uses as a common word ("in", "is", "was", "a",
# "on", "no" are Dutch, German, French, Spanish or Italian words too).
_ENGLISH = frozenset(
    [
        "the",
        "are",
        "were",
        "been",
        "there",
        "this",
        "that",
        "it",
        "its",
        "and",
        "or",
        "but",
        "of",
        "to",
        "at",
        "with",
        "from",
        "by",
        "my",
        "our",
        "we",
        "you",
        "they",
        "he",
        "she",
        "not",
        "have",
        "does",
        "did",
        "can",
        "would",
        "please",
        "near",
        "outside",
        "since",
        "every",
        "very",
        "too",
        "again",
        "keeps",
        "broken",
        "nobody",
        "someone",
    ]
)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in text:
        code = ord(char)
        if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
            counts["hangul"] += 1
        elif 0x3040 <= code <= 0x30FF:
            counts["kana"] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FFFF:
            counts["han"] += 1
        elif 0x0E00 <= code <= 0x0E7F:
            counts["thai"] += 1
        elif 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F:
            counts["arabic"] += 1
        elif 0x0400 <= code <= 0x04FF:
            counts["cyrillic"] += 1
        elif 0x0900 <= code <= 0x097F:
            counts["devanagari"] += 1
        elif 0x0590 <= code <= 0x05FF:
            counts["hebrew"] += 1
        elif 0x0370 <= code <= 0x03FF:
            counts["greek"] += 1
        elif 0x1000 <= code <= 0x109F:
            counts["myanmar"] += 1
        elif 0x1780 <= code <= 0x17FF:
            counts["khmer"] += 1
        elif 0x0E80 <= code <= 0x0EFF:
            counts["lao"] += 1
        elif 0x0980 <= code <= 0x09FF:
            counts["bengali"] += 1
        elif 0x0B80 <= code <= 0x0BFF:
            counts["tamil"] += 1
        elif char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
            counts["latin"] += 1
    return counts


_SCRIPT_LANGUAGE = {
    "hangul": "ko",
    "thai": "th",
    "devanagari": "hi",
    "hebrew": "he",
    "greek": "el",
    "myanmar": "my",
    "khmer": "km",
    "lao": "lo",
    "bengali": "bn",
    "tamil": "ta",
}
_UKRAINIAN = frozenset("іїєґ")
_PERSIAN = frozenset("پچژگک")
_URDU = frozenset("ٹڈڑںےھ")
_MONGOLIAN = frozenset("өү")


@lru_cache(maxsize=64)
def detect(text: str) -> str:
    """The language code of ``text`` (ISO 639-1), or ``"und"``. Remembered for the last
    few texts: intake asks for each report's several times (the classifier's decision and
    folding, the spam screen)."""
    folded = unicodedata.normalize("NFC", text)
    counts = _script_counts(folded)
    if not counts:
        return UNDETERMINED
    script, amount = counts.most_common(1)[0]
    total = sum(counts.values())
    if counts["kana"] >= 2 or (counts["kana"] and counts["kana"] >= counts["han"] / 4):
        return "ja"
    if counts["han"] and counts["han"] >= 0.3 * total and counts["hangul"] < counts["han"]:
        return "zh"
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
    lower = folded.lower()
    if script == "arabic":
        if any(c in _URDU for c in lower):
            return "ur"
        if any(c in _PERSIAN for c in lower):
            return "fa"
        return "ar"
    if script == "cyrillic":
        if any(c in _UKRAINIAN for c in lower):
            return "uk"
        if any(c in _MONGOLIAN for c in lower):
            return "mn"
        return "ru"
    if script == "han":
        return "zh"
    if script != "latin" or amount < 3:
        return UNDETERMINED
    return _latin(lower)


def _grams(text: str) -> Counter[str]:
    grams: Counter[str] = Counter()
    for word in _TOKEN.findall(text):
        padded = f" {word} "
        for n in (1, 2, 3):
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams


@cache
def _latin_model() -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per language, the log probability of each character 1-3-gram (Laplace), and the
    log probability of an unseen one: trained on the multilingual reports and the seed
    sentences of languages we do not classify (data/language_seeds.csv)."""
    data = resources.files("gridgov.cases").joinpath("data")
    counts: dict[str, Counter[str]] = {}
    for name in ("labelled_multilingual.csv", "language_seeds.csv"):
        text = data.joinpath(name).read_text("utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            if _script_counts(row["text"]).most_common(1)[0][0] != "latin":
                continue
            grams = counts.setdefault(row["lang"], Counter())
            if sum(grams.values()) < LATIN_SAMPLE_GRAMS:  # the same weight for each
                grams.update(_grams(row["text"].lower()))
    vocabulary = set().union(*counts.values())
    logs: dict[str, dict[str, float]] = {}
    unseen: dict[str, float] = {}
    for language, grams in sorted(counts.items()):
        total = sum(grams.values()) + len(vocabulary)
        logs[language] = {g: math.log((n + 1) / total) for g, n in grams.items()}
        unseen[language] = math.log(1 / total)
    return logs, unseen


def _latin(lower: str) -> str:
    grams = _grams(lower)
    if not grams:
        return UNDETERMINED
    logs, unseen = _latin_model()
    scores: dict[str, float] = {}
    for language, table in logs.items():
        score = sum(n * table.get(g, unseen[language]) for g, n in grams.items())
        letters = _LETTERS.get(language, "")
        score += 3.0 * sum(1 for c in lower if c in letters)
        scores[language] = score
    best = max(scores, key=lambda k: scores[k])
    top = scores[best]
    # Per-gram average keeps the softmax from being certain on every long text.
    size = sum(grams.values()) ** _SOFTEN
    total = sum(math.exp((s - top) / size) for s in scores.values())
    if 1.0 / total < LATIN_MIN_PROBABILITY:
        return UNDETERMINED
    if best == "en":
        words = _TOKEN.findall(lower)
        short_note = len(words) <= 4 and all(w.isascii() for w in words)
        if not short_note and not any(w in _ENGLISH for w in words):
            return UNDETERMINED
    return best
