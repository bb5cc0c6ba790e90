"""gridgov over HTTP next to plain FastAPI on the bare driver, in one run.

Two uvicorn processes, one worker each, on the same scratch database (SQLite in WAL
mode with synchronous=FULL; PostgreSQL too with --postgres URL or
GRIDGOV_TEST_DATABASE_URL): gridgov itself, and ``support/ref_app.py`` (FastAPI + sqlite3 or
psycopg, no gridgov code, doing the same I/O). Load comes from a third process: ``wrk``
when installed (Debian: ``apt-get install wrk``), else ``support/loadgen.py`` (asyncio, raw
HTTP/1.1 keep-alive). Rounds alternate between the two servers so both see the same
machine; each figure is the ratio gridgov / reference.

    request                  gridgov                         reference
    health                   GET /healthz                    GET /healthz (constant)
    authenticated read       GET /api/v1/me (bearer)         GET /me: session SELECT
    list page                GET /cases (dispatcher queue)   session SELECT + 20 rows + Jinja2
    case page                GET /cases/{id}                 session SELECT + case + events
    intake                   POST /api/v1/cases              session SELECT + pydantic + INSERT
                             (locate, classify, route,
                              deadlines, audit chain, outbox)

    python benchmarks/httpbench.py [--seconds 3] [--connections 16] [--rounds 2]
                                   [--postgres URL] [--only health,read,...]
                                   [--gridgov-src OTHER_CHECKOUT/src] [--bare-reference]

Both servers log one line per request, as deployed: gridgov its own JSON access line,
the reference uvicorn's access log (``--bare-reference``: none, as before).

(Named httpbench, not http: a file called http.py beside a script shadows the standard
library's ``http`` package for every import that follows.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import text

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.config import Settings
from gridgov.db import Database, upgrade
from gridgov.demo.geography import build_territory
from gridgov.territory import service as territory
from scratch import scratch_postgres

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "Benchmark-http-2026"  # noqa: S105 - a scratch benchmark account
TEXTS = (
    "小区门口垃圾堆了三天没人清理",
    "楼下路灯坏了好几天，晚上很黑",
    "楼上半夜装修吵得睡不着",
    "消防通道被电动车堵死了",
    "人行道上有个井盖松动了",
    "店铺占道经营把路都堵了",
)
GOALS = {"health": 0.8, "read": 0.5, "intake": 0.25}


@dataclass(frozen=True)
class Probe:
    name: str
    label: str
    gridgov: str
    reference: str
    post: bool = False


def probes(case_id: int) -> list[Probe]:
    return [
        Probe("health", "health", "/healthz", "/healthz"),
        Probe("read", "authenticated read", "/api/v1/me", "/me"),
        Probe("list", "list page", "/cases", "/cases"),
        Probe("case", "case page", f"/cases/{case_id}", f"/cases/{case_id}"),
        Probe("intake", "intake", "/api/v1/cases", "/intake", post=True),
    ]


def prepare(url: str, data_dir: Path) -> None:
    upgrade(url)
    settings = Settings(data_dir=data_dir, database_url=url)
    db = Database.from_url(url, keys=settings.keys)
    land = build_territory(1)
    with db.transaction() as session:
        checked = territory.check_import_geojson(session, document=land.feature_collection())
        territory.do_import_geojson(session, actor=Actor.system(), checked=checked, now=NOW)
        cases.do_load_categories(
            session,
            actor=Actor.system(),
            now=NOW,
            rows=cases.category_rows(cases.default_category_document()),
        )
        accounts.do_create_user(
            session,
            actor=Actor.system(),
            username="bench.dispatch",
            role="dispatcher",
            scope="440512",
            password=PASSWORD,
            now=NOW,
        )
        key = "SERIAL PRIMARY KEY" if db.dialect == "postgresql" else "INTEGER PRIMARY KEY"
        session.execute(text(f"CREATE TABLE bench_row (id {key}, body TEXT NOT NULL)"))
    db.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def uvicorn_process(
    target: list[str], env: dict[str, str], *, uvicorn_access_log: bool = False
) -> Iterator[Server]:
    """A uvicorn server, one worker. gridgov writes its own access line per request
    (web/context.py) and silences uvicorn's; a plain app deployed the same way keeps
    uvicorn's (``uvicorn_access_log``: INFO, one line per request)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", *target, "--port", str(port), "--workers", "1"]
    if uvicorn_access_log:
        command += ["--log-level", "info"]
    else:
        command += ["--log-level", "warning", "--no-access-log"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the server log (INFO, as deployed)
    process = subprocess.Popen(  # noqa: S603
        command, env={**os.environ, **env}, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"server did not start: {command}")
        yield Server(base, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            log.seek(0)
            print(
                f"server did not stop within 60 s; killed. Its log:\n{log.read().decode()[-2000:]}"
            )
            process.kill()
            process.wait()
        log.close()


def bodies_file(directory: Path, tag: str) -> Path:
    path = directory / f"bodies-{tag}.jsonl"
    with path.open("w") as handle:
        for n in range(2000):
            body = {
                "description": TEXTS[n % len(TEXTS)] + f"（{tag}-{n}）",
                "lon": 116.70 + (n % 50) * 0.0012,
                "lat": 23.26 + (n % 8) * 0.008,
                "reporter_phone": f"139{n:08d}",
            }
            handle.write(json.dumps(body, ensure_ascii=False) + "\n")
    return path


WRK_POST = """
local bodies = {}
for line in io.lines("%s") do bodies[#bodies + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", nil, nil, bodies[(n %% #bodies) + 1])
end
"""


@dataclass(frozen=True)
class Server:
    base: str
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (Linux)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Figure:
    rate: float = 0.0  # successful requests per second
    cpu_ms: float = 0.0  # server CPU milliseconds per request


def measure(
    server: Server, path: str, token: str, args: argparse.Namespace, bodies: Path | None
) -> Figure:
    before = server.cpu_seconds()
    rate, total = load(server.base + path, token, args.seconds, args.connections, bodies)
    return Figure(rate, (server.cpu_seconds() - before) * 1000 / max(total, 1))


def load(
    url: str, token: str, seconds: float, connections: int, bodies: Path | None
) -> tuple[float, int]:
    """Requests per second of successful (2xx) answers, from a separate process, and
    how many requests were answered."""
    header = f"Authorization: Bearer {token}"
    if shutil.which("wrk"):
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "-H", header]
        if bodies is not None:
            script = bodies.with_suffix(".lua")
            script.write_text(WRK_POST % bodies)
            command += ["-H", "Content-Type: application/json", "-s", str(script)]
        out = subprocess.run(  # noqa: S603
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
        total = next(int(line.split()[0]) for line in out.splitlines() if "requests in" in line)
        errors = sum(int(line.split(":")[1]) for line in out.splitlines() if "Non-2xx" in line)
        elapsed = float(
            next(line for line in out.splitlines() if "requests in" in line)
            .split(" in ")[1]
            .split("s,")[0]
        )
        return (total - errors) / elapsed, total
    command = [sys.executable, str(HERE / "support" / "loadgen.py"), url, "--seconds", str(seconds)]
    command += ["--connections", str(connections), "--header", header]
    if bodies is not None:
        command += ["--bodies", str(bodies)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    result = json.loads(done.stdout)
    return float(result["ok_rps"]), int(result["total"])


def run(url: str, args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        prepare(url, data_dir)
        env = {
            "GRIDGOV_DATABASE_URL": url,
            "GRIDGOV_DATA_DIR": str(data_dir),
            "GRIDGOV_SWEEP_SECONDS": "0",
            "GRIDGOV_NOTIFY_MODE": "record",
            "GRIDGOV_LOGIN_MAX_FAILURES_PER_IP": "1000000",
            # One account files thousands of reports a minute here: the limiter still
            # counts each one (its SELECT and INSERT are part of the measured work) but
            # does not refuse them, or intake would measure 429s.
            "GRIDGOV_RATE_LIMIT_FACTOR": "1000000",
        }
        if args.gridgov_src:  # another checkout's code, for before/after figures
            env["PYTHONPATH"] = str(Path(args.gridgov_src).resolve())
        gridgov_cmd = ["--factory", "gridgov.web.asgi:app_factory"]
        ref_cmd = ["--app-dir", str(HERE / "support"), "ref_app:app"]
        with (
            uvicorn_process(gridgov_cmd, env) as mine,
            uvicorn_process(
                ref_cmd, {"REF_DATABASE_URL": url}, uvicorn_access_log=not args.bare_reference
            ) as ref,
        ):
            token = httpx.post(
                f"{mine.base}/api/v1/auth/token",
                json={"username": "bench.dispatch", "password": PASSWORD},
                timeout=60,  # argon2 on a busy machine
            ).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            case_id = 0
            # A queue to list; warms the classifier and locator. The first report waits
            # for the models' training, minutes on a loaded machine: a long timeout.
            for n in range(60):
                body = {
                    "description": TEXTS[n % len(TEXTS)] + f"（seed-{n}）",
                    "lon": 116.70 + (n % 50) * 0.0012,
                    "lat": 23.26 + (n % 8) * 0.008,
                }
                reply = httpx.post(
                    f"{mine.base}/api/v1/cases", json=body, headers=auth, timeout=900
                )
                reply.raise_for_status()
                case_id = case_id or int(reply.json()["id"])
            figures: dict[str, list[Figure]] = {}
            chosen = [p for p in probes(case_id) if not args.only or p.name in args.only]
            for probe in chosen:
                for server, path in ((mine, probe.gridgov), (ref, probe.reference)):
                    status = httpx.get(server.base + path, headers=auth, timeout=30).status_code
                    if not probe.post and status != 200:
                        raise RuntimeError(f"{server.base}{path} answered {status}")
            for round_ in range(args.rounds):
                for probe in chosen:
                    pair = figures.setdefault(probe.name, [Figure(), Figure()])
                    for side, (server, path) in enumerate(
                        ((ref, probe.reference), (mine, probe.gridgov))
                    ):
                        bodies = bodies_file(data_dir, f"{side}{round_}") if probe.post else None
                        got = measure(server, path, token, args, bodies)
                        pair[side].rate += got.rate / args.rounds
                        pair[side].cpu_ms += got.cpu_ms / args.rounds
    report(url, args, chosen, figures)


def report(
    url: str, args: argparse.Namespace, chosen: list[Probe], figures: dict[str, list[Figure]]
) -> None:
    dialect = url.split(":")[0].split("+")[0]
    tool = "wrk" if shutil.which("wrk") else "loadgen.py"
    print(
        f"engine: {dialect}; load by {tool}, {args.connections} connections, "
        f"{args.rounds} rounds of {args.seconds:.0f} s per side; one uvicorn worker each; "
        + ("reference without access log" if args.bare_reference else "both log each request")
    )
    print(
        f"  {'request':<20}{'reference':>11}{'gridgov':>10}{'ratio':>7}  {'goal':<14}"
        f"server CPU per request: reference, gridgov, ratio"
    )
    for probe in chosen:
        ref, mine = figures[probe.name]
        ratio = mine.rate / max(ref.rate, 1e-9)
        goal = GOALS.get(probe.name)
        verdict = (f">= {goal}" + (" ok" if ratio >= goal else " MISSED")) if goal else "-"
        cpu_ratio = ref.cpu_ms / max(mine.cpu_ms, 1e-9)
        print(
            f"  {probe.label:<20}{ref.rate:>9.0f}/s{mine.rate:>8.0f}/s{ratio:>7.2f}  {verdict:<14}"
            f"{ref.cpu_ms:>6.2f} ms {mine.cpu_ms:>6.2f} ms {cpu_ratio:>6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", default=os.environ.get("GRIDGOV_TEST_DATABASE_URL"))
    parser.add_argument("--only", type=lambda s: set(s.split(",")), default=set())
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument(
        "--bare-reference",
        action="store_true",
        help="run the reference without uvicorn's access log (as before issue #18's fourth "
        "pass); by default it logs a line per request, as gridgov does, as deployed",
    )
    parser.add_argument(
        "--gridgov-src",
        help="serve gridgov from this src/ folder (another checkout, e.g. the code before a "
        "change) instead of the installed one; the database is migrated by the installed one",
    )
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            run(f"sqlite:///{Path(tmp) / 'http.sqlite3'}", args)
    if args.postgres:
        with scratch_postgres(args.postgres, "http") as url:
            run(url, args)


if __name__ == "__main__":
    main()
