"""Group commit for intake: a writer thread per database (a few on PostgreSQL) files the
reports that arrive together in one transaction, each in its own savepoint (ADR 0025).

A request hands the writer its job (a function of the batch's session that does the
whole write and builds the answer) and awaits the job's future on the event loop. The
thread takes the first waiting job and whatever else is already queued (at most
``most``; it never waits for more), runs them in order in ONE write session, each
inside ``session.begin_nested()``, and commits once. Only after that commit are the
futures resolved: an acknowledged report is a committed one. A job that raises rolls
back its own savepoint and gets its exception (a ``DomainError`` becomes its 4xx, any
other its 500); when the commit itself fails, every job of the batch gets that error.

What one commit saves is paid once per batch instead of once per report: BEGIN
(SQLite's write lock) and COMMIT with its wait for the disk, the audit chain's head
(read and written once, at the commit: ``audit.service.CHAIN_AT_COMMIT``), a session, a
worker-thread hop per request. Jobs of a batch share the transaction, so a later job
sees what an earlier one wrote (an idempotency key, a rate-limit hit, a flood count).
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gridgov.audit.service import CHAIN_AT_COMMIT
from gridgov.db import Database

R = TypeVar("R")
log = logging.getLogger("gridgov.intake")

MOST_PER_BATCH = 64
# Writer threads per database. SQLite has one writer at a time: one thread, whose batches
# take the lock once each. A PostgreSQL report is a dozen round trips to the server; one
# thread would wait through each of them in turn (at most ~1/(12 round trips) reports a
# second, whatever the CPU), so a few threads overlap them, each with its own batches.
POSTGRESQL_THREADS = 4
# An idle writer's thread ends after this long and is started again by the next job:
# an app whose lifespan never ran (a test client without ``with``) leaves no thread.
IDLE_SECONDS = 30.0
# How long the app's shutdown waits for the writers to file what is queued (the requests
# that queued it were answered or gone by then): a database that stopped answering must
# not keep the process from ending.
STOP_SECONDS = 60.0
# How often a job undone by a deadlock or a serialization failure is filed again, each
# time in a batch of its own after the batch it ran in has committed (``_is_transient``).
RETRIES = 3
# PostgreSQL's deadlock_detected and serialization_failure: the server undid this
# transaction's statement so that another could go on; the same work succeeds after it.
_TRANSIENT_STATES = frozenset({"40P01", "40001"})


@dataclass
class Job(Generic[R]):
    """One report's write: ``work`` runs in the batch's session, inside its savepoint.
    It never commits (the writer does, once for the batch)."""

    work: Callable[[Session], R]
    future: Future[R] = field(default_factory=Future)
    tries: int = 0  # times a deadlock or serialization failure undid it


class IntakeWriter:
    """The writer threads of one ``Database``: ``submit`` a job, await ``run``."""

    def __init__(
        self,
        db: Database,
        *,
        threads: int | None = None,
        most: int = MOST_PER_BATCH,
        idle_seconds: float = IDLE_SECONDS,
    ) -> None:
        self.db = db
        self.threads = threads or threads_for(db.dialect)
        self.most = most
        self.idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue[Job[Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._threads: set[threading.Thread] = set()
        self._stop_sent: set[threading.Thread] = set()
        self.batches = 0  # committed or failed batches, for tests and the benchmark

    def submit(self, work: Callable[[Session], R]) -> Future[R]:
        """Queue ``work``; its future resolves after the batch it ran in committed."""
        job: Job[R] = Job(work)
        self._queue.put(job)
        self.start()
        return job.future

    async def run(self, work: Callable[[Session], R]) -> R:
        """``work``'s result, awaited on the event loop (no worker thread of its own)."""
        return await asyncio.wrap_future(self.submit(work))

    def start(self) -> None:
        """Start the threads that are not running (at start-up, and after idling)."""
        with self._lock:
            self._threads = {thread for thread in self._threads if thread.is_alive()}
            while len(self._threads) < self.threads:
                self._start_thread()

    def stop(self, timeout: float | None = STOP_SECONDS) -> bool:
        """File every job queued so far, then end the threads, waiting at most
        ``timeout`` seconds in all; whether they ended. A job submitted later starts new
        ones."""
        with self._lock:
            threads = [thread for thread in self._threads if thread.is_alive()]
            for thread in threads:
                if thread not in self._stop_sent:
                    self._queue.put(None)  # after every job queued so far: one per thread
                    self._stop_sent.add(thread)
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in threads):
            log.error("the intake writer did not finish in %s s: queued reports unfiled", timeout)
            return False
        return True

    def _start_thread(self) -> None:
        thread = threading.Thread(target=self._loop, name="intake-writer", daemon=True)
        self._threads.add(thread)
        thread.start()

    def _leave(self, thread: threading.Thread) -> None:
        """Called under the lock by a thread that ends."""
        self._threads.discard(thread)
        self._stop_sent.discard(thread)

    def _loop(self) -> None:
        """Batches until stopped or idle for ``idle_seconds`` with nothing queued."""
        me = threading.current_thread()
        while True:
            try:
                first = self._queue.get(timeout=self.idle_seconds)
            except queue.Empty:
                with self._lock:  # a job put after this finds too few threads: starts one
                    if self._queue.empty():
                        self._leave(me)
                        return
                continue
            if first is None:
                with self._lock:
                    self._leave(me)
                    # The last one out files what was submitted after the stop.
                    if not self._threads and not self._queue.empty():
                        self._start_thread()
                return
            batch: list[Job[Any]] = [first]
            while len(batch) < self.most:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:  # a stop: for whichever thread takes it next
                    self._queue.put(None)
                    break
                batch.append(job)
            self.commit_batch(batch)

    def commit_batch(self, batch: list[Job[Any]]) -> None:
        """Run ``batch`` in one write transaction, each job in its savepoint; commit once;
        then resolve the futures. Public for the tests, which run batches themselves.

        A job that PostgreSQL undid to break a deadlock (two instances' batches, or two
        threads', each waiting for an idempotency key the other has inserted and not yet
        committed) or a serialization failure is not answered with it: it is filed again
        in a batch of its own once this one has committed and released what the other
        was waiting for (at most ``RETRIES`` times); so is every job of a batch whose
        commit failed that way."""
        while batch:
            batch = self._file(batch)

    def _file(self, batch: list[Job[Any]]) -> list[Job[Any]]:
        """One attempt at ``batch``: the jobs to file again (see ``commit_batch``).

        The jobs before the first that succeeds need no savepoint (two statements, two
        round trips on PostgreSQL): nothing is kept yet, so a failure rolls back the
        whole transaction. A lone report, the usual case at low load, has none."""
        self.batches += 1
        done: list[tuple[Job[Any], Any, BaseException | None]] = []
        again: list[Job[Any]] = []
        try:
            session = self.db.session(write=True)
            session.info[CHAIN_AT_COMMIT] = True  # the head is written once, at the commit
        except Exception as exc:
            for job in batch:
                if _begin(job):
                    job.future.set_exception(exc)
            return []
        try:
            kept = False  # a job's writes are in the transaction: later jobs need savepoints
            for job in batch:
                if not _begin(job):
                    continue  # its request went away before the job began
                try:
                    if kept:
                        with session.begin_nested():
                            result = job.work(session)
                    else:  # nothing to keep yet: a failure rolls back the transaction
                        result = job.work(session)
                except Exception as exc:  # the job's own answer: its 4xx or 500
                    if not kept:
                        session.rollback()
                    else:
                        transaction = session.get_transaction()
                        if transaction is None or not transaction.is_active:
                            raise  # the savepoint could not be undone: the batch is lost
                    if _retries(job, exc):
                        again.append(job)
                    else:
                        done.append((job, None, exc))
                else:
                    kept = True
                    done.append((job, result, None))
            session.commit()
        except BaseException as exc:
            _discard(session)
            begun = [job for job in batch if job.future.running()]
            retried = [job for job in begun if _retries(job, exc)]
            if len(retried) < len(begun):
                log.exception("an intake batch of %s reports failed; none was stored", len(batch))
            for job in begun:  # begun and not answered: nothing of it is stored
                if job not in retried:
                    job.future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return retried
        try:
            session.close()
        finally:  # committed: every answer goes out
            for job, result, error in done:
                if error is None:
                    job.future.set_result(result)
                else:
                    job.future.set_exception(error)
        return again


def _begin(job: Job[Any]) -> bool:
    """Whether ``job`` is to run: begun now, or begun in an earlier attempt and undone."""
    return job.future.running() or job.future.set_running_or_notify_cancel()


def _retries(job: Job[Any], exc: BaseException) -> bool:
    """Whether ``job``, undone by ``exc``, is filed again (and counts the try)."""
    if not _is_transient(exc) or job.tries >= RETRIES:
        return False
    job.tries += 1
    return True


def _is_transient(exc: BaseException) -> bool:
    """A deadlock or serialization failure, reported by the driver."""
    return isinstance(exc, DBAPIError) and (
        getattr(exc.orig, "sqlstate", None) in _TRANSIENT_STATES
    )


def threads_for(dialect: str) -> int:
    return 1 if dialect == "sqlite" else POSTGRESQL_THREADS


def _discard(session: Session) -> None:
    """Roll back and close a failed batch's session; a connection that cannot even do
    that is dropped by the pool. Never raises: the batch's futures must still be set."""
    try:
        session.rollback()
    except Exception:
        log.exception("rolling back a failed intake batch failed too")
    try:
        session.close()
    except Exception:
        log.exception("closing a failed intake batch's session failed")
