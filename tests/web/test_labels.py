"""People's language, not codes (issue 10): every enum a page shows has a label in every
catalogue, and the main pages show no raw enum value and no ISO timestamp."""

from __future__ import annotations

import html
import re
from enum import StrEnum

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.cases.rules import Channel, Level, Rating, State
from gridgov.db import Database
from gridgov.registry.rules import OrgKind
from gridgov.web import i18n
from tests.cases.factories import make_cases_world, report
from tests.conftest import FIXED_NOW
from tests.factories import page_login

ENUMS: tuple[type[StrEnum], ...] = (State, Level, Channel, Rating, Role, OrgKind)
ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
CODES = {v.value for enum in ENUMS for v in enum} | {
    "router",
    "sweep",
    "unstaffed",
    "zh_Hans",
    "in_app",
    "grid matters list",
    "district default",
}


@pytest.mark.parametrize("language", ["zh_Hans", "zh_Hant", "en"])
def test_every_enum_value_has_a_label_in_every_catalogue(language: str) -> None:
    path = i18n.TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        translated = {m.id: m.string for m in read_po(handle) if m.id and m.string}
    values = [v.value for enum in ENUMS for v in enum]
    assert [v for v in values if v not in translated] == []
    if language != "en":
        # A Chinese label is never the code itself
        assert [v for v in values if translated[v] == v] == []
    else:
        # An English label has words, not an identifier with underscores
        assert [v for v in values if "_" in translated[v]] == []


def visible_text(page: str) -> str:
    """What a reader sees: the body's text without scripts, styles and tags."""
    body = page.split("<body", 1)[-1]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return html.unescape(body)


def raw_codes(text: str) -> list[str]:
    """Codes standing as words of their own (not inside a username like wu.community)."""
    return sorted(c for c in CODES if re.search(rf"(?<![\w.-]){re.escape(c)}(?![\w.-])", text))


def _walk(db: Database, people: dict[str, Actor]) -> Case:
    """A case that went through most of its life: routed, escalated, worked, checked."""
    case = report(db)
    with db.transaction() as session:
        found = session.get(Case, case.id)
        assert found is not None
        cases.do_escalate(
            session, actor=people["chen.worker"], case=found, reason="需社区协调", now=FIXED_NOW
        )
        cases.do_resolve(
            session, actor=people["wu.community"], case=found, note="已清理", now=FIXED_NOW
        )
    return case


def test_the_main_pages_show_words_not_codes(db: Database, client: TestClient, app: object) -> None:
    people = make_cases_world(db)
    case = _walk(db, people)
    light = report(db, category="C0102", text="路灯不亮了好几天")
    pages = {
        "lin.dispatch": ["/", f"/cases/{case.id}", f"/cases/{light.id}", "/desk?queue=check"],
        "xu.dept": ["/", f"/cases/{light.id}", "/notifications"],
        "chen.worker": ["/", f"/cases/{case.id}"],
    }
    public = ["/", f"/track/{case.tracking_code}", "/report"]
    for path in public:
        text = visible_text(client.get(path).text)
        assert ISO_TIME.findall(text) == [], path
        assert raw_codes(text) == [], path
    for username, paths in pages.items():
        client.cookies.clear()
        page_login(client, username)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            text = visible_text(response.text)
            assert ISO_TIME.findall(text) == [], (username, path)
            assert raw_codes(text) == [], (username, path, text[:4000])


@pytest.mark.parametrize(
    ("template", "origin"),
    [
        ("https://{s}.tile.example.cn/{z}/{x}/{y}.png", "https://*.tile.example.cn"),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "http://10.1.2.3:8080"),
        ("javascript:alert(1)", None),
        ("https://a.example;script-src *", None),
        (None, None),
    ],
)
def test_the_tile_server_is_admitted_by_the_content_security_policy(
    template: str | None, origin: str | None
) -> None:
    from gridgov.web.app import SECURITY_HEADERS, with_tile_host

    policy = with_tile_host(SECURITY_HEADERS, template)["Content-Security-Policy"]
    if origin is None:
        assert policy == SECURITY_HEADERS["Content-Security-Policy"]
    else:
        assert f"img-src 'self' data: blob: {origin};" in policy
