"""Siting on small cases whose optimum is known by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from gridgov.services import siting

# Five demand spots (households 50, 40, 30, 30, 10) and four candidate sites:
# A covers 0 and 1, B covers 1 and 2, C covers 2 and 3, D covers 4.
COVER = csr_matrix(
    np.array(
        [
            [1, 0, 0, 0],
            [1, 1, 0, 0],
            [0, 1, 1, 0],
            [0, 0, 1, 0],
            [0, 0, 0, 1],
        ],
        dtype=bool,
    )
)
WEIGHTS = np.array([50.0, 40.0, 30.0, 30.0, 10.0])
NONE = np.zeros(5, dtype=bool)


def test_greedy_mclp_picks_the_biggest_gain_first_and_reports_a_valid_bound() -> None:
    solution = siting.greedy_mclp(COVER, WEIGHTS, NONE, 2)
    assert solution.chosen == [0, 2]  # A (90), then C (60)
    assert solution.added == 150.0
    assert solution.bound is not None
    assert solution.bound >= 150.0


def test_exact_mclp_matches_the_optimum_found_by_hand() -> None:
    solution = siting.exact_mclp(COVER, WEIGHTS, NONE, 2)
    assert solution.optimal
    assert solution.chosen == [0, 2]
    assert solution.added == 150.0


def test_existing_points_stay_and_their_households_do_not_count_twice() -> None:
    # an existing point already covers spots 0 and 1: A is worth nothing now
    existing = np.array([True, True, False, False, False])
    solution = siting.exact_mclp(COVER, WEIGHTS, existing, 1)
    assert solution.chosen == [2]
    assert solution.baseline == 90.0
    assert solution.added == 60.0
    assert solution.covered == 150.0


def test_lscp_reaches_everyone_with_the_fewest_points() -> None:
    exact = siting.exact_lscp(COVER, WEIGHTS, NONE)
    greedy = siting.greedy_lscp(COVER, WEIGHTS, NONE)
    assert exact.optimal
    assert exact.chosen == [0, 2, 3]
    assert len(greedy.chosen) == 3
    assert greedy.added == exact.added == 160.0


def test_households_no_candidate_reaches_are_reported_not_hidden() -> None:
    cover = csr_matrix(COVER.toarray()[:, :3])  # without D nobody reaches spot 4
    solution = siting.exact_lscp(cover, WEIGHTS, NONE)
    assert solution.unreachable == 10.0


def test_exact_beats_greedy_where_greedy_is_lured_by_the_middle() -> None:
    # A covers spots 0–1, B covers 2–3, C covers the middle 1–2 and looks best alone
    cover = csr_matrix(np.array([[1, 0, 0], [1, 0, 1], [0, 1, 1], [0, 1, 0]], dtype=bool))
    weights = np.array([4.5, 5.5, 5.5, 4.5])
    none = np.zeros(4, dtype=bool)
    greedy = siting.greedy_mclp(cover, weights, none, 2)
    exact = siting.exact_mclp(cover, weights, none, 2)
    assert greedy.chosen[0] == 2
    assert greedy.added == 15.5
    assert not greedy.optimal
    assert greedy.bound is not None
    assert greedy.bound >= 20.0
    assert exact.chosen == [0, 1]
    assert exact.added == 20.0
    assert exact.optimal


def _best_by_hand(cover: np.ndarray, weights: np.ndarray, k: int) -> float:
    """The MCLP optimum by trying every choice of k candidates (fine at test sizes)."""
    from itertools import combinations

    return max(
        float(weights[cover[:, list(choice)].any(axis=1)].sum())
        for choice in combinations(range(cover.shape[1]), min(k, cover.shape[1]))
    )


def _fewest_by_hand(cover: np.ndarray) -> int:
    """The LSCP optimum by trying ever larger choices until one reaches every row."""
    from itertools import combinations

    reachable = cover.any(axis=1)
    for size in range(cover.shape[1] + 1):
        for choice in combinations(range(cover.shape[1]), size):
            if (cover[:, list(choice)].any(axis=1) | ~reachable).all():
                return size
    raise AssertionError("unreachable")


# COVER with two more candidates: E covers only spot 0 (inside A), F is a copy of C.
WIDE = csr_matrix(np.column_stack([COVER.toarray(), [1, 0, 0, 0, 0], [0, 0, 1, 1, 0]]))


def test_the_reduction_merges_drops_and_keeps_what_it_should() -> None:
    # given candidates P ⊂ Q, R = S, T reaching nobody, over six demand spots: 0–2
    # reached by Q alone once P goes, 3 by R (and S), 4 by nobody, 5 weighing nothing
    #                   P  Q  R  S  T
    cover = np.array(
        [
            [1, 1, 0, 0, 0],
            [1, 1, 0, 0, 0],
            [0, 1, 0, 0, 0],
            [0, 0, 1, 1, 0],
            [0, 0, 0, 0, 0],
            [0, 1, 0, 0, 0],
        ],
        dtype=bool,
    )
    weights = np.array([10.0, 5.0, 7.0, 4.0, 9.0, 0.0])
    # when the problem is reduced
    reduced = siting.reduce_cover(csr_matrix(cover), weights)
    # then Q and R stay (S is R's copy listed later, P is inside Q, T reaches nothing),
    # spots 0–2 are one row of 22 households, spot 3 one of 4, and 9 are out of reach
    assert reduced.columns.tolist() == [1, 2]
    rows = {
        (tuple(row), weight)
        for row, weight in zip(
            reduced.cover.toarray().tolist(), reduced.weight.tolist(), strict=True
        )
    }
    assert rows == {((True, False), 22.0), ((False, True), 4.0)}
    assert reduced.unreachable == 9.0


def test_the_reduced_problem_has_the_optimum_of_the_full_one_on_a_hand_made_case() -> None:
    reduced = siting.reduce_cover(WIDE, WEIGHTS)
    assert reduced.columns.tolist() == [0, 1, 2, 3]  # E (inside A) and F (C's copy) go
    for k in (1, 2, 3, 4):
        full = _best_by_hand(WIDE.toarray(), WEIGHTS, k)
        small = _best_by_hand(reduced.cover.toarray(), reduced.weight, k)
        assert small == full
        for work in (siting.ENUMERATION_WORK, 0):  # by exhaustion, and by HiGHS
            assert siting.exact_mclp(WIDE, WEIGHTS, NONE, k, enumeration_work=work).added == full
    assert _fewest_by_hand(reduced.cover.toarray()) == _fewest_by_hand(WIDE.toarray()) == 3
    lscp = siting.exact_lscp(WIDE, WEIGHTS, NONE)
    assert lscp.optimal
    assert lscp.chosen == [0, 2, 3]  # A, C, D (A, F, D is as good; F went as C's copy)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_exact_mclp_finds_the_optimum_tried_by_hand_on_streets_of_overlapping_reach(
    seed: int,
) -> None:
    # given 40 homes and 12 candidate sites along a 2 km street, each site reaching 250 m
    # either way (many sites reach a subset of a neighbour's homes), households 1–30
    rng = np.random.default_rng(seed)
    homes = rng.uniform(0, 2000, 40)
    sites = np.round(rng.uniform(0, 2000, 12), -2)  # rounded: some sites coincide
    dense = np.abs(homes[:, None] - sites[None, :]) <= 250
    weights = rng.integers(1, 31, 40).astype(float)
    existing = homes < 200  # an existing point near the start already covers some
    open_weights = np.where(existing, 0.0, weights)
    for k in (2, 3, 4):
        best = _best_by_hand(dense, open_weights, k)
        # when the exact solvers answer (exhaustion and HiGHS)
        for work in (siting.ENUMERATION_WORK, 0):
            solution = siting.exact_mclp(
                csr_matrix(dense), weights, existing, k, enumeration_work=work
            )
            # then both find the optimum, and it is what their sites really cover
            assert solution.optimal
            assert solution.added == best
            assert len(solution.chosen) <= k
            covered = dense[:, solution.chosen].any(axis=1) & ~existing
            assert float(weights[covered].sum()) == best


def test_an_integer_program_with_a_fractional_relaxation_is_branched_not_rounded() -> None:
    # given maximise x1 + x2 with 2·x1 + 2·x2 ≤ 3: the relaxation says 1.5
    x, optimal, bound = siting._integer_program(
        np.array([-1.0, -1.0]), csr_matrix(np.array([[2.0, 2.0]])), np.array([3.0]), 2, 10.0
    )
    # then the integer program answers one of the two, proven
    assert x is not None
    assert optimal
    assert sorted(np.round(x).tolist()) == [0.0, 1.0]
    assert bound == -1.0


def test_the_reduction_finds_a_candidate_inside_another_across_its_blocks_of_columns() -> None:
    # given 700 candidates each reaching its own spot, and one more reaching spots 5 and
    # 600 (the pairs are compared 512 columns at a time)
    dense = np.zeros((700, 701), dtype=bool)
    dense[np.arange(700), np.arange(700)] = True
    dense[[5, 600], 700] = True
    # when reduced
    reduced = siting.reduce_cover(csr_matrix(dense), np.ones(700))
    # then candidates 5 and 600 go, inside the last one, and nothing else does
    assert reduced.columns.tolist() == [c for c in range(701) if c not in (5, 600)]
    assert reduced.cover.shape == (699, 699)  # spots 5 and 600 merge: the same reach
    assert sorted(reduced.weight.tolist())[-1] == 2.0
