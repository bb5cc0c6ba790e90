"""Personal data: no response shows a full ID number or phone to a role that may not
reveal it; the reveal is audited; a database dump holds neither in plaintext."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url

from gridgov.audit.models import AuditEvent
from gridgov.db import Database
from gridgov.registry import service as registry
from gridgov.registry.models import Resident
from gridgov.registry.service import ResidentInput
from gridgov.web.deps import route_table
from tests.conftest import FIXED_NOW
from tests.factories import SYSTEM, bearer, mainland_id, make_territory, make_user, page_login

CHEN = ResidentInput(
    name="陈美玲",
    doc_type="mainland_id",
    id_number=mainland_id("19800101", "124"),
    phone="13812345678",
    grid_code="44051200100101",
    tags=("elderly_alone",),
)
PARK = ResidentInput(
    name="Park Seo-yeon",
    doc_type="passport",
    id_number="M12345678",
    phone="+85266554433",
    nationality="KOR",
    language="ko",
    grid_code="44051200100102",
)
SECRETS = (CHEN.id_number, CHEN.phone, "M12345678", "+85266554433", "85266554433")
NON_REVEALING = ("resident", "unit_staff", "branch_secretary", "leader", "auditor")
REVEALING = ("grid_worker", "dispatcher", "admin")


@pytest.fixture
def people(db: Database) -> dict[str, int]:
    make_territory(db)
    ids: dict[str, int] = {}
    with db.transaction() as session:
        for key, value in (("chen", CHEN), ("park", PARK)):
            person = ResidentInput(**value.__dict__)
            ids[key] = registry.do_create_resident(
                session, actor=SYSTEM, value=person, now=FIXED_NOW
            ).id
    return ids


def _fill(path: str, ids: dict[str, int]) -> str:
    return (
        path.replace("{resident_id}", str(ids["chen"]))
        .replace("{code}", "44051200100101")
        .replace("{user_id}", "1")
        .replace("{language}", "en")
        .replace("{username}", "nobody")
    )


def _leaks(text: str) -> list[str]:
    digits_only = re.sub(r"\D", "", text)
    found = [s for s in SECRETS if s in text]
    found += [s for s in (CHEN.phone,) if s in digits_only]
    return found


@pytest.mark.parametrize("role", NON_REVEALING + REVEALING)
def test_no_get_route_shows_a_full_number(
    db: Database, app: FastAPI, people: dict[str, int], role: str
) -> None:
    # Given a user of this role scoped to the district, by token and by page session
    make_user(db, "someone", role, "440512" if role != "resident" else "44051200100101")
    with (
        TestClient(app, follow_redirects=False) as api,
        TestClient(app, follow_redirects=False) as pages,
    ):
        headers = bearer(api, "someone")
        page_login(pages, "someone")
        # When every GET route is called
        leaks: dict[str, list[str]] = {}
        shown_masked = 0
        for route in route_table(app):
            if "GET" not in route.methods or route.path.startswith("/static"):
                continue
            path = _fill(route.path, people)
            if path.startswith("/api/"):
                response = api.get(path, headers=headers)
            else:
                response = pages.get(path)
            if found := _leaks(response.text):
                leaks[path] = found
            shown_masked += response.text.count(CHEN.id_number[:6] + "********")
    # Then none shows a full ID number or phone, while staff do see the masked ones
    assert leaks == {}
    assert (shown_masked > 0) is (role != "resident")


@pytest.mark.parametrize("role", NON_REVEALING)
def test_roles_that_may_not_reveal_are_refused(
    db: Database, client: TestClient, people: dict[str, int], role: str
) -> None:
    make_user(db, "someone", role, "440512" if role != "resident" else "44051200100101")
    response = client.post(
        f"/api/v1/residents/{people['chen']}/reveal",
        headers=bearer(client, "someone"),
        json={"reason": "回访独居老人"},
    )
    assert response.status_code in (403, 404)
    assert _leaks(response.text) == []


def test_a_grid_worker_reveals_and_the_look_is_audited(
    db: Database, client: TestClient, people: dict[str, int]
) -> None:
    make_user(db, "chen.worker", "grid_worker", "44051200100101")
    headers = bearer(client, "chen.worker")
    # Without a reason, nothing is shown
    refused = client.post(
        f"/api/v1/residents/{people['chen']}/reveal", headers=headers, json={"reason": ""}
    )
    assert refused.status_code == 422
    response = client.post(
        f"/api/v1/residents/{people['chen']}/reveal",
        headers=headers,
        json={"reason": "上门走访核对联系方式"},
    )
    assert response.status_code == 200
    assert response.json()["id_number"] == CHEN.id_number
    assert response.json()["phone"] == CHEN.phone
    with db.session() as session:
        events = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "resident.revealed"))
        )
    assert len(events) == 1
    assert events[0].actor == "chen.worker"
    assert "上门走访" in events[0].summary
    assert CHEN.id_number not in events[0].summary
    # A worker of another grid does not even see the resident
    make_user(db, "other.worker", "grid_worker", "44051200100102")
    other = client.post(
        f"/api/v1/residents/{people['chen']}/reveal",
        headers=bearer(client, "other.worker"),
        json={"reason": "好奇"},
    )
    assert other.status_code == 404


def test_search_by_whole_numbers_uses_the_blind_index(db: Database, people: dict[str, int]) -> None:
    with db.session() as session:
        by_id = registry.list_residents(session, viewer=SYSTEM, q=CHEN.id_number)
        by_phone = registry.list_residents(session, viewer=SYSTEM, q="138 1234 5678")
        by_name = registry.list_residents(session, viewer=SYSTEM, q="陈美")
        by_part = registry.list_residents(session, viewer=SYSTEM, q=CHEN.id_number[:10])
    assert [r.name for r in by_id] == ["陈美玲"]
    assert [r.name for r in by_phone] == ["陈美玲"]
    assert [r.name for r in by_name] == ["陈美玲"]
    assert by_part == []


def test_masks_show_first_and_last_digits(db: Database, people: dict[str, int]) -> None:
    with db.session() as session:
        chen = session.get(Resident, people["chen"])
    assert chen is not None
    assert chen.id_number_masked == CHEN.id_number[:6] + "********" + CHEN.id_number[-4:]
    assert chen.phone_masked == "138****5678"


def test_a_database_dump_holds_no_plaintext_number(
    db: Database, people: dict[str, int], tmp_path: Path
) -> None:
    # Given residents with ID numbers and phones, when the whole database is dumped
    if db.dialect == "postgresql":
        url = make_url(db.url)
        dump = subprocess.run(  # noqa: S603 - fixed arguments, a test database
            [
                shutil.which("pg_dump") or "pg_dump",
                "-h",
                url.host or "127.0.0.1",
                "-p",
                str(url.port or 5432),
                "-U",
                url.username or "postgres",
                "--data-only",
                "--inserts",
                url.database or "",
            ],
            capture_output=True,
            check=True,
        ).stdout
    else:
        db.engine.dispose()
        path = Path(make_url(db.url).database or "")
        dump = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    # Then no ID number or phone appears in it, in any encoding
    text = dump.decode("utf-8", errors="replace")
    assert "陈美玲" in text  # the dump is real and readable
    assert [s for s in SECRETS if s in text] == []
    assert CHEN.id_number.encode("utf-16-le") not in dump


def test_the_residents_list_heads_its_name_column_as_a_persons_name_and_names_the_grid(
    db: Database, client: TestClient, people: dict[str, int]
) -> None:
    # Given a grid worker of the district
    make_user(db, "someone", "grid_worker", "440512")
    page_login(client, "someone")
    # When the residents list is opened in Chinese
    page = client.get("/registry/residents", headers={"Accept-Language": "zh-CN"}).text
    # Then its first column reads 姓名 (a person's name), not 名称 (a thing's)
    assert "<th>姓名</th>" in page
    assert "陈美玲" in page
    # and the grid reads by its name, its code only in the link
    assert '<a href="/regions/44051200100101">青篮社区第1网格</a>' in page
