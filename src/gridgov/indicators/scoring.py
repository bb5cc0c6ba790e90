"""Scoring: a leaf's fraction of its weight, the league's scorecards with points at
every node, ranks, movement and bands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from gridgov.indicators.kinds import (
    PLACES,
    Band,
    Method,
    Missing,
)
from gridgov.indicators.tree import (
    Indicator,
    Step,
    Tree,
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
