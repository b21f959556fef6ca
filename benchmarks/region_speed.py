"""How long a monthly regional run of a whole province takes: Overijssel's 25 municipalities pooled.

The instance is synthetic (:func:`allocatie.planning.instances.generate`): each
municipality's monthly share of the national half-year taakstelling (17,600
persons, ∝ residents, one sixth of it), households linked over the month and
1.25 offered dwellings per household in its real buurten; a quarter of the
households have a binding. The region pools all 25 municipalities, with each
one's monthly quota as its target. Written to files and run as a user would
(``allocatie match``'s pipeline: read, build, solve, report), timed in parts.

Usage (from the repository root)::

    python benchmarks/region_speed.py [--seed 1] [--repeat 3]

The Overijssel codes are listed here (the bundled CBS data has no province
table); every one is checked against the bundled areas.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from allocatie.areas.data import load_areas
from allocatie.inputs.policy import Period
from allocatie.match import Inputs, build, read_inputs, report_result
from allocatie.model.region import region_data
from allocatie.planning import instances
from allocatie.solve.region import solve_region

#: The 25 municipalities of the province of Overijssel (2022–2024 borders).
OVERIJSSEL = (
    "GM0141", "GM0147", "GM0148", "GM0150", "GM0153", "GM0158", "GM0160", "GM0163",
    "GM0164", "GM0166", "GM0168", "GM0173", "GM0175", "GM0177", "GM0180", "GM0183",
    "GM0189", "GM0193", "GM1700", "GM1708", "GM1735", "GM1742", "GM1773", "GM1774",
    "GM1896",
)  # fmt: skip
MONTH = Period(start=dt.date(2025, 3, 1), end=dt.date(2025, 3, 31))
BINDINGS = ("werk", "studie", "familie", "zorg")


def write_province(folder: Path, seed: int) -> dict[str, int]:
    """Write the monthly province instance with a pooling ``[region]``; its quota per code."""
    areas = load_areas()
    missing = [c for c in OVERIJSSEL if c not in areas.stats.index]
    assert not missing, f"not in the bundled areas: {missing}"
    national = instances.quota_per_municipality(areas.stats, instances.NATIONAL_PERSONS)
    monthly = (national.reindex(list(OVERIJSSEL)).fillna(0) / 6).round().astype(int)
    inst = instances.generate("overijssel-month", seed, monthly, areas, period=MONTH)
    instances.write(inst, folder)
    households = pd.read_csv(folder / "households.csv", dtype=str, keep_default_na=False)
    rng = np.random.default_rng(seed)
    bound = rng.random(len(households)) < 0.25
    households["binding"] = np.where(bound, rng.choice(BINDINGS, len(households)), "")
    households.to_csv(folder / "households.csv", index=False)
    quota = {c: int(q) for c, q in monthly.items()}
    codes = ", ".join(f'"{c}"' for c in OVERIJSSEL)
    table = "\n".join(f"{c} = {q}" for c, q in quota.items())
    with open(folder / "policy.toml", "a", encoding="utf-8") as policy:
        policy.write(f"\n[region]\nmunicipalities = [{codes}]\npooling = true\n\n")
        policy.write(f"[region.quota]\n{table}\n")
    return quota


def measure(folder: Path) -> dict[str, float | int]:
    """Seconds to read and build, to solve the region, and to report; and the plan's facts."""
    inputs = Inputs.from_scenario(folder)
    start = time.perf_counter()
    checked = read_inputs(inputs)
    instance = build(checked)
    built = time.perf_counter()
    region = region_data(instance)
    out = solve_region(instance.problem, region, instance.policy.solver)
    solved = time.perf_counter()
    report_result(inputs, instance, checked.areas, out.result, instance.policy.solver)
    reported = time.perf_counter()
    return {
        "households": instance.problem.n_households,
        "dwellings": instance.problem.n_dwellings,
        "pairs": instance.problem.n_pairs,
        "persons_housed": out.result.objective[0],
        "herkoppelingen": out.herkoppelingen,
        "lowest_attainment": round(out.lowest_attainment or 0.0, 4),
        "status": str(out.result.status),
        "read_build_seconds": round(built - start, 3),
        "solve_region_seconds": round(solved - built, 3),
        "report_seconds": round(reported - solved, 3),
        "total_seconds": round(reported - start, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_province(folder, args.seed)
        runs = [measure(folder) for _ in range(args.repeat)]
    best = min(runs, key=lambda r: r["total_seconds"])
    print(json.dumps(best, indent=2))


if __name__ == "__main__":
    main()
