"""The demo district's enterprise service desk (七个优先) and branch brands (一支部一品牌).

- **Service records**: the register's enterprises (15 of the 40 Macau-funded) get six
  months of services across the seven priorities, recorded by their street office's
  staff (``staff-s<street>``): a Macau-funded enterprise a dozen or more, covering
  three to all seven of the priorities, the others a few. Inserted in bulk.
- **Requests** in every state, through the services as the street office's staff
  would handle them: received (some already overdue), accepted (some overdue, some
  taken on by a party organisation: the district department's organ branch whose work
  it is, or the street's working committee), resolved (some late) and declined.
- **Party members of the organ branches**: the members each organ branch enrolled as
  part-time grid workers are its party members (bulk).
- **Brands** for the organ branches with pairings (kept by the district administrator,
  who made the pairings) and for 头村's party committee and its grid branches (kept by
  the village's branch secretary), most of them published at ``/brand/{code}``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.accounts import service as accounts
from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.clock import local_today
from gridgov.db import Database
from gridgov.demo.bulk import insert_rows
from gridgov.demo.geography import DISTRICT_CODE
from gridgov.errors import NotFound
from gridgov.outreach import brands, enterprises
from gridgov.outreach.enterprise_models import EnterpriseRequest, ServiceRecord
from gridgov.outreach.enterprise_rules import PRIORITY_ORDER, Priority
from gridgov.outreach.models import PairedWorker, Pairing
from gridgov.registry.models import Organisation, PersonRoleRow
from gridgov.territory.models import Region

DAYS = 180
ADMIN = Actor(username="demo-admin", role="admin", scope=DISTRICT_CODE)
SHICHA_VILLAGE = "头村社区"
R = TypeVar("R")

SERVICES: dict[Priority, tuple[tuple[str, str], ...]] = {
    Priority.POLICY: (
        ("上门讲解横琴粤澳深度合作区企业所得税优惠政策", "企业已提交优惠备案"),
        ("解读澳资企业跨境用工社保政策", "企业明确了参保方式"),
        ("推送本季度惠企政策清单并逐条答疑", "企业申报两项补贴"),
    ),
    Priority.APPROVAL: (
        ("开辟绿色通道，代办食品经营许可证延续", "三个工作日办结"),
        ("协助办理外商投资企业变更登记", "当日办结"),
        ("帮办厂房消防验收预约", "验收已排期"),
    ),
    Priority.TALENT_HOUSING: (
        ("协调人才公寓，安排澳门员工入住", "两名员工已入住"),
        ("协助办理港澳居民居住证", "已取证"),
        ("对接职业技能培训班名额", "五名员工报名"),
    ),
    Priority.FINANCING: (
        ("组织银企对接会，推荐纾困贷款产品", "获批授信三百万元"),
        ("协助申请贷款贴息", "贴息材料已受理"),
        ("对接跨境人民币结算服务", "开通结算账户"),
    ),
    Priority.SITE: (
        ("推荐标准厂房及仓储用地", "企业已实地考察"),
        ("协调园区临时堆场", "已落实场地"),
        ("协助办理厂房租赁备案", "备案完成"),
    ),
    Priority.DISPUTE: (
        ("调解企业与供应商货款纠纷", "双方达成分期付款协议"),
        ("调处员工劳动报酬争议", "当场化解"),
        ("协调厂区周边噪声投诉", "企业调整作业时间"),
    ),
    Priority.PARTY_BUILDING: (
        ("指导企业成立党支部筹备工作", "已确定党员名单"),
        ("派驻党建指导员开展主题党日", "二十人参加"),
        ("指导企业党组织开展“亮身份”活动", "党员岗位已挂牌"),
    ),
}
REQUESTS: dict[Priority, tuple[str, ...]] = {
    Priority.POLICY: ("咨询研发费用加计扣除政策适用范围", "了解澳门专业资格在本地执业的政策"),
    Priority.APPROVAL: ("申请缩短环评审批时限", "办理道路运输经营许可"),
    Priority.TALENT_HOUSING: ("为三名澳门技术人员申请人才公寓", "申请员工子女入学协调"),
    Priority.FINANCING: ("申请中小企业应急转贷资金", "对接澳门银行跨境融资"),
    Priority.SITE: ("扩建生产线，申请增加厂房面积", "申请临时仓储场地"),
    Priority.DISPUTE: ("与物业公司就水电费分摊发生争议", "调解与相邻企业的通道使用纠纷"),
    Priority.PARTY_BUILDING: ("申请派驻党建指导员", "希望与机关党支部结对共建"),
}
REPLIES = (
    "已协调相关部门办结，结果已告知企业",
    "已按政策办理，企业表示满意",
    "已现场协调解决",
)
DECLINES = (
    "不符合现行政策条件，已说明理由并提供替代方案",
    "属市级事权，已告知企业办理渠道",
)
# Which district department's organ branch takes on a priority's requests.
DEPARTMENT_OF: dict[Priority, str] = {
    Priority.POLICY: "区政务服务数据管理局",
    Priority.APPROVAL: "区市场监督管理局",
    Priority.TALENT_HOUSING: "区人力资源和社会保障局",
    Priority.SITE: "区住房和城乡建设局",
}
BRANDS = (
    ("红色引擎·服务先锋", "支部建在项目上，服务送到企业中"),
    ("党建聚力·共建共享", "结对共建，一起办好群众身边事"),
    ("先锋网格", "支部建在网格上，党员走在前头"),
    ("暖心红帆", "小事不出网格，大事不出社区"),
)


def _street_staff(session: Session, street: str) -> Actor:
    """The street office's staff account (made by ``staff``), else the administrator."""
    try:
        return accounts.actor_for(
            accounts.get_user_by_username(session, username=f"staff-s{street}")
        )
    except NotFound:
        return ADMIN


@dataclass(frozen=True)
class _Streets:
    """The enterprises and the street offices that serve them (``staff``: a street's
    code → its office's account), in a session, on a day."""

    session: Session
    rng: random.Random
    orgs: list[Organisation]
    staff: dict[str, Actor]
    now: datetime
    today: date

    def on_request(
        self, command: Callable[..., R], actor: Actor, request: EnterpriseRequest, /, **kwargs: Any
    ) -> R:
        """A step of a request's handling by the street's ``actor``."""
        return command(
            self.session, actor=actor, request=request, today=self.today, now=self.now, **kwargs
        )


def _records(streets: _Streets) -> int:
    rng, staff, now, today = streets.rng, streets.staff, streets.now, streets.today
    rows: list[dict[str, Any]] = []
    for org in streets.orgs:
        if org.macau_funded:
            kinds = rng.sample(PRIORITY_ORDER, rng.randint(3, 7))
            count = rng.randint(10, 20)
        else:
            kinds = rng.sample(PRIORITY_ORDER, rng.randint(1, 3))
            count = rng.randint(1, 5)
        for n in range(count):
            priority = kinds[n % len(kinds)]
            done, outcome = rng.choice(SERVICES[priority])
            rows.append(
                {
                    "enterprise_id": org.id,
                    "region_code": org.region_code,
                    "priority": priority.value,
                    "served_on": today - timedelta(days=rng.randint(0, DAYS)),
                    "served_by": staff[org.region_code].username,
                    "done": done,
                    "outcome": outcome,
                    "created_at": now,
                }
            )
    return insert_rows(streets.session, ServiceRecord, rows)


def _requests(streets: _Streets) -> dict[str, int]:
    session, rng, orgs, today = streets.session, streets.rng, streets.orgs, streets.today
    organ = {
        name.removesuffix("机关党支部").removeprefix("汕头市濠江"): oid
        for oid, name in session.execute(
            select(Organisation.id, Organisation.name).where(
                Organisation.name.endswith("机关党支部"), Organisation.kind == "party_branch"
            )
        )
    }
    committees = dict(
        session.execute(
            select(Organisation.region_code, Organisation.id).where(
                Organisation.code.in_([f"P{o.region_code}" for o in orgs])
            )
        ).all()
    )
    counts = {"received": 0, "accepted": 0, "resolved": 0, "declined": 0}
    # the first four go one to each state, so even a small world shows them all
    first = [0.9, 0.3, 0.2, 0.05]
    for org in orgs:
        actor = streets.staff[org.region_code]
        for _ in range(rng.randint(3, 5) if org.macau_funded else rng.randint(0, 2)):
            priority = rng.choice(PRIORITY_ORDER)
            received = today - timedelta(days=rng.randint(0, 150))
            request = enterprises.do_receive_request(
                session,
                actor=actor,
                enterprise=org,
                priority=priority,
                ask=rng.choice(REQUESTS[priority]),
                received_on=received,
                today=today,
                now=streets.now,
            )
            age = (today - received).days
            roll = first.pop() if first else rng.random()
            if roll < 0.15 or age < 2:
                counts["received"] += 1  # waiting; overdue when old enough
                continue
            # closed: (resolved, the reply, on)
            closed: tuple[bool, str, date]
            if roll < 0.25:
                reply = rng.choice(DECLINES)
                closed = (False, reply, received + timedelta(days=rng.randint(1, min(age, 10))))
            else:
                accepted = received + timedelta(days=rng.randint(1, min(age, 3)))
                department = DEPARTMENT_OF.get(priority)
                branch = organ.get(department or "") if rng.random() < 0.7 else None
                if branch is None and rng.random() < 0.5:
                    branch = committees.get(org.region_code)
                streets.on_request(
                    enterprises.do_accept_request, actor, request, on=accepted, branch_id=branch
                )
                left = (today - accepted).days
                if roll < 0.4 or left < 1:
                    counts["accepted"] += 1  # in hand; overdue past its day
                    continue
                # most answered within the priority's days, some late
                span = (request.due_on - accepted).days
                days = (
                    rng.randint(1, max(1, span)) if rng.random() < 0.8 else span + rng.randint(1, 9)
                )
                closed = (True, rng.choice(REPLIES), min(today, accepted + timedelta(days=days)))
            resolved, reply, on = closed
            streets.on_request(
                enterprises.do_close_request, actor, request, resolved=resolved, reply=reply, on=on
            )
            counts["resolved" if resolved else "declined"] += 1
    return counts


def _organ_members(session: Session, today: date) -> int:
    """The members an organ branch enrolled as grid workers are its party members."""
    rows = session.execute(
        select(PairedWorker.resident_id, Pairing.branch_id, PairedWorker.since)
        .join(Pairing, Pairing.id == PairedWorker.pairing_id)
        .order_by(PairedWorker.id)
    ).all()
    seen: set[tuple[int, int]] = set()
    members: list[dict[str, Any]] = []
    for resident, branch, since in rows:
        if (resident, branch) in seen:
            continue
        seen.add((resident, branch))
        members.append(
            {
                "resident_id": resident,
                "role": "party_member",
                "region_code": DISTRICT_CODE,
                "organisation_id": branch,
                "full_time": False,
                "since": since - timedelta(days=365 * 5),
            }
        )
    return insert_rows(session, PersonRoleRow, members)


def _secretary(session: Session, code: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == f"demo-secretary-{code}"))
    return accounts.actor_for(user) if user is not None else None


def _brands(session: Session, rng: random.Random, now: datetime) -> int:
    made = 0
    organs = session.scalars(select(Pairing.branch_id).distinct().order_by(Pairing.branch_id)).all()
    keepers: list[tuple[int, Actor, int]] = [(b, ADMIN, 0) for b in organs]
    village = session.scalar(
        select(Region.code).where(Region.level == "community", Region.name == SHICHA_VILLAGE)
    )
    if village is not None and (secretary := _secretary(session, village)) is not None:
        ours = session.scalars(
            select(Organisation.id)
            .where(
                Organisation.region_code.startswith(village),
                Organisation.kind.in_(("party_committee", "party_branch")),
            )
            .order_by(Organisation.code)
        ).all()
        keepers += [(b, secretary, 2) for b in ours]
    for n, (branch_id, actor, style) in enumerate(keepers):
        branch = brands.get_branch(session, branch_id=branch_id)
        name, slogan = BRANDS[style + n % 2]
        brands.do_save_brand(
            session,
            actor=actor,
            branch=branch,
            name=name,
            slogan=slogan,
            description=f"{branch.name}：{slogan}。",
            published=rng.random() < 0.8,
            now=now,
        )
        made += 1
    return made


def simulate(db: Database, *, rng: random.Random, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    today = local_today(now, tz)
    with db.transaction() as session:
        orgs = list(
            session.scalars(
                select(Organisation)
                .where(Organisation.kind == "enterprise")
                .order_by(Organisation.code)
            )
        )
        staff = {code: _street_staff(session, code) for code in {o.region_code for o in orgs}}
        streets = _Streets(session, rng, orgs, staff, now, today)
        counts = {"enterprise_services": _records(streets)}
        counts.update({f"requests_{k}": v for k, v in _requests(streets).items()})
        counts["organ_members"] = _organ_members(session, today)
        counts["brands"] = _brands(session, rng, now)
    return counts
