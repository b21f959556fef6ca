"""Solvers: one free :func:`solve` over :class:`~allocatie.model.problem.ProblemData`.

``solve`` splits the problem into independent parts (:mod:`allocatie.solve.split`)
and solves each exactly:

1. a part whose rules form a network goes to the min-cost flow;
2. otherwise the network *relaxation* (the persons headroom dropped) is solved by
   the flow; when its plan happens to respect the headroom as well, it is optimal
   for the part too (a relaxation's optimum that is feasible is optimal);
3. otherwise the flow is solved with safe household caps in place of the headroom
   (:func:`conservative`, feasible, a lower bound); when it reaches the relaxation's
   value, it is optimal;
4. otherwise CP-SAT solves the part lexicographically, starting from the safe plan.
   If the time limit stops it, the better of its plan and the safe plan is returned
   as ``FEASIBLE``.

Steps 1–3 settle almost every part in practice, so CP-SAT only sees the few parts
where the headroom really binds.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

import numpy as np

from allocatie.model.problem import ProblemData
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, largest_per_area, solve_flow
from allocatie.solve.result import FEASIBLE, INFEASIBLE, OPTIMAL, UNKNOWN, Result
from allocatie.solve.split import components, subproblem

__all__ = [
    "FEASIBLE",
    "INFEASIBLE",
    "OPTIMAL",
    "UNKNOWN",
    "Result",
    "is_network",
    "solve",
    "solve_part",
]

#: Worst first: the combined status of several parts is the worst of theirs.
_SEVERITY = {INFEASIBLE: 3, UNKNOWN: 2, FEASIBLE: 1, OPTIMAL: 0}


def conservative(problem: ProblemData) -> ProblemData:
    """The network that replaces each persons headroom by a safe household cap.

    An area may take ``k`` households where the ``k`` largest households its
    dwellings could receive still fit in its headroom; any ``k`` households then
    fit. Its plans are feasible for the real rule, so its optimum is a lower
    bound, as the relaxation's is an upper bound.
    """
    area, _, within = largest_per_area(problem)
    room = problem.area_max_persons[area]
    fits = (room < 0) | (within <= room)
    safe = np.bincount(area[fits], minlength=problem.n_areas)
    cap = problem.area_max_households
    capped = problem.area_max_persons >= 0
    safe_cap = np.where(capped, np.where(cap >= 0, np.minimum(cap, safe), safe), cap)
    return dataclasses.replace(
        problem, area_max_households=safe_cap, area_max_persons=np.full(problem.n_areas, -1)
    )


def _relaxable(problem: ProblemData) -> bool:
    """Whether dropping the persons headroom leaves a network."""
    relaxed = dataclasses.replace(problem, area_max_persons=np.full(problem.n_areas, -1))
    return is_network(relaxed)


def solve_part(
    problem: ProblemData, method: str = "auto", seed: int = 0, time_limit_seconds: float = 30.0
) -> Result:
    """Solve one part with ``method`` (``auto``: flow, relaxation, then CP-SAT)."""
    if method == "flow":
        return solve_flow(problem)
    if method == "cpsat":
        return solve_cpsat(problem, seed=seed, time_limit_seconds=time_limit_seconds)
    if method != "auto":
        raise ValueError(f"unknown method {method!r}")
    if is_network(problem):
        return solve_flow(problem)
    if not _relaxable(problem):
        return solve_cpsat(problem, seed=seed, time_limit_seconds=time_limit_seconds)
    relaxed = solve_flow(
        dataclasses.replace(problem, area_max_persons=np.full(problem.n_areas, -1))
    )
    if relaxed.status == OPTIMAL and not problem.violations(relaxed.selected):
        return dataclasses.replace(relaxed, method="flow (relaxation holds)")
    safe = solve_flow(conservative(problem))
    if safe.status == OPTIMAL and safe.objective == relaxed.objective:
        return dataclasses.replace(safe, method="flow (bounds meet)")
    exact = solve_cpsat(
        problem,
        seed=seed,
        time_limit_seconds=time_limit_seconds,
        hint=safe.selected,
        bounds=relaxed.objective,
    )
    if exact.status in (OPTIMAL, INFEASIBLE) or safe.status != OPTIMAL:
        return exact
    if exact.status == FEASIBLE and exact.objective >= safe.objective:
        return exact
    return dataclasses.replace(safe, status=FEASIBLE, method="flow (safe caps)")


def merge(
    problem: ProblemData, parts: Iterable[tuple[np.ndarray, Result]], seconds: float
) -> Result:
    """One result from the results of the parts (pair indices into ``problem``)."""
    selected = np.zeros(problem.n_pairs, dtype=bool)
    status, methods = OPTIMAL, set()
    for pairs, result in parts:
        selected[pairs] = result.selected
        methods.add(result.method)
        if _SEVERITY[result.status] > _SEVERITY[status]:
            status = result.status
    method = "+".join(sorted(methods)) if methods else "flow"
    if status in (INFEASIBLE, UNKNOWN):
        selected[:] = False
    objective = problem.tiers(selected) if status not in (INFEASIBLE, UNKNOWN) else (0, 0, 0)
    return Result(selected, objective, status, method, seconds, (status,) * 3)


def solve(
    problem: ProblemData,
    method: str = "auto",
    seed: int = 0,
    time_limit_seconds: float = 30.0,
    map_parts: Callable[..., Iterable[Result]] | None = None,
) -> Result:
    """Find the lexicographically best plan.

    Parameters
    ----------
    problem
        The compiled problem.
    method
        ``auto`` (see the module docstring), ``flow`` (exact, networks only)
        or ``cpsat``.
    seed, time_limit_seconds
        Passed to CP-SAT; the flow is exact and deterministic without them.
        The time limit applies to each part.
    map_parts
        How to run :func:`solve_part` over the parts: ``map_parts(fn, parts)``
        returning results in order — the built-in ``map`` by default, or a
        Dask client's map (see :mod:`allocatie.solve.distributed`).

    Raises
    ------
    ValueError
        For ``method="flow"`` on a part that is not a network.
    """
    start = time.perf_counter()
    parts = components(problem)
    subproblems = [subproblem(problem, pairs) for pairs in parts]

    def run(part: ProblemData) -> Result:
        return solve_part(part, method, seed, time_limit_seconds)

    results = list((map_parts or map)(run, subproblems))
    return merge(problem, zip(parts, results), time.perf_counter() - start)
