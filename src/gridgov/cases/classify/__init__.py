"""Suggest a category for a resident's text, with a calibrated probability, and say
whether intake may file it without a person's look.

Text is folded first (:func:`fold`): NFKC (full-width to half-width), lower case,
Traditional characters to Simplified, common Cantonese and Chaoshan words to Mandarin,
every run of digits to ``0``; a text without Chinese gains the Chinese words of its
glossary terms. Features are TF-IDF character 1-3-grams inside word boundaries (jieba
words were measured too and lost: ``--select``). A linear SVM (one-vs-rest) scores every
leaf category. The first suggestion's probability is a logistic curve of the margin
between the two best scores (Platt scaling); the others share the rest by a softmax with
a temperature. Both were fitted on the validation split. Everything is deterministic:
the same rows give the same model.

``default()`` trains once per process, lazily, from the shipped labelled sets
(``data/labelled*.csv``; a few seconds), and is cached. :func:`decide` adds the language
and the auto-filing rule: only a language the model was trained and validated on
(``AUTO_LANGUAGES``), and only above the threshold chosen on the validation split.

``python -m gridgov.cases.classify --evaluate`` scores the frozen test set;
``--validate`` prints the validation figures and the threshold table, ``--select`` the
model comparison (docs/classifier.md).
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import math
import os
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from gridgov.cases import language as lang
from gridgov.cases.linear_text import scorer_for

HOLD_OUT_EVERY = 5  # the 5th, 10th, ... example of each category (per file) validates
# Chosen on the validation split (``--validate``): the smallest probability of the first
# suggestion at which auto-filed Chinese and English reports were at least 98.5% right
# there with a Platt curve per language (98.6%: 48% of the Chinese and 28% of the
# English filed), a margin over the 97% target because unseen text is harder than our
# own held-out rows. A setting: GRIDGOV_CLASSIFIER_THRESHOLD.
AUTO_THRESHOLD = 0.97
# Softmax temperature over the SVM scores, fitted on the validation split (--validate):
# it shares out the probability among the suggestions.
TEMPERATURE = 0.12
# The first suggestion's probability (the one the threshold reads) is a logistic curve
# of the margin between the two best SVM scores (Platt scaling), fitted on the
# validation split: P(right) = 1 / (1 + exp(-(PLATT_A * margin + PLATT_B))).
PLATT_A = 4.16
PLATT_B = -0.30
# The languages filed alone have a curve each, fitted on their own validation rows: the
# same margin means more in Chinese than in English (--validate). Others use the one above.
PLATT_BY_LANGUAGE: dict[str, tuple[float, float]] = {"zh": (6.28, -0.47), "en": (3.54, -0.72)}
SVM_C = 0.3  # chosen on the validation split (--select)
# Character 1-3-grams plus Latin-script words and word pairs: chosen on the validation
# split after the generated English rows (--select; the words help English, Chinese
# is unchanged).
FEATURES = "latin"
# Languages with enough training and validation rows to vouch for the threshold. The
# other trained languages get suggestions; a dispatcher files them.
AUTO_LANGUAGES = frozenset({"zh", "en"})
TRAINED_LANGUAGES = frozenset({"zh", "en", "ko", "ja", "vi", "th", "ru", "pt", "es", "fr", "ar"})
DATA_FILES = (
    "labelled.csv",
    "labelled_registers.csv",
    "labelled_multilingual.csv",
    "labelled_english.csv",
)


@dataclass(frozen=True, slots=True)
class Suggestion:
    code: str
    probability: float


@dataclass(frozen=True, slots=True)
class Decision:
    """What intake does with a text: its language, the top suggestions, and whether the
    first may be filed without a person (``auto``), with the reason when not."""

    language: str
    suggestions: tuple[Suggestion, ...]
    auto: bool
    reason: str


# ---------------------------------------------------------------- folding

# Cantonese and Chaoshan (Teochew) words residents write, folded to Mandarin so the
# model sees one vocabulary. Longest first where they overlap.
DIALECT = (
    ("唔该", "谢谢"),
    ("冇咗", "没了"),
    ("唔见咗", "不见了"),
    ("乜嘢", "什么"),
    ("嘢", "东西"),
    ("冇", "没有"),
    ("咗", "了"),
    ("喺", "在"),
    ("嘅", "的"),
    ("唔", "不"),
    ("佢哋", "他们"),
    ("佢", "他"),
    ("啲", "些"),
    ("睇", "看"),
    ("嚟", "来"),
    ("噉", "这样"),
    ("咁", "这么"),
    ("畀", "给"),
    ("俾", "被"),
    ("嗰", "那"),
    ("边度", "哪里"),
    ("成日", "整天"),
    ("好嘈", "很吵"),
    ("嘈", "吵"),
    ("揾", "找"),
    ("瞓", "睡"),
    ("行路", "走路"),
    ("屋企", "家里"),
    ("隔篱", "隔壁"),
    ("细路", "小孩"),
    ("窿", "洞"),
    ("返学", "上学"),
    ("落雨", "下雨"),
    ("水浸", "积水"),
    ("老细", "老板"),
    ("拖粮", "欠工资"),
    ("呃", "骗"),
    ("厝", "房子"),
    ("呾", "说"),
    ("孬", "坏"),
    ("跋落", "跌落"),
    ("跋倒", "摔倒"),
    ("伊", "他"),
    ("阿嬷", "奶奶"),
    ("食", "吃"),
)
_DIGITS = re.compile(r"\d+")


@cache
def _simplify() -> Any:
    import zhconv

    return zhconv.convert


@cache
def _glossary() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every foreign term of data/glossary.tsv (longest first), and the
    Chinese words each term stands for."""
    text = resources.files("gridgov.cases").joinpath("data", "glossary.tsv").read_text("utf-8")
    chinese: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        for column, cell in row.items():
            if column == "zh" or not cell:
                continue
            for term in cell.split("|"):
                term = unicodedata.normalize("NFKC", term.strip()).lower()
                if term:
                    chinese.setdefault(term, row["zh"])
    latin, other = [], []
    for term in sorted(chinese, key=lambda t: (-len(t), t)):
        if any(c.isalpha() and (c.isascii() or "\u00c0" <= c <= "\u04ff") for c in term):
            latin.append(re.escape(term))
        else:
            other.append(re.escape(term))
    # Latin and Cyrillic terms at a word start, with an inflected ending; the word-start
    # test is made once for all of them (inside each alternative it cost ~1 ms a text).
    parts = [rf"(?<!\w)(?:{'|'.join(latin)})\w{{0,4}}(?!\w)"] if latin else []
    parts += other
    return re.compile("|".join(parts)), chinese


def glossed(folded: str) -> str:
    """Chinese words for the glossary terms found in a non-Chinese text, so the Chinese
    training rows carry reports in other languages (``"street light out"`` gains 路灯)."""
    pattern, chinese = _glossary()
    found = []
    for match in pattern.finditer(folded):
        word = match.group(0)
        for cut in range(5):  # the term itself, without its inflected ending
            if word[: len(word) - cut] in chinese:
                found.append(chinese[word[: len(word) - cut]])
                break
    return " ".join(found)


@lru_cache(maxsize=64)
def fold(text: str) -> str:
    """The text as the model sees it: half-width, lower case, Simplified, Mandarin
    words for common dialect words, every run of digits as ``0``; a text with no Chinese
    gains the Chinese words of its glossary terms. Remembered for the last few texts:
    intake folds each report three times (the classifier, the spam screen's model and
    its gibberish check)."""
    folded = unicodedata.normalize("NFKC", text).lower()
    if any("\u4e00" <= c <= "\u9fff" for c in folded) and lang.detect(folded) == "zh":
        folded = _simplify()(folded, "zh-hans")
        for dialect, mandarin in DIALECT:
            folded = folded.replace(dialect, mandarin)
    else:
        extra = glossed(folded)
        if extra:
            folded = f"{folded} {extra}"
    return _DIGITS.sub("0", folded)


@cache
def _jieba() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """jieba words of the folded text (letters and digits only), plus each pair of
    neighbours: ``路灯 坏 了 路灯_坏 坏_了``."""
    folded = fold(text)
    tokens = [t for t in _jieba().lcut(folded) if _WORD.fullmatch(t)]
    return tokens + [f"{a}_{b}" for a, b in itertools.pairwise(tokens)]


# ---------------------------------------------------------------- the labelled sets


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files("gridgov.cases").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def labelled(names: Sequence[str] = DATA_FILES) -> list[tuple[str, str, str]]:
    """Every shipped training row as ``(text, category, language)``."""
    return [(text, code, language) for text, code, language, _ in _grouped(names)]


def _grouped(names: Sequence[str] = DATA_FILES) -> list[tuple[str, str, str, str]]:
    """The rows with their group: the ``group`` column where a file has one (the
    generated English rows: every variant of one phrase), else the row alone."""
    rows: list[tuple[str, str, str, str]] = []
    for name in names:
        for number, row in enumerate(_read(name)):
            group = row.get("group") or f"{name}:{number}"
            rows.append((row["text"], row["category"], row.get("lang") or "zh", group))
    return rows


def split(
    rows: Sequence[tuple[str, str, str]],
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Train and validation parts: in file order, the 5th, 10th, 15th … Chinese row of
    each category validates, and the 5th, 10th … row of each other language (those
    files hold one or two rows per category, sorted by category). Rows of one group (the
    variants of one generated phrase) count once and stay together, so a phrase is never
    both trained on and validated. Deterministic."""
    groups = {(t, c, lang): g for t, c, lang, g in _grouped()}
    seen: dict[tuple[str, str], int] = {}
    side: dict[str, bool] = {}
    train: list[tuple[str, str, str]] = []
    validation: list[tuple[str, str, str]] = []
    for index, row in enumerate(rows):
        group = groups.get(row, f"row:{index}")
        if group not in side:
            key = (row[2], row[1] if row[2] == "zh" else "")
            seen[key] = seen.get(key, 0) + 1
            side[group] = seen[key] % HOLD_OUT_EVERY == 0
        (validation if side[group] else train).append(row)
    return train, validation


# Context that says nothing about the category. Training rows get a copy with one of
# these around them (deterministically), so the model learns to ignore greetings,
# addresses and pleas, which unseen reports are full of.
_WRAPPERS = (
    ("喂你好，我是玉新街道的居民，", "，麻烦你们尽快处理一下，谢谢"),
    ("你好 我想反映个问题 就是", " 已经好几天了 希望有人管一管"),
    ("【市民反映】达濠街道青云社区：", "。请相关部门核实处理。"),
    ("", "，打了好几次电话都没人管，投诉！！"),
    ("我们滨海街道广澳社区3栋楼下，", "，拍了照片，请看一下🙏"),
    ("上次反映过，还是这样：", "。孩子老人都住这里，真的很担心"),
)


def augmented(rows: Iterable[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The rows, plus for every other Chinese row a copy wrapped in neutral context."""
    out: list[tuple[str, str, str]] = []
    for i, (text, code, language) in enumerate(rows):
        out.append((text, code, language))
        if language == "zh" and i % 2 == 0:
            before, after = _WRAPPERS[(i // 2) % len(_WRAPPERS)]
            out.append((before + text + after, code, language))
    return out


# ---------------------------------------------------------------- the model


class Classifier:
    """A trained model: the vectorisers, the SVM and the softmax temperature."""

    def __init__(
        self,
        vectoriser: Any,
        model: Any,
        temperature: float = TEMPERATURE,
        platt: tuple[float, float] = (PLATT_A, PLATT_B),
        platt_by_language: dict[str, tuple[float, float]] | None = None,
    ) -> None:
        self.vectoriser = vectoriser
        self.model = model
        self.temperature = temperature
        self.platt = platt
        self.platt_by_language = dict(
            PLATT_BY_LANGUAGE if platt_by_language is None else platt_by_language
        )
        self.classes: list[str] = [str(c) for c in model.classes_]
        # One report at a time without scikit-learn's batch machinery (linear_text).
        self.scorer = scorer_for(vectoriser, model)

    @classmethod
    def train(
        cls,
        rows: Iterable[tuple[str, str] | tuple[str, str, str]],
        *,
        temperature: float = TEMPERATURE,
        c: float = SVM_C,
    ) -> Classifier:
        from sklearn.svm import LinearSVC

        triples = [(r[0], r[1], r[2] if len(r) > 2 else "zh") for r in rows]
        data = augmented(triples)
        vectoriser = make_vectoriser(FEATURES)
        matrix = vectoriser.fit_transform([t for t, _, _ in data])
        model = LinearSVC(C=c, random_state=0, max_iter=5000)
        model.fit(matrix, [code for _, code, _ in data])
        return cls(vectoriser, model, temperature)

    def scores(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        if len(texts) == 1 and self.scorer is not None:
            raw = self.scorer.scores(texts[0])
        else:
            raw = self.model.decision_function(self.vectoriser.transform(list(texts)))
        scores = np.asarray(raw, dtype=np.float64).reshape(len(texts), -1)
        if len(self.classes) == 2 and scores.shape[1] == 1:  # a binary SVM: one margin
            scores = np.hstack([-scores / 2, scores / 2])
        return scores

    def probabilities(
        self,
        texts: Sequence[str],
        temperature: float | None = None,
        platt: tuple[float, float] | None = None,
    ) -> npt.NDArray[np.float64]:
        """Per text, a probability for every class: the best class gets the Platt
        probability of its margin, the others share the rest in softmax proportion."""
        scores = self.scores(texts)
        return calibrated(scores, temperature or self.temperature, platt or self.platt)

    def suggest(self, text: str, k: int = 3, language: str | None = None) -> list[Suggestion]:
        """The ``k`` likeliest categories, most likely first; ties keep the smaller code.
        The first probability follows the ``language``'s Platt curve when it has one."""
        scores = self.scores([text])
        platt = self.platt_by_language.get(language or "", self.platt)
        probabilities = calibrated(scores, self.temperature, platt)[0]
        order = sorted(range(len(self.classes)), key=lambda i: (-scores[0, i], self.classes[i]))
        return [Suggestion(self.classes[i], round(float(probabilities[i]), 4)) for i in order[:k]]


def softmax(scores: npt.NDArray[np.float64], temperature: float) -> npt.NDArray[np.float64]:
    scaled = scores / temperature
    scaled -= scaled.max(axis=1, keepdims=True)
    exp = np.exp(scaled)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float64)


def margins(scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Per row, the best score minus the second best."""
    if scores.shape[1] < 2:
        return np.full(scores.shape[0], 10.0)
    top_two = np.sort(scores, axis=1)[:, -2:]
    return np.asarray(top_two[:, 1] - top_two[:, 0], dtype=np.float64)


def calibrated(
    scores: npt.NDArray[np.float64], temperature: float, platt: tuple[float, float]
) -> npt.NDArray[np.float64]:
    shares = softmax(scores, temperature)
    best = shares.argmax(axis=1)
    rows = np.arange(scores.shape[0])
    first = 1.0 / (1.0 + np.exp(-(platt[0] * margins(scores) + platt[1])))
    rest = 1.0 - shares[rows, best]
    scale = np.where(rest > 1e-12, (1.0 - first) / np.maximum(rest, 1e-12), 0.0)
    out = np.minimum(shares * scale[:, None], first[:, None])
    out[rows, best] = first
    return out


def _tfidf() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer


def make_vectoriser(kind: str = "chars", ngrams: tuple[int, int] = (1, 3)) -> Any:
    """The features: ``chars`` (character n-grams of the folded text inside word
    boundaries), ``latin`` (those plus Latin-script words and word pairs), ``words``
    (jieba words and their pairs) or ``both``. ``--select`` compares them on the
    validation split."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    chars = TfidfVectorizer(
        analyzer="char_wb",
        preprocessor=fold,
        ngram_range=ngrams,
        sublinear_tf=True,
        min_df=2,
        dtype=np.float64,
    )
    if kind == "chars":
        return chars
    if kind == "latin":
        latin = _latin_words()(
            preprocessor=fold,
            token_pattern=r"(?u)\b[a-z][a-z']+\b",  # noqa: S106 - a regex, not a secret
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2,
            dtype=np.float64,
        )
        return FeatureUnion([("chars", chars), ("latin", latin)])
    word_vectoriser = TfidfVectorizer(analyzer=words, sublinear_tf=True, dtype=np.float64)
    if kind == "words":
        return word_vectoriser
    return FeatureUnion([("words", word_vectoriser), ("chars", chars)])


@cache
def _latin_words() -> Any:
    """TF-IDF of Latin-script words that gives a block of no columns when the training
    texts have none (a Chinese-only model) instead of sklearn's "empty vocabulary" error.
    A class made on first use, so importing this module does not import scikit-learn."""

    class LatinWords(_tfidf()):  # type: ignore[misc]
        empty = False

        def fit_transform(self, raw_documents: Any, y: Any = None) -> Any:
            try:
                self.empty = False
                return super().fit_transform(raw_documents, y)
            except ValueError:
                self.empty = True
                return _no_columns(len(raw_documents))

        def fit(self, raw_documents: Any, y: Any = None) -> Any:
            self.fit_transform(raw_documents, y)
            return self

        def transform(self, raw_documents: Any) -> Any:
            if self.empty:
                return _no_columns(len(raw_documents))
            return super().transform(raw_documents)

    return LatinWords


def _no_columns(rows: int) -> Any:
    from scipy.sparse import csr_matrix

    return csr_matrix((rows, 0), dtype=np.float64)


_TRAINING = threading.Lock()


def default() -> Classifier:
    """The model trained on every shipped labelled row, once per process. The lock makes
    a report that arrives while the start-up warm-up trains wait for that model instead
    of training a second one beside it (minutes of CPU on a busy machine)."""
    with _TRAINING:
        return _trained()


@cache
def _trained() -> Classifier:
    return Classifier.train(labelled())


def threshold() -> float:
    """The auto-filing threshold: GRIDGOV_CLASSIFIER_THRESHOLD, else ``AUTO_THRESHOLD``."""
    value = os.environ.get("GRIDGOV_CLASSIFIER_THRESHOLD", "").strip()
    try:
        chosen = float(value) if value else AUTO_THRESHOLD
    except ValueError:
        return AUTO_THRESHOLD
    return chosen if 0.0 < chosen <= 1.0 and math.isfinite(chosen) else AUTO_THRESHOLD


def decide(
    text: str,
    *,
    k: int = 3,
    cutoff: float | None = None,
    model: Classifier | None = None,
) -> Decision:
    """Language, top ``k`` suggestions, and whether intake may file the first itself."""
    language = lang.detect(text)
    suggestions = tuple((model or default()).suggest(text, k=k, language=language))
    limit = threshold() if cutoff is None else cutoff
    if language not in TRAINED_LANGUAGES:
        return Decision(language, suggestions, False, "language not trained")
    if language not in AUTO_LANGUAGES:
        return Decision(language, suggestions, False, "language not validated")
    if not suggestions or suggestions[0].probability < limit:
        return Decision(language, suggestions, False, "unsure")
    return Decision(language, suggestions, True, "")
