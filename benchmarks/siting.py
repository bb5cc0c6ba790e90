"""gridgov's maximal covering (MCLP) next to spopt's, on spopt's own San Francisco example.

The example ships with spopt (its tests' data): network distances from 16 candidate
stores to 205 census tracts, weighted by population (POP2000), a 5 km service radius and
4 facilities to place (spopt's ``TestRealWorldLocate``). The matrix is read here with
the csv module; spopt gets the same numbers.

- spopt: ``MCLP.from_cost_matrix(cost, weights, 5000, 4).solve(PULP_CBC_CMD())``, the
  objective from its problem.
- gridgov exact: ``siting.exact_mclp``: greedy's bound first; then the problem reduced
  (``siting.reduce_cover``: demand merged, dominated candidates dropped); then every
  choice tried when there are few (on the San Francisco example: 1,001 choices of 4 of
  the 14 candidates left), otherwise HiGHS in process (the linear relaxation, then the
  integer program). Must match spopt's optimum. Also timed with exhaustion turned off
  (``enumeration_work=0``), so the HiGHS path is measured on the same matrix.
- gridgov greedy: ``siting.greedy_mclp``; must be within 1 % of the optimum.

End-to-end times from the cost matrix (each side builds its own model from it: spopt
its PuLP model, gridgov its coverage matrix, reduction and program), best of 5, and
the ratio to spopt (goal: ≥ 10× faster). Then the same on a larger matrix built here
(3,000 demand points × 300 candidates, random, 1.2 km radius, k = 10), where exhaustion
is out of the question and HiGHS must work, for information.

    python benchmarks/siting.py
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from gridgov.services import siting

RADIUS = 5000.0
FACILITIES = 4


def best(run: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def sf_example() -> tuple[np.ndarray, np.ndarray] | None:
    try:
        import spopt
    except ImportError:
        return None
    data = Path(spopt.__file__).parent / "tests" / "test_locate" / "data"
    with (data / "SF_network_distance_candidateStore_16_censusTract_205_new.csv").open() as f:
        rows = list(csv.DictReader(f))
    tracts = sorted({r["DestinationName"] for r in rows})
    stores = sorted({r["name"] for r in rows})
    cost = np.full((len(tracts), len(stores)), np.inf)
    ti = {t: i for i, t in enumerate(tracts)}
    si = {s: j for j, s in enumerate(stores)}
    for r in rows:
        cost[ti[r["DestinationName"]], si[r["name"]]] = float(r["distance"])
    with (data / "SF_demand_205_centroid_uniform_weight.csv").open() as f:
        demand = {r["NAME"]: float(r["POP2000"]) for r in csv.DictReader(f)}
    weights = np.array([demand[t] for t in tracts])
    return cost, weights


def ours(
    cost: np.ndarray, weights: np.ndarray, radius: float, k: int, exact: bool, work: int
) -> float:
    cover = csr_matrix(cost <= radius)
    none = np.zeros(cost.shape[0], dtype=bool)
    if exact:
        solution = siting.exact_mclp(cover, weights, none, k, enumeration_work=work)
    else:
        solution = siting.greedy_mclp(cover, weights, none, k)
    return solution.added


def theirs(cost: np.ndarray, weights: np.ndarray, radius: float, k: int) -> float:
    import pulp
    from spopt.locate import MCLP

    model = MCLP.from_cost_matrix(cost, weights, radius, k)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    return float(pulp.value(model.problem.objective))


def compare(
    name: str, cost: np.ndarray, weights: np.ndarray, radius: float, k: int, repeat: int
) -> None:
    print(f"\n{name}: {cost.shape[0]:,} demand × {cost.shape[1]:,} candidates, k = {k}")
    t_spopt, optimum = best(lambda: theirs(cost, weights, radius, k), repeat)
    t_exact, exact = best(
        lambda: ours(cost, weights, radius, k, True, siting.ENUMERATION_WORK), repeat
    )
    t_highs, highs = best(lambda: ours(cost, weights, radius, k, True, 0), repeat)
    t_greedy, greedy = best(lambda: ours(cost, weights, radius, k, False, 0), repeat)
    print(f"  spopt MCLP (CBC):   {optimum:14,.0f} covered  {t_spopt * 1000:9.1f} ms")
    for label, value, seconds in (
        ("gridgov exact:   ", exact, t_exact),
        ("  the HiGHS path:", highs, t_highs),
    ):
        same = abs(value - optimum) < 1e-6 * max(1, optimum)
        print(
            f"  {label}   {value:14,.0f} covered  {seconds * 1000:9.1f} ms  "
            f"{'matches' if same else 'DIFFERS FROM'} spopt's optimum; "
            f"{t_spopt / seconds:.1f}x faster (goal >= 10x)"
        )
    gap = (optimum - greedy) / optimum if optimum else 0.0
    print(
        f"  gridgov greedy:     {greedy:14,.0f} covered  {t_greedy * 1000:9.1f} ms  "
        f"{gap:.2%} below the optimum (goal <= 1%); {t_spopt / t_greedy:.0f}x faster"
    )


def main() -> None:
    example = sf_example()
    if example is None:
        print("spopt is not installed (pip install -e '.[bench]'): nothing to compare against")
        return
    cost, weights = example
    compare("spopt's San Francisco example", cost, weights, RADIUS, FACILITIES, 5)
    rng = np.random.default_rng(1)
    demand = rng.uniform(0, 10_000, (3000, 2))
    sites = rng.uniform(0, 10_000, (300, 2))
    big = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2))
    compare(
        "A larger matrix built here", big, rng.integers(5, 40, 3000).astype(float), 1200.0, 10, 1
    )


if __name__ == "__main__":
    main()
