"""Write src/gridgov/cases/data/labelled_english.csv: English training reports made by
combining the hand-written problem phrases of ``english_phrases.py`` with the registers
foreign residents write in (terse, polite, angry, with an address, non-native grammar,
with how long it has lasted, as a question), in British or American spelling.

Deterministic (a fixed seed): run it again after changing the phrases, then
``python -m gridgov.cases.classify --validate``. Every row carries its phrase as
``group``, so all the variants of one phrase fall on the same side of the validation
split (``classify.split``).

    .venv/bin/python scripts/make_english_reports.py
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from english_phrases import PHRASES

OUT = Path(__file__).resolve().parents[1] / "src/gridgov/cases/data/labelled_english.csv"
SEED = 20261206
PER_PHRASE = 4

ADDRESSES = (
    "No. 18 Haibin Road",
    "Building 5, Lujiang Garden",
    "the corner of Xiahe Road and Hubin Road",
    "Block 2, Siming District",
    "Wanda Plaza",
    "exit B of the metro station",
    "the primary school on Jiahe Road",
    "Lianqian Street, Lane 45",
    "Haojiang community, building 12",
    "the east gate of Guang'ao New Village",
)
SINCE = ("since last week", "for three days", "since Monday", "for over a month", "again today")
# American and British words: each row uses one side at random.
SPELLINGS = (
    ("neighbour", "neighbor"),
    ("centre", "center"),
    ("rubbish", "garbage"),
    ("pavement", "sidewalk"),
    ("lift", "elevator"),
    ("lorry", "truck"),
    ("car park", "parking lot"),
    ("colour", "color"),
    ("tyres", "tires"),
)


def non_native(phrase: str) -> str:
    """Grammar as a learner might write: no articles, no 'is', 'not' before the verb."""
    text = re.sub(r"\b(the|a|an)\s+", "", phrase)
    text = re.sub(r"\b(is|are)\s+(not\s+)?", lambda m: "not " if m.group(2) else "", text)
    text = text.replace("does not", "not").replace("do not", "not").replace("has been", "already")
    return text


def spelled(text: str, rng: random.Random) -> str:
    british = rng.random() < 0.5
    for uk, us in SPELLINGS:
        text = re.sub(rf"\b{us}\b", uk, text) if british else re.sub(rf"\b{uk}\b", us, text)
    # "flat" is also a tyre's state: only the home is swapped
    if british:
        return re.sub(r"\bapartment\b", "flat", text)
    return re.sub(r"\b(the|my|our|a|his|her) flat\b", r"\1 apartment", text)


def registers(phrase: str, rng: random.Random) -> list[str]:
    cap = phrase[0].upper() + phrase[1:]
    address = rng.choice(ADDRESSES)
    since = rng.choice(SINCE)
    return [
        re.sub(r"\b(the|a|an)\s+", "", phrase),
        f"Hello, {phrase}. Could you please send someone to check? Thank you.",
        f"{cap}!!! I reported this before and nobody did anything.",
        f"{cap} at {address}.",
        f"{non_native(phrase)}, please help",
        f"{cap} {since}, please deal with it as soon as possible.",
        f"Hi, who should I contact? {cap}. I live at {address}.",
        f"Dear community office, I want to report that {phrase}. Regards",
        f"{cap} 😡 {since}",
        f"Excuse me, {non_native(phrase)} at {address}, thanks",
    ]


def rows() -> list[tuple[str, str, str, str]]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible training data
    out = []
    for code in sorted(PHRASES):
        for index, phrase in enumerate(PHRASES[code]):
            variants = registers(phrase, rng)
            for text in rng.sample(variants, PER_PHRASE):
                out.append((spelled(text, rng), code, "en", f"{code}-{index}"))
    return out


def main() -> None:
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["text", "category", "lang", "group"])
        writer.writerows(rows())


if __name__ == "__main__":
    main()
