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
where the headroom really binds. Each step is a :class:`Method` (``flow``,
``flow-relaxation``, ``flow-bounds-meet``, ``cpsat-bounded``, ``flow-safe-caps``;
``cpsat`` for a part that is no network even without the headroom, because a
building spans areas), and :attr:`Result.method` counts the parts each settled.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

import numpy as np

from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, largest_per_area, solve_flow
from allocatie.solve.result import Method, Methods, Result, Status
from allocatie.solve.split import components, subproblem

__all__ = [
    "MapParts",
    "Method",
    "Methods",
    "Result",
    "SolverSettings",
    "Status",
    "conservative",
    "is_network",
    "relaxation",
    "solve",
    "solve_part",
]

#: How :func:`solve` runs a function over the parts: ``map_parts(fn, parts)``, results in order.
MapParts = Callable[[Callable[[ProblemData], Result], list[ProblemData]], Iterable[Result]]


def relaxation(problem: ProblemData) -> ProblemData:
    """``problem`` without the persons headroom: an upper bound, a network when buildings nest."""
    return problem.replace(area_max_persons=np.full(problem.n_areas, -1))


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
    return problem.replace(
        area_max_households=safe_cap, area_max_persons=np.full(problem.n_areas, -1)
    )


def _labelled(result: Result, method: Method, status: Status | None = None) -> Result:
    """``result`` credited to ``method`` (one part), its status replaced if given."""
    return dataclasses.replace(result, method=Methods.one(method), status=status or result.status)


def solve_part(problem: ProblemData, settings: SolverSettings | None = None) -> Result:
    """Solve one independent part with ``settings.method`` (``auto``: see the module).

    The result's :attr:`~Result.method` names the step of the auto path that
    settled the part (:class:`Method`), so a run can say how often each was needed.
    """
    settings = settings or SolverSettings()
    seed, limit = settings.seed, settings.time_limit_seconds
    if settings.method == "flow":
        return solve_flow(problem)
    if settings.method == "cpsat":
        return solve_cpsat(problem, seed=seed, time_limit_seconds=limit)
    if settings.method != "auto":
        raise ValueError(f"unknown method {settings.method!r}")
    if is_network(problem):
        return solve_flow(problem)
    relaxed_problem = relaxation(problem)
    if not is_network(relaxed_problem):  # buildings spanning areas: no network at all
        return solve_cpsat(problem, seed=seed, time_limit_seconds=limit)
    relaxed = solve_flow(relaxed_problem)
    if relaxed.status == Status.OPTIMAL and not problem.violations(relaxed.selected):
        return _labelled(relaxed, Method.RELAXATION)
    safe = solve_flow(conservative(problem))
    if safe.status == Status.OPTIMAL and safe.objective == relaxed.objective:
        return _labelled(safe, Method.BOUNDS_MEET)
    exact = _labelled(
        solve_cpsat(
            problem,
            seed=seed,
            time_limit_seconds=limit,
            hint=safe.selected if safe.status == Status.OPTIMAL else None,
            bounds=relaxed.objective,
        ),
        Method.CPSAT_BOUNDED,
    )
    if exact.status in (Status.OPTIMAL, Status.INFEASIBLE) or safe.status != Status.OPTIMAL:
        return exact
    if exact.status == Status.FEASIBLE and exact.objective >= safe.objective:
        return exact
    return _labelled(safe, Method.SAFE_CAPS, Status.FEASIBLE)


def merge(
    problem: ProblemData, parts: Iterable[tuple[np.ndarray, Result]], seconds: float
) -> Result:
    """One result from the results of the parts (pair indices into ``problem``).

    The status is the worst of the parts' (:attr:`Status.severity`); the methods
    are counted over the parts.
    """
    selected = np.zeros(problem.n_pairs, dtype=bool)
    status = Status.OPTIMAL
    methods: list[Methods] = []
    for pairs, result in parts:
        selected[pairs] = result.selected
        methods.append(result.method)
        if result.status.severity > status.severity:
            status = result.status
    failed = status in (Status.INFEASIBLE, Status.UNKNOWN)
    if failed:
        selected[:] = False
    objective = (0, 0, 0) if failed else problem.tiers(selected)
    return Result(selected, objective, status, Methods.total(methods), seconds, (status,) * 3)


def solve(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    *,
    map_parts: MapParts | None = None,
) -> Result:
    """Find the lexicographically best plan.

    Parameters
    ----------
    problem
        The compiled problem.
    settings
        The policy's ``[solver]`` section (:class:`~allocatie.inputs.policy.SolverSettings`):
        ``method`` is ``auto`` (see the module docstring), ``flow`` (exact,
        networks only) or ``cpsat``; ``seed`` and ``time_limit_seconds`` are
        passed to CP-SAT (the flow is exact and deterministic without them), the
        time limit applying to each part. Defaults when omitted. One object
        rather than loose keywords, so every caller passes the policy's choice
        whole and none can forget the seed.
    map_parts
        How to run :func:`solve_part` over the parts: ``map_parts(fn, parts)``
        returning results in order — the built-in ``map`` by default, or a
        Dask client's map (see :mod:`allocatie.solve.distributed`).

    Returns
    -------
    Result
        The plan; :attr:`Result.method` counts the parts each method solved.

    Raises
    ------
    ValueError
        For ``method="flow"`` on a part that is not a network.
    """
    settings = settings or SolverSettings()
    start = time.perf_counter()
    parts = components(problem)
    subproblems = [subproblem(problem, pairs) for pairs in parts]

    def run(part: ProblemData) -> Result:
        return solve_part(part, settings)

    results = list((map_parts or map)(run, subproblems))
    return merge(problem, zip(parts, results), time.perf_counter() - start)
