"""Solvers: one free :func:`solve` over :class:`~allocatie.model.problem.ProblemData`.

``solve`` splits the problem into independent parts (:mod:`allocatie.solve.split`)
and solves each exactly, by the first of these steps that proves its plan optimal:

1. a part whose rules form a network goes to the min-cost flow (``flow``);
2. otherwise the network *relaxation* (the persons headroom dropped, an upper
   bound) is solved by the flow; when its plan happens to respect the headroom as
   well, it is optimal for the part too (``flow-relaxation``);
3. otherwise the headroom is *priced* (:mod:`allocatie.solve.priced`): flows with
   a price per person on the areas whose headroom the plan breaks, raised until
   a plan respects every headroom; when it reaches the Lagrangian bound, it is
   optimal (``flow-priced``);
4. otherwise the flow with safe household caps in place of the headroom
   (:func:`conservative`, feasible) may still reach the best bound
   (``flow-bounds-meet``);
5. otherwise HiGHS solves the part lexicographically (:mod:`allocatie.solve.mip`),
   warm-started from the best flow plan and bounded by the best bound
   (``mip-bounded``);
6. if HiGHS is stopped by its time limit (or is not installed), CP-SAT does the
   same (``cpsat-bounded``); if that is stopped too, the better of its plan and
   the best flow plan is returned as ``FEASIBLE`` with the bound
   (``flow-safe-caps`` when the flow plan is kept).

Steps 1–4 are flows, a few per part, and settle almost every part; HiGHS only sees
the few small parts where the headroom really binds (on the national benchmark 7 of
348, none above 4,679 pairs). A part that is no network even without the headroom
(a building spans areas) goes to HiGHS alone (``mip``; CP-SAT, ``cpsat``, without
HiGHS). Each step is a :class:`Method`, and :attr:`Result.method` counts the parts
each settled.

Among the plans optimal on tiers 1–2, the households' own view decides last: after
the parts are merged, a *stability pass* (:mod:`allocatie.solve.stable`) trades
dwellings between two placed households who would both rather have the other's,
and moves a household into an empty dwelling it prefers, while every cap holds and
tiers 1–2 stay as they are, until no such swap or move is left (not run on an
infeasible or unknown result; with no preferences given it changes nothing). The
plan is then *stable*: no blocking swap and no blocking vacancy. It may give up
some tier 3 to get there. That is a choice, not a failure to optimise, so the
result reports it apart (:class:`Stability`, ``stability_tier3_cost`` in
``kpis.json``): ``OPTIMAL`` still means tiers 1–2 proven optimal and tier 3 proven
optimal before the pass, :attr:`Result.objective` is the stable plan's tiers,
:attr:`Result.bound` the solvers' bound, and :attr:`Result.gap` measures the
solvers' plan (:attr:`Result.solver_objective`) against it, so the price of
stability never shows as a gap. In design terms the objective is lexicographic
over tiers 1–2, then stability, then tier 3 as far as the pass keeps it.

Every plan is the same on every run: the flows are exact and integer, HiGHS runs
single-threaded with a fixed seed and only a *proven* HiGHS plan is kept (its time
limit is wall-clock time), and CP-SAT's budget is deterministic time.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

import numpy as np

from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve.bounds import Tiers, must_without_pair, tightest
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, largest_per_area, solve_flow
from allocatie.solve.mip import available as mip_available
from allocatie.solve.mip import solve_mip
from allocatie.solve.priced import lex_bound, price
from allocatie.solve.result import Method, Methods, Result, Stability, Status
from allocatie.solve.split import components, subproblem
from allocatie.solve.stable import stabilise

__all__ = [
    "MapParts",
    "Method",
    "Methods",
    "Result",
    "SolverSettings",
    "Stability",
    "Status",
    "conservative",
    "is_network",
    "relaxation",
    "solve",
    "solve_part",
    "stabilised",
]

#: How :func:`solve` runs a function over the parts: ``map_parts(fn, parts)``, results in order
#: (``parts`` is an iterable, made part by part as it is consumed).
MapParts = Callable[[Callable[[ProblemData], Result], Iterable[ProblemData]], Iterable[Result]]


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


def _proven(problem: ProblemData, plan: np.ndarray, method: Method, start: float) -> Result:
    """A plan some bound proved optimal, as the result of one part."""
    objective = problem.tiers(plan)
    return Result(
        plan,
        objective,
        Status.OPTIMAL,
        Methods.one(method),
        time.perf_counter() - start,
        (Status.OPTIMAL,) * 3,
        objective,
    )


def _exact(
    problem: ProblemData,
    settings: SolverSettings,
    hint: np.ndarray | None = None,
    bounds: Tiers | None = None,
) -> Result:
    """HiGHS, then CP-SAT when HiGHS is missing or not proven: the best exact search there is.

    Credited to ``mip``/``mip-bounded`` or ``cpsat``/``cpsat-bounded`` (bounded when
    ``bounds`` is given). An unproven HiGHS plan is dropped (its time limit is wall-clock
    time, so it could differ between runs); CP-SAT then starts from ``hint`` again.
    """
    seed, limit = settings.seed, settings.time_limit_seconds
    if mip_available():
        exact = solve_mip(problem, seed=seed, time_limit_seconds=limit, hint=hint, bounds=bounds)
        if exact.status in (Status.OPTIMAL, Status.INFEASIBLE):
            return _labelled(exact, Method.MIP if bounds is None else Method.MIP_BOUNDED)
    searched = solve_cpsat(problem, seed=seed, time_limit_seconds=limit, hint=hint, bounds=bounds)
    return _labelled(searched, Method.CPSAT if bounds is None else Method.CPSAT_BOUNDED)


def _best_flow_plan(
    problem: ProblemData, plans: list[np.ndarray | None]
) -> tuple[np.ndarray | None, Tiers | None]:
    """The lexicographically best of the plans that respect every rule, and its tiers."""
    best: tuple[Tiers, np.ndarray] | None = None
    for plan in plans:
        if plan is not None and not problem.violations(plan):
            value = problem.tiers(plan)
            if best is None or value > best[0]:
                best = (value, plan)
    return (None, None) if best is None else (best[1], best[0])


def solve_part(problem: ProblemData, settings: SolverSettings | None = None) -> Result:
    """Solve one independent part with ``settings.method`` (``auto``: see the module).

    The result's :attr:`~Result.method` names the step of the auto path that
    settled the part (:class:`Method`), so a run can say how often each was needed;
    an unproven result carries the best bound found (:attr:`Result.bound`).
    """
    settings = settings or SolverSettings()
    seed, limit = settings.seed, settings.time_limit_seconds
    if settings.method == "flow":
        return solve_flow(problem)
    if settings.method == "cpsat":
        return solve_cpsat(problem, seed=seed, time_limit_seconds=limit)
    if settings.method == "mip":
        return solve_mip(problem, seed=seed, time_limit_seconds=limit)
    if settings.method != "auto":
        raise ValueError(f"unknown method {settings.method!r}")
    start = time.perf_counter()
    if is_network(problem):
        return solve_flow(problem)
    relaxed_problem = relaxation(problem)
    if not is_network(relaxed_problem):  # buildings spanning areas: no network at all
        return _exact(problem, settings)
    relaxed = solve_flow(relaxed_problem)
    if relaxed.status != Status.OPTIMAL or not problem.violations(relaxed.selected):
        return _labelled(relaxed, Method.RELAXATION)  # infeasible relaxation: infeasible part
    priced = price(problem, relaxed.selected)
    if priced.proven:
        assert priced.plan is not None  # proven implies a plan
        return _proven(problem, priced.plan, Method.PRICED, start)
    bound = tightest(relaxed.objective, lex_bound(problem, priced.bound))
    safe = solve_flow(conservative(problem))
    safe_plan = safe.selected if safe.status == Status.OPTIMAL else None
    plan, value = _best_flow_plan(problem, [priced.plan, safe_plan])
    if plan is not None and value == bound:
        return _proven(problem, plan, Method.BOUNDS_MEET, start)
    exact = _exact(problem, settings, hint=plan, bounds=bound)
    if exact.status in (Status.OPTIMAL, Status.INFEASIBLE):
        return exact
    if value is None:
        return dataclasses.replace(exact, bound=bound)
    if exact.status == Status.FEASIBLE and exact.objective >= value:
        return dataclasses.replace(exact, bound=bound)
    assert plan is not None  # a value comes with its plan
    return Result(
        plan,
        value,
        Status.FEASIBLE,
        Methods.one(Method.SAFE_CAPS),
        time.perf_counter() - start,
        (Status.FEASIBLE,),
        bound,
    )


def merge(
    problem: ProblemData, parts: Iterable[tuple[np.ndarray, Result]], seconds: float
) -> Result:
    """One result from the results of the parts (pair indices into ``problem``).

    The status is the worst of the parts' (:attr:`Status.severity`); the methods
    are counted over the parts; the bound is the sum of the parts' bounds (a proven
    part's is its objective), ``None`` when some unproven part has none.
    """
    selected = np.zeros(problem.n_pairs, dtype=bool)
    status = Status.OPTIMAL
    methods: list[Methods] = []
    bound: list[int] | None = [0, 0, 0]
    for pairs, result in parts:
        selected[pairs] = result.selected
        methods.append(result.method)
        if result.status.severity > status.severity:
            status = result.status
        part_bound = result.objective if result.status == Status.OPTIMAL else result.bound
        if bound is not None and part_bound is not None:
            bound = [b + p for b, p in zip(bound, part_bound)]
        else:
            bound = None
    failed = status in (Status.INFEASIBLE, Status.UNKNOWN)
    if failed:
        selected[:] = False
    objective = (0, 0, 0) if failed else problem.tiers(selected)
    total = None if failed or bound is None else (bound[0], bound[1], bound[2])
    return Result(
        selected, objective, status, Methods.total(methods), seconds, (status,) * 3, total
    )


def stabilised(problem: ProblemData, result: Result) -> Result:
    """``result`` after the stability pass (:mod:`allocatie.solve.stable`), when it has a plan.

    The plan's tiers become :attr:`Result.objective`; status, bound and method stay
    the solvers' (tiers 1–2 do not change), and the pass's time is added to
    :attr:`Result.solve_seconds`.
    """
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        return result
    selected, stability = stabilise(problem, result.selected)
    return dataclasses.replace(
        result,
        selected=selected,
        objective=stability.after,
        solve_seconds=result.solve_seconds + stability.seconds,
        stability=stability,
    )


def solve(
    problem: ProblemData,
    settings: SolverSettings | None = None,
    *,
    map_parts: MapParts | None = None,
    stable: bool = True,
) -> Result:
    """Find the lexicographically best plan.

    Parameters
    ----------
    problem
        The compiled problem.
    settings
        The policy's ``[solver]`` section (:class:`~allocatie.inputs.policy.SolverSettings`):
        ``method`` is ``auto`` (see the module docstring), ``flow`` (exact,
        networks only), ``mip`` (HiGHS) or ``cpsat``; ``seed`` and
        ``time_limit_seconds`` are passed to HiGHS and CP-SAT (the flows are exact
        and deterministic without them), the time limit applying to each part —
        wall-clock seconds for HiGHS, deterministic seconds for CP-SAT. Defaults
        when omitted. One object rather than loose keywords, so every caller
        passes the policy's choice whole and none can forget the seed.
    map_parts
        How to run :func:`solve_part` over the parts: ``map_parts(fn, parts)``
        returning results in order — the built-in ``map`` by default, or a
        Dask client's map (see :mod:`allocatie.solve.distributed`).
    stable
        Run the stability pass (the default; see the module docstring). ``False``
        returns the solvers' plan as merged, for measuring what the pass changes
        (:func:`stabilised` applies it afterwards).

    Returns
    -------
    Result
        The plan, stable (see the module docstring; :attr:`Result.stability` says
        what the pass did); :attr:`Result.method` counts the parts each method
        solved, and :attr:`Result.bound` (with :attr:`Result.gap`) says how far an
        unproven plan may be from the optimum.

    Raises
    ------
    ValueError
        For ``method="flow"`` on a part that is not a network.
    """
    settings = settings or SolverSettings()
    start = time.perf_counter()
    if must_without_pair(problem):  # a household that must be housed, in no part: no plan
        seconds, none = time.perf_counter() - start, np.zeros(problem.n_pairs, dtype=bool)
        return Result(none, (0, 0, 0), Status.INFEASIBLE, Methods(), seconds, (Status.INFEASIBLE,))
    parts = components(problem)
    # one part at a time with the built-in map: holding every part's copy of the pair
    # arrays at once cost 0.7 GB on the stress benchmark (a cluster map takes them all)
    subproblems = (subproblem(problem, pairs) for pairs in parts)

    def run(part: ProblemData) -> Result:
        return solve_part(part, settings)

    results = list((map_parts or map)(run, subproblems))
    merged = merge(problem, zip(parts, results), time.perf_counter() - start)
    return stabilised(problem, merged) if stable else merged
