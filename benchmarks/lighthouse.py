"""Lighthouse (mobile profile) on the public report form, a grid worker's list and the
leader's dashboard, against the demo district, with the distribution's Chromium.

Builds the demo on a scratch SQLite database, serves it with uvicorn, opens a cookie
session for ``demo-worker`` and ``demo-leader`` and runs Lighthouse on each page,
printing the performance score (goal >= 95), time to interactive and the bytes moved
on a first visit (goals: dashboard <= 400 KB, /report <= 100 KB).

Lighthouse comes from npm, installed once into ``.bench/node`` beside this repository
(``npm install lighthouse@13.5.0``); nothing is fetched while it runs. Chromium:
``CHROME_PATH`` or /usr/bin/chromium (Debian: ``apt-get install chromium``).

    python benchmarks/lighthouse.py [--pages report,list,dashboard] [--demo-cases 1000]
                                    [--demo-dir DIR]   # build the demo once, reuse it
                                    [--runs 3]         # each page N times, the median run

Simulated throttling scales with how busy the machine is: on a shared machine run each
page three times (``--runs 3``); the row shown is the run with the median score.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.config import Settings
from gridgov.db import Database
from gridgov.web.deps import SESSION_COOKIE, signed_cookie_value
from httpbench import uvicorn_process

ROOT = Path(__file__).resolve().parents[1]
NODE_DIR = ROOT / ".bench" / "node"
LIGHTHOUSE = "lighthouse@13.5.0"
PAGES = {
    # name: (path, account or None, byte budget)
    "report": ("/report", None, 100 * 1024),
    "list": ("/cases", "demo-worker", None),
    "dashboard": ("/dashboard", "demo-leader", 400 * 1024),
}
GOAL_SCORE = 95


def lighthouse_bin(node_dir: Path) -> Path:
    binary = node_dir / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        node_dir.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            print("skipped: npm is needed once to install Lighthouse (Debian: apt-get install npm)")
            sys.exit(0)
        subprocess.run(  # noqa: S603
            [npm, "install", "--no-audit", "--no-fund", "--prefix", str(node_dir), LIGHTHOUSE],
            check=True,
        )
    return binary


def cookie_for(db: Database, settings: Settings, username: str) -> str:
    now = datetime.now(UTC)
    with db.transaction() as session:
        user = accounts.get_user_by_username(session, username=username)
        result = accounts.do_open_session(
            session,
            user=user,
            kind="cookie",
            actor=Actor.system("lighthouse"),
            now=now,
            lifetime=timedelta(hours=1),
            how="benchmark",
        )
    return f"{SESSION_COOKIE}={signed_cookie_value(settings.keys.session, result.token)}"


def audit(binary: Path, url: str, cookie: str | None, out: Path) -> dict[str, float]:
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    command = [
        str(binary),
        url,
        "--only-categories=performance",
        "--output=json",
        f"--output-path={out}",
        "--quiet",
        "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
        "--disable-background-networking --disable-component-update --disable-sync",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chrome})  # noqa: S603
    result = json.loads(out.read_text())
    audits = result["audits"]
    return {
        "score": round(result["categories"]["performance"]["score"] * 100),
        "interactive_s": audits["interactive"]["numericValue"] / 1000,
        "fcp_s": audits["first-contentful-paint"]["numericValue"] / 1000,
        "bytes": audits["total-byte-weight"]["numericValue"],
        "benchmark_index": result["environment"].get("benchmarkIndex", 0),
    }


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the median score (of an even number, the lower middle one)."""
    ranked = sorted(runs, key=lambda figures: (figures["score"], -figures["interactive_s"]))
    return ranked[(len(ranked) - 1) // 2]


def warm_up(base: str, path: str, headers: dict[str, str]) -> None:
    """A server in use is warm: the page and the static files it names are each asked
    for once before Lighthouse looks (the first request to a route builds FastAPI's
    route state for the routers before it, which for ``/static``, mounted last, took
    ~5 s on this machine and pushed the page's scripts back by as much)."""
    page = httpx.get(base + path, headers=headers, timeout=60)
    for asset in sorted(set(re.findall(r'"(/static/[^"?#]+)"', page.text))):
        httpx.get(base + asset, headers=headers, timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", default=",".join(PAGES))
    parser.add_argument("--node-dir", type=Path, default=NODE_DIR)
    parser.add_argument("--demo-cases", type=int, default=1000, help="cases the demo simulates")
    parser.add_argument("--demo-dir", type=Path, help="keep (and reuse) the demo database here")
    parser.add_argument("--runs", type=int, default=1, help="runs per page; the median is shown")
    args = parser.parse_args()
    if not Path(os.environ.get("CHROME_PATH", "/usr/bin/chromium")).exists():
        print("skipped: no Chromium (Debian: apt-get install chromium, or set CHROME_PATH)")
        return
    binary = lighthouse_bin(args.node_dir)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.demo_dir or Path(tmp)
        url = f"sqlite:///{data_dir / 'demo.sqlite3'}"
        env = {**os.environ, "GRIDGOV_DATABASE_URL": url, "GRIDGOV_DATA_DIR": str(data_dir)}
        gridgov = [str(Path(sys.executable).with_name("gridgov"))]
        build = ["demo", "build", "--if-empty", "--cases", str(args.demo_cases)]
        subprocess.run([*gridgov, "db", "upgrade"], check=True, env=env)  # noqa: S603
        subprocess.run([*gridgov, *build], check=True, env=env)  # noqa: S603
        settings = Settings(data_dir=data_dir, database_url=url)
        db = Database.from_url(url, keys=settings.keys)
        env["GRIDGOV_SWEEP_SECONDS"] = "0"
        server_env = {k: v for k, v in env.items() if k.startswith("GRIDGOV_")}
        rows = []
        with uvicorn_process(["--factory", "gridgov.web.asgi:app_factory"], server_env) as app:
            for name in args.pages.split(","):
                path, account, budget = PAGES[name]
                cookie = cookie_for(db, settings, account) if account else None
                warm = {"Cookie": cookie} if cookie else {}
                warm_up(app.base, path, warm)
                runs = [
                    audit(binary, app.base + path, cookie, data_dir / f"{name}-{run}.json")
                    for run in range(args.runs)
                ]
                for run, figures in enumerate(runs, start=1):
                    print(
                        f"  {name} run {run}: score {figures['score']}, "
                        f"interactive {figures['interactive_s']:.1f} s, "
                        f"{figures['bytes'] / 1024:.0f} KB",
                        flush=True,
                    )
                rows.append((name, path, budget, median_run(runs)))
        db.dispose()
    print(f"Lighthouse {LIGHTHOUSE.split('@')[1]}, mobile profile (simulated throttling)")
    index = min(f["benchmark_index"] for *_, f in rows) if rows else 0
    print(f"  machine benchmarkIndex {index:.0f} (Lighthouse calls under 1000 underpowered)")
    print(
        f"  {'page':<24}{'score':>6}  {'goal':<10}{'interactive':>12}{'FCP':>7}"
        f"{'bytes':>10}  budget"
    )
    for name, path, budget, f in rows:
        name = f"{name} ({path})"
        verdict = "ok" if f["score"] >= GOAL_SCORE else "MISSED"
        weight = f"{f['bytes'] / 1024:>8.0f}KB"
        within = (
            "-"
            if budget is None
            else f"<= {budget // 1024} KB " + ("ok" if f["bytes"] <= budget else "MISSED")
        )
        print(
            f"  {name:<24}{f['score']:>6}  >= {GOAL_SCORE} {verdict:<6}"
            f"{f['interactive_s']:>10.1f} s{f['fcp_s']:>5.1f} s{weight}  {within}"
        )


if __name__ == "__main__":
    main()
