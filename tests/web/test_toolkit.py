"""The route toolkit: scoped objects, form actions with a flash, safe redirect targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from gridgov.db import Database
from gridgov.web.toolkit import FLASH_COOKIE, Paging, filled, paging, safe_next
from tests.factories import csrf_of, make_district, make_user, page_login


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/7", "/cases/7"),
        ("/desk?state=new", "/desk?state=new"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("", "/"),
        (None, "/"),
    ],
)
def test_safe_next_keeps_redirects_on_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_safe_next_falls_back_to_the_callers_page() -> None:
    assert safe_next("https://evil.example/", "/proposals/3") == "/proposals/3"


class _MemberOut(BaseModel):
    id: int
    name: str
    proxy_holder_id: int | None


@dataclass
class _Member:
    id: int
    name: str
    proxy_for_id: int | None
    phone: str


def test_filled_copies_the_fields_of_the_same_name_and_takes_the_given_ones() -> None:
    # given a row whose proxy column is named differently from the schema's field
    row = _Member(id=7, name="Wong Ka Yan", proxy_for_id=3, phone="66123456")
    # when the schema is filled from it
    out = filled(_MemberOut, row, proxy_holder_id=row.proxy_for_id)
    # then the same-named fields are copied, the given one taken, nothing else read
    assert out == _MemberOut(id=7, name="Wong Ka Yan", proxy_holder_id=3)


def test_a_form_action_redirects_with_a_flash_shown_once(db: Database, client: TestClient) -> None:
    # given an administrator on the accounts page
    make_district(db)
    make_user(db, "admin1", "admin", "440512")
    page_login(client, "admin1")
    token = csrf_of(client, "/users")
    # when they create an account through the form
    response = client.post(
        "/users",
        data={
            "username": "newworker",
            "role": "grid_worker",
            "scope": "440512001",
            "password": "a long enough password 42",
            "display_name": "新网格员",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    # then the browser is sent back to the list with a signed flash
    assert response.status_code == 303
    assert response.headers["location"] == "/users"
    assert FLASH_COOKIE in response.cookies
    # and the next page says so in the user's language, once
    first = client.get("/users", headers={"Accept-Language": "zh-CN"}).text
    assert "账户已创建。" in first
    second = client.get("/users", headers={"Accept-Language": "zh-CN"}).text
    assert "账户已创建。" not in second


def test_a_forged_flash_cookie_shows_nothing(db: Database, client: TestClient) -> None:
    make_district(db)
    make_user(db, "admin1", "admin", "440512")
    page_login(client, "admin1")
    client.cookies.set(FLASH_COOKIE, "48656c6c6f.0000000000000000")
    html = client.get("/users").text
    assert 'class="good" role="status"' not in html


def _window(page: Annotated[Paging, Depends(paging(most=20, default=5))]) -> dict[str, int]:
    return {"limit": page.limit, "offset": page.offset}


def test_paging_reads_limit_and_offset_within_the_lists_bounds() -> None:
    # given a JSON list of at most 20 rows a call, 5 unless asked
    app = FastAPI()
    app.get("/rows")(_window)
    client = TestClient(app)
    # when it is asked with and without a window, then it answers the window asked
    assert client.get("/rows").json() == {"limit": 5, "offset": 0}
    assert client.get("/rows?limit=20&offset=40").json() == {"limit": 20, "offset": 40}
    # and refuses one beyond its bounds
    assert client.get("/rows?limit=21").status_code == 422
    assert client.get("/rows?limit=0").status_code == 422
    assert client.get("/rows?offset=-1").status_code == 422
