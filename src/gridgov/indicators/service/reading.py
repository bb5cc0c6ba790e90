"""Reading snapshots: periods, league tables, a unit's scorecard and history, and the
grids' values that colour the dashboard's map."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import may_access, scope_clause
from gridgov.audit.service import Actor
from gridgov.db import rows
from gridgov.errors import NotFound
from gridgov.indicators.models import IndicatorScore, IndicatorSnapshot, IndicatorTree
from gridgov.indicators.rules import Tree
from gridgov.indicators.service.trees import parse
from gridgov.territory import service as territory


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
    return rows(
        session,
        IndicatorScore,
        IndicatorScore.snapshot_id == snapshot.id,
        IndicatorScore.league == league,
        scope_clause(scope, IndicatorScore.region_code),
        order_by=(IndicatorScore.rank, IndicatorScore.unit),
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
        line = Line(
            node.id,
            depth,
            node.name_zh,
            node.name_en,
            node.weight,
            detail["nodes"].get(node.id, 0.0),
            False,
        )
        if node.is_leaf:
            raw, points, note = detail["leaves"].get(node.id, [None, 0.0, ""])
            line = replace(
                line,
                points=points,
                leaf=True,
                metric=node.metric or "manual",
                raw=raw,
                formula=node.formula(),
                note=note,
            )
        lines.append(line)
        for child in node.children:
            walk(child, depth + 1)

    for top in tree.indicators:
        walk(top, 0)
    return lines


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
    return territory.region_names(session, codes)
