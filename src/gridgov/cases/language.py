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


# The Unicode blocks of the scripts told apart (none overlaps another).
_SCRIPT_BLOCKS = (
    (0xAC00, 0xD7AF, "hangul"),
    (0x1100, 0x11FF, "hangul"),
    (0x3130, 0x318F, "hangul"),
    (0x3040, 0x30FF, "kana"),
    (0x4E00, 0x9FFF, "han"),
    (0x3400, 0x4DBF, "han"),
    (0x20000, 0x2FFFF, "han"),
    (0x0E00, 0x0E7F, "thai"),
    (0x0600, 0x06FF, "arabic"),
    (0x0750, 0x077F, "arabic"),
    (0x0400, 0x04FF, "cyrillic"),
    (0x0900, 0x097F, "devanagari"),
    (0x0590, 0x05FF, "hebrew"),
    (0x0370, 0x03FF, "greek"),
    (0x1000, 0x109F, "myanmar"),
    (0x1780, 0x17FF, "khmer"),
    (0x0E80, 0x0EFF, "lao"),
    (0x0980, 0x09FF, "bengali"),
    (0x0B80, 0x0BFF, "tamil"),
)


@lru_cache(maxsize=8192)
def _script_of(char: str) -> str | None:
    code = ord(char)
    for first, last, script in _SCRIPT_BLOCKS:
        if first <= code <= last:
            return script
    if char.isalpha() and unicodedata.name(char, "").startswith("LATIN"):
        return "latin"
    return None


def _script_counts(text: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for char in text:
        if (script := _script_of(char)) is not None:
            counts[script] += 1
    return counts


_SCRIPT_LANGUAGE = {
    "han": "zh",
    "arabic": "ar",
    "cyrillic": "ru",
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
# The letters that tell a language apart from the main one of its script, tried in turn.
_TELLING_LETTERS = {
    "arabic": ((_URDU, "ur"), (_PERSIAN, "fa")),
    "cyrillic": ((_UKRAINIAN, "uk"), (_MONGOLIAN, "mn")),
}


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
    lower = folded.lower()
    for letters, language in _TELLING_LETTERS.get(script, ()):
        if any(c in letters for c in lower):
            return language
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script]
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
