"""The demo's indicators: reviewers score the party organisations' manual items month
by month (a second reviewer confirms most of them), then both shipped trees are computed
for every month the simulated cases cover, oldest first, so rankings show movement."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.indicators import service
from gridgov.indicators.rules import Method, PeriodKind, period_containing
from gridgov.registry.models import Organisation

SCORER = Actor(username="demo-leader", role="leader", scope="440512")
CONFIRMER = Actor(username="demo-auditor", role="auditor", scope="440512")
EVIDENCE = {
    "study": "支部委员会会议记录、党员大会签到表、党课讲稿（{month}）",
    "disclosure": "党务公开栏照片及公开清单（{month}）",
}


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo, days: int) -> int:
    """Assess and compute the months of the last ``days``; returns snapshots computed."""
    first = (now - timedelta(days=days)).astimezone(tz).date()
    months = []
    period = period_containing(PeriodKind.MONTH, now.astimezone(tz).date())
    while period.last >= first:
        months.append(period)
        period = period.previous()
    months.reverse()
    with db.transaction() as session:
        service.ensure_shipped(session, now=now)
        _row, tree = service.get_tree(session, "org_strength")
        manual = [leaf for leaf in tree.leaves() if leaf.method is Method.MANUAL]
        kinds = tree.party_kinds
        units = list(
            session.scalars(
                select(Organisation.code)
                .where(Organisation.kind.in_(kinds))
                .order_by(Organisation.code)
            )
        )
        computed = 0
        for month in months:
            # Reviewers score during the month's settle window: at its end.
            moment = min(now, month.bounds(tz)[1] + timedelta(days=2))
            for unit in units:
                for leaf in manual:
                    if rng.random() < 0.15:
                        continue  # not assessed yet
                    row = service.do_score(
                        session,
                        actor=SCORER,
                        tree_key="org_strength",
                        indicator_id=leaf.id,
                        period=month.key,
                        unit=unit,
                        points=round(leaf.weight * rng.choice((0.6, 0.8, 0.9, 1.0)), 1),
                        evidence=EVIDENCE.get(leaf.id, leaf.evidence).format(month=month.key),
                        now=moment,
                    )
                    if rng.random() < 0.9:
                        service.do_review(
                            session,
                            actor=CONFIRMER,
                            assessment_id=row.id,
                            confirm=True,
                            note="",
                            now=moment,
                        )
            counts = service.Counts()  # both trees share one pass over the cases
            for key in service.SHIPPED:
                service.compute(
                    session,
                    key=key,
                    period=month.key,
                    now=now,
                    actor=Actor.system("demo"),
                    tz=tz,
                    counts=counts,
                )
                computed += 1
    return computed
