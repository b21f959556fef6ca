"""Half-year planner against first-come-first-served on the bundled scenarios.

Run: ``python benchmarks/planner_vs_fcfs.py [--seeds 10] [FILE ...]`` (default: every
``allocatie/examples/*.toml``). Simulates every scenario run (base and variants) for seeds 1..N with
both methods on the same koppelingen, offers and refusal draws, and prints per run the mean
over seeds of quota attainment, share of households placed outside concentrated areas, mean
waiting time and the share waiting over 10 weeks, optimised | fcfs, with the difference.
The streams are synthetic (see allocatie/examples/README.md); the numbers measure the method, not a
real municipality.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from allocatie.areas.data import load_areas
from allocatie.planning.scenario import load_scenario, run_scenario

ROOT = Path(__file__).parents[1]
FIGURES = (
    ("quota_attainment", "quota", 100.0, "{:5.1f}%"),
    ("share_outside_concentrated", "outside conc.", 100.0, "{:5.1f}%"),
    ("mean_wait_days", "wait days", 1.0, "{:5.1f}"),
    ("share_waiting_over_10_weeks", "wait >10 wk", 100.0, "{:5.1f}%"),
)


def table(summary: pd.DataFrame) -> pd.DataFrame:
    """One row per run: each figure for both methods and optimised minus fcfs."""
    rows = []
    for run, group in summary.groupby("scenario", sort=False):
        by = group.set_index("method")
        row: dict[str, object] = {"run": run}
        for key, label, scale, fmt in FIGURES:
            opt, fcfs = by.loc["optimised", key] * scale, by.loc["fcfs", key] * scale
            row[label] = f"{fmt.format(opt)} | {fmt.format(fcfs)} ({opt - fcfs:+.1f})"
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "allocatie" / "examples").glob("*.toml"))
    areas = load_areas()
    pd.set_option("display.width", 200)
    pooled = []
    for path in files:
        scenario = load_scenario(path, areas)
        start = time.perf_counter()
        result = run_scenario(scenario, areas, seeds=args.seeds)
        seconds = time.perf_counter() - start
        print(f"\n{scenario.title} — {args.seeds} seeds, optimised | fcfs (difference), "
              f"{len(result.comparison)} half years in {seconds:.1f} s")  # fmt: skip
        print(table(result.summary).to_string(index=False))
        pooled.append(result.summary.assign(file=path.name))
    summary = pd.concat(pooled)
    base = summary[summary["scenario"] == "base"]
    print(f"\nMean over the base runs of {len(files)} scenario file(s):")
    means = base.groupby("method")[[f[0] for f in FIGURES]].mean()
    print(means.reindex(["optimised", "fcfs"]).round(3).to_string())
    print(f"\nMean over all {summary['scenario'].size // 2} runs:")
    means = summary.groupby("method")[[f[0] for f in FIGURES]].mean()
    print(means.reindex(["optimised", "fcfs"]).round(3).to_string())


if __name__ == "__main__":
    main()
