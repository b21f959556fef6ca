"""Regional pooling on the national instance: pooled vs separate, region by region.

Run from the repository root::

    python benchmarks/regions.py                     # 25 regions, seed 1
    python benchmarks/regions.py --seconds 60        # HiGHS budget per region and mode
    python benchmarks/regions.py --only "08 Enschede" --json regions.json
    python benchmarks/regions.py --regions regio.csv # your own region table instead

The national benchmark instance (:func:`allocatie.planning.instances.national`:
17,600 persons, every household linked to a municipality, 1.25 dwellings per
household in that municipality's buurten) is cut into the benchmark's
contiguous regions (:func:`allocatie.areas.regions.contiguous_regions`: 25
connected groups of neighbouring municipalities with about equal numbers of
residents, **built from the CBS polygons, not an official COA or provincial
table**: the bundled data hold none). Each region is built and solved twice with
the engine's regional objective (:func:`allocatie.solve.region.solve_region`):

- **separate**: every municipality matches its own households with its own
  dwellings (the region only does the accounting);
- **pooled**: the region's municipalities pool their offer; a household housed
  in another municipality is a proposed herkoppeling.

Each municipality's target is its taakstelling in the instance:
:func:`~allocatie.planning.instances.quota_per_municipality` (persons ∝ residents,
summing to 17,600), which is also the persons of its own households (the
generator draws them to add up to it exactly). Former municipalities of the
statistics (Weesp; Brielle, Hellevoetsluis, Westvoorne) keep their own code, target
and dwellings and belong to the region of the municipality that absorbed them.

Printed per region and for the country: persons housed, the lowest municipal
attainment (persons housed in a municipality's dwellings over its target),
herkoppelingen (households housed outside their municipality), households left
waiting, the mean wait (days since koppeling) of those housed, the solver status
and seconds. ``OPTIMAL`` means every tier was proven; ``FEASIBLE`` that the time
budget stopped a later tier (persons housed, tier 1, is exact either way).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from allocatie.areas.data import load_areas  # noqa: E402
from allocatie.areas.geo import resolve_dwelling_areas  # noqa: E402
from allocatie.areas.regions import contiguous_regions  # noqa: E402
from allocatie.inputs.policy import Region, SolverSettings  # noqa: E402
from allocatie.inputs.regions import read_regions  # noqa: E402
from allocatie.model.builder import build_instance  # noqa: E402
from allocatie.model.region import region_data  # noqa: E402
from allocatie.planning import instances  # noqa: E402
from allocatie.solve.region import solve_region  # noqa: E402

MODES = ("separate", "pooled")


def figures(instance: Any, accounted: Any, seconds: float) -> dict[str, Any]:
    """What the table shows of one region solved in one mode."""
    problem = instance.problem
    selected = accounted.result.selected
    housed_households = problem.pair_household[selected]
    wait = instance.households["wait_days"].to_numpy(dtype=float)
    attainment = accounted.attainment[accounted.target > 0]
    return {
        "households": int(problem.n_households),
        "dwellings": int(problem.n_dwellings),
        "pairs": int(problem.n_pairs),
        "target": int(accounted.target.sum()),
        "persons_housed": int(accounted.housed.sum()),
        "lowest_attainment": None if not len(attainment) else round(float(attainment.min()), 4),
        "municipalities_below_target": int((attainment < 1).sum()),
        "herkoppelingen": int(accounted.herkoppelingen),
        "persons_moved": int(accounted.sent.sum()),
        "left_waiting": int(problem.n_households - len(housed_households)),
        "mean_wait_housed_days": (
            round(float(wait[housed_households].mean()), 1) if len(housed_households) else None
        ),
        "status": str(accounted.result.status),
        "seconds": round(seconds, 2),
    }


def run(
    seed: int, seconds: float, only: list[str] | None, count: int, table_file: Path | None = None
) -> dict[str, Any]:
    """Both modes for every region (or the ``only`` ones) of the national instance.

    ``table_file`` is a region table (:func:`allocatie.inputs.regions.read_regions`,
    e.g. ``allocatie regions --out`` edited) used instead of the contiguous regions.
    """
    start = time.perf_counter()
    areas = load_areas()
    national = instances.national(seed)
    dwellings, _ = resolve_dwelling_areas(national.dwellings, areas, "generated")
    households = national.households
    quota = instances.quota_per_municipality(areas.stats, instances.NATIONAL_PERSONS)
    if table_file is None:
        regions = contiguous_regions(areas, count)
    else:
        known = areas.stats.index[areas.stats["level"] == "gemeente"]
        regions = read_regions(table_file, known=set(known))
    region_of = dict(zip(regions["gemeente_code"], regions["region"]))
    missing = sorted(set(households["gemeente_code"].dropna()) - set(region_of))
    if missing:
        raise SystemExit(f"municipalities without a region: {missing}")
    settings = SolverSettings(time_limit_seconds=seconds)
    rows = []
    for name in sorted(set(region_of.values())):
        if only and name not in only:
            continue
        codes = sorted(c for c, r in region_of.items() if r == name)
        mine_h = households[households["gemeente_code"].isin(codes)].reset_index(drop=True)
        mine_d = dwellings[dwellings["gemeente_code"].isin(codes)].reset_index(drop=True)
        policy_region = Region(
            municipalities=tuple(codes), quota={c: int(quota.get(c, 0)) for c in codes}
        )
        pooled = dict.fromkeys(codes, name)
        row: dict[str, Any] = {"region": name, "municipalities": len(codes)}
        for mode in MODES:
            began = time.perf_counter()
            built = build_instance(
                mine_h, mine_d, national.policy, areas.stats,
                regions=pooled if mode == "pooled" else {},
            )  # fmt: skip
            data = region_data(built, pooled, policy_region, areas)
            accounted = solve_region(built.problem, data, settings)
            row[mode] = figures(built, accounted, time.perf_counter() - began)
        rows.append(row)
        print(_line(row), flush=True)
    return {
        "seed": seed,
        "seconds_per_region": seconds,
        "regions": rows,
        "total_seconds": round(time.perf_counter() - start, 1),
    }


def _line(row: dict[str, Any]) -> str:
    s, p = row["separate"], row["pooled"]
    return (
        f"{row['region']}: housed {s['persons_housed']} → {p['persons_housed']} of "
        f"{s['target']}, lowest {s['lowest_attainment']} → {p['lowest_attainment']}, "
        f"herkoppelingen {p['herkoppelingen']}, {s['status']}/{p['status']} "
        f"{s['seconds']:.1f}/{p['seconds']:.1f} s"
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def table(result: dict[str, Any]) -> str:
    """The README table: one row per region, then the country."""
    head = (
        "| region | mun. | persons to house | housed separate → pooled "
        "| lowest attainment separate → pooled | mun. below target | herkoppelingen "
        "(persons) | left waiting | mean wait housed, days | status | seconds |"
    )
    lines = [head, "|" + "---|" * 11]
    rows = result["regions"]
    for r in rows:
        s, p = r["separate"], r["pooled"]
        lines.append(
            f"| {r['region']} | {r['municipalities']} | {s['target']:,} "
            f"| {s['persons_housed']:,} → {p['persons_housed']:,} "
            f"| {_pct(s['lowest_attainment'])} → {_pct(p['lowest_attainment'])} "
            f"| {s['municipalities_below_target']} → {p['municipalities_below_target']} "
            f"| {p['herkoppelingen']:,} ({p['persons_moved']:,}) "
            f"| {s['left_waiting']:,} → {p['left_waiting']:,} "
            f"| {s['mean_wait_housed_days']} → {p['mean_wait_housed_days']} "
            f"| {s['status']} / {p['status']} | {s['seconds']:.1f} / {p['seconds']:.1f} |"
        )

    def total(mode: str, key: str) -> int:
        return sum(r[mode][key] for r in rows)

    def lowest(mode: str) -> float | None:
        values = [r[mode]["lowest_attainment"] for r in rows if r[mode]["lowest_attainment"]]
        return min(values) if values else None

    def wait(mode: str) -> float:
        housed = [(r[mode]["mean_wait_housed_days"] or 0, r[mode]["households"]
                   - r[mode]["left_waiting"]) for r in rows]  # fmt: skip
        n = sum(k for _, k in housed)
        return round(sum(w * k for w, k in housed) / n, 1) if n else float("nan")

    optimal = {m: sum(r[m]["status"] == "OPTIMAL" for r in rows) for m in MODES}
    lines.append(
        f"| **all** | {sum(r['municipalities'] for r in rows)} | {total('separate', 'target'):,} "
        f"| {total('separate', 'persons_housed'):,} → {total('pooled', 'persons_housed'):,} "
        f"| {_pct(lowest('separate'))} → {_pct(lowest('pooled'))} "
        f"| {total('separate', 'municipalities_below_target')} → "
        f"{total('pooled', 'municipalities_below_target')} "
        f"| {total('pooled', 'herkoppelingen'):,} ({total('pooled', 'persons_moved'):,}) "
        f"| {total('separate', 'left_waiting'):,} → {total('pooled', 'left_waiting'):,} "
        f"| {wait('separate')} → {wait('pooled')} "
        f"| optimal {optimal['separate']}/{len(rows)} / {optimal['pooled']}/{len(rows)} "
        f"| {sum(r['separate']['seconds'] for r in rows):.0f} / "
        f"{sum(r['pooled']['seconds'] for r in rows):.0f} |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=25, help="number of regions")
    parser.add_argument(
        "--seconds", type=float, default=30.0,
        help="solver time budget (wall-clock s) per region and mode (SolverSettings)",
    )  # fmt: skip
    parser.add_argument("--only", action="append", help="only this region (repeatable)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--regions", type=Path, default=None, help="a region table (CSV/XLSX)")
    args = parser.parse_args()
    result = run(args.seed, args.seconds, args.only, args.count, args.regions)
    print()
    print(table(result))
    print(f"\ntotal {result['total_seconds']:.0f} s (generate, build and solve both modes)")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    pd.set_option("display.width", 200)
    np.set_printoptions(linewidth=200)
    main()
