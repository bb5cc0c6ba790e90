"""Background jobs: a small registry of (name, interval, function), run by the server's
background loop and by ``gridgov jobs run [NAME] [--now ISO-TIME]``.

Each job runs on its own: an error is logged with the job's name and the others still
run; inside a job, each item is isolated the same way (``cases.sweep``). Every job is
safe to run on several app instances at once (compare-and-set, ``SKIP LOCKED``, unique
dedupe keys), and writes audit rows only for what it changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from gridgov.config import Settings
from gridgov.db import Database

log = logging.getLogger("gridgov.jobs")


@dataclass(frozen=True)
class JobContext:
    db: Database
    settings: Settings
    now: datetime


@dataclass(frozen=True)
class Job:
    name: str
    interval: timedelta
    run: Callable[[JobContext], Mapping[str, int]]
    description: str = ""


@dataclass
class JobRun:
    """What one run of a job did: its counts, or the error that stopped it."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------- the jobs


def _cases_sweep(context: JobContext) -> Mapping[str, int]:
    from gridgov.cases import sweep

    result = sweep.sweep(context.db, now=context.now, tz=context.settings.timezone)
    return asdict(result)


def _outbox_delivery(context: JobContext) -> Mapping[str, int]:
    from gridgov.cases import notify, sweep

    sent = sweep.deliver(context.db, channels=notify.channels(context.settings), now=context.now)
    return {"sent": sent}


def _notices_sweep(context: JobContext) -> Mapping[str, int]:
    from gridgov.audit.service import Actor
    from gridgov.deliberation import notices

    with context.db.transaction() as session:
        return notices.sweep(
            session,
            now=context.now,
            actor=Actor.system("sweep"),
            tz=context.settings.timezone,
            language=context.settings.default_language,
        )


def _crisis_sweep(context: JobContext) -> Mapping[str, int]:
    from gridgov.crisis import sweep as crisis_sweep

    with context.db.transaction() as session:
        return asdict(crisis_sweep.sweep(session, now=context.now))


JOBS: dict[str, Job] = {}


def register(job: Job) -> Job:
    if job.name in JOBS:
        raise ValueError(f"a job named {job.name} is registered already")
    JOBS[job.name] = job
    return job


register(
    Job(
        "cases.sweep",
        timedelta(minutes=1),
        _cases_sweep,
        "escalate what was not reported in for, mark overdue cases, queue reminders",
    )
)
register(
    Job(
        "notices.sweep",
        timedelta(minutes=1),
        _notices_sweep,
        "close notices whose period is over, remind of routine disclosures due",
    )
)
register(
    Job(
        "crisis.sweep",
        timedelta(minutes=1),
        _crisis_sweep,
        "escalate unreached households and overdue tasks, anonymise closed incidents",
    )
)
register(
    Job(
        "outbox.deliver",
        timedelta(minutes=1),
        _outbox_delivery,
        "send the queued notifications through their channels",
    )
)


# ---------------------------------------------------------------- running them


def run_job(job: Job, context: JobContext) -> JobRun:
    """Run one job; an error is logged and returned, never raised."""
    try:
        counts = {key: int(value) for key, value in job.run(context).items()}
    except Exception as exc:
        log.exception("job failed", extra={"fields": {"job": job.name}})
        return JobRun(job.name, error=f"{type(exc).__name__}: {exc}"[:300])
    return JobRun(job.name, counts)


def run(context: JobContext, names: list[str] | None = None) -> list[JobRun]:
    """Run the named jobs (all, in registry order, without names), each isolated."""
    unknown = [name for name in names or [] if name not in JOBS]
    if unknown:
        raise KeyError(", ".join(unknown))
    chosen = [JOBS[name] for name in names] if names else list(JOBS.values())
    return [run_job(job, context) for job in chosen]


class Scheduler:
    """Which jobs are due, by their interval since their last run (in this process)."""

    def __init__(self, jobs: Mapping[str, Job] | None = None) -> None:
        self.jobs = dict(jobs if jobs is not None else JOBS)
        self.last: dict[str, datetime] = {}

    def due(self, now: datetime) -> list[Job]:
        return [
            job
            for job in self.jobs.values()
            if job.name not in self.last or now - self.last[job.name] >= job.interval
        ]

    def tick(self, context: JobContext) -> list[JobRun]:
        runs = []
        for job in self.due(context.now):
            self.last[job.name] = context.now
            runs.append(run_job(job, context))
        return runs
