"""One plain-language sentence per household: why this dwelling, or why still waiting.

A coordinator has to tell each household, the corporation and the council why
a decision was made. The sentences name the rule or cap that decided it, with
the numbers, and identify households only by the id the user gave.

The sentences are written in English and translated through the one message
catalogue (:mod:`allocatie.i18n`), in the language of the current context:
Dutch for a coordinator's run, English with ``--lang en``. Whole sentences are
translated rather than glued fragments, so that Dutch word order and plurals
(``ngettext``) come out right; numbers and rents follow the language too
(``LQ 1,82``, ``€ 651,03``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from allocatie.i18n import _, money, ngettext, number, use_language
from allocatie.model.builder import Instance
from allocatie.model.eligibility import min_bedrooms
from allocatie.solve import Result


def waiting_prefix() -> str:
    """The words a waiting household's reason starts with ("Waiting: " / "Wacht: ").

    The terminal table has a column that already says "why waiting", so it
    shows the reason without them.
    """
    return _waiting("")


def _waiting(why: str) -> str:
    return _("Waiting: {why}").format(why=why)


def _lq(value: float) -> str:
    return number(value, 2)


def _bedrooms(low: int, high: int) -> str:
    """The sizes that fit: "1–3 bedrooms", or "at most 2 bedrooms (studio allowed)"."""
    if low == 0:
        return ngettext(
            "at most {high} bedroom (studio allowed)",
            "at most {high} bedrooms (studio allowed)",
            high,
        ).format(high=high)
    return _("{low}–{high} bedrooms").format(low=low, high=high)


def _area(row: dict) -> str:
    name = row["area_name"] if isinstance(row["area_name"], str) else row["area_code"]
    return f"{name} ({row['area_code']})"


def _where(d: dict, threshold: float, outside_options: int) -> str:
    """Where the dwelling lies, judged by the spreading rule (the Münster KPI)."""
    area, lq = _area(d), d["lq"]
    if np.isnan(lq):
        return _("in {area}, an area without statistics for the indicator").format(area=area)
    values = {"area": area, "lq": _lq(lq), "threshold": number(threshold), "n": outside_options}
    if not d["concentrated"]:
        return _("in {area}, not a concentrated area (LQ {lq} < {threshold})").format(**values)
    if outside_options == 0:
        return _(
            "in {area}, a concentrated area (LQ {lq} ≥ {threshold}); none of the dwellings "
            "that fit lies outside concentrated areas"
        ).format(**values)
    return ngettext(
        "in {area}, a concentrated area (LQ {lq} ≥ {threshold}); the {n} dwelling that fits "
        "outside concentrated areas went to another household or is held back by a cap, and "
        "this plan houses the most persons first, then the most households outside "
        "concentrated areas",
        "in {area}, a concentrated area (LQ {lq} ≥ {threshold}); the {n} dwellings that fit "
        "outside concentrated areas went to other households or are held back by caps, and "
        "this plan houses the most persons first, then the most households outside "
        "concentrated areas",
        outside_options,
    ).format(**values)


def _qualities(h: dict, pair: dict, ranked_interests: bool = False) -> list[str]:
    """What else is good about the match (tier 3), in words."""
    extras = []
    interests = h["interests"] or ()
    if interests and pair["interest"] > 0 and ranked_interests:
        extras.append(_("interests served nearby (the first-ranked counting most)"))
    elif interests and pair["interest"] > 0:
        served = round(pair["interest"] * len(interests))
        extras.append(
            ngettext(
                "{served} of {total} interest served nearby",
                "{served} of {total} interests served nearby",
                len(interests),
            ).format(served=served, total=len(interests))
        )
    rank = int(pair["wish_rank"]) if pair["wish_rank"] == pair["wish_rank"] else 0  # NaN: none
    if rank == 1:
        extras.append(_("in the household's first-choice area"))
    elif rank > 1:
        extras.append(_("in wished area no. {rank}").format(rank=rank))
    if pair["fit"] >= 1:
        extras.append(_("no spare bedrooms"))
    return extras


def _placed_reason(h: dict, d: dict, pair: dict, instance: Instance, outside_options: int) -> str:
    """Why this dwelling: spreading status first (the Münster KPI), then quality."""
    rooms = int(d["bedrooms"])
    values = {
        "dwelling": d["dwelling_id"],
        "rooms": ngettext("{n} bedroom", "{n} bedrooms", rooms).format(n=rooms),
        "rent": money(d["rent"]),
        "where": _where(d, instance.policy.spreading.lq_threshold, outside_options),
    }
    if pair["pinned"]:
        sentence = _("Pinned by the coordinator: {dwelling} ({rooms}, {rent}) {where}")
    else:
        sentence = _("Placed: {dwelling} ({rooms}, {rent}) {where}")
    sentence = sentence.format(**values)
    extras = _qualities(h, pair, instance.policy.weights.interests_ranked)
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


def _who(h: dict) -> str:
    """The persons the dwelling must fit, with the reunification they include."""
    people = int(h["people"])
    who = ngettext("{n} person", "{n} persons", people).format(n=people)
    if h.get("expected_reunification", 0):
        who = _("{who} (incl. expected reunification)").format(who=who)
    return who


def _access_need(h: dict) -> str:
    """The accessibility a household needs, in words (wheelchair, floor limit or both)."""
    needs = []
    if h["needs_accessible"]:
        needs.append(_("wheelchair-accessible"))
    if pd.notna(h["max_floor"]):
        needs.append(
            _("on floor {floor} or lower, or with a lift").format(floor=int(h["max_floor"]))
        )
    if len(needs) == 2:
        return _("{first} and {second}").format(first=needs[0], second=needs[1])
    return needs[0] if needs else ""


def _filtered_out(h: dict, counts: dict, instance: Instance) -> str | None:
    """The first rule that leaves no dwelling for the household, in words; else ``None``."""
    people = int(h["people"])
    low = int(min_bedrooms(np.array([people]))[0])
    size = _bedrooms(low, low + instance.policy.occupancy.max_extra_bedrooms)
    caps = instance.policy.affordability
    cap = caps.cap_for(people)
    if counts["size"] == 0:
        return _("no offered dwelling has {size} for {who}.").format(size=size, who=_who(h))
    if counts["fits_rent"] == 0:
        n = int(counts["size"])
        return ngettext(
            "no offered dwelling with {size} is within the rent cap of {cap} for {who} "
            "({n} fits on size but costs more).",
            "no offered dwelling with {size} is within the rent cap of {cap} for {who} "
            "({n} fit on size but cost more).",
            n,
        ).format(size=size, cap=money(cap), who=_who(h), n=n)
    if counts["fits_access"] == 0:
        return _("none of the dwellings that fit on size and rent is {need}.").format(
            need=_access_need(h)
        )
    if counts["available"] == 0:
        n = int(counts["fits_access"])
        window_end = instance.date + dt.timedelta(days=instance.policy.matching.window_days)
        return ngettext(
            "the {n} dwelling that fits is not available before {date}.",
            "the {n} dwellings that fit are not available before {date}.",
            n,
        ).format(n=n, date=window_end.isoformat())
    if counts["not_excluded"] == 0:
        return _("every dwelling that fits is in an area the household excluded.")
    if counts["not_refused"] == 0:
        return _("the household refused every dwelling that fits.")
    if counts.get("keeps_binding", 1) == 0:
        return _(
            "every dwelling that fits lies in another municipality of the region, and the "
            "household's binding (work, study, family or care) keeps it in its own."
        )
    return None


def _waiting_reason(index: int, h: dict, counts: dict, context: _Context) -> str:
    """Why still waiting: the first rule that leaves nothing, else what took the rest."""
    rule = _filtered_out(h, counts, context.instance)
    if rule is not None:
        return _waiting(rule)
    mine = context.eligible.iloc[context.starts[index] : context.starts[index + 1]]
    free = mine[~context.taken[mine["dwelling"].to_numpy()]]
    if not free.empty:
        return _waiting(_blocking_cap(free, context) + ".")
    holders = context.holder[mine["dwelling"].to_numpy()]
    ids = context.instance.households["household_id"].to_numpy()[holders]
    names = ", ".join(sorted(set(ids.astype(str))))
    if len(mine) == 1:
        taken = _(
            "the only dwelling that fits went to {names}; this plan houses the most persons "
            "first (tier 1), then the most households outside concentrated areas (tier 2)."
        )
    else:
        taken = _(
            "all {n} dwellings that fit went to {names}; this plan houses the most persons "
            "first (tier 1), then the most households outside concentrated areas (tier 2)."
        )
    return _waiting(taken.format(n=len(mine), names=names))


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
            _("max_households_per_area = {k} is reached in {codes}").format(
                k=spreading.max_households_per_area, codes=codes
            )
        )
    room = problem.area_max_persons[area]
    over = (room >= 0) & (placed_persons[area] + persons > room)
    if over.any():
        codes = ", ".join(sorted(set(d["area_code"][over])))
        reasons.append(
            ngettext(
                "{p} more person would push {codes} over the concentration threshold "
                "(LQ {threshold})",
                "{p} more persons would push {codes} over the concentration threshold "
                "(LQ {threshold})",
                persons,
            ).format(p=persons, codes=codes, threshold=number(spreading.lq_threshold))
        )
    building = problem.dwelling_complex[d.index.to_numpy()]
    if problem.complex_max >= 0 and (building >= 0).any():
        per_building = context.per_building
        at_cap = (building >= 0) & (per_building[np.maximum(building, 0)] >= problem.complex_max)
        if at_cap.any():
            names = ", ".join(sorted(set(d["complex_id"][at_cap].astype(str))))
            reasons.append(
                _("max_per_complex = {k} is reached in {names}").format(
                    k=problem.complex_max, names=names
                )
            )
    if not reasons:
        return _("the plan was stopped by the time limit before this household could be placed")
    return ngettext(
        "{n} dwelling that fits is still free, but {caps}",
        "{n} dwellings that fit are still free, but {caps}",
        len(d),
    ).format(n=len(d), caps="; ".join(reasons))


def explain(instance: Instance, result: Result, lang: str | None = None) -> pd.Series:
    """The reason sentence for each household, in input order.

    Parameters
    ----------
    instance, result
        The matching and its solution.
    lang
        ``"nl"`` or ``"en"``; ``None`` (the default) writes in the language of
        the current context (:func:`allocatie.i18n.use_language`), which is how
        the commands choose it once for every output of a run.
    """
    with use_language(lang) if lang is not None else contextlib.nullcontext():
        return _reasons(instance, result)


def _reasons(instance: Instance, result: Result) -> pd.Series:
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
    parts = selected[["interest", "wishes", "wish_rank", "fit", "pinned"]].to_dict("records")
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
    if instance.policy.region.pooling:  # a herkoppeling says why not at home first
        for index, prefix in _herkoppelingen(instance, assignment).items():
            reasons[index] = prefix + reasons[index]
    return pd.Series(reasons, index=instance.households.index, name="reason")


def _herkoppelingen(instance: Instance, assignment: np.ndarray) -> dict[int, str]:
    """For each household housed outside its municipality: where, and why not at home.

    The first of: no dwelling at home fits on size; none of those is within the
    rent cap; none passes the other rules; else the ones that fit went to other
    households, for more persons housed or a fairer share in the region.
    """
    households, dwellings = instance.households, instance.dwellings
    if "gemeente_code" not in households.columns:
        return {}
    home = households["gemeente_code"].astype(object).to_numpy()
    there = dwellings["gemeente_code"].astype(object).to_numpy()
    names = dwellings.get("gemeente_name", dwellings["gemeente_code"]).astype(object).to_numpy()
    home_names = households.get("gemeente_name", households["gemeente_code"]).astype(object)
    placed = np.flatnonzero(assignment >= 0)
    moved = placed[pd.notna(home[placed]) & (home[placed] != there[assignment[placed]])]
    if not len(moved):
        return {}
    pairs = instance.pairs
    mine = pairs[pairs["household"].isin(moved)]
    mine = mine[there[mine["dwelling"].to_numpy()] == home[mine["household"].to_numpy()]]
    extra = instance.policy.occupancy.max_extra_bedrooms
    out = {}
    for index in moved.tolist():
        at_home = mine[mine["household"] == index]
        people = int(households["people"].iloc[index])
        low = int(min_bedrooms(np.array([people]))[0])
        size = _bedrooms(low, low + extra)
        where = {"home": home_names.iloc[index], "size": size}
        if at_home.empty:
            why = _("in {home} no offered dwelling had {size}").format(**where)
        elif not at_home["fits_rent"].any():
            why = _("in {home} no dwelling with {size} was within the rent cap").format(**where)
        elif not at_home["eligible"].any():
            why = _(
                "in {home} no dwelling that fits on size and rent passed the other rules"
            ).format(**where)
        else:
            n = int(at_home["eligible"].sum())
            why = ngettext(
                "in {home} the {n} dwelling that fits went to another household, so that "
                "the region houses the most persons, shared fairly between its municipalities",
                "in {home} the {n} dwellings that fit went to other households, so that "
                "the region houses the most persons, shared fairly between its municipalities",
                n,
            ).format(n=n, **where)
        out[index] = _("Housed in {there} (herkoppeling): {why}; ").format(
            there=names[assignment[index]], why=why
        )
    return out
