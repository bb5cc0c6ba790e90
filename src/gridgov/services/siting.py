"""Where to put the next service points: maximal covering (MCLP) and set covering
(LSCP), population-weighted, with the existing points fixed.

Pure: the input is a boolean demand × candidate matrix (``graph.coverage_matrix``), the
households of each demand unit, and which demand the existing points already cover.
Two solvers each: a greedy one, fast at any size, with the bound that says how far from
the optimum it can be; and the exact integer program, solved by CBC through PuLP, for
sizes where it finishes. Identical demand rows (same candidates cover them) are merged
before the integer program, which keeps it small (ADR 0015).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csc_matrix, csr_matrix

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


def _top_sum(values: Floats, k: int) -> float:
    if k <= 0 or values.size == 0:
        return 0.0
    if k >= values.size:
        return float(np.maximum(values, 0).sum())
    return float(np.maximum(np.partition(values, -k)[-k:], 0).sum())


def _merged(matrix: csr_matrix, w: Floats) -> tuple[list[list[int]], list[float]]:
    """Distinct non-empty rows (the candidates covering a demand unit) with their
    summed weights: the demand of the integer program."""
    merged: dict[tuple[int, ...], float] = {}
    indptr, indices = matrix.indptr, matrix.indices
    for i in range(matrix.shape[0]):
        if w[i] <= 0:
            continue
        key = tuple(sorted(int(c) for c in indices[indptr[i] : indptr[i + 1]]))
        if key:
            merged[key] = merged.get(key, 0.0) + float(w[i])
    return [list(key) for key in merged], list(merged.values())


def exact_mclp(
    cover: csr_matrix,
    weights: Floats,
    existing: Bools,
    k: int,
    time_limit: float = 60.0,
) -> Solution:
    """The maximal covering integer program: maximise Σ wᵢyᵢ subject to
    yᵢ ≤ Σ_{j covers i} xⱼ, Σ xⱼ = k, x binary, 0 ≤ y ≤ 1 (y is integral at an
    optimum once x is), solved by CBC. When greedy's own bound already proves its
    answer optimal, that answer is returned without calling the solver."""
    import pulp

    greedy = greedy_mclp(cover, weights, existing, k)
    if greedy.optimal:
        greedy.solver = Solver.EXACT
        greedy.chosen = sorted(greedy.chosen)
        greedy.gains = []
        return greedy
    matrix, w, baseline, total = _problem(cover, weights, existing)
    kk = max(0, min(k, matrix.shape[1]))
    rows, row_w = _merged(matrix, w)
    used = sorted({c for row in rows for c in row})
    unreachable = float(w.sum()) - float(sum(row_w))
    if kk == 0 or not rows:
        return Solution(
            Method.MCLP, Solver.EXACT, [], baseline, 0.0, baseline, total, 0.0, True, unreachable
        )
    problem = pulp.LpProblem("mclp", pulp.LpMaximize)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        x = {j: pulp.LpVariable(f"x{j}", cat=pulp.LpBinary) for j in used}
        y = [pulp.LpVariable(f"y{i}", lowBound=0, upBound=1) for i in range(len(rows))]
    problem += pulp.LpAffineExpression([(y[i], row_w[i]) for i in range(len(rows))])
    for i, row in enumerate(rows):
        problem += pulp.LpAffineExpression([(x[j], 1) for j in row] + [(y[i], -1)]) >= 0
    problem += pulp.LpAffineExpression([(v, 1) for v in x.values()]) <= kk
    status = _solve(problem, time_limit)
    chosen = sorted(j for j, var in x.items() if (var.value() or 0) > 0.5)
    covered_rows = np.asarray(matrix[:, chosen].sum(axis=1)).ravel() > 0 if chosen else None
    added = float(w[covered_rows].sum()) if covered_rows is not None else 0.0
    optimal = pulp.LpStatus[status] == "Optimal"
    return Solution(
        Method.MCLP,
        Solver.EXACT,
        chosen,
        baseline + added,
        added,
        baseline,
        total,
        bound=added if optimal else None,
        optimal=optimal,
        unreachable=unreachable,
    )


def _solve(problem: object, time_limit: float) -> int:
    """CBC as shipped inside PuLP's wheel (PuLP 3 warns that 4.0 moves it out; the
    version is pinned)."""
    import pulp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        status: int = problem.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit))  # type: ignore[attr-defined]
    return status


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
    """The set covering integer program: minimise Σ xⱼ subject to Σ_{j covers i} xⱼ ≥ 1
    for every demand unit some candidate reaches; solved by CBC."""
    import pulp

    matrix, w, baseline, total = _problem(cover, weights, existing)
    rows, row_w = _merged(matrix, w)
    unreachable = float(w.sum()) - float(sum(row_w))
    used = sorted({c for row in rows for c in row})
    if not rows:
        return Solution(
            Method.LSCP, Solver.EXACT, [], baseline, 0.0, baseline, total, None, True, unreachable
        )
    problem = pulp.LpProblem("lscp", pulp.LpMinimize)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        x = {j: pulp.LpVariable(f"x{j}", cat=pulp.LpBinary) for j in used}
    problem += pulp.LpAffineExpression([(v, 1) for v in x.values()])
    for row in rows:
        problem += pulp.LpAffineExpression([(x[j], 1) for j in row]) >= 1
    status = _solve(problem, time_limit)
    chosen = sorted(j for j, var in x.items() if (var.value() or 0) > 0.5)
    added = float(sum(row_w))
    return Solution(
        Method.LSCP,
        Solver.EXACT,
        chosen,
        baseline + added,
        added,
        baseline,
        total,
        None,
        pulp.LpStatus[status] == "Optimal",
        unreachable,
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
