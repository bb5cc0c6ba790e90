"""Volunteers in the demo district: a team for each community made of the register's
volunteers, and an international team (Xiamen's practice in communities with foreign
residents) in the community with the most foreign residents, its foreign residents
with a few local volunteers; four months of fortnightly Saturday activities with
sign-ups, check-ins and check-outs, one activity ahead open for sign-up, and a
certificate for the international team's most active volunteer.

Teams are made through ``do_create_team`` acting as the community's branch secretary
(the organiser whose job it is); members, activities and attendance are inserted in
bulk with one audit row per team, as the outreach demo does with visits.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gridgov.audit.service import Actor, record
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.demo import staff as demo_staff
from gridgov.demo.bulk import insert_rows
from gridgov.outreach import rules
from gridgov.outreach import volunteers as service
from gridgov.outreach.models import VolunteerActivity, VolunteerMember, VolunteerSignup
from gridgov.registry.models import PersonRoleRow, Resident
from gridgov.registry.rules import PersonRole, Tag
from gridgov.territory.models import Region

WEEKS = 17  # about four months of Saturdays, every other one
ACTIVITIES = (
    ("敬老院陪伴", "社区养老服务站"),
    ("垃圾分类督导", "小区垃圾分类投放点"),
    ("河道清洁", "濠江河堤"),
    ("反诈宣传", "社区广场"),
    ("义务理发", "社区党群服务中心"),
    ("图书整理", "社区图书室"),
    ("文明交通劝导", "路口岗亭"),
)
INTERNATIONAL = (
    ("涉外社区清洁日", "社区公园"),
    ("中外邻里包饺子", "社区党群服务中心"),
    ("外籍居民政策咨询", "涉外服务站"),
    ("国际友人英语角", "社区图书室"),
)
INTERNATIONAL_FOREIGNERS = 10
INTERNATIONAL_LOCALS = 4


def _saturday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 5) % 7)


def _volunteers(session: Session) -> dict[str, list[int]]:
    """The register's volunteers by community (a role's region may be a grid)."""
    found: dict[str, list[int]] = defaultdict(list)
    for rid, code in session.execute(
        select(PersonRoleRow.resident_id, PersonRoleRow.region_code)
        .where(PersonRoleRow.role == PersonRole.VOLUNTEER.value)
        .order_by(PersonRoleRow.resident_id)
    ):
        found[code[:12]].append(rid)
    return {code: sorted(set(ids)) for code, ids in found.items()}


def _foreigners(session: Session) -> tuple[str | None, list[int]]:
    """The community with the most adult foreign residents, and them."""
    rows = session.execute(
        select(Resident.id, Resident.grid_code)
        .where(Resident.tags.contains(Tag.FOREIGN_RESIDENT.value), Resident.nationality != "CHN")
        .order_by(Resident.id)
    ).all()
    by_community: dict[str, list[int]] = defaultdict(list)
    for rid, grid in rows:
        by_community[grid[:12]].append(rid)
    if not by_community:
        return None, []
    code = max(sorted(by_community), key=lambda c: len(by_community[c]))
    return code, by_community[code]


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    today = local_today(now, tz)
    counts = {"teams": 0, "members": 0, "activities": 0, "signups": 0, "certificates": 0}
    with db.transaction() as session:
        communities = list(
            session.scalars(select(Region).where(Region.level == "community").order_by(Region.code))
        )
        volunteers = _volunteers(session)
        intl_code, foreigners = _foreigners(session)
        secretaries = demo_staff.community_secretaries(session, [c.code for c in communities], now)
        teams: list[tuple[int, str, bool, list[int], Actor]] = []
        role_rows: list[dict[str, Any]] = []

        def add_team(
            community: Region, actor: Actor, name: str, international: bool, members: list[int]
        ) -> None:
            team = service.do_create_team(
                session,
                actor=actor,
                region_code=community.code,
                name=f"{community.name}{name}",
                international=international,
                leader_id=None,
                today=today,
                now=now,
            )
            teams.append((team.id, community.code, international, members, actor))

        for community in communities:
            actor = secretaries[community.code]
            local = volunteers.get(community.code, [])
            if len(local) >= 2:
                add_team(community, actor, "志愿服务队", False, local)
            if community.code == intl_code and foreigners:
                picked = rng.sample(foreigners, min(INTERNATIONAL_FOREIGNERS, len(foreigners)))
                helpers = rng.sample(local, min(INTERNATIONAL_LOCALS, len(local)))
                add_team(community, actor, "国际志愿服务队", True, sorted(picked) + helpers)
                since = today - timedelta(days=7 * WEEKS + 14)
                role_rows.extend(
                    {
                        "resident_id": rid,
                        "role": PersonRole.VOLUNTEER.value,
                        "region_code": community.code,
                        "organisation_id": None,
                        "full_time": False,
                        "since": since,
                    }
                    for rid in picked
                    if rid not in set(local)
                )
        insert_rows(session, PersonRoleRow, role_rows)
        member_rows = [
            {"team_id": tid, "resident_id": rid, "since": today - timedelta(days=7 * WEEKS + 14)}
            for tid, _code, _intl, members, _actor in teams
            for rid in members
        ]
        counts["members"] = insert_rows(session, VolunteerMember, member_rows)
        counts["teams"] = len(teams)
        # Leaders: the first local volunteer of each team (a local helps foreign residents
        # through the paperwork), through the service so the change is audited.
        for tid, _code, intl, members, actor in teams:
            team = service.get_team(session, team_id=tid, acting=service.Acting(actor))
            leader = members[-1] if intl else members[0]
            service.do_set_leader(session, actor=actor, team=team, resident_id=leader, now=now)
        counts.update(_activities(session, rng, teams, now, today, tz))
        counts["certificates"] = _certificate(session, teams, now, today, tz)
    return counts


def _activities(
    session: Session,
    rng: random.Random,
    teams: list[tuple[int, str, bool, list[int], Actor]],
    now: datetime,
    today: date,
    tz: ZoneInfo,
) -> dict[str, int]:
    last = _saturday_on_or_before(today - timedelta(days=1))
    saturdays = [last - timedelta(weeks=w) for w in range(0, WEEKS, 2)]
    upcoming = last + timedelta(weeks=1)
    plans: list[tuple[dict[str, Any], list[int], bool]] = []
    for index, (tid, code, intl, members, actor) in enumerate(teams):
        choices = INTERNATIONAL if intl else ACTIVITIES
        for n, day in enumerate([*sorted(saturdays), upcoming]):
            title, place = choices[(index + n) % len(choices)]
            start_hour = 9 if (index + n) % 3 else 15
            starts = datetime.combine(day, time(start_hour, 0), tzinfo=tz)
            ends = starts + timedelta(hours=2, minutes=30)
            capacity = rng.randint(6, 15)
            row: dict[str, Any] = {
                "team_id": tid,
                "region_code": code,
                "title": title,
                "place": place,
                "starts_at": starts,
                "ends_at": ends,
                "capacity": capacity,
                "credit_minutes": 120,
                "created_by": actor.username,
                "created_at": starts - timedelta(days=rng.randint(5, 12)),
            }
            plans.append((row, members, day == upcoming))
    ids = list(
        session.scalars(
            insert(VolunteerActivity).returning(VolunteerActivity.id, sort_by_parameter_order=True),
            [row for row, _members, _ahead in plans],
        )
    )
    signups: list[dict[str, Any]] = []
    by_team = {tid: actor for tid, _code, _intl, _members, actor in teams}
    for activity_id, (row, members, ahead) in zip(ids, plans, strict=True):
        actor = by_team[row["team_id"]]
        wanted = rng.randint(min(3, len(members)), min(row["capacity"], len(members)))
        if ahead:
            wanted = min(wanted, max(1, row["capacity"] // 2))
        for rid in rng.sample(members, wanted):
            signed = row["starts_at"] - timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 8))
            arrived = left = None
            minutes = 0
            if not ahead and rng.random() < 0.9:  # one in ten does not come
                arrived = row["starts_at"] + timedelta(minutes=rng.choice((-10, 0, 0, 5, 15, 30)))
                left = row["ends_at"] + timedelta(minutes=rng.choice((-45, -20, 0, 0, 10)))
                minutes = rules.credited_minutes(arrived, left, row["credit_minutes"])
            signups.append(
                {
                    "activity_id": activity_id,
                    "resident_id": rid,
                    "signed_up_by": actor.username,
                    "signed_up_at": min(signed, now),
                    "checked_in_at": arrived,
                    "checked_out_at": left,
                    "minutes": minutes,
                    "recorded_by": actor.username if arrived else None,
                }
            )
    insert_rows(session, VolunteerSignup, signups)
    made: dict[int, int] = defaultdict(int)
    for row, _members, _ahead in plans:
        made[row["team_id"]] += 1
    for tid, code, _intl, members, actor in teams:
        record(
            session,
            actor=actor,
            action="volunteer_team.demo_loaded",
            object_type="volunteer_team",
            object_id=tid,
            region_code=code,
            now=now,
            summary={"members": len(members), "activities": made[tid]},
        )
    return {"activities": len(ids), "signups": len(signups)}


def _certificate(
    session: Session,
    teams: list[tuple[int, str, bool, list[int], Actor]],
    now: datetime,
    today: date,
    tz: ZoneInfo,
) -> int:
    """A certificate for the international team's most active volunteer this period."""
    intl = next((t for t in teams if t[2]), None)
    if intl is None:
        return 0
    tid, _code, _intl, _members, actor = intl
    start = today - timedelta(days=7 * WEEKS)
    top = session.execute(
        select(VolunteerSignup.resident_id, func.sum(VolunteerSignup.minutes).label("m"))
        .join(VolunteerActivity, VolunteerActivity.id == VolunteerSignup.activity_id)
        .where(VolunteerActivity.team_id == tid)
        .group_by(VolunteerSignup.resident_id)
        .order_by(func.sum(VolunteerSignup.minutes).desc(), VolunteerSignup.resident_id)
        .limit(1)
    ).first()
    if top is None or not top[1]:
        return 0
    team = service.get_team(session, team_id=tid, acting=service.Acting(actor))
    service.do_issue_certificate(
        session,
        acting=service.Acting(actor),
        team=team,
        resident_id=top[0],
        start=start,
        end=today,
        tz=tz.key,
        now=now,
    )
    return 1
