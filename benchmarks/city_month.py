"""City-month timings on the bundled Enschede example: read → build → solve → report.

Run: ``python benchmarks/city_month.py [--repeat 20]``. Prints a table of median wall-clock
times per stage and, for the solvers, the ratio to the min-cost flow measured in the same
process (ratios travel between machines; seconds do not).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from allocatie.areas.data import load_areas
from allocatie.match import Inputs, prepare, run_match
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import solve_flow

EXAMPLE = Path(__file__).parents[1] / "allocatie" / "examples" / "enschede-2019h2"


def median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    inputs = Inputs.from_scenario(EXAMPLE)
    load_areas()  # the bundled areas are cached per process; measure warm runs
    instance, _ = prepare(inputs)
    problem = instance.problem
    rows = [
        ("read + validate + build", median_seconds(lambda: prepare(inputs), args.repeat)),
        ("solve: min-cost flow", median_seconds(lambda: solve_flow(problem), args.repeat)),
        ("solve: CP-SAT (3 tiers)", median_seconds(lambda: solve_cpsat(problem), args.repeat)),
        ("whole run (read → plan + kpis)", median_seconds(lambda: run_match(inputs), args.repeat)),
    ]
    flow = rows[1][1]
    print(
        f"Enschede example: {problem.n_households} households, {problem.n_dwellings} dwellings, "
        f"{problem.n_pairs} eligible pairs; median of {args.repeat} runs"
    )
    print(f"{'stage':34} {'seconds':>10} {'× flow':>10}")
    for name, seconds in rows:
        print(f"{name:34} {seconds:10.4f} {seconds / flow:10.1f}")


if __name__ == "__main__":
    main()
