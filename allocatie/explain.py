"""One plain-language sentence per household: why this dwelling, or why still waiting.

A coordinator has to tell each household, the corporation and the council why
a decision was made. The sentences name the rule or cap that decided it, with
the numbers, and identify households only by the id the user gave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocatie.builder import Instance
from allocatie.eligibility import min_bedrooms
from allocatie.solve import Result


def _euro(value: float) -> str:
    return f"€{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _bedrooms(low: int, high: int) -> str:
    if low == 0:
        return f"at most {high} bedroom{'s' if high != 1 else ''} (studio allowed)"
    return f"{low}–{high} bedrooms"


def _area(row: dict) -> str:
    name = row["area_name"] if isinstance(row["area_name"], str) else row["area_code"]
    return f"{name} ({row['area_code']})"


def _placed_reason(h: dict, d: dict, pair: dict, instance: Instance, outside_options: int) -> str:
    """Why this dwelling: spreading status first (the Münster KPI), then quality."""
    threshold = instance.policy.spreading.lq_threshold
    lq = d["lq"]
    if np.isnan(lq):
        where = f"in {_area(d)}, an area without statistics for the indicator"
    elif d["concentrated"]:
        where = f"in {_area(d)}, a concentrated area (LQ {lq:.2f} ≥ {threshold}); " + (
            "none of the dwellings that fit lies outside concentrated areas"
            if outside_options == 0
            else f"the {_count(outside_options, 'dwelling')} that fit outside concentrated "
            "areas went to other households or are held back by caps, and this plan houses "
            "the most persons first, then the most households outside concentrated areas"
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
    rooms = _count(int(d["bedrooms"]), "bedroom")
    sentence = f"{head}: {d['dwelling_id']} ({rooms}, {_euro(d['rent'])}) {where}"
    if extras:
        sentence += "; " + ", ".join(extras)
    return sentence + "."


@dataclass(frozen=True)
class _Context:
    """What every explanation needs, computed once per plan (not once per household)."""

    instance: Instance
    result: Result
    eligible: pd.DataFrame  # eligible pairs, sorted by household
    starts: np.ndarray  # first row of each household in ``eligible`` (length n + 1)
    taken: np.ndarray  # per dwelling
    holder: np.ndarray  # per dwelling: household placed there, -1 if none
    placed_area: np.ndarray  # households placed per area
    placed_persons: np.ndarray  # persons placed per area
    per_building: np.ndarray  # households placed per building

    @classmethod
    def build(cls, instance: Instance, result: Result) -> _Context:
        problem = instance.problem
        assignment = result.assignment(problem)
        placed = assignment >= 0
        holder = np.full(problem.n_dwellings, -1)
        holder[assignment[placed]] = np.flatnonzero(placed)
        eligible = instance.pairs[instance.pairs["eligible"]]
        starts = np.searchsorted(
            eligible["household"].to_numpy(), np.arange(problem.n_households + 1)
        )
        chosen = problem.pair_dwelling[result.selected]
        area = problem.dwelling_area[chosen]
        building = problem.dwelling_complex[chosen]
        return cls(
            instance=instance,
            result=result,
            eligible=eligible,
            starts=starts,
            taken=holder >= 0,
            holder=holder,
            placed_area=np.bincount(area, minlength=problem.n_areas),
            placed_persons=np.bincount(
                area, weights=problem.pair_persons[result.selected], minlength=problem.n_areas
            ),
            per_building=np.bincount(building[building >= 0], minlength=problem.n_complexes),
        )


def _waiting_reason(index: int, h: dict, counts: dict, context: _Context) -> str:
    """Why still waiting: the first rule that leaves nothing, else what took the rest."""
    instance = context.instance
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
            f"{_euro(cap)} for {who} ({int(counts['size'])} fit on size but cost more)."
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

    mine = context.eligible.iloc[context.starts[index] : context.starts[index + 1]]
    free = mine[~context.taken[mine["dwelling"].to_numpy()]]
    n = len(mine)
    if free.empty:
        holders = context.holder[mine["dwelling"].to_numpy()]
        ids = instance.households["household_id"].to_numpy()[holders]
        names = ", ".join(sorted(set(ids.astype(str))))
        which = "the only dwelling that fits" if n == 1 else f"all {n} dwellings that fit"
        return (
            f"Waiting: {which} went to {names}; this plan houses the most persons first "
            "(tier 1), then the most households outside concentrated areas (tier 2)."
        )
    return "Waiting: " + _blocking_cap(free, context) + "."


def _blocking_cap(free: pd.DataFrame, context: _Context) -> str:
    """The caps that keep a household out of the dwellings still free for it.

    In an optimal plan at least one cap binds for every such dwelling:
    otherwise placing the household there would house more persons.
    """
    instance = context.instance
    problem = instance.problem
    spreading = instance.policy.spreading
    placed_area, placed_persons = context.placed_area, context.placed_persons
    d = instance.dwellings.iloc[free["dwelling"].to_numpy()]
    area = d["area_index"].to_numpy()
    persons = int(instance.households["persons"].iloc[int(free["household"].iloc[0])])
    reasons = []
    households_cap = problem.area_max_households[area]
    full = (households_cap >= 0) & (placed_area[area] >= households_cap)
    if full.any():
        codes = ", ".join(sorted(set(d["area_code"][full])))
        reasons.append(
            f"max_households_per_area = {spreading.max_households_per_area} is reached in {codes}"
        )
    room = problem.area_max_persons[area]
    over = (room >= 0) & (placed_persons[area] + persons > room)
    if over.any():
        codes = ", ".join(sorted(set(d["area_code"][over])))
        reasons.append(
            f"{persons} more persons would push {codes} over the concentration threshold "
            f"(LQ {spreading.lq_threshold})"
        )
    building = problem.dwelling_complex[d.index.to_numpy()]
    if problem.complex_max >= 0 and (building >= 0).any():
        per_building = context.per_building
        at_cap = (building >= 0) & (per_building[np.maximum(building, 0)] >= problem.complex_max)
        if at_cap.any():
            names = ", ".join(sorted(set(d["complex_id"][at_cap].astype(str))))
            reasons.append(f"max_per_complex = {problem.complex_max} is reached in {names}")
    if not reasons:
        return "the plan was stopped by the time limit before this household could be placed"
    n = len(d)
    return f"{n} dwelling{'s' if n != 1 else ''} that fit are still free, but " + "; ".join(reasons)


def explain(instance: Instance, result: Result) -> pd.Series:
    """The reason sentence for each household, in input order."""
    problem = instance.problem
    context = _Context.build(instance, result)
    assignment = result.assignment(problem)
    eligible = context.eligible
    outside = ~instance.dwellings["concentrated"].to_numpy(dtype=bool)[eligible["dwelling"]]
    outside_options = np.bincount(eligible["household"][outside], minlength=problem.n_households)
    # only the columns the sentences use: converting whole tables costs more than the sentences
    households = instance.households[
        ["interests", "people", "expected_reunification", "needs_accessible", "max_floor"]
    ].to_dict("records")
    dwellings = instance.dwellings[
        ["dwelling_id", "bedrooms", "rent", "lq", "concentrated", "area_name", "area_code"]
    ].to_dict("records")
    funnel = instance.funnel.to_dict("records")
    selected = eligible[result.selected[eligible["problem_index"].to_numpy()]]
    parts = selected[["interest", "wishes", "fit", "pinned"]].to_dict("records")
    pair_of = dict(zip(selected["household"].tolist(), parts))
    reasons = []
    for index, dwelling in enumerate(assignment.tolist()):
        if dwelling >= 0:
            reasons.append(
                _placed_reason(
                    households[index],
                    dwellings[dwelling],
                    pair_of[index],
                    instance,
                    int(outside_options[index]),
                )
            )
        else:
            reasons.append(_waiting_reason(index, households[index], funnel[index], context))
    return pd.Series(reasons, index=instance.households.index, name="reason")
