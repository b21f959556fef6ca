"""No hidden harm (issue 15): harmed_vs_fcfs with [fairness] no_harm off and on, and its cost.

Usage: ``python benchmarks/no_harm.py [EXAMPLE_DIR] [--instances national national-headroom]``.
Writes each instance as files (the bundled Enschede example from ``allocatie example``,
the national ones from :func:`allocatie.planning.instances.write`, seed 1), reads and builds
it as ``allocatie match`` does, and prints one JSON line per instance and setting: the
plan's tiers, harmed_vs_fcfs, the time of the comparison with first come, first served
and, with the rule on, the tiers with and without it and both solves' seconds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from allocatie.match import Inputs, build, read_inputs, solve_with_rules
from allocatie.planning import bench, instances
from allocatie.report import harm


def measure(folder: Path, label: str, work: Path) -> None:
    """Run ``folder`` with no_harm off, then on, and print what each reports."""
    for on in (False, True):
        run = work / f"{label}-{'on' if on else 'off'}"
        shutil.copytree(folder, run)
        if on:
            with (run / "policy.toml").open("a", encoding="utf-8") as policy:
                policy.write("\n[fairness]\nno_harm = true\n")
        instance = build(read_inputs(Inputs.from_scenario(run)))
        start = time.perf_counter()
        result, _, cost = solve_with_rules(instance)
        solving = time.perf_counter() - start
        start = time.perf_counter()
        figures, _sheet = harm.report(instance, result, cost)
        comparing = time.perf_counter() - start
        line = {
            "instance": label,
            "no_harm": on,
            "pairs": instance.problem.n_pairs,
            "status": str(result.status),
            "tiers": list(result.objective),
            "harmed_vs_fcfs": figures["harmed_vs_fcfs"],
            "harmed_vs_fcfs_waiting": figures["harmed_vs_fcfs_waiting"],
            "fcfs_persons_housed": figures["fcfs_persons_housed"],
            "comparison_seconds": round(comparing, 3),
            "solve_seconds": round(solving, 3),
            "cost": cost,
        }
        print(json.dumps(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("example", nargs="?", type=Path, help="folder of `allocatie example`")
    parser.add_argument("--instances", nargs="*", default=["national", "national-headroom"])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        if args.example is not None:
            measure(args.example / "enschede-2019h2", "example", Path(work))
        for name in args.instances:
            folder = instances.write(bench.make(name, args.seed), Path(work) / name)
            measure(folder, name, Path(work))


if __name__ == "__main__":
    main()
