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

from allocatie.model.builder import Instance
from allocatie.model.eligibility import min_bedrooms
from allocatie.solve import Result

#: Sentence templates per language. Coordinators talk to households and councils in Dutch;
#: English serves researchers and the project's own tests. Keys name the situation.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "placed": "Placed",
        "pinned": "Pinned by the coordinator",
        "bedroom": "bedroom",
        "bedrooms": "bedrooms",
        "no_stats": "in {area}, an area without statistics for the indicator",
        "concentrated": "in {area}, a concentrated area (LQ {lq} ≥ {t}); ",
        "none_outside": "none of the dwellings that fit lies outside concentrated areas",
        "outside_taken": "the {n} that fit outside concentrated areas went to other households "
        "or are held back by caps, and this plan houses the most persons first, then the most "
        "households outside concentrated areas",
        "dwelling": "dwelling",
        "dwellings": "dwellings",
        "not_concentrated": "in {area}, not a concentrated area (LQ {lq} < {t})",
        "interests": "{served} of {total} interests served nearby",
        "wish": "in a preferred area",
        "fit": "no spare bedrooms",
        "waiting": "Waiting: ",
        "size_upto": "at most {high} {rooms} (studio allowed)",
        "size_range": "{low}–{high} bedrooms",
        "person": "person",
        "persons": "persons",
        "reunion": " (incl. expected reunification)",
        "no_size": "no offered dwelling has {size} for {who}.",
        "no_rent": "no offered dwelling with {size} is within the rent cap of {cap} for {who} "
        "({n} fit on size but cost more).",
        "no_access": "none of the dwellings that fit on size and rent is {need}.",
        "wheelchair": "wheelchair-accessible",
        "floor": "on floor {floor} or lower, or with a lift",
        "and": " and ",
        "not_available": "the {n} dwelling(s) that fit are not available before {date}.",
        "excluded": "every dwelling that fits is in an area the household excluded.",
        "refused": "the household refused every dwelling that fits.",
        "only_one": "the only dwelling that fits went to {names}",
        "all_taken": "all {n} dwellings that fit went to {names}",
        "tiers": "; this plan houses the most persons first (tier 1), then the most households "
        "outside concentrated areas (tier 2).",
        "still_free": "{n} that fit are still free, but ",
        "area_cap": "max_households_per_area = {k} is reached in {codes}",
        "headroom": "{p} more persons would push {codes} over the concentration threshold (LQ {t})",
        "building_cap": "max_per_complex = {k} is reached in {names}",
        "time_limit": "the plan was stopped by the time limit before this household could be "
        "placed",
    },
    "nl": {
        "placed": "Geplaatst",
        "pinned": "Vastgezet door de coördinator",
        "bedroom": "slaapkamer",
        "bedrooms": "slaapkamers",
        "no_stats": "in {area}, een gebied zonder cijfers voor de indicator",
        "concentrated": "in {area}, een geconcentreerd gebied (LQ {lq} ≥ {t}); ",
        "none_outside": "geen van de passende woningen ligt buiten geconcentreerde gebieden",
        "outside_taken": "de {n} die buiten geconcentreerde gebieden passen gingen naar andere "
        "huishoudens of vallen onder een plafond, en dit plan huisvest eerst zoveel mogelijk "
        "personen, daarna zoveel mogelijk huishoudens buiten geconcentreerde gebieden",
        "dwelling": "woning",
        "dwellings": "woningen",
        "not_concentrated": "in {area}, geen geconcentreerd gebied (LQ {lq} < {t})",
        "interests": "{served} van {total} interesses in de buurt",
        "wish": "in een voorkeursgebied",
        "fit": "geen ongebruikte slaapkamers",
        "waiting": "Wacht: ",
        "size_upto": "hoogstens {high} {rooms} (studio mag)",
        "size_range": "{low}–{high} slaapkamers",
        "person": "persoon",
        "persons": "personen",
        "reunion": " (incl. verwachte gezinshereniging)",
        "no_size": "geen aangeboden woning heeft {size} voor {who}.",
        "no_rent": "geen aangeboden woning met {size} blijft onder de huurgrens van {cap} voor "
        "{who} ({n} passen qua grootte maar zijn duurder).",
        "no_access": "geen van de woningen die qua grootte en huur passen is {need}.",
        "wheelchair": "rolstoeltoegankelijk",
        "floor": "op verdieping {floor} of lager, of met lift",
        "and": " en ",
        "not_available": "de {n} passende woning(en) zijn niet beschikbaar vóór {date}.",
        "excluded": "elke passende woning ligt in een gebied dat het huishouden uitsloot.",
        "refused": "het huishouden heeft elke passende woning geweigerd.",
        "only_one": "de enige passende woning ging naar {names}",
        "all_taken": "alle {n} passende woningen gingen naar {names}",
        "tiers": "; dit plan huisvest eerst zoveel mogelijk personen (niveau 1), daarna zoveel "
        "mogelijk huishoudens buiten geconcentreerde gebieden (niveau 2).",
        "still_free": "{n} die passen zijn nog vrij, maar ",
        "area_cap": "max_households_per_area = {k} is bereikt in {codes}",
        "headroom": "{p} personen meer zou {codes} over de concentratiedrempel brengen (LQ {t})",
        "building_cap": "max_per_complex = {k} is bereikt in {names}",
        "time_limit": "de berekening stopte op de tijdslimiet voordat dit huishouden geplaatst "
        "kon worden",
    },
}
LANGUAGES = tuple(TEXT)


def _euro(value: float) -> str:
    return f"€{value:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _count(n: int, noun: str, lang: str) -> str:
    return f"{n} {TEXT[lang][noun if n == 1 else noun + 's']}"


def _bedrooms(low: int, high: int, lang: str) -> str:
    if low == 0:
        rooms = TEXT[lang]["bedroom" if high == 1 else "bedrooms"]
        return TEXT[lang]["size_upto"].format(high=high, rooms=rooms)
    return TEXT[lang]["size_range"].format(low=low, high=high)


def _area(row: dict) -> str:
    name = row["area_name"] if isinstance(row["area_name"], str) else row["area_code"]
    return f"{name} ({row['area_code']})"


def _placed_reason(
    h: dict, d: dict, pair: dict, instance: Instance, outside_options: int, lang: str
) -> str:
    """Why this dwelling: spreading status first (the Münster KPI), then quality."""
    t = TEXT[lang]
    threshold = instance.policy.spreading.lq_threshold
    lq = d["lq"]
    area = _area(d)
    if np.isnan(lq):
        where = t["no_stats"].format(area=area)
    elif d["concentrated"]:
        where = t["concentrated"].format(area=area, lq=f"{lq:.2f}", t=threshold) + (
            t["none_outside"]
            if outside_options == 0
            else t["outside_taken"].format(n=_count(outside_options, "dwelling", lang))
        )
    else:
        where = t["not_concentrated"].format(area=area, lq=f"{lq:.2f}", t=threshold)
    extras = []
    interests = h["interests"] or ()
    if interests and pair["interest"] > 0:
        served = round(pair["interest"] * len(interests))
        extras.append(t["interests"].format(served=served, total=len(interests)))
    if pair["wishes"] > 0:
        extras.append(t["wish"])
    if pair["fit"] >= 1:
        extras.append(t["fit"])
    head = t["pinned"] if pair["pinned"] else t["placed"]
    rooms = _count(int(d["bedrooms"]), "bedroom", lang)
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


def _waiting_reason(index: int, h: dict, counts: dict, context: _Context, lang: str) -> str:
    """Why still waiting: the first rule that leaves nothing, else what took the rest."""
    t = TEXT[lang]
    instance = context.instance
    people = int(h["people"])
    low = int(min_bedrooms(np.array([people]))[0])
    high = low + instance.policy.occupancy.max_extra_bedrooms
    size = _bedrooms(low, high, lang)
    who = _count(people, "person", lang)
    if h.get("expected_reunification", 0):
        who += t["reunion"]
    caps = instance.policy.affordability
    cap = caps.cap_low if people <= 2 else caps.cap_high
    window_end = instance.date + dt.timedelta(days=instance.policy.matching.window_days)
    if counts["size"] == 0:
        return t["waiting"] + t["no_size"].format(size=size, who=who)
    if counts["fits_rent"] == 0:
        why = t["no_rent"].format(size=size, cap=_euro(cap), who=who, n=int(counts["size"]))
        return t["waiting"] + why
    if counts["fits_access"] == 0:
        need = t["wheelchair"] if h["needs_accessible"] else ""
        if pd.notna(h["max_floor"]):
            floor = t["floor"].format(floor=int(h["max_floor"]))
            need = f"{need}{t['and']}{floor}" if need else floor
        return t["waiting"] + t["no_access"].format(need=need)
    if counts["available"] == 0:
        n = int(counts["fits_access"])
        return t["waiting"] + t["not_available"].format(n=n, date=window_end.isoformat())
    if counts["not_excluded"] == 0:
        return t["waiting"] + t["excluded"]
    if counts["not_refused"] == 0:
        return t["waiting"] + t["refused"]

    mine = context.eligible.iloc[context.starts[index] : context.starts[index + 1]]
    free = mine[~context.taken[mine["dwelling"].to_numpy()]]
    n = len(mine)
    if free.empty:
        holders = context.holder[mine["dwelling"].to_numpy()]
        ids = instance.households["household_id"].to_numpy()[holders]
        names = ", ".join(sorted(set(ids.astype(str))))
        which = t["only_one" if n == 1 else "all_taken"].format(n=n, names=names)
        return t["waiting"] + which + t["tiers"]
    return t["waiting"] + _blocking_cap(free, context, lang) + "."


def _blocking_cap(free: pd.DataFrame, context: _Context, lang: str) -> str:
    """The caps that keep a household out of the dwellings still free for it.

    In an optimal plan at least one cap binds for every such dwelling:
    otherwise placing the household there would house more persons.
    """
    t = TEXT[lang]
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
        reasons.append(t["area_cap"].format(k=spreading.max_households_per_area, codes=codes))
    room = problem.area_max_persons[area]
    over = (room >= 0) & (placed_persons[area] + persons > room)
    if over.any():
        codes = ", ".join(sorted(set(d["area_code"][over])))
        reasons.append(t["headroom"].format(p=persons, codes=codes, t=spreading.lq_threshold))
    building = problem.dwelling_complex[d.index.to_numpy()]
    if problem.complex_max >= 0 and (building >= 0).any():
        per_building = context.per_building
        at_cap = (building >= 0) & (per_building[np.maximum(building, 0)] >= problem.complex_max)
        if at_cap.any():
            names = ", ".join(sorted(set(d["complex_id"][at_cap].astype(str))))
            reasons.append(t["building_cap"].format(k=problem.complex_max, names=names))
    if not reasons:
        return t["time_limit"]
    return t["still_free"].format(n=_count(len(d), "dwelling", lang)) + "; ".join(reasons)


def explain(instance: Instance, result: Result, lang: str = "en") -> pd.Series:
    """The reason sentence for each household, in input order, in ``lang`` (en or nl)."""
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
                    lang,
                )
            )
        else:
            reasons.append(_waiting_reason(index, households[index], funnel[index], context, lang))
    return pd.Series(reasons, index=instance.households.index, name="reason")
