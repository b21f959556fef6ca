"""Benchmark runs: one instance, read to report, with the reference solvers beside it.

Every figure is measured in this process on the same problem: our ``solve`` (split
into parts, exact), a bare OR-Tools min-cost flow on the whole network (the speed
limit for the network rules; on a headroom instance, the flow on its relaxation),
optionally the plain CP-SAT model, each method alone on the *hard parts* (those
whose relaxation breaks a persons headroom), and the first-come-first-served greedy
that mirrors today's manual practice.
"""

from __future__ import annotations

import dataclasses
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from allocatie.inputs.policy import SolverSettings
from allocatie.match import Inputs, run_match
from allocatie.model.problem import ProblemData
from allocatie.planning import instances
from allocatie.report.outputs import write_plan
from allocatie.solve import MapParts, Result, Status, relaxation, solve, solve_part
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.fcfs import fcfs_plan
from allocatie.solve.flow import flow_plan, folded_cost, is_network, solve_flow
from allocatie.solve.mip import solve_mip
from allocatie.solve.split import components, part_of_pairs, subproblem

INSTANCES = ("city-month", "city-half-year", "national", "national-headroom", "stress")


def make(name: str, seed: int) -> instances.Instance:
    """The named instance. ``-headroom`` keeps the projected-composition rule on."""
    if name == "city-month":
        inst = instances.city("GM0153", seed, persons=52, months=1)
    elif name == "city-half-year":
        inst = instances.city("GM0153", seed, persons=250, months=6)
    elif name.startswith("national"):
        inst = instances.national(seed)
    elif name == "stress":
        inst = instances.stress(seed)
    else:
        raise ValueError(f"unknown instance {name!r}; choose from {', '.join(INSTANCES)}")
    headroom = name.endswith("-headroom")
    spreading = dataclasses.replace(inst.policy.spreading, projected_composition=headroom)
    return dataclasses.replace(
        inst, name=name, policy=dataclasses.replace(inst.policy, spreading=spreading)
    )


def fcfs(problem: ProblemData, wait_days: np.ndarray) -> np.ndarray:
    """First come, first served: longest-waiting household first, first free dwelling that fits.

    The planner's baseline (:func:`allocatie.solve.fcfs.fcfs_plan`) with dwellings in
    file order; the caps are respected. Returns the selected pairs.
    """
    queue = np.argsort(-np.asarray(wait_days), kind="stable")
    return fcfs_plan(problem, queue, np.arange(problem.n_dwellings))


def reference_flow(problem: ProblemData) -> tuple[tuple[int, int, int], str, float]:
    """One bare min-cost flow over the whole (relaxed) network: objective, status, seconds.

    The tiers are folded with each independent part's own weights
    (:func:`~allocatie.solve.flow.folded_cost` with ``part``), in one network and
    one solve: the whole country's weights overflow OR-Tools' cost range on the
    stress instance (``COST_RANGE``), the parts' never do, and the plan is
    lexicographically optimal all the same. Labelling the parts is timed too. No
    dwellings are merged (:mod:`allocatie.solve.aggregate`): it is the bare flow.
    """
    relaxed = relaxation(problem)
    if not is_network(relaxed):
        return (0, 0, 0), "NOT_A_NETWORK", 0.0
    start = time.perf_counter()
    try:
        plan = flow_plan(relaxed, folded_cost(relaxed, part_of_pairs(relaxed)), merge=False)
    except OverflowError:
        return (0, 0, 0), "COST_RANGE", time.perf_counter() - start
    seconds = time.perf_counter() - start
    if plan is None:
        return (0, 0, 0), str(Status.INFEASIBLE), seconds
    return relaxed.tiers(plan), str(Status.OPTIMAL), seconds


def hard_parts(problem: ProblemData, settings: SolverSettings) -> dict[str, Any]:
    """Each method on the parts whose relaxation breaks a persons headroom, side by side.

    ``ours`` is the auto path (:func:`allocatie.solve.solve_part`), ``highs`` HiGHS
    alone (:func:`allocatie.solve.mip.solve_mip`), ``cpsat`` CP-SAT alone, each with
    the policy's seed and time limit per part. Per method: seconds over all hard
    parts, parts proven optimal, and the summed objective; the largest part's
    seconds are given apart, since it is where the methods differ most.
    """
    hard = []
    for pairs in components(problem):
        part = subproblem(problem, pairs)
        if is_network(part) or not is_network(relaxation(part)):
            continue
        relaxed = solve_flow(relaxation(part))
        if part.violations(relaxed.selected):
            hard.append(part)
    largest = max(range(len(hard)), key=lambda i: hard[i].n_pairs, default=-1)
    seed, limit = settings.seed, settings.time_limit_seconds
    solvers: dict[str, Any] = {
        "ours": lambda part: solve_part(part, settings),
        "highs": lambda part: solve_mip(part, seed=seed, time_limit_seconds=limit),
        "cpsat": lambda part: solve_cpsat(part, seed=seed, time_limit_seconds=limit),
    }
    figures: dict[str, Any] = {
        "parts": len(hard),
        "pairs": sum(part.n_pairs for part in hard),
        "largest_pairs": hard[largest].n_pairs if hard else 0,
    }
    for name, solver in solvers.items():
        total, proven, seconds, biggest = [0, 0, 0], 0, 0.0, 0.0
        for i, part in enumerate(hard):
            start = time.perf_counter()
            result: Result = solver(part)
            spent = time.perf_counter() - start
            seconds += spent
            biggest = spent if i == largest else biggest
            proven += result.status == Status.OPTIMAL
            total = [t + v for t, v in zip(total, result.objective)]
        figures[name] = {
            "seconds": round(seconds, 3),
            "largest_part_seconds": round(biggest, 3),
            "proven": proven,
            "objective": total,
        }
    return figures


def run(
    name: str,
    seed: int = 1,
    *,
    cpsat_seconds: float = 0.0,
    map_parts: MapParts | None = None,
    compare_hard_parts: bool = False,
) -> dict[str, Any]:
    """Measure one instance; ``cpsat_seconds > 0`` also runs the plain CP-SAT model.

    ``solve_method`` counts the parts each method settled (``{"flow": 263, ...}``,
    see :class:`allocatie.solve.Methods`), so a run shows how often the exact
    fast paths sufficed and how often a MIP was needed; ``solve_bound`` and
    ``solve_gap`` say how far an unproven plan may be from the optimum.
    ``compare_hard_parts`` adds :func:`hard_parts` (after peak memory is taken,
    so that it does not count).
    """
    build_start = time.perf_counter()
    inst = make(name, seed)
    generate_seconds = time.perf_counter() - build_start
    with tempfile.TemporaryDirectory() as folder:
        instances.write(inst, folder)
        start = time.perf_counter()
        outcome = run_match(Inputs.from_scenario(folder))
        write_plan(Path(folder) / "out", outcome, maps=False)
        read_to_report = time.perf_counter() - start
    peak_read_to_report = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    problem = outcome.instance.problem
    reference_objective, reference_status, reference_seconds = reference_flow(problem)
    result = outcome.result
    if map_parts is not None:
        result = solve(problem, outcome.instance.policy.solver, map_parts=map_parts)
    greedy = fcfs(problem, outcome.instance.households["wait_days"].to_numpy())
    figures: dict[str, Any] = {
        "instance": name,
        "seed": seed,
        "households": problem.n_households,
        "dwellings": problem.n_dwellings,
        "eligible_pairs": problem.n_pairs,
        "network": is_network(problem),
        "generate_seconds": round(generate_seconds, 3),
        "read_to_report_seconds": round(read_to_report, 3),
        "solve_seconds": round(result.solve_seconds, 3),
        "reference_flow_seconds": round(reference_seconds, 3),
        "solve_method": result.method.as_dict(),
        "optimal": result.status == Status.OPTIMAL,
        "status": str(result.status),
        "objective": list(result.objective),
        "solve_bound": None if result.bound is None else list(result.bound),
        "solve_gap": None if result.gap is None else list(result.gap),
        "reference_flow_objective": list(reference_objective),
        "reference_flow_status": reference_status,
        "fcfs_objective": list(problem.tiers(greedy)),
        # the run a municipality makes (generating the instance and read to report) ...
        "peak_memory_mib": round(peak_read_to_report, 1),
        # ... and with the whole-network reference flow and the baselines on top
        "peak_memory_with_reference_mib": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
        ),
    }
    if cpsat_seconds > 0:
        plain = solve_cpsat(problem, time_limit_seconds=cpsat_seconds)
        figures["plain_cpsat_seconds"] = round(plain.solve_seconds, 3)
        figures["plain_cpsat_status"] = str(plain.status)
        figures["plain_cpsat_objective"] = list(plain.objective)
    if compare_hard_parts:
        figures["hard_parts"] = hard_parts(problem, outcome.instance.policy.solver)
    return figures
