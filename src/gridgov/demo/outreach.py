"""Party members in the demo district's villages: contact groups, months of visits,
pledges with fulfilment, and a member pipeline with Shicha's numbers.

- **Contact groups** for every village-style community (a name with 村). In 头村社区
  the old village (老村片区: exactly 834 households, whole buildings nearest the
  village centre) is cut into 80 groups, Shicha's figures; the rest of 头村 and the
  other villages get groups of about ten households.
- **Visits** over the last four months: most households visited once or more by the
  member serving their group; some opinions became cases (through intake, linked).
- **Pledges**: each serving member posts one for the year; the branch approves most,
  a third are fulfilled with evidence; most members consent to the public board.
- **Pairings** (结对共建), Shantou's 1,091 scaled to the district: an organ branch for
  each of the district's departments, each paired with four or five communities,
  with agreements, monthly joint activities and two members each enrolled as
  part-time grid workers of a paired grid.
- **The pipeline** of 头村's party committee: 50 willing, 12 applications, 9 activists,
  2 new (probationary) members, 6 reserve cadres, every step dated by the statute.

Everything acts through the village's branch secretary (``demo-secretary-<code>``,
made by the deliberation demo, or made here). Visits are inserted in bulk.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.deliberation.rules import Tally
from gridgov.demo import staff as demo_staff
from gridgov.demo.bulk import insert_returning
from gridgov.outreach import pairing, pipeline, pledges
from gridgov.outreach import service as outreach
from gridgov.outreach.models import ContactGroup, ContactHousehold, Visit
from gridgov.outreach.rules import Stage, Step, VisitKind
from gridgov.registry import service as registry
from gridgov.registry.models import Organisation, Resident
from gridgov.territory.models import Region

SHICHA_VILLAGE = "头村社区"
SHICHA_HOUSEHOLDS = 834
SHICHA_GROUPS = 80
GROUP_SIZE = 10.4  # 834 / 80
VISIT_DAYS = 120
OPINIONS = (
    "村道路灯坏了，晚上出行不便",
    "希望村里增加老人活动场地",
    "下雨后巷子积水严重",
    "垃圾收运时间不固定，气味大",
    "孩子上学接送路段车速太快",
    "自来水水压偏低",
    "希望组织技能培训，方便就业",
    "邻居违规搭建影响通行",
)
PLEDGES = (
    ("每月走访联系户不少于一次", "全年走访记录不少于12次，问题一周内回复"),
    ("带头参与人居环境整治", "每月参加卫生清洁日，带动联系户参与"),
    ("帮扶一户困难家庭", "每季度上门一次，协助申请救助"),
    ("宣传防诈骗知识", "为联系户讲解一次，发放宣传资料"),
    ("参与合作社发展", "带动两户村民加入合作社"),
)
RESERVE_PLANS = (
    "轮岗村务监督委员会，参加党校培训班",
    "负责合作社财务，跟班学习村务管理",
    "担任网格员，参与矛盾调解",
)


def _old_village(places: list[registry.HouseholdPlace], target: int) -> list[int]:
    """Exactly ``target`` households in whole buildings, nearest the centre first."""
    buildings: dict[Any, list[registry.HouseholdPlace]] = defaultdict(list)
    for p in places:
        buildings[p.building_id if p.building_id is not None else f"h{p.id}"].append(p)
    cx = sum(p.lon for p in places) / len(places)
    cy = sum(p.lat for p in places) / len(places)
    ordered = sorted(buildings.values(), key=lambda b: (b[0].lon - cx) ** 2 + (b[0].lat - cy) ** 2)
    chosen: list[list[registry.HouseholdPlace]] = []
    total = 0
    index = 0
    while index < len(ordered) and total + len(ordered[index]) <= target:
        chosen.append(ordered[index])
        total += len(ordered[index])
        index += 1
    # Top up to the exact figure with a few of the next buildings (a small subset sum),
    # giving back the last building taken if the gap is too small to fill.
    rest = ordered[index:]
    while total < target:
        gap = target - total
        reach: dict[int, list[int]] = {0: []}
        for i, building in enumerate(rest[:80]):
            for got in sorted(reach, reverse=True):
                new = got + len(building)
                if new <= gap and new not in reach:
                    reach[new] = [*reach[got], i]
        if gap in reach:
            picked = reach[gap]
            chosen.extend(rest[i] for i in picked)
            total = target
            break
        if not chosen:
            break
        last = chosen.pop()
        total -= len(last)
        rest.insert(0, last)
    return [p.id for building in chosen for p in building]


def _schemes(
    session: Session, villages: list[Region], now: datetime
) -> list[tuple[int, Actor, str]]:
    made: list[tuple[int, Actor, str]] = []
    secretaries = demo_staff.community_secretaries(session, [v.code for v in villages], now)
    for village in villages:
        actor = secretaries[village.code]
        places = registry.household_places(session, region_code=village.code)
        if not places:
            continue
        parts: list[tuple[str, list[int]]]
        if village.name == SHICHA_VILLAGE and len(places) > SHICHA_HOUSEHOLDS:
            core = _old_village(places, SHICHA_HOUSEHOLDS)
            taken = set(core)
            parts = [
                ("老村片区", core),
                ("新村片区", [p.id for p in places if p.id not in taken]),
            ]
        else:
            parts = [("", [p.id for p in places])]
        for label, ids in parts:
            groups = (
                SHICHA_GROUPS
                if len(ids) == SHICHA_HOUSEHOLDS
                else max(1, round(len(ids) / GROUP_SIZE))
            )
            scheme, _ = outreach.do_create_scheme(
                session,
                actor=actor,
                region_code=village.code,
                name=f"{village.name}{label}党员联系户",
                groups=groups,
                households=ids,
                now=now,
            )
            made.append((scheme.id, actor, village.code))
    return made


def _visits(
    session: Session,
    rng: random.Random,
    schemes: list[tuple[int, Actor, str]],
    now: datetime,
    today: date,
) -> tuple[int, list[tuple[int, Actor]]]:
    """Bulk visits; returns how many, and a few with opinions to turn into cases."""
    rows: list[dict[str, Any]] = []
    grids = dict(
        session.execute(
            select(ContactHousehold.household_id, Region.code)
            .join(ContactGroup, ContactGroup.id == ContactHousehold.group_id)
            .join(Region, Region.code == ContactGroup.region_code)
        ).all()
    )
    opinions: list[tuple[int, Actor]] = []
    for scheme_id, actor, _code in schemes:
        members = session.execute(
            select(ContactHousehold.household_id, ContactGroup.id, ContactGroup.member_id)
            .join(ContactGroup, ContactGroup.id == ContactHousehold.group_id)
            .where(ContactHousehold.scheme_id == scheme_id)
            .order_by(ContactHousehold.household_id)
        ).all()
        places = {p.id: p.grid_code for p in registry.household_places(session, region_code=_code)}
        for household_id, group_id, member_id in members:
            if rng.random() > 0.8:
                continue  # not visited within the period: shows on the lists
            for _ in range(rng.choice((1, 1, 2, 3))):
                heard = rng.choice(OPINIONS) if rng.random() < 0.25 else ""
                rows.append(
                    {
                        "household_id": household_id,
                        "group_id": group_id,
                        "region_code": places.get(household_id, grids.get(household_id, _code)),
                        "visited_on": today - timedelta(days=rng.randint(0, VISIT_DAYS)),
                        "kind": rng.choice(
                            (VisitKind.HOME, VisitKind.HOME, VisitKind.PHONE, VisitKind.CHAT)
                        ).value,
                        "visitor_id": member_id,
                        "recorded_by": actor.username,
                        "heard": heard,
                        "outcome": "none",
                        "case_id": None,
                        "photo": None,
                        "photo_type": "",
                        "created_at": now,
                    }
                )
    ids = insert_returning(session, Visit, rows)
    actor_of_scheme = {s: a for s, a, _ in schemes}
    heard_ids = [
        (vid, row) for vid, row in zip(ids, rows, strict=True) if row["heard"] and row["group_id"]
    ]
    for vid, _row in rng.sample(heard_ids, min(15, len(heard_ids))):
        visit = session.get(Visit, vid)
        if visit is None:  # pragma: no cover - just inserted
            continue
        scheme_of = session.scalar(
            select(ContactGroup.scheme_id).where(ContactGroup.id == visit.group_id)
        )
        opinions.append((vid, actor_of_scheme.get(scheme_of or 0, schemes[0][1])))
    return len(rows), opinions


def _pledges(
    session: Session,
    rng: random.Random,
    schemes: list[tuple[int, Actor, str]],
    now: datetime,
    today: date,
) -> int:
    posted = 0
    for scheme_id, actor, _code in schemes:
        members = sorted(
            {
                m
                for m in session.scalars(
                    select(ContactGroup.member_id).where(ContactGroup.scheme_id == scheme_id)
                )
                if m is not None
            }
        )
        for member_id in members[:30]:
            title, deliverables = rng.choice(PLEDGES)
            pledge = pledges.do_post_pledge(
                session,
                actor=actor,
                member_id=member_id,
                year=today.year,
                title=title,
                deliverables=deliverables,
                public=rng.random() < 0.85,
                now=now,
            )
            posted += 1
            if rng.random() < 0.85:
                pledges.do_review_pledge(
                    session, actor=actor, pledge=pledge, approve=True, note="", now=now
                )
                if rng.random() < 0.4:
                    pledges.do_fulfil_pledge(
                        session,
                        actor=actor,
                        pledge=pledge,
                        evidence="走访台账、照片已存档",
                        on=today - timedelta(days=rng.randint(1, 60)),
                        today=today,
                        now=now,
                    )
    return posted


def _pipeline(
    session: Session, rng: random.Random, code: str, actor: Actor, now: datetime, today: date
) -> int:
    """Shicha's pipeline: 50 willing, 12 applications, 9 activists, 2 new members,
    6 reserve cadres."""
    branch = session.scalar(select(Organisation.id).where(Organisation.code == f"P{code}"))
    if branch is None:
        return 0
    people = session.execute(
        select(Resident.id, Resident.name)
        .where(Resident.grid_code.startswith(code), Resident.doc_type == "mainland_id")
        .order_by(Resident.id)
        .limit(400)
    ).all()
    picked = rng.sample(list(people), 50)

    def day(n: int) -> date:
        return today - timedelta(days=n)

    def add(index: int, since: int) -> Any:
        rid, name = picked[index]
        return pipeline.do_add_candidate(
            session,
            actor=actor,
            branch_id=branch,
            name=name,
            resident_id=rid,
            applied_on=day(since),
            today=today,
            now=now,
            willing_only=True,
        )

    def step(c: Any, what: Step, ago: int, **kw: Any) -> None:
        pipeline.do_record_step(
            session, actor=actor, candidate=c, step=what, on=day(ago), today=today, now=now, **kw
        )

    def promote(c: Any, ago: int) -> None:
        pipeline.do_promote(session, actor=actor, candidate=c, on=day(ago), today=today, now=now)

    candidates = []
    for i in range(50):
        candidates.append(add(i, 560 if i < 9 else (220 if i < 12 else rng.randint(10, 300))))
    for i in range(12):  # twelve applications
        c = candidates[i]
        applied = 520 if i < 2 else (400 if i < 9 else 90)
        step(c, Step.APPLICATION, applied)
        promote(c, applied)
        step(c, Step.TALK, applied - 10)
        if i < 9:  # nine activists
            promote(c, applied - 35)
            step(c, Step.TRAINING, applied - 100, hours=32)
    for c in candidates[:2]:  # two new members
        promote(c, 120)
        step(c, Step.POLITICAL_REVIEW, 90)
        step(c, Step.TRAINING, 80, hours=24)
        step(c, Step.BRANCH_VOTE, 60, tally=Tally(members=31, present=27, yes=26, no=1))
        promote(c, 55)
        assert c.stage == Stage.PROBATIONARY.value  # noqa: S101 - the demo's own invariant
    for c in candidates[:6]:
        pipeline.do_set_reserve(
            session, actor=actor, candidate=c, reserve=True, plan=rng.choice(RESERVE_PLANS), now=now
        )
    return len(candidates)


ACTIVITIES = (
    ("共建清洁家园", 3),
    ("政策宣讲进社区", 1),
    ("认领群众微心愿", 5),
    ("联合走访困难户", 2),
    ("共建平安巷道", 2),
)


def _pairings(session: Session, rng: random.Random, now: datetime, today: date) -> int:
    departments = session.execute(
        select(Organisation.id, Organisation.code, Organisation.name)
        .where(Organisation.kind == "department")
        .order_by(Organisation.code)
    ).all()
    communities = list(
        session.scalars(select(Region).where(Region.level == "community").order_by(Region.code))
    )
    if not departments or not communities:
        return 0
    rows = [
        {
            "code": f"P{code}",
            "name": f"{name}机关党支部",
            "kind": "party_branch",
            "parent_id": None,
            "region_code": "440512",
            "macau_funded": False,
            "credit_code": None,
            "note": "机关党支部",
        }
        for _, code, name in departments
    ]
    result = session.execute(
        insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True), rows
    )
    branches = [row[0] for row in result]
    actor = Actor(username="demo-admin", role="admin", scope="440512")
    made = 0
    for n, community in enumerate(communities):
        branch = branches[n % len(branches)]
        paired = pairing.do_pair(
            session,
            actor=actor,
            branch_id=branch,
            region_code=community.code,
            agreement="每月开展共建活动；党员到社区报到，认领网格；协调解决群众急难愁盼",
            signed_on=today - timedelta(days=rng.randint(150, 400)),
            today=today,
            now=now,
        )
        made += 1
        for month in range(4):
            title, solved = rng.choice(ACTIVITIES)
            pairing.do_record_activity(
                session,
                actor=actor,
                pairing=paired,
                held_on=today - timedelta(days=30 * month + rng.randint(0, 20)),
                title=title,
                participants=rng.randint(8, 40),
                problems_solved=rng.randint(0, solved),
                today=today,
                now=now,
            )
        grids = list(
            session.scalars(
                select(Region.code)
                .where(Region.parent_code == community.code)
                .order_by(Region.code)
                .limit(2)
            )
        )
        people = list(
            session.scalars(
                select(Resident.id)
                .where(Resident.grid_code.startswith("440512"), Resident.doc_type == "mainland_id")
                .order_by(Resident.id)
                .offset(rng.randint(0, 50_000))
                .limit(len(grids))
            )
        )
        for grid, resident in zip(grids, people, strict=False):
            pairing.do_enrol_worker(
                session,
                actor=actor,
                pairing=paired,
                resident_id=resident,
                grid_code=grid,
                since=today - timedelta(days=rng.randint(30, 120)),
                now=now,
            )
    return made


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    today = local_today(now, tz)
    counts: dict[str, int] = {}
    with db.transaction() as session:
        villages = list(
            session.scalars(
                select(Region)
                .where(Region.level == "community", Region.name.contains("村"))
                .order_by(Region.code)
            )
        )
        if not villages:
            first = session.scalar(
                select(Region).where(Region.level == "community").order_by(Region.code)
            )
            villages = [first] if first is not None else []
        schemes = _schemes(session, villages, now)
        counts["contact_schemes"] = len(schemes)
        if not schemes:
            return counts
        counts["visits"], opinions = _visits(session, rng, schemes, now, today)
        counts["pledges"] = _pledges(session, rng, schemes, now, today)
        shicha = next((v for v in villages if v.name == SHICHA_VILLAGE), villages[0])
        actor = next(a for _, a, code in schemes if code == shicha.code)
        counts["pipeline"] = _pipeline(session, rng, shicha.code, actor, now, today)
        counts["pairings"] = _pairings(session, rng, now, today)
    for visit_id, actor in opinions:  # each opinion its own intake, as a worker would
        with db.transaction() as session:
            visit = outreach.get_visit(session, visit_id=visit_id, viewer=actor)
            outreach.do_visit_to_case(session, actor=actor, visit=visit, now=now, tz=tz.key)
    counts["visit_cases"] = len(opinions)
    return counts
