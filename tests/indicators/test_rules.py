"""Indicator rules without a database: the tree file, normalisation, scoring, ranking."""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from gridgov.datafiles import DataFileError
from gridgov.errors import InvalidInput
from gridgov.indicators import rules
from gridgov.indicators.rules import Band, PeriodKind, load_tree, parse_period, score_league

SHIPPED = Path(rules.__file__).parent / "data"

# Four leaves under two parents; each normalisation once.
TREE = """\
key: example
name: {zh_Hans: 示例, en: Example}
units: [grid]
total: 100
bands: {green: 85, amber: 60}
indicators:
  - id: speed
    name: 速度
    weight: 40
    children:
      - id: response
        name: 响应率
        weight: 25
        metric: response_rate
        normalise: target
        target: 0.8
      - id: on_time
        name: 按期结案率
        weight: 15
        metric: on_time_closure_rate
        normalise: minmax
  - id: quality
    name: 质量
    weight: 60
    children:
      - id: satisfaction
        name: 满意率
        weight: 50
        metric: satisfaction_rate
        normalise: thresholds
        thresholds:
          - {at: 0.9, score: 1}
          - {at: 0.8, score: 0.6}
      - id: rework
        name: 返工
        weight: 10
        metric: rework_cases
        normalise: deduct
        deduct:
          - {from: 1, points: 0.2}
          - {from: 3, points: 0.5}
"""

RAWS: dict[str, dict[str, float | None]] = {
    "A": {"response": 0.7, "on_time": 0.9, "satisfaction": 0.85, "rework": 4.0},
    "B": {"response": 0.9, "on_time": 0.6, "satisfaction": 0.95, "rework": 0.0},
    "C": {"response": 0.5, "on_time": 0.75, "satisfaction": 0.7, "rework": 2.0},
}


def _by_unit(cards: list[rules.Scorecard]) -> dict[str, rules.Scorecard]:
    return {card.unit: card for card in cards}


def test_a_hand_computed_example_matches_to_the_last_decimal() -> None:
    # given the example tree and three grids' raw values
    tree = load_tree(TREE)
    # when the league is scored
    cards = _by_unit(score_league(tree, "grid", RAWS))
    # then every leaf is what the formulas give by hand:
    # A: 25 × 0.7/0.8 = 21.875; on-time is the maximum → 15; 0.85 ≥ 0.8 → 0.6 × 50 = 30;
    #    4 reworks: 0.2 + 0.2 + 0.5 + 0.5 = 1.4 → 10 − 1.4 = 8.6; total 75.475
    assert cards["A"].leaves["response"].points == 21.875
    assert cards["A"].leaves["on_time"].points == 15
    assert cards["A"].leaves["satisfaction"].points == 30
    assert cards["A"].leaves["rework"].points == 8.6
    assert cards["A"].nodes == {
        "response": 21.875,
        "on_time": 15.0,
        "speed": 36.875,
        "satisfaction": 30.0,
        "rework": 8.6,
        "quality": 38.6,
    }
    assert cards["A"].total == 75.475
    # B: 25 (capped at the target); on-time is the minimum → 0; 50; 10: total 85
    assert cards["B"].total == 85
    # C: 25 × 0.5/0.8 = 15.625; (0.75 − 0.6)/(0.9 − 0.6) × 15 = 7.5; below 0.8 → 0;
    #    2 reworks → 10 − 0.4 = 9.6; total 32.725
    assert cards["C"].leaves["on_time"].points == 7.5
    assert cards["C"].total == 32.725
    # and the ranking and bands follow
    assert [(c.unit, c.rank, c.band) for c in sorted(cards.values(), key=lambda c: c.rank)] == [
        ("B", 1, Band.GREEN),
        ("A", 2, Band.AMBER),
        ("C", 3, Band.RED),
    ]


def test_changing_a_weight_in_the_file_changes_the_ranking() -> None:
    # given B leads A under the example weights
    before = _by_unit(score_league(load_tree(TREE), "grid", RAWS))
    assert before["B"].rank < before["A"].rank
    # when satisfaction weighs 20 and rework deductions 40 (the file, not the code)
    changed = TREE.replace("        weight: 50\n", "        weight: 20\n").replace(
        "        weight: 10\n        metric: rework_cases",
        "        weight: 40\n        metric: rework_cases",
    )
    after = _by_unit(score_league(load_tree(changed), "grid", RAWS))
    # then A (21.875 + 15 + 12 + 38.6 = 87.475) overtakes B (25 + 0 + 20 + 40 = 85)
    assert after["A"].total == 87.475
    assert after["B"].total == 85
    assert (after["A"].rank, after["B"].rank) == (1, 2)


def _refusal(text: str) -> DataFileError:
    with pytest.raises(DataFileError) as caught:
        load_tree(text)
    return caught.value


def test_weights_that_do_not_add_up_are_refused_naming_the_line() -> None:
    # given the children of "quality" weighing 50 + 5 under a declared 60
    text = TREE.replace(
        "        weight: 10\n        metric: rework_cases",
        "        weight: 5\n        metric: rework_cases",
    )
    # when the tree is loaded
    error = _refusal(text)
    # then the refusal names the line of quality's children and the sums
    assert error.line == TREE.splitlines().index("    children:", 12) + 1
    assert "add up to 55, not the declared 60" in str(error)


def test_top_level_weights_must_add_up_to_the_total() -> None:
    error = _refusal(TREE.replace("total: 100", "total: 90"))
    assert error.line == 6  # the indicators: line
    assert "add up to 100, not the declared 90" in str(error)


def test_an_unknown_metric_is_refused_naming_the_line() -> None:
    # given a leaf that names a metric nobody computes
    text = TREE.replace("metric: on_time_closure_rate", "metric: on_time_closure_ratio")
    # when the tree is loaded
    error = _refusal(text)
    # then the line of that metric is named
    assert error.line == text.splitlines().index("        metric: on_time_closure_ratio") + 1
    assert "on_time_closure_ratio" in str(error)


def test_a_cycle_of_derived_metrics_is_refused_naming_the_line() -> None:
    text = TREE.replace(
        "indicators:\n",
        "derived:\n  busy: cases / calm\n  calm: households / busy\nindicators:\n",
        1,
    )
    error = _refusal(text)
    assert error.line == 7  # "busy:" is where the cycle is entered
    assert "busy → calm → busy" in str(error)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("normalise: minmax", "normalise: zscore", "normalise"),
        ("target: 0.8", "target: 0", "target"),
        ("- {at: 0.8, score: 0.6}", "- {at: 0.95, score: 0.6}", "order"),
        ("- {from: 3, points: 0.5}", "- {from: 0, points: 0.5}", "steps"),
        ("units: [grid]", "units: [village]", "village"),
        ("      - id: on_time", "      - id: response", "twice"),
        ("bands: {green: 85, amber: 60}", "bands: {green: 50, amber: 60}", "amber"),
    ],
)
def test_other_mistakes_are_refused_with_their_line(old: str, new: str, words: str) -> None:
    assert old in TREE
    text = TREE.replace(old, new, 1)
    error = _refusal(text)
    assert words in str(error)
    assert 1 <= error.line <= len(text.splitlines())


def test_a_formula_may_only_do_arithmetic() -> None:
    text = TREE.replace("indicators:\n", "derived:\n  bad: __import__('os')\nindicators:\n", 1)
    error = _refusal(text)
    assert error.line == 7


def test_not_yaml_names_its_line() -> None:
    error = _refusal("key: x\nname: [unclosed\nunits: grid\n")
    assert error.line >= 2


def test_missing_values_follow_the_leaf_rule() -> None:
    # given a grid with no rated cases (satisfaction has nothing to divide by)
    raws: dict[str, dict[str, float | None]] = {
        **RAWS,
        "D": {"response": 0.8, "on_time": 0.6, "satisfaction": None, "rework": 0.0},
    }
    cards = _by_unit(score_league(load_tree(TREE), "grid", raws))
    # then it gets the league's mean for that leaf (the default rule): (30 + 50 + 0) / 3
    assert cards["D"].leaves["satisfaction"].points == round(80 / 3, 4)
    assert cards["D"].leaves["satisfaction"].note == "no data: league mean"
    # and "missing: zero" gives nothing
    zero = TREE.replace("normalise: thresholds", "normalise: thresholds\n        missing: zero")
    assert (
        _by_unit(score_league(load_tree(zero), "grid", raws))["D"].leaves["satisfaction"].points
        == 0
    )


def test_lower_is_better_inverts_target_and_minmax() -> None:
    text = TREE.replace("normalise: minmax", "normalise: minmax\n        better: lower")
    cards = _by_unit(score_league(load_tree(text), "grid", RAWS))
    assert cards["B"].leaves["on_time"].points == 15  # lowest raw now earns the weight
    assert cards["A"].leaves["on_time"].points == 0


def test_ties_share_a_rank() -> None:
    tree = load_tree(TREE)
    cards = score_league(tree, "grid", {"X": RAWS["A"], "Y": RAWS["A"], "Z": RAWS["C"]})
    assert [(c.unit, c.rank) for c in cards] == [("X", 1), ("Y", 1), ("Z", 3)]


def test_derived_metrics_compute_from_base_counts() -> None:
    text = TREE.replace(
        "indicators:\n", "derived:\n  reply: responded_on_time / assigned\nindicators:\n", 1
    ).replace("metric: response_rate", "metric: reply")
    tree = load_tree(text)
    raw = tree.raw_values(
        {
            "responded_on_time": 3,
            "assigned": 4,
            "closed_on_time": 1,
            "satisfied": 1,
            "rated": 0,
            "rework_cases": 0,
        }
    )
    assert raw["response"] == 0.75
    assert raw["satisfaction"] is None  # nothing rated: no rate, not zero
    assert tree.metrics_needed() >= {"responded_on_time", "assigned", "rated", "satisfied"}


@pytest.mark.parametrize("name", ["three_rates.yaml", "org_strength.yaml"])
def test_the_shipped_trees_load(name: str) -> None:
    tree = load_tree((SHIPPED / name).read_text("utf-8"))
    assert sum(top.weight for top in tree.indicators) == tree.total


def test_three_rates_ship_with_30_35_35() -> None:
    tree = load_tree((SHIPPED / "three_rates.yaml").read_text("utf-8"))
    assert [(i.metric, i.weight) for i in tree.leaves()] == [
        ("response_rate", 30),
        ("resolution_rate", 35),
        ("satisfaction_rate", 35),
    ]


def test_periods_cover_their_days_in_the_office_time_zone() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    october = parse_period(PeriodKind.MONTH, "2026-10")
    start, end = october.bounds(tz)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-09-30T16:00:00+00:00",
        "2026-10-31T16:00:00+00:00",
    )
    assert october.previous().key == "2026-09"
    assert parse_period(PeriodKind.QUARTER, "2026-Q1").last == date(2026, 3, 31)
    assert parse_period(PeriodKind.MONTH, "2026-01").previous().key == "2025-12"
    assert [p.key for p in rules.recent_periods(PeriodKind.MONTH, date(2026, 2, 3), 3)] == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    with pytest.raises(InvalidInput):
        parse_period(PeriodKind.MONTH, "2026-13")


@pytest.mark.parametrize(
    ("count", "deducted"),
    [(0, 0.0), (1, 0.2), (2, 0.4), (3, 0.9), (4, 1.4), (10_000, 0.4 + 9_998 * 0.5)],
)
def test_deductions_by_steps(count: int, deducted: float) -> None:
    # −0.2 for the first and second item, −0.5 from the third on
    steps = (rules.Step(1, 0.2), rules.Step(3, 0.5))
    assert rules.deduction(steps, count) == pytest.approx(deducted)


def test_a_manual_items_evidence_may_be_given_in_chinese_and_english() -> None:
    # Given the shipped organisational-strength tree, whose manual items say what to attach
    text = (resources.files("gridgov.indicators") / "data" / "org_strength.yaml").read_text()
    tree = load_tree(text)
    manual = [leaf for leaf in tree.leaves() if leaf.method is rules.Method.MANUAL]
    # then each has its evidence in Chinese and in English
    assert manual
    for leaf in manual:
        assert any("\u4e00" <= c <= "\u9fff" for c in leaf.evidence)
        assert leaf.evidence_en
        assert leaf.evidence_en.isascii()
