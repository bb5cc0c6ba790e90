"""The units a tree scores and the base counts of a period, asked of the domains that
own them.

Indicators reads no other domain's tables: each base metric has a provider published
by the domain that owns it (``gridgov.metrics``; ``cases.public``, ``registry.public``,
``deliberation.public``, ``outreach.public``, ``services.public``). ``count`` asks each
provider once for all the metrics it is needed for, then adds the counts up the
region-code prefixes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.accounts.rules import SCOPE_LENGTHS
from gridgov.cases import public as cases
from gridgov.deliberation import public as deliberation
from gridgov.errors import NotFound
from gridgov.indicators.rules import Tree, UnitKind
from gridgov.metrics import MetricProvider, Window
from gridgov.outreach import public as outreach
from gridgov.registry import public as registry
from gridgov.registry.rules import PARTY_KINDS
from gridgov.services import public as services
from gridgov.territory import service as territory

FIGURE_COUNTS = cases.CASE_COUNTS
MEETING_COUNTS = deliberation.MEETING_COUNTS
ROUTINE_DISCLOSURES = deliberation.ROUTINE_DISCLOSURES
ROLE_COUNTS = registry.ROLE_COUNTS

# Base metric → the provider of the domain that owns it.
PROVIDERS: dict[str, MetricProvider] = {
    **dict.fromkeys(cases.CASE_COUNTS, cases.case_counts),
    **dict.fromkeys(registry.REGISTER_COUNTS, registry.register_counts),
    **dict.fromkeys(deliberation.DELIBERATION_COUNTS, deliberation.deliberation_counts),
    **dict.fromkeys(outreach.VISIT_COUNTS, outreach.visit_counts),
    **dict.fromkeys(outreach.PAIRING_COUNTS, outreach.pairing_counts),
    **dict.fromkeys(outreach.VOLUNTEER_COUNTS, outreach.volunteer_counts),
    **dict.fromkeys(outreach.TASK_COUNTS, outreach.task_counts),
    **dict.fromkeys(services.COVERAGE_COUNTS, services.coverage_counts),
}


# -- units -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    key: str  # region code, or organisation code
    name: str
    league: str
    region_code: str
    department_id: int | None = None


def units_of(session: Session, tree: Tree, key: str | None = None) -> list[Unit]:
    """The units a tree scores (only the one with ``key`` when given), with their league:
    the region level, "department", or "party_" + the level of the organisation's region."""
    result: list[Unit] = []
    levels = [u.value for u in tree.units if u in _REGION_UNITS]
    if levels:
        regions = territory.regions_at(session, levels=levels, code=key)
        result += [Unit(code, name, level, code) for code, name, level in regions]
    if UnitKind.DEPARTMENT in tree.units:
        departments = registry.departments(session, code=key)
        result += [
            Unit(code, name, "department", region, oid) for oid, code, name, region in departments
        ]
    if UnitKind.PARTY_ORGANISATION in tree.units:
        kinds = tree.party_kinds or tuple(k.value for k in PARTY_KINDS)
        parties = registry.organisations(session, kinds=kinds, code=key)
        level_of = territory.region_levels(session, (region for _c, _n, region in parties))
        result += [
            Unit(code, name, f"party_{level_of[region]}", region)
            for code, name, region in parties
            if region in level_of  # an organisation counts under a region of the map
        ]
    return result


_REGION_UNITS = frozenset({UnitKind.GRID, UnitKind.COMMUNITY, UnitKind.STREET})


def find_unit(session: Session, tree: Tree, key: str) -> Unit:
    for unit in units_of(session, tree, key):
        return unit
    raise NotFound("%(unit)s is not a unit of this tree.", params={"unit": key})


# -- counting ----------------------------------------------------------------------


@dataclass
class Counts:
    """Base counts of one period, shared by every tree computed in the same run.
    ``departments``: whether case counts are also kept per department."""

    departments: bool = True
    by_region: dict[str, dict[str, float]] = field(default_factory=dict)  # prefix → counts
    by_department: dict[int, dict[str, float]] = field(default_factory=dict)
    loaded: set[str] = field(default_factory=set)


def _add_up(totals: dict[str, dict[str, float]], code: str, metric: str, value: float) -> None:
    for length in SCOPE_LENGTHS:
        if length <= len(code):
            bucket = totals.setdefault(code[:length], {})
            bucket[metric] = bucket.get(metric, 0.0) + value
    if len(code) not in SCOPE_LENGTHS:  # a micro-grid counts for itself too
        bucket = totals.setdefault(code, {})
        bucket[metric] = bucket.get(metric, 0.0) + value


def count(
    session: Session,
    needed: Iterable[str],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    counts: Counts | None = None,
) -> Counts:
    """The base counts ``needed`` not loaded yet, by region prefix (and by department),
    for events in [start, end) and the register as it stands: each metric's provider is
    asked once for all the metrics it serves (one grouped query over the cases for every
    case count at once, one per register table)."""
    counts = counts or Counts()
    wanted: dict[MetricProvider, list[str]] = {}
    for metric in sorted(set(needed) - counts.loaded):
        provider = PROVIDERS.get(metric)
        if provider is not None:
            wanted.setdefault(provider, []).append(metric)
    window = Window(start=start, end=end, now=now, departments=counts.departments)
    for provider, metrics in wanted.items():
        grouped = provider(session, metrics, window)
        for code, values in grouped.by_region.items():
            for metric, value in values.items():
                _add_up(counts.by_region, code, metric, value)
        for department_id, values in grouped.by_department.items():
            counts.by_department.setdefault(department_id, {}).update(values)
        counts.loaded |= set(metrics)
    return counts


def _base(counts: Counts, unit: Unit, needed: Iterable[str]) -> dict[str, float | None]:
    if unit.department_id is not None:
        source = counts.by_department.get(unit.department_id, {})
        # A department has no households or members: only case counts apply to it.
        return {m: source.get(m, 0.0) if m in FIGURE_COUNTS else None for m in needed}
    source = counts.by_region.get(unit.region_code, {})
    return {m: source.get(m, 0.0) for m in needed}
