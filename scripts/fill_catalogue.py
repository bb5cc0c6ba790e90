"""Fill a catalogue's empty translations from a hand-written file, or list them.

    python scripts/fill_catalogue.py missing ko            # msgids ko lacks, one a line
    python scripts/fill_catalogue.py fill ko ko-new.tsv    # msgid<TAB>translation lines

Translations are written by people (or checked by them); this only puts them in place.
A line whose %(name)s placeholders differ from its msgid is refused, and nothing is
written unless every line is good. Run `make messages` first so that the catalogue
holds every msgid of the source.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).parents[1] / "src" / "gridgov" / "web" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _path(language: str) -> Path:
    return ROOT / language / "LC_MESSAGES" / "messages.po"


def missing(language: str) -> int:
    with _path(language).open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if message.id and not message.string:
            print(str(message.id).replace("\n", "\\n"))
    return 0


def fill(language: str, source: Path) -> int:
    path = _path(language)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    problems = []
    table: dict[str, str] = {}
    for number, line in enumerate(source.read_text("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        msgid, tab, text = line.partition("\t")
        msgid, text = msgid.replace("\\n", "\n"), text.replace("\\n", "\n")
        if not tab or not text.strip():
            problems.append(f"line {number}: msgid<TAB>translation expected")
        elif msgid not in catalog:
            problems.append(f"line {number}: not in the catalogue: {msgid!r}")
        elif set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(text)):
            problems.append(f"line {number}: placeholders differ from {msgid!r}")
        else:
            table[msgid] = text
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    for msgid, text in table.items():
        catalog[msgid].string = text
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, include_lineno=False)
    print(f"{language}: {len(table)} translations filled")
    return 0


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "missing":
        return missing(argv[1])
    if len(argv) == 3 and argv[0] == "fill":
        return fill(argv[1], Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
