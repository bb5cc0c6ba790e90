"""The holiday calendar by year: a year is known when the package covers it or an
administrator marks it complete; until then every view of a due time in it warns, in
the viewer's language."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from gridgov.audit.models import AuditEvent
from gridgov.cases import service as cases
from gridgov.cases.calendar import UNKNOWN_YEAR, official_years
from gridgov.cases.calendar_pages import UNKNOWN_YEAR_MESSAGE
from gridgov.db import Database
from tests.cases.factories import make_cases_world, report
from tests.factories import SYSTEM, bearer, csrf_of, make_user, page_login

# A Tuesday in a year the shipped calendar package does not cover.
IN_2031 = datetime(2031, 1, 7, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def test_the_warning_marked_for_the_catalogues_is_the_calendars() -> None:
    assert UNKNOWN_YEAR_MESSAGE == UNKNOWN_YEAR
    assert 2031 not in official_years()


def test_an_unknown_year_warns_in_the_viewers_language_until_marked_complete(
    db: Database, client: TestClient
) -> None:
    make_cases_world(db)
    make_user(db, "ma.admin", "admin", "440512")
    # Given a case received in 2031, a year the package does not know, with one entered
    # holiday (which alone does not make the year known)
    with db.transaction() as session:
        cases.do_set_holiday(
            session, actor=SYSTEM, day=date(2031, 1, 1), is_workday=False, note="元旦", now=IN_2031
        )
    case = report(db, now=IN_2031)
    headers = bearer(client, "lin.dispatch")
    # When the dispatcher reads it in Chinese and in English
    zh = client.get(f"/api/v1/cases/{case.id}", headers={**headers, "Accept-Language": "zh-CN"})
    en = client.get(f"/api/v1/cases/{case.id}", headers={**headers, "Accept-Language": "en"})
    listed = client.get("/api/v1/cases", headers={**headers, "Accept-Language": "en"})
    # Then each answer carries the warning in the reader's language
    assert en.json()["due_warnings"] == [UNKNOWN_YEAR % {"year": 2031}]
    assert listed.json()[0]["due_warnings"] == en.json()["due_warnings"]
    (chinese,) = zh.json()["due_warnings"]
    assert "2031" in chinese
    assert chinese != en.json()["due_warnings"][0]
    assert "weekends" not in chinese
    # and the case page shows it too
    page_login(client, "lin.dispatch")
    page = client.get(f"/cases/{case.id}", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert chinese in page.text
    # When an administrator marks 2031 complete on the calendar page
    client.cookies.clear()
    page_login(client, "ma.admin")
    listing = client.get("/admin/calendar", headers={"Accept-Language": "en"})
    assert "Not known: weekends only" in listing.text.split('id="year-2031"')[1][:400]
    marked = client.post(
        "/admin/calendar/years",
        data={"year": "2031", "complete": "true", "csrf_token": csrf_of(client, "/admin/calendar")},
        follow_redirects=False,
    )
    assert marked.status_code == 303
    # Then the year is listed as complete, with its holiday, and the warning is gone
    listing = client.get("/admin/calendar", headers={"Accept-Language": "en"})
    year_2031 = listing.text.split('id="year-2031"')[1][:600]
    assert "Marked complete" in year_2031
    assert "2031-01-01" in year_2031
    again = client.get(f"/api/v1/cases/{case.id}", headers={**bearer(client, "lin.dispatch")})
    assert again.json()["due_warnings"] == []
    # and the mark was audited, once
    with db.session() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_type == "holiday_year")
        ).all()
    assert list(actions) == ["holiday_year.marked"]


def test_only_an_administrator_reaches_the_calendar_page(db: Database, client: TestClient) -> None:
    make_cases_world(db)
    page_login(client, "lin.dispatch")
    assert client.get("/admin/calendar", follow_redirects=False).status_code == 403
