"""Pure deliberation rules: procedures (四议两公开), quorum and decisions, public notices
(公示), personal data in notices, and elections. No I/O; ``now``/``today`` passed in.

The rules themselves are data. A procedure template (``data/*.yaml``, read by
:func:`load_procedure`) names its stages in order, the body that holds each, what each
body needs before it may decide (quorum) and what it takes to adopt (decision), and where
each outcome leads. This module knows the *shape* of a rule, never its numbers: "more than
n/d of those present" is ``{count: in_favour, comparator: more_than, fraction: "n/d",
of: present}`` in the file, and is evaluated with exact integer arithmetic
(``yes * d > n * present``), never with floats.

Messages are English catalogue ids with ``%(name)s`` placeholders.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, Literal, TypeVar

from gridgov.datafiles import DataFileError, LineDict, load_yaml
from gridgov.errors import Conflict, InvalidInput, NotFound, Problem
from gridgov.fields import mask_id, mask_phone
from gridgov.msgids import N_
from gridgov.registry.documents import MAINLAND_PROVINCES, check_digit
from gridgov.registry.rules import normalise_phone

# --------------------------------------------------------------------------- vocabulary


class StageKind(StrEnum):
    PROPOSAL = "proposal"  # 提议
    DELIBERATION = "deliberation"  # 商议
    REVIEW = "review"  # 审议
    DECISION = "decision"  # 决议
    DISCLOSURE = "disclosure"  # 公开


class Body(StrEnum):
    """Who holds a stage."""

    BRANCH_COMMITTEE = "branch_committee"  # 村（社区）党组织委员会
    TWO_COMMITTEES = "two_committees"  # “两委”联席会议
    PARTY_MEMBERS_MEETING = "party_members_meeting"  # 党员大会
    VILLAGERS_MEETING = "villagers_meeting"  # 村民会议
    VILLAGERS_REPRESENTATIVES_MEETING = "villagers_representatives_meeting"  # 村民代表会议
    DELIBERATION_COUNCIL = "deliberation_council"  # 议事会
    PUBLIC = "public"  # 公开栏、公示


class Roster(StrEnum):
    """Whom a body draws on: ``Tally.members`` is the size of this roster."""

    BRANCH_COMMITTEE_MEMBERS = "branch_committee_members"
    TWO_COMMITTEES_MEMBERS = "two_committees_members"
    PARTY_MEMBERS = "party_members"
    VILLAGERS_18_PLUS = "villagers_18_plus"
    HOUSEHOLDS = "households"
    REPRESENTATIVES = "representatives"
    COUNCIL_MEMBERS = "council_members"


class Outcome(StrEnum):
    ADOPTED = "adopted"  # 通过 (a disclosure: its period closed)
    REJECTED = "rejected"  # 未通过
    RETURNED = "returned"  # 退回修改


class Count(StrEnum):
    """What a threshold counts."""

    PRESENT = "present"
    HOUSEHOLDS_REPRESENTED = "households_represented"
    IN_FAVOUR = "in_favour"


class Comparator(StrEnum):
    AT_LEAST = "at_least"  # 以上 (≥)
    MORE_THAN = "more_than"  # 超过、过半数 (>)


class Basis(StrEnum):
    """What a threshold is a fraction of. ``members`` and ``roster`` are both the size of
    the body's roster (``Tally.members``); ``roster`` reads better for open bodies such as
    a villagers' meeting."""

    MEMBERS = "members"
    ROSTER = "roster"
    HOUSEHOLDS = "households"
    PRESENT = "present"


class TieBreak(StrEnum):
    LOT = "lot"  # 抽签: a deterministic, recorded draw
    OLDER_FIRST = "older_first"  # 年长者当选
    RUNOFF = "runoff"  # 另行选举 between the tied candidates


END = "end"
DEFAULT_POSTING_DAYS = 7
_ID_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
_FRACTION_PATTERN = re.compile(r"\s*([0-9]+)\s*(?:/\s*([0-9]+)\s*)?")

# Which counts a quorum or a decision may use, and what each count may be measured against.
_ROLE_COUNTS: dict[str, frozenset[Count]] = {
    "quorum": frozenset({Count.PRESENT, Count.HOUSEHOLDS_REPRESENTED}),
    "decision": frozenset({Count.IN_FAVOUR}),
}
_COUNT_BASES: dict[Count, frozenset[Basis]] = {
    Count.PRESENT: frozenset({Basis.MEMBERS, Basis.ROSTER}),
    Count.HOUSEHOLDS_REPRESENTED: frozenset({Basis.HOUSEHOLDS}),
    Count.IN_FAVOUR: frozenset({Basis.PRESENT, Basis.MEMBERS, Basis.ROSTER}),
}

# --------------------------------------------------------------------------- rules as data


@dataclass(frozen=True)
class Threshold:
    """``count`` must be ``comparator`` ``fraction`` of ``of``: e.g. present at_least n/d
    of members."""

    count: Count
    comparator: Comparator
    fraction: Fraction
    of: Basis


@dataclass(frozen=True)
class AnyOf:
    """Met when any one alternative is met (村民会议: enough villagers, or enough
    households represented)."""

    alternatives: tuple[Threshold, ...]


Rule = Threshold | AnyOf


@dataclass(frozen=True)
class Names:
    zh_Hans: str
    en: str


@dataclass(frozen=True)
class Stage:
    id: str
    kind: StageKind
    names: Names
    body: Body
    roster: Roster | None
    notice_days: int
    quorum: Rule | None  # None only for a disclosure
    decision: Rule | None  # None only for a disclosure
    proxies: bool
    outcomes: Mapping[Outcome, str | None]  # None: the matter ends
    posting_days: int | None = None  # a disclosure's posting period
    objection_days: int | None = None  # a disclosure's objection window
    merge_when_one_person: str | None = None  # 一肩挑: merges into this (next) stage
    merged_from: tuple[str, ...] = ()  # stages merged into this one
    # Other bodies that may hold this stage instead (村民代表会议 或 村民会议): each a copy
    # of the stage with that body's roster and rules; see :func:`held_by`.
    alternatives: tuple[Stage, ...] = ()
    line: int = 0

    @property
    def voted(self) -> bool:
        return self.kind is not StageKind.DISCLOSURE


@dataclass(frozen=True)
class EligibilityRule:
    min_age: int
    residence_in_region: bool  # the voter's grid code starts with the election's region code
    include_macau_residents: bool
    include_foreign_residents: bool


@dataclass(frozen=True)
class ElectionRules:
    eligibility: EligibilityRule
    tie_break: TieBreak
    winning_share: Fraction | None = None  # elected only with more than this of ballots cast


@dataclass(frozen=True)
class Procedure:
    id: str
    names: Names
    stages: tuple[Stage, ...]
    version: int = 1
    election: ElectionRules | None = None

    @property
    def first(self) -> Stage:
        return self.stages[0]

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise NotFound(
            "The procedure %(procedure)s has no stage %(stage)s.",
            params={"procedure": self.id, "stage": stage_id},
        )


# --------------------------------------------------------------------------- loading

E = TypeVar("E", bound=StrEnum)


def _keys(data: LineDict, where: str, required: Iterable[str], optional: Iterable[str]) -> None:
    required = tuple(required)
    allowed = set(required) | set(optional)
    for key in data:
        if key not in allowed:
            raise DataFileError(
                data.line_of(key),
                "%(where)s: unknown key %(key)s; expected one of %(expected)s.",
                where=where,
                key=key,
                expected=", ".join(sorted(allowed)),
            )
    for key in required:
        if key not in data:
            raise DataFileError(data.line, "%(where)s: %(key)s is missing.", where=where, key=key)


def _mapping(parent: LineDict, key: str, where: str) -> LineDict:
    value = parent[key]
    if not isinstance(value, LineDict):
        raise DataFileError(
            parent.line_of(key), "%(where)s: %(key)s must be a mapping.", where=where, key=key
        )
    return value


def _string(parent: LineDict, key: str, where: str) -> str:
    value = parent[key]
    if not isinstance(value, str) or not value.strip():
        raise DataFileError(
            parent.line_of(key), "%(where)s: %(key)s must be some text.", where=where, key=key
        )
    return value.strip()


def _identifier(parent: LineDict, key: str, where: str) -> str:
    value = parent[key]
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        raise DataFileError(
            parent.line_of(key),
            "%(where)s: %(key)s must be a lower-case identifier such as review, not %(value)s.",
            where=where,
            key=key,
            value=str(value),
        )
    return value


def _integer(parent: LineDict, key: str, where: str, minimum: int) -> int:
    value = parent[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise DataFileError(
            parent.line_of(key),
            "%(where)s: %(key)s must be a whole number of at least %(minimum)s.",
            where=where,
            key=key,
            minimum=minimum,
        )
    return value


def _boolean(parent: LineDict, key: str, where: str) -> bool:
    value = parent[key]
    if not isinstance(value, bool):
        raise DataFileError(
            parent.line_of(key), "%(where)s: %(key)s must be true or false.", where=where, key=key
        )
    return value


def _choice(parent: LineDict, key: str, where: str, kind: type[E]) -> E:
    value = parent[key]
    try:
        return kind(value)
    except ValueError:
        raise DataFileError(
            parent.line_of(key),
            "%(where)s: %(value)s is not a known %(key)s; expected one of %(expected)s.",
            where=where,
            key=key,
            value=str(value),
            expected=", ".join(member.value for member in kind),
        ) from None


def _fraction(parent: LineDict, key: str, where: str) -> Fraction:
    value = parent[key]
    line = parent.line_of(key)
    if isinstance(value, float):
        raise DataFileError(
            line,
            '%(where)s: write the fraction %(value)s exactly, quoted, such as "3/4".',
            where=where,
            value=str(value),
        )
    match = _FRACTION_PATTERN.fullmatch(str(value)) if isinstance(value, str | int) else None
    if match is None or isinstance(value, bool) or int(match.group(2) or 1) == 0:
        raise DataFileError(
            line,
            '%(where)s: %(value)s is not a fraction such as "3/4".',
            where=where,
            value=str(value),
        )
    fraction = Fraction(int(match.group(1)), int(match.group(2) or 1))
    if not 0 < fraction <= 1:
        raise DataFileError(
            line,
            "%(where)s: the fraction %(value)s must be more than 0 and at most 1.",
            where=where,
            value=str(value),
        )
    return fraction


def _threshold(data: LineDict, where: str, role: str) -> Threshold:
    _keys(data, where, ("count", "comparator", "fraction", "of"), ())
    count = _choice(data, "count", where, Count)
    if count not in _ROLE_COUNTS[role]:
        raise DataFileError(
            data.line_of("count"),
            "%(where)s: a %(role)s counts %(expected)s, not %(count)s.",
            where=where,
            role=role,
            expected=", ".join(sorted(_ROLE_COUNTS[role])),
            count=count.value,
        )
    comparator = _choice(data, "comparator", where, Comparator)
    fraction = _fraction(data, "fraction", where)
    of = _choice(data, "of", where, Basis)
    if of not in _COUNT_BASES[count]:
        raise DataFileError(
            data.line_of("of"),
            "%(where)s: %(count)s cannot be measured against %(of)s; use %(expected)s.",
            where=where,
            count=count.value,
            of=of.value,
            expected=", ".join(sorted(_COUNT_BASES[count])),
        )
    return Threshold(count, comparator, fraction, of)


def _rule(parent: LineDict, key: str, where: str) -> Rule:
    where = f"{where}.{key}"
    data = _mapping(parent, key, where)
    if "any_of" not in data:
        return _threshold(data, where, key)
    _keys(data, where, ("any_of",), ())
    items = data["any_of"]
    if not isinstance(items, list) or not items:
        raise DataFileError(
            data.line_of("any_of"),
            "%(where)s: any_of must list one or more alternatives.",
            where=where,
        )
    alternatives: list[Threshold] = []
    for index, item in enumerate(items):
        if not isinstance(item, LineDict):
            raise DataFileError(
                data.line_of("any_of"),
                "%(where)s: each alternative must be a mapping.",
                where=where,
            )
        alternatives.append(_threshold(item, f"{where}.any_of[{index}]", key))
    return AnyOf(tuple(alternatives))


def _names(parent: LineDict, where: str) -> Names:
    data = _mapping(parent, "names", where)
    _keys(data, f"{where}.names", ("zh_Hans", "en"), ())
    return Names(_string(data, "zh_Hans", f"{where}.names"), _string(data, "en", f"{where}.names"))


_BODY_KEYS = ("roster", "notice_days", "proxies", "quorum", "decision")


def _meeting_settings(data: LineDict, where: str) -> dict[str, Any]:
    """The meeting keys present in ``data`` (a body's defaults or a stage's own)."""
    settings: dict[str, Any] = {}
    if "roster" in data:
        settings["roster"] = _choice(data, "roster", where, Roster)
    if "notice_days" in data:
        settings["notice_days"] = _integer(data, "notice_days", where, 0)
    if "proxies" in data:
        settings["proxies"] = _boolean(data, "proxies", where)
    for key in ("quorum", "decision"):
        if key in data:
            settings[key] = _rule(data, key, where)
    return settings


def _bodies(top: LineDict) -> dict[Body, dict[str, Any]]:
    if "bodies" not in top:
        return {}
    data = _mapping(top, "bodies", "procedure")
    bodies: dict[Body, dict[str, Any]] = {}
    for name in data:
        where = f"bodies.{name}"
        try:
            body = Body(name)
        except ValueError:
            raise DataFileError(
                data.line_of(name),
                "%(where)s: %(value)s is not a known body; expected one of %(expected)s.",
                where="bodies",
                value=name,
                expected=", ".join(member.value for member in Body if member is not Body.PUBLIC),
            ) from None
        if body is Body.PUBLIC:
            raise DataFileError(
                data.line_of(name), "bodies: the public holds no meeting and needs no rules."
            )
        settings = _mapping(data, name, where)
        _keys(settings, where, (), _BODY_KEYS)
        bodies[body] = _meeting_settings(settings, where)
    return bodies


@dataclass
class _Draft:
    """A stage as read, before its outcomes are checked against the other stages."""

    stage: Stage
    outcome_lines: dict[Outcome, int] = field(default_factory=dict)
    merge_line: int = 0


def _stage(data: LineDict, index: int, bodies: Mapping[Body, Mapping[str, Any]]) -> _Draft:
    where = f"stages[{index}]"
    stage_keys = ("id", "kind", "names", "body", "outcomes")
    disclosure_keys = ("posting_days", "objection_days")
    _keys(
        data,
        where,
        stage_keys,
        (*_BODY_KEYS, *disclosure_keys, "merge_when_one_person", "alternative_bodies"),
    )
    stage_id = _identifier(data, "id", where)
    if stage_id == END:
        raise DataFileError(
            data.line_of("id"), "%(where)s: end is reserved; choose another id.", where=where
        )
    where = f"stages.{stage_id}"
    kind = _choice(data, "kind", where, StageKind)
    names = _names(data, where)
    body = _choice(data, "body", where, Body)
    voted = kind is not StageKind.DISCLOSURE
    if voted == (body is Body.PUBLIC):
        message = (
            N_("%(where)s: a %(kind)s is held by a meeting, not by the public.")
            if voted
            else N_("%(where)s: a disclosure is made to the public; its body must be public.")
        )
        raise DataFileError(data.line_of("body"), message, where=where, kind=kind.value)
    for key in _BODY_KEYS if not voted else disclosure_keys:
        if key in data:
            message = (
                N_("%(where)s: a disclosure is not voted on; remove %(key)s.")
                if not voted
                else N_("%(where)s: %(key)s belongs to a disclosure, not to a %(kind)s.")
            )
            raise DataFileError(data.line_of(key), message, where=where, key=key, kind=kind.value)

    settings = {**bodies.get(body, {}), **_meeting_settings(data, where)}
    if voted:
        for key in ("roster", "quorum", "decision"):
            if key not in settings:
                raise DataFileError(
                    data.line,
                    "%(where)s: %(key)s is missing, and bodies.%(body)s does not set it.",
                    where=where,
                    key=key,
                    body=body.value,
                )
    posting_days = objection_days = None
    if not voted:
        posting_days = DEFAULT_POSTING_DAYS
        if "posting_days" in data:
            posting_days = _integer(data, "posting_days", where, 1)
        objection_days = posting_days
        if "objection_days" in data:
            objection_days = _integer(data, "objection_days", where, 0)

    outcomes_data = _mapping(data, "outcomes", where)
    required = ("adopted", "rejected") if voted else ("adopted",)
    optional = ("returned",)
    _keys(outcomes_data, f"{where}.outcomes", required, optional)
    outcomes: dict[Outcome, str | None] = {}
    lines: dict[Outcome, int] = {}
    for name in outcomes_data:
        target = _identifier(outcomes_data, name, f"{where}.outcomes")
        outcomes[Outcome(name)] = None if target == END else target
        lines[Outcome(name)] = outcomes_data.line_of(name)

    merge = None
    if "merge_when_one_person" in data:
        merge = _identifier(data, "merge_when_one_person", where)
    alternatives = _alternatives(data, where, body, voted, bodies)
    stage = Stage(
        id=stage_id,
        kind=kind,
        names=names,
        body=body,
        roster=settings.get("roster"),
        notice_days=settings.get("notice_days", 0),
        quorum=settings.get("quorum"),
        decision=settings.get("decision"),
        proxies=settings.get("proxies", False),
        outcomes=outcomes,
        posting_days=posting_days,
        objection_days=objection_days,
        merge_when_one_person=merge,
        line=data.line,
    )
    if alternatives:
        stage = replace(
            stage,
            alternatives=tuple(
                replace(
                    stage,
                    body=alternative,
                    roster=settings["roster"],
                    notice_days=settings.get("notice_days", 0),
                    quorum=settings["quorum"],
                    decision=settings["decision"],
                    proxies=settings.get("proxies", False),
                )
                for alternative, settings in alternatives
            ),
        )
    return _Draft(stage, lines, data.line_of("merge_when_one_person"))


def _alternatives(
    data: LineDict,
    where: str,
    body: Body,
    voted: bool,
    bodies: Mapping[Body, Mapping[str, Any]],
) -> list[tuple[Body, Mapping[str, Any]]]:
    """``alternative_bodies``: the other bodies that may hold a meeting stage, each with
    its rules from ``bodies`` (it must set roster, quorum and decision there)."""
    if "alternative_bodies" not in data:
        return []
    line = data.line_of("alternative_bodies")
    items = data["alternative_bodies"]
    if not voted:
        raise DataFileError(
            line,
            "%(where)s: a disclosure is not voted on; remove %(key)s.",
            where=where,
            key="alternative_bodies",
        )
    if not isinstance(items, list) or not items:
        raise DataFileError(
            line, "%(where)s: alternative_bodies must list one or more bodies.", where=where
        )
    result: list[tuple[Body, Mapping[str, Any]]] = []
    for item in items:
        try:
            alternative = Body(item)
        except ValueError:
            raise DataFileError(
                line,
                "%(where)s: %(value)s is not a known body; expected one of %(expected)s.",
                where=where,
                value=str(item),
                expected=", ".join(m.value for m in Body if m is not Body.PUBLIC),
            ) from None
        if alternative is body:
            continue  # the stage's own body: nothing to add
        if alternative is Body.PUBLIC or alternative in (b for b, _ in result):
            raise DataFileError(
                line,
                "%(where)s: %(value)s cannot be an alternative body here.",
                where=where,
                value=alternative.value,
            )
        settings = bodies.get(alternative, {})
        for key in ("roster", "quorum", "decision"):
            if key not in settings:
                raise DataFileError(
                    line,
                    "%(where)s: %(key)s is missing, and bodies.%(body)s does not set it.",
                    where=where,
                    key=key,
                    body=alternative.value,
                )
        result.append((alternative, settings))
    return result


def held_by(stage: Stage, body: str | None = None) -> Stage:
    """The stage as held by ``body``: the stage itself for its own body (or None), one of
    its ``alternatives`` otherwise. NotFound for a body that may not hold it."""
    if body is None or body == stage.body.value:
        return stage
    for alternative in stage.alternatives:
        if alternative.body.value == body:
            return replace(alternative, outcomes=stage.outcomes, merged_from=stage.merged_from)
    raise NotFound(
        "The %(stage)s stage cannot be held by %(body)s.",
        params={"stage": stage.id, "body": body},
    )


def _check_chain(drafts: Sequence[_Draft]) -> None:
    order = {draft.stage.id: index for index, draft in enumerate(drafts)}
    for index, draft in enumerate(drafts):
        stage = draft.stage
        where = f"stages.{stage.id}"
        for outcome, target in stage.outcomes.items():
            line = draft.outcome_lines[outcome]
            if target is None:
                if outcome is Outcome.RETURNED:
                    raise DataFileError(
                        line,
                        "%(where)s: returned must name the stage that revises the matter, not end.",
                        where=where,
                    )
                continue
            if target not in order:
                raise DataFileError(
                    line,
                    "%(where)s: the outcome %(outcome)s names %(target)s, which is not a stage.",
                    where=where,
                    outcome=outcome.value,
                    target=target,
                )
            if outcome is Outcome.RETURNED and order[target] > index:
                raise DataFileError(
                    line,
                    "%(where)s: returned must name this stage or an earlier one, not %(target)s.",
                    where=where,
                    target=target,
                )
        merge = stage.merge_when_one_person
        if merge is not None:
            following = drafts[index + 1].stage if index + 1 < len(drafts) else None
            if following is None or following.id != merge or not following.voted or not stage.voted:
                raise DataFileError(
                    draft.merge_line,
                    "%(where)s: merge_when_one_person must name the next stage, and both must "
                    "be meetings; %(target)s is not.",
                    where=where,
                    target=merge,
                )

    first = drafts[0].stage.id
    reached = {first}
    frontier = [first]
    stages = {draft.stage.id: draft.stage for draft in drafts}
    while frontier:
        for target in stages[frontier.pop()].outcomes.values():
            if target is not None and target not in reached:
                reached.add(target)
                frontier.append(target)
    for draft in drafts:
        if draft.stage.id not in reached:
            raise DataFileError(
                draft.stage.line,
                "stages.%(stage)s cannot be reached from the first stage, %(first)s.",
                stage=draft.stage.id,
                first=first,
            )

    lines = {draft.stage.id: draft.outcome_lines for draft in drafts}
    for draft in drafts:
        seen: list[str] = []
        current: str | None = draft.stage.id
        while current is not None:
            if current in seen:
                raise DataFileError(
                    lines[seen[-1]][Outcome.ADOPTED],
                    "Following adopted from %(start)s comes back to %(stage)s: "
                    "the chain has no end.",
                    start=draft.stage.id,
                    stage=current,
                )
            seen.append(current)
            current = stages[current].outcomes[Outcome.ADOPTED]


def _election(data: LineDict, where: str) -> ElectionRules:
    _keys(data, where, ("eligibility", "tie_break"), ("winning_share",))
    rule = _mapping(data, "eligibility", where)
    rule_where = f"{where}.eligibility"
    flags = ("residence_in_region", "include_macau_residents", "include_foreign_residents")
    _keys(rule, rule_where, ("min_age", *flags), ())
    eligibility = EligibilityRule(
        min_age=_integer(rule, "min_age", rule_where, 0),
        residence_in_region=_boolean(rule, "residence_in_region", rule_where),
        include_macau_residents=_boolean(rule, "include_macau_residents", rule_where),
        include_foreign_residents=_boolean(rule, "include_foreign_residents", rule_where),
    )
    share = _fraction(data, "winning_share", where) if "winning_share" in data else None
    return ElectionRules(eligibility, _choice(data, "tie_break", where, TieBreak), share)


def load_procedure(text: str) -> Procedure:
    """Read and check a procedure template; :class:`DataFileError` names the line to fix."""
    top = load_yaml(text)
    _keys(top, "procedure", ("id", "names", "stages"), ("version", "bodies", "election"))
    procedure_id = _identifier(top, "id", "procedure")
    names = _names(top, "procedure")
    version = _integer(top, "version", "procedure", 1) if "version" in top else 1
    bodies = _bodies(top)
    items = top["stages"]
    if not isinstance(items, list) or not items:
        raise DataFileError(
            top.line_of("stages"), "procedure: stages must list one or more stages."
        )
    drafts: list[_Draft] = []
    first_line: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, LineDict):
            raise DataFileError(
                top.line_of("stages"), "procedure: stage %(n)s is not a mapping.", n=index + 1
            )
        draft = _stage(item, index, bodies)
        if draft.stage.id in first_line:
            raise DataFileError(
                item.line_of("id"),
                "The stage id %(stage)s is used twice; first on line %(first)s.",
                stage=draft.stage.id,
                first=first_line[draft.stage.id],
            )
        first_line[draft.stage.id] = item.line_of("id")
        drafts.append(draft)
    _check_chain(drafts)
    election = None
    if "election" in top:
        election = _election(_mapping(top, "election", "procedure"), "election")
    return Procedure(
        id=procedure_id,
        names=names,
        stages=tuple(draft.stage for draft in drafts),
        version=version,
        election=election,
    )


def load_election_rules(text: str) -> ElectionRules:
    """Read election rules written on their own: ``eligibility``, ``tie_break`` and an
    optional ``winning_share`` at the top level (the same shape as a template's
    ``election`` section)."""
    return _election(load_yaml(text), "election")


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
    if tally.present > tally.members:
        problems.append(
            Problem(
                "present",
                "%(present)s present is more than the %(members)s members.",
                present=tally.present,
                members=tally.members,
            )
        )
    votes = tally.yes + tally.no + tally.abstain
    if votes > tally.present:
        problems.append(
            Problem(
                "yes",
                "%(votes)s votes (for, against, abstaining) is more than the %(present)s present.",
                votes=votes,
                present=tally.present,
            )
        )
    if tally.households_represented > tally.households_total:
        problems.append(
            Problem(
                "households_represented",
                "%(represented)s households represented is more than the %(households)s "
                "households.",
                represented=tally.households_represented,
                households=tally.households_total,
            )
        )
    if tally.proxies > tally.present:
        problems.append(
            Problem(
                "proxies",
                "%(proxies)s proxies is more than the %(present)s present.",
                proxies=tally.proxies,
                present=tally.present,
            )
        )
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


# --------------------------------------------------------------------------- notices


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def posting_closes_at(posted_at: datetime, period_days: int) -> datetime:
    """When a notice posted at ``posted_at`` has been up its full period (calendar days)."""
    _aware(posted_at, "posted_at")
    if period_days < 0:
        raise ValueError("period_days cannot be negative")
    return posted_at + timedelta(days=period_days)


def notice_may_close(posted_at: datetime, period_days: int, now: datetime) -> bool:
    """True once the notice has been posted for the whole period, not a second sooner."""
    _aware(now, "now")
    return now >= posting_closes_at(posted_at, period_days)


def objection_window_end(posted_at: datetime, objection_days: int) -> datetime:
    """The last moment objections to a notice are received (a disclosure stage's
    ``objection_days``, by default its posting period)."""
    return posting_closes_at(posted_at, objection_days)


class DisclosureKind(StrEnum):
    VILLAGE_AFFAIRS = "village_affairs"  # 村务公开
    PARTY_AFFAIRS = "party_affairs"  # 党务公开
    FINANCES = "finances"  # 财务公开
    MAJOR_MATTERS = "major_matters"  # 重大事项


# Routine disclosures: once in every period of this many calendar months (quarters align
# with January); 0 means at once, due the day the matter arises. 村民委员会组织法 第三十条:
# 一般事项至少每季度公布一次，财务收支情况应当每月公布一次，重大事项应当随时公布.
DISCLOSURE_RHYTHM: dict[str, int] = {
    DisclosureKind.VILLAGE_AFFAIRS: 3,
    DisclosureKind.PARTY_AFFAIRS: 3,
    DisclosureKind.FINANCES: 1,
    DisclosureKind.MAJOR_MATTERS: 0,
}


def next_due(
    kind: str,
    last_published: date | None,
    today: date,
    rhythm: Mapping[str, int] = DISCLOSURE_RHYTHM,
) -> date:
    """The last day the next routine disclosure of ``kind`` may be published: the end of
    the period after the one ``last_published`` fell in. Never published, or a matter
    to disclose at once: ``today``. A date before ``today`` means it is overdue."""
    if kind not in rhythm:
        raise InvalidInput(
            "%(kind)s is not a kind of routine disclosure.", params={"kind": str(kind)}
        )
    months = rhythm[kind]
    if months == 0 or last_published is None:
        return today
    period = (last_published.year * 12 + last_published.month - 1) // months
    last_month = (period + 2) * months - 1
    year, month = divmod(last_month, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


# --------------------------------------------------------------------------- personal data


class FindingKind(StrEnum):
    ID_NUMBER = "id_number"  # 18 characters, GB 11643 check digit valid
    OLD_ID_NUMBER = "old_id_number"  # 15 digits (first-generation card)
    MAINLAND_MOBILE = "mainland_mobile"
    MACAU_PHONE = "macau_phone"
    HONG_KONG_PHONE = "hong_kong_phone"
    CARD_NUMBER = "card_number"  # 16 to 19 digits passing the Luhn check (bank cards)


@dataclass(frozen=True)
class Finding:
    """Personal data in a text: ``text[start:end]`` and its masked form."""

    kind: FindingKind
    start: int
    end: int
    masked: str


_ID18 = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])[0-9]{15}(?![0-9A-Za-z])")
_HK_MACAU = re.compile(r"(?<![0-9+])(?:\+|00)(85[23])[ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
_MOBILE = re.compile(r"(?<![0-9+])(?:(?:\+|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])")
# 13 to 19 digits, in groups separated by single spaces or dashes; a card has 16 to 19.
_CARD = re.compile(r"(?<![0-9A-Za-z*])(?:[0-9][ -]?){12,18}[0-9](?![0-9A-Za-z*])")


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check every bank card number passes."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def mask_card(number: str) -> str:
    """``6222 **** **** 1234`` style: the first 4 and last 4 digits."""
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def _valid_id18(number: str) -> bool:
    return check_digit(number[:17]) == number[17].upper()


def _valid_id15(number: str) -> bool:
    if number[:2] not in MAINLAND_PROVINCES:
        return False
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return True


def _mask_phone_text(raw: str) -> str:
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    return mask_phone(normalise_phone(raw))


def scan_personal_data(text: str) -> list[Finding]:
    """ID numbers (18-character with a valid check digit, 15-digit old ones), bank-card
    numbers (16 to 19 digits, grouped or not, passing the Luhn check) and phone
    numbers (mainland mobiles with or without +86 and spaces or dashes; Macau +853 and
    Hong Kong +852 numbers) in ``text``, in order, masked as the registry masks them."""
    found: list[Finding] = []

    def add(kind: FindingKind, match: re.Match[str], masked: str) -> None:
        start, end = match.span()
        if all(end <= other.start or start >= other.end for other in found):
            found.append(Finding(kind, start, end, masked))

    for match in _ID18.finditer(text):
        if _valid_id18(match.group()):
            add(FindingKind.ID_NUMBER, match, mask_id(match.group().upper()))
    for match in _ID15.finditer(text):
        if _valid_id15(match.group()):
            add(FindingKind.OLD_ID_NUMBER, match, mask_id(match.group()))
    for match in _CARD.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 16 <= len(digits) <= 19 and luhn_valid(digits):
            add(FindingKind.CARD_NUMBER, match, mask_card(digits))
    for match in _HK_MACAU.finditer(text):
        kind = FindingKind.MACAU_PHONE if match.group(1) == "853" else FindingKind.HONG_KONG_PHONE
        add(kind, match, _mask_phone_text(match.group()))
    for match in _MOBILE.finditer(text):
        add(FindingKind.MAINLAND_MOBILE, match, _mask_phone_text(match.group()))
    return sorted(found, key=lambda finding: finding.start)


def mask_personal_data(text: str) -> str:
    """``text`` with every finding of :func:`scan_personal_data` replaced by its mask."""
    for finding in reversed(scan_personal_data(text)):
        text = text[: finding.start] + finding.masked + text[finding.end :]
    return text


# --------------------------------------------------------------------------- elections


@dataclass(frozen=True)
class Voter:
    id: str
    born: date
    grid_code: str
    macau_resident: bool = False
    foreign_resident: bool = False


def _birthday(born: date, years: int) -> date:
    """The day ``born`` turns ``years`` old; 29 February turns on 1 March in other years."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def check_eligibility(
    rule: EligibilityRule, voter: Voter, on: date, *, region_code: str
) -> Problem | None:
    """Why ``voter`` may not vote on ``on`` in an election of ``region_code``, or None."""
    turns = _birthday(voter.born, rule.min_age)
    if turns > on:
        return Problem(
            "born",
            "Too young: voters must be %(min_age)s by %(on)s, and this voter turns "
            "%(min_age)s on %(birthday)s.",
            min_age=rule.min_age,
            on=on.isoformat(),
            birthday=turns.isoformat(),
        )
    if rule.residence_in_region and not voter.grid_code.startswith(region_code):
        return Problem(
            "grid_code",
            "Not resident in this election's area: grid %(grid)s is outside %(region)s.",
            grid=voter.grid_code,
            region=region_code,
        )
    if voter.macau_resident and not rule.include_macau_residents:
        return Problem("macau_resident", "Macau residents are not eligible in this election.")
    if voter.foreign_resident and not rule.include_foreign_residents:
        return Problem("foreign_resident", "Foreign residents are not eligible in this election.")
    return None


@dataclass(frozen=True)
class Candidate:
    id: str
    born: date | None = None  # needed for the older_first tie-break


@dataclass(frozen=True)
class CountResult:
    """An election's count. Every valid ballot carries ``seats`` choices, each a vote for
    a candidate or left blank, so ``sum(votes) + blank_choices == valid_ballots * seats``."""

    seats: int
    ballots_cast: int
    valid_ballots: int
    invalid_ballots: int
    votes: dict[str, int]  # every candidate, most votes first
    blank_choices: int
    elected: tuple[str, ...]
    tied: tuple[str, ...]  # tied for the last seat(s), before the tie-break
    runoff: tuple[str, ...]  # still tied: a runoff between them decides runoff_seats
    runoff_seats: int
    unfilled: int  # seats no candidate qualified for (另行选举)
    tie_break: TieBreak
    seed: str | None = None  # lot: the recorded seed of the draw
    draw: tuple[str, ...] = ()  # lot: the tied candidates in drawn order

    @property
    def balanced(self) -> bool:
        return sum(self.votes.values()) + self.blank_choices == self.valid_ballots * self.seats


def _lot_seed(election_id: str, tied: Sequence[str]) -> str:
    return hashlib.sha256("\x1f".join([election_id, *sorted(tied)]).encode()).hexdigest()


def _lot_order(seed: str, tied: Sequence[str]) -> list[str]:
    return sorted(tied, key=lambda c: (hashlib.sha256(f"{seed}\x1f{c}".encode()).hexdigest(), c))


def count_votes(
    *,
    election_id: str,
    seats: int,
    candidates: Sequence[Candidate],
    ballots: Sequence[Sequence[str]],
    tie_break: TieBreak,
    winning_share: Fraction | None = None,
) -> CountResult:
    """Count ``ballots`` (each the candidate ids marked) for ``seats`` seats.

    A ballot is invalid if it marks more candidates than seats, the same candidate twice,
    or someone not on the list. A candidate needs at least one vote and, with
    ``winning_share``, more than that share of the ballots cast. A tie for the last
    seat(s) goes to ``tie_break``: ``lot`` draws with a seed derived from the election
    and the tied candidates (recorded, so anyone can redo it), ``older_first`` takes the
    older (same birth date: a runoff between those), ``runoff`` leaves the tied
    candidates to a runoff."""
    if seats < 1:
        raise InvalidInput("An election fills at least one seat.")
    ids = [candidate.id for candidate in candidates]
    if len(set(ids)) != len(ids):
        raise InvalidInput("Each candidate is listed once.")
    votes = dict.fromkeys(ids, 0)
    valid = blank = 0
    for ballot in ballots:
        if (
            len(ballot) > seats
            or len(set(ballot)) != len(ballot)
            or not set(ballot) <= votes.keys()
        ):
            continue
        valid += 1
        blank += seats - len(ballot)
        for choice in ballot:
            votes[choice] += 1
    ranked = sorted(ids, key=lambda c: (-votes[c], ids.index(c)))

    def qualifies(c: str) -> bool:
        if votes[c] == 0:
            return False
        if winning_share is None:
            return True
        return votes[c] * winning_share.denominator > winning_share.numerator * len(ballots)

    qualified = [c for c in ranked if qualifies(c)]
    elected: list[str] = qualified[:seats]
    tied: list[str] = []
    runoff: list[str] = []
    runoff_seats = 0
    seed: str | None = None
    draw: tuple[str, ...] = ()
    if len(qualified) > seats and votes[qualified[seats]] == votes[qualified[seats - 1]]:
        cutoff = votes[qualified[seats - 1]]
        above = [c for c in qualified if votes[c] > cutoff]
        tied = [c for c in qualified if votes[c] == cutoff]
        needed = seats - len(above)
        elected = above
        if tie_break is TieBreak.LOT:
            seed = _lot_seed(election_id, tied)
            draw = tuple(_lot_order(seed, tied))
            elected = above + list(draw[:needed])
        elif tie_break is TieBreak.OLDER_FIRST:
            births = {candidate.id: candidate.born for candidate in candidates}
            missing = [c for c in tied if births[c] is None]
            if missing:
                raise InvalidInput(
                    "older_first needs the date of birth of every tied candidate; "
                    "%(candidate)s has none.",
                    params={"candidate": missing[0]},
                )
            born = {c: b for c in tied if (b := births[c]) is not None}
            oldest_first = sorted(tied, key=lambda c: (born[c], ids.index(c)))
            boundary = born[oldest_first[needed - 1]]
            older = [c for c in oldest_first if born[c] < boundary]
            same = [c for c in oldest_first if born[c] == boundary]
            if len(older) + len(same) == needed:
                elected = above + older + same
            else:
                elected = above + older
                runoff, runoff_seats = same, needed - len(older)
        else:
            runoff, runoff_seats = tied, needed
    return CountResult(
        seats=seats,
        ballots_cast=len(ballots),
        valid_ballots=valid,
        invalid_ballots=len(ballots) - valid,
        votes={c: votes[c] for c in ranked},
        blank_choices=blank,
        elected=tuple(elected),
        tied=tuple(tied),
        runoff=tuple(runoff),
        runoff_seats=runoff_seats,
        unfilled=seats - len(elected) - runoff_seats,
        tie_break=tie_break,
        seed=seed,
        draw=draw,
    )


# --------------------------------------------------------------------------- stored states


class MatterState(StrEnum):
    OPEN = "open"  # a stage is under way
    REJECTED = "rejected"  # a stage rejected it; the chain ended
    COMPLETED = "completed"  # every stage passed, both disclosures closed
    WITHDRAWN = "withdrawn"


class MeetingState(StrEnum):
    CONVENED = "convened"  # notice given, roster snapshot taken
    IN_SESSION = "in_session"  # signing in, voting
    DECIDED = "decided"  # outcome recorded
    NO_QUORUM = "no_quorum"  # closed without a quorum: it could not decide
    CANCELLED = "cancelled"


class Voting(StrEnum):
    SHOW_OF_HANDS = "show_of_hands"  # totals recorded by the clerk
    ROLL_CALL = "roll_call"  # a recorded vote per member
    SECRET_BALLOT = "secret_ballot"  # noqa: S105 - one ballot per member, never linked to them


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class NoticeKind(StrEnum):
    RESOLUTION = "resolution"  # 决议公开
    RESULT = "result"  # 实施结果公开
    VILLAGE_AFFAIRS = "village_affairs"  # 村务公开
    PARTY_AFFAIRS = "party_affairs"  # 党务公开
    FINANCES = "finances"  # 财务公开
    MAJOR_MATTERS = "major_matters"  # 重大事项
    ELECTION_RESULT = "election_result"  # 选举结果公告
    OTHER = "other"


class NoticeState(StrEnum):
    DRAFT = "draft"
    POSTED = "posted"
    CLOSED = "closed"  # the posting period is over
    WITHDRAWN = "withdrawn"


class ImplementationState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class ProposalState(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"  # becomes a governance action
    MERGED = "merged"  # folded into another proposal
    NOT_ADOPTED = "not_adopted"


class ElectionState(StrEnum):
    NOMINATION = "nomination"
    REVIEW = "review"  # eligibility review of the nominees
    VOTING = "voting"
    COUNTED = "counted"
    PUBLISHED = "published"  # the result notice is posted


class CandidateState(StrEnum):
    NOMINATED = "nominated"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    WITHDRAWN = "withdrawn"
