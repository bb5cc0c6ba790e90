"""Two processes sweep one PostgreSQL at once: every late case escalates exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gridgov.cases.models import Case, CaseEvent, OutboxMessage
from gridgov.config import Settings
from gridgov.db import Database
from tests.cases.factories import make_cases_world, report

LATE_CASES = 30


def test_two_sweeping_processes_escalate_each_case_once(db: Database, settings: Settings) -> None:
    if db.dialect != "postgresql":
        pytest.skip("several app instances share PostgreSQL, not the embedded SQLite")
    # Given thirty grid cases nobody reported in for
    make_cases_world(db)
    # (150 m apart or more, so that none looks like a duplicate of another)
    points = [(116.7005 + 0.0016 * (n % 6), 23.2805 + 0.0035 * (n // 6)) for n in range(LATE_CASES)]
    created = [
        report(db, text=f"第{n}处路面垃圾堆积，请尽快清理", point=point, phone=f"1390000{n:04d}")
        for n, point in enumerate(points)
    ]
    assert {c.state for c in created} == {"assigned"}
    due = max(c.response_due_at for c in created if c.response_due_at is not None)
    later = (due + timedelta(minutes=5)).isoformat()
    # When two separate processes sweep at the same moment
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": settings.resolved_database_url,
        "GRIDGOV_DATA_DIR": str(settings.data_dir),
        "GRIDGOV_SESSION_KEY": settings.session_key or "",
        "GRIDGOV_AUDIT_KEY": settings.audit_key or "",
        "GRIDGOV_FIELD_KEY": settings.field_key or "",
    }
    command = [
        sys.executable,
        "-c",
        "from gridgov.cli import main; main()",
        "cases",
        "sweep",
        "--now",
        later,
    ]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    # Then each case went up exactly one rung, with one event and one notice each
    with db.session() as session:
        escalations = session.scalars(select(Case.escalations).order_by(Case.id)).all()
        events = session.scalar(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.kind == "escalated")
        )
        notices = session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.dedupe_key.like("assigned:%"))
        )
    assert escalations == [1] * LATE_CASES
    assert events == LATE_CASES
    # the first assignment's (to the grid: its chat group and its workers' in-app) and the
    # escalation's
    assert notices == 3 * LATE_CASES
    reported = " ".join(out.decode() for out, _ in outputs)
    assert "escalated" in reported
