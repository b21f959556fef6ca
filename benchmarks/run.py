"""The benchmark suite: instance × method table, and the growth curve.

Run from the repository root::

    python benchmarks/run.py                 # all instances, table + growth.png
    python benchmarks/run.py --quick         # city instances and national only

Each instance runs in its own process (``allocatie bench NAME --json``) so that
peak memory is that instance's own. Times are wall-clock seconds on the machine
that runs it; the ratios (our solve ÷ bare min-cost flow) are what travel between
machines.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
#: (instance, CP-SAT baseline time limit in seconds; 0 = not run)
SUITE = (
    ("city-month", 30.0),
    ("city-half-year", 60.0),
    ("national", 60.0),
    ("national-headroom", 0.0),
    ("stress", 0.0),
)


def bench(name: str, seed: int, cpsat_seconds: float) -> dict:
    command = [
        sys.executable,
        "-m",
        "allocatie",
        "bench",
        name,
        "--seed",
        str(seed),
        "--json",
    ]
    if cpsat_seconds:
        command += ["--cpsat-seconds", str(cpsat_seconds)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def table(rows: list[dict]) -> str:
    head = (
        "| instance | households | dwellings | eligible pairs | read→report s | our solve s "
        "| bare flow s | ratio | all tiers optimal | tier 1 / 2 ours | tier 1 / 2 FCFS "
        "| plain CP-SAT | peak MiB |"
    )
    lines = [head, "|" + "---|" * 13]
    for r in rows:
        ratio = r["solve_seconds"] / max(r["reference_flow_seconds"], 1e-4)
        plain = "not run"
        if "plain_cpsat_status" in r:
            plain = f"{r['plain_cpsat_status']} in {r['plain_cpsat_seconds']:.1f} s"
        lines.append(
            f"| {r['instance']} | {r['households']:,} | {r['dwellings']:,} "
            f"| {r['eligible_pairs']:,} | {r['read_to_report_seconds']:.2f} "
            f"| {r['solve_seconds']:.3f} | {r['reference_flow_seconds']:.3f} | {ratio:.2f} "
            f"| {'yes' if r['optimal'] else r['status']} "
            f"| {r['objective'][0]:,} / {r['objective'][1]:,} "
            f"| {r['fcfs_objective'][0]:,} / {r['fcfs_objective'][1]:,} | {plain} "
            f"| {r['peak_memory_mib']:.0f} |"
        )
    return "\n".join(lines)


def growth(seed: int, scales: tuple[float, ...]) -> list[dict]:
    """Build and solve time against eligible pairs, national instances scaled up."""
    import dataclasses

    from allocatie.areas.data import load_areas
    from allocatie.areas.geo import resolve_dwelling_areas
    from allocatie.model.builder import build_instance
    from allocatie.planning import instances
    from allocatie.solve import solve

    areas = load_areas()
    points = []
    for scale in scales:
        inst = instances.national(seed, total_persons=int(instances.NATIONAL_PERSONS * scale))
        spreading = dataclasses.replace(inst.policy.spreading, projected_composition=False)
        policy = dataclasses.replace(inst.policy, spreading=spreading)  # the network rules
        start = time.perf_counter()
        dwellings, _ = resolve_dwelling_areas(inst.dwellings, areas, "generated")
        built = build_instance(inst.households, dwellings, policy, areas.stats)
        build = time.perf_counter() - start
        problem = built.problem
        start = time.perf_counter()
        solve(problem)
        points.append(
            {
                "scale": scale,
                "households": problem.n_households,
                "pairs": problem.n_pairs,
                "build_seconds": round(build, 3),
                "solve_seconds": round(time.perf_counter() - start, 3),
            }
        )
        print(points[-1], flush=True)
    return points


def plot(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = np.array([p["pairs"] for p in points], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for key, label in (("build_seconds", "build (rules, pairs, scores)"),
                       ("solve_seconds", "solve (all tiers, exact)")):  # fmt: skip
        seconds = np.array([p[key] for p in points])
        slope = np.polyfit(np.log(pairs), np.log(seconds), 1)[0]
        ax.plot(pairs / 1e6, seconds, "o-", label=f"{label}; log-log slope {slope:.2f}")
    ax.set_xlabel("eligible (household, dwelling) pairs, millions")
    ax.set_ylabel("seconds")
    ax.set_title("Growth with instance size (national instances scaled 0.25× to 3×)")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.text(0.01, 0.01, "Synthetic households and dwellings on CBS areas (Bron: CBS)", fontsize=7)
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--growth-only", action="store_true")
    args = parser.parse_args()
    suite = SUITE[:3] if args.quick else SUITE
    if not args.growth_only:
        rows = [bench(name, args.seed, seconds) for name, seconds in suite]
        print(table(rows))
        (HERE / "results.json").write_text(json.dumps(rows, indent=2) + "\n")
    if not args.quick:
        points = growth(args.seed, (0.25, 0.5, 1.0, 2.0, 3.0))
        (HERE / "growth.json").write_text(json.dumps(points, indent=2) + "\n")
        plot(points, HERE / "growth.png")


if __name__ == "__main__":
    main()
