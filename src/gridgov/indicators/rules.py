"""Pure indicator rules: the tree file, its validation, periods, normalisation, scoring,
ranking and bands. No I/O; the service feeds raw values in.

One module per concern, their names kept here: ``kinds`` (the vocabulary and the
base metrics), ``periods``, ``formulas`` (derived metrics), ``tree`` (the tree and its
loader), ``scoring`` (normalisation, leagues, ranks, bands).

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

from gridgov.indicators.formulas import Formula, compiled, evaluate_formula, formula_names
from gridgov.indicators.kinds import (
    BASE_METRICS,
    BUILT_IN_DERIVED,
    PLACES,
    AssessmentState,
    Band,
    Method,
    Missing,
    PeriodKind,
    UnitKind,
)
from gridgov.indicators.periods import Period, parse_period, period_containing, recent_periods
from gridgov.indicators.scoring import (
    LeafScore,
    Scorecard,
    deduction,
    fraction,
    rank,
    score_league,
    with_movement,
)
from gridgov.indicators.tree import Indicator, Step, Threshold, Tree, load_tree

__all__ = [
    "BASE_METRICS",
    "BUILT_IN_DERIVED",
    "PLACES",
    "AssessmentState",
    "Band",
    "Formula",
    "Indicator",
    "LeafScore",
    "Method",
    "Missing",
    "Period",
    "PeriodKind",
    "Scorecard",
    "Step",
    "Threshold",
    "Tree",
    "UnitKind",
    "compiled",
    "deduction",
    "evaluate_formula",
    "formula_names",
    "fraction",
    "load_tree",
    "parse_period",
    "period_containing",
    "rank",
    "recent_periods",
    "score_league",
    "with_movement",
]
