"""One text through a fitted TF-IDF vectoriser and linear model, without scikit-learn's
per-call machinery.

Intake scores one report at a time. ``vectoriser.transform([text])`` followed by
``model.decision_function`` spends most of its time on checks made for whole batches
(input validation, dataframe detection, a joblib dispatch per ``FeatureUnion`` part,
sparse matrix construction): about 4 ms a report for the classifier and 2 ms for the
spam screen, against some 0.1 ms for the arithmetic itself. ``TextScorer`` keeps what
the fitted objects know (each part's analyser, vocabulary and idf weights, the
coefficients transposed once) and does that arithmetic: count the known terms,
sublinear tf, idf, the part's norm, the dot product with the coefficients.

The result equals scikit-learn's to rounding (the same sums in another order; a test
compares them on every training text). Batches (training, validation) still go through
scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class _Part:
    """One fitted TF-IDF vectoriser: its columns start at ``offset``."""

    analyse: Callable[[str], Sequence[str]]
    vocabulary: dict[str, int]
    idf: npt.NDArray[np.float64] | None
    sublinear: bool
    norm: str | None
    offset: int


class Unsupported(ValueError):
    """A vectoriser this scorer does not reproduce: score with scikit-learn instead."""


def _parts(vectoriser: Any) -> list[tuple[Any, int]]:
    """The TF-IDF vectorisers (with their column counts) a vectoriser is made of."""
    pieces = getattr(vectoriser, "transformer_list", None)
    if pieces is None:
        pieces = [("only", vectoriser)]
    elif getattr(vectoriser, "transformer_weights", None):
        raise Unsupported("weighted FeatureUnion")
    out = []
    for _, piece in pieces:
        if getattr(piece, "empty", False):  # classify's LatinWords without any words
            continue
        if not all(hasattr(piece, name) for name in ("vocabulary_", "build_analyzer", "norm")):
            raise Unsupported(type(piece).__name__)  # only TfidfVectorizer and its kin
        if piece.binary or piece.norm not in (None, "l1", "l2"):
            raise Unsupported("binary counts or an unusual norm")
        out.append((piece, len(piece.vocabulary_)))
    return out


class TextScorer:
    """``model.decision_function(vectoriser.transform([text]))[0]`` for one text."""

    def __init__(self, vectoriser: Any, model: Any) -> None:
        parts: list[_Part] = []
        offset = 0
        for piece, width in _parts(vectoriser):
            idf = piece.idf_ if piece.use_idf else None
            parts.append(
                _Part(
                    analyse=piece.build_analyzer(),
                    vocabulary=dict(piece.vocabulary_),
                    idf=None if idf is None else np.asarray(idf, dtype=np.float64),
                    sublinear=bool(piece.sublinear_tf),
                    norm=piece.norm,
                    offset=offset,
                )
            )
            offset += width
        coef = np.asarray(model.coef_, dtype=np.float64)
        if coef.shape[1] != offset:
            raise Unsupported(f"{coef.shape[1]} coefficients for {offset} features")
        # Rows per feature: a text's few columns are gathered as contiguous rows.
        self.weights = np.ascontiguousarray(coef.T)
        self.intercept = np.asarray(model.intercept_, dtype=np.float64).reshape(-1)
        self.parts = tuple(parts)

    def scores(self, text: str) -> npt.NDArray[np.float64]:
        """One score per row of the model's coefficients (one for a binary model)."""
        columns: list[npt.NDArray[np.intp]] = []
        values: list[npt.NDArray[np.float64]] = []
        for part in self.parts:
            counts: dict[int, int] = {}
            vocabulary = part.vocabulary
            for term in part.analyse(text):
                column = vocabulary.get(term)
                if column is not None:
                    counts[column] = counts.get(column, 0) + 1
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if part.sublinear:
                tf = np.log(tf) + 1.0
            if part.idf is not None:
                tf *= part.idf[index]
            if part.norm == "l2":
                norm = float(np.sqrt(np.dot(tf, tf)))
                if norm > 0.0:
                    tf /= norm
            elif part.norm == "l1":
                norm = float(np.abs(tf).sum())
                if norm > 0.0:
                    tf /= norm
            columns.append(index + part.offset)
            values.append(tf)
        if not columns:
            return self.intercept.copy()
        index = np.concatenate(columns)
        return np.asarray(
            np.concatenate(values) @ self.weights[index] + self.intercept, dtype=np.float64
        )


def scorer_for(vectoriser: Any, model: Any) -> TextScorer | None:
    """A scorer for the fitted pair, or None when it is not one this module reproduces."""
    try:
        return TextScorer(vectoriser, model)
    except (Unsupported, AttributeError):
        return None
