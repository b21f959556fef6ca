"""One plain-language sentence per household: why this dwelling, or why still waiting.

A coordinator has to tell each household, the corporation and the council why
a decision was made. The sentences name the rule or cap that decided it, with
the numbers, and identify households only by the id the user gave.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from allocatie.builder import Instance
from allocatie.eligibility import min_bedrooms
from allocatie.solve import Result


def _euro(value: float) -> str:
    return f"€{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _bedrooms(low: int, high: int) -> str:
    if low == 0:
        return f"at most {high} bedroom{'s' if high != 1 else ''} (studio allowed)"
    return f"{low}–{high} bedrooms"


def _area(row: pd.Series) -> str:
    name = row["area_name"] if isinstance(row["area_name"], str) else row["area_code"]
    return f"{name} ({row['area_code']})"


def _placed_reason(h: pd.Series, d: pd.Series, pair: pd.Series, instance: Instance) -> str:
    """Why this dwelling: spreading status first (the Münster KPI), then quality."""
    threshold = instance.policy.spreading.lq_threshold
    lq = d["lq"]
    if np.isnan(lq):
        where = f"in {_area(d)}, an area without statistics for the indicator"
    elif d["concentrated"]:
        where = (
            f"in {_area(d)}, a concentrated area (LQ {lq:.2f} ≥ {threshold}); "
            "no dwelling that fits was left outside concentrated areas"
        )
    else:
        where = f"in {_area(d)}, not a concentrated area (LQ {lq:.2f} < {threshold})"
    extras = []
    interests = h["interests"] or ()
    if interests and pair["interest"] > 0:
        served = round(pair["interest"] * len(interests))
        extras.append(f"{served} of {len(interests)} interests served nearby")
    if pair["wishes"] > 0:
        extras.append("in a preferred area")
    if pair["fit"] >= 1:
        extras.append("no spare bedrooms")
    head = "Pinned by the coordinator" if pair["pinned"] else "Placed"
    sentence = (
        f"{head}: {d['dwelling_id']} ({int(d['bedrooms'])} bedrooms, {_euro(d['rent'])}) {where}"
    )
    if extras:
        sentence += "; " + ", ".join(extras)
    return sentence + "."


def _waiting_reason(index: int, instance: Instance, taken: np.ndarray, result: Result) -> str:
    """Why still waiting: the first rule that leaves nothing, else what took the rest."""
    h = instance.households.iloc[index]
    counts = instance.funnel.loc[index]
    people = int(h["people"])
    low = int(min_bedrooms(np.array([people]))[0])
    high = low + instance.policy.occupancy.max_extra_bedrooms
    size = _bedrooms(low, high)
    who = f"{people} person{'s' if people != 1 else ''}"
    if h.get("expected_reunification", 0):
        who += " (incl. expected reunification)"
    caps = instance.policy.affordability
    cap = caps.cap_low if people <= 2 else caps.cap_high
    window_end = instance.date + dt.timedelta(days=instance.policy.matching.window_days)
    if counts["size"] == 0:
        return f"Waiting: no offered dwelling has {size} for {who}."
    if counts["fits_rent"] == 0:
        return (
            f"Waiting: no offered dwelling with {size} is within the rent cap of "
            f"{_euro(cap)} for {who} ({int(counts['size'])} fit on size only)."
        )
    if counts["fits_access"] == 0:
        need = "wheelchair-accessible" if h["needs_accessible"] else ""
        if pd.notna(h["max_floor"]):
            floor = f"on floor {int(h['max_floor'])} or lower, or with a lift"
            need = f"{need} and {floor}" if need else floor
        return f"Waiting: none of the dwellings that fit on size and rent is {need}."
    if counts["available"] == 0:
        return (
            f"Waiting: the {int(counts['fits_access'])} dwelling(s) that fit are not "
            f"available before {window_end.isoformat()}."
        )
    if counts["not_excluded"] == 0:
        return "Waiting: every dwelling that fits is in an area the household excluded."
    if counts["not_refused"] == 0:
        return "Waiting: the household refused every dwelling that fits."

    pairs = instance.pairs
    mine = pairs[(pairs["household"] == index) & pairs["eligible"]]
    free = mine[~taken[mine["dwelling"].to_numpy()]]
    n = len(mine)
    if free.empty:
        return (
            f"Waiting: all {n} dwelling(s) that fit went to other households; this plan "
            "houses the most persons (tier 1), then the most outside concentrated areas."
        )
    return "Waiting: " + _blocking_cap(free, instance, result) + "."


def _blocking_cap(free: pd.DataFrame, instance: Instance, result: Result) -> str:
    """The cap that keeps a household out of the dwellings still free for it."""
    problem = instance.problem
    dwellings = instance.dwellings
    spreading = instance.policy.spreading
    chosen = result.selected
    placed_area = np.bincount(
        problem.dwelling_area[problem.pair_dwelling[chosen]], minlength=problem.n_areas
    )
    placed_persons = np.bincount(
        problem.dwelling_area[problem.pair_dwelling[chosen]],
        weights=problem.pair_persons[chosen],
        minlength=problem.n_areas,
    )
    d = dwellings.iloc[free["dwelling"].to_numpy()]
    area = d["area_index"].to_numpy()
    full = (problem.area_max_households[area] >= 0) & (
        placed_area[area] >= problem.area_max_households[area]
    )
    if full.any():
        codes = ", ".join(sorted(set(d["area_code"][full])))
        return (
            f"max_households_per_area = {spreading.max_households_per_area} is reached "
            f"in {codes}, where the free dwelling(s) that fit are"
        )
    room = problem.area_max_persons[area]
    persons = instance.households["persons"].iloc[int(free["household"].iloc[0])]
    over = (room >= 0) & (placed_persons[area] + persons > room)
    if over.any():
        codes = ", ".join(sorted(set(d["area_code"][over])))
        return (
            f"placing {persons} more persons would push {codes} over the "
            f"concentration threshold (LQ {spreading.lq_threshold})"
        )
    if spreading.max_per_complex is not None:
        return (
            f"max_per_complex = {spreading.max_per_complex} is reached in the "
            "building(s) of the free dwelling(s) that fit"
        )
    return "the free dwellings that fit are needed to house more persons elsewhere"


def explain(instance: Instance, result: Result) -> pd.Series:
    """The reason sentence for each household, in input order."""
    problem = instance.problem
    assignment = result.assignment(problem)
    taken = np.zeros(problem.n_dwellings, dtype=bool)
    taken[assignment[assignment >= 0]] = True
    chosen_pairs = instance.pairs.set_index(["household", "dwelling"])
    reasons = []
    for index, dwelling in enumerate(assignment):
        if dwelling >= 0:
            reasons.append(
                _placed_reason(
                    instance.households.iloc[index],
                    instance.dwellings.iloc[dwelling],
                    chosen_pairs.loc[(index, int(dwelling))],
                    instance,
                )
            )
        else:
            reasons.append(_waiting_reason(index, instance, taken, result))
    return pd.Series(reasons, index=instance.households.index, name="reason")
