"""Notification texts: the inbox shows a message's words and makes its path a link."""

from __future__ import annotations

import pytest

from gridgov.cases.messages import split_link


@pytest.mark.parametrize(
    ("body", "text", "path"),
    [
        (
            "请于2026-12-07前公布濠滨社区的党务公开（上次公布：从未公开）："
            "/notices/new?region=440512001001&kind=party_affairs",
            "请于2026-12-07前公布濠滨社区的党务公开（上次公布：从未公开）",
            "/notices/new?region=440512001001&kind=party_affairs",
        ),
        (
            "本社区有 4 户尚未联系上，请派人上门查看：/crisis/3/checkins",
            "本社区有 4 户尚未联系上，请派人上门查看",
            "/crisis/3/checkins",
        ),
        ("Case K7 is past its deadline: /cases/4", "Case K7 is past its deadline", "/cases/4"),
        ("没有链接的消息", "没有链接的消息", None),
        ("see //evil.example/x", "see //evil.example/x", None),
    ],
)
def test_a_message_ending_in_a_path_becomes_words_and_a_link(
    body: str, text: str, path: str | None
) -> None:
    assert split_link(body) == (text, path)
