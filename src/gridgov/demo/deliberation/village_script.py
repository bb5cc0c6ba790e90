"""The village's four matters as a script: who does what, when (days before now).

- the collective factory's lease: all four deliberations, the resolution disclosed (a
  villager objects, the secretary answers), carried out with milestones and updates,
  the result disclosed: COMPLETED;
- the square turned car park: rejected by the representatives' meeting, more than half
  of those present against; the chain ends there;
- the lane lights (一肩挑): the proposal merges into the two committees' deliberation;
  the Party members' meeting is convened for next week;
- the land compensation: for the villagers' meeting itself, convened with ten days'
  notice.

The parts: ``secretary`` (the branch secretary, who chairs the residents' committee),
``clerk`` (the community's staff member who minutes the meetings), ``supervisor`` (the
supervision committee's chair) and ``villager`` (anyone, unsigned)."""

from __future__ import annotations

from gridgov.deliberation.rules import Voting
from gridgov.demo.deliberation.script import (
    AddMilestone,
    Answer,
    At,
    Close,
    Complete,
    Convene,
    FinishMilestone,
    Hold,
    Object,
    OpenMatter,
    Publish,
    Step,
    Supervise,
    Vote,
)

SHOW, ROLL, SECRET = Voting.SHOW_OF_HANDS, Voting.ROLL_CALL, Voting.SECRET_BALLOT
SQUARE = "{name}文化广场"

FACTORY = OpenMatter(
    "factory",
    "{name}集体厂房出租方案",
    "社区集体所有的原水产加工厂房（建筑面积约1860平方米）已闲置三年。拟通过汕头市农村产权"
    "交易平台公开招租：租期5年，起始租金每月每平方米9元，每两年递增3%；承租方只可用于无"
    "污染的仓储或轻加工，不得转租。租金收入全部纳入社区集体经济账户，主要用于70岁以上老人"
    "生活补贴和巷道路灯、排水沟的日常维护。",
)
PARKING = OpenMatter(
    "parking",
    "{name}文化广场改建停车场方案",
    "为缓解停车难，拟将社区文化广场（约2400平方米）改建为60个车位的收费停车场，收入归集体"
    "所有。广场现为居民跳舞、老人休憩和节庆活动场所。",
)
LIGHTS = OpenMatter(
    "lights",
    "{name}巷道路灯改造及智能化提升",
    "社区内12条巷道共有老旧路灯146盏，夜间照明不足，居民多次反映。拟更换为LED路灯并加装"
    "分时控制，预算约38万元，由集体经济收入和街道以奖代补资金共同承担。",
    one_person=True,
)
LAND = OpenMatter(
    "land",
    "{name}集体土地征收补偿款分配方案",
    "因市政道路建设，社区集体土地约23亩被依法征收，补偿款已拨入社区集体账户。拟按“人均"
    "分配六成、留作集体发展四成”的原则分配，分配对象以本社区集体经济组织成员名册为准。"
    "涉及全体成员切身利益，提请村（居）民会议讨论决定。",
    one_person=True,
)

# (milestone, due, done: days before now, the update that day, progress)
FACTORY_MILESTONES = (
    ("在农村产权交易平台发布招租公告", 80, 81, "招租公告已在产权交易平台和社区公开栏发布。", 30),
    ("公开竞价并签订租赁合同", 55, 57, "公开竞价有3家企业参加，成交价每月每平方米10.6元。", 70),
    ("承租方进场，首期租金入集体账户", 35, 36, "承租方已进场，首期租金已入社区集体账户。", 100),
)

# (notified, starts, voting, vote, minutes[, outcome]): one meeting the clerk holds
Meeting = tuple[At, At, Voting, Vote, str] | tuple[At, At, Voting, Vote, str, str]


def held(matter: str, meetings: tuple[Meeting, ...]) -> tuple[Step, ...]:
    """The clerk holds the matter's meetings in turn, each notified at its first moment."""
    return tuple(
        Step(
            notified,
            "clerk",
            Hold(matter, starts, voting=voting, vote=vote, minutes=minutes, expect=outcome),
        )
        for notified, starts, voting, vote, minutes, outcome in (
            (*row, "adopted")[:6] for row in meetings
        )
    )


FACTORY_SCRIPT: tuple[Step, ...] = (
    Step(At(118), "secretary", FACTORY),
    *held(
        "factory",
        (
            (
                At(118, 9, 30),
                At(117, 15),
                SHOW,
                Vote(1.0, 1.0, 0.0),
                "支部委员会研究认为厂房闲置造成集体资产流失，提议公开招租。",
            ),
            (
                At(113, 10),
                At(110, 15),
                ROLL,
                Vote(1.0, 0.85, 0.0),
                "两委联席会议逐条讨论招租条件，补充“承租方不得转租”和“每两年递增3%”两项。",
            ),
            (
                At(107),
                At(103, 19, 30),
                SHOW,
                Vote(0.81, 0.9, 0.04),
                "党员大会审议招租方案，党员就起始租金、租金用途提出意见，均已记录。",
            ),
            (
                At(101),
                At(97, 19, 30),
                SECRET,
                Vote(0.9, 0.8, 0.1),
                "村（居）民代表会议以无记名投票方式表决招租方案，监督委员会列席。",
            ),
        ),
    ),
    Step(
        At(97, 21),
        "supervisor",
        Supervise(
            "factory",
            "decision",
            "监督委员会列席代表会议：到会人数达到三分之二以上，无记名投票，当场清点，程序合规。",
        ),
    ),
    Step(At(96, 10), "secretary", Publish("factory/resolution")),
    Step(
        At(94, 20, 15),
        "villager",
        Object(
            "factory/resolution",
            "rent",
            "起始租金每平方米9元是否偏低？附近厂房租金大约10到12元。",
        ),
    ),
    Step(
        At(93, 11),
        "secretary",
        Answer(
            "rent",
            "起始租金由第三方评估机构评估确定，评估报告在社区财务室可查阅；招租采用公开竞价，"
            "成交价以竞价结果为准，可高于起始价。",
        ),
    ),
    Step(At(89, 10, 30), "secretary", Close("factory/resolution")),
    *(
        Step(At(88, 10), "secretary", AddMilestone("factory", title, due))
        for title, due, _done, _update, _progress in FACTORY_MILESTONES
    ),
    *(
        Step(At(done, 17), "clerk", FinishMilestone("factory", n, update, progress))
        for n, (_title, _due, done, update, progress) in enumerate(FACTORY_MILESTONES)
    ),
    Step(
        At(33, 10),
        "secretary",
        Complete("factory", "厂房出租方案已实施完毕，租金收入按月入账并在财务公开中列示。"),
    ),
    Step(At(32, 10), "secretary", Publish("factory/result", close=True)),
)

PARKING_SCRIPT: tuple[Step, ...] = (
    Step(At(76), "secretary", PARKING),
    *held(
        "parking",
        (
            (
                At(76),
                At(75, 19, 30),
                SHOW,
                Vote(1.0, 0.8, 0.2),
                "支部委员会提议研究广场改建停车场。",
            ),
            (At(73), At(70, 19, 30), ROLL, Vote(1.0, 0.67, 0.22), "两委会议同意提交党员大会审议。"),
            (At(67), At(64, 19, 30), SHOW, Vote(0.78, 0.6, 0.3), "党员大会审议，意见分歧较大。"),
            (
                At(62),
                At(58, 19, 30),
                SHOW,
                Vote(0.9, 0.3, 0.6),
                "代表们认为广场是老人和孩子唯一的活动场地，多数反对改建，建议另行选址。",
                "rejected",
            ),
        ),
    ),
)

LIGHTS_SCRIPT: tuple[Step, ...] = (
    Step(At(20), "secretary", LIGHTS),
    *held(
        "lights",
        (
            (
                At(19),
                At(16, 15),
                SHOW,
                Vote(1.0, 1.0, 0.0),
                "书记兼主任（一肩挑）在两委联席会议上提出议题，两委会议商议通过。",
            ),
        ),
    ),
    Step(At(2), "clerk", Convene("lights", At(-5, 19, 30))),
)

LAND_SCRIPT: tuple[Step, ...] = (
    Step(At(34), "secretary", LAND),
    *held(
        "land",
        (
            (
                At(33),
                At(31, 15),
                ROLL,
                Vote(1.0, 0.9, 0.0),
                "两委联席会议形成分配方案草案，提交党员大会审议。",
            ),
            (
                At(29),
                At(26, 19, 30),
                SHOW,
                Vote(0.79, 0.88, 0.05),
                "党员大会审议通过，建议提交村（居）民会议决定。",
            ),
        ),
    ),
    Step(At(4), "clerk", Convene("land", At(-6, 9, 30), place=SQUARE, body="villagers_meeting")),
)

MATTERS_SCRIPT: tuple[Step, ...] = FACTORY_SCRIPT + PARKING_SCRIPT + LIGHTS_SCRIPT + LAND_SCRIPT
