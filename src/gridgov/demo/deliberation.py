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
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import secrets
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.accounts.rules import may_access
from gridgov.audit.service import Actor, record
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.deliberation import discussion, elections, notices
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import BodyMember, Candidate, Matter, Meeting, Notice
from gridgov.deliberation.rules import Choice, NoticeKind, Voting
from gridgov.errors import DomainError
from gridgov.registry.models import PersonRoleRow, Resident
from gridgov.territory.models import Region

SYSTEM = Actor.system("demo")
VILLAGE_CODE = "440512003015"
VILLAGE_NAME = "头村社区"
DAYS = 120  # the simulated months, as for the demo's cases


# ---------------------------------------------------------------- small helpers


@dataclass(frozen=True)
class Clock:
    """Local days before ``now`` (negative: after it) at a local hour, in UTC."""

    now: datetime
    tz: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.astimezone(self.tz).date()

    def day(self, days_ago: int, hour: int = 9, minute: int = 0) -> datetime:
        local = datetime.combine(self.today - timedelta(days=days_ago), time(hour, minute))
        return local.replace(tzinfo=self.tz).astimezone(UTC)

    def local_date(self, days_ago: int) -> date:
        return self.today - timedelta(days=days_ago)


@dataclass
class Counts:
    values: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    grid_code: str
    birth_date: date | None
    doc_type: str
    nationality: str
    language: str | None


def png(rng: random.Random, width: int = 60, height: int = 84) -> bytes:
    """A small valid PNG: a sheet of paper with a red heading and grey lines of text,
    standing in for the photo of a notice on the board or a signed sheet."""
    rows = bytearray()
    lines = [rng.randint(20, width - 6) for _ in range(height // 6)]
    for y in range(height):
        rows.append(0)  # no filter
        for x in range(width):
            if 4 <= y < 9 and 8 <= x < width - 8:
                rows += b"\xc8\x20\x20"  # the red heading
            elif y >= 14 and y % 6 in (0, 1) and 5 <= x < lines[y // 6 % len(lines)]:
                rows += b"\x70\x70\x70"
            else:
                rows += b"\xf6\xf3\xea"

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _account(
    session: Session,
    *,
    username: str,
    role: str,
    scope: str,
    display_name: str,
    now: datetime,
    counts: Counts,
    resident_id: int | None = None,
) -> User:
    """The account of someone who acts in the demo: found, or made with a random
    password nobody is shown (a resident's is linked to their register entry, audited:
    no service links accounts yet)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        user = accounts.do_create_user(
            session,
            actor=SYSTEM,
            username=username,
            role=role,
            scope=scope,
            password="demo-" + secrets.token_urlsafe(18),
            display_name=display_name,
            now=now,
        )
        counts.add("accounts")
    if resident_id is not None and user.resident_id is None:
        _link(session, user, resident_id, now)
    return user


def _link(session: Session, user: User, resident_id: int, now: datetime) -> None:
    """Link a resident's account to their register entry, as a grid worker does after
    checking their document (no service does it yet): audited."""
    user.resident_id = resident_id
    session.flush()
    record(
        session,
        actor=SYSTEM,
        action="user.resident_linked",
        object_type="user",
        object_id=user.id,
        region_code=user.scope,
        now=now,
        summary={"resident": resident_id, "checked_by": "demo"},
    )


DEMO_SECRETARY = "demo-secretary"  # the demo's accounts (gridgov.demo.build)
DEMO_CLERK = "demo-unit"
DEMO_RESIDENT = "demo-resident"


def _existing(session: Session, username: str, role: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    return user if user is not None and user.role == role and user.is_active else None


def _staff(
    session: Session,
    *,
    demo: str,
    username: str,
    role: str,
    code: str,
    display_name: str,
    now: datetime,
    counts: Counts,
) -> User:
    """The demo's own account ``demo`` where its role and scope fit ``code``, else an
    account of the community's own."""
    existing = _existing(session, demo, role)
    if existing is not None and may_access(existing.scope, code):
        return existing
    return _account(
        session,
        username=username,
        role=role,
        scope=code,
        display_name=display_name,
        now=now,
        counts=counts,
    )


def _people(session: Session, region_code: str) -> list[Person]:
    rows = session.execute(
        select(
            Resident.id,
            Resident.name,
            Resident.grid_code,
            Resident.birth_date,
            Resident.doc_type,
            Resident.nationality,
            Resident.language,
        )
        .where(Resident.grid_code.startswith(region_code, autoescape=True))
        .order_by(Resident.id)
    ).all()
    return [Person(*row) for row in rows]


def _age(person: Person, on: date) -> int:
    if person.birth_date is None:
        return -1
    born = person.birth_date
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _communities(session: Session) -> list[Region]:
    return list(
        session.scalars(select(Region).where(Region.level == "community").order_by(Region.code))
    )


def _count_by_community(session: Session, condition: ColumnElement[bool]) -> dict[str, int]:
    """Residents matching ``condition`` by community (the first 12 digits of the grid)."""
    community = func.substr(Resident.grid_code, 1, 12)
    rows = session.execute(
        select(community, func.count(Resident.id)).where(condition).group_by(community)
    ).all()
    return {str(code): int(n) for code, n in rows}


def _grids(session: Session, community: str) -> list[str]:
    return list(
        session.scalars(
            select(Region.code)
            .where(Region.parent_code == community, Region.level == "grid")
            .order_by(Region.code)
        )
    )


# ---------------------------------------------------------------- meetings


@dataclass(frozen=True)
class Vote:
    """How a meeting goes: the share present (at least the quorum the caller wants), and
    the share of those present in favour and against (the rest abstain)."""

    attend: float
    yes: float
    no: float


def _hold(
    session: Session,
    *,
    rng: random.Random,
    clerk: Actor,
    matter: Matter,
    notified_at: datetime,
    starts_at: datetime,
    voting: Voting,
    vote: Vote,
    place: str,
    minutes: str,
    counts: Counts,
    expect: str,
    body: str | None = None,
) -> Meeting:
    """Convene, sign in, vote, minute, attach the signed sheet, close: one stage."""
    meeting = deliberation.do_convene(
        session,
        actor=clerk,
        matter_id=matter.id,
        notified_at=notified_at,
        starts_at=starts_at,
        voting=voting.value,
        body=body,
        place=place,
        now=notified_at,
    )
    counts.add("meetings")
    members = deliberation.members_of(session, meeting.id)
    total = len(members)
    present = min(total, max(round(total * vote.attend), math.ceil(total * 2 / 3)))
    attending = rng.sample(members, present)
    for n, member in enumerate(sorted(attending, key=lambda m: m.id)):
        deliberation.do_sign_in(
            session,
            actor=clerk,
            meeting_id=meeting.id,
            member_id=member.id,
            now=starts_at - timedelta(minutes=20) + timedelta(seconds=9 * n),
        )
    counts.add("sign_ins", present)
    yes = round(present * vote.yes)
    no = min(present - yes, round(present * vote.no))
    abstain = present - yes - no
    voted_at = starts_at + timedelta(minutes=40)
    if voting is Voting.SHOW_OF_HANDS:
        deliberation.do_record_totals(
            session,
            actor=clerk,
            meeting_id=meeting.id,
            yes=yes,
            no=no,
            abstain=abstain,
            now=voted_at,
        )
    else:
        choices = [Choice.YES] * yes + [Choice.NO] * no + [Choice.ABSTAIN] * abstain
        rng.shuffle(choices)
        for n, (member, choice) in enumerate(zip(attending, choices, strict=True)):
            moment = voted_at + timedelta(seconds=15 * n)
            if voting is Voting.ROLL_CALL:
                deliberation.do_record_vote(
                    session,
                    actor=clerk,
                    meeting_id=meeting.id,
                    member_id=member.id,
                    choice=choice.value,
                    now=moment,
                )
            else:
                deliberation.do_cast_ballot(
                    session,
                    actor=clerk,
                    meeting_id=meeting.id,
                    member_id=member.id,
                    choice=choice.value,
                    now=moment,
                )
    counts.add("votes", present)
    closed_at = starts_at + timedelta(minutes=75)
    deliberation.do_edit_minutes(
        session,
        actor=clerk,
        meeting_id=meeting.id,
        minutes=(
            f"{minutes}\n应到{total}人，实到{present}人。表决结果：同意{yes}，反对{no}，"
            f"弃权{abstain}。会议由社区工作人员记录，签到表扫描件附后。"
        ),
        now=closed_at - timedelta(minutes=5),
    )
    deliberation.do_attach_file(
        session,
        actor=clerk,
        owner_type="meeting",
        owner_id=meeting.id,
        purpose="sign_in",
        name="签到表.png",
        content_type="image/png",
        data=png(rng),
        now=closed_at - timedelta(minutes=4),
        region_code=meeting.region_code,
    )
    counts.add("files")
    deliberation.do_close_meeting(session, actor=clerk, meeting_id=meeting.id, now=closed_at)
    if meeting.outcome != expect:
        raise RuntimeError(f"demo meeting {meeting.title} ended {meeting.outcome}, not {expect}")
    return meeting


def _convene_only(
    session: Session,
    *,
    clerk: Actor,
    matter: Matter,
    notified_at: datetime,
    starts_at: datetime,
    place: str,
    counts: Counts,
    body: str | None = None,
) -> Meeting:
    meeting = deliberation.do_convene(
        session,
        actor=clerk,
        matter_id=matter.id,
        notified_at=notified_at,
        starts_at=starts_at,
        voting=Voting.SHOW_OF_HANDS.value,
        body=body,
        place=place,
        now=notified_at,
    )
    counts.add("meetings")
    return meeting


def _matter_notice(session: Session, matter: Matter, kind: NoticeKind) -> Notice:
    found = [n for n in deliberation.notices_of(session, matter.id) if n.kind == kind.value]
    if not found:
        raise RuntimeError(f"demo matter {matter.title} has no {kind.value} notice")
    return found[-1]


def _publish(
    session: Session,
    *,
    rng: random.Random,
    secretary: Actor,
    notice: Notice,
    posted_at: datetime,
    counts: Counts,
    close: bool,
    now: datetime,
) -> Notice:
    """Post a notice, photograph it on the board, and close it after its period."""
    notices.do_post(session, actor=secretary, notice_id=notice.id, now=posted_at)
    counts.add("notices_posted")
    notices.do_attach_board_photo(
        session,
        actor=secretary,
        notice_id=notice.id,
        name="公开栏照片.png",
        content_type="image/png",
        data=png(rng),
        now=posted_at + timedelta(minutes=50),
    )
    counts.add("files")
    if close:
        _close(session, secretary=secretary, notice=notice, now=now, counts=counts)
    return notice


def _close(
    session: Session, *, secretary: Actor, notice: Notice, now: datetime, counts: Counts
) -> None:
    """Close a posted notice half an hour after its period, if that is before now."""
    if notice.posted_at is None:
        return
    closes = notice.posted_at + timedelta(days=notice.posting_days, minutes=30)
    if closes <= now:
        notices.do_close(session, actor=secretary, notice_id=notice.id, now=closes)
        counts.add("notices_closed")


# ---------------------------------------------------------------- the village


PLACE = "{name}党群服务中心二楼会议室"
FACTORY_TITLE = "{name}集体厂房出租方案"
FACTORY_TEXT = (
    "社区集体所有的原水产加工厂房（建筑面积约1860平方米）已闲置三年。拟通过汕头市农村产权"
    "交易平台公开招租：租期5年，起始租金每月每平方米9元，每两年递增3%；承租方只可用于无"
    "污染的仓储或轻加工，不得转租。租金收入全部纳入社区集体经济账户，主要用于70岁以上老人"
    "生活补贴和巷道路灯、排水沟的日常维护。"
)
LIGHTS_TITLE = "{name}巷道路灯改造及智能化提升"
LIGHTS_TEXT = (
    "社区内12条巷道共有老旧路灯146盏，夜间照明不足，居民多次反映。拟更换为LED路灯并加装"
    "分时控制，预算约38万元，由集体经济收入和街道以奖代补资金共同承担。"
)
PARKING_TITLE = "{name}文化广场改建停车场方案"
PARKING_TEXT = (
    "为缓解停车难，拟将社区文化广场（约2400平方米）改建为60个车位的收费停车场，收入归集体"
    "所有。广场现为居民跳舞、老人休憩和节庆活动场所。"
)
LAND_TITLE = "{name}集体土地征收补偿款分配方案"
LAND_TEXT = (
    "因市政道路建设，社区集体土地约23亩被依法征收，补偿款已拨入社区集体账户。拟按“人均"
    "分配六成、留作集体发展四成”的原则分配，分配对象以本社区集体经济组织成员名册为准。"
    "涉及全体成员切身利益，提请村（居）民会议讨论决定。"
)


@dataclass
class Village:
    code: str
    name: str
    secretary: Actor
    clerk: Actor
    supervisor_user: User


def _find_village(session: Session) -> Region | None:
    named = session.scalar(
        select(Region).where(Region.level == "community", Region.name == VILLAGE_NAME)
    )
    if named is not None:
        return named
    coded = session.scalar(select(Region).where(Region.code == VILLAGE_CODE))
    if coded is not None and coded.level == "community":
        return coded
    communities = _communities(session)
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
        for p in _people(session, code)
        if 30 <= _age(p, today) <= 62 and p.doc_type == "mainland_id"
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
        record(
            session,
            actor=SYSTEM,
            action="deliberation.body_seated",
            object_type="region",
            object_id=code,
            region_code=code,
            now=now,
            summary={"body": body, "members": [rid for rid, _ in seats], "since": str(since)},
        )
        seated[body] = [rid for rid, _ in seats]
        counts.add("body_seats", len(seats))
    return seated


def _village(
    session: Session, *, rng: random.Random, clock: Clock, counts: Counts
) -> Village | None:
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
    secretary_user = _account(
        session,
        username=f"demo-secretary-{code}",
        role="branch_secretary",
        scope=code,
        display_name=f"{names[seats['branch_committee'][0]]}（{name}党委书记、居委会主任）",
        now=start,
        counts=counts,
    )
    clerk_user = _account(
        session,
        username=f"demo-clerk-{code}",
        role="unit_staff",
        scope=code,
        display_name=f"{name}工作人员",
        now=start,
        counts=counts,
    )
    supervisor_user = _account(
        session,
        username=f"demo-supervisor-{code}",
        role="auditor",
        scope=code,
        display_name=f"{names[seats['supervisor'][0]]}（{name}监督委员会主任）",
        now=start,
        counts=counts,
    )
    village = Village(
        code=code,
        name=name,
        secretary=accounts.actor_for(secretary_user),
        clerk=accounts.actor_for(clerk_user),
        supervisor_user=supervisor_user,
    )
    _completed_matter(session, rng=rng, clock=clock, village=village, counts=counts)
    _rejected_matter(session, rng=rng, clock=clock, village=village, counts=counts)
    _matter_in_review(session, rng=rng, clock=clock, village=village, counts=counts)
    _matter_for_villagers(session, rng=rng, clock=clock, village=village, counts=counts)
    _routine_disclosures(session, rng=rng, clock=clock, village=village, counts=counts)
    return village


def _open(
    session: Session,
    village: Village,
    clock: Clock,
    days_ago: int,
    title: str,
    text: str,
    *,
    one_person: bool,
    counts: Counts,
) -> Matter:
    matter = deliberation.do_open_matter(
        session,
        actor=village.secretary,
        region_code=village.code,
        title=title.format(name=village.name),
        description=text,
        one_person=one_person,
        now=clock.day(days_ago, 9),
    )
    counts.add("matters")
    return matter


def _completed_matter(
    session: Session, *, rng: random.Random, clock: Clock, village: Village, counts: Counts
) -> Matter:
    """All four deliberations, the resolution disclosed, carried out, the result
    disclosed: COMPLETED."""
    place = PLACE.format(name=village.name)
    matter = _open(
        session, village, clock, 118, FACTORY_TITLE, FACTORY_TEXT, one_person=False, counts=counts
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(118, 9, 30),
        starts_at=clock.day(117, 15),
        voting=Voting.SHOW_OF_HANDS,
        vote=Vote(attend=1.0, yes=1.0, no=0.0),
        place=place,
        minutes="支部委员会研究认为厂房闲置造成集体资产流失，提议公开招租。",
        expect="adopted",
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(113, 10),
        starts_at=clock.day(110, 15),
        voting=Voting.ROLL_CALL,
        vote=Vote(attend=1.0, yes=0.85, no=0.0),
        place=place,
        minutes="两委联席会议逐条讨论招租条件，补充“承租方不得转租”和“每两年递增3%”两项。",
        expect="adopted",
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(107, 9),
        starts_at=clock.day(103, 19, 30),
        voting=Voting.SHOW_OF_HANDS,
        vote=Vote(attend=0.81, yes=0.9, no=0.04),
        place=place,
        minutes="党员大会审议招租方案，党员就起始租金、租金用途提出意见，均已记录。",
        expect="adopted",
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(101, 9),
        starts_at=clock.day(97, 19, 30),
        voting=Voting.SECRET_BALLOT,
        vote=Vote(attend=0.9, yes=0.8, no=0.1),
        place=place,
        minutes="村（居）民代表会议以无记名投票方式表决招租方案，监督委员会列席。",
        expect="adopted",
    )
    discussion.do_comment(
        session,
        user=village.supervisor_user,
        actor=accounts.actor_for(village.supervisor_user),
        target_type="matter",
        target_id=matter.id,
        stage_id="decision",
        supervision=True,
        text="监督委员会列席代表会议：到会人数达到三分之二以上，无记名投票，当场清点，程序合规。",
        language="zh_Hans",
        now=clock.day(97, 21),
    )
    counts.add("supervision_comments")
    resolution = _matter_notice(session, matter, NoticeKind.RESOLUTION)
    _publish(
        session,
        rng=rng,
        secretary=village.secretary,
        notice=resolution,
        posted_at=clock.day(96, 10),
        counts=counts,
        close=False,
        now=clock.now,
    )
    objection = notices.do_object(
        session,
        notice_id=resolution.id,
        text="起始租金每平方米9元是否偏低？附近厂房租金大约10到12元。",
        kind="objection",
        author_name=_villager_name(session, village.code, rng),
        author_user_id=None,
        language="zh_Hans",
        now=clock.day(94, 20, 15),
        actor=Actor.anonymous(),
    )
    notices.do_answer(
        session,
        actor=village.secretary,
        objection_id=objection.id,
        answer=(
            "起始租金由第三方评估机构评估确定，评估报告在社区财务室可查阅；招租采用公开竞价，"
            "成交价以竞价结果为准，可高于起始价。"
        ),
        now=clock.day(93, 11),
    )
    counts.add("objections")
    notices.do_close(
        session,
        actor=village.secretary,
        notice_id=resolution.id,
        now=clock.day(89, 10, 30),
    )
    counts.add("notices_closed")
    implementation = deliberation.implementation_of(session, matter.id)
    if implementation is None:
        raise RuntimeError("the adopted demo matter has no implementation record")
    steps = (
        (
            "在农村产权交易平台发布招租公告",
            80,
            81,
            "招租公告已在产权交易平台和社区公开栏发布。",
            30,
        ),
        ("公开竞价并签订租赁合同", 55, 57, "公开竞价有3家企业参加，成交价每月每平方米10.6元。", 70),
        ("承租方进场，首期租金入集体账户", 35, 36, "承租方已进场，首期租金已入社区集体账户。", 100),
    )
    milestones = []
    for title, due_ago, _done_ago, _text, _progress in steps:
        milestones.append(
            deliberation.do_add_milestone(
                session,
                actor=village.secretary,
                implementation_id=implementation.id,
                title=title,
                due_on=clock.local_date(due_ago),
                now=clock.day(88, 10),
            )
        )
        counts.add("milestones")
    for milestone, (_title, _due, done_ago, text, progress) in zip(milestones, steps, strict=True):
        deliberation.do_mark_milestone_done(
            session,
            actor=village.clerk,
            milestone_id=milestone.id,
            done_on=clock.local_date(done_ago),
            now=clock.day(done_ago, 17),
        )
        deliberation.do_post_update(
            session,
            actor=village.clerk,
            implementation_id=implementation.id,
            text=text,
            progress=progress,
            now=clock.day(done_ago, 17, 30),
        )
        counts.add("updates")
    deliberation.do_complete_implementation(
        session,
        actor=village.secretary,
        implementation_id=implementation.id,
        note="厂房出租方案已实施完毕，租金收入按月入账并在财务公开中列示。",
        now=clock.day(33, 10),
    )
    result = _matter_notice(session, matter, NoticeKind.RESULT)
    _publish(
        session,
        rng=rng,
        secretary=village.secretary,
        notice=result,
        posted_at=clock.day(32, 10),
        counts=counts,
        close=True,
        now=clock.now,
    )
    return matter


def _villager_name(session: Session, code: str, rng: random.Random) -> str:
    names = list(
        session.scalars(
            select(Resident.name)
            .where(Resident.grid_code.startswith(code, autoescape=True))
            .order_by(Resident.id)
            .limit(200)
        )
    )
    return rng.choice(names) if names else "居民"


def _rejected_matter(
    session: Session, *, rng: random.Random, clock: Clock, village: Village, counts: Counts
) -> Matter:
    """Rejected by the representatives' meeting: more than half of those present
    against; the chain ends there."""
    place = PLACE.format(name=village.name)
    matter = _open(
        session, village, clock, 76, PARKING_TITLE, PARKING_TEXT, one_person=False, counts=counts
    )
    for notified, starts, voting, vote, minutes in (
        (76, 75, Voting.SHOW_OF_HANDS, Vote(1.0, 0.8, 0.2), "支部委员会提议研究广场改建停车场。"),
        (73, 70, Voting.ROLL_CALL, Vote(1.0, 0.67, 0.22), "两委会议同意提交党员大会审议。"),
        (67, 64, Voting.SHOW_OF_HANDS, Vote(0.78, 0.6, 0.3), "党员大会审议，意见分歧较大。"),
    ):
        _hold(
            session,
            rng=rng,
            clerk=village.clerk,
            matter=matter,
            counts=counts,
            notified_at=clock.day(notified, 9),
            starts_at=clock.day(starts, 19, 30),
            voting=voting,
            vote=vote,
            place=place,
            minutes=minutes,
            expect="adopted",
        )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(62, 9),
        starts_at=clock.day(58, 19, 30),
        voting=Voting.SHOW_OF_HANDS,
        vote=Vote(attend=0.9, yes=0.3, no=0.6),
        place=place,
        minutes="代表们认为广场是老人和孩子唯一的活动场地，多数反对改建，建议另行选址。",
        expect="rejected",
    )
    return matter


def _matter_in_review(
    session: Session, *, rng: random.Random, clock: Clock, village: Village, counts: Counts
) -> Matter:
    """一肩挑: the proposal merges into the two committees' deliberation; the Party
    members' meeting is convened for next week."""
    place = PLACE.format(name=village.name)
    matter = _open(
        session, village, clock, 20, LIGHTS_TITLE, LIGHTS_TEXT, one_person=True, counts=counts
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(19, 9),
        starts_at=clock.day(16, 15),
        voting=Voting.SHOW_OF_HANDS,
        vote=Vote(1.0, 1.0, 0.0),
        place=place,
        minutes="书记兼主任（一肩挑）在两委联席会议上提出议题，两委会议商议通过。",
        expect="adopted",
    )
    _convene_only(
        session,
        clerk=village.clerk,
        matter=matter,
        notified_at=clock.day(2, 9),
        starts_at=clock.day(-5, 19, 30),
        place=place,
        counts=counts,
    )
    return matter


def _matter_for_villagers(
    session: Session, *, rng: random.Random, clock: Clock, village: Village, counts: Counts
) -> Matter:
    """A matter for the villagers' meeting itself, convened with ten days' notice."""
    place = f"{village.name}文化广场"
    matter = _open(
        session, village, clock, 34, LAND_TITLE, LAND_TEXT, one_person=True, counts=counts
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(33, 9),
        starts_at=clock.day(31, 15),
        voting=Voting.ROLL_CALL,
        vote=Vote(1.0, 0.9, 0.0),
        place=PLACE.format(name=village.name),
        minutes="两委联席会议形成分配方案草案，提交党员大会审议。",
        expect="adopted",
    )
    _hold(
        session,
        rng=rng,
        clerk=village.clerk,
        matter=matter,
        counts=counts,
        notified_at=clock.day(29, 9),
        starts_at=clock.day(26, 19, 30),
        voting=Voting.SHOW_OF_HANDS,
        vote=Vote(0.79, 0.88, 0.05),
        place=PLACE.format(name=village.name),
        minutes="党员大会审议通过，建议提交村（居）民会议决定。",
        expect="adopted",
    )
    _convene_only(
        session,
        clerk=village.clerk,
        matter=matter,
        notified_at=clock.day(4, 9),
        starts_at=clock.day(-6, 9, 30),
        place=place,
        body="villagers_meeting",
        counts=counts,
    )
    return matter


def _month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def _routine_disclosures(
    session: Session, *, rng: random.Random, clock: Clock, village: Village, counts: Counts
) -> None:
    """Finances every month, village affairs every quarter, party affairs once two
    quarters ago (so it is overdue now and the sweep reminds the village)."""
    secretary = village.secretary
    name = village.name
    # Finances: posted on the 6th of each month for the month before.
    for back in range(4, -1, -1):
        first = _month_start(clock.today, back)
        posted_day = first + timedelta(days=5)
        days_ago = (clock.today - posted_day).days
        if days_ago < 1 or days_ago > DAYS:
            continue
        covered = _month_start(first, 1)
        income = rng.randint(180_000, 260_000)
        lines = [
            ("集体厂房、铺面租金", rng.randint(60_000, 90_000)),
            ("上级转移支付", rng.randint(40_000, 60_000)),
        ]
        expenses = [
            ("干部误工补贴", rng.randint(30_000, 38_000)),
            ("巷道保洁费", rng.randint(9_000, 14_000)),
            ("路灯电费及维修", rng.randint(5_000, 9_000)),
            ("老年人生活补贴", rng.randint(20_000, 30_000)),
            ("办公及水电费", rng.randint(3_000, 6_000)),
        ]
        body = "\n".join(
            [
                f"{name}{covered.year}年{covered.month}月财务收支情况公开如下（单位：元）：",
                f"本月收入合计 {income:,}，其中：",
                *(f"  {item} {amount:,}" for item, amount in lines),
                f"本月支出合计 {sum(a for _, a in expenses):,}，其中：",
                *(f"  {item} {amount:,}" for item, amount in expenses),
                "原始凭证在社区财务室备查，经社区监督委员会审核。对公开内容有疑问的，请在公示期内提出。",
            ]
        )
        notice = notices.do_draft(
            session,
            actor=secretary,
            region_code=village.code,
            kind=NoticeKind.FINANCES,
            title=f"{name}{covered.year}年{covered.month}月财务收支公开",
            body=body,
            now=clock.day(days_ago + 1, 16),
            channels=("portal", "board", "chat"),
        )
        counts.add("notices")
        _publish(
            session,
            rng=rng,
            secretary=secretary,
            notice=notice,
            posted_at=clock.day(days_ago, 10),
            counts=counts,
            close=False,
            now=clock.now,
        )
        if back == 2 and days_ago > 3:
            question = notices.do_object(
                session,
                notice_id=notice.id,
                text="本月巷道保洁费比上个月多了不少，是什么原因？",
                kind="question",
                author_name=_villager_name(session, village.code, rng),
                author_user_id=None,
                language="zh_Hans",
                now=clock.day(days_ago - 1, 20),
                actor=Actor.anonymous(),
            )
            notices.do_answer(
                session,
                actor=secretary,
                objection_id=question.id,
                answer=(
                    "本月台风过后增加了两次全面清扫和清淤，费用经两委会议审核，票据在社区财务室"
                    "可查阅。"
                ),
                now=clock.day(days_ago - 2, 11),
            )
            counts.add("objections")
        _close(session, secretary=secretary, notice=notice, now=clock.now, counts=counts)
    # Village affairs: at the start of each quarter in the window.
    for back in range(4, -1, -1):
        first = _month_start(clock.today, back)
        if first.month % 3 != 1:
            continue
        posted_day = first + timedelta(days=9)
        days_ago = (clock.today - posted_day).days
        if days_ago < 1 or days_ago > DAYS:
            continue
        quarter = (first.month - 1) // 3  # the quarter just ended: 0 means Q4 of last year
        year = first.year if quarter else first.year - 1
        notice = notices.do_draft(
            session,
            actor=secretary,
            region_code=village.code,
            kind=NoticeKind.VILLAGE_AFFAIRS,
            title=f"{name}{year}年第{quarter or 4}季度村（居）务公开",
            body=(
                f"一、本季度召开两委联席会议3次、村（居）民代表会议1次，议题及表决结果见各次决议公开。\n"
                f"二、低保、特困供养对象本季度无新增，临时救助2户共3600元。\n"
                f"三、集体厂房出租、巷道路灯改造等重点事项进展情况见“议事”栏目。\n"
                f"四、本季度受理居民诉求{rng.randint(40, 70)}件，已办结的在网格事件中可查。"
            ),
            now=clock.day(days_ago + 1, 16),
            channels=("portal", "board"),
        )
        counts.add("notices")
        _publish(
            session,
            rng=rng,
            secretary=secretary,
            notice=notice,
            posted_at=clock.day(days_ago, 10),
            counts=counts,
            close=True,
            now=clock.now,
        )
    # Party affairs: once, in the quarter before last; nothing since (overdue now).
    quarter_start = _month_start(clock.today, (clock.today.month - 1) % 3)
    before_last = _month_start(quarter_start, 6) + timedelta(days=14)
    days_ago = (clock.today - before_last).days
    notice = notices.do_draft(
        session,
        actor=secretary,
        region_code=village.code,
        kind=NoticeKind.PARTY_AFFAIRS,
        title=f"{name}党委{before_last.year}年第{(before_last.month - 1) // 3 + 1}季度党务公开",
        body=(
            "一、本季度召开支部委员会6次、党员大会1次，开展主题党日3次。\n"
            "二、发展党员：确定入党积极分子2名。\n"
            "三、党费收缴情况：应缴、实缴人数及金额见公开栏附表。"
        ),
        now=clock.day(days_ago + 1, 16),
        channels=("portal", "board"),
    )
    counts.add("notices")
    _publish(
        session,
        rng=rng,
        secretary=secretary,
        notice=notice,
        posted_at=clock.day(days_ago, 10),
        counts=counts,
        close=True,
        now=clock.now,
    )


# ---------------------------------------------------------------- the international community


@dataclass(frozen=True)
class Post:
    """A discussion and the proposals that came out of it, in the author's language."""

    key: str
    language: str
    title: str
    body: str


DISCUSSIONS = (
    Post(
        "signs",
        "en",
        "Bilingual signs at the community service centre",
        "Last week I spent twenty minutes at the service centre looking for the window for "
        "residence registration. All the signs are in Chinese only. Many of us who moved "
        "here for work would find English under the Chinese very helpful, on the notice "
        "board too.",
    ),
    Post(
        "clinic",
        "ko",
        "보건소 이용 안내가 한국어로 있으면 좋겠습니다",
        "아이가 열이 나서 지역 보건소에 갔는데 접수 방법과 진료 시간을 이해하기 어려웠습니다. "
        "한국어 안내문이나 통역 도움을 받을 수 있는 방법이 있을까요?",
    ),
    Post(
        "class",
        "ja",
        "週末の中国語教室",
        "平日は仕事で時間がないので、土曜日の午前中に初心者向けの中国語教室があると助かります。"
        "買い物や病院で使える簡単な会話を学びたいです。",
    ),
    Post(
        "noise",
        "pt",
        "Barulho à noite perto do mercado",
        "Todas as noites, depois das 23h, há caminhões descarregando mercadorias ao lado do "
        "mercado e o barulho acorda as crianças. Mais alguém tem esse problema?",
    ),
    Post(
        "play",
        "es",
        "Un espacio para que los niños jueguen el fin de semana",
        "Los fines de semana los niños no tienen dónde jugar cerca de casa. ¿Podríamos usar "
        "algún espacio de la comunidad los sábados por la tarde?",
    ),
    Post(
        "macau",
        "zh_Hant",
        "澳門居民在社區辦事的諮詢",
        "我在澳門上班，平日下班回到社區時服務中心已經關門。希望每月能有一個週六，集中解答澳門"
        "居民關於醫保、子女入學和居住證的問題。",
    ),
    Post(
        "waste",
        "zh_Hans",
        "垃圾分类投放点能不能加英文和图示",
        "小区里外籍住户越来越多，经常看到厨余垃圾投错桶。建议在投放点贴上中英文和图示的分类"
        "指引，也方便看不清字的老人。",
    ),
)

# (key, discussion, language, title, body, answer, reason, merged into, milestones)
ProposalSpec = tuple[str, str, str, str, str, str, str, str | None, tuple[str, ...]]
PROPOSALS: tuple[ProposalSpec, ...] = (
    (
        "signs-en",
        "signs",
        "en",
        "Add English to the service centre signs and the notice board headings",
        "Put English under the Chinese on every service window, the direction signs on each "
        "floor and the headings of the notice board.",
        "accepted",
        "采纳。社区办公室负责为服务中心各窗口、楼层指引牌和公告栏栏目名称增加英文，两个月内"
        "完成。Accepted: the community office adds English to the windows, direction signs "
        "and notice board headings within two months.",
        None,
        ("梳理需双语化的标识清单", "制作并安装中英双语标识", "公告栏栏目名称双语化"),
    ),
    (
        "signs-ko",
        "signs",
        "ko",
        "주민센터 안내판에 한국어도 표기해 주세요",
        "주민센터 창구 안내판에 한국어도 함께 표기해 주시면 한국 주민들이 훨씬 편할 것 같습니다.",
        "merged",
        "与“服务中心标识增加英文”建议合并办理：先完成中英双语标识，并在各窗口张贴含韩语的多语种"
        "二维码指引。",
        "signs-en",
        (),
    ),
    (
        "clinic-ko",
        "clinic",
        "ko",
        "보건소 한국어 이용 안내문을 만들어 주세요",
        "접수 방법, 진료 시간, 의료보험 정산 방법을 한국어로 정리한 안내문을 보건소에 비치해 "
        "주세요.",
        "accepted",
        "采纳。社区卫生服务站与区外籍人士服务中心合作编写韩语、英语就诊指南（挂号、就诊时间、"
        "医保结算），并公布志愿者翻译的预约方式。",
        None,
        ("编写韩语、英语就诊指南", "在卫生服务站和公众号发布"),
    ),
    (
        "class-ja",
        "class",
        "ja",
        "土曜日午前の中国語教室を開いてください",
        "土曜日の9時から11時まで、党群サービスセンターで初心者向けの中国語教室を開いてほしいです。",
        "accepted",
        "采纳。社区联合志愿者协会每周六上午在党群服务中心开设中文入门班，退休教师志愿授课。",
        None,
        ("招募志愿教师并编写教材", "开班（每周六9:00-11:00）"),
    ),
    (
        "noise-pt",
        "noise",
        "pt",
        "Proibir descargas de caminhões depois das 22h",
        "Peço que a comunidade proíba a descarga de caminhões perto do mercado entre 22h e 6h.",
        "not_adopted",
        "不予采纳：禁止夜间卸货超出社区职权。社区已将夜间噪声作为网格事件上报区生态环境分局和"
        "市场监管部门，并与市场管理方商定卸货改在早上6点以后。Not adopted: a ban is beyond the "
        "community's powers; the noise was reported as a grid case and the market agreed to "
        "unload after 6 a.m.",
        None,
        (),
    ),
    (
        "play-es",
        "play",
        "es",
        "Abrir el patio de la escuela los sábados",
        "Propongo abrir el patio de la escuela primaria los sábados por la tarde para que los "
        "niños jueguen.",
        "not_adopted",
        "不予采纳：学校场地开放由学校和区教育局决定，涉及安全管理。社区改为每周六14:00-17:00"
        "开放党群服务中心儿童活动室，欢迎家长带孩子参加。",
        None,
        (),
    ),
    (
        "macau-hant",
        "macau",
        "zh_Hant",
        "每月設一次澳門居民政策諮詢日",
        "建議每月第一個週六上午，邀請醫保、教育、出入境的工作人員到社區現場答疑。",
        "accepted",
        "采纳。每月第一个周六上午在党群服务中心设“澳门居民服务日”，邀请医保、教育、出入境窗口"
        "工作人员现场答疑。",
        None,
        ("协调医保、教育、出入境窗口", "举办第一次澳门居民服务日"),
    ),
    (
        "waste-en",
        "waste",
        "en",
        "Waste sorting guide in English with pictures",
        "A one-page guide in English and Chinese with pictures of what goes into each bin, at "
        "every collection point and in the residents' chat group.",
        "accepted",
        "采纳。社区已制作中英文图示版垃圾分类指引，张贴在各投放点并发到居民群。",
        None,
        ("设计中英文图示指引", "张贴到各投放点并发到居民群"),
    ),
)

SPAM_PROPOSAL = (
    "Fast visa and work permit service",
    "Visa extension in one day, no questions asked! Visit http://visa-fast.example.com "
    "or add WeChat fastvisa888. Visa extension in one day!",
)

# (discussion, language, text, by): by is "local", "staff", "macau" or "foreign"
COMMENTS = (
    ("signs", "zh_Hans", "支持！建议同时加上图标，老人看着也方便。", "local"),
    ("signs", "zh_Hans", "感谢建议，社区办公室正在统计需要更换的标识。", "staff"),
    (
        "clinic",
        "en",
        "The health station has a volunteer who speaks some Korean on Tuesdays.",
        "foreign",
    ),
    ("class", "zh_Hans", "我是退休教师，周六上午可以来当志愿者教中文。", "local"),
    ("noise", "ko", "저도 밤에 트럭 소리 때문에 잠을 잘 못 자요.", "foreign"),
    ("macau", "zh_Hant", "同意，我也是週末才有時間辦事。", "macau"),
    ("waste", "en", "Yes please, I never know where the milk cartons go.", "foreign"),
)
AD_COMMENT = ("play", "zh_Hans", "出售二手儿童自行车和电动车，九成新，价格好商量，有意私聊。")


def _international(
    session: Session,
    *,
    rng: random.Random,
    clock: Clock,
    counts: Counts,
    avoid: set[str],
) -> str | None:
    """The community with the most foreign residents runs the discussion loop."""
    foreign_by_community = _count_by_community(
        session, Resident.nationality.not_in(("CHN", "MAC", "HKG", "TWN"))
    )
    communities = {r.code: r for r in _communities(session)}
    ranked = sorted(
        ((n, code) for code, n in foreign_by_community.items() if code in communities),
        key=lambda item: (-item[0], item[1] in avoid, item[1]),
    )
    if ranked:
        code = ranked[0][1]
    else:
        rest = [c for c in communities if c not in avoid] or list(communities)
        if not rest:
            return None
        code = rest[0]
    name = communities[code].name
    start = clock.day(DAYS - 10, 9)
    people = _people(session, code)
    adults = [p for p in people if _age(p, clock.today) >= 18]
    foreign = [p for p in adults if p.nationality not in ("CHN", "MAC", "HKG", "TWN")]
    macau = [p for p in adults if p.doc_type == "hk_macau_permit"]
    locals_ = [p for p in adults if p.doc_type == "mainland_id"]
    secretary_user = _account(
        session,
        username=f"demo-secretary-{code}",
        role="branch_secretary",
        scope=code,
        display_name=f"{name}党委书记",
        now=start,
        counts=counts,
    )
    used: set[int] = set()
    chosen_for: dict[str, Person] = {}
    text_languages = {p.language for p in DISCUSSIONS} | {p[2] for p in PROPOSALS}

    def language_of(person: Person) -> str:
        return (person.language or "").replace("-", "_").split("_")[0]

    def author(language: str, *, fresh: bool = False) -> Person:
        """Who writes in ``language``: the same person each time for a foreign language
        or Traditional Chinese (someone who speaks it, where the community has one);
        a different neighbour each time for Simplified Chinese or when ``fresh``."""
        if language in chosen_for and language != "zh_Hans" and not fresh:
            return chosen_for[language]
        pools: list[list[Person]]
        if language == "zh_Hans":
            pools = [locals_, adults]
        elif language == "zh_Hant":
            pools = [macau, locals_, adults]
        else:
            same = [p for p in foreign if language_of(p) == language]
            others = [p for p in foreign if language_of(p) not in text_languages]
            pools = [same, others, foreign, macau, locals_, adults]
        pools = [pool for pool in pools if pool]
        chosen = next(
            (p for pool in pools for p in pool if p.id not in used),
            pools[0][0],
        )
        used.add(chosen.id)
        if not fresh:
            chosen_for.setdefault(language, chosen)
        return chosen

    users: dict[int, User] = {}

    def user_of(person: Person) -> User:
        if person.id not in users:
            users[person.id] = _account(
                session,
                username=f"demo-resident-{person.id}",
                role="resident",
                scope=person.grid_code,
                display_name=person.name,
                now=start,
                counts=counts,
                resident_id=person.id,
            )
        return users[person.id]

    if not adults:
        return None
    loop = Loop(
        session=session,
        rng=rng,
        clock=clock,
        counts=counts,
        code=code,
        staff=secretary_user,
        writer=lambda language, fresh: user_of(author(language, fresh=fresh)),
    )
    loop.plan()
    loop.run()
    return code


Task = Callable[[datetime], None]


@dataclass
class Loop:
    """The discussion loop of one community as a queue of dated events, run oldest
    first so that every service sees the world as it stood at that moment (the flood
    rule, for one, counts an author's posts of the last ten minutes)."""

    session: Session
    rng: random.Random
    clock: Clock
    counts: Counts
    code: str
    staff: User
    writer: Callable[[str, bool], User]
    events: list[tuple[datetime, int, Task]] = field(default_factory=list)
    sequence: Iterator[int] = field(default_factory=itertools.count)
    discussions: dict[str, int] = field(default_factory=dict)
    proposals: dict[str, int] = field(default_factory=dict)

    def at(self, moment: datetime, task: Task) -> None:
        heapq.heappush(self.events, (moment, next(self.sequence), task))

    def run(self) -> None:
        """Oldest first; a task may plan later events (a milestone done next month)."""
        heapq.heapify(self.events)
        while self.events:
            moment, _n, task = heapq.heappop(self.events)
            task(moment)

    def author(self, language: str, *, fresh: bool = False) -> User:
        return self.writer(language, fresh)

    def plan(self) -> None:
        rng, clock = self.rng, self.clock
        opened = sorted(rng.sample(range(40, DAYS - 12), len(DISCUSSIONS)), reverse=True)
        opened_ago = {post.key: ago for post, ago in zip(DISCUSSIONS, opened, strict=True)}
        for post in DISCUSSIONS:
            self.at(
                clock.day(opened_ago[post.key], rng.randint(8, 20), rng.randint(0, 59)),
                self._discussion(post),
            )
        for key, language, text, by in COMMENTS:
            ago = max(1, opened_ago[key] - rng.randint(1, 2))
            self.at(
                clock.day(ago, rng.randint(8, 21), rng.randint(0, 59)),
                self._comment(key, language, text, by),
            )
        submitted: dict[str, int] = {}
        for proposal in PROPOSALS:
            key, disc = proposal[0], proposal[1]
            submitted[key] = max(8, opened_ago[disc] - rng.randint(1, 4))
            self.at(
                clock.day(submitted[key], rng.randint(8, 21), rng.randint(0, 59)),
                self._proposal(proposal),
            )
        for proposal in PROPOSALS:
            key, into = proposal[0], proposal[7]
            answered = max(4, submitted[key] - rng.randint(3, 9))
            if into is not None:
                answered = min(answered, submitted[into] - 1)
            self.at(clock.day(answered, 10, 30), self._answer(proposal, answered))
        self.at(clock.day(3, 2, 14), self._spam)
        self.at(clock.day(5, 13, 5), self._advertisement)

    # each returns the task that does it when its moment comes

    def _discussion(self, post: Post) -> Task:
        def task(moment: datetime) -> None:
            writer = self.author(post.language)
            row = discussion.do_open_discussion(
                self.session,
                user=writer,
                actor=accounts.actor_for(writer),
                region_code=self.code,
                title=post.title,
                body=post.body,
                language=post.language,
                now=moment,
            )
            self.discussions[post.key] = row.id
            self.counts.add("discussions")

        return task

    def _comment(self, key: str, language: str, text: str, by: str) -> Task:
        def task(moment: datetime) -> None:
            if by == "staff":
                writer = self.staff
            else:
                writer = self.author({"local": "zh_Hans", "macau": "zh_Hant"}.get(by, language))
            discussion.do_comment(
                self.session,
                user=writer,
                actor=accounts.actor_for(writer),
                target_type="discussion",
                target_id=self.discussions[key],
                text=text,
                language=language,
                now=moment,
            )
            self.counts.add("comments")

        return task

    def _proposal(self, proposal: ProposalSpec) -> Task:
        key, disc, language, title, body = proposal[:5]

        def task(moment: datetime) -> None:
            writer = self.author(language)
            row = discussion.do_submit_proposal(
                self.session,
                user=writer,
                actor=accounts.actor_for(writer),
                title=title,
                body=body,
                language=language,
                discussion_id=self.discussions[disc],
                now=moment,
            )
            self.proposals[key] = row.id
            self.counts.add("proposals")
            self.counts.add("held", int(row.held))

        return task

    def _answer(self, proposal: ProposalSpec, answered_ago: int) -> Task:
        key, answer, reason, into, milestones = (
            proposal[0],
            proposal[5],
            proposal[6],
            proposal[7],
            proposal[8],
        )

        def task(moment: datetime) -> None:
            staff = accounts.actor_for(self.staff)
            answered = discussion.do_answer_proposal(
                self.session,
                user=self.staff,
                actor=staff,
                proposal_id=self.proposals[key],
                decision=answer,
                reason=reason,
                merged_into_id=self.proposals[into] if into else None,
                now=moment,
            )
            self.counts.add(f"proposals_{answer}")
            if answered.implementation is None:
                return
            self.counts.add("governance_actions")
            self._govern(answered.implementation.id, key, milestones, answered_ago, staff)

        return task

    def _govern(
        self,
        implementation_id: int,
        key: str,
        titles: Sequence[str],
        answered_ago: int,
        staff: Actor,
    ) -> None:
        """Milestones planned the day of the answer; all but the last done (all of them,
        and the action completed, for the waste-sorting guide), with dated updates."""
        clock = self.clock
        finish_all = key == "waste-en"
        step = max((answered_ago - 1) // len(titles), 1)
        rows = [
            deliberation.do_add_milestone(
                self.session,
                actor=staff,
                implementation_id=implementation_id,
                title=title,
                due_on=clock.local_date(answered_ago - (n + 1) * step + (0 if finish_all else -10)),
                now=clock.day(answered_ago, 11),
            )
            for n, title in enumerate(titles)
        ]
        self.counts.add("milestones", len(rows))
        done = rows if finish_all else rows[: max(1, len(rows) - 1)]
        for n, milestone in enumerate(done):
            done_ago = max(1, answered_ago - (n + 1) * step)
            self.at(
                clock.day(done_ago, 17),
                self._progress(
                    milestone.id,
                    implementation_id,
                    milestone.title,
                    round(100 * (n + 1) / len(rows)),
                    staff,
                ),
            )
        if finish_all:
            last = max(1, answered_ago - len(done) * step)
            self.at(clock.day(last, 18), self._complete(implementation_id, staff))
        elif key == "signs-en":
            self.at(clock.day(1, 19, 40), self._supervise(implementation_id))

    def _progress(
        self, milestone_id: int, implementation_id: int, title: str, progress: int, staff: Actor
    ) -> Task:
        def task(moment: datetime) -> None:
            deliberation.do_mark_milestone_done(
                self.session,
                actor=staff,
                milestone_id=milestone_id,
                done_on=moment.astimezone(self.clock.tz).date(),
                now=moment,
            )
            deliberation.do_post_update(
                self.session,
                actor=staff,
                implementation_id=implementation_id,
                text=f"已完成：{title}。",
                progress=progress,
                now=moment + timedelta(minutes=20),
            )
            self.counts.add("updates")

        return task

    def _complete(self, implementation_id: int, staff: Actor) -> Task:
        def task(moment: datetime) -> None:
            deliberation.do_complete_implementation(
                self.session,
                actor=staff,
                implementation_id=implementation_id,
                note="指引已张贴到全部投放点，居民群已转发。",
                now=moment,
            )

        return task

    def _supervise(self, implementation_id: int) -> Task:
        def task(moment: datetime) -> None:
            watcher = self.author("zh_Hant")
            discussion.do_comment(
                self.session,
                user=watcher,
                actor=accounts.actor_for(watcher),
                target_type="implementation",
                target_id=implementation_id,
                supervision=True,
                text="一樓窗口的英文標識已經裝好，二樓公告欄的欄目名稱還沒有換，請跟進。",
                language="zh_Hant",
                now=moment,
            )
            self.counts.add("supervision_comments")

        return task

    def _spam(self, moment: datetime) -> None:
        """A link-laden advertisement posted as a proposal: held for the moderators, and
        nobody answers it."""
        spammer = self.author("en", fresh=True)
        row = discussion.do_submit_proposal(
            self.session,
            user=spammer,
            actor=accounts.actor_for(spammer),
            title=SPAM_PROPOSAL[0],
            body=SPAM_PROPOSAL[1],
            language="en",
            region_code=self.code,
            now=moment,
        )
        self.counts.add("proposals")
        self.counts.add("held", int(row.held))

    def _advertisement(self, moment: datetime) -> None:
        """An advertisement in a discussion: reported by a reader, hidden with a reason."""
        seller = self.author("zh_Hans")
        ad = discussion.do_comment(
            self.session,
            user=seller,
            actor=accounts.actor_for(seller),
            target_type="discussion",
            target_id=self.discussions[AD_COMMENT[0]],
            text=AD_COMMENT[2],
            language=AD_COMMENT[1],
            now=moment,
        )
        self.counts.add("comments")
        reporter = self.author("es")
        discussion.do_report(
            self.session,
            user=reporter,
            actor=accounts.actor_for(reporter),
            target_type="comment",
            target_id=ad.id,
            reason="Esto es publicidad, no tiene nada que ver con la discusión.",
            now=moment + timedelta(hours=5, minutes=35),
        )
        discussion.do_hide(
            self.session,
            user=self.staff,
            actor=accounts.actor_for(self.staff),
            target_type="comment",
            target_id=ad.id,
            reason="商业广告，与本讨论无关（社区讨论公约第三条）。",
            now=moment + timedelta(hours=20, minutes=10),
        )
        self.counts.add("hidden")


# ---------------------------------------------------------------- the election


ELECTION_RULES = """\
# 横琴's practice: Macau residents living in the community vote and stand.
eligibility:
  min_age: 18
  residence_in_region: true
  include_macau_residents: true
  include_foreign_residents: false
tie_break: runoff
winning_share: "1/2"
"""
SEATS = (3, 2)
STATEMENTS = (
    "在社区居住二十多年，熟悉街坊情况，愿意为大家反映意见、跑腿办事。",
    "退休教师，希望推动社区四点半课堂和长者饭堂建设。",
    "在澳门工作、在社区安家，愿意做澳门居民和社区之间的桥梁。",
    "个体经营户，关注农贸市场周边环境和停车秩序。",
    "社区志愿者服务队队长，参与防台风、疫苗接种等志愿服务五年。",
    "物业小区业委会成员，关注老旧小区加装电梯和消防通道。",
    "年轻党员，愿意用线上方式多听年轻租户的声音。",
)


def _permit_holders(session: Session) -> list[Person]:
    """Everyone on a Hong Kong and Macau travel permit (回乡证), by id."""
    rows = session.execute(
        select(
            Resident.id,
            Resident.name,
            Resident.grid_code,
            Resident.birth_date,
            Resident.doc_type,
            Resident.nationality,
            Resident.language,
        )
        .where(Resident.doc_type == "hk_macau_permit")
        .order_by(Resident.id)
    ).all()
    return [Person(*row) for row in rows]


def _is_macau(session: Session, person: Person) -> bool:
    resident = session.get(Resident, person.id)
    return resident is not None and elections.voter_of(session, resident).macau_resident


def _election(
    session: Session,
    *,
    rng: random.Random,
    clock: Clock,
    counts: Counts,
    avoid: set[str],
) -> int | None:
    """A community with two grids or more elects its deliberation representatives: two
    constituencies (its first two grids), 3 + 2 seats. The demo's own branch secretary
    runs it where their community qualifies (so signing in as ``demo-secretary`` shows
    it), with ``demo-unit`` as the clerk; otherwise the community with the most Macau
    residents, with accounts of its own."""
    demo_secretary = _existing(session, DEMO_SECRETARY, "branch_secretary")
    macau_adults: dict[str, list[Person]] = {}
    for person in _permit_holders(session):
        if 25 <= _age(person, clock.today) <= 68 and _is_macau(session, person):
            macau_adults.setdefault(person.grid_code[:12], []).append(person)
    choices = []
    for region in _communities(session):
        grids = _grids(session, region.code)
        if len(grids) < 2:
            continue
        here = macau_adults.get(region.code, [])
        mine = demo_secretary is not None and demo_secretary.scope == region.code
        choices.append(
            (not (mine and here), region.code in avoid, -len(here), region.code, region.name)
        )
    if not choices:
        return None
    *_ranks, code, name = min(choices)
    grids = _grids(session, code)
    # Two constituencies: a grid where Macau residents live, the demo resident's grid
    # (so that their account has voted), then the others by code.
    resident = _existing(session, DEMO_RESIDENT, "resident")
    theirs = [resident.scope] if resident is not None and resident.scope in grids else []
    macau_grids = [p.grid_code for p in macau_adults.get(code, [])][:1]
    ordered = list(dict.fromkeys(macau_grids + theirs + grids))
    first, second = sorted(g for g in ordered[:2])
    start = clock.day(24, 9)
    secretary_user = _staff(
        session,
        demo=DEMO_SECRETARY,
        username=f"demo-secretary-{code}",
        role="branch_secretary",
        code=code,
        display_name=f"{name}党委书记",
        now=start,
        counts=counts,
    )
    clerk_user = _staff(
        session,
        demo=DEMO_CLERK,
        username=f"demo-clerk-{code}",
        role="unit_staff",
        code=code,
        display_name=f"{name}选举工作人员",
        now=start,
        counts=counts,
    )
    secretary = accounts.actor_for(secretary_user)
    clerk = accounts.actor_for(clerk_user)
    grid_names = {
        str(grid): str(grid_name)
        for grid, grid_name in session.execute(
            select(Region.code, Region.name).where(Region.code.in_([first, second]))
        )
    }
    opens, closes = clock.day(6, 8), clock.day(5, 18)
    election = elections.do_create_election(
        session,
        actor=secretary,
        region_code=code,
        title=f"{name}第一届居民议事代表选举",
        constituencies=[
            elections.ConstituencyInput(f"第一选区（{grid_names[first]}）", first, SEATS[0]),
            elections.ConstituencyInput(f"第二选区（{grid_names[second]}）", second, SEATS[1]),
        ],
        voting_opens_at=opens,
        voting_closes_at=closes,
        rules_yaml=ELECTION_RULES,
        now=start,
    )
    counts.add("elections")
    constituencies = elections.constituencies_of(session, election.id)
    by_grid = {c.region_code: c for c in constituencies}
    day = elections.election_day(election)
    people = [p for p in _people(session, code) if p.grid_code in by_grid]
    adults = [p for p in people if 25 <= _age(p, day) <= 68 and p.doc_type != "passport"]
    macau = [p for p in adults if p.doc_type == "hk_macau_permit" and _is_macau(session, p)]
    locals_ = [p for p in adults if p.doc_type == "mainland_id"]
    nominees: list[tuple[Person, int]] = []  # (person, constituency id)
    for grid, seats in ((first, SEATS[0]), (second, SEATS[1])):
        constituency = by_grid[grid]
        here_macau = [p for p in macau if p.grid_code == grid][:1]
        here = [p for p in locals_ if p.grid_code == grid]
        picks = here_macau + rng.sample(here, min(len(here), seats + 1 - len(here_macau)))
        nominees += [(p, constituency.id) for p in picks]
    # One nominee is refused at review: too young on election day (or, failing that,
    # a foreign resident, whom these rules leave out).
    minors = sorted(
        (p for p in people if 0 <= _age(p, day) < 18 and p.grid_code == first),
        key=lambda p: (p.birth_date or day, p.id),
    )
    refused = minors or [p for p in people if p.doc_type == "passport"]
    nominated_ids: set[int] = set()
    for n, (person, constituency_id) in enumerate(nominees):
        if person.grid_code not in by_grid or person.id in nominated_ids:
            continue
        elections.do_nominate(
            session,
            actor=secretary,
            election_id=election.id,
            constituency_id=constituency_id,
            resident_id=person.id,
            statement=STATEMENTS[n % len(STATEMENTS)],
            now=clock.day(22 - n % 5, 10, 5 * n),
        )
        nominated_ids.add(person.id)
        counts.add("candidates")
    if refused:
        young = refused[0]
        elections.do_nominate(
            session,
            actor=secretary,
            election_id=election.id,
            constituency_id=by_grid[young.grid_code].id,
            resident_id=young.id,
            statement="高三学生，想为社区青少年发声。",
            now=clock.day(18, 16),
        )
        counts.add("candidates")
    elections.do_open_review(
        session, actor=secretary, election_id=election.id, now=clock.day(14, 9)
    )
    counts.add(
        "candidates_refused",
        sum(1 for c in elections.candidates_of(session, election.id) if c.state == "ineligible"),
    )
    elections.do_open_voting(session, actor=secretary, election_id=election.id, now=clock.day(8, 9))
    _ballots(
        session,
        rng=rng,
        clerk=clerk,
        election_id=election.id,
        voters=people,
        opens=opens,
        closes=closes,
        counts=counts,
    )
    elections.do_count(
        session, actor=secretary, election_id=election.id, now=closes + timedelta(hours=1)
    )
    notice = elections.do_publish(
        session, actor=secretary, election_id=election.id, now=clock.day(4, 10)
    )
    notices.do_attach_board_photo(
        session,
        actor=secretary,
        notice_id=notice.id,
        name="选举结果公告.png",
        content_type="image/png",
        data=png(rng),
        now=clock.day(4, 11),
    )
    counts.add("notices_posted")
    counts.add("files")
    return election.id


def _ballots(
    session: Session,
    *,
    rng: random.Random,
    clerk: Actor,
    election_id: int,
    voters: Sequence[Person],
    opens: datetime,
    closes: datetime,
    counts: Counts,
) -> None:
    """A few hundred paper ballots recorded by the clerk over the voting window; each
    voter marks the candidates they favour, at most the seats, most popular first."""
    election = elections.get_election(session, election_id)
    day = elections.election_day(election)
    candidates = [c for c in elections.candidates_of(session, election_id) if c.state == "eligible"]
    popularity: dict[int, float] = {}
    for constituency in elections.constituencies_of(session, election_id):
        standing = [c for c in candidates if c.constituency_id == constituency.id]
        shares = [0.82, 0.71, 0.63, 0.31, 0.22][: len(standing)]
        if len(standing) <= constituency.seats:
            shares = [0.8] * len(standing)
        else:
            # The last seats are contested: the runners-up well below half.
            shares = [0.82, 0.71, 0.63][: constituency.seats] + [0.31, 0.22, 0.15][
                : len(standing) - constituency.seats
            ]
        order = rng.sample(standing, len(standing))
        for candidate, share in zip(order, shares, strict=True):
            popularity[candidate.id] = share
    by_constituency: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_constituency.setdefault(candidate.constituency_id, []).append(candidate)
    seats = {c.id: c.seats for c in elections.constituencies_of(session, election_id)}
    grid_of = {c.region_code: c.id for c in elections.constituencies_of(session, election_id)}
    eligible = [
        p
        for p in voters
        if _age(p, day) >= 18 and p.doc_type != "passport" and p.grid_code in grid_of
    ]
    standing_ids = {c.resident_id for c in candidates}

    def marks(constituency_id: int) -> list[int]:
        standing = by_constituency.get(constituency_id, [])
        marked = [c for c in standing if rng.random() < popularity[c.id]]
        marked.sort(key=lambda c: -popularity[c.id])
        return [c.id for c in marked[: seats[constituency_id]]]

    # The demo's resident account, linked to a neighbour in its grid, votes online.
    online = _existing(session, DEMO_RESIDENT, "resident")
    if online is not None and online.scope in grid_of:
        if online.resident_id is None:
            linked = set(
                session.scalars(select(User.resident_id).where(User.resident_id.is_not(None)))
            )
            pick = next(
                (
                    p
                    for p in eligible
                    if p.grid_code == online.scope
                    and p.doc_type == "mainland_id"
                    and p.id not in linked | standing_ids
                ),
                None,
            )
            if pick is not None:
                _link(session, online, pick.id, opens - timedelta(days=3))
                counts.add("accounts_linked")
        if online.resident_id is not None:
            home = session.get_one(Resident, online.resident_id)
            if home.grid_code in grid_of:
                elections.do_vote(
                    session,
                    actor=accounts.actor_for(online),
                    election_id=election_id,
                    resident_id=online.resident_id,
                    choices=marks(grid_of[home.grid_code]),
                    now=opens + timedelta(hours=3, minutes=12),
                )
                counts.add("ballots")
                eligible = [p for p in eligible if p.id != online.resident_id]
    turnout = min(len(eligible), rng.randint(280, 340))
    chosen = rng.sample(eligible, turnout)
    span = (closes - opens).total_seconds() - 3600
    moments = sorted(opens + timedelta(seconds=rng.uniform(0, span)) for _ in chosen)
    for person, moment in zip(chosen, moments, strict=True):
        try:
            elections.do_record_paper_ballot(
                session,
                actor=clerk,
                election_id=election_id,
                resident_id=person.id,
                choices=marks(grid_of[person.grid_code]),
                now=moment,
            )
        except DomainError:
            continue  # not eligible after all (the register says why): no ballot
        counts.add("ballots")


# ---------------------------------------------------------------- the whole


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    """Four months of deliberation ending at ``now``; returns counts of what was made."""
    clock = Clock(now, tz)
    counts = Counts()
    with db.transaction() as session:
        village = _village(session, rng=rng, clock=clock, counts=counts)
    avoid = {village.code} if village else set()
    with db.transaction() as session:
        international = _international(session, rng=rng, clock=clock, counts=counts, avoid=avoid)
    if international:
        avoid.add(international)
    with db.transaction() as session:
        _election(session, rng=rng, clock=clock, counts=counts, avoid=avoid)
    with db.transaction() as session:
        swept = notices.sweep(session, now=now, actor=Actor.system("sweep"))
    counts.add("notices_closed", swept["closed"])
    counts.add("reminders", swept["reminders"])
    return dict(sorted(counts.values.items()))
