"""Indicator trees in the database, computation into snapshots, rankings, scorecards,
manual assessments and the figures of the leader's dashboard.

Computing a tree for a period: list the units (grids, communities, streets,
departments, party organisations), count what the leaves need in a few grouped
queries (cases by grid and department in one, registry counts by grid or region), add
the counts up the region-code prefixes, score each league with ``rules.score_league``
and store the result. A period is provisional until ``settle_days`` after its end;
after that the first computation is final and every later one returns it unchanged
(docs/indicators.md, ADR 0008).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from gridgov import revisions
from gridgov.accounts.rules import SCOPE_LENGTHS, Role, may_access, scope_clause
from gridgov.audit.service import Actor, record
from gridgov.cases import figures
from gridgov.cases.models import Case, Category
from gridgov.cases.rules import OPEN_STATES
from gridgov.cases.service import overdue_clause
from gridgov.datafiles import DataFileError
from gridgov.deliberation.models import Meeting, Notice
from gridgov.deliberation.rules import Body, MeetingState, NoticeKind
from gridgov.errors import Conflict, Forbidden, InvalidInput, NotFound
from gridgov.indicators.models import Assessment, IndicatorScore, IndicatorSnapshot, IndicatorTree
from gridgov.indicators.rules import (
    AssessmentState,
    Method,
    Period,
    PeriodKind,
    Scorecard,
    Tree,
    UnitKind,
    load_tree,
    parse_period,
    recent_periods,
    score_league,
    with_movement,
)
from gridgov.registry.models import Household, Organisation, PersonRoleRow, Resident
from gridgov.registry.rules import PARTY_KINDS, OrgKind, PersonRole
from gridgov.territory.models import Region

SHIPPED = ("three_rates", "org_strength")
REVIEWERS = frozenset({Role.LEADER, Role.ADMIN, Role.AUDITOR})
COMPUTERS = frozenset({Role.LEADER, Role.ADMIN})
FIGURE_COUNTS = (
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
)
MEETING_COUNTS = (
    "meetings_held",
    "meetings_quorate",
    "party_members_summoned",
    "party_members_attended",
)
# The routine disclosures a village or community owes on a rhythm (docs/deliberation.md).
ROUTINE_DISCLOSURES = (
    NoticeKind.VILLAGE_AFFAIRS,
    NoticeKind.PARTY_AFFAIRS,
    NoticeKind.FINANCES,
    NoticeKind.MAJOR_MATTERS,
)
ROLE_COUNTS = {
    "party_members": PersonRole.PARTY_MEMBER,
    "central_households": PersonRole.CENTRAL_HOUSEHOLD,
    "volunteers": PersonRole.VOLUNTEER,
    "grid_workers": PersonRole.GRID_WORKER,
}


# -- trees -------------------------------------------------------------------------


def shipped_text(key: str) -> str:
    return (resources.files("gridgov.indicators") / "data" / f"{key}.yaml").read_text("utf-8")


@lru_cache(maxsize=64)
def parse(source: str) -> Tree:
    """A stored revision's tree (sources were validated when they were loaded)."""
    return load_tree(source)


def check_tree(text: str) -> Tree:
    """Validate a tree file; InvalidInput names the line of the first problem."""
    try:
        return load_tree(text)
    except DataFileError as exc:
        raise InvalidInput(
            "The indicator tree is refused at line %(line)s: %(reason)s",
            params={"line": exc.line, "reason": exc.problem.text()},
            details=[exc.problem],
        ) from exc


def do_load_tree(session: Session, *, text: str, actor: Actor, now: datetime) -> IndicatorTree:
    """Store a tree file as its key's next revision; loading the same text is a no-op."""
    tree = check_tree(text)
    return revisions.do_store(
        session,
        IndicatorTree,
        key=tree.key,
        names=(tree.name_zh, tree.name_en),
        text=text,
        actor=actor,
        now=now,
        action="indicators.tree_loaded",
    )


def ensure_shipped(session: Session, *, now: datetime) -> None:
    """Load the shipped trees whose key has no revision yet."""
    for key in SHIPPED:
        if latest_tree(session, key) is None:
            do_load_tree(session, text=shipped_text(key), actor=Actor.system(), now=now)


def latest_tree(session: Session, key: str) -> IndicatorTree | None:
    return revisions.latest(session, IndicatorTree, key)


def trees(session: Session) -> list[tuple[IndicatorTree, Tree]]:
    """The latest revision of every stored tree key, and the shipped trees not stored yet."""
    latest = (
        select(IndicatorTree.key, func.max(IndicatorTree.revision).label("revision"))
        .group_by(IndicatorTree.key)
        .subquery()
    )
    rows = session.scalars(
        select(IndicatorTree)
        .join(
            latest,
            (IndicatorTree.key == latest.c.key) & (IndicatorTree.revision == latest.c.revision),
        )
        .order_by(IndicatorTree.key)
    )
    stored = [(row, parse(row.source)) for row in rows]
    missing = sorted(set(SHIPPED) - {row.key for row, _ in stored})
    stored += [(row, parse(row.source)) for row in map(_unstored_shipped, missing)]
    return sorted(stored, key=lambda pair: pair[0].key)


def _unstored_shipped(key: str) -> IndicatorTree:
    """A shipped tree nobody stored yet, as revision 0 (not added to the session): it is
    stored the first time something is computed or scored (``ensure_shipped``)."""
    text = shipped_text(key)
    tree = parse(text)
    return IndicatorTree(
        key=key,
        revision=0,
        name_zh=tree.name_zh,
        name_en=tree.name_en,
        source=text,
        sha256="",
        loaded_by="",
    )


def get_tree(session: Session, key: str) -> tuple[IndicatorTree, Tree]:
    row = latest_tree(session, key)
    if row is None and key in SHIPPED:
        row = _unstored_shipped(key)
    if row is None:
        raise NotFound("There is no indicator tree %(key)s.", params={"key": key})
    return row, parse(row.source)


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
        query = select(Region.code, Region.name, Region.level).where(Region.level.in_(levels))
        if key is not None:
            query = query.where(Region.code == key)
        regions = session.execute(query.order_by(Region.code))
        result += [Unit(code, name, level, code) for code, name, level in regions]
    if UnitKind.DEPARTMENT in tree.units:
        by_department = select(
            Organisation.id, Organisation.code, Organisation.name, Organisation.region_code
        ).where(Organisation.kind == OrgKind.DEPARTMENT.value)
        if key is not None:
            by_department = by_department.where(Organisation.code == key)
        departments = session.execute(by_department.order_by(Organisation.code))
        result += [
            Unit(code, name, "department", region, oid) for oid, code, name, region in departments
        ]
    if UnitKind.PARTY_ORGANISATION in tree.units:
        kinds = tree.party_kinds or tuple(k.value for k in PARTY_KINDS)
        by_party = (
            select(Organisation.code, Organisation.name, Organisation.region_code, Region.level)
            .join(Region, Region.code == Organisation.region_code)
            .where(Organisation.kind.in_(kinds))
        )
        if key is not None:
            by_party = by_party.where(Organisation.code == key)
        parties = session.execute(by_party.order_by(Organisation.code))
        result += [
            Unit(code, name, f"party_{level}", region) for code, name, region, level in parties
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
    for cases created in [start, end) and the register as it stands: one grouped query
    over the cases for every case count at once, one per register table."""
    counts = counts or Counts()
    wanted = set(needed) - counts.loaded
    case_metrics = [m for m in FIGURE_COUNTS if m in wanted]
    if case_metrics:
        _count_cases(session, counts, case_metrics, start=start, end=end, now=now)
    for metric, model in (("households", Household), ("residents", Resident)):
        if metric in wanted:
            rows = session.execute(select(model.grid_code, func.count()).group_by(model.grid_code))
            for code, n in rows:
                _add_up(counts.by_region, code, metric, float(n))
            counts.loaded.add(metric)
    meeting_metrics = [m for m in MEETING_COUNTS if m in wanted]
    if meeting_metrics:
        _count_meetings(session, counts, meeting_metrics, start=start, end=end)
    if "disclosures_posted" in wanted:
        notices = session.execute(
            select(Notice.region_code, func.count())
            .where(
                Notice.posted_at >= start,
                Notice.posted_at < end,
                Notice.kind.in_([k.value for k in ROUTINE_DISCLOSURES]),
            )
            .group_by(Notice.region_code)
        )
        for code, n in notices:
            _add_up(counts.by_region, code, "disclosures_posted", float(n))
        counts.loaded.add("disclosures_posted")
    visit_metrics = [
        m for m in ("households_grouped", "households_visited", "visits_made") if m in wanted
    ]
    if visit_metrics:
        from gridgov.outreach import service as outreach

        # [start, end) are the local midnights in UTC; visits are dated by local day.
        # Noon after a local midnight falls on that local day for any UTC offset
        # within ±12 hours, so the period's first and last-plus-one days are these:
        first, after = ((moment + timedelta(hours=12)).date() for moment in (start, end))
        for code, values in outreach.visit_figures(session, start=first, end=after).items():
            for metric in visit_metrics:
                _add_up(counts.by_region, code, metric, values[metric])
        counts.loaded |= set(visit_metrics)
    if "households_covered" in wanted:  # the 10-minute service circle's current snapshot
        from gridgov.services import circle

        for code, covered in circle.covered_households(session):
            _add_up(counts.by_region, code, "households_covered", float(covered))
        counts.loaded.add("households_covered")
    roles = {metric: role for metric, role in ROLE_COUNTS.items() if metric in wanted}
    if roles:
        metric_of = {role.value: metric for metric, role in roles.items()}
        role_rows = session.execute(
            select(PersonRoleRow.region_code, PersonRoleRow.role, func.count())
            .where(PersonRoleRow.role.in_(list(metric_of)))
            .group_by(PersonRoleRow.region_code, PersonRoleRow.role)
        )
        for code, role, n in role_rows:
            _add_up(counts.by_region, code, metric_of[role], float(n))
        counts.loaded |= set(roles)
    return counts


def _count_meetings(
    session: Session, counts: Counts, metrics: list[str], *, start: datetime, end: datetime
) -> None:
    """Meetings held in the period (decided, or closed without a quorum), by the region
    of the village or community that held them."""
    party = Meeting.body == Body.PARTY_MEMBERS_MEETING.value
    columns = {
        "meetings_held": func.count(),
        "meetings_quorate": func.count().filter(Meeting.quorum_met.is_(True)),
        "party_members_summoned": func.coalesce(func.sum(Meeting.members).filter(party), 0),
        "party_members_attended": func.coalesce(func.sum(Meeting.present).filter(party), 0),
    }
    rows = session.execute(
        select(Meeting.region_code, *(columns[m] for m in metrics))
        .where(
            Meeting.starts_at >= start,
            Meeting.starts_at < end,
            Meeting.state.in_([MeetingState.DECIDED.value, MeetingState.NO_QUORUM.value]),
        )
        .group_by(Meeting.region_code)
    )
    for code, *values in rows:
        for metric, value in zip(metrics, values, strict=True):
            _add_up(counts.by_region, code, metric, float(value or 0))
    counts.loaded |= set(metrics)


def _count_cases(
    session: Session,
    counts: Counts,
    metrics: list[str],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> None:
    columns = figures.count_columns(now)
    chosen = [columns[FIGURE_COUNTS.index(metric)] for metric in metrics]
    keys = [Case.grid_code, Case.department_id] if counts.departments else [Case.grid_code]
    query = select(*keys, *chosen).where(figures.in_period(start, end)).group_by(*keys)
    per_grid: dict[str, list[float]] = {}
    per_department: dict[int, list[float]] = {}
    for row in session.execute(query):
        values = row[len(keys) :]
        targets = []
        if row[0]:
            targets.append(per_grid.setdefault(row[0], [0.0] * len(metrics)))
        if counts.departments and row[1] is not None:
            targets.append(per_department.setdefault(row[1], [0.0] * len(metrics)))
        for total in targets:
            for i, value in enumerate(values):
                total[i] += float(value or 0)
    for grid_code, totals in per_grid.items():
        for metric, value in zip(metrics, totals, strict=True):
            _add_up(counts.by_region, grid_code, metric, value)
    for department_id, totals in per_department.items():
        counts.by_department[department_id] = dict(zip(metrics, totals, strict=True))
    counts.loaded |= set(metrics)


def _base(counts: Counts, unit: Unit, needed: Iterable[str]) -> dict[str, float | None]:
    if unit.department_id is not None:
        source = counts.by_department.get(unit.department_id, {})
        # A department has no households or members: only case counts apply to it.
        return {m: source.get(m, 0.0) if m in FIGURE_COUNTS else None for m in needed}
    source = counts.by_region.get(unit.region_code, {})
    return {m: source.get(m, 0.0) for m in needed}


def manual_points(session: Session, tree_key: str, period: str) -> dict[str, dict[str, float]]:
    """Confirmed manual scores: unit → indicator id → points."""
    rows = session.execute(
        select(Assessment.unit, Assessment.indicator_id, Assessment.points).where(
            Assessment.tree_key == tree_key,
            Assessment.period == period,
            Assessment.state == AssessmentState.CONFIRMED.value,
        )
    )
    result: dict[str, dict[str, float]] = defaultdict(dict)
    for unit, indicator, points in rows:
        result[unit][indicator] = points
    return result


# -- computing ---------------------------------------------------------------------


def is_final(tree: Tree, period: Period, now: datetime, tz: ZoneInfo) -> bool:
    return now >= period.bounds(tz)[1] + timedelta(days=tree.settle_days)


def score_units(
    tree: Tree,
    units: list[Unit],
    counts: Counts,
    manual: Mapping[str, Mapping[str, float]],
) -> list[Scorecard]:
    """Every unit's scorecard, league by league (pure once the counts are in)."""
    needed = tree.metrics_needed()
    manual_leaves = [leaf.id for leaf in tree.leaves() if leaf.method is Method.MANUAL]
    leagues: dict[str, dict[str, dict[str, float | None]]] = defaultdict(dict)
    for unit in units:
        raw = tree.raw_values(_base(counts, unit, needed))
        for leaf in manual_leaves:
            raw[leaf] = manual.get(unit.key, {}).get(leaf)
        leagues[unit.league][unit.key] = raw
    return [card for league, raws in leagues.items() for card in score_league(tree, league, raws)]


def compute(
    session: Session,
    *,
    key: str,
    period: str,
    now: datetime,
    actor: Actor,
    tz: ZoneInfo,
    counts: Counts | None = None,
) -> IndicatorSnapshot:
    """Compute (or return the final) snapshot of tree ``key`` for ``period``."""
    ensure_shipped(session, now=now)
    tree_row, tree = get_tree(session, key)
    the_period = parse_period(tree.period, period)
    existing = session.scalars(
        select(IndicatorSnapshot).where(
            IndicatorSnapshot.tree_id == tree_row.id, IndicatorSnapshot.period == the_period.key
        )
    ).first()
    if existing is not None and existing.final:
        return existing
    start, end = the_period.bounds(tz)
    units = units_of(session, tree)
    if counts is None:
        counts = Counts(departments=UnitKind.DEPARTMENT in tree.units)
    elif UnitKind.DEPARTMENT in tree.units and not counts.departments:
        raise ValueError("these counts were made without departments")
    counts = count(session, tree.metrics_needed(), start=start, end=end, now=now, counts=counts)
    cards = score_units(tree, units, counts, manual_points(session, key, the_period.key))
    previous = previous_ranks(session, key, the_period.previous().key)
    cards = with_movement(cards, previous)
    digest = hashlib.sha256(
        json.dumps(
            [(c.unit, c.total, c.rank) for c in sorted(cards, key=lambda c: c.unit)]
        ).encode()
    ).hexdigest()
    final = is_final(tree, the_period, now, tz)
    if existing is None:
        snapshot = IndicatorSnapshot(tree_id=tree_row.id, tree_key=key, period=the_period.key)
        session.add(snapshot)
    else:
        snapshot = existing
        session.execute(delete(IndicatorScore).where(IndicatorScore.snapshot_id == existing.id))
    snapshot.computed_at, snapshot.computed_by = now, actor.username
    snapshot.final, snapshot.digest = final, digest
    session.flush()
    by_key = {unit.key: unit for unit in units}
    rows = [
        {
            "snapshot_id": snapshot.id,
            "unit": card.unit,
            "unit_name": by_key[card.unit].name,
            "region_code": by_key[card.unit].region_code,
            "league": card.league,
            "total": card.total,
            "rank": card.rank,
            "band": card.band.value,
            "previous_rank": card.previous_rank,
            "detail": json.dumps(
                {
                    "leaves": {i: [s.raw, s.points, s.note] for i, s in card.leaves.items()},
                    "nodes": card.nodes,
                },
                separators=(",", ":"),
            ),
        }
        for card in cards
    ]
    if rows:
        session.execute(insert(IndicatorScore), rows)
    record(
        session,
        actor=actor,
        action="indicators.computed",
        object_type="indicator_snapshot",
        object_id=snapshot.id,
        now=now,
        summary={
            "tree": key,
            "revision": tree_row.revision,
            "period": the_period.key,
            "units": len(rows),
            "final": final,
            "digest": digest,
        },
    )
    return snapshot


def compute_many(
    session: Session,
    *,
    keys: Iterable[str],
    period: str,
    now: datetime,
    actor: Actor,
    tz: ZoneInfo,
) -> list[IndicatorSnapshot]:
    """Compute several trees for one period with one pass over the cases: the counts
    every tree needs are loaded together, then each tree is scored from them."""
    ensure_shipped(session, now=now)
    chosen = [get_tree(session, key)[1] for key in keys]
    kinds = {tree.period for tree in chosen}
    if len(kinds) > 1:
        raise InvalidInput("Trees computed together must share their kind of period.")
    start, end = parse_period(chosen[0].period, period).bounds(tz)
    counts = Counts(departments=any(UnitKind.DEPARTMENT in tree.units for tree in chosen))
    needed = set().union(*(tree.metrics_needed() for tree in chosen))
    count(session, needed, start=start, end=end, now=now, counts=counts)
    return [
        compute(session, key=tree.key, period=period, now=now, actor=actor, tz=tz, counts=counts)
        for tree in chosen
    ]


def previous_ranks(session: Session, key: str, period: str) -> dict[str, int]:
    snapshot = snapshot_for(session, key, period)
    if snapshot is None:
        return {}
    rows = session.execute(
        select(IndicatorScore.unit, IndicatorScore.rank).where(
            IndicatorScore.snapshot_id == snapshot.id
        )
    )
    return {unit: rank for unit, rank in rows}


# -- reading -----------------------------------------------------------------------


def units_scored(session: Session, snapshot: IndicatorSnapshot) -> int:
    return (
        session.scalar(select(func.count()).where(IndicatorScore.snapshot_id == snapshot.id)) or 0
    )


def snapshot_for(session: Session, key: str, period: str) -> IndicatorSnapshot | None:
    """The snapshot of ``period`` computed with the newest revision that has one."""
    return session.scalars(
        select(IndicatorSnapshot)
        .join(IndicatorTree, IndicatorTree.id == IndicatorSnapshot.tree_id)
        .where(IndicatorSnapshot.tree_key == key, IndicatorSnapshot.period == period)
        .order_by(IndicatorTree.revision.desc())
        .limit(1)
    ).first()


def periods(session: Session, key: str) -> list[str]:
    """Computed periods of a tree, newest first."""
    return list(
        session.scalars(
            select(IndicatorSnapshot.period)
            .where(IndicatorSnapshot.tree_key == key)
            .distinct()
            .order_by(IndicatorSnapshot.period.desc())
        )
    )


def unit_history(
    session: Session, key: str, unit: str, scope: str | None
) -> list[tuple[IndicatorSnapshot, IndicatorScore]]:
    """A unit's score in every computed period of a tree (the newest revision's snapshot
    of each period), oldest first, in one query; nothing outside ``scope``."""
    rows = session.execute(
        select(IndicatorSnapshot, IndicatorScore)
        .join(IndicatorScore, IndicatorScore.snapshot_id == IndicatorSnapshot.id)
        .join(IndicatorTree, IndicatorTree.id == IndicatorSnapshot.tree_id)
        .where(IndicatorSnapshot.tree_key == key, IndicatorScore.unit == unit)
        .where(scope_clause(scope, IndicatorScore.region_code))
        .order_by(IndicatorSnapshot.period, IndicatorTree.revision.desc())
    ).all()
    latest: dict[str, tuple[IndicatorSnapshot, IndicatorScore]] = {}
    for snapshot, score in rows:
        latest.setdefault(snapshot.period, (snapshot, score))
    return list(latest.values())


def snapshot_tree(session: Session, snapshot: IndicatorSnapshot) -> tuple[IndicatorTree, Tree]:
    row = session.get(IndicatorTree, snapshot.tree_id)
    if row is None:  # the foreign key forbids it
        raise NotFound("There is no indicator tree %(key)s.", params={"key": snapshot.tree_key})
    return row, parse(row.source)


def leagues(session: Session, snapshot: IndicatorSnapshot, scope: str | None) -> list[str]:
    query = (
        select(IndicatorScore.league)
        .where(IndicatorScore.snapshot_id == snapshot.id)
        .where(scope_clause(scope, IndicatorScore.region_code))
        .distinct()
    )
    return sorted(set(session.scalars(query)), key=_league_order)


# Streets down to grids, then departments; party leagues beside their level's; the
# district's league of one last.
_LEAGUE_ORDER = ("street", "community", "grid", "department")


def _league_order(league: str) -> tuple[int, str]:
    level = league.removeprefix("party_")
    return (_LEAGUE_ORDER.index(level) if level in _LEAGUE_ORDER else len(_LEAGUE_ORDER), league)


def league_table(
    session: Session, snapshot: IndicatorSnapshot, league: str, scope: str | None
) -> list[IndicatorScore]:
    return list(
        session.scalars(
            select(IndicatorScore)
            .where(IndicatorScore.snapshot_id == snapshot.id, IndicatorScore.league == league)
            .where(scope_clause(scope, IndicatorScore.region_code))
            .order_by(IndicatorScore.rank, IndicatorScore.unit)
        )
    )


def score_of(
    session: Session, snapshot: IndicatorSnapshot, unit: str, viewer: Actor
) -> IndicatorScore:
    row = session.scalars(
        select(IndicatorScore).where(
            IndicatorScore.snapshot_id == snapshot.id, IndicatorScore.unit == unit
        )
    ).first()
    if row is None or not may_access(viewer.scope, row.region_code):
        raise NotFound("%(unit)s is not a unit of this tree.", params={"unit": unit})
    return row


@dataclass(frozen=True)
class Line:
    """One row of an expanded scorecard: a node or a leaf with its working."""

    id: str
    depth: int
    name_zh: str
    name_en: str
    weight: float
    points: float
    leaf: bool
    metric: str = ""
    raw: float | None = None
    formula: str = ""
    note: str = ""


def expand(tree: Tree, score: IndicatorScore) -> list[Line]:
    """Every node of the tree with this unit's points, leaves with raw value and formula."""
    detail = json.loads(score.detail)
    lines: list[Line] = []

    def walk(node: Any, depth: int) -> None:
        if node.is_leaf:
            raw, points, note = detail["leaves"].get(node.id, [None, 0.0, ""])
            lines.append(
                Line(
                    node.id,
                    depth,
                    node.name_zh,
                    node.name_en,
                    node.weight,
                    points,
                    True,
                    node.metric or "manual",
                    raw,
                    node.formula(),
                    note,
                )
            )
            return
        lines.append(
            Line(
                node.id,
                depth,
                node.name_zh,
                node.name_en,
                node.weight,
                detail["nodes"].get(node.id, 0.0),
                False,
            )
        )
        for child in node.children:
            walk(child, depth + 1)

    for top in tree.indicators:
        walk(top, 0)
    return lines


# -- manual assessments ------------------------------------------------------------


def do_score(
    session: Session,
    *,
    actor: Actor,
    tree_key: str,
    indicator_id: str,
    period: str,
    unit: str,
    points: float,
    evidence: str,
    now: datetime,
    attachment: tuple[str, str, bytes] | None = None,
) -> Assessment:
    """A reviewer scores a manual item with evidence; a second reviewer confirms it."""
    if actor.role not in REVIEWERS:
        raise Forbidden("Only leaders, administrators and auditors score assessments.")
    ensure_shipped(session, now=now)
    _row, tree = get_tree(session, tree_key)
    indicator = tree.find(indicator_id)
    if indicator is None or indicator.method is not Method.MANUAL:
        raise InvalidInput(
            "%(indicator)s is not an item scored by hand.", params={"indicator": indicator_id}
        )
    the_period = parse_period(tree.period, period)
    target = find_unit(session, tree, unit)
    if not may_access(actor.scope, target.region_code):
        raise Forbidden("This unit is outside your area.")
    if not 0 <= points <= indicator.weight:
        raise InvalidInput(
            "Points must be between 0 and %(weight)s.", params={"weight": f"{indicator.weight:g}"}
        )
    if not evidence.strip():
        raise InvalidInput("Describe the evidence for the score.")
    _refuse_final(session, tree_key, the_period.key)
    existing = session.scalars(
        select(Assessment).where(
            Assessment.tree_key == tree_key,
            Assessment.indicator_id == indicator_id,
            Assessment.period == the_period.key,
            Assessment.unit == unit,
        )
    ).first()
    if existing is not None and existing.state == AssessmentState.CONFIRMED.value:
        raise Conflict("This item is confirmed already; its score stands.")
    row = existing or Assessment(
        tree_key=tree_key, indicator_id=indicator_id, period=the_period.key, unit=unit
    )
    row.region_code = target.region_code
    row.points, row.evidence = points, evidence.strip()
    if attachment is not None:
        row.attachment_name, row.attachment_type, row.attachment = attachment
    row.state = AssessmentState.PENDING.value
    row.scored_by, row.scored_at = actor.username, now
    row.reviewed_by, row.reviewed_at, row.review_note = None, None, ""
    if existing is None:
        session.add(row)
    session.flush()
    record(
        session,
        actor=actor,
        action="indicators.assessment_scored",
        object_type="indicator_assessment",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={
            "tree": tree_key,
            "indicator": indicator_id,
            "period": row.period,
            "unit": unit,
            "points": points,
            "attachment": row.attachment_name or None,
        },
    )
    return row


def do_review(
    session: Session,
    *,
    actor: Actor,
    assessment_id: int,
    confirm: bool,
    note: str,
    now: datetime,
) -> Assessment:
    """A second reviewer confirms the score, or sends it back with a reason."""
    if actor.role not in REVIEWERS:
        raise Forbidden("Only leaders, administrators and auditors review assessments.")
    row = session.get(Assessment, assessment_id, with_for_update=True)
    if row is None or not may_access(actor.scope, row.region_code):
        raise NotFound("There is no assessment %(id)s.", params={"id": assessment_id})
    if row.state != AssessmentState.PENDING.value:
        raise Conflict("Only a pending assessment can be reviewed.")
    if row.scored_by == actor.username:
        raise Conflict("A second reviewer confirms: you scored this item yourself.")
    _refuse_final(session, row.tree_key, row.period)
    if not confirm and not note.strip():
        raise InvalidInput("Say why the score is sent back.")
    row.state = (AssessmentState.CONFIRMED if confirm else AssessmentState.REJECTED).value
    row.reviewed_by, row.reviewed_at, row.review_note = actor.username, now, note.strip()
    record(
        session,
        actor=actor,
        action="indicators.assessment_confirmed" if confirm else "indicators.assessment_rejected",
        object_type="indicator_assessment",
        object_id=row.id,
        region_code=row.region_code,
        now=now,
        summary={"points": row.points, "scored_by": row.scored_by, "note": row.review_note},
    )
    return row


def _refuse_final(session: Session, tree_key: str, period: str) -> None:
    """A final period's scores no longer change, so neither do its assessments."""
    snapshot = snapshot_for(session, tree_key, period)
    if snapshot is not None and snapshot.final:
        raise Conflict(
            "%(period)s is final: its scores, and the assessments behind them, no longer change.",
            params={"period": period},
        )


def assessments(
    session: Session, *, tree_key: str, period: str, scope: str | None
) -> list[Assessment]:
    return list(
        session.scalars(
            select(Assessment)
            .where(Assessment.tree_key == tree_key, Assessment.period == period)
            .where(scope_clause(scope, Assessment.region_code))
            .order_by(Assessment.unit, Assessment.indicator_id)
        )
    )


# -- the dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    open_cases: int
    overdue_cases: int
    month: figures.Figures | None
    trend: list[tuple[str, figures.Figures | None]]
    top_categories: list[tuple[str, str, str, int]]  # code, zh, en, count
    most_overdue: list[tuple[str, str, int]]  # unit key, name, overdue


def dashboard(
    session: Session, *, scope: str | None, now: datetime, tz: ZoneInfo, months: int = 6
) -> Dashboard:
    """The leader's one screen, for the viewer's area: what is open and late now, the
    three rates this month and their trend, the commonest problems, the latest units."""
    in_scope = scope_clause(scope, Case.grid_code)
    open_states = [s.value for s in OPEN_STATES]
    open_cases = (
        session.scalar(select(func.count()).where(Case.state.in_(open_states), in_scope)) or 0
    )
    overdue = session.scalar(select(func.count()).where(overdue_clause(now), in_scope)) or 0
    trend: list[tuple[str, figures.Figures | None]] = []
    for period in recent_periods(PeriodKind.MONTH, now.astimezone(tz).date(), months):
        start, end = period.bounds(tz)
        rows = figures.compute(session, start=start, end=end, now=now, group="all", scope=scope)
        trend.append((period.key, rows[0] if rows else None))
    start, end = recent_periods(PeriodKind.MONTH, now.astimezone(tz).date(), 1)[0].bounds(tz)
    categories = session.execute(
        select(Case.category_code, Category.name_zh, Category.name_en, func.count())
        .join(Category, Category.code == Case.category_code)
        .where(figures.in_period(start, end), in_scope)
        .group_by(Case.category_code, Category.name_zh, Category.name_en)
        .order_by(func.count().desc(), Case.category_code)
        .limit(8)
    )
    late = session.execute(
        select(Case.unit_code, Case.department_id, func.count())
        .where(overdue_clause(now), in_scope)
        .group_by(Case.unit_code, Case.department_id)
        .order_by(func.count().desc(), Case.unit_code)
        .limit(8)
    ).all()
    names = _unit_names(session, late)
    return Dashboard(
        open_cases=open_cases,
        overdue_cases=overdue,
        month=trend[-1][1],
        trend=trend,
        top_categories=[(c or "", zh, en, n) for c, zh, en, n in categories],
        most_overdue=[
            (f"department:{d}" if d else (u or ""), names.get((u, d), u or ""), n)
            for u, d, n in late
        ],
    )


def _unit_names(session: Session, rows: Iterable[Any]) -> dict[tuple[str | None, int | None], str]:
    codes = {u for u, d, _n in rows if u and d is None}
    departments = {d for _u, d, _n in rows if d is not None}
    names: dict[tuple[str | None, int | None], str] = {}
    if codes:
        for code, name in session.execute(
            select(Region.code, Region.name).where(Region.code.in_(codes))
        ):
            names[(code, None)] = name
    if departments:
        for oid, name in session.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(departments))
        ):
            names.update({(u, oid): name for u, d, _n in rows if d == oid})
    return names


# -- the dashboard's map and the monthly report ------------------------------------

GRID_LEAGUES = ("grid", "party_grid")


@dataclass(frozen=True)
class GridValue:
    """One grid's points on one node of a tree, for colouring the map."""

    value: float
    band: str
    name: str
    unit: str


def latest_snapshot(session: Session, key: str) -> IndicatorSnapshot | None:
    """The snapshot of the newest computed period of tree ``key``."""
    found = periods(session, key)
    return snapshot_for(session, key, found[0]) if found else None


def grid_values(
    session: Session, snapshot: IndicatorSnapshot, indicator: str, scope: str | None
) -> dict[str, GridValue]:
    """Grid code → points on ``indicator`` (an indicator id, or ``total``) for the grids
    in ``scope``. A party organisation's score counts for the grid it belongs to; a band
    of a node is the tree's band of its share of the node's weight."""
    _row, tree = snapshot_tree(session, snapshot)
    node = None if indicator in ("", "total") else tree.find(indicator)
    if indicator not in ("", "total") and node is None:
        raise NotFound(
            "%(indicator)s is not an indicator of this tree.", params={"indicator": indicator}
        )
    rows = session.scalars(
        select(IndicatorScore)
        .where(
            IndicatorScore.snapshot_id == snapshot.id,
            IndicatorScore.league.in_(GRID_LEAGUES),
        )
        .where(scope_clause(scope, IndicatorScore.region_code))
        .order_by(IndicatorScore.region_code, IndicatorScore.unit)
    )
    result: dict[str, GridValue] = {}
    for score in rows:
        if score.region_code in result:  # two organisations in one grid: the first
            continue
        if node is None:
            value, band = score.total, score.band
        else:
            value = float(json.loads(score.detail)["nodes"].get(node.id, 0.0))
            share = value / node.weight if node.weight else 1.0
            band = tree.band(round(share * tree.total, 4)).value  # points have 4 places
        result[score.region_code] = GridValue(value, band, score.unit_name, score.unit)
    return result


def region_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Region code → name for the codes that are regions."""
    wanted = sorted(set(codes))
    if not wanted:
        return {}
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))
    return {code: name for code, name in rows}
