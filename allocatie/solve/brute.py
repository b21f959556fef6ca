"""Exhaustive search over all plans, for checking the real solvers on tiny cases.

Independent of both solvers by construction: it enumerates every matching,
keeps those :meth:`ProblemData.violations` accepts and compares tier tuples,
so it shares nothing with them but the problem data (households that must be
housed, too, are known to it only through ``violations``).
"""

from __future__ import annotations

import time

import numpy as np

from allocatie.model.problem import ProblemData
from allocatie.solve.result import Method, Methods, Result, Status

#: Larger problems would take too long to enumerate.
MAX_PAIRS = 24


def solve_brute(problem: ProblemData) -> Result:
    """Lexicographically best plan by enumeration (at most :data:`MAX_PAIRS` pairs)."""
    if problem.n_pairs > MAX_PAIRS:
        raise ValueError(f"brute force is for at most {MAX_PAIRS} pairs")
    start = time.perf_counter()
    by_household = [
        np.flatnonzero(problem.pair_household == h) for h in range(problem.n_households)
    ]
    best: tuple[tuple[int, int, int], np.ndarray] | None = None
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    used = np.zeros(problem.n_dwellings, dtype=bool)

    def visit(h: int) -> None:
        nonlocal best
        if h == problem.n_households:
            if not problem.violations(chosen):
                value = problem.tiers(chosen)
                if best is None or value > best[0]:
                    best = (value, chosen.copy())
            return
        visit(h + 1)
        for pair in by_household[h]:
            d = problem.pair_dwelling[pair]
            if not used[d]:
                chosen[pair], used[d] = True, True
                visit(h + 1)
                chosen[pair], used[d] = False, False

    visit(0)
    seconds = time.perf_counter() - start
    brute = Methods.one(Method.BRUTE)
    if best is None:
        return Result(chosen, (0, 0, 0), Status.INFEASIBLE, brute, seconds, (Status.INFEASIBLE,))
    return Result(best[1], best[0], Status.OPTIMAL, brute, seconds, (Status.OPTIMAL,) * 3)
