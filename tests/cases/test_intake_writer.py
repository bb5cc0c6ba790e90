"""The intake writer's group commit on both engines: reports that arrive together are
filed in one transaction, each in its own savepoint, and answered after the commit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from gridgov.audit import service as audit
from gridgov.audit.models import AuditEvent
from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.intake_writer import IntakeWriter, Job
from gridgov.cases.models import Case
from gridgov.cases.rules import Channel
from gridgov.db import Database, create_db_engine
from gridgov.errors import InvalidInput, TooManyRequests
from gridgov.guard.models import RateHit
from gridgov.guard.rules import Write
from gridgov.guard.service import check_rate
from tests.cases.factories import IN_GRID_1
from tests.conftest import FIXED_NOW

WAIT = 120  # seconds a test waits for a future at most: a hang fails, it is not a timing


@pytest.fixture
def writer(db: Database) -> Iterator[IntakeWriter]:
    """One thread (SQLite's number; PostgreSQL's app has a few): the order of the
    batches is the test's to know."""
    intake_writer = IntakeWriter(db, threads=1)
    yield intake_writer
    intake_writer.stop(WAIT)


@pytest.fixture
def other(db: Database) -> Iterator[IntakeWriter]:
    """A second instance's writer: its own engine and thread on the same database."""
    other_db = Database(
        url=db.url,
        engine=create_db_engine(db.url),
        audit_key=db.audit_key,
        field_cipher=db.field_cipher,
    )
    other_writer = IntakeWriter(other_db, threads=1)
    yield other_writer
    other_writer.stop(WAIT)
    other_db.dispose()


def filing(
    text: str, *, key: str | None = None, phone: str = "13812345678"
) -> Callable[[Session], tuple[int, bool]]:
    """A job filing one web report; it answers the case's id and whether it is new."""

    def work(session: Session) -> tuple[int, bool]:
        intake = cases.do_intake(
            session,
            actor=Actor.anonymous(ip="198.51.100.7"),
            value=cases.IntakeInput(
                description=text,
                channel=Channel.WEB,
                lon=IN_GRID_1[0],
                lat=IN_GRID_1[1],
                reporter_phone=phone,
                idempotency_key=key,
                source="form:198.51.100.7",
            ),
            now=FIXED_NOW,
        )
        return intake.case.id, intake.created

    return work


def job(work: Callable[[Session], Any]) -> Job[Any]:
    return Job(work)


def chain_holds(db: Database) -> bool:
    with db.session() as session:
        return audit.verify(session).ok


def stored_cases(db: Database) -> list[str]:
    with db.session() as session:
        return list(session.scalars(select(Case.description).order_by(Case.id)))


class Gate:
    """A job that holds the writer's thread until the test opens it: what the test
    queues meanwhile waits, as reports do behind a batch being filed."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.opened = threading.Event()

    def work(self, session: Session) -> str:
        self.entered.set()
        self.opened.wait(WAIT)
        return "gate"

    def hold(
        self, writer: IntakeWriter, work: Callable[[Session], Any] | None = None
    ) -> Future[Any]:
        """Submit ``work`` (the gate itself by default) and wait until the writer's thread
        is held inside it."""
        held = writer.submit(work or self.work)
        assert self.entered.wait(WAIT)
        return held


def test_reports_queued_while_a_batch_is_filed_go_in_the_next_batch_together(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given the writer busy with a first job
    gate = Gate()
    first = gate.hold(writer)
    # When three reports arrive meanwhile and the first job ends
    texts = ["路灯坏了好几天晚上很黑", "井盖松动了很危险", "楼道里堆满了杂物"]
    queued = [writer.submit(filing(text)) for text in texts]
    gate.opened.set()
    # Then they are filed in one second batch, in the order they came, all new
    ids = [future.result(WAIT)[0] for future in queued]
    assert first.result(WAIT) == "gate"
    assert writer.batches == 2
    assert ids == sorted(ids)
    assert all(future.result(WAIT)[1] for future in queued)
    assert stored_cases(db) == texts


def test_a_batch_writes_the_audit_head_as_often_as_a_single_report_does(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given the statements that write the audit chain's head, counted per batch
    head_writes: list[str] = []

    def count(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if "audit_head" in statement and not statement.lstrip().upper().startswith("SELECT"):
            head_writes.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        # When one report is filed alone, then three in one batch
        alone = job(filing("楼道里堆满了杂物"))
        writer.commit_batch([alone])
        for_one = len(head_writes)
        head_writes.clear()
        jobs = [job(filing(text)) for text in ("路灯坏了好几天", "井盖松动了", "垃圾没人清理")]
        writer.commit_batch(jobs)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # Then the three reports' audit rows moved the head with the statements one report
    # needs (chained once, at the commit), and the chain verifies
    assert alone.future.result(WAIT)[1]
    assert [j.future.result(WAIT)[1] for j in jobs] == [True, True, True]
    assert len(head_writes) == for_one
    with db.session() as session:
        submitted = select(func.count()).where(AuditEvent.action == "case.submitted")
        assert session.scalar(submitted) == 4
        assert audit.verify(session).ok


def test_a_failing_report_rolls_back_alone(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given a batch: a report that breaks after writing its case and rate hit (first:
    # it runs before any savepoint is needed), a good one, a refused one and another
    # that breaks (each in its savepoint), and a last good one
    def breaks(session: Session) -> None:
        check_rate(session, write=Write.REPORT, source="user:999", now=FIXED_NOW)
        filing("这条会在写入后出错")(session)
        raise RuntimeError("the answer could not be built")

    jobs = [
        job(breaks),
        job(filing("路灯坏了好几天晚上很黑")),
        job(filing("短")),
        job(breaks),
        job(filing("井盖松动了很危险")),
    ]
    # When the batch is filed
    writer.commit_batch(jobs)
    # Then each failing job has its own error and nothing of it is stored; the others are
    assert isinstance(jobs[0].future.exception(WAIT), RuntimeError)
    assert isinstance(jobs[2].future.exception(WAIT), InvalidInput)
    assert isinstance(jobs[3].future.exception(WAIT), RuntimeError)
    assert jobs[1].future.result(WAIT)[1]
    assert jobs[4].future.result(WAIT)[1]
    assert stored_cases(db) == ["路灯坏了好几天晚上很黑", "井盖松动了很危险"]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(RateHit)) == 0
        assert audit.verify(session).ok


def test_a_failed_commit_fails_every_report_of_the_batch(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given a batch whose commit will fail (the disk refuses it, say)
    def refuse(session: Session) -> None:
        if not session.in_nested_transaction():  # the batch's commit, not a savepoint's
            raise OSError("no space left on device")

    def arms_the_failure(session: Session) -> str:
        event.listen(session, "before_commit", refuse)
        return "armed"

    jobs = [job(filing("路灯坏了好几天晚上很黑")), job(arms_the_failure), job(filing("井盖松动"))]
    # When it is filed
    writer.commit_batch(jobs)
    # Then every job gets the commit's error, none is answered as filed, nothing is stored
    assert all(isinstance(j.future.exception(WAIT), OSError) for j in jobs)
    assert stored_cases(db) == []
    # And the writer files the next batch as usual
    again = writer.submit(filing("楼道里堆满了杂物"))
    assert again.result(WAIT)[1]
    assert stored_cases(db) == ["楼道里堆满了杂物"]


def test_a_later_report_sees_what_an_earlier_one_wrote_in_the_same_batch(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given one batch: a keyed report, its retry, and six rate-limited reports of one
    # account (five are allowed in ten minutes)
    def limited(n: int) -> Callable[[Session], tuple[int, bool]]:
        def work(session: Session) -> tuple[int, bool]:
            check_rate(session, write=Write.REPORT, source="user:41", now=FIXED_NOW)
            return filing(f"小区门口垃圾堆了三天，第{n}次反映")(session)

        return work

    keyed = job(filing("路灯坏了好几天晚上很黑", key="web-4d1e-retry-0001"))
    retry = job(filing("路灯坏了好几天晚上很黑", key="web-4d1e-retry-0001"))
    rated = [job(limited(n)) for n in range(6)]
    # When it is filed
    writer.commit_batch([keyed, retry, *rated])
    # Then the retry found the first case, and the sixth report was refused
    first_id, created = keyed.future.result(WAIT)
    assert created
    assert retry.future.result(WAIT) == (first_id, False)
    assert all(j.future.result(WAIT)[1] for j in rated[:5])
    assert isinstance(rated[5].future.exception(WAIT), TooManyRequests)
    assert len(stored_cases(db)) == 6


def test_stopping_files_the_reports_still_queued(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given the writer busy and two reports queued behind it
    gate = Gate()
    gate.hold(writer)
    queued: list[Future[tuple[int, bool]]] = [
        writer.submit(filing(text)) for text in ("路灯坏了好几天晚上很黑", "井盖松动了很危险")
    ]
    # When the app stops (the stop is queued behind them) and the first job ends
    writer.stop(timeout=0)
    gate.opened.set()
    writer.stop(WAIT)
    # Then both were filed before the thread ended
    assert all(future.result(0)[1] for future in queued)
    assert stored_cases(db) == ["路灯坏了好几天晚上很黑", "井盖松动了很危险"]


def test_two_instances_file_one_keyed_report_once(
    db: Database, people: dict[str, Actor], writer: IntakeWriter, other: IntakeWriter
) -> None:
    # Given a second instance's writer on the same database, and the first instance
    # holding its batch open after filing a keyed report
    gate = Gate()
    key = "web-9a7c-two-instances"

    def files_then_holds(session: Session) -> tuple[int, bool]:
        filed = filing("路灯坏了好几天晚上很黑", key=key)(session)
        gate.work(session)
        return filed

    first = gate.hold(writer, files_then_holds)
    # When the second instance files the same report (a retry through the other
    # instance) while the first has not committed, and the first then commits
    again = other.submit(filing("路灯坏了好几天晚上很黑", key=key))
    gate.opened.set()
    # Then there is one case, and both answers name it
    case_id, created = first.result(WAIT)
    assert created
    assert again.result(WAIT) == (case_id, False)
    assert stored_cases(db) == ["路灯坏了好几天晚上很黑"]
    assert chain_holds(db)


def test_several_threads_file_every_report_once(db: Database, people: dict[str, Actor]) -> None:
    # Given a writer of four threads (PostgreSQL's number), each with its own batches
    several = IntakeWriter(db, threads=4)
    assert IntakeWriter(db).threads == (1 if db.dialect == "sqlite" else 4)
    texts = [f"第{n}处路面垃圾堆积，请尽快清理" for n in range(12)]
    try:
        # When twelve reports arrive at once, two of them a retry of one keyed report
        futures = [several.submit(filing(text)) for text in texts]
        keyed = [several.submit(filing("井盖松动了很危险", key="app-5e2b-twice")) for _ in range(2)]
        answers = [future.result(WAIT) for future in futures]
        retries = [future.result(WAIT) for future in keyed]
    finally:
        several.stop(WAIT)
    # Then each is filed once, the keyed one once, and the audit chain holds
    assert all(created for _, created in answers)
    assert sorted(created for _, created in retries) == [False, True]
    assert retries[0][0] == retries[1][0]
    assert sorted(stored_cases(db)) == sorted([*texts, "井盖松动了很危险"])
    assert chain_holds(db)


def test_reports_undone_by_a_deadlock_between_instances_are_filed_again(
    db: Database, people: dict[str, Actor], writer: IntakeWriter, other: IntakeWriter
) -> None:
    # Given two instances whose batches each file one keyed report and then, both at
    # once, a retry of the other's: each waits for a key the other has not committed
    # (SQLite has one writer at a time, so only PostgreSQL can cross them)
    if db.dialect == "sqlite":
        pytest.skip("SQLite takes its write lock per batch: two batches never cross")
    both_filed = threading.Barrier(2, timeout=WAIT)

    def after_both(work: Callable[[Session], tuple[int, bool]]) -> Job[Any]:
        waited: list[bool] = []

        def crossing(session: Session) -> tuple[int, bool]:
            if not waited:  # a job filed again does not wait a second time
                waited.append(True)
                both_filed.wait()
            return work(session)

        return job(crossing)

    lamp, cover = "路灯坏了好几天晚上很黑", "井盖松动了很危险"
    first = [
        job(filing(lamp, key="web-1f0c-lamp")),
        after_both(filing(cover, key="app-77d1-cover")),
    ]
    second = [
        job(filing(cover, key="app-77d1-cover")),
        after_both(filing(lamp, key="web-1f0c-lamp")),
    ]
    # When both batches run at once (PostgreSQL undoes one of the crossed statements)
    threads = [
        threading.Thread(target=writer.commit_batch, args=(first,)),
        threading.Thread(target=other.commit_batch, args=(second,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT)
    answers = [[j.future.result(WAIT) for j in batch] for batch in (first, second)]
    # Then no report fails: each is filed once and both retries name the first case
    (lamp_id, lamp_new), (cover_again, cover_again_new) = answers[0]
    (cover_id, cover_new), (lamp_again, lamp_again_new) = answers[1]
    assert (lamp_new, cover_new, cover_again_new, lamp_again_new) == (True, True, False, False)
    assert (cover_again, lamp_again) == (cover_id, lamp_id)
    assert sorted(stored_cases(db)) == sorted([lamp, cover])
    assert sum(j.tries for j in first + second) >= 1  # the deadlock did happen
    assert chain_holds(db)


def test_stopping_gives_up_on_a_writer_that_does_not_finish(
    db: Database, people: dict[str, Actor], writer: IntakeWriter
) -> None:
    # Given a writer whose thread is held inside a batch (a database that stopped
    # answering, say)
    gate = Gate()
    held = gate.hold(writer)
    # When the app stops it with a timeout, then when the batch finishes after all
    ended = writer.stop(0.2)
    gate.opened.set()
    # Then the stop returned unfinished instead of waiting, and the held job still ends
    assert ended is False
    assert held.result(WAIT) == "gate"
    assert writer.stop(WAIT) is True
