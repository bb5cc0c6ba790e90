"""The tree: indicators with weights and normalisations, and the YAML loader that
validates a tree file line by line (``DataFileError`` names the line)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property, partial
from typing import Any

from gridgov.datafiles import DataFileError, LineDict, load_yaml
from gridgov.indicators.formulas import (
    Formula,
    compiled,
    formula_names,
)
from gridgov.indicators.kinds import (
    BASE_METRICS,
    BUILT_IN_DERIVED,
    Band,
    Method,
    Missing,
    PeriodKind,
    UnitKind,
)
from gridgov.msgids import N_

# -- the tree ----------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    start: int  # the n-th counted item from which ``points`` apply
    points: float


@dataclass(frozen=True)
class Threshold:
    at: float
    score: float  # fraction of the weight


@dataclass(frozen=True)
class Indicator:
    id: str
    name_zh: str
    name_en: str
    weight: float
    line: int
    children: tuple[Indicator, ...] = ()
    metric: str | None = None
    method: Method | None = None
    better: str = "higher"
    target: float | None = None
    thresholds: tuple[Threshold, ...] = ()
    steps: tuple[Step, ...] = ()
    missing: Missing = Missing.MEAN
    evidence: str = ""  # what a reviewer must attach, for manual items (Chinese)
    evidence_en: str = ""  # the same in English

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> Iterable[Indicator]:
        if self.is_leaf:
            yield self
        for child in self.children:
            yield from child.leaves()

    def formula(self) -> str:
        """How the leaf turns its raw value into points, for the scorecard."""
        w = _num(self.weight)
        if self.method is Method.TARGET:
            if self.better == "lower":
                return f"{w} × min(1, {_num(self.target)} / raw)"
            return f"{w} × min(1, raw / {_num(self.target)})"
        if self.method is Method.MINMAX:
            if self.better == "lower":
                return f"{w} × (max − raw) / (max − min)"
            return f"{w} × (raw − min) / (max − min)"
        if self.method is Method.THRESHOLDS:
            sign = "≤" if self.better == "lower" else "≥"
            bands = "; ".join(f"{sign} {_num(t.at)}: {_num(t.score)}" for t in self.thresholds)
            return f"{w} × ({bands}; else 0)"
        if self.method is Method.DEDUCT:
            steps = ", ".join(f"−{_num(s.points)} from #{s.start}" for s in self.steps)
            return f"max(0, {w} − ({steps}))"
        return f"0–{w}"


@dataclass(frozen=True)
class Tree:
    key: str
    version: int
    name_zh: str
    name_en: str
    units: tuple[UnitKind, ...]
    party_kinds: tuple[str, ...]
    period: PeriodKind
    total: float
    green: float
    amber: float
    settle_days: int
    indicators: tuple[Indicator, ...]
    derived: dict[str, str] = field(default_factory=dict)

    def leaves(self) -> list[Indicator]:
        return [leaf for top in self.indicators for leaf in top.leaves()]

    def find(self, indicator_id: str) -> Indicator | None:
        stack = list(self.indicators)
        while stack:
            node = stack.pop()
            if node.id == indicator_id:
                return node
            stack.extend(node.children)
        return None

    def band(self, score: float) -> Band:
        if score >= self.green:
            return Band.GREEN
        if score >= self.amber:
            return Band.AMBER
        return Band.RED

    def metrics_needed(self) -> set[str]:
        """Base metrics the leaves need, through derived formulas."""
        formulas = {**BUILT_IN_DERIVED, **self.derived}
        needed: set[str] = set()
        pending = [leaf.metric for leaf in self.leaves() if leaf.metric]
        while pending:
            name = pending.pop()
            if name in BASE_METRICS:
                needed.add(name)
            elif name in formulas:
                pending.extend(formula_names(formulas[name], 0))
        return needed

    @cached_property
    def _evaluation(self) -> tuple[tuple[tuple[str, Formula], ...], tuple[tuple[str, str], ...]]:
        """The derived metrics the leaves need, in an order where each formula's names
        come before it, and (leaf id, metric) pairs: worked out once per tree."""
        formulas = {**BUILT_IN_DERIVED, **self.derived}
        order: list[str] = []

        def visit(name: str) -> None:
            if name in order or name not in formulas:
                return
            for used in sorted(formula_names(formulas[name], 0)):
                visit(used)
            order.append(name)

        leaves = tuple((leaf.id, leaf.metric) for leaf in self.leaves() if leaf.metric)
        for _leaf, metric in leaves:
            visit(metric)
        return tuple((name, compiled(formulas[name])) for name in order), leaves

    def raw_values(self, base: Mapping[str, float | None]) -> dict[str, float | None]:
        """Every leaf's raw value from the unit's base counts (manual leaves excluded)."""
        derived, leaves = self._evaluation
        values: dict[str, float | None] = dict(base)
        for name, formula in derived:
            values[name] = formula(values)
        return {leaf: values.get(metric) for leaf, metric in leaves}


def _num(value: float | None) -> str:
    if value is None:
        return "?"
    return f"{value:g}"


def _require(mapping: LineDict, key: str, where: str) -> Any:
    if key not in mapping or mapping[key] in (None, ""):
        raise DataFileError(mapping.line, "%(where)s needs %(key)s.", where=where, key=key)
    return mapping[key]


def _number(mapping: LineDict, key: str, where: str, default: float | None = None) -> float:
    value = mapping.get(key, default)
    if value is None:
        raise DataFileError(mapping.line, "%(where)s needs %(key)s.", where=where, key=key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataFileError(
            mapping.line_of(key), "%(where)s: %(key)s must be a number.", where=where, key=key
        )
    return float(value)


def _names(mapping: LineDict, where: str) -> tuple[str, str]:
    _require(mapping, "name", where)
    return _texts(mapping, "name", where)


def _texts(mapping: LineDict, key: str, where: str) -> tuple[str, str]:
    """A text given once, or as ``{zh_Hans: …, en: …}``: (Chinese, English)."""
    texts = mapping.get(key)
    if texts is None or isinstance(texts, str):
        return str(texts or ""), str(texts or "")
    if not isinstance(texts, LineDict) or not texts.get("zh_Hans"):
        raise DataFileError(
            mapping.line_of(key), "%(where)s: %(key)s needs zh_Hans (and en).", where=where, key=key
        )
    return str(texts["zh_Hans"]), str(texts.get("en") or texts["zh_Hans"])


def _choice(mapping: LineDict, key: str, allowed: type[StrEnum], where: str, default: str) -> Any:
    value = str(mapping.get(key, default))
    try:
        return allowed(value)
    except ValueError:
        choices = ", ".join(member.value for member in allowed)
        raise DataFileError(
            mapping.line_of(key),
            "%(where)s: %(key)s must be one of %(choices)s, not %(value)s.",
            where=where,
            key=key,
            choices=choices,
            value=value,
        ) from None


_ID = re.compile(r"[a-z][a-z0-9_]{0,47}")


def _indicator(node: Any, seen: set[str], metrics: frozenset[str]) -> Indicator:
    if not isinstance(node, LineDict):
        raise DataFileError(0, "Each indicator must be a mapping.")
    ident = str(_require(node, "id", "An indicator"))
    if not _ID.fullmatch(ident):
        raise DataFileError(
            node.line_of("id"),
            "Indicator id %(id)s: use lower-case letters, digits and _.",
            id=ident,
        )
    if ident in seen:
        raise DataFileError(node.line_of("id"), "Indicator id %(id)s is used twice.", id=ident)
    seen.add(ident)
    where = f"Indicator {ident}"
    name_zh, name_en = _names(node, where)
    weight = _number(node, "weight", where)
    if weight <= 0:
        raise DataFileError(
            node.line_of("weight"), "%(where)s: weight must be above 0.", where=where
        )
    # the indicator named and weighted here, with what it is made of
    indicator = partial(Indicator, ident, name_zh, name_en, weight, node.line)
    children_nodes = node.get("children")
    kinds = [k for k in ("children", "metric", "manual") if k in node]
    if len(kinds) != 1:
        raise DataFileError(
            node.line, "%(where)s needs exactly one of children, metric or manual.", where=where
        )
    if children_nodes is not None:
        if not isinstance(children_nodes, list) or not children_nodes:
            raise DataFileError(
                node.line_of("children"), "%(where)s: children must be a list.", where=where
            )
        children = tuple(_indicator(child, seen, metrics) for child in children_nodes)
        _check_sum(children, weight, node.line_of("children"), where)
        return indicator(children=children)
    if "manual" in node:
        evidence_zh, evidence_en = _texts(node, "manual", where)
        return indicator(
            method=Method.MANUAL,
            missing=_choice(node, "missing", Missing, where, Missing.ZERO),
            evidence=evidence_zh,
            evidence_en=evidence_en,
        )
    metric = str(node["metric"])
    if metric not in metrics:
        raise DataFileError(
            node.line_of("metric"),
            "%(where)s: unknown metric %(metric)s.",
            where=where,
            metric=metric,
        )
    method = _choice(node, "normalise", Method, where, Method.TARGET)
    if method is Method.MANUAL:
        raise DataFileError(
            node.line_of("normalise"), "%(where)s: a computed metric is not manual.", where=where
        )
    better = str(node.get("better", "higher"))
    if better not in ("higher", "lower"):
        raise DataFileError(
            node.line_of("better"), "%(where)s: better is higher or lower.", where=where
        )
    target = None
    thresholds: tuple[Threshold, ...] = ()
    steps: tuple[Step, ...] = ()
    if method is Method.TARGET:
        target = _number(node, "target", where, 1.0)
        if target <= 0:
            raise DataFileError(
                node.line_of("target"), "%(where)s: target must be above 0.", where=where
            )
    elif method is Method.THRESHOLDS:
        thresholds = _thresholds(node, where, better)
    elif method is Method.DEDUCT:
        steps = _steps(node, where)
    return indicator(
        metric=metric,
        method=method,
        better=better,
        target=target,
        thresholds=thresholds,
        steps=steps,
        missing=_choice(node, "missing", Missing, where, Missing.MEAN),
    )


def _mappings(node: LineDict, key: str, where: str, none: str, each: str) -> list[LineDict]:
    """The non-empty list of mappings under ``key``; ``none`` when it is missing or empty,
    ``each`` when one of its items is not a mapping."""
    rows = node.get(key)
    if not isinstance(rows, list) or not rows:
        raise DataFileError(node.line, none, where=where)
    for row in rows:
        if not isinstance(row, LineDict):
            raise DataFileError(node.line_of(key), each, where=where)
    return rows


def _thresholds(node: LineDict, where: str, better: str) -> tuple[Threshold, ...]:
    result = []
    for row in _mappings(
        node,
        "thresholds",
        where,
        N_("%(where)s needs a list of thresholds."),
        N_("%(where)s: each threshold is {at, score}."),
    ):
        score = _number(row, "score", where)
        if not 0 <= score <= 1:
            raise DataFileError(
                row.line_of("score"),
                "%(where)s: a threshold's score is between 0 and 1.",
                where=where,
            )
        result.append(Threshold(_number(row, "at", where), score))
    ats = [t.at for t in result]
    expected = sorted(ats, reverse=better == "higher")
    if ats != expected or len(set(ats)) != len(ats):
        order = "descending" if better == "higher" else "ascending"
        raise DataFileError(
            node.line_of("thresholds"),
            "%(where)s: thresholds must be in %(order)s order of at.",
            where=where,
            order=order,
        )
    return tuple(result)


def _steps(node: LineDict, where: str) -> tuple[Step, ...]:
    result = []
    for row in _mappings(
        node,
        "deduct",
        where,
        N_("%(where)s needs a list of deduct steps."),
        N_("%(where)s: each step is {from, points}."),
    ):
        start = int(_number(row, "from", where, 1))
        points = _number(row, "points", where)
        if start < 1 or points < 0:
            raise DataFileError(
                row.line, "%(where)s: steps count from 1 and deduct 0 or more points.", where=where
            )
        result.append(Step(start, points))
    starts = [s.start for s in result]
    if starts != sorted(set(starts)) or starts[0] != 1:
        raise DataFileError(
            node.line_of("deduct"),
            "%(where)s: steps start at 1 and rise (from: 1, then from: 3 …).",
            where=where,
        )
    return tuple(result)


def _check_sum(children: tuple[Indicator, ...], declared: float, line: int, where: str) -> None:
    total = sum(child.weight for child in children)
    if abs(total - declared) > 1e-9:
        raise DataFileError(
            line,
            "%(where)s: the weights add up to %(sum)s, not the declared %(declared)s.",
            where=where,
            sum=_num(round(total, 6)),
            declared=_num(declared),
        )


def _derived(data: LineDict) -> dict[str, str]:
    section = data.get("derived") or LineDict()
    if not isinstance(section, LineDict):
        raise DataFileError(data.line_of("derived"), "derived must map names to formulas.")
    formulas: dict[str, str] = {}
    for name, expression in section.items():
        line = section.line_of(name)
        if not _ID.fullmatch(name) or name in BASE_METRICS:
            raise DataFileError(line, "%(name)s cannot name a derived metric.", name=name)
        formulas[name] = str(expression)
    known = BASE_METRICS | set(BUILT_IN_DERIVED) | set(formulas)
    graph = {}
    for name, expression in formulas.items():
        names = formula_names(expression, section.line_of(name))
        unknown = sorted(names - known)
        if unknown:
            raise DataFileError(
                section.line_of(name),
                "The formula of %(name)s uses unknown metric %(metric)s.",
                name=name,
                metric=unknown[0],
            )
        graph[name] = names & set(formulas)
    _refuse_cycles(graph, section)
    return formulas


def _refuse_cycles(graph: dict[str, frozenset[str]], section: LineDict) -> None:
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        if state.get(name) == 1:
            cycle = " → ".join([*path[path.index(name) :], name])
            raise DataFileError(
                section.line_of(name), "The derived metrics form a cycle: %(cycle)s.", cycle=cycle
            )
        state[name] = 1
        for other in sorted(graph[name]):
            visit(other, [*path, name])
        state[name] = 2

    for name in sorted(graph):
        visit(name, [])


def load_tree(text: str) -> Tree:
    """Parse and validate a tree file; every refusal names its line."""
    data = load_yaml(text)
    key = str(_require(data, "key", "The tree"))
    if not _ID.fullmatch(key):
        raise DataFileError(data.line_of("key"), "The tree key: lower-case letters, digits and _.")
    version = int(_number(data, "version", "The tree", 1))
    name_zh, name_en = _names(data, "The tree")
    units_value = _require(data, "units", "The tree")
    units_list = units_value if isinstance(units_value, list) else [units_value]
    units = []
    for unit in units_list:
        try:
            units.append(UnitKind(str(unit)))
        except ValueError:
            choices = ", ".join(u.value for u in UnitKind)
            raise DataFileError(
                data.line_of("units"),
                "Unknown unit %(unit)s; units are %(choices)s.",
                unit=str(unit),
                choices=choices,
            ) from None
    party_kinds = tuple(str(k) for k in data.get("party_kinds") or ())
    period = _choice(data, "period", PeriodKind, "The tree", PeriodKind.MONTH)
    total = _number(data, "total", "The tree", 100)
    bands = data.get("bands") or LineDict({"green": total * 0.9, "amber": total * 0.8})
    if not isinstance(bands, LineDict):
        raise DataFileError(data.line_of("bands"), "bands needs green and amber.")
    bands.line = getattr(bands, "line", data.line)
    bands.key_lines = getattr(bands, "key_lines", {})
    green, amber = _number(bands, "green", "bands"), _number(bands, "amber", "bands")
    if not 0 <= amber <= green <= total:
        raise DataFileError(data.line_of("bands"), "bands: 0 ≤ amber ≤ green ≤ total is required.")
    settle_days = int(_number(data, "settle_days", "The tree", 10))
    derived = _derived(data)
    metrics = BASE_METRICS | frozenset(BUILT_IN_DERIVED) | frozenset(derived)
    nodes = _require(data, "indicators", "The tree")
    if not isinstance(nodes, list):
        raise DataFileError(data.line_of("indicators"), "indicators must be a list.")
    seen: set[str] = set()
    indicators = tuple(_indicator(node, seen, metrics) for node in nodes)
    _check_sum(indicators, total, data.line_of("indicators"), "The tree")
    return Tree(
        key,
        version,
        name_zh,
        name_en,
        tuple(units),
        party_kinds,
        period,
        total,
        green,
        amber,
        settle_days,
        indicators,
        derived,
    )
