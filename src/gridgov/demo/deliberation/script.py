"""The engine of the scripted scenarios. A script is a table of steps — when (local days
before now, an hour), who (a part of the cast: whose job the step is) and what (an
action with its details) — played in the order written, each action through the
account of the one who acts, as a person would through the pages.

The actions are the deliberation services' verbs: open a matter, hold or convene a
meeting, supervise, draft, post, close, object and answer, plan, finish and complete
an implementation. Each notes what it made in the scene's tally."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Protocol, TypeVar

from sqlalchemy.orm import Session

from gridgov.accounts.models import User
from gridgov.audit.service import Actor
from gridgov.deliberation import discussion, notices
from gridgov.deliberation import service as deliberation
from gridgov.deliberation.models import Implementation, Matter, Meeting, Notice
from gridgov.deliberation.rules import Choice, NoticeKind, Voting
from gridgov.demo.deliberation.common import Clock, Counts, png, villager_name

PLACE = "{name}党群服务中心二楼会议室"

R = TypeVar("R")


@dataclass(frozen=True)
class At:
    """A local moment of the script: days before now (negative: after it), hour, minute."""

    days_ago: int
    hour: int = 9
    minute: int = 0


@dataclass(frozen=True)
class Player:
    """Someone the script casts: how they act (``actor``) and, for what only a signed-in
    person may do (comment, supervise), their account."""

    actor: Actor
    user: User | None = None


@dataclass
class Scene:
    """One place's script as it is played: the place, the cast and what the steps made
    so far (matters, notices, objections and milestones by the script's keys)."""

    session: Session
    rng: random.Random
    clock: Clock
    counts: Counts
    code: str
    name: str
    cast: dict[str, Player]
    matters: dict[str, Matter] = field(default_factory=dict)
    notices: dict[str, Notice] = field(default_factory=dict)
    objections: dict[str, int] = field(default_factory=dict)
    milestones: dict[str, list[int]] = field(default_factory=dict)

    def act(self, who: Player, moment: datetime, do: Callable[..., R], /, **kwargs: Any) -> R:
        """``do`` (a ``do_*``) in this scene's session, as ``who``, at ``moment``."""
        return do(self.session, actor=who.actor, now=moment, **kwargs)

    def moment(self, when: At) -> datetime:
        return self.clock.day(when.days_ago, when.hour, when.minute)

    def notice(self, key: str) -> Notice:
        """A drafted notice by its key, or ``<matter>/<kind>``: that matter's notice of
        that kind (the resolution and result disclosures the services draft)."""
        if key not in self.notices:
            matter, _, kind = key.partition("/")
            self.notices[key] = matter_notice(self.session, self.matters[matter], NoticeKind(kind))
        return self.notices[key]

    def implementation(self, matter: str) -> Implementation:
        found = deliberation.implementation_of(self.session, self.matters[matter].id)
        if found is None:
            raise RuntimeError(f"the demo matter {matter} has no implementation record")
        return found


class Action(Protocol):
    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None: ...


class Step(NamedTuple):
    when: At
    who: str
    do: Action


def play(scene: Scene, script: Iterable[Step]) -> None:
    """Each step in the order written, by the one whose job it is, at its moment."""
    for when, who, do in script:
        do(scene, scene.cast[who], scene.moment(when))


# ---------------------------------------------------------------- matters and meetings


@dataclass(frozen=True)
class OpenMatter:
    key: str
    title: str  # with {name}: the place's name
    text: str
    one_person: bool = False

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        scene.matters[self.key] = scene.act(
            who,
            moment,
            deliberation.do_open_matter,
            region_code=scene.code,
            title=self.title.format(name=scene.name),
            description=self.text,
            one_person=self.one_person,
        )
        scene.counts.add("matters")


@dataclass(frozen=True)
class Vote:
    """How a meeting goes: the share present (at least the quorum the caller wants), and
    the share of those present in favour and against (the rest abstain)."""

    attend: float
    yes: float
    no: float


@dataclass(frozen=True)
class Convene:
    """Convene the matter's next meeting, notified at the step's moment; it has not
    started by now."""

    matter: str
    starts: At
    place: str = PLACE
    body: str | None = None
    voting: Voting = Voting.SHOW_OF_HANDS

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        self.convene(scene, who, moment)

    def convene(self, scene: Scene, who: Player, moment: datetime) -> Meeting:
        meeting = scene.act(
            who,
            moment,
            deliberation.do_convene,
            matter_id=scene.matters[self.matter].id,
            notified_at=moment,
            starts_at=scene.moment(self.starts),
            voting=self.voting.value,
            body=self.body,
            place=self.place.format(name=scene.name),
        )
        scene.counts.add("meetings")
        return meeting


@dataclass(frozen=True)
class Hold(Convene):
    """Convene, sign in, vote, minute, attach the signed sheet, close: one stage, which
    must end as ``expect``."""

    vote: Vote = Vote(1.0, 1.0, 0.0)
    minutes: str = ""
    expect: str = "adopted"

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        rng = scene.rng
        meeting = self.convene(scene, who, moment)
        starts_at = scene.moment(self.starts)
        members = deliberation.members_of(scene.session, meeting.id)
        total = len(members)
        present = min(total, max(round(total * self.vote.attend), math.ceil(total * 2 / 3)))
        attending = rng.sample(members, present)
        for n, member in enumerate(sorted(attending, key=lambda m: m.id)):
            scene.act(
                who,
                starts_at - timedelta(minutes=20) + timedelta(seconds=9 * n),
                deliberation.do_sign_in,
                meeting_id=meeting.id,
                member_id=member.id,
            )
        scene.counts.add("sign_ins", present)
        yes = round(present * self.vote.yes)
        no = min(present - yes, round(present * self.vote.no))
        abstain = present - yes - no
        voted_at = starts_at + timedelta(minutes=40)
        if self.voting is Voting.SHOW_OF_HANDS:
            scene.act(
                who,
                voted_at,
                deliberation.do_record_totals,
                meeting_id=meeting.id,
                yes=yes,
                no=no,
                abstain=abstain,
            )
        else:
            choices = [Choice.YES] * yes + [Choice.NO] * no + [Choice.ABSTAIN] * abstain
            rng.shuffle(choices)
            record = (
                deliberation.do_record_vote
                if self.voting is Voting.ROLL_CALL
                else deliberation.do_cast_ballot
            )
            for n, (member, choice) in enumerate(zip(attending, choices, strict=True)):
                scene.act(
                    who,
                    voted_at + timedelta(seconds=15 * n),
                    record,
                    meeting_id=meeting.id,
                    member_id=member.id,
                    choice=choice.value,
                )
        scene.counts.add("votes", present)
        closed_at = starts_at + timedelta(minutes=75)
        scene.act(
            who,
            closed_at - timedelta(minutes=5),
            deliberation.do_edit_minutes,
            meeting_id=meeting.id,
            minutes=(
                f"{self.minutes}\n应到{total}人，实到{present}人。表决结果：同意{yes}，反对{no}，"
                f"弃权{abstain}。会议由社区工作人员记录，签到表扫描件附后。"
            ),
        )
        scene.act(
            who,
            closed_at - timedelta(minutes=4),
            deliberation.do_attach_file,
            owner_type="meeting",
            owner_id=meeting.id,
            purpose="sign_in",
            name="签到表.png",
            content_type="image/png",
            data=png(rng),
            region_code=meeting.region_code,
        )
        scene.counts.add("files")
        scene.act(who, closed_at, deliberation.do_close_meeting, meeting_id=meeting.id)
        if meeting.outcome != self.expect:
            raise RuntimeError(
                f"demo meeting {meeting.title} ended {meeting.outcome}, not {self.expect}"
            )


@dataclass(frozen=True)
class Supervise:
    """The supervision committee's comment on a stage of a matter."""

    matter: str
    stage: str
    text: str

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        if who.user is None:
            raise RuntimeError("only a signed-in supervisor comments")
        scene.act(
            who,
            moment,
            discussion.do_comment,
            user=who.user,
            target_type="matter",
            target_id=scene.matters[self.matter].id,
            stage_id=self.stage,
            supervision=True,
            text=self.text,
            language="zh_Hans",
        )
        scene.counts.add("supervision_comments")


# ---------------------------------------------------------------- notices


def matter_notice(session: Session, matter: Matter, kind: NoticeKind) -> Notice:
    found = [n for n in deliberation.notices_of(session, matter.id) if n.kind == kind.value]
    if not found:
        raise RuntimeError(f"demo matter {matter.title} has no {kind.value} notice")
    return found[-1]


def close_when_due(scene: Scene, who: Player, notice: Notice) -> None:
    """Close a posted notice half an hour after its period, if that is before now."""
    if notice.posted_at is None:
        return
    closes = notice.posted_at + timedelta(days=notice.posting_days, minutes=30)
    if closes <= scene.clock.now:
        scene.act(who, closes, notices.do_close, notice_id=notice.id)
        scene.counts.add("notices_closed")


@dataclass(frozen=True)
class Publish:
    """Post a notice, photograph it on the board, and (``close``) close it after its
    period."""

    notice: str
    close: bool = False

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        notice = scene.notice(self.notice)
        scene.act(who, moment, notices.do_post, notice_id=notice.id)
        scene.counts.add("notices_posted")
        scene.act(
            who,
            moment + timedelta(minutes=50),
            notices.do_attach_board_photo,
            notice_id=notice.id,
            name="公开栏照片.png",
            content_type="image/png",
            data=png(scene.rng),
        )
        scene.counts.add("files")
        if self.close:
            close_when_due(scene, who, notice)


@dataclass(frozen=True)
class CloseWhenDue:
    """Close the notice half an hour after its period ends, if that is before now (the
    step's own moment is when the one who closes looks at it)."""

    notice: str

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        close_when_due(scene, who, scene.notice(self.notice))


@dataclass(frozen=True)
class Close:
    """Close the notice at the step's moment."""

    notice: str

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        scene.act(who, moment, notices.do_close, notice_id=scene.notice(self.notice).id)
        scene.counts.add("notices_closed")


@dataclass(frozen=True)
class Object:
    """A villager (anonymous, signed with a neighbour's name) questions or objects to a
    posted notice."""

    notice: str
    key: str
    text: str
    kind: str = "objection"

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        objection = scene.act(
            who,
            moment,
            notices.do_object,
            notice_id=scene.notice(self.notice).id,
            text=self.text,
            kind=self.kind,
            author_name=villager_name(scene.session, scene.code, scene.rng),
            author_user_id=None,
            language="zh_Hans",
        )
        scene.objections[self.key] = objection.id


@dataclass(frozen=True)
class Answer:
    objection: str
    text: str

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        scene.act(
            who,
            moment,
            notices.do_answer,
            objection_id=scene.objections[self.objection],
            answer=self.text,
        )
        scene.counts.add("objections")


# ---------------------------------------------------------------- implementation


@dataclass(frozen=True)
class AddMilestone:
    matter: str
    title: str
    due: int  # local days before now

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        milestone = scene.act(
            who,
            moment,
            deliberation.do_add_milestone,
            implementation_id=scene.implementation(self.matter).id,
            title=self.title,
            due_on=scene.clock.local_date(self.due),
        )
        scene.milestones.setdefault(self.matter, []).append(milestone.id)
        scene.counts.add("milestones")


@dataclass(frozen=True)
class FinishMilestone:
    """Mark the matter's n-th milestone done that day, and post an update half an hour
    later."""

    matter: str
    index: int
    update: str
    progress: int

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        scene.act(
            who,
            moment,
            deliberation.do_mark_milestone_done,
            milestone_id=scene.milestones[self.matter][self.index],
            done_on=moment.astimezone(scene.clock.tz).date(),
        )
        scene.act(
            who,
            moment + timedelta(minutes=30),
            deliberation.do_post_update,
            implementation_id=scene.implementation(self.matter).id,
            text=self.update,
            progress=self.progress,
        )
        scene.counts.add("updates")


@dataclass(frozen=True)
class Complete:
    matter: str
    note: str

    def __call__(self, scene: Scene, who: Player, moment: datetime) -> None:
        scene.act(
            who,
            moment,
            deliberation.do_complete_implementation,
            implementation_id=scene.implementation(self.matter).id,
            note=self.note,
        )
