"""The audit page names each action in the reader's language, at the office's time."""

from __future__ import annotations

from fastapi.testclient import TestClient

from gridgov.audit.service import record
from gridgov.db import Database
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, make_territory, make_user, page_login


def _overdue_row(db: Database) -> None:
    with db.transaction() as session:
        record(
            session,
            actor=SYSTEM,
            action="case.marked_overdue",
            object_type="case",
            object_id=7,
            region_code="44051200100101",
            summary={"channels": {"in_app": 1, "sms": 3792}, "late": True, "ids": [3, 4]},
            now=FIXED_NOW,
        )


def test_a_chinese_audit_page_shows_the_label_the_local_time_and_readable_details(
    db: Database, client: TestClient
) -> None:
    # Given a row recorded at 09:30 UTC (17:30 in Shanghai) and an auditor of the district
    make_territory(db)
    make_user(db, "pg.auditor", "auditor", "440512")
    _overdue_row(db)
    page_login(client, "pg.auditor")
    # When the auditor reads the log in Chinese
    html = client.get("/audit", headers={"Accept-Language": "zh-CN"}).text
    # Then the action is named, its code kept small beneath it
    assert '案件已标记超期<br><code class="muted small">case.marked_overdue</code>' in html
    # And the time is the office's, under a local-time header, not UTC
    assert "<th>本地时间</th>" in html
    assert "2026-11-30 17:30:00" in html
    assert "09:30:00" not in html
    assert "UTC" not in html
    # And the details read as words, not as Python's reprs
    assert "channels=站内消息: 1, 短信: 3792" in html
    assert "late=是" in html
    assert "ids=3, 4" in html
    assert "{&#39;" not in html
    assert "[3" not in html


def test_an_action_without_a_label_reads_as_words_beside_its_code(
    db: Database, client: TestClient
) -> None:
    # Given a row whose action has no label (a test's own)
    make_territory(db)
    make_user(db, "pg.admin", "admin", "440512")
    with db.transaction() as session:
        record(
            session,
            actor=SYSTEM,
            action="test.counted",
            object_type="case",
            region_code="44051200100101",
            now=FIXED_NOW,
        )
    page_login(client, "pg.admin")
    # When an admin reads the log in English
    html = client.get("/audit", headers={"Accept-Language": "en"}).text
    # Then the code is spelt out in words, the code itself still beneath
    assert 'test: counted<br><code class="muted small">test.counted</code>' in html
    assert "<th>Local time</th>" in html
