"""The reference for benchmarks/http.py: plain FastAPI and the bare database driver.

No gridgov code. It opens the same database as the gridgov server it is compared with
(sqlite3 with gridgov's pragmas: WAL, synchronous=FULL; or psycopg) and does the same
I/O per request, nothing more:

- ``/healthz``: a constant JSON body;
- ``/me``: look the bearer token's digest up in ``auth_session`` joined to the user;
- ``/cases``: the session lookup, then one page of open cases, rendered with Jinja2;
- ``/cases/{id}``: the session lookup, the case and its events, rendered with Jinja2;
- ``/intake``: the session lookup, a pydantic-validated body, one INSERT, commit.

Routes are ``async def`` calling the driver directly on the event loop, as a small
hand-written service would: no threadpool hop, no ORM, no middleware. That is the
floor the framework and the driver allow; gridgov's ratios are measured against it.

Run by httpbench.py as ``uvicorn --app-dir benchmarks ref_app:app`` with ``REF_DATABASE_URL``.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import HTMLResponse
from jinja2 import Environment
from pydantic import BaseModel, Field

URL = os.environ.get("REF_DATABASE_URL", "")
LIST = Environment(autoescape=True).from_string(
    "<!doctype html><html><body><table>{% for r in rows %}<tr><td>{{ r[1] }}</td>"
    "<td>{{ r[2] }}</td><td>{{ r[3] }}</td></tr>{% endfor %}</table></body></html>"
)
CASE = Environment(autoescape=True).from_string(
    "<!doctype html><html><body><h1>{{ case[1] }}</h1><p>{{ case[2] }}</p><ol>"
    "{% for e in events %}<li>{{ e[0] }} {{ e[1] }}</li>{% endfor %}</ol></body></html>"
)
SESSION_SQL = (
    "SELECT u.id, u.username, u.role, u.scope FROM auth_session s "
    "JOIN user_account u ON u.id = s.user_id WHERE s.token_hash = {p} AND s.kind = 'bearer' "
    "AND s.revoked_at IS NULL AND u.is_active"
)
LIST_SQL = (
    "SELECT id, tracking_code, state, description FROM case_file "
    "WHERE state NOT IN ('closed', 'rejected') ORDER BY resolution_due_at LIMIT 20"
)
CASE_SQL = "SELECT id, tracking_code, description, state FROM case_file WHERE id = {p}"
EVENTS_SQL = "SELECT kind, at FROM case_event WHERE case_id = {p} ORDER BY id"
INSERT_SQL = "INSERT INTO bench_row (body) VALUES ({p})"


class Report(BaseModel):
    description: str = Field(min_length=1, max_length=2000)
    lon: float | None = None
    lat: float | None = None
    reporter_phone: str = Field(default="", max_length=32)


class Driver:
    """One connection per thread (sqlite3) or a small pool-less per-thread connection
    (psycopg): what a hand-written app on the bare driver would do."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        self.param = "%s" if self.postgres else "?"
        self.url = url
        self.local = threading.local()

    def connection(self) -> Any:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            if self.postgres:
                import psycopg

                conn = psycopg.connect(self.url.replace("postgresql+psycopg", "postgresql"))
            else:
                conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
                for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                    conn.execute("PRAGMA " + pragma)
                conn.execute("PRAGMA busy_timeout=30000")
            self.local.conn = conn
        return conn

    def query(self, sql: str, *args: Any) -> Sequence[Any]:
        conn = self.connection()
        rows = conn.execute(sql.format(p=self.param), args).fetchall()
        if self.postgres:
            conn.rollback()
        return list(rows)

    def insert(self, sql: str, *args: Any) -> None:
        conn = self.connection()
        if self.postgres:
            conn.execute(sql.format(p=self.param), args)
            conn.commit()
        else:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql.format(p=self.param), args)
            conn.execute("COMMIT")


db = Driver(URL)
app = FastAPI()


def caller(authorization: str) -> Sequence[Any]:
    token = authorization.removeprefix("Bearer ").strip()
    rows = db.query(SESSION_SQL, hashlib.sha256(token.encode()).hexdigest())
    if not rows:
        raise HTTPException(401)
    return rows[0]  # type: ignore[no-any-return]


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/me")
async def me(authorization: str = Header("")) -> dict[str, Any]:
    user = caller(authorization)
    return {"id": user[0], "username": user[1], "role": user[2], "scope": user[3]}


@app.get("/cases", response_class=HTMLResponse)
async def cases(authorization: str = Header("")) -> str:
    caller(authorization)
    return LIST.render(rows=db.query(LIST_SQL))


@app.get("/cases/{case_id}", response_class=HTMLResponse)
async def case(case_id: int, authorization: str = Header("")) -> str:
    caller(authorization)
    found = db.query(CASE_SQL, case_id)
    if not found:
        raise HTTPException(404)
    return CASE.render(case=found[0], events=db.query(EVENTS_SQL, case_id))


@app.post("/intake", status_code=201)
async def intake(body: Report, authorization: str = Header("")) -> dict[str, str]:
    caller(authorization)
    db.insert(INSERT_SQL, body.description)
    return {"ok": "1"}
