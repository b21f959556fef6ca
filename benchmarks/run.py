"""The benchmark suite: instance × method table, and the growth curve.

Run from the repository root::

    python benchmarks/run.py                 # all instances, table + growth.png
    python benchmarks/run.py --repeat 3      # three runs each (times shown as ranges)
    python benchmarks/run.py --quick         # city instances and national only
    python benchmarks/run.py --only national-headroom

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
#: (instance, CP-SAT baseline time limit in seconds (0 = not run), compare the hard parts).
#: The default rules (projected composition on) lead: they are what municipalities use.
SUITE = (
    ("national-headroom", 0.0, True),
    ("national", 60.0, False),
    ("city-month", 30.0, False),
    ("city-half-year", 60.0, False),
    ("stress", 0.0, False),
)

#: ``allocatie bench`` has no switch for the hard-part comparison; this runs the same
#: function (:func:`allocatie.planning.bench.run`) with it, in a fresh process too.
HARD_PARTS = (
    "import json, sys; from allocatie.planning.bench import run; "
    "print(json.dumps(run(sys.argv[1], int(sys.argv[2]), compare_hard_parts=True)))"
)


def bench(name: str, seed: int, cpsat_seconds: float, hard_parts: bool = False) -> dict:
    """One instance in its own process, so that peak memory is that instance's own."""
    if hard_parts:
        command = [sys.executable, "-c", HARD_PARTS, name, str(seed)]
    else:
        command = [sys.executable, "-m", "allocatie", "bench", name, "--seed", str(seed), "--json"]
        if cpsat_seconds:
            command += ["--cpsat-seconds", str(cpsat_seconds)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _span(values: list[float], digits: int) -> str:
    """``1.23`` for one run, ``1.23–1.45`` (lowest–highest) for several."""
    low, high = min(values), max(values)
    if round(low, digits) == round(high, digits):
        return f"{low:.{digits}f}"
    return f"{low:.{digits}f}–{high:.{digits}f}"


def _hard(r: dict) -> str:
    """Ours | HiGHS alone | CP-SAT alone on the hard parts: seconds (parts proven of all)."""
    if "hard_parts" not in r:
        return "—"
    h = r["hard_parts"]
    methods = ("ours", "highs", "cpsat")
    cells = [f"{h[m]['seconds']:.2f} s ({h[m]['proven']}/{h['parts']})" for m in methods]
    return " \\| ".join(cells)


def table(runs: list[list[dict]]) -> str:
    """The README table: one row per instance, times as the range over its runs."""
    head = (
        "| instance | households | dwellings | eligible pairs | read→report s | our solve s "
        "| bare flow s | ratio | all tiers optimal | tier 1 / 2 ours | tier 1 / 2 FCFS "
        "| hard parts: ours \\| HiGHS alone \\| CP-SAT alone | plain CP-SAT "
        "| peak MiB | peak MiB with reference |"
    )
    lines = [head, "|" + "---|" * 15]
    for rows in runs:
        r = rows[-1]  # the hard-part comparison, when there is one, comes last
        ratio = [x["solve_seconds"] / max(x["reference_flow_seconds"], 1e-4) for x in rows]
        plain = "not run"
        for x in rows:
            if "plain_cpsat_status" in x:
                plain = f"{x['plain_cpsat_status']} in {x['plain_cpsat_seconds']:.1f} s"
        optimal = "yes" if all(x["optimal"] for x in rows) else r["status"]
        if r.get("solve_gap"):
            optimal += f" (gap: tier {r['solve_gap'][0]}, {r['solve_gap'][1]:,})"
        flow = _span([x["reference_flow_seconds"] for x in rows], 3)
        if r["reference_flow_status"] != "OPTIMAL":
            flow += f" ({r['reference_flow_status']})"
        lines.append(
            f"| {r['instance']} | {r['households']:,} | {r['dwellings']:,} "
            f"| {r['eligible_pairs']:,} "
            f"| {_span([x['read_to_report_seconds'] for x in rows], 2)} "
            f"| {_span([x['solve_seconds'] for x in rows], 3)} | {flow} "
            f"| {_span(ratio, 2)} | {optimal} "
            f"| {r['objective'][0]:,} / {r['objective'][1]:,} "
            f"| {r['fcfs_objective'][0]:,} / {r['fcfs_objective'][1]:,} | {_hard(r)} | {plain} "
            f"| {max(x['peak_memory_mib'] for x in rows):.0f} "
            f"| {max(x.get('peak_memory_with_reference_mib', 0) for x in rows):.0f} |"
        )
    return "\n".join(lines)


def growth(seed: int, scales: tuple[float, ...]) -> list[dict]:
    """Build and solve time against eligible pairs, national instances scaled up.

    Built with the default rules (projected composition on); the network rules are
    the same problem without the persons headroom (its relaxation), solved apart.
    """
    from allocatie.areas.data import load_areas
    from allocatie.areas.geo import resolve_dwelling_areas
    from allocatie.model.builder import build_instance
    from allocatie.planning import instances
    from allocatie.solve import relaxation, solve

    areas = load_areas()
    points = []
    for scale in scales:
        inst = instances.national(seed, total_persons=int(instances.NATIONAL_PERSONS * scale))
        start = time.perf_counter()
        dwellings, _ = resolve_dwelling_areas(inst.dwellings, areas, "generated")
        built = build_instance(inst.households, dwellings, inst.policy, areas.stats)
        build = time.perf_counter() - start
        problem = built.problem
        start = time.perf_counter()
        result = solve(problem)
        seconds = time.perf_counter() - start
        start = time.perf_counter()
        solve(relaxation(problem))
        points.append(
            {
                "scale": scale,
                "households": problem.n_households,
                "pairs": problem.n_pairs,
                "build_seconds": round(build, 3),
                "solve_seconds": round(seconds, 3),
                "status": str(result.status),
                "network_solve_seconds": round(time.perf_counter() - start, 3),
            }
        )
        print(points[-1], file=sys.stderr, flush=True)
    return points


def plot(points: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pairs = np.array([p["pairs"] for p in points], dtype=float)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    for key, label in (("build_seconds", "build (rules, pairs, scores)"),
                       ("solve_seconds", "solve, default rules (all tiers, proven)"),
                       ("network_solve_seconds", "solve, network rules")):  # fmt: skip
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
    parser.add_argument("--quick", action="store_true", help="national and the cities only")
    parser.add_argument("--repeat", type=int, default=1, help="runs per instance (times: range)")
    parser.add_argument("--only", nargs="*", help="these instances only")
    parser.add_argument("--growth-only", action="store_true")
    args = parser.parse_args()
    suite = [s for s in SUITE if s[0] != "stress"] if args.quick else list(SUITE)
    if args.only:
        suite = [s for s in suite if s[0] in args.only]
    if not args.growth_only:
        runs = []
        for name, seconds, hard in suite:
            # the plain CP-SAT baseline (minutes on national) in the first run only
            rows = [bench(name, args.seed, seconds if i == 0 else 0.0) for i in range(args.repeat)]
            if hard:  # once more, with each method on the hard parts (not timed above)
                rows.append(bench(name, args.seed, 0.0, hard_parts=True))
            runs.append(rows)
            print(f"{name}: done", file=sys.stderr, flush=True)
        # results.json keeps the other instances' last runs (so --only refreshes one row)
        path = HERE / "results.json"
        kept = json.loads(path.read_text()) if path.exists() else []
        kept = [k for k in kept if isinstance(k, list)]  # (older files held one run each)
        done = {rows[0]["instance"] for rows in runs}
        merged = {rows[0]["instance"]: rows for rows in kept if rows[0]["instance"] not in done}
        merged.update({rows[0]["instance"]: rows for rows in runs})
        ordered = [merged[name] for name, _, _ in SUITE if name in merged]
        print(table(ordered))
        path.write_text(json.dumps(ordered, indent=2) + "\n")
    if not args.quick and not args.only:
        points = growth(args.seed, (0.25, 0.5, 1.0, 2.0, 3.0))
        (HERE / "growth.json").write_text(json.dumps(points, indent=2) + "\n")
        plot(points, HERE / "growth.png")


if __name__ == "__main__":
    main()
