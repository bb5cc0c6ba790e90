"""Four months of deliberation in the demo district, made through the real services.

Three places, each with its own simulated clock stepping forward to ``now``:

- **A village** (头村社区, the demo district has no 村委会; else the first community):
  its standing bodies are seated (branch committee, residents' committee whose chair is
  the branch secretary — 一肩挑 —, supervision committee); one matter goes through all
  four deliberations and both disclosures to COMPLETED, one waits at the Party members'
  review convened for next week (一肩挑: proposal merged into the two committees'
  deliberation), one is rejected by the representatives' meeting, one waits for a
  villagers' meeting convened with ten days' notice. Routine disclosures: monthly
  finances, quarterly village affairs, one party-affairs notice left overdue so the
  sweep's reminder shows; a question and an objection, answered in public.
- **An international community** (the most foreign residents): discussions and
  proposals in Korean, English, Japanese, Portuguese, Spanish, Traditional and
  Simplified Chinese, each proposal answered (accepted → a governance action with
  milestones and updates; merged; not adopted), comments, a supervision comment, a spam
  proposal held for review and a reported comment hidden with its reason.
- **A representatives' election** (横琴's practice: Macau residents vote and stand), in
  the community of the demo's ``demo-secretary`` when it has Macau residents (so that
  account runs it and ``demo-unit`` clerks it), else where most Macau residents live:
  two constituencies (grids), 3 + 2 seats, eight nominees (a Macau resident among them,
  one refused at review: too young), a few hundred paper ballots recorded by the clerk
  over the voting window and one online vote by ``demo-resident`` (linked to a
  neighbour in the register), counted and published with its objection window still
  open at ``now``.

Nothing is inserted behind the services' backs except what no service makes: seats on
standing bodies (``BodyMember``) and the link of a resident's account to the register
(``User.resident_id``), each with its audit row. Accounts made for the people who act
get random passwords that are never shown. Deterministic for a seed.

The package: ``common`` (clock, tally, people, accounts), ``script`` (the engine that
plays a table of steps and its actions), ``village`` with ``village_script`` and
``disclosures``, ``international`` with ``international_posts``, ``election``.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from gridgov.audit.service import Actor
from gridgov.db import Database
from gridgov.deliberation import notices
from gridgov.demo.deliberation.common import DAYS, Clock, Counts, png
from gridgov.demo.deliberation.election import election
from gridgov.demo.deliberation.international import international
from gridgov.demo.deliberation.village import village

__all__ = ["DAYS", "png", "simulate"]


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    """Four months of deliberation ending at ``now``; returns counts of what was made."""
    clock = Clock(now, tz)
    counts = Counts()
    with db.transaction() as session:
        village_code = village(session, rng=rng, clock=clock, counts=counts)
    avoid = {village_code} if village_code else set()
    with db.transaction() as session:
        international_code = international(
            session, rng=rng, clock=clock, counts=counts, avoid=avoid
        )
    if international_code:
        avoid.add(international_code)
    with db.transaction() as session:
        election(session, rng=rng, clock=clock, counts=counts, avoid=avoid)
    with db.transaction() as session:
        swept = notices.sweep(session, now=now, actor=Actor.system("sweep"))
    counts.add("notices_closed", swept["closed"])
    counts.add("reminders", swept["reminders"])
    return dict(sorted(counts.values.items()))
