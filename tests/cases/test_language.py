"""Language detection on intake: scripts, then character n-grams for Latin text."""

from __future__ import annotations

import pytest

from gridgov.cases.language import UNDETERMINED, detect


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("路灯坏了一个礼拜", "zh"),
        ("路燈壞咗成個禮拜，夜晚黑蚊蚊", "zh"),
        ("가로등이 일주일째 꺼져 있어요", "ko"),
        ("街灯が一週間ずっと消えています", "ja"),
        ("ไฟถนนในซอยดับมาหนึ่งสัปดาห์แล้ว", "th"),
        ("عمود الإنارة في الشارع مطفأ منذ أسبوع", "ar"),
        ("Фонарь во дворе не горит уже неделю", "ru"),
        ("Đèn đường trong hẻm bị hỏng cả tuần rồi", "vi"),
        ("The street light on our lane has been out for a week", "en"),
        ("pothole on Main St", "en"),
        ("Il y a des rats partout dans la cour de l'immeuble", "fr"),
        ("A calçada está quebrada em frente à escola", "pt"),
    ],
)
def test_the_languages_we_classify_are_recognised(text: str, language: str) -> None:
    assert detect(text) == language


@pytest.mark.parametrize(
    "text",
    [
        "Der Gehweg vor der Schule ist seit Wochen kaputt",  # German
        "Ci sono topi nel cortile",  # Italian
        "Banyak tikus di belakang rumah",  # Indonesian
        "Er zijn ratten in de tuin",  # Dutch
    ],
)
def test_a_latin_language_we_do_not_classify_is_never_taken_for_english(text: str) -> None:
    assert detect(text) != "en"


@pytest.mark.parametrize("text", ["", "   ", "12345 !!!", "🙏🙏🙏"])
def test_text_without_letters_is_undetermined(text: str) -> None:
    assert detect(text) == UNDETERMINED


def test_a_script_we_do_not_classify_is_named_not_guessed() -> None:
    assert detect("सड़क पर बड़ा गड्ढा है") == "hi"
    assert detect("Вуличний ліхтар не світить") == "uk"
