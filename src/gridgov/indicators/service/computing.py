"""Computing a tree for a period into a snapshot: count, score each league, rank with
movement, store; a period is provisional until ``settle_days`` after its end, final
after (ADR 0008)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from gridgov.accounts.rules import Role
from gridgov.audit.service import Actor, record_about
from gridgov.errors import InvalidInput
from gridgov.indicators.models import Assessment, IndicatorScore, IndicatorSnapshot
from gridgov.indicators.rules import (
    AssessmentState,
    Method,
    Period,
    Scorecard,
    Tree,
    UnitKind,
    parse_period,
    score_league,
    with_movement,
)
from gridgov.indicators.service.counting import Counts, Unit, _base, count, units_of
from gridgov.indicators.service.reading import snapshot_for
from gridgov.indicators.service.trees import ensure_shipped, get_tree

COMPUTERS = frozenset({Role.LEADER, Role.ADMIN})


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
    record_about(
        session,
        actor,
        "indicators.computed",
        snapshot,
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
