"""The single-text scorer against scikit-learn itself, on small fitted models."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from gridgov.cases.linear_text import scorer_for

TEXTS = [
    "路灯坏了",
    "路灯不亮了",
    "垃圾没人收",
    "垃圾堆在门口",
    "井盖丢了",
    "井盖松动",
    "street light out",
]
LABELS = ["light", "light", "waste", "waste", "cover", "cover", "light"]
PROBES = ["路灯路灯坏", "门口的垃圾", "", "!!!", "unknown words only", "井盖 street"]


def _check(vectoriser: object, model: object) -> None:
    scorer = scorer_for(vectoriser, model)
    assert scorer is not None
    for text in PROBES:
        expected = np.asarray(model.decision_function(vectoriser.transform([text])))  # type: ignore[attr-defined]
        np.testing.assert_allclose(scorer.scores(text), expected.reshape(-1), atol=1e-12)


@pytest.mark.parametrize(
    "options",
    [
        {"analyzer": "char_wb", "ngram_range": (1, 3), "sublinear_tf": True},
        {"analyzer": "char", "ngram_range": (1, 2), "norm": "l1", "use_idf": False},
        {"analyzer": "char_wb", "ngram_range": (2, 2), "norm": None},
    ],
)
def test_a_multiclass_svm_scores_as_decision_function(options: dict[str, object]) -> None:
    vectoriser = TfidfVectorizer(**options)
    model = LinearSVC(random_state=0).fit(vectoriser.fit_transform(TEXTS), LABELS)
    _check(vectoriser, model)


def test_a_binary_model_over_a_union_of_two_vectorisers() -> None:
    union = FeatureUnion(
        [
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2))),
            ("words", TfidfVectorizer(token_pattern=r"(?u)\b[a-z]+\b", sublinear_tf=True)),
        ]
    )
    labels = [1 if label == "light" else 0 for label in LABELS]
    model = LogisticRegression().fit(union.fit_transform(TEXTS), labels)
    _check(union, model)


def test_what_it_does_not_reproduce_is_left_to_scikit_learn() -> None:
    counts = CountVectorizer(analyzer="char").fit(TEXTS)
    model = LinearSVC(random_state=0).fit(counts.transform(TEXTS), LABELS)
    assert scorer_for(counts, model) is None  # no norm, no idf: not a TF-IDF vectoriser
    weighted = FeatureUnion(
        [("a", TfidfVectorizer(analyzer="char"))], transformer_weights={"a": 2.0}
    )
    model = LinearSVC(random_state=0).fit(weighted.fit_transform(TEXTS), LABELS)
    assert scorer_for(weighted, model) is None
    binary = TfidfVectorizer(analyzer="char", binary=True)
    model = LinearSVC(random_state=0).fit(binary.fit_transform(TEXTS), LABELS)
    assert scorer_for(binary, model) is None
