"""Pure indicator rules: the tree file, its validation, periods, normalisation, scoring,
ranking and bands. No I/O; the service feeds raw values in.

A tree (YAML, docs/indicators.md) declares its units, its period and nested
indicators with weights. Children's weights add up to their parent's weight and the
top level to ``total``. A leaf is either ``metric`` (computed from platform data: a
built-in metric or one of the tree's ``derived`` formulas) or ``manual`` (a reviewer
scores it with evidence and a second reviewer confirms). Each leaf turns its raw value
into a fraction of its weight by one normalisation:

- ``target``: raw / target capped at 1 (``better: lower``: target / raw, 1 at or below)
- ``minmax``: (raw − min) / (max − min) across the units of the same league
- ``thresholds``: the score of the first band the raw value reaches
- ``deduct``: the weight minus points per counted item, by steps ("−0.2 per rework case,
  −0.5 from the third"), never below zero
- ``manual``: the confirmed points out of the weight

A raw value that does not exist (a rate with nothing to divide by, an unconfirmed
manual score) is handled by the leaf's ``missing`` rule: ``mean`` of the league (the
default), ``full`` or ``zero``. Points are rounded to 4 decimals at each leaf and nodes
are the sums of their children, so a scorecard adds up on paper.
"""

from __future__ import annotations

import ast
import calendar
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from gridgov.datafiles import DataFileError, LineDict, load_yaml
from gridgov.errors import InvalidInput

PLACES = 4


class UnitKind(StrEnum):
    GRID = "grid"
    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"
    PARTY_ORGANISATION = "party_organisation"


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class Method(StrEnum):
    TARGET = "target"
    MINMAX = "minmax"
    THRESHOLDS = "thresholds"
    DEDUCT = "deduct"
    MANUAL = "manual"


class Missing(StrEnum):
    MEAN = "mean"
    FULL = "full"
    ZERO = "zero"


class AssessmentState(StrEnum):
    PENDING = "pending"  # scored, waiting for a second reviewer
    CONFIRMED = "confirmed"  # counts in the scores
    REJECTED = "rejected"  # sent back; the first reviewer scores again


class Band(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


# Summable counts the service computes per unit; the built-in rates are ratios of them
# with the definitions of cases.figures (docs/cases.md).
BASE_METRICS = frozenset(
    {
        "cases",
        "assigned",
        "responded_on_time",
        "closed",
        "closed_on_time",
        "resolved_ok",
        "rated",
        "satisfied",
        "resolved",
        "rework_cases",
        "overdue_cases",
        "responses",
        "households",
        "residents",
        "party_members",
        "central_households",
        "volunteers",
        "grid_workers",
        "meetings_held",
        "meetings_quorate",
        "party_members_summoned",
        "party_members_attended",
        "disclosures_posted",
        # outreach: contact groups and visits (党员联系户)
        "households_grouped",
        "households_visited",
        "visits_made",
        "households_covered",  # within the service circle's walk (services/, ADR 0015)
    }
)
BUILT_IN_DERIVED: dict[str, str] = {
    "response_rate": "responded_on_time / responses",
    "resolution_rate": "resolved_ok / assigned",
    "satisfaction_rate": "satisfied / rated",
    "on_time_closure_rate": "closed_on_time / assigned",
    "closure_rate": "closed / assigned",
    "rework_rate": "rework_cases / resolved",
    "cases_per_1000_households": "cases / households * 1000",
    "party_members_per_100_households": "party_members / households * 100",
    "volunteers_per_100_households": "volunteers / households * 100",
    "central_households_per_100_households": "central_households / households * 100",
    "grid_workers_per_1000_households": "grid_workers / households * 1000",
    "quorum_rate": "meetings_quorate / meetings_held",
    "party_attendance_rate": "party_members_attended / party_members_summoned",
    "visit_coverage": "households_visited / households_grouped",
    "service_coverage_rate": "households_covered / households",
}


# -- periods -----------------------------------------------------------------------

_PERIOD = {
    PeriodKind.MONTH: re.compile(r"(\d{4})-(0[1-9]|1[0-2])"),
    PeriodKind.QUARTER: re.compile(r"(\d{4})-Q([1-4])"),
    PeriodKind.YEAR: re.compile(r"(\d{4})"),
}


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    key: str  # 2026-07, 2026-Q3, 2026
    first: date
    last: date  # inclusive

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) in UTC for the period's days in the office's time zone."""
        start = datetime.combine(self.first, time(), tz)
        end = datetime.combine(self.last + timedelta(days=1), time(), tz)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def previous(self) -> Period:
        return period_containing(self.kind, self.first - timedelta(days=1))


def parse_period(kind: PeriodKind, key: str) -> Period:
    match = _PERIOD[kind].fullmatch(key.strip())
    if not match:
        examples = {PeriodKind.MONTH: "2026-07", PeriodKind.QUARTER: "2026-Q3"}
        raise InvalidInput(
            "A %(kind)s period is written like %(example)s.",
            params={"kind": kind.value, "example": examples.get(kind, "2026")},
        )
    year = int(match.group(1))
    if kind is PeriodKind.MONTH:
        month = int(match.group(2))
        first, last_month = date(year, month, 1), month
    elif kind is PeriodKind.QUARTER:
        quarter = int(match.group(2))
        first, last_month = date(year, 3 * quarter - 2, 1), 3 * quarter
    else:
        first, last_month = date(year, 1, 1), 12
    last = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(kind, key.strip(), first, last)


def period_containing(kind: PeriodKind, day: date) -> Period:
    if kind is PeriodKind.MONTH:
        return parse_period(kind, f"{day.year}-{day.month:02d}")
    if kind is PeriodKind.QUARTER:
        return parse_period(kind, f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse_period(kind, str(day.year))


def recent_periods(kind: PeriodKind, day: date, count: int) -> list[Period]:
    """The ``count`` periods up to and including the one containing ``day``, oldest first."""
    periods = [period_containing(kind, day)]
    while len(periods) < count:
        periods.append(periods[-1].previous())
    return periods[::-1]


# -- formulas ----------------------------------------------------------------------

_ALLOWED: tuple[type[ast.AST], ...] = (ast.Expression, ast.BinOp, ast.Name, ast.Constant, ast.Load)
_ALLOWED += (ast.Add, ast.Sub, ast.Mult, ast.Div)


@lru_cache(maxsize=512)
def _parsed(expression: str) -> ast.Expression:
    return ast.parse(expression, mode="eval")


@lru_cache(maxsize=512)
def formula_names(expression: str, line: int) -> frozenset[str]:
    """The metric names a formula uses; refuses anything but + − × ÷, numbers, names."""
    try:
        tree = _parsed(expression)
    except SyntaxError as exc:
        raise DataFileError(
            line, "The formula %(formula)s cannot be read.", formula=expression
        ) from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        allowed = isinstance(node, _ALLOWED) and not (
            isinstance(node, ast.Constant) and not isinstance(node.value, int | float)
        )
        if not allowed:
            raise DataFileError(line, "A formula may only add, subtract, multiply and divide.")
    return frozenset(names)


def evaluate_formula(expression: str, values: Mapping[str, float | None]) -> float | None:
    """The formula's value; None when a name has no value or a divisor is zero."""
    return compiled(expression)(values)


Formula = Callable[[Mapping[str, float | None]], float | None]


@lru_cache(maxsize=512)
def compiled(expression: str) -> Formula:
    """The formula as nested closures, built once from its checked syntax tree (only
    + − × ÷, numbers and names survive ``formula_names``)."""
    return _closure(_parsed(expression).body)


def _closure(node: ast.AST) -> Formula:
    if isinstance(node, ast.Constant):
        constant = float(node.value)  # type: ignore[arg-type]
        return lambda _values: constant
    if isinstance(node, ast.Name):
        name = node.id
        return lambda values: values.get(name)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        left, right, op = _closure(node.left), _closure(node.right), node.op

        def binary(values: Mapping[str, float | None]) -> float | None:
            a, b = left(values), right(values)
            if a is None or b is None:
                return None
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            return a / b if b else None

        return binary
    raise ValueError(ast.dump(node))  # formula_names refused it when the tree was loaded


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
    evidence: str = ""  # what a reviewer must attach, for manual items

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
    names = _require(mapping, "name", where)
    if isinstance(names, str):
        return names, names
    if not isinstance(names, LineDict) or not names.get("zh_Hans"):
        raise DataFileError(
            mapping.line_of("name"), "%(where)s: name needs zh_Hans (and en).", where=where
        )
    return str(names["zh_Hans"]), str(names.get("en") or names["zh_Hans"])


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
        return Indicator(ident, name_zh, name_en, weight, node.line, children=children)
    if "manual" in node:
        return Indicator(
            ident,
            name_zh,
            name_en,
            weight,
            node.line,
            method=Method.MANUAL,
            missing=_choice(node, "missing", Missing, where, Missing.ZERO),
            evidence=str(node.get("manual") or ""),
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
    return Indicator(
        ident,
        name_zh,
        name_en,
        weight,
        node.line,
        metric=metric,
        method=method,
        better=better,
        target=target,
        thresholds=thresholds,
        steps=steps,
        missing=_choice(node, "missing", Missing, where, Missing.MEAN),
    )


def _thresholds(node: LineDict, where: str, better: str) -> tuple[Threshold, ...]:
    rows = node.get("thresholds")
    if not isinstance(rows, list) or not rows:
        raise DataFileError(node.line, "%(where)s needs a list of thresholds.", where=where)
    result = []
    for row in rows:
        if not isinstance(row, LineDict):
            raise DataFileError(
                node.line_of("thresholds"), "%(where)s: each threshold is {at, score}.", where=where
            )
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
    rows = node.get("deduct")
    if not isinstance(rows, list) or not rows:
        raise DataFileError(node.line, "%(where)s needs a list of deduct steps.", where=where)
    result = []
    for row in rows:
        if not isinstance(row, LineDict):
            raise DataFileError(
                node.line_of("deduct"), "%(where)s: each step is {from, points}.", where=where
            )
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


# -- scoring -----------------------------------------------------------------------


class LeafScore(NamedTuple):
    id: str
    raw: float | None
    points: float
    note: str  # "no data: mean of the league", "confirmed by …", ""


@dataclass(frozen=True)
class Scorecard:
    unit: str
    league: str
    total: float
    leaves: dict[str, LeafScore]
    nodes: dict[str, float]  # every indicator id → points
    rank: int = 0
    band: Band = Band.RED
    previous_rank: int | None = None

    @property
    def movement(self) -> int | None:
        """Places gained since the last period (positive is better)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank


def fraction(leaf: Indicator, raw: float, low: float, high: float) -> float:
    """The share of the leaf's weight a raw value earns (0–1)."""
    lower = leaf.better == "lower"
    if leaf.method is Method.TARGET:
        target = leaf.target or 1.0
        if lower:
            return 1.0 if raw <= target else target / raw
        return min(1.0, max(0.0, raw / target))
    if leaf.method is Method.MINMAX:
        if high == low:
            return 1.0
        return (high - raw) / (high - low) if lower else (raw - low) / (high - low)
    if leaf.method is Method.THRESHOLDS:
        for band in leaf.thresholds:
            if (raw <= band.at) if lower else (raw >= band.at):
                return band.score
        return 0.0
    if leaf.method is Method.DEDUCT:
        return max(0.0, leaf.weight - deduction(leaf.steps, int(raw))) / leaf.weight
    return min(1.0, max(0.0, raw / leaf.weight))  # manual points


def deduction(steps: tuple[Step, ...], count: int) -> float:
    """Points deducted for ``count`` items: each step's points for the items from its
    ``start`` up to the next step's (−0.2 for the 1st and 2nd, −0.5 from the 3rd)."""
    total = 0.0
    for step, following in zip(steps, (*steps[1:], None), strict=True):
        last = count if following is None else min(count, following.start - 1)
        total += max(0, last - step.start + 1) * step.points
    return total


def score_league(
    tree: Tree,
    league: str,
    raws: Mapping[str, Mapping[str, float | None]],
) -> list[Scorecard]:
    """Score every unit of one league. ``raws``: unit → leaf id → raw value (None = none).

    Min–max bounds and the ``mean`` of missing values are taken within the league.
    """
    leaves = tree.leaves()
    points: dict[str, dict[str, LeafScore]] = {unit: {} for unit in raws}
    for leaf in leaves:
        present = [v for v in (raws[u].get(leaf.id) for u in raws) if v is not None]
        low, high = (min(present), max(present)) if present else (0.0, 0.0)
        earned = {
            unit: round(leaf.weight * fraction(leaf, raw, low, high), PLACES)
            for unit in raws
            if (raw := raws[unit].get(leaf.id)) is not None
        }
        mean = round(sum(earned.values()) / len(earned), PLACES) if earned else leaf.weight
        for unit in raws:
            raw = raws[unit].get(leaf.id)
            if raw is not None:
                points[unit][leaf.id] = LeafScore(leaf.id, raw, earned[unit], "")
            elif leaf.missing is Missing.FULL or (leaf.missing is Missing.MEAN and not earned):
                points[unit][leaf.id] = LeafScore(leaf.id, None, leaf.weight, "no data: full")
            elif leaf.missing is Missing.MEAN:
                points[unit][leaf.id] = LeafScore(leaf.id, None, mean, "no data: league mean")
            else:
                points[unit][leaf.id] = LeafScore(leaf.id, None, 0.0, "no data: zero")
    cards = []
    for unit, leaf_scores in points.items():
        nodes: dict[str, float] = {}
        total = round(sum(_add(top, leaf_scores, nodes) for top in tree.indicators), PLACES)
        cards.append(Scorecard(unit, league, total, leaf_scores, nodes, band=tree.band(total)))
    return rank(cards)


def _add(node: Indicator, leaves: Mapping[str, LeafScore], nodes: dict[str, float]) -> float:
    """A node's points (the sum of its children's), recorded in ``nodes`` on the way."""
    if node.is_leaf:
        value = leaves[node.id].points
    else:
        value = round(sum(_add(child, leaves, nodes) for child in node.children), PLACES)
    nodes[node.id] = value
    return value


def rank(cards: list[Scorecard]) -> list[Scorecard]:
    """Competition ranking (1, 2, 2, 4) by total, ties in unit order."""
    ordered = sorted(cards, key=lambda c: (-c.total, c.unit))
    result: list[Scorecard] = []
    for position, card in enumerate(ordered, start=1):
        same = result and result[-1].total == card.total
        place = result[-1].rank if same else position
        result.append(
            Scorecard(card.unit, card.league, card.total, card.leaves, card.nodes, place, card.band)
        )
    return result


def with_movement(cards: list[Scorecard], previous: Mapping[str, int]) -> list[Scorecard]:
    return [
        Scorecard(
            c.unit, c.league, c.total, c.leaves, c.nodes, c.rank, c.band, previous.get(c.unit)
        )
        for c in cards
    ]
