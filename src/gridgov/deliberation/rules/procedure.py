"""Loading a procedure (程序) from its YAML: every field checked, every error located."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from typing import Any, TypeVar

from gridgov.datafiles import DataFileError, LineDict, load_yaml
from gridgov.deliberation.rules.vocabulary import (
    _COUNT_BASES,
    _FRACTION_PATTERN,
    _ID_PATTERN,
    _ROLE_COUNTS,
    DEFAULT_POSTING_DAYS,
    END,
    AnyOf,
    Basis,
    Body,
    Comparator,
    Count,
    ElectionRules,
    EligibilityRule,
    Names,
    Outcome,
    Procedure,
    Roster,
    Rule,
    Stage,
    StageKind,
    Threshold,
    TieBreak,
)
from gridgov.errors import NotFound
from gridgov.msgids import N_

__all__ = [
    "held_by",
    "load_election_rules",
    "load_procedure",
]

# --------------------------------------------------------------------------- loading

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def _keys(data: LineDict, where: str, required: Iterable[str], optional: Iterable[str]) -> None:
    required = tuple(required)
    allowed = set(required) | set(optional)
    for key in data:
        if key not in allowed:
            raise _at_key(
                data,
                key,
                where,
                N_("%(where)s: unknown key %(key)s; expected one of %(expected)s."),
                expected=", ".join(sorted(allowed)),
            )
    for key in required:
        if key not in data:
            raise DataFileError(data.line, "%(where)s: %(key)s is missing.", where=where, key=key)


def _at_key(parent: LineDict, key: str, where: str, message: str, **params: Any) -> DataFileError:
    """``message`` (a catalogue id naming ``where`` and ``key``, and ``params``) refusing
    ``parent[key]``, at its line."""
    return DataFileError(parent.line_of(key), message, where=where, key=key, **params)


def _of_type(parent: LineDict, key: str, where: str, kind: type[T], message: str) -> T:
    """``parent[key]`` when it is a ``kind``; else ``message`` (a catalogue id naming
    ``where`` and ``key``) at its line."""
    value = parent[key]
    if not isinstance(value, kind):
        raise _at_key(parent, key, where, message)
    return value


def _mapping(parent: LineDict, key: str, where: str) -> LineDict:
    return _of_type(parent, key, where, LineDict, N_("%(where)s: %(key)s must be a mapping."))


def _string(parent: LineDict, key: str, where: str) -> str:
    value = parent[key]
    if not isinstance(value, str) or not value.strip():
        raise _at_key(parent, key, where, N_("%(where)s: %(key)s must be some text."))
    return value.strip()


def _identifier(parent: LineDict, key: str, where: str) -> str:
    value = parent[key]
    if not isinstance(value, str) or not _ID_PATTERN.fullmatch(value):
        raise _at_key(
            parent,
            key,
            where,
            N_("%(where)s: %(key)s must be a lower-case identifier such as review, not %(value)s."),
            value=str(value),
        )
    return value


def _integer(parent: LineDict, key: str, where: str, minimum: int) -> int:
    value = parent[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _at_key(
            parent,
            key,
            where,
            N_("%(where)s: %(key)s must be a whole number of at least %(minimum)s."),
            minimum=minimum,
        )
    return value


def _boolean(parent: LineDict, key: str, where: str) -> bool:
    return _of_type(parent, key, where, bool, N_("%(where)s: %(key)s must be true or false."))


def _choice(parent: LineDict, key: str, where: str, kind: type[E]) -> E:
    value = parent[key]
    try:
        return kind(value)
    except ValueError:
        raise _at_key(
            parent,
            key,
            where,
            N_("%(where)s: %(value)s is not a known %(key)s; expected one of %(expected)s."),
            value=str(value),
            expected=", ".join(member.value for member in kind),
        ) from None


def _choice_within(
    parent: LineDict,
    key: str,
    where: str,
    kind: type[E],
    allowed: Collection[E],
    message: str,
    **params: Any,
) -> E:
    """``_choice``, refused with ``message`` unless ``allowed``: the message names
    ``where``, the value as ``key``, the ``expected`` ones and ``params``."""
    value = _choice(parent, key, where, kind)
    if value not in allowed:
        raise DataFileError(
            parent.line_of(key),
            message,
            where=where,
            expected=", ".join(sorted(allowed)),
            **{key: value.value},
            **params,
        )
    return value


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
    count = _choice_within(
        data,
        "count",
        where,
        Count,
        _ROLE_COUNTS[role],
        N_("%(where)s: a %(role)s counts %(expected)s, not %(count)s."),
        role=role,
    )
    comparator = _choice(data, "comparator", where, Comparator)
    fraction = _fraction(data, "fraction", where)
    of = _choice_within(
        data,
        "of",
        where,
        Basis,
        _COUNT_BASES[count],
        N_("%(where)s: %(count)s cannot be measured against %(of)s; use %(expected)s."),
        count=count.value,
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


def _body(value: Any, line: int, where: str) -> Body:
    """``value`` as a body, refused at ``line`` when it names none (the public is not
    offered: it holds no meeting)."""
    try:
        return Body(value)
    except ValueError:
        raise DataFileError(
            line,
            "%(where)s: %(value)s is not a known body; expected one of %(expected)s.",
            where=where,
            value=str(value),
            expected=", ".join(member.value for member in Body if member is not Body.PUBLIC),
        ) from None


def _bodies(top: LineDict) -> dict[Body, dict[str, Any]]:
    if "bodies" not in top:
        return {}
    data = _mapping(top, "bodies", "procedure")
    bodies: dict[Body, dict[str, Any]] = {}
    for name in data:
        where = f"bodies.{name}"
        body = _body(name, data.line_of(name), "bodies")
        if body is Body.PUBLIC:
            raise DataFileError(
                data.line_of(name), "bodies: the public holds no meeting and needs no rules."
            )
        settings = _mapping(data, name, where)
        _keys(settings, where, (), _BODY_KEYS)
        bodies[body] = _meeting_settings(settings, where)
    return bodies


_DISCLOSURE_KEYS = ("posting_days", "objection_days")


@dataclass
class _Draft:
    """A stage as read, before its outcomes are checked against the other stages."""

    stage: Stage
    outcome_lines: dict[Outcome, int] = field(default_factory=dict)
    merge_line: int = 0


def _stage(data: LineDict, index: int, bodies: Mapping[Body, Mapping[str, Any]]) -> _Draft:
    where = f"stages[{index}]"
    stage_keys = ("id", "kind", "names", "body", "outcomes")
    _keys(
        data,
        where,
        stage_keys,
        (*_BODY_KEYS, *_DISCLOSURE_KEYS, "merge_when_one_person", "alternative_bodies"),
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
    _check_body(data, where, kind, body, voted)
    settings = _stage_settings(data, where, body, voted, bodies)
    posting_days, objection_days = _disclosure_days(data, where, voted)
    outcomes, lines = _outcomes(data, where, voted)

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


def _check_body(data: LineDict, where: str, kind: StageKind, body: Body, voted: bool) -> None:
    """A voted stage is held by a meeting, a disclosure by the public; each names only
    its own settings."""
    if voted == (body is Body.PUBLIC):
        message = (
            N_("%(where)s: a %(kind)s is held by a meeting, not by the public.")
            if voted
            else N_("%(where)s: a disclosure is made to the public; its body must be public.")
        )
        raise DataFileError(data.line_of("body"), message, where=where, kind=kind.value)
    for key in _BODY_KEYS if not voted else _DISCLOSURE_KEYS:
        if key in data:
            message = (
                N_("%(where)s: a disclosure is not voted on; remove %(key)s.")
                if not voted
                else N_("%(where)s: %(key)s belongs to a disclosure, not to a %(kind)s.")
            )
            raise _at_key(data, key, where, message, kind=kind.value)


def _stage_settings(
    data: LineDict,
    where: str,
    body: Body,
    voted: bool,
    bodies: Mapping[Body, Mapping[str, Any]],
) -> dict[str, Any]:
    """The stage's meeting settings over its body's; a voted stage must end with a
    roster, a quorum and a decision rule."""
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
    return settings


def _disclosure_days(data: LineDict, where: str, voted: bool) -> tuple[int | None, int | None]:
    """A disclosure's posting and objection days (None for a voted stage)."""
    if voted:
        return None, None
    posting_days = DEFAULT_POSTING_DAYS
    if "posting_days" in data:
        posting_days = _integer(data, "posting_days", where, 1)
    objection_days = posting_days
    if "objection_days" in data:
        objection_days = _integer(data, "objection_days", where, 0)
    return posting_days, objection_days


def _outcomes(
    data: LineDict, where: str, voted: bool
) -> tuple[dict[Outcome, str | None], dict[Outcome, int]]:
    """Where each outcome leads (None: the end) and the line that says so."""
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
    return outcomes, lines


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
        alternative = _body(item, line, where)
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
