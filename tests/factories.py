"""Fixed-value builders for tests: the Haojiang district and its people."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.territory import service as territory
from tests.conftest import FIXED_NOW

PASSWORD = "Haojiang-grid-2026"
SYSTEM = Actor.system("test")

# 汕头市濠江区 and two of its streets, with one community each.
REGIONS = (
    ("440512", "濠江区", "district", None),
    ("440512001", "达濠街道", "street", "440512"),
    ("440512002", "广澳街道", "street", "440512"),
    ("440512001001", "青篮社区", "community", "440512001"),
    ("440512002001", "东湖社区", "community", "440512002"),
)


def make_district(db: Database, now: datetime = FIXED_NOW) -> None:
    with db.transaction() as session:
        for code, name, level, parent in REGIONS:
            territory.do_create_region(
                session,
                actor=SYSTEM,
                code=code,
                name=name,
                level=level,
                parent_code=parent,
                now=now,
            )


def make_user(
    db: Database,
    username: str,
    role: str,
    scope: str = "440512",
    *,
    password: str = PASSWORD,
    now: datetime = FIXED_NOW,
) -> User:
    with db.transaction() as session:
        return accounts.do_create_user(
            session,
            actor=SYSTEM,
            username=username,
            role=role,
            scope=scope,
            password=password,
            now=now,
        )


def bearer(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def csrf_of(client: TestClient, path: str = "/login") -> str:
    """The CSRF token a page hands out (the page also sets the csrf cookie)."""
    html = str(client.get(path).text)
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def page_login(client: TestClient, username: str, password: str = PASSWORD) -> None:
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    assert response.status_code == 303, response.text


# A small territory with real geometry: 濠江区 → 达濠街道 → 青篮社区 → two grids, and
# 广澳街道 → 东湖社区 → one grid; each parent exactly covered by its children.
def _box(x0: float, y0: float, x1: float, y1: float) -> dict[str, object]:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


SMALL_TERRITORY = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name, "level": level},
            "geometry": _box(*bounds),
        }
        for code, name, level, bounds in (
            ("440512", "濠江区", "district", (116.70, 23.28, 116.74, 23.30)),
            ("440512001", "达濠街道", "street", (116.70, 23.28, 116.72, 23.30)),
            ("440512002", "广澳街道", "street", (116.72, 23.28, 116.74, 23.30)),
            ("440512001001", "青篮社区", "community", (116.70, 23.28, 116.72, 23.30)),
            ("440512002001", "东湖社区", "community", (116.72, 23.28, 116.74, 23.30)),
            ("44051200100101", "青篮社区第1网格", "grid", (116.70, 23.28, 116.71, 23.30)),
            ("44051200100102", "青篮社区第2网格", "grid", (116.71, 23.28, 116.72, 23.30)),
            ("44051200200101", "东湖社区第1网格", "grid", (116.72, 23.28, 116.74, 23.30)),
        )
    ],
}


def make_territory(db: Database, now: datetime = FIXED_NOW) -> None:
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=SMALL_TERRITORY)
        assert checked.ok, checked.problems
        territory.do_import_geojson(session, actor=SYSTEM, checked=checked, now=now)


def mainland_id(birth: str, sequence: str, region: str = "440512") -> str:
    """A valid GB 11643 number: region, birth date YYYYMMDD, 3-digit sequence, check."""
    from gridgov.registry.documents import check_digit

    body = region + birth + sequence
    return body + check_digit(body)
