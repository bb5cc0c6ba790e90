"""Months of simulated cases for the demo district, made through the real workflow.

Every case goes through ``gridgov.cases.service`` with its own simulated clock: intake
on every channel, routing, reporting in (some late, escalated by the sweep's rule),
work, resolution, verification (some sent back), closing, rating, a few returns,
suspensions and contests, spam held for review. Texts come from the classifier's
labelled set, so each report reads like what residents write. Deterministic for a seed.
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.cases import service as cases
from gridgov.cases.models import Case
from gridgov.cases.rules import Channel, Level, Rating, Route, State
from gridgov.db import Database
from gridgov.demo import staff as demo_staff
from gridgov.errors import DomainError
from gridgov.registry.models import Building

Progress = Callable[[str, int, int], None]
CHANNELS = (
    (Channel.WEB, 30),
    (Channel.CHAT, 25),
    (Channel.HOTLINE, 20),
    (Channel.STAFF, 15),
    (Channel.OPEN311, 5),
    (Channel.API, 5),
)
SPAM = (
    "加微信领红包 http://hb.example.com 加微信领红包 加微信领红包 加微信领红包 加微信领红包",
    "代开发票代开发票代开发票 www.fapiao.example.cn 代开发票代开发票",
    # Keyword runs with no link, as they hit Chinese public forms: held all the same.
    "澳门新葡京 百家乐 真人视讯 娱乐城 注册送彩金 美女荷官 日赚千元",
    "无抵押贷款 当天放款 黑户可贷 不看征信 秒批 加V：dk8866",
)
FOREIGN_SHARE = 0.03  # reports written by foreign residents, in their languages
# Each step through the account whose job it is (demo/staff.py): the dispatcher
# dispatches, the grid's worker or the unit's staff handle, the community checks.
DISPATCHER = demo_staff.DISPATCHER
LEADER = Actor(username="demo-leader", role="leader", scope="440512")


def labelled_texts(name: str = "labelled.csv") -> dict[str, list[str]]:
    text = resources.files("gridgov.cases").joinpath("data", name).read_text("utf-8")
    by_category: dict[str, list[str]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(text)):
        by_category[row["category"]].append(row["text"])
    return by_category


DAYS = 120  # the simulated months: the cases of the last 120 days


def simulate(
    db: Database,
    *,
    rng: random.Random,
    now: datetime,
    count: int = 1000,
    days: int = DAYS,
    progress: Progress | None = None,
) -> int:
    """Make ``count`` cases spread over the last ``days``; returns how many were made."""
    texts = labelled_texts()
    foreign = labelled_texts("labelled_multilingual.csv")
    with db.session() as session:
        leaves = [c.code for c in cases.list_categories(session) if texts.get(c.code)]
        buildings = session.execute(select(Building.lon, Building.lat, Building.address)).all()
        people = demo_staff.People.load(session)
    weights = [w for _, w in CHANNELS]
    made = 0
    starts = sorted(now - timedelta(days=rng.uniform(0, days)) for _ in range(count))
    for n, start in enumerate(starts):
        channel = rng.choices([c for c, _ in CHANNELS], weights)[0]
        category = rng.choice(leaves)
        lon, lat, address = rng.choice(buildings)
        spam = rng.random() < 0.004
        words = foreign if rng.random() < FOREIGN_SHARE and foreign.get(category) else texts
        value = cases.IntakeInput(
            description=rng.choice(SPAM) if spam else rng.choice(words[category]),
            channel=channel,
            category_code=None
            if channel in (Channel.CHAT, Channel.WEB) and rng.random() < 0.5
            else category,
            lon=lon + rng.uniform(-0.0002, 0.0002),
            lat=lat + rng.uniform(-0.0002, 0.0002),
            address=address,
            reporter_name="" if rng.random() < 0.2 else "居民",
            reporter_phone=f"13{rng.randint(5, 9)}{rng.randrange(10**8):08d}",
            anonymous=rng.random() < 0.1,
            source=f"demo:{channel.value}",
            idempotency_key=f"demo-{n:06d}",
        )
        try:
            with db.transaction() as session:
                case = cases.do_intake(session, actor=DISPATCHER, value=value, now=start).case
                _live(session, case, rng, start, now, people)
            made += 1
        except DomainError:
            continue
        if progress and (n % 50 == 0 or n == count - 1):
            progress("cases", n + 1, count)
    return made


def _live(
    session: Session,
    case: Case,
    rng: random.Random,
    start: datetime,
    now: datetime,
    people: demo_staff.People,
) -> None:
    """Play the case's life forward from ``start`` while the simulated clock is before now."""
    clock = start

    def act(command: Callable[..., object], actor: Actor, at: datetime, /, **kwargs: Any) -> None:
        """A step of the case's life, by ``actor`` at ``at``."""
        command(session, actor=actor, case=case, now=at, **kwargs)

    def step(hours: float) -> datetime | None:
        nonlocal clock
        clock = clock + timedelta(hours=hours)
        return clock if clock < now else None

    if case.spam_suspected:
        return
    if State(case.state) is State.SUBMITTED:
        if (at := step(rng.uniform(0.2, 6))) is None:
            return
        act(
            cases.do_accept,
            DISPATCHER,
            at,
            category_code=case.category_code or case.suggested_category,
        )
        act(cases.do_assign, DISPATCHER, at)
    if rng.random() < 0.02 and (at := step(rng.uniform(1, 8))) is not None:
        act(cases.do_return, people.handler(case), at, reason="不属于本单位职责")
        if (at := step(rng.uniform(1, 4))) is None:
            return
        act(cases.do_assign, DISPATCHER, at, route=Route(Level.STREET, None, "dispatcher"))
    late = rng.random() < 0.08
    due = case.response_due_at or clock
    if late:
        if due >= now:
            return
        clock = due + timedelta(minutes=5)
        cases.escalate_one(
            session, case, Actor.system("sweep"), clock, "not acknowledged in time", "Asia/Shanghai"
        )
    elif rng.random() < 0.06 and (at := step(rng.uniform(0.5, 6))) is not None:
        act(cases.do_escalate, people.handler(case), at, reason="涉及多个单位，需上级协调")
    if (at := step(rng.uniform(0.3, 20))) is None:
        return
    act(cases.do_acknowledge, people.handler(case), at)
    if (at := step(rng.uniform(0.5, 24))) is None:
        return
    act(cases.do_start, people.handler(case), at)
    if rng.random() < 0.01:
        act(cases.do_request_suspension, people.handler(case), at, reason="需等待产权方确认")
        act(cases.do_approve_suspension, LEADER, at)
        return
    slow = rng.random() < 0.12
    if (at := step(rng.uniform(24, 400) if slow else rng.uniform(2, 100))) is None:
        return
    act(cases.do_resolve, people.handler(case), at, note="已现场处理完毕")
    if rng.random() < 0.09:
        if (at := step(rng.uniform(1, 24))) is None:
            return
        act(cases.do_verify, people.checker(case), at, passed=False, note="现场复核未整改到位")
        if (at := step(rng.uniform(4, 48))) is None:
            return
        act(cases.do_resolve, people.handler(case), at, note="已重新整改")
    if (at := step(rng.uniform(1, 24))) is None:
        return
    act(cases.do_verify, people.checker(case), at, passed=True, note="社区现场核查")
    if rng.random() < 0.72 and (at := step(rng.uniform(1, 72))) is not None:
        rating = rng.choices(list(Rating), weights=(80, 15, 5))[0]
        cases.do_rate(session, case=case, rating=rating, now=at)
        if rating is Rating.DISSATISFIED and rng.random() < 0.5 and (at := step(2)) is not None:
            cases.do_contest(session, case=case, reason="问题没有彻底解决", now=at)
