"""Where to put the next service points: maximal covering (MCLP) and set covering
(LSCP), population-weighted, with the existing points fixed.

Pure: the input is a boolean demand × candidate matrix (``graph.coverage_matrix``), the
households of each demand unit, and which demand the existing points already cover.
Two solvers each: a greedy one, fast at any size, with the bound that says how far from
the optimum it can be; and the exact one. The exact one first makes the problem smaller
without changing its optimum (``reduce_cover``: demand nobody can reach or already
covered dropped, demand covered by the same candidates merged, a candidate whose
demand another candidate also covers dropped), then tries every choice when there are
few, and otherwise solves the integer program with HiGHS in process (its linear
relaxation first, which covering problems often have integral; then
``scipy.optimize.milp``), no model file, no solver process (ADR 0015).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import combinations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, csc_matrix, csr_matrix, hstack, identity, vstack

Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]


class Method(StrEnum):
    MCLP = "mclp"  # the most households with k new points
    LSCP = "lscp"  # the fewest new points that reach every household that can be reached


class Solver(StrEnum):
    GREEDY = "greedy"
    EXACT = "exact"


@dataclass
class Solution:
    method: Method
    solver: Solver
    chosen: list[int]  # candidate indices, in the order picked (greedy) or ascending
    covered: float  # households covered by existing + chosen
    added: float  # households newly covered by the chosen
    baseline: float  # households the existing points cover
    total: float  # all households
    bound: float | None = None  # MCLP: an upper bound on ``added`` (greedy's, or = added)
    optimal: bool = False
    unreachable: float = 0.0  # households no candidate nor existing point reaches
    gains: list[float] = field(default_factory=list)  # households added by each pick

    @property
    def gap(self) -> float | None:
        """How far greedy can be from the optimum, as a share of the bound."""
        if self.bound is None or self.bound <= 0:
            return None
        return max(0.0, (self.bound - self.added) / self.bound)


def _problem(
    cover: csr_matrix, weights: Floats, existing: Bools
) -> tuple[csr_matrix, Floats, float, float]:
    """The demand still open: rows not covered by an existing point. Returns the
    open rows' matrix, their weights, the baseline and the total."""
    weights = np.asarray(weights, np.float64)
    total = float(weights.sum())
    baseline = float(weights[existing].sum())
    open_rows = ~np.asarray(existing, bool)
    return csr_matrix(cover[open_rows]), weights[open_rows], baseline, total


def greedy_mclp(cover: csr_matrix, weights: Floats, existing: Bools, k: int) -> Solution:
    """Pick k candidates one at a time, each adding the most households not yet
    covered. The bound: after any pick, the optimum adds at most what is covered so far
    plus the k largest remaining gains (Nemhauser, Wolsey & Fisher 1978); the smallest
    such value over the run is reported. Greedy always reaches ≥ 63 % (1 − 1/e)."""
    matrix, w, baseline, total = _problem(cover, weights, existing)
    by_candidate = csc_matrix(matrix)
    by_demand = csr_matrix(matrix)
    gains = np.asarray(by_demand.T @ w, np.float64)
    open_w = w.copy()
    chosen: list[int] = []
    picked_gains: list[float] = []
    added = 0.0
    kk = max(0, min(k, matrix.shape[1]))
    bound = _top_sum(gains, kk)
    for _step in range(kk):
        j = int(np.argmax(gains)) if gains.size else -1
        if j < 0 or gains[j] <= 0:
            break
        rows = by_candidate.indices[by_candidate.indptr[j] : by_candidate.indptr[j + 1]]
        rows = rows[open_w[rows] > 0]
        gain = float(open_w[rows].sum())
        chosen.append(j)
        picked_gains.append(gain)
        added += gain
        if rows.size:
            gains -= np.asarray(by_demand[rows].T @ open_w[rows], np.float64)
            open_w[rows] = 0.0
        gains[j] = -1.0
        bound = min(bound, added + _top_sum(np.maximum(gains, 0.0), kk))
    unreachable = float(w[np.asarray(by_demand.sum(axis=1)).ravel() == 0].sum())
    return Solution(
        Method.MCLP,
        Solver.GREEDY,
        chosen,
        baseline + added,
        added,
        baseline,
        total,
        bound=max(bound, added),
        optimal=math.isclose(bound, added),
        unreachable=unreachable,
        gains=picked_gains,
    )


def _exact(
    method: Method,
    chosen: list[int],
    baseline: float,
    added: float,
    total: float,
    *,
    optimal: bool,
    unreachable: float,
    bound: float | None = None,
) -> Solution:
    """The answer of an exact solver: the existing points' households and those the
    ``chosen`` candidates add."""
    return Solution(
        method,
        Solver.EXACT,
        chosen,
        baseline + added,
        added,
        baseline,
        total,
        bound=bound,
        optimal=optimal,
        unreachable=unreachable,
    )


def _top_sum(values: Floats, k: int) -> float:
    if k <= 0 or values.size == 0:
        return 0.0
    if k >= values.size:
        return float(np.maximum(values, 0).sum())
    return float(np.maximum(np.partition(values, -k)[-k:], 0).sum())


@dataclass(frozen=True)
class Reduced:
    """A covering problem made smaller without changing its optimum: ``cover`` has one
    row per distinct set of candidates reaching some demand (``weight`` summed over the
    demand merged into it) and one column per candidate kept (``columns``: their
    indices in the original problem); ``unreachable`` is the weight nobody reaches."""

    cover: csr_matrix
    weight: Floats
    columns: NDArray[np.int64]
    unreachable: float


def reduce_cover(matrix: csr_matrix, weights: Floats) -> Reduced:
    """Drop the demand with no weight or no candidate reaching it; drop a candidate
    reaching nothing, or only demand that another candidate reaches too (a subset; of
    identical candidates the first stays): any choice using it does as well with the
    other in its place, for maximal and for set covering alike, and the kept one is never
    dominated in turn (the relation orders candidates by size, then index). Then merge
    the demand reached by the same kept candidates, summing weights."""
    matrix = csr_matrix(matrix, dtype=bool)
    w = np.asarray(weights, np.float64)
    reached = np.diff(matrix.indptr) > 0
    positive = w > 0
    unreachable = float(w[positive & ~reached].sum())
    rows = csr_matrix(matrix[positive & reached])
    w = w[positive & reached]
    counts = np.diff(rows.tocsc().indptr)
    ones = csc_matrix(
        csr_matrix((np.ones(rows.nnz, np.int32), rows.indices, rows.indptr), shape=rows.shape)
    )
    by_candidate = csr_matrix(ones.T)
    dominated = np.zeros(rows.shape[1], dtype=bool)
    for start in range(0, rows.shape[1], 512):  # the candidate pairs, 512 columns at a time
        overlap = coo_matrix(by_candidate @ ones[:, start : start + 512])
        i, j, shared = overlap.row, overlap.col + start, overlap.data
        # i is inside j: all of i's demand is j's; j is bigger, or as big and listed first.
        inside = (
            (i != j)
            & (shared == counts[i])
            & ((counts[j] > counts[i]) | ((counts[j] == counts[i]) & (j < i)))
        )
        dominated[i[inside]] = True
    columns = np.flatnonzero(~dominated & (counts > 0)).astype(np.int64)
    kept = csr_matrix(rows[:, columns])
    if kept.shape[0] == 0:
        empty = csr_matrix((0, columns.shape[0]), dtype=bool)
        return Reduced(empty, np.zeros(0), columns, unreachable)
    # Identical rows: compare them as packed bits, a few thousand rows at a time.
    width = (columns.shape[0] + 7) // 8
    packed = np.empty((kept.shape[0], max(width, 1)), np.uint8)
    step = max(1, 8_000_000 // max(columns.shape[0], 1))
    for start in range(0, kept.shape[0], step):
        block = kept[start : start + step].toarray()
        packed[start : start + step] = np.packbits(block, axis=1).reshape(block.shape[0], -1)
    keys = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).ravel()
    _, first, group = np.unique(keys, return_index=True, return_inverse=True)
    merged_weight = np.asarray(
        np.bincount(group.ravel(), weights=w, minlength=first.shape[0]), np.float64
    )
    return Reduced(csr_matrix(kept[first]), merged_weight, columns, unreachable)


ENUMERATION_WORK = 20_000_000  # choices × demand rows × k tried by exhaustion, at most
ENUMERATION_CHOICES = 100_000  # and choices, at most


def _best_choice(reduced: Reduced, k: int, work: int) -> list[int] | None:
    """Every choice of k kept candidates tried, when there are at most
    ``ENUMERATION_CHOICES`` and ``work`` (choices × demand rows × k) allows: the best
    one, the first among equals, as reduced column indices; None when too many."""
    n = reduced.columns.shape[0]
    rows = reduced.cover.shape[0]
    choices_count = math.comb(n, k)
    if choices_count > ENUMERATION_CHOICES or choices_count * max(rows, 1) * k > work:
        return None
    by_candidate = reduced.cover.T.toarray()  # candidates × demand rows
    best_value, best_choice = -1.0, np.zeros(0, np.int64)
    everything = np.array(list(combinations(range(n), k)), np.int64).reshape(-1, k)
    step = max(1, 4_000_000 // max(rows * k, 1))
    for start in range(0, everything.shape[0], step):
        choices = everything[start : start + step]
        covered = np.zeros((choices.shape[0], rows), dtype=bool)
        for t in range(k):
            covered |= by_candidate[choices[:, t]]
        values = covered @ reduced.weight
        top = int(np.argmax(values))
        if values[top] > best_value:
            best_value, best_choice = float(values[top]), choices[top]
    return [int(c) for c in best_choice]


def _integer_program(
    objective: Floats, a_ub: csr_matrix, b_ub: Floats, integral: int, time_limit: float
) -> tuple[NDArray[np.float64] | None, bool, float | None]:
    """Minimise ``objective`` subject to ``a_ub`` x ≤ ``b_ub``, 0 ≤ x ≤ 1, the first
    ``integral`` variables binary, with HiGHS through scipy. Covering problems often
    have an integral linear relaxation: it is solved first (interior point with
    crossover, a vertex), and when its binary variables come out 0 or 1 it is the
    optimum, proven the way a branch-and-bound proves it at its root; otherwise the
    integer program, with no gap allowed. Returns the solution (None if none was found),
    whether it is proven optimal, and the proven bound on the objective."""
    relaxed = linprog(objective, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs-ipm")
    if relaxed.status == 0 and relaxed.x is not None:
        vertex = np.asarray(relaxed.x, np.float64)
        if np.all(np.abs(vertex[:integral] - np.round(vertex[:integral])) <= 1e-6):
            return vertex, True, float(relaxed.fun)
    integrality = np.zeros(objective.shape[0])
    integrality[:integral] = 1
    result = milp(
        objective,
        constraints=LinearConstraint(a_ub, -np.inf, b_ub),
        integrality=integrality,
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": time_limit},
    )
    bound = getattr(result, "mip_dual_bound", None)
    x = None if result.x is None else np.asarray(result.x, np.float64)
    return x, result.status == 0, None if bound is None else float(bound)


def exact_mclp(
    cover: csr_matrix,
    weights: Floats,
    existing: Bools,
    k: int,
    time_limit: float = 60.0,
    enumeration_work: int = ENUMERATION_WORK,
) -> Solution:
    """The maximal covering optimum. When greedy's own bound already proves its answer
    optimal, that answer. Otherwise on the reduced problem (``reduce_cover``): every
    choice of k candidates when there are few (``_best_choice``; ``enumeration_work=0``
    never), else the integer program maximise Σ wᵢyᵢ subject to yᵢ ≤ Σ_{j covers i}
    xⱼ, Σ xⱼ ≤ k, x binary, 0 ≤ y ≤ 1 (y is integral at an optimum once x is), by
    ``_integer_program``."""
    greedy = greedy_mclp(cover, weights, existing, k)
    if greedy.optimal:
        greedy.solver = Solver.EXACT
        greedy.chosen = sorted(greedy.chosen)
        greedy.gains = []
        return greedy
    matrix, w, baseline, total = _problem(cover, weights, existing)
    reduced = reduce_cover(matrix, w)
    n, rows = reduced.columns.shape[0], reduced.cover.shape[0]
    kk = max(0, min(k, n))
    optimal, bound = True, None
    if kk == 0 or rows == 0:
        picked: list[int] = []
    elif kk == n:
        picked = list(range(n))
    else:
        tried = _best_choice(reduced, kk, enumeration_work)
        if tried is not None:
            picked = tried
        else:
            # y_i − Σ_{j covers i} x_j ≤ 0 for every demand row; Σ x_j ≤ k.
            a_ub = vstack(
                [
                    hstack([-reduced.cover.astype(np.float64), identity(rows, format="csr")]),
                    csr_matrix(np.r_[np.ones(n), np.zeros(rows)][None, :]),
                ],
                format="csr",
            )
            x, optimal, dual = _integer_program(
                np.r_[np.zeros(n), -reduced.weight], a_ub, np.r_[np.zeros(rows), kk], n, time_limit
            )
            if x is None:  # nothing found in time: greedy's answer, with its bound
                greedy.solver = Solver.EXACT
                return greedy
            picked = [int(j) for j in np.flatnonzero(x[:n] > 0.5)]
            bound = None if dual is None else -dual
    chosen = sorted(int(reduced.columns[j]) for j in picked)
    added = float(w[np.asarray(matrix[:, chosen].sum(axis=1)).ravel() > 0].sum()) if chosen else 0.0
    return _exact(
        Method.MCLP,
        chosen,
        baseline,
        added,
        total,
        bound=added if optimal else bound,
        optimal=optimal,
        unreachable=reduced.unreachable,
    )


def greedy_lscp(cover: csr_matrix, weights: Floats, existing: Bools) -> Solution:
    """The fewest new points reaching every household some candidate can reach:
    repeatedly the candidate adding the most households not yet covered, until nothing
    more can be added (greedy set cover, within ln(n) + 1 of the optimum)."""
    matrix, w, _baseline, _total = _problem(cover, weights, existing)
    reachable = (np.asarray(matrix.sum(axis=1)).ravel() > 0) & (w > 0)
    unreachable = float(w[~reachable & (w > 0)].sum())
    solution = greedy_mclp(cover, np.asarray(weights, np.float64), existing, matrix.shape[1])
    # Greedy MCLP with k = all candidates stops when nothing more can be added: that is
    # greedy set cover weighted by households.
    solution.method = Method.LSCP
    solution.bound = None
    solution.optimal = False
    solution.unreachable = unreachable
    return solution


def exact_lscp(
    cover: csr_matrix, weights: Floats, existing: Bools, time_limit: float = 60.0
) -> Solution:
    """The set covering optimum: minimise Σ xⱼ subject to Σ_{j covers i} xⱼ ≥ 1 for
    every demand unit some candidate reaches, on the reduced problem, by HiGHS."""
    matrix, w, baseline, total = _problem(cover, weights, existing)
    reduced = reduce_cover(matrix, w)
    n, rows = reduced.columns.shape[0], reduced.cover.shape[0]
    added = float(reduced.weight.sum())
    if rows == 0:
        return _exact(
            Method.LSCP, [], baseline, 0.0, total, optimal=True, unreachable=reduced.unreachable
        )
    # Σ_{j covers i} x_j ≥ 1 for every demand row, as −Σ ≤ −1.
    a_ub = csr_matrix(-reduced.cover.astype(np.float64))
    x, optimal, _dual = _integer_program(np.ones(n), a_ub, -np.ones(rows), n, time_limit)
    if x is None:  # nothing found in time: greedy's cover
        solution = greedy_lscp(cover, weights, existing)
        solution.solver = Solver.EXACT
        return solution
    chosen = sorted(int(reduced.columns[j]) for j in np.flatnonzero(x > 0.5))
    return _exact(
        Method.LSCP,
        chosen,
        baseline,
        added,
        total,
        optimal=optimal,
        unreachable=reduced.unreachable,
    )


def solve(
    method: Method,
    solver: Solver,
    cover: csr_matrix,
    weights: Floats,
    existing: Bools,
    k: int = 1,
    time_limit: float = 60.0,
) -> Solution:
    if method is Method.MCLP:
        if solver is Solver.GREEDY:
            return greedy_mclp(cover, weights, existing, k)
        return exact_mclp(cover, weights, existing, k, time_limit)
    if solver is Solver.GREEDY:
        return greedy_lscp(cover, weights, existing)
    return exact_lscp(cover, weights, existing, time_limit)
