"""The village's routine disclosures as a script drawn from the calendar: finances on the
6th of every month for the month before (one month's question answered), village
affairs at the start of every quarter, and party affairs once, two quarters ago — so it
is overdue now and the sweep reminds the village. The amounts are drawn as each notice
is drafted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from gridgov.deliberation import notices
from gridgov.deliberation.rules import NoticeKind
from gridgov.demo.deliberation.common import DAYS
from gridgov.demo.deliberation.script import (
    Answer,
    At,
    CloseWhenDue,
    Object,
    Player,
    Publish,
    Scene,
    Step,
)


def month_start(day: date, back: int) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Draft:
    """Draft a routine disclosure of ``kind`` for the period ``year``/``part`` (a month
    for finances, a quarter otherwise), kept under ``key``."""

    key: str
    kind: NoticeKind
    year: int
    part: int

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        title, body, channels = self.text(scene)
        scene.notices[self.key] = scene.act(
            who,
            moment,
            notices.do_draft,
            region_code=scene.code,
            kind=self.kind,
            title=title,
            body=body,
            channels=channels,
        )
        scene.counts.add("notices")

    def text(self, scene: Scene) -> tuple[str, str, tuple[str, ...]]:
        name, rng, year, part = scene.name, scene.rng, self.year, self.part
        if self.kind is NoticeKind.FINANCES:
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
                    f"{name}{year}年{part}月财务收支情况公开如下（单位：元）：",
                    f"本月收入合计 {income:,}，其中：",
                    *(f"  {item} {amount:,}" for item, amount in lines),
                    f"本月支出合计 {sum(a for _, a in expenses):,}，其中：",
                    *(f"  {item} {amount:,}" for item, amount in expenses),
                    "原始凭证在社区财务室备查，经社区监督委员会审核。对公开内容有疑问的，请在公示期内提出。",
                ]
            )
            return f"{name}{year}年{part}月财务收支公开", body, ("portal", "board", "chat")
        if self.kind is NoticeKind.VILLAGE_AFFAIRS:
            return (
                f"{name}{year}年第{part}季度村（居）务公开",
                (
                    f"一、本季度召开两委联席会议3次、村（居）民代表会议1次，议题及表决结果见各次决议公开。\n"
                    f"二、低保、特困供养对象本季度无新增，临时救助2户共3600元。\n"
                    f"三、集体厂房出租、巷道路灯改造等重点事项进展情况见“议事”栏目。\n"
                    f"四、本季度受理居民诉求{rng.randint(40, 70)}件，已办结的在网格事件中可查。"
                ),
                ("portal", "board"),
            )
        return (
            f"{name}党委{year}年第{part}季度党务公开",
            (
                "一、本季度召开支部委员会6次、党员大会1次，开展主题党日3次。\n"
                "二、发展党员：确定入党积极分子2名。\n"
                "三、党费收缴情况：应缴、实缴人数及金额见公开栏附表。"
            ),
            ("portal", "board"),
        )


def _routine(key: str, draft: Draft, days_ago: int, close: bool) -> list[Step]:
    """Drafted the afternoon before, posted at ten and photographed on the board."""
    return [
        Step(At(days_ago + 1, 16), "secretary", draft),
        Step(At(days_ago, 10), "secretary", Publish(key, close=close)),
    ]


def disclosure_script(today: date) -> list[Step]:
    script: list[Step] = []
    for back in range(4, -1, -1):
        first = month_start(today, back)
        days_ago = (today - (first + timedelta(days=5))).days
        if days_ago < 1 or days_ago > DAYS:
            continue
        covered = month_start(first, 1)
        key = f"finances-{covered.year}-{covered.month}"
        script += _routine(
            key, Draft(key, NoticeKind.FINANCES, covered.year, covered.month), days_ago, False
        )
        if back == 2 and days_ago > 3:
            script += [
                Step(
                    At(days_ago - 1, 20),
                    "villager",
                    Object(key, key, "本月巷道保洁费比上个月多了不少，是什么原因？", "question"),
                ),
                Step(
                    At(days_ago - 2, 11),
                    "secretary",
                    Answer(
                        key,
                        "本月台风过后增加了两次全面清扫和清淤，费用经两委会议审核，票据在社区"
                        "财务室可查阅。",
                    ),
                ),
            ]
        script.append(Step(At(days_ago, 10), "secretary", CloseWhenDue(key)))
    for back in range(4, -1, -1):
        first = month_start(today, back)
        if first.month % 3 != 1:
            continue
        days_ago = (today - (first + timedelta(days=9))).days
        if days_ago < 1 or days_ago > DAYS:
            continue
        quarter = (first.month - 1) // 3  # the quarter just ended: 0 means Q4 of last year
        year = first.year if quarter else first.year - 1
        key = f"affairs-{year}-{quarter or 4}"
        draft = Draft(key, NoticeKind.VILLAGE_AFFAIRS, year, quarter or 4)
        script += _routine(key, draft, days_ago, True)
    quarter_start = month_start(today, (today.month - 1) % 3)
    before_last = month_start(quarter_start, 6) + timedelta(days=14)
    days_ago = (today - before_last).days
    quarter = (before_last.month - 1) // 3 + 1
    draft = Draft("party", NoticeKind.PARTY_AFFAIRS, before_last.year, quarter)
    return script + _routine("party", draft, days_ago, True)
