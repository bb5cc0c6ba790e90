"""Background jobs: each isolated from the others' errors, due by its interval; and the
outbox's delivery claims, commits, sends outside the transaction, then marks sent."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from gridgov import jobs
from gridgov.cases import sweep
from gridgov.cases.models import OutboxMessage
from gridgov.cli import app
from gridgov.config import Settings
from gridgov.db import Database
from tests.cases.factories import make_cases_world, report
from tests.conftest import FIXED_NOW


def _boom(context: jobs.JobContext) -> Mapping[str, int]:
    raise RuntimeError("the SMS gateway's certificate expired")


def _count(context: jobs.JobContext) -> Mapping[str, int]:
    return {"seen": 1}


def test_one_failing_job_does_not_block_the_others(db: Database, settings: Settings) -> None:
    # Given a scheduler with a failing job between two working ones
    registry = {
        "a": jobs.Job("a", timedelta(minutes=1), _count),
        "b": jobs.Job("b", timedelta(minutes=1), _boom),
        "c": jobs.Job("c", timedelta(minutes=5), _count),
    }
    scheduler = jobs.Scheduler(registry)
    context = jobs.JobContext(db=db, settings=settings, now=FIXED_NOW)
    # When it ticks
    runs = scheduler.tick(context)
    # Then the failure is reported with its job and the others ran
    assert [(r.name, r.ok) for r in runs] == [("a", True), ("b", False), ("c", True)]
    assert "certificate expired" in (runs[1].error or "")
    # and a minute later only the jobs whose interval has passed run again
    later = jobs.JobContext(db=db, settings=settings, now=FIXED_NOW + timedelta(minutes=1))
    assert [r.name for r in scheduler.tick(later)] == ["a", "b"]


def test_the_registry_holds_the_sweeps_and_delivery() -> None:
    assert {"cases.sweep", "notices.sweep", "outbox.deliver"} <= set(jobs.JOBS)


def test_jobs_run_from_the_command_line(db: Database, settings: Settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given the district's cases world with one case past its report-in time
    make_cases_world(db)
    case = report(db)
    assert case.response_due_at is not None
    for key, value in {
        "GRIDGOV_DATABASE_URL": settings.resolved_database_url,
        "GRIDGOV_DATA_DIR": str(settings.data_dir),
        "GRIDGOV_SESSION_KEY": settings.session_key or "",
        "GRIDGOV_AUDIT_KEY": settings.audit_key or "",
        "GRIDGOV_FIELD_KEY": settings.field_key or "",
    }.items():
        monkeypatch.setenv(key, value)
    later = (case.response_due_at + timedelta(minutes=1)).isoformat()
    # When one job is run by name, at a given time
    result = CliRunner().invoke(app, ["jobs", "run", "cases.sweep", "--now", later])
    # Then it ran and said what it did
    assert result.exit_code == 0, result.output
    assert "cases.sweep: escalated 1" in result.output
    # and an unknown name is refused, naming the known ones
    unknown = CliRunner().invoke(app, ["jobs", "run", "no.such.job"])
    assert unknown.exit_code == 2


class CheckingChannel:
    """Checks, while sending, that the claim is already committed; fails for one recipient."""

    def __init__(self, db: Database, failing: str) -> None:
        self.db = db
        self.failing = failing
        self.sent: list[str] = []
        self.seen_committed: list[int] = []

    def send(self, message: OutboxMessage) -> None:
        with self.db.session() as session:
            attempts = session.scalar(
                select(OutboxMessage.attempts).where(OutboxMessage.id == message.id)
            )
        self.seen_committed.append(attempts or 0)
        if message.recipient == self.failing:
            raise ConnectionError("gateway timeout")
        self.sent.append(message.dedupe_key)


def test_delivery_sends_outside_the_transaction_and_one_failure_stops_nothing(
    db: Database,
) -> None:
    # Given three SMS in the outbox, one to a number whose gateway times out
    with db.transaction() as session:
        for n in range(3):
            session.add(
                OutboxMessage(
                    created_at=FIXED_NOW,
                    available_at=FIXED_NOW,
                    channel="sms",
                    recipient=f"phone-index:{n}",
                    subject="[T] received",
                    body="received",
                    dedupe_key=f"sms:test:{n}",
                )
            )
    channel = CheckingChannel(db, failing="phone-index:1")
    # When delivery runs
    sent = sweep.deliver(db, channels={"sms": channel}, now=FIXED_NOW)
    # Then every send saw its claim committed first (attempts already 1 in the database)
    assert channel.seen_committed == [1, 1, 1]
    # and the two others went out, marked sent; the failing one waits with its error
    assert sent == 2
    assert channel.sent == ["sms:test:0", "sms:test:2"]
    with db.session() as session:
        rows = {m.dedupe_key: m for m in session.scalars(select(OutboxMessage))}
    assert rows["sms:test:1"].sent_at is None
    assert rows["sms:test:1"].last_error == "gateway timeout"
    assert rows["sms:test:1"].available_at > FIXED_NOW
    assert rows["sms:test:0"].sent_at == FIXED_NOW
    # and a second run at the same moment sends nothing again
    assert sweep.deliver(db, channels={"sms": channel}, now=FIXED_NOW) == 0
    assert channel.sent == ["sms:test:0", "sms:test:2"]
