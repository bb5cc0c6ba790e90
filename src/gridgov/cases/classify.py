"""Suggest a category for a resident's text: multinomial Naive Bayes over characters.

The text is normalised (NFKC folds full-width letters, digits and signs to half-width;
lower-case; every run of digits becomes ``0``; every run of anything that is not a
letter or digit becomes one break), then cut into character unigrams and the bigrams
inside each run (none across a break). A class's log score is its log prior plus, for
every feature of the text, the log of its Laplace-smoothed share of the class's
features; features never seen in training are ignored. Scores become probabilities
with a softmax. Training and prediction are deterministic: classes and features are
sorted, ties go to the smaller code.

``default()`` is trained once from the shipped labelled set (``data/labelled.csv``).
``python -m gridgov.cases.classify --evaluate`` prints the held-out figures quoted in
docs/classifier.md; ``python -m gridgov.cases.classify TEXT`` prints suggestions.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

FORMAT = 1
HOLD_OUT_EVERY = 5  # the 5th, 10th, ... example of each category is held out
# Softmax temperature of the weighted model: its raw posteriors are overconfident; 2
# minimised the log-loss in 5-fold cross-validation on the shipped set.
TEMPERATURE = 2.0


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str
    probability: float


def normalise(text: str) -> list[str]:
    """The runs of letters and digits of ``text``, folded: half-width, lower-case,
    every run of digits as one ``0``."""
    folded = unicodedata.normalize("NFKC", text).lower()
    runs: list[str] = []
    current: list[str] = []
    for char in folded:
        kind = unicodedata.category(char)
        if kind == "Nd":
            if not current or current[-1] != "0":
                current.append("0")
        elif kind[0] in "LN":
            current.append(char)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def features(text: str) -> Counter[str]:
    """Character unigrams and in-run bigrams of the normalised text, with counts."""
    counts: Counter[str] = Counter()
    for run in normalise(text):
        counts.update(run)
        counts.update(run[i : i + 2] for i in range(len(run) - 1))
    return counts


class Classifier:
    """A trained model: classes, vocabulary, each feature's document frequency, the
    per-class feature mass, and the smoothed log probabilities derived from them.

    ``weighted`` (the default) trains on weighted documents after Rennie et al.
    (2003): each training text's counts become ``log(1 + n) * idf`` and the vector is
    scaled to unit length, so long texts and characters found everywhere do not drown
    the rest; a text to classify is weighted the same way (without the scaling, which
    would not change the ranking). Unweighted, every feature occurrence counts 1: the
    textbook multinomial model. Either way the class-conditional probabilities are
    Laplace-smoothed (``alpha`` = 1) and the scores are the log posterior."""

    def __init__(
        self,
        classes: Sequence[str],
        vocabulary: Sequence[str],
        class_counts: npt.NDArray[np.int64],
        document_frequency: npt.NDArray[np.int64],
        mass: npt.NDArray[np.float64],
        *,
        weighted: bool = True,
        alpha: float = 1.0,
        temperature: float = 1.0,
    ) -> None:
        if not classes:
            raise ValueError("A classifier needs at least one class.")
        shape = (len(classes), len(vocabulary))
        if (
            class_counts.shape != (len(classes),)
            or document_frequency.shape != (len(vocabulary),)
            or mass.shape != shape
        ):
            raise ValueError("Counts do not match the classes and the vocabulary.")
        if alpha <= 0 or temperature <= 0:
            raise ValueError("alpha and temperature must be positive.")
        self.classes: tuple[str, ...] = tuple(classes)
        self.vocabulary: tuple[str, ...] = tuple(vocabulary)
        self.index = {feature: i for i, feature in enumerate(self.vocabulary)}
        self.class_counts = class_counts
        self.document_frequency = document_frequency
        self.mass = mass
        self.weighted = weighted
        self.alpha = alpha
        self.temperature = temperature
        documents = int(class_counts.sum())
        self.idf: npt.NDArray[np.float64] = (
            np.log(documents / np.maximum(document_frequency, 1))
            if weighted
            else np.ones(len(vocabulary))
        )
        self.log_prior = np.log(class_counts / documents)
        smoothed = mass + alpha
        totals = smoothed.sum(axis=1, keepdims=True)
        # Transposed and contiguous: one row per feature, so a text gathers few rows.
        self.log_likelihood = np.ascontiguousarray((np.log(smoothed) - np.log(totals)).T)

    @staticmethod
    def _weights(
        counts: npt.NDArray[np.float64], idf: npt.NDArray[np.float64], weighted: bool
    ) -> npt.NDArray[np.float64]:
        if not weighted:
            return counts
        result: npt.NDArray[np.float64] = np.log1p(counts) * idf
        return result

    @classmethod
    def train(
        cls, rows: Iterable[tuple[str, str]], *, weighted: bool = True, alpha: float = 1.0
    ) -> Classifier:
        """Train from ``(text, category code)`` pairs."""
        documents = [(features(text), code) for text, code in rows]
        examples = Counter(code for _, code in documents)
        classes = sorted(examples)
        frequency: Counter[str] = Counter()
        for counts, _ in documents:
            frequency.update(counts.keys())
        vocabulary = sorted(frequency)
        index = {feature: i for i, feature in enumerate(vocabulary)}
        document_frequency = np.array([frequency[f] for f in vocabulary], dtype=np.int64)
        idf = np.log(len(documents) / np.maximum(document_frequency, 1))
        class_row = {code: i for i, code in enumerate(classes)}
        mass = np.zeros((len(classes), len(vocabulary)))
        for counts, code in documents:
            if not counts:
                continue
            columns = np.fromiter((index[f] for f in counts), dtype=np.int64, count=len(counts))
            values = cls._weights(
                np.fromiter(counts.values(), dtype=np.float64, count=len(counts)),
                idf[columns],
                weighted,
            )
            if weighted:
                norm = float(np.linalg.norm(values))
                if norm == 0.0:
                    continue
                values = values / norm
            mass[class_row[code], columns] += values
        class_counts = np.array([examples[c] for c in classes], dtype=np.int64)
        return cls(
            classes,
            vocabulary,
            class_counts,
            document_frequency,
            mass,
            weighted=weighted,
            alpha=alpha,
            temperature=TEMPERATURE if weighted else 1.0,
        )

    def scores(self, text: str) -> npt.NDArray[np.float64]:
        """Log score of every class (the unnormalised log posterior)."""
        counts = features(text)
        known = [(self.index[f], n) for f, n in counts.items() if f in self.index]
        if not known:
            return self.log_prior.copy()
        rows = np.array([i for i, _ in known], dtype=np.int64)
        values = self._weights(
            np.array([n for _, n in known], dtype=np.float64), self.idf[rows], self.weighted
        )
        result: npt.NDArray[np.float64] = self.log_prior + values @ self.log_likelihood[rows]
        return result

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The ``k`` likeliest categories for ``text``, best first."""
        if k <= 0:
            return []
        scores = self.scores(text)
        scaled = (scores - scores.max()) / self.temperature
        probabilities = np.exp(scaled)
        probabilities /= probabilities.sum()
        order = np.argsort(-scores, kind="stable")[:k]
        return [Suggestion(self.classes[i], float(probabilities[i])) for i in order]

    def to_json(self) -> str:
        """The model as JSON; the derived tables are computed again on load."""
        mass = [[[int(j), float(row[j])] for j in np.flatnonzero(row)] for row in self.mass]
        document = {
            "format": FORMAT,
            "weighted": self.weighted,
            "alpha": self.alpha,
            "temperature": self.temperature,
            "classes": list(self.classes),
            "class_counts": [int(n) for n in self.class_counts],
            "vocabulary": list(self.vocabulary),
            "document_frequency": [int(n) for n in self.document_frequency],
            "mass": mass,
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Classifier:
        """A model from ``to_json`` output; ValueError when it is not one."""
        try:
            document: Any = json.loads(text)
            if document.get("format") != FORMAT:
                raise ValueError("Unknown classifier format.")
            classes = [str(c) for c in document["classes"]]
            vocabulary = [str(f) for f in document["vocabulary"]]
            if len(document["mass"]) != len(classes):
                raise ValueError("The mass does not match the classes.")
            mass = np.zeros((len(classes), len(vocabulary)))
            for row, pairs in enumerate(document["mass"]):
                for column, value in pairs:
                    if not 0 <= int(column) < len(vocabulary):
                        raise ValueError("A mass entry names no feature.")
                    mass[row, int(column)] = float(value)
            return cls(
                classes,
                vocabulary,
                np.array(document["class_counts"], dtype=np.int64),
                np.array(document["document_frequency"], dtype=np.int64),
                mass,
                weighted=bool(document["weighted"]),
                alpha=float(document["alpha"]),
                temperature=float(document["temperature"]),
            )
        except (AttributeError, KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"Not a classifier: {exc}") from exc


# ---------------------------------------------------------------- the shipped set


def labelled_rows() -> list[tuple[str, str]]:
    """The shipped labelled set, ``(text, category code)`` in file order."""
    text = resources.files("gridgov.cases").joinpath("data/labelled.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    return [(row["text"], row["category"]) for row in reader]


@cache
def default() -> Classifier:
    """The classifier trained on the whole shipped labelled set (once per process)."""
    return Classifier.train(labelled_rows())


def split(
    rows: Iterable[tuple[str, str]], every: int = HOLD_OUT_EVERY, fold: int = 0
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Deterministic stratified split: within each category, in file order, the n-th
    example is held out when ``n % every == fold`` (fold 0: the 5th, 10th, ...).
    Returns (training, held out)."""
    seen: Counter[str] = Counter()
    training: list[tuple[str, str]] = []
    held_out: list[tuple[str, str]] = []
    for text, code in rows:
        seen[code] += 1
        (held_out if seen[code] % every == fold else training).append((text, code))
    return training, held_out


@dataclass(frozen=True, slots=True)
class Evaluation:
    training: int
    held_out: int
    top1_hits: int
    top3_hits: int
    confused: list[tuple[str, str, int]]  # (true, predicted, count), most first

    @property
    def top1(self) -> float:
        return self.top1_hits / self.held_out if self.held_out else 0.0

    @property
    def top3(self) -> float:
        return self.top3_hits / self.held_out if self.held_out else 0.0


def evaluate(
    rows: Sequence[tuple[str, str]],
    *,
    every: int = HOLD_OUT_EVERY,
    fold: int = 0,
    weighted: bool = True,
) -> Evaluation:
    """Train on all but one fold of ``split``, score the fold held out."""
    training, held_out = split(rows, every, fold)
    model = Classifier.train(training, weighted=weighted)
    top1 = top3 = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for text, code in held_out:
        best = [s.code for s in model.suggest(text, k=3)]
        top1 += best[0] == code
        top3 += code in best
        if best[0] != code:
            confusion[(code, best[0])] += 1
    confused = sorted(
        ((true, predicted, n) for (true, predicted), n in confusion.items()),
        key=lambda item: (-item[2], item[0], item[1]),
    )
    return Evaluation(len(training), len(held_out), top1, top3, confused)


def cross_validate(
    rows: Sequence[tuple[str, str]], *, every: int = HOLD_OUT_EVERY, weighted: bool = True
) -> tuple[float, float]:
    """Top-1 and top-3 accuracy pooled over all ``every`` folds of ``split``."""
    results = [evaluate(rows, every=every, fold=f, weighted=weighted) for f in range(every)]
    tested = sum(r.held_out for r in results)
    return (
        sum(r.top1_hits for r in results) / tested,
        sum(r.top3_hits for r in results) / tested,
    )


def _name(code: str) -> str:
    from gridgov.cases.catalogue import load_default

    category = load_default().get(code)
    return f"{code} {category.name_zh}" if category else code


def _print_evaluation() -> None:
    rows = labelled_rows()
    model = evaluate(rows)
    plain = evaluate(rows, weighted=False)
    cv1, cv3 = cross_validate(rows)
    classes = len({code for _, code in rows})
    print(f"labelled rows: {len(rows)} in {classes} categories")
    print(
        f"held out: every {HOLD_OUT_EVERY}th example of each category "
        f"(trained on {model.training}, tested on {model.held_out})"
    )
    print(f"  weighted NB (the model): top-1 {model.top1:.3f}, top-3 {model.top3:.3f}")
    print(f"  plain-count NB:          top-1 {plain.top1:.3f}, top-3 {plain.top3:.3f}")
    print(f"{HOLD_OUT_EVERY}-fold cross-validation, weighted NB: top-1 {cv1:.3f}, top-3 {cv3:.3f}")
    print("most confused on the held-out split (true -> predicted: count):")
    for true, predicted, n in model.confused[:10]:
        print(f"  {_name(true)} -> {_name(predicted)}: {n}")


def _print_timing() -> None:
    rows = labelled_rows()
    start = time.perf_counter()
    model = Classifier.train(rows)
    trained = time.perf_counter() - start
    texts = [text for text, _ in rows[:500]]
    start = time.perf_counter()
    for text in texts:
        model.suggest(text)
    each = (time.perf_counter() - start) / len(texts)
    print(f"training on {len(rows)} rows: {trained * 1000:.0f} ms")
    print(f"suggest (k=3), mean over {len(texts)} texts: {each * 1e6:.0f} µs")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gridgov.cases.classify",
        description="Suggest case categories, or evaluate the classifier on a held-out split.",
    )
    parser.add_argument("text", nargs="*", help="a resident's text to classify")
    parser.add_argument(
        "--evaluate", action="store_true", help="print the held-out figures of docs/classifier.md"
    )
    parser.add_argument("--timing", action="store_true", help="time training and suggestions")
    parser.add_argument("-k", type=int, default=3, help="how many suggestions (default 3)")
    args = parser.parse_args(argv)
    if args.evaluate or args.timing:
        if args.evaluate:
            _print_evaluation()
        if args.timing:
            _print_timing()
        return 0
    if not args.text:
        parser.print_usage(sys.stderr)
        return 2
    for suggestion in default().suggest(" ".join(args.text), k=args.k):
        print(f"{suggestion.probability:.3f}  {_name(suggestion.code)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
