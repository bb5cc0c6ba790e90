"""Siting on small cases whose optimum is known by hand."""

from __future__ import annotations

import numpy as np
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
