"""The labelled sets and the category classifier: folding, the model, abstention."""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from importlib import resources

import pytest

from gridgov.cases import classify, classify_eval
from gridgov.cases.catalogue import load_default
from gridgov.cases.classify import Classifier, fold

LANGUAGES = ("en", "ko", "ja", "vi", "th", "ru", "pt", "es", "fr", "ar")


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str, str]]:
    return classify.labelled()


# ---------------------------------------------------------------- the labelled sets


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("labelled.csv", ["text", "category"]),
        ("labelled_registers.csv", ["text", "category"]),
        ("labelled_multilingual.csv", ["text", "category", "lang"]),
        ("spam_train.csv", ["text", "kind"]),
        ("language_seeds.csv", ["text", "lang"]),
    ],
)
def test_each_data_file_has_its_columns(name: str, columns: list[str]) -> None:
    text = resources.files("gridgov.cases").joinpath("data", name).read_text("utf-8")
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == columns
    assert all(len(row) == len(columns) for row in reader)


def test_every_leaf_is_covered_in_chinese_and_in_every_language(
    rows: list[tuple[str, str, str]],
) -> None:
    leaves = {leaf.code for leaf in load_default().leaves()}
    chinese = Counter(code for _, code, language in rows if language == "zh")
    assert set(chinese) == leaves
    assert min(chinese.values()) >= 45
    for language in LANGUAGES:
        covered = {code for _, code, lang in rows if lang == language}
        assert covered == leaves, (language, leaves - covered)


def test_the_texts_are_distinct(rows: list[tuple[str, str, str]]) -> None:
    texts = [text for text, _, _ in rows]
    duplicates = [t for t, n in Counter(texts).items() if n > 1]
    assert duplicates == []
    assert all(text == text.strip() and "\n" not in text for text in texts)


def test_the_split_validates_every_fifth_row_per_category_and_language(
    rows: list[tuple[str, str, str]],
) -> None:
    train, validation = classify.split(rows)
    assert len(train) + len(validation) == len(rows)
    assert {lang for _, _, lang in validation} == {"zh", *LANGUAGES}
    assert not {t for t, _, _ in train} & {t for t, _, _ in validation}


def test_the_variants_of_one_generated_phrase_stay_on_one_side_of_the_split(
    rows: list[tuple[str, str, str]],
) -> None:
    # Given the generated English rows, four variants of each hand-written phrase
    english = [r for r in classify._grouped() if r[3].startswith(("C0", "E0", "S0"))]
    assert len(english) >= 2000
    # when the rows are split
    _, validation = classify.split(rows)
    held = {t for t, _, _ in validation}
    sides: dict[str, set[bool]] = {}
    for text, _, _, group in english:
        sides.setdefault(group, set()).add(text in held)
    # then no phrase is both trained on and validated, and about a fifth validate
    assert all(len(side) == 1 for side in sides.values())
    validated = sum(1 for side in sides.values() if side == {True})
    assert 0.15 < validated / len(sides) < 0.25


# ---------------------------------------------------------------- folding


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        pytest.param("ＡＢＣ１２３号楼", "abc0号楼", id="full-width-and-digits"),
        pytest.param("路燈壞咗成個禮拜", "路灯坏了成个礼拜", id="traditional-cantonese"),
        pytest.param("喺度冇人理", "在度没有人理", id="cantonese-words"),
        pytest.param("伊厝漏水", "他房子漏水", id="chaoshan-words"),
        pytest.param("The street light is out", "the street light is out 路灯", id="glossary"),
        pytest.param("가로등이 꺼졌어요", "가로등이 꺼졌어요 路灯", id="glossary-korean"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_words_are_jieba_tokens_and_neighbour_pairs() -> None:
    tokens = classify.words("路灯坏了")
    assert "路灯" in tokens
    assert any("_" in t for t in tokens)
    assert classify.words("！！！") == []


# ---------------------------------------------------------------- the model

TINY = [
    ("井盖丢了", "B", "zh"),
    ("井盖坏了", "B", "zh"),
    ("井盖被偷", "B", "zh"),
    ("路灯不亮", "A", "zh"),
    ("路灯坏了", "A", "zh"),
    ("路灯闪烁", "A", "zh"),
]


def test_a_tiny_model_ranks_its_classes() -> None:
    model = Classifier.train(TINY)
    assert [s.code for s in model.suggest("井盖")] == ["B", "A"]
    assert [s.code for s in model.suggest("路灯")] == ["A", "B"]


def test_training_is_deterministic() -> None:
    first, second = Classifier.train(TINY), Classifier.train(TINY)
    for text in ("井盖", "路灯", "随便说说"):
        assert first.suggest(text, k=2) == second.suggest(text, k=2)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("井盖丢了，晚上很危险", "C0101", id="manhole"),
        pytest.param("楼上天天半夜装修吵死了", "E0301", id="renovation-noise"),
        pytest.param("燃气味道很重好像漏气了", "E0402", id="gas"),
        pytest.param("路燈壞咗成個禮拜，夜晚黑蚊蚊", "C0102", id="cantonese-traditional"),
        pytest.param("老板拖欠工资三个月了", "S0103", id="wages"),
        pytest.param("消防通道被车堵死了", "S0401", id="fire-lane"),
        pytest.param("The fire lane behind our building is blocked by cars", "S0401", id="en"),
        pytest.param("엘리베이터가 고장 났어요", "C0502", id="ko"),
    ],
)
def test_obvious_texts_get_their_category_in_the_top_three(text: str, code: str) -> None:
    assert code in [s.code for s in classify.default().suggest(text)]


@pytest.mark.parametrize("text", ["", "   ", "！！！？？？", "12345", "😡😡"])
def test_empty_or_punctuation_only_text_still_gets_suggestions(text: str) -> None:
    suggestions = classify.default().suggest(text, k=3)
    assert len(suggestions) == 3
    assert all(math.isfinite(s.probability) and 0 <= s.probability <= 1 for s in suggestions)


def test_suggestions_are_ranked_probabilities() -> None:
    model = classify.default()
    suggestions = model.suggest("楼下饭店油烟很大，窗户都不敢开", k=10)
    probabilities = [s.probability for s in suggestions]
    assert suggestions[0].code == "E0104"
    assert probabilities[0] == max(probabilities)
    assert sum(probabilities) <= 1.0 + 1e-6
    assert model.suggest("随便", k=0) == []
    assert len(model.suggest("随便", k=500)) == len(model.classes) == 74


def test_the_first_probability_follows_the_margin() -> None:
    scores = [[2.0, 1.0, 0.0], [1.0, 0.95, 0.0]]
    import numpy as np

    out = classify.calibrated(np.array(scores), 0.12, (6.11, -0.27))
    assert out[0, 0] > 0.98 > out[1, 0]
    assert (out.sum(axis=1) <= 1 + 1e-9).all()


def test_default_is_trained_once() -> None:
    assert classify.default() is classify.default()


def test_threads_asking_at_once_share_one_training() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        models = list(pool.map(lambda _: classify.default(), range(4)))
    assert all(m is models[0] for m in models)


def test_one_text_is_scored_as_scikit_learn_scores_it(rows: list[tuple[str, str, str]]) -> None:
    """The single-text scorer (linear_text) against the vectoriser and SVM themselves,
    on every fifth labelled row of every language and on edge cases."""
    import numpy as np

    model = classify.default()
    assert model.scorer is not None
    texts = [t for t, _, _ in rows[::5]] + ["", "!!!", "Street light OUT on 5th", "路灯坏了 123"]
    for text in texts:
        fast = model.scorer.scores(text)
        slow = np.asarray(model.model.decision_function(model.vectoriser.transform([text])))
        np.testing.assert_allclose(fast, slow.reshape(-1), rtol=0, atol=1e-12)
    tiny = Classifier.train(TINY)  # a model without Latin words: that part has no columns
    assert tiny.scorer is not None
    for text in ("路灯不亮", "垃圾没人收", "street"):
        slow = np.asarray(tiny.model.decision_function(tiny.vectoriser.transform([text])))
        np.testing.assert_allclose(tiny.scorer.scores(text), slow.reshape(-1), atol=1e-12)


# ---------------------------------------------------------------- abstention


def test_a_clear_chinese_report_may_be_filed_alone() -> None:
    decision = classify.decide("小区门口的井盖不见了，留下一个大洞，晚上很危险")
    assert decision.language == "zh"
    assert decision.suggestions[0].code == "C0101"
    assert decision.auto, decision


def test_a_report_in_an_untrained_language_is_never_filed_alone() -> None:
    decision = classify.decide(
        "Der Gullydeckel vor unserem Haus fehlt, ein offenes Loch", cutoff=0.0
    )
    assert decision.language not in classify.TRAINED_LANGUAGES
    assert not decision.auto
    assert len(decision.suggestions) == 3


def test_a_trained_but_unvalidated_language_gets_suggestions_only() -> None:
    decision = classify.decide("엘리베이터가 고장 났어요", cutoff=0.0)
    assert decision.language == "ko"
    assert not decision.auto
    assert decision.reason == "language not validated"


def test_below_the_threshold_the_dispatcher_decides() -> None:
    text = "小区门口的井盖不见了，留下一个大洞，晚上很危险"
    assert not classify.decide(text, cutoff=1.0).auto
    assert classify.decide(text, cutoff=0.01).auto


@pytest.mark.parametrize(
    ("value", "expected"), [("0.8", 0.8), ("", 0.97), ("x", 0.97), ("7", 0.97)]
)
def test_the_threshold_is_a_setting(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: float
) -> None:
    monkeypatch.setenv("GRIDGOV_CLASSIFIER_THRESHOLD", value)
    assert classify.threshold() == expected
    assert classify.AUTO_THRESHOLD == 0.97


def test_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert classify_eval.main(["井盖丢了，晚上很危险"]) == 0
    out = capsys.readouterr().out
    assert "language zh" in out
    assert "C0101" in out
