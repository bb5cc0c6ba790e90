"""The village (头村社区; the demo district has no 村委会, else the first community):
its standing bodies are seated — branch committee, residents' committee chaired by the
branch secretary (一肩挑), supervision committee —, its secretary, clerk and supervision
chair get accounts, and its script is played: four matters (``village_script``) and a
season of routine disclosures (``disclosures``)."""

from __future__ import annotations

import random
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor, record_region
from gridgov.clock import local_today
from gridgov.deliberation.models import BodyMember
from gridgov.demo.deliberation import common
from gridgov.demo.deliberation.common import DAYS, SYSTEM, Clock, Counts
from gridgov.demo.deliberation.disclosures import disclosure_script
from gridgov.demo.deliberation.script import Player, Scene, play
from gridgov.demo.deliberation.village_script import MATTERS_SCRIPT
from gridgov.registry.models import PersonRoleRow, Resident
from gridgov.territory.models import Region

VILLAGE_CODE = "440512003015"
VILLAGE_NAME = "头村社区"


def _find_village(session: Session) -> Region | None:
    named = session.scalar(
        select(Region).where(Region.level == "community", Region.name == VILLAGE_NAME)
    )
    if named is not None:
        return named
    coded = session.scalar(select(Region).where(Region.code == VILLAGE_CODE))
    if coded is not None and coded.level == "community":
        return coded
    communities = common.communities(session)
    return communities[0] if communities else None


def _seat_bodies(
    session: Session, *, rng: random.Random, code: str, since: date, now: datetime, counts: Counts
) -> dict[str, list[int]]:
    """Seat the village's standing bodies from its residents, where none are seated: the
    branch committee (5, party members), the residents' committee (7, chaired by the
    branch secretary — 一肩挑 — with two more members sitting on both), the supervision
    committee (3, on neither)."""
    seated: dict[str, list[int]] = {}
    for body, resident_id in session.execute(
        select(BodyMember.body, BodyMember.resident_id)
        .where(BodyMember.region_code == code)
        .order_by(BodyMember.id)
    ):
        seated.setdefault(body, []).append(resident_id)
    wanted = ("branch_committee", "residents_committee", "supervisor")
    if all(seated.get(body) for body in wanted):
        return seated
    today = local_today(now)
    adults = [
        p
        for p in common.people(session, code)
        if 30 <= common.age(p, today) <= 62 and p.doc_type == "mainland_id"
    ]
    party = set(
        session.scalars(
            select(PersonRoleRow.resident_id).where(
                PersonRoleRow.role == "party_member",
                PersonRoleRow.region_code.startswith(code, autoescape=True),
            )
        )
    )
    members = [p for p in adults if p.id in party] or adults
    branch = seated.get("branch_committee") or [p.id for p in rng.sample(members, 5)]
    others = [p.id for p in adults if p.id not in set(branch)]
    rng.shuffle(others)
    plan: dict[str, list[tuple[int, str]]] = {
        "branch_committee": list(
            zip(branch, ("书记", "副书记", "委员", "委员", "委员"), strict=False)
        ),
        "residents_committee": [
            (branch[0], "主任（书记兼任）"),
            (branch[1], "副主任"),
            (branch[2], "委员"),
            (others[0], "副主任"),
            (others[1], "委员"),
            (others[2], "委员"),
            (others[3], "委员（妇联主席）"),
        ],
        "supervisor": [(others[4], "主任"), (others[5], "委员"), (others[6], "委员")],
    }
    for body, seats in plan.items():
        if seated.get(body):
            continue
        session.add_all(
            BodyMember(region_code=code, body=body, resident_id=rid, title=title, since=since)
            for rid, title in seats
        )
        session.flush()
        summary = {"body": body, "members": [rid for rid, _ in seats], "since": str(since)}
        record_region(session, SYSTEM, "deliberation.body_seated", code, now=now, summary=summary)
        seated[body] = [rid for rid, _ in seats]
        counts.add("body_seats", len(seats))
    return seated


def village(session: Session, *, rng: random.Random, clock: Clock, counts: Counts) -> str | None:
    """Play the village's script; its community code, or None without communities."""
    region = _find_village(session)
    if region is None:
        return None
    code, name = region.code, region.name
    start = clock.day(DAYS, 8)
    seats = _seat_bodies(
        session,
        rng=rng,
        code=code,
        since=clock.local_date(DAYS + 700),
        now=start,
        counts=counts,
    )
    names = dict(
        session.execute(
            select(Resident.id, Resident.name).where(
                Resident.id.in_([seats["branch_committee"][0], seats["supervisor"][0]])
            )
        ).all()
    )
    # (part, username, role, display name)
    parts = (
        (
            "secretary",
            f"demo-secretary-{code}",
            "branch_secretary",
            f"{names[seats['branch_committee'][0]]}（{name}党委书记、居委会主任）",
        ),
        ("clerk", f"demo-clerk-{code}", "unit_staff", f"{name}工作人员"),
        (
            "supervisor",
            f"demo-supervisor-{code}",
            "auditor",
            f"{names[seats['supervisor'][0]]}（{name}监督委员会主任）",
        ),
    )
    cast = {"villager": Player(Actor.anonymous())}
    for part, username, role, display_name in parts:
        user = common.account(
            session,
            username=username,
            role=role,
            scope=code,
            display_name=display_name,
            now=start,
            counts=counts,
        )
        cast[part] = Player(accounts.actor_for(user), user)
    scene = Scene(session, rng, clock, counts, code, name, cast)
    play(scene, MATTERS_SCRIPT)
    play(scene, disclosure_script(clock.today))
    return code
