"""Pure outreach rules: the kinds of things outreach records, the pledge state machine,
visit periods, and the member pipeline (发展党员) as data. No I/O; ``today`` is passed in.

The pipeline follows the 《中国共产党发展党员工作细则》, with one stage in front that
Shicha counts: people who have said they wish to join (willing). An applicant (入党申请人) is
talked to within a month; an activist (入党积极分子) is trained and observed for at
least a year before becoming a development target (发展对象); a development target
passes political review and short-term training (at least three days or 24 class
hours) and is admitted by a branch meeting vote; a probationary member (预备党员) is
on probation for one year before a second branch vote makes them a full member. Each
branch vote is decided by deliberation's quorum and decision rules: more than half of
the members with voting rights present, more than half of those entitled in favour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction

from gridgov.deliberation.rules import (
    Basis,
    Comparator,
    Count,
    Tally,
    Threshold,
    evaluate_decision,
    evaluate_quorum,
)
from gridgov.errors import Conflict, InvalidInput, Problem, checked_transition
from gridgov.msgids import N_

# ---------------------------------------------------------------- visits


class VisitKind(StrEnum):
    HOME = "home"  # 入户走访
    PHONE = "phone"  # 电话联系
    CHAT = "chat"  # 微信联系
    MEETING = "meeting"  # 院落会


class OpinionOutcome(StrEnum):
    NONE = "none"  # heard, nothing to do
    ANSWERED = "answered"  # settled on the spot
    CASE = "case"  # turned into a case
    PROPOSAL = "proposal"  # turned into a discussion proposal


VISIT_PERIOD_DAYS = 90  # a household not visited for a quarter shows up on the lists
MAX_NOTE = 2000


def visit_due(last_visit: date | None, today: date, period_days: int = VISIT_PERIOD_DAYS) -> bool:
    """Whether a household is due a visit: never visited, or not within the period."""
    return last_visit is None or (today - last_visit).days >= period_days


def coverage(visited: int, households: int) -> float:
    """The share of households visited within the period, 0–1 (1 when there are none)."""
    return 1.0 if households == 0 else round(visited / households, 4)


# ---------------------------------------------------------------- pledges


class PledgeState(StrEnum):
    SUBMITTED = "submitted"  # posted by the member, waiting for the branch
    APPROVED = "approved"  # the branch agreed: shown on the board
    RETURNED = "returned"  # the branch asked for changes
    FULFILLED = "fulfilled"  # done, with evidence
    LAPSED = "lapsed"  # the year ended undone


PLEDGE_ALLOWED: dict[PledgeState, frozenset[PledgeState]] = {
    PledgeState.SUBMITTED: frozenset({PledgeState.APPROVED, PledgeState.RETURNED}),
    PledgeState.RETURNED: frozenset({PledgeState.SUBMITTED}),
    PledgeState.APPROVED: frozenset({PledgeState.FULFILLED, PledgeState.LAPSED}),
    PledgeState.FULFILLED: frozenset(),
    PledgeState.LAPSED: frozenset(),
}
PUBLIC_PLEDGE_STATES = frozenset({PledgeState.APPROVED, PledgeState.FULFILLED})


def pledge_transition(current: PledgeState, target: PledgeState) -> PledgeState:
    refusal = N_("A pledge that is %(current)s cannot become %(target)s.")
    return checked_transition(PLEDGE_ALLOWED, current, target, refusal)


# ---------------------------------------------------------------- contact groups


class ChangeReason(StrEnum):
    GENERATED = "generated"  # the partition made it
    UPDATED = "updated"  # households moved in or out
    HAND = "hand"  # moved by hand
    IMPORTED = "imported"  # loaded from a spreadsheet


# ---------------------------------------------------------------- the member pipeline


class Stage(StrEnum):
    WILLING = "willing"  # 有入党意愿 (Shicha counts them before anyone applies)
    APPLICANT = "applicant"  # 入党申请人
    ACTIVIST = "activist"  # 入党积极分子
    TARGET = "target"  # 发展对象
    PROBATIONARY = "probationary"  # 预备党员
    FULL = "full"  # 正式党员


class Step(StrEnum):
    APPLICATION = "application"  # 递交入党申请书
    TALK = "talk"  # 组织谈话
    TRAINING = "training"  # 培养教育、培训学时
    POLITICAL_REVIEW = "political_review"  # 政治审查
    BRANCH_VOTE = "branch_vote"  # 支部大会表决
    PROMOTE = "promote"  # 确定为下一阶段


@dataclass(frozen=True)
class StageRule:
    """What a person at ``stage`` must have done, and how long they must have been at
    it, before moving on to ``next``."""

    stage: Stage
    next: Stage | None
    min_days: int
    required: tuple[Step, ...]
    training_hours: int = 0
    vote: bool = False


PIPELINE: dict[Stage, StageRule] = {
    Stage.WILLING: StageRule(Stage.WILLING, Stage.APPLICANT, 0, (Step.APPLICATION,)),
    Stage.APPLICANT: StageRule(Stage.APPLICANT, Stage.ACTIVIST, 30, (Step.TALK,)),
    Stage.ACTIVIST: StageRule(Stage.ACTIVIST, Stage.TARGET, 365, (Step.TRAINING,), 0),
    Stage.TARGET: StageRule(
        Stage.TARGET,
        Stage.PROBATIONARY,
        0,
        (Step.POLITICAL_REVIEW, Step.TRAINING, Step.BRANCH_VOTE),
        training_hours=24,
        vote=True,
    ),
    Stage.PROBATIONARY: StageRule(
        Stage.PROBATIONARY, Stage.FULL, 365, (Step.BRANCH_VOTE,), vote=True
    ),
    Stage.FULL: StageRule(Stage.FULL, None, 0, ()),
}
STAGE_ORDER = tuple(Stage)

# A branch meeting: more than half of the members with voting rights present, and more
# than half of those entitled to vote in favour (细则 第二十九条).
BRANCH_QUORUM = Threshold(Count.PRESENT, Comparator.MORE_THAN, Fraction(1, 2), Basis.MEMBERS)
BRANCH_DECISION = Threshold(Count.IN_FAVOUR, Comparator.MORE_THAN, Fraction(1, 2), Basis.MEMBERS)


@dataclass(frozen=True)
class StepDone:
    step: Step
    on: date
    hours: int = 0
    adopted: bool = False  # for a branch vote: whether it passed


def earliest_promotion(stage: Stage, since: date) -> date:
    return since + timedelta(days=PIPELINE[stage].min_days)


def missing_steps(stage: Stage, since: date, done: list[StepDone]) -> list[Step]:
    """Required steps not yet done at this stage (steps before ``since`` do not count)."""
    rule = PIPELINE[stage]
    here = [d for d in done if d.on >= since]
    missing: list[Step] = []
    for step in rule.required:
        if step is Step.TRAINING and rule.training_hours:
            hours = sum(d.hours for d in here if d.step is Step.TRAINING)
            if hours < rule.training_hours:
                missing.append(step)
        elif step is Step.BRANCH_VOTE:
            if not any(d.step is Step.BRANCH_VOTE and d.adopted for d in here):
                missing.append(step)
        elif not any(d.step is step for d in here):
            missing.append(step)
    return missing


def check_promotion(stage: Stage, since: date, done: list[StepDone], today: date) -> Stage:
    """The next stage, or a refusal naming what is missing: the statutory minimum
    interval not yet over, or a required step not done."""
    rule = PIPELINE[stage]
    if rule.next is None:
        raise Conflict(N_("A full member has no further stage."))
    earliest = earliest_promotion(stage, since)
    if today < earliest:
        raise Conflict(
            N_("Too early: the %(stage)s stage lasts at least %(days)s days, until %(date)s."),
            params={"stage": stage.value, "days": rule.min_days, "date": earliest.isoformat()},
            details=[Problem("on", N_("Not before %(date)s."), date=earliest.isoformat())],
        )
    missing = missing_steps(stage, since, done)
    if missing:
        raise Conflict(
            N_("Required steps are not done: %(steps)s."),
            params={"steps": ", ".join(m.value for m in missing)},
        )
    return rule.next


def check_step(stage: Stage, step: Step, since: date, on: date, today: date) -> None:
    """A step is dated within its stage, never in the future, and is one the stage has.
    A branch vote on a probationary member waits out the year of probation."""
    if on > today:
        raise InvalidInput(N_("A step cannot be dated in the future."))
    if on < since:
        raise InvalidInput(N_("A step cannot be dated before its stage began."))
    rule = PIPELINE[stage]
    if step not in rule.required and step is not Step.PROMOTE:
        raise InvalidInput(
            N_("The %(stage)s stage has no %(step)s step."),
            params={"stage": stage.value, "step": step.value},
        )
    if step is Step.BRANCH_VOTE and on < earliest_promotion(stage, since):
        earliest = earliest_promotion(stage, since)
        raise Conflict(
            N_("Too early: the %(stage)s stage lasts at least %(days)s days, until %(date)s."),
            params={"stage": stage.value, "days": rule.min_days, "date": earliest.isoformat()},
        )


def branch_vote(tally: Tally) -> bool:
    """Adopted or not by the branch meeting; refuses a meeting without its quorum."""
    quorum = evaluate_quorum(BRANCH_QUORUM, tally)
    if not quorum.passed:
        raise Conflict(
            N_("The branch meeting has no quorum, so it cannot vote."),
            details=[Problem("present", quorum.message, **quorum.params)],
        )
    return evaluate_decision(BRANCH_DECISION, tally).passed


def funnel(stages: list[Stage]) -> dict[Stage, int]:
    """How many people are at each stage, in pipeline order."""
    counts = dict.fromkeys(STAGE_ORDER, 0)
    for stage in stages:
        counts[stage] += 1
    return counts


# Values shown through ``_(value)`` on outreach pages.
LABELS = (
    N_("home"),
    N_("phone"),
    N_("chat"),
    N_("meeting"),
    N_("submitted"),
    N_("approved"),
    N_("returned"),
    N_("fulfilled"),
    N_("lapsed"),
    N_("willing"),
    N_("applicant"),
    N_("activist"),
    N_("target"),
    N_("probationary"),
    N_("full"),
    N_("application"),
    N_("talk"),
    N_("training"),
    N_("political_review"),
    N_("branch_vote"),
    N_("promote"),
)


# ---------------------------------------------------------------- volunteers
#
# Volunteer service hours (志愿服务时长): an activity credits at most its own hours; a
# volunteer's hours for it are the time between the organiser's check-in and check-out,
# in whole minutes, never more than the activity credits and never less than nothing.

MAX_ACTIVITY_MINUTES = 12 * 60  # one activity credits at most a 12-hour day
CHECK_IN_EARLY = timedelta(hours=2)  # a check-in before this much ahead of the start is refused
MAX_CAPACITY = 500
MAX_PERIOD_DAYS = 3 * 366  # a certificate or hours table covers at most three years


def credited_minutes(checked_in: datetime, checked_out: datetime, credit_minutes: int) -> int:
    """Minutes credited for one sign-up: the actual time present, bounded by the
    activity's credited time."""
    actual = int((checked_out - checked_in).total_seconds() // 60)
    return max(0, min(actual, credit_minutes))


def credited_hours(minutes: int) -> float:
    """Credited minutes as hours for the indicator trees, unrounded (150 → 2.5): the
    sum is taken in minutes and divided once."""
    return minutes / 60


def hours_text(minutes: int) -> str:
    """Minutes as hours with one decimal, as certificates print them: 150 → ``2.5``."""
    tenths = (minutes * 10 + 30) // 60  # to the nearest tenth of an hour, halves up
    return f"{tenths // 10}.{tenths % 10}"


@dataclass(frozen=True)
class ActivityDraft:
    """An activity's own fields as its organiser gives them: what
    :func:`activity_problems` checks and ``volunteers.do_create_activity`` stores."""

    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    credit_minutes: int


def activity_problems(draft: ActivityDraft) -> list[Problem]:
    """What is wrong with an activity's fields; empty when nothing is."""
    problems: list[Problem] = []
    if not 1 <= len(draft.title) <= 200:
        problems.append(Problem("title", N_("A title of 1 to 200 characters is required.")))
    if not 1 <= len(draft.place) <= 200:
        problems.append(Problem("place", N_("A place of 1 to 200 characters is required.")))
    lasts = draft.ends_at - draft.starts_at
    if draft.ends_at <= draft.starts_at:
        problems.append(Problem("ends_at", N_("The end must be after the start.")))
    elif lasts > timedelta(days=1):
        problems.append(Problem("ends_at", N_("An activity lasts at most a day.")))
    if not 1 <= draft.capacity <= MAX_CAPACITY:
        problems.append(Problem("capacity", N_("Places from 1 to %(n)s."), n=MAX_CAPACITY))
    if not 1 <= draft.credit_minutes <= MAX_ACTIVITY_MINUTES:
        problems.append(
            Problem("hours", N_("Hours credited from 0.5 to %(n)s."), n=MAX_ACTIVITY_MINUTES // 60)
        )
    elif draft.ends_at > draft.starts_at and draft.credit_minutes > lasts.total_seconds() // 60:
        problems.append(Problem("hours", N_("An activity cannot credit more hours than it lasts.")))
    return problems


def signup_problem(*, taken: int, capacity: int, ends_at: datetime, now: datetime) -> str | None:
    """Why a sign-up is refused (a message id), or None: the activity is over, or full."""
    if now >= ends_at:
        return N_("This activity is over; sign-ups are closed.")
    if taken >= capacity:
        return N_("This activity is full: %(capacity)s places, all taken.")
    return None


def check_in_problem(
    *, at: datetime, starts_at: datetime, ends_at: datetime, now: datetime
) -> str | None:
    """Why a check-in at ``at`` is refused, or None."""
    if at > now:
        return N_("A check-in cannot be in the future.")
    if at < starts_at - CHECK_IN_EARLY or at >= ends_at:
        return N_("A check-in must fall between two hours before the start and the end.")
    return None


def check_out_problem(*, at: datetime, checked_in: datetime | None, now: datetime) -> str | None:
    """Why a check-out at ``at`` is refused, or None."""
    if checked_in is None:
        return N_("Check the volunteer in first.")
    if at > now:
        return N_("A check-out cannot be in the future.")
    if at <= checked_in:
        return N_("The check-out must be after the check-in.")
    return None


def period_problem(start: date, end: date) -> Problem | None:
    if end < start:
        return Problem("end", N_("The period's end must not be before its start."))
    if (end - start).days > MAX_PERIOD_DAYS:
        return Problem("end", N_("A period of at most three years."))
    return None
