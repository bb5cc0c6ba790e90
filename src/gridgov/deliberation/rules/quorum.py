"""The chain of stages and the quorum and decision arithmetic (到会、表决), with the
verdict and its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Literal

from gridgov.deliberation.rules.vocabulary import (
    AnyOf,
    Basis,
    Comparator,
    Count,
    Outcome,
    Procedure,
    Rule,
    Stage,
    Threshold,
)
from gridgov.errors import Conflict, InvalidInput, Problem
from gridgov.msgids import N_

__all__ = [
    "Check",
    "Comparison",
    "Tally",
    "check_tally",
    "decide",
    "earliest_meeting",
    "effective_procedure",
    "effective_stages",
    "evaluate_decision",
    "evaluate_quorum",
    "next_stage",
    "tally_problems",
]

# --------------------------------------------------------------------------- chain


def next_stage(procedure: Procedure, stage_id: str, outcome: Outcome) -> str | None:
    """The stage ``outcome`` leads to from ``stage_id``; None when the matter ends."""
    stage = procedure.stage(stage_id)
    if outcome not in stage.outcomes:
        raise Conflict(
            "The %(stage)s stage cannot end %(outcome)s.",
            params={"stage": stage_id, "outcome": Outcome(outcome).value},
        )
    return stage.outcomes[outcome]


def effective_stages(procedure: Procedure, one_person: bool) -> tuple[Stage, ...]:
    """The stages as held. With ``one_person`` (一肩挑: the branch secretary also chairs
    the committee) a stage with ``merge_when_one_person`` is folded into the stage it
    names: it disappears, that stage lists it in ``merged_from``, and every outcome that
    led to it leads to that stage instead."""
    if not one_person:
        return procedure.stages
    into = {s.id: s.merge_when_one_person for s in procedure.stages if s.merge_when_one_person}

    def resolve(stage_id: str) -> str:
        while stage_id in into:
            stage_id = into[stage_id]
        return stage_id

    merged: dict[str, list[str]] = {}
    for source in into:
        merged.setdefault(resolve(source), []).append(source)
    result: list[Stage] = []
    for stage in procedure.stages:
        if stage.id in into:
            continue
        outcomes = {
            outcome: None if target is None else resolve(target)
            for outcome, target in stage.outcomes.items()
        }
        result.append(
            replace(
                stage,
                outcomes=outcomes,
                merged_from=stage.merged_from + tuple(merged.get(stage.id, ())),
            )
        )
    return tuple(result)


def effective_procedure(procedure: Procedure, one_person: bool) -> Procedure:
    """``procedure`` with :func:`effective_stages`, for :func:`next_stage` and the like."""
    return replace(procedure, stages=effective_stages(procedure, one_person))


def earliest_meeting(stage: Stage, notified_on: date) -> date:
    """The first day the stage's meeting may sit when notice was given on ``notified_on``
    (村民会议: notice ten days ahead)."""
    return notified_on + timedelta(days=stage.notice_days)


# --------------------------------------------------------------------------- tallies


@dataclass(frozen=True, kw_only=True)
class Tally:
    """One meeting's attendance and vote. ``members`` is the size of the stage's roster
    (the villagers aged 18+, the representatives, the Party members …)."""

    members: int
    present: int
    households_total: int = 0
    households_represented: int = 0
    yes: int = 0
    no: int = 0
    abstain: int = 0
    proxies: int = 0  # of those present, how many attend through a proxy

    def __post_init__(self) -> None:
        problems = tally_problems(self)
        if problems:
            raise InvalidInput("The tally does not add up.", details=problems)


def tally_problems(tally: Tally) -> list[Problem]:
    problems: list[Problem] = []
    for name in (
        "members",
        "present",
        "households_total",
        "households_represented",
        "yes",
        "no",
        "abstain",
        "proxies",
    ):
        value = getattr(tally, name)
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(name, "%(name)s must be a whole number.", name=name))
        elif value < 0:
            problems.append(Problem(name, "%(name)s cannot be negative.", name=name))
    if problems:
        return problems
    if tally.members < 1:
        problems.append(Problem("members", "A meeting's roster has at least one member."))
    votes = tally.yes + tally.no + tally.abstain
    # Each count that cannot exceed another: the field it is refused on, the message,
    # and the message's two numbers (the count first, then its bound).
    bounded: tuple[tuple[str, str, tuple[str, int], tuple[str, int]], ...] = (
        (
            "present",
            N_("%(present)s present is more than the %(members)s members."),
            ("present", tally.present),
            ("members", tally.members),
        ),
        (
            "yes",
            N_("%(votes)s votes (for, against, abstaining) is more than the %(present)s present."),
            ("votes", votes),
            ("present", tally.present),
        ),
        (
            "households_represented",
            N_(
                "%(represented)s households represented is more than the %(households)s households."
            ),
            ("represented", tally.households_represented),
            ("households", tally.households_total),
        ),
        (
            "proxies",
            N_("%(proxies)s proxies is more than the %(present)s present."),
            ("proxies", tally.proxies),
            ("present", tally.present),
        ),
    )
    for field, message, (count_name, count), (bound_name, bound) in bounded:
        if count > bound:
            problems.append(Problem(field, message, **{count_name: count, bound_name: bound}))
    return problems


def check_tally(stage: Stage, tally: Tally) -> None:
    """Refuses a tally the stage cannot take (proxies where none are allowed)."""
    if tally.proxies and not stage.proxies:
        raise InvalidInput(
            N_("The %(stage)s stage does not allow proxies, but %(proxies)s were recorded."),
            params={"stage": stage.id, "proxies": tally.proxies},
            details=[Problem("proxies", N_("Proxies are not allowed at this meeting."))],
        )


@dataclass(frozen=True)
class Comparison:
    """One threshold worked out: ``value`` against ``fraction`` × ``base`` (= ``bound``);
    ``needed`` is the smallest value that passes."""

    threshold: Threshold
    value: int
    base: int
    bound: Fraction
    needed: int
    passed: bool
    message: str
    params: dict[str, Any]

    def text(self) -> str:
        return self.message % self.params


@dataclass(frozen=True)
class Check:
    """A rule worked out: passed, each threshold's arithmetic, and an explanation."""

    passed: bool
    comparisons: tuple[Comparison, ...]
    message: str
    params: dict[str, Any]

    def text(self) -> str:
        return self.message % self.params


# The arithmetic, and the verdict added to it. ``symbol`` is ≥ or > when met, < or ≤ when not.
_SHAPES: dict[str, tuple[str, str, str]] = {
    # shape: (comparison, verdict when met, verdict when not)
    "present": (
        N_("%(present)s of %(members)s present %(symbol)s %(fraction)s of %(members)s"),
        N_(
            "%(present)s of %(members)s present %(symbol)s %(fraction)s of %(members)s: "
            "quorum reached"
        ),
        N_("%(present)s of %(members)s present %(symbol)s %(fraction)s of %(members)s: no quorum"),
    ),
    "households": (
        N_(
            "%(represented)s of %(households)s households represented %(symbol)s "
            "%(fraction)s of %(households)s"
        ),
        N_(
            "%(represented)s of %(households)s households represented %(symbol)s "
            "%(fraction)s of %(households)s: quorum reached"
        ),
        N_(
            "%(represented)s of %(households)s households represented %(symbol)s "
            "%(fraction)s of %(households)s: no quorum"
        ),
    ),
    "yes_of_present": (
        N_("%(yes)s of %(present)s in favour %(symbol)s %(fraction)s of %(present)s"),
        N_("%(yes)s of %(present)s in favour %(symbol)s %(fraction)s of %(present)s: adopted"),
        N_("%(yes)s of %(present)s in favour %(symbol)s %(fraction)s of %(present)s: not adopted"),
    ),
    "yes_of_members": (
        N_("%(yes)s in favour %(symbol)s %(fraction)s of all %(members)s members"),
        N_("%(yes)s in favour %(symbol)s %(fraction)s of all %(members)s members: adopted"),
        N_("%(yes)s in favour %(symbol)s %(fraction)s of all %(members)s members: not adopted"),
    ),
}
_NOTHING_TO_COUNT = {
    Basis.HOUSEHOLDS: N_("No households are recorded, so households cannot make a quorum."),
    Basis.PRESENT: N_("Nobody is present, so nothing can be adopted."),
}
_NONE_MET = {
    "quorum": N_("No quorum: none of the %(n)s alternatives is met."),
    "decision": N_("Not adopted: none of the %(n)s alternatives is met."),
}
_SYMBOLS = {
    (Comparator.AT_LEAST, True): "≥",
    (Comparator.AT_LEAST, False): "<",
    (Comparator.MORE_THAN, True): ">",
    (Comparator.MORE_THAN, False): "≤",
}


def _compare(threshold: Threshold, tally: Tally) -> tuple[Comparison, str]:
    """The comparison, and the verdict message for a rule of this one threshold."""
    value = {
        Count.PRESENT: tally.present,
        Count.HOUSEHOLDS_REPRESENTED: tally.households_represented,
        Count.IN_FAVOUR: tally.yes,
    }[threshold.count]
    base = {
        Basis.MEMBERS: tally.members,
        Basis.ROSTER: tally.members,
        Basis.HOUSEHOLDS: tally.households_total,
        Basis.PRESENT: tally.present,
    }[threshold.of]
    fraction = threshold.fraction
    bound = fraction * base
    # Exact integers: value ≥ n/d × base  ⇔  value × d ≥ n × base.
    scaled, limit = value * fraction.denominator, fraction.numerator * base
    if threshold.comparator is Comparator.AT_LEAST:
        met = scaled >= limit
        needed = -(-limit // fraction.denominator)
    else:
        met = scaled > limit
        needed = limit // fraction.denominator + 1
    passed = met and base > 0
    params: dict[str, Any]
    if threshold.count is Count.PRESENT:
        shape, params = "present", {"present": value, "members": base}
    elif threshold.count is Count.HOUSEHOLDS_REPRESENTED:
        shape, params = "households", {"represented": value, "households": base}
    elif threshold.of is Basis.PRESENT:
        shape, params = "yes_of_present", {"yes": value, "present": base}
    else:
        shape, params = "yes_of_members", {"yes": value, "members": base}
    params |= {
        "symbol": _SYMBOLS[threshold.comparator, passed],
        "fraction": f"{fraction.numerator}/{fraction.denominator}",
    }
    comparison_message, met_message, unmet_message = _SHAPES[shape]
    if base == 0:
        comparison_message = met_message = unmet_message = _NOTHING_TO_COUNT.get(
            threshold.of, _NOTHING_TO_COUNT[Basis.PRESENT]
        )
    comparison = Comparison(
        threshold, value, base, bound, needed, passed, comparison_message, params
    )
    return comparison, met_message if passed else unmet_message


def _evaluate(rule: Rule, tally: Tally, role: Literal["quorum", "decision"]) -> Check:
    thresholds = rule.alternatives if isinstance(rule, AnyOf) else (rule,)
    worked = [_compare(threshold, tally) for threshold in thresholds]
    comparisons = tuple(comparison for comparison, _ in worked)
    for comparison, verdict in worked:
        if comparison.passed:
            return Check(True, comparisons, verdict, comparison.params)
    if len(worked) == 1:
        comparison, verdict = worked[0]
        return Check(False, comparisons, verdict, comparison.params)
    return Check(False, comparisons, _NONE_MET[role], {"n": len(worked)})


def evaluate_quorum(rule: Rule, tally: Tally) -> Check:
    """Whether enough are present (or enough households represented) to decide."""
    return _evaluate(rule, tally, "quorum")


def evaluate_decision(rule: Rule, tally: Tally) -> Check:
    """Whether the vote adopts the matter; quorum is :func:`evaluate_quorum`'s question."""
    return _evaluate(rule, tally, "decision")


def decide(stage: Stage, tally: Tally) -> Outcome:
    """Adopted or rejected, by the stage's rules. Refuses (Conflict) to decide a
    disclosure, or without a quorum; refuses (InvalidInput) a tally that does not add up
    or that uses proxies the stage does not allow."""
    if stage.quorum is None or stage.decision is None:
        raise Conflict(
            "The %(stage)s stage is a disclosure; nothing is voted on.",
            params={"stage": stage.id},
        )
    check_tally(stage, tally)
    quorum = evaluate_quorum(stage.quorum, tally)
    if not quorum.passed:
        raise Conflict(
            N_("The %(stage)s meeting has no quorum, so it cannot decide."),
            params={"stage": stage.id},
            details=[Problem("present", quorum.message, **quorum.params)],
        )
    adopted = evaluate_decision(stage.decision, tally).passed
    return Outcome.ADOPTED if adopted else Outcome.REJECTED
