"""Why the taakstelling is not met: demand against supply, and which policy setting binds.

A council asks "why are people still waiting?" and needs numbers, not "the solver
said so". Two answers: a supply/demand table per size, rent and accessibility
class (is the offer simply wrong for who is waiting?), and for every cap the
policy sets, how many more households and persons the same offer would house
without it (is our own rule the obstacle?). The second is measured by solving
again with that one cap lifted, so it is exact, not an estimate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from allocatie.model.builder import Instance
from allocatie.model.eligibility import min_bedrooms
from allocatie.solve import Result, Status, solve


def _class_rows(
    kind: str,
    labels: Iterable[str],
    demand_h: Iterable[Any],
    demand_p: Iterable[Any],
    supply: Iterable[Any],
    placed_h: Iterable[Any],
) -> list[dict[str, Any]]:
    """One row per class of a kind; the counts arrive as numpy integers, so convert."""
    return [
        {
            "class_type": kind,
            "class": label,
            "households": int(h),
            "persons": int(p),
            "dwellings_offered": int(s),
            "households_placed": int(x),
        }
        for label, h, p, s, x in zip(labels, demand_h, demand_p, supply, placed_h)
    ]


def supply_demand(instance: Instance, result: Result) -> pd.DataFrame:
    """Households (and persons) against offered dwellings, per class.

    Classes: the minimum bedrooms a household needs (dwellings offered that fit
    that size, counting the allowed extra bedrooms); rent (households under
    passend toewijzen with the low or high cap against dwellings within it);
    accessibility (wheelchair, and floor limits against ground floor or lift).
    Only dwellings available within the matching window count as offered.
    """
    h = instance.households
    d = instance.dwellings
    policy = instance.policy
    placed = result.assignment(instance.problem) >= 0
    last = np.datetime64(instance.date + dt.timedelta(days=policy.matching.window_days), "D")
    offered = d["available_from"].to_numpy().astype("datetime64[D]") <= last
    bedrooms = d["bedrooms"].to_numpy()[offered]
    rent = d["rent"].to_numpy(dtype=float)[offered]
    persons = h["persons"].to_numpy()
    people = h["people"].to_numpy()
    rows: list[dict[str, Any]] = []

    need = min_bedrooms(people)
    extra = policy.occupancy.max_extra_bedrooms
    sizes = np.unique(need)
    rows += _class_rows(
        "size",
        [f"needs {b}–{b + extra} bedrooms" for b in sizes],
        [(need == b).sum() for b in sizes],
        [persons[need == b].sum() for b in sizes],
        [((bedrooms >= b) & (bedrooms <= b + extra)).sum() for b in sizes],
        [(placed & (need == b)).sum() for b in sizes],
    )

    caps = policy.affordability
    protected = h["income_below_rent_benefit_limit"].to_numpy(dtype=bool)
    low = protected & (people <= 2)
    high = protected & (people >= 3)
    free = ~protected
    rows += _class_rows(
        "rent",
        [
            f"1–2 persons, rent ≤ €{caps.cap_low:.2f}",
            f"3+ persons, rent ≤ €{caps.cap_high:.2f}",
            "income above the limit (no cap)",
        ],
        [low.sum(), high.sum(), free.sum()],
        [persons[low].sum(), persons[high].sum(), persons[free].sum()],
        [(rent <= caps.cap_low).sum(), (rent <= caps.cap_high).sum(), len(rent)],
        [(placed & low).sum(), (placed & high).sum(), (placed & free).sum()],
    )

    wheelchair = h["needs_accessible"].to_numpy(dtype=bool)
    floor_limit = h["max_floor"].notna().to_numpy()
    accessible = d["accessible"].to_numpy(dtype=bool)[offered]
    reachable = (d["floor"].to_numpy()[offered] == 0) | d["elevator"].to_numpy(dtype=bool)[offered]
    rows += _class_rows(
        "accessibility",
        ["wheelchair-accessible", "ground floor or lift (floor limit)"],
        [wheelchair.sum(), floor_limit.sum()],
        [persons[wheelchair].sum(), persons[floor_limit].sum()],
        [accessible.sum(), reachable.sum()],
        [(placed & wheelchair).sum(), (placed & floor_limit).sum()],
    )
    table = pd.DataFrame(rows)
    table["households_waiting"] = table["households"] - table["households_placed"]
    return table


#: Above this many eligible pairs the re-solves are skipped (they would each cost as
#: much as the plan itself); the report says so.
MAX_PAIRS_FOR_RESOLVES = 50_000


def binding_settings(instance: Instance, result: Result) -> list[dict[str, Any]]:
    """For each cap the policy sets, what lifting it alone would add.

    Each cap is lifted on the compiled problem and the plan solved again with
    the same method; a cap "binds" when more persons (or households) would then
    be housed. Settings that change which pairs are eligible (rent caps,
    occupancy) are covered by :func:`supply_demand` instead.
    """
    problem = instance.problem
    if problem.n_pairs > MAX_PAIRS_FOR_RESOLVES:
        return [
            {
                "setting": "(all caps)",
                "binds": None,
                "text": f"not measured: {problem.n_pairs:,} eligible pairs is more than "
                f"{MAX_PAIRS_FOR_RESOLVES:,}; solve per municipality to see which cap binds",
            }
        ]
    spreading = instance.policy.spreading
    base_persons, _, _ = result.objective
    base_households = int(result.selected.sum())
    candidates: list[tuple[str, dict[str, Any]]] = []
    if (problem.area_max_households >= 0).any():
        candidates.append(
            (
                f"max_households_per_area = {spreading.max_households_per_area}",
                {"area_max_households": np.full(problem.n_areas, -1)},
            )
        )
    if problem.complex_max >= 0:
        candidates.append((f"max_per_complex = {spreading.max_per_complex}", {"complex_max": -1}))
    if (problem.area_max_persons >= 0).any():
        candidates.append(
            (
                "projected_composition = true (headroom below the LQ threshold)",
                {"area_max_persons": np.full(problem.n_areas, -1)},
            )
        )
    settings = instance.policy.solver
    out: list[dict[str, Any]] = []
    for name, change in candidates:
        relaxed = solve(problem.replace(**change), settings)
        if relaxed.status == Status.INFEASIBLE:
            continue
        more_persons = relaxed.objective[0] - base_persons
        more_households = int(relaxed.selected.sum()) - base_households
        out.append(
            {
                "setting": name,
                "binds": more_persons > 0 or more_households > 0,
                "extra_persons_without_it": int(more_persons),
                "extra_households_without_it": int(more_households),
                "text": (
                    f"{name} leaves {more_households} household(s) ({more_persons} person(s)) "
                    "unplaced that the same offer could house without it"
                    if more_persons > 0 or more_households > 0
                    else f"{name} does not cost any placement this month"
                ),
            }
        )
    return out


def diagnose(instance: Instance, result: Result) -> dict[str, Any]:
    """The shortfall in numbers, for ``kpis.json`` and the summary."""
    persons = int(result.objective[0]) if result.status != Status.INFEASIBLE else 0
    period = instance.policy.period
    short = max(period.target_persons - period.housed_so_far - persons, 0)
    return {
        "persons_short_of_taakstelling": short,
        "supply_demand": supply_demand(instance, result).to_dict(orient="records"),
        "binding_settings": binding_settings(instance, result),
    }
