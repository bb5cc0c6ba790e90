"""Indicator trees in the database, computation into snapshots, rankings, scorecards,
manual assessments and the figures of the leader's dashboard.

Computing a tree for a period: list the units (grids, communities, streets,
departments, party organisations), count what the leaves need by asking each metric's
provider (``counting.PROVIDERS``: cases by grid and department in one grouped query,
registry counts by grid or region, …), add the counts up the region-code prefixes,
score each league with ``rules.score_league`` and store the result. A period is
provisional until ``settle_days`` after its end; after that the first computation is
final and every later one returns it unchanged (docs/indicators.md, ADR 0008).

One module per concern; this package keeps the names callers use:

- ``trees``: shipped trees and stored revisions;
- ``counting``: the units a tree scores, the base counts from the metric providers;
- ``computing``: scoring, ranking and storing a snapshot;
- ``reading``: periods, league tables, scorecards, history, the map's grid values;
- ``assessments``: manual items scored and confirmed by two reviewers;
- ``overview``: the figures of the leader's dashboard.
"""

from gridgov.indicators.service.assessments import (
    REVIEWERS,
    assessments,
    do_review,
    do_score,
)
from gridgov.indicators.service.computing import (
    COMPUTERS,
    compute,
    compute_many,
    is_final,
    manual_points,
    previous_ranks,
    score_units,
)
from gridgov.indicators.service.counting import (
    FIGURE_COUNTS,
    MEETING_COUNTS,
    PROVIDERS,
    ROLE_COUNTS,
    ROUTINE_DISCLOSURES,
    Counts,
    Unit,
    count,
    find_unit,
    units_of,
)
from gridgov.indicators.service.overview import Dashboard, dashboard
from gridgov.indicators.service.reading import (
    GRID_LEAGUES,
    GridValue,
    Line,
    expand,
    grid_values,
    latest_snapshot,
    league_table,
    leagues,
    periods,
    region_names,
    score_of,
    snapshot_for,
    snapshot_tree,
    unit_history,
    units_scored,
)
from gridgov.indicators.service.trees import (
    SHIPPED,
    check_tree,
    do_load_tree,
    ensure_shipped,
    get_tree,
    latest_tree,
    parse,
    shipped_text,
    trees,
)

__all__ = [
    "COMPUTERS",
    "FIGURE_COUNTS",
    "GRID_LEAGUES",
    "MEETING_COUNTS",
    "PROVIDERS",
    "REVIEWERS",
    "ROLE_COUNTS",
    "ROUTINE_DISCLOSURES",
    "SHIPPED",
    "Counts",
    "Dashboard",
    "GridValue",
    "Line",
    "Unit",
    "assessments",
    "check_tree",
    "compute",
    "compute_many",
    "count",
    "dashboard",
    "do_load_tree",
    "do_review",
    "do_score",
    "ensure_shipped",
    "expand",
    "find_unit",
    "get_tree",
    "grid_values",
    "is_final",
    "latest_snapshot",
    "latest_tree",
    "league_table",
    "leagues",
    "manual_points",
    "parse",
    "periods",
    "previous_ranks",
    "region_names",
    "score_of",
    "score_units",
    "shipped_text",
    "snapshot_for",
    "snapshot_tree",
    "trees",
    "unit_history",
    "units_of",
    "units_scored",
]
