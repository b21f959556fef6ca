"""Benchmark runs: one instance, read to report, with the reference solvers beside it.

Every figure is measured in this process on the same problem: our ``solve`` (split
into parts, exact), a bare OR-Tools min-cost flow on the whole network (the speed
limit for the network rules), optionally the plain CP-SAT model and the
first-come-first-served greedy that mirrors today's manual practice.
"""

from __future__ import annotations

import dataclasses
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from allocatie.match import Inputs, run_match
from allocatie.model.problem import ProblemData
from allocatie.planning import instances
from allocatie.planning.baseline import fcfs_plan
from allocatie.report.outputs import write_plan
from allocatie.solve import MapParts, Status, relaxation, solve
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, solve_flow

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

    The planner's baseline (:func:`allocatie.planning.baseline.fcfs_plan`) with dwellings in
    file order; the caps are respected. Returns the selected pairs.
    """
    queue = np.argsort(-np.asarray(wait_days), kind="stable")
    return fcfs_plan(problem, queue, np.arange(problem.n_dwellings))


def run(
    name: str,
    seed: int = 1,
    *,
    cpsat_seconds: float = 0.0,
    map_parts: MapParts | None = None,
) -> dict[str, Any]:
    """Measure one instance; ``cpsat_seconds > 0`` also runs the plain CP-SAT model.

    ``solve_method`` counts the parts each method settled (``{"flow": 263, ...}``,
    see :class:`allocatie.solve.Methods`), so a run shows how often the exact
    fast paths sufficed and how often CP-SAT was needed.
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
    problem = outcome.instance.problem
    relaxed = relaxation(problem)
    flow_start = time.perf_counter()
    try:
        reference = solve_flow(relaxed)
        reference_objective, reference_status = reference.objective, str(reference.status)
    except OverflowError:  # one flow over the whole country cannot hold the folded weights
        reference_objective, reference_status = (0, 0, 0), "COST_RANGE"
    reference_seconds = time.perf_counter() - flow_start
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
        "reference_flow_objective": list(reference_objective),
        "reference_flow_status": reference_status,
        "fcfs_objective": list(problem.tiers(greedy)),
        "peak_memory_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if cpsat_seconds > 0:
        plain = solve_cpsat(problem, time_limit_seconds=cpsat_seconds)
        figures["plain_cpsat_seconds"] = round(plain.solve_seconds, 3)
        figures["plain_cpsat_status"] = str(plain.status)
        figures["plain_cpsat_objective"] = list(plain.objective)
    return figures
