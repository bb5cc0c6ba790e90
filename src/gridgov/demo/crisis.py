"""The demo's typhoon: the district leader opens a level-II typhoon response over two
coastal streets (达濠街道 and 广澳街道) yesterday morning, staffs its three levels and
two teams from the register, gives out tasks; the grid workers' door-to-door rounds
reach most households (some need help, a few are still not reached); a warning goes
out in six languages, with delivery and read receipts, the chat bridge of some grids
down, so the households it missed go to the front of the check-in list."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.audit.service import Actor
from gridgov.cases import sweep as cases_sweep
from gridgov.cases.sweep import RecordingChannel
from gridgov.crisis import broadcasts, checkins, service
from gridgov.crisis import sweep as crisis_sweep
from gridgov.crisis.models import Incident
from gridgov.crisis.rules import Block, CheckinStatus, Need, Post, TaskKind
from gridgov.db import Database
from gridgov.registry import service as registry

STREETS = ("440512001", "440512004")  # 达濠街道, 广澳街道: the coast
# The warning goes to the seafront communities: 濠滨社区 (the demo worker's) and 广澳社区.
SEAFRONT = ("440512001001", "440512004007")
TITLE = "台风“海葵”防御（二级响应）"
BLOCKS = (
    Block(
        "zh-Hans",
        "台风橙色预警：请留在室内",
        "台风“海葵”将于今晚在濠江沿海登陆。请关好门窗，远离海边和低洼处；需要转移或帮助请联系网格员。",
    ),
    Block(
        "zh-Hant",
        "颱風橙色預警：請留在室內",
        "颱風「海葵」將於今晚在濠江沿海登陸。請關好門窗，遠離海邊和低窪處；需要轉移或幫助請聯絡網格員。",
    ),
    Block(
        "en",
        "Typhoon orange warning: stay indoors",
        "Typhoon Haikui makes landfall on the Haojiang coast tonight. Close doors and windows,"
        " keep away from the shore and low ground; call your grid worker if you need help or"
        " a transfer.",
    ),
    Block(
        "ko",
        "태풍 주황색 경보: 실내에 머무르십시오",
        "태풍 '하이쿠이'가 오늘 밤 하오장 해안에 상륙합니다. 문과 창문을 닫고 해안과 저지대를"
        " 피하십시오. 도움이나 대피가 필요하면 그리드 담당자에게 연락하십시오.",
    ),
    Block(
        "ja",
        "台風オレンジ警報：屋内にとどまってください",
        "台風「ハイクイ」が今夜、濠江の沿岸に上陸します。戸や窓を閉め、海岸や低地に近づかないで"
        "ください。助けや避難が必要な場合はグリッド担当者に連絡してください。",
    ),
    Block(
        "vi",
        "Cảnh báo bão màu cam: hãy ở trong nhà",
        "Bão Haikui sẽ đổ bộ vào bờ biển Hào Giang tối nay. Hãy đóng cửa, tránh xa bờ biển và"
        " vùng trũng; liên hệ cán bộ lưới nếu bạn cần giúp đỡ hoặc sơ tán.",
    ),
)


R = TypeVar("R")


@dataclass(frozen=True)
class _Desk:
    """Someone acting on the incident in a session: every crisis command takes the three."""

    session: Session
    actor: Actor
    incident: Incident

    def do(self, command: Callable[..., R], /, **kwargs: Any) -> R:
        return command(self.session, actor=self.actor, incident=self.incident, **kwargs)


def _actor(db: Database, username: str) -> Actor:
    with db.session() as session:
        return accounts.actor_for(accounts.get_user_by_username(session, username=username))


def simulate(db: Database, *, rng: random.Random, now: datetime) -> dict[str, int]:
    """Build the typhoon incident; returns counts of what was made."""
    leader = _actor(db, "demo-leader")
    worker = _actor(db, "demo-worker")
    started = now - timedelta(hours=30)
    counts: dict[str, int] = {}
    with db.transaction() as session:
        incident = service.do_open_incident(
            session,
            actor=leader,
            value=service.IncidentInput(
                title=TITLE,
                kind="typhoon",
                level="level_ii",
                region_code="440512",
                area_codes=STREETS,
                unreached_hours=24,
                retention_days=30,
            ),
            now=started,
        )
        incident_id = incident.id
        desk = _Desk(session, leader, incident)
        counts["posts"] = _posts(desk, rng, started)
        counts["tasks"] = _tasks(desk, worker, rng, started, now)
    # The demo worker's own round through the app, one household at a time...
    with db.transaction() as session:
        incident = service.get_incident(session, incident_id=incident_id, viewer=worker)
        own = checkins.list_checkins(session, incident=incident, viewer=worker, limit=40)
        desk = _Desk(session, worker, incident)
        for row in own[:25]:
            status, needs = _outcome(rng)
            desk.do(
                checkins.do_checkin,
                household_id=row.household_id,
                status=status,
                needs=needs,
                now=started + timedelta(hours=rng.randint(1, 20)),
            )
    # ...and the other grids' paper sheets, typed in by the command centre.
    with db.transaction() as session:
        incident = service.get_incident(session, incident_id=incident_id, viewer=leader)
        rows = checkins.list_checkins(session, incident=incident, viewer=leader, limit=200_000)
        entries = []
        for row in rows:
            if row.status != CheckinStatus.PENDING.value or row.grid_code == worker.scope:
                continue
            if rng.random() < 0.04:
                continue  # not reached yet
            status, needs = _outcome(rng)
            flags = ("pregnant",) if rng.random() < 0.01 else None
            entries.append(checkins.SheetEntry(row.household_id, status, needs, flags))
        counts["checkins"] = _Desk(session, leader, incident).do(
            checkins.do_record_sheet, entries=entries, now=now - timedelta(hours=2)
        )
    counts.update(_broadcast(db, leader, incident_id, rng, started))
    with db.transaction() as session:
        swept = crisis_sweep.sweep(session, now=now)
    counts["unreached_escalated"] = swept.unreached_escalated
    counts["tasks_escalated"] = swept.tasks_escalated
    return counts


def _outcome(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    roll = rng.random()
    if roll < 0.07:
        needs = tuple(sorted(rng.sample([n.value for n in Need], rng.randint(1, 2))))
        return CheckinStatus.NEEDS_HELP.value, needs
    if roll < 0.10:
        return CheckinStatus.ABSENT.value, ()
    if roll < 0.11:
        return CheckinStatus.REFUSED.value, ()
    if roll < 0.35:
        return CheckinStatus.REACHED.value, ()
    return CheckinStatus.SAFE.value, ()


def _posts(desk: _Desk, rng: random.Random, at: datetime) -> int:
    """Leads at community and grid level from the grid workers, building leads from the
    central households, the vanguard from party members, volunteers from volunteers."""
    made = 0

    def add(post: Post, unit_code: str, resident_id: int) -> None:
        nonlocal made
        desk.do(
            service.do_add_post,
            post=post.value,
            unit_code=unit_code,
            resident_id=resident_id,
            now=at,
        )
        made += 1

    session = desk.session
    workers = registry.people_with_role(
        session, role="grid_worker", prefixes=list(STREETS), limit=20_000
    )
    seen_communities: set[str] = set()
    for resident_id, _name, grid, full_time in workers:
        if not full_time:
            continue
        add(Post.GRID_LEAD, grid, resident_id)
        if grid[:12] not in seen_communities:
            seen_communities.add(grid[:12])
            add(Post.COMMUNITY_LEAD, grid[:12], resident_id)
    for role, post, share in (
        ("central_household", Post.BUILDING_LEAD, 0.3),
        ("party_member", Post.VANGUARD, 0.15),
        ("volunteer", Post.VOLUNTEER, 0.5),
    ):
        people = registry.people_with_role(
            session, role=role, prefixes=list(SEAFRONT), limit=20_000
        )
        for resident_id, _name, grid, _full in people:
            if rng.random() < share:
                add(post, grid, resident_id)
    return made


def _tasks(
    desk: _Desk,
    worker: Actor,
    rng: random.Random,
    started: datetime,
    now: datetime,
) -> int:
    """A door-to-door check in every grid of the demo worker's community, supplies and a
    transfer for some; one supply run overdue (the sweep escalates it)."""
    community = (worker.scope or "")[:12]
    grids = [
        row.code for row in checkins.board(desk.session, incident=desk.incident, viewer=desk.actor)
    ]
    # (kind, grid, due, note), in the order they are given out
    tasks: list[tuple[TaskKind, str, datetime, str]] = []
    for grid in grids:
        if not grid.startswith(community):
            continue
        tasks.append(
            (
                TaskKind.DOOR_TO_DOOR,
                grid,
                now + timedelta(hours=4),
                "逐户核实独居老人、残疾人、孕产妇和慢性病患者",
            )
        )
        if rng.random() < 0.5:
            due = now + timedelta(hours=rng.randint(2, 8))
            tasks.append((TaskKind.SUPPLY_DELIVERY, grid, due, "饮用水、方便食品、常用药品"))
    own = worker.scope or grids[0]
    tasks.append((TaskKind.TRANSFER, own, now + timedelta(hours=3), "低洼处 3 户转移到社区安置点"))
    tasks.append((TaskKind.SUPPLY_DELIVERY, own, started + timedelta(hours=6), "沙袋送到海滨路"))
    for kind, grid, due_at, note in tasks:
        desk.do(
            service.do_add_task,
            kind=kind.value,
            grid_code=grid,
            due_at=due_at,
            now=started,
            note=note,
        )
    return len(tasks)


def _broadcast(
    db: Database, leader: Actor, incident_id: int, rng: random.Random, at: datetime
) -> dict[str, int]:
    with db.transaction() as session:
        incident = service.get_incident(session, incident_id=incident_id, viewer=leader)
        broadcast = _Desk(session, leader, incident).do(
            broadcasts.do_create_broadcast,
            region_code="440512",
            area_codes=SEAFRONT,
            severity="alert",
            fallback_language="zh-Hans",
            blocks=BLOCKS,
            now=at + timedelta(minutes=30),
        )
        queued = broadcasts.do_send_broadcast(
            session, actor=leader, broadcast=broadcast, now=at + timedelta(minutes=35)
        )
        broadcast_id = broadcast.id
    # The SMS gateway takes everything; in-app messages need no sending; the chat bridge
    # of the district is down this evening, so chat posts stay queued.
    recording = RecordingChannel()
    cases_sweep.deliver(
        db, channels={"sms": recording}, now=at + timedelta(minutes=40), limit=200_000
    )
    with db.transaction() as session:
        broadcast = broadcasts.get_broadcast(session, broadcast_id=broadcast_id, viewer=leader)
        delivered = broadcasts.do_refresh_receipts(session, broadcast=broadcast, now=at)
        delivered_to = broadcasts.delivered_households(session, broadcast=broadcast)
        failed_ids = [h for h in delivered_to if rng.random() < 0.03]
        failed = broadcasts.do_mark_failed_many(
            session, broadcast=broadcast, household_ids=failed_ids, now=at + timedelta(hours=1)
        )
        failed_set = set(failed_ids)
        read_ids = [h for h in delivered_to if h not in failed_set and rng.random() < 0.6]
        read = broadcasts.do_mark_read_many(
            session, broadcast=broadcast, household_ids=read_ids, now=at + timedelta(hours=1)
        )
        fed = broadcasts.do_feed_checkins(
            session, actor=leader, broadcast=broadcast, now=at + timedelta(hours=2)
        )
    return {
        "broadcast_queued": queued,
        "delivered": delivered,
        "failed": failed,
        "read": read,
        "fed": fed,
    }
