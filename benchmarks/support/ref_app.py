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

Run by httpbench.py as ``uvicorn --app-dir benchmarks/support ref_app:app``, with
``REF_DATABASE_URL`` naming the database, and uvicorn's access log on (INFO, one line per
request, as a deployed app logs; gridgov writes its own), off with ``--bare-reference``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
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
POOL_SIZE = 16


class Report(BaseModel):
    description: str = Field(min_length=1, max_length=2000)
    lon: float | None = None
    lat: float | None = None
    reporter_phone: str = Field(default="", max_length=32)


class Driver:
    """SQLite: one ``sqlite3`` connection used on the event loop (calls are in-process,
    microseconds). PostgreSQL: a small pool of psycopg ``AsyncConnection``s in autocommit
    mode (one round trip per statement). What a hand-written app on the driver does."""

    def __init__(self, url: str) -> None:
        self.postgres = url.startswith("postgresql")
        self.param = "%s" if self.postgres else "?"
        self.url = url.replace("postgresql+psycopg", "postgresql")
        self.conn: Any = None
        self.pool: asyncio.Queue[Any] = asyncio.Queue()
        self.opened = 0

    def sqlite(self) -> Any:
        if self.conn is None:
            conn = sqlite3.connect(self.url.removeprefix("sqlite:///"), isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                conn.execute("PRAGMA " + pragma)
            conn.execute("PRAGMA busy_timeout=30000")
            self.conn = conn
        return self.conn

    async def checkout(self) -> Any:
        if self.pool.empty() and self.opened < POOL_SIZE:
            import psycopg

            self.opened += 1
            return await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        return await self.pool.get()

    async def query(self, sql: str, *args: Any) -> Sequence[Any]:
        if not self.postgres:
            return list(self.sqlite().execute(sql.format(p=self.param), args).fetchall())
        conn = await self.checkout()
        try:
            cursor = await conn.execute(sql.format(p=self.param), args)
            return list(await cursor.fetchall())
        finally:
            self.pool.put_nowait(conn)

    async def insert(self, sql: str, *args: Any) -> None:
        if not self.postgres:
            conn = self.sqlite()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(sql.format(p=self.param), args)
            conn.execute("COMMIT")
            return
        conn = await self.checkout()
        try:
            await conn.execute(sql.format(p=self.param), args)  # autocommit: one commit
        finally:
            self.pool.put_nowait(conn)


db = Driver(URL)
app = FastAPI()


async def caller(authorization: str) -> Sequence[Any]:
    token = authorization.removeprefix("Bearer ").strip()
    rows = await db.query(SESSION_SQL, hashlib.sha256(token.encode()).hexdigest())
    if not rows:
        raise HTTPException(401)
    return rows[0]  # type: ignore[no-any-return]


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.get("/me")
async def me(authorization: str = Header("")) -> dict[str, Any]:
    user = await caller(authorization)
    return {"id": user[0], "username": user[1], "role": user[2], "scope": user[3]}


@app.get("/cases", response_class=HTMLResponse)
async def cases(authorization: str = Header("")) -> str:
    await caller(authorization)
    return LIST.render(rows=await db.query(LIST_SQL))


@app.get("/cases/{case_id}", response_class=HTMLResponse)
async def case(case_id: int, authorization: str = Header("")) -> str:
    await caller(authorization)
    found = await db.query(CASE_SQL, case_id)
    if not found:
        raise HTTPException(404)
    return CASE.render(case=found[0], events=await db.query(EVENTS_SQL, case_id))


@app.post("/intake", status_code=201)
async def intake(body: Report, authorization: str = Header("")) -> dict[str, str]:
    await caller(authorization)
    await db.insert(INSERT_SQL, body.description)
    return {"ok": "1"}
