""" "Why not this dwelling?": the rule, cap or competitor that kept a household from it.

In the meeting a corporation asks why its dwelling went to someone else, or a
coordinator why a family did not get the house it hoped for. The answer must
name what decided, with the numbers, in the order a coordinator would check:

1. the dwelling is not on the table this month (let already, its building
   full for the period, not offered), or the household is not (housed);
2. a hard rule (DESIGN §3): size, rent cap, accessibility, the matching
   window, an excluded area, an earlier refusal — the first that fails;
3. a promise: the household or the dwelling is pinned to another;
4. otherwise the pair is eligible, and the plan is *optimal*: giving this
   household this dwelling is solved for (the pair held fixed), and the
   answer is the first tier that loses — persons housed, households outside
   concentrated areas, quality — with the households that would lose their
   dwelling, or the cap that the pair would break.

The function reads an :class:`~allocatie.model.builder.Instance` and its
:class:`~allocatie.solve.Result` only, so it can move to ``allocatie why``
unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from allocatie.i18n import money, number, use_language
from allocatie.model.builder import Instance
from allocatie.model.eligibility import min_bedrooms
from allocatie.solve import Result, Status, solve

__all__ = ["Why", "why_not"]


@dataclass(frozen=True)
class Why:
    """The answer: what decided (``kind``) and the sentence that says it, in Dutch.

    ``kind`` is one of ``offer``, ``household``, ``proposed``, ``size``,
    ``fits_rent``, ``fits_access``, ``available``, ``not_excluded``,
    ``not_refused``, ``pin``, ``cap``, ``tier1``, ``tier2``, ``tier3`` or
    ``tie``; ``losers`` lists the households that would lose their dwelling (the
    sentence only counts them: a screen shows the ids to those who may see them).
    """

    kind: str
    text: str
    losers: tuple[str, ...] = ()


def _index(values: object, wanted: str) -> int | None:
    found = np.flatnonzero(np.asarray(values).astype(str) == wanted)
    return int(found[0]) if len(found) == 1 else None


def _persons(n: int) -> str:
    return f"{n} persoon" if n == 1 else f"{n} personen"


def _rooms(n: int) -> str:
    return f"{n} slaapkamer" if n == 1 else f"{n} slaapkamers"


def _rule(instance: Instance, h: int, d: int, row: Mapping[str, object]) -> Why | None:
    """The first hard rule the pair breaks, or ``None``."""
    household = instance.households.iloc[h]
    dwelling = instance.dwellings.iloc[d]
    people = int(household["people"])
    policy = instance.policy
    if not row["fits_rent"]:
        cap = policy.affordability.cap_low if people <= 2 else policy.affordability.cap_high
        return Why(
            "fits_rent",
            f"Huur: {money(float(dwelling['rent']))} is boven de huurgrens van {money(cap)} "
            f"voor {_persons(people)} (passend toewijzen).",
        )
    if not row["fits_access"]:
        needs = []
        if bool(household["needs_accessible"]) and not bool(dwelling["accessible"]):
            needs.append("het huishouden heeft een rolstoeltoegankelijke woning nodig")
        floor = household["max_floor"]
        if floor == floor and floor is not None:  # not NaN
            needs.append(
                f"het huishouden kan hoogstens verdieping {int(floor)} bereiken zonder lift; "
                f"deze woning is op verdieping {int(dwelling['floor'])} zonder lift"
            )
        return Why("fits_access", "Toegankelijkheid: " + "; ".join(needs) + ".")
    if not row["available"]:
        last = instance.date + dt.timedelta(days=policy.matching.window_days)
        available = dwelling["available_from"]
        when = available.date().isoformat() if hasattr(available, "date") else str(available)
        return Why(
            "available",
            f"Beschikbaarheid: de woning komt vrij op {when}, na het einde van het "
            f"matchingvenster ({last.isoformat()}, window_days = {policy.matching.window_days}).",
        )
    if not row["not_excluded"]:
        return Why(
            "not_excluded",
            f"Uitgesloten gebied: de woning ligt in {dwelling['area_name']} "
            f"({dwelling['area_code']}), een gebied dat het huishouden heeft uitgesloten.",
        )
    if not row["not_refused"]:
        return Why("not_refused", "Weigering: het huishouden heeft deze woning eerder geweigerd.")
    return None


def _size(instance: Instance, h: int, d: int) -> Why:
    household = instance.households.iloc[h]
    people = int(household["people"])
    low = int(min_bedrooms(np.array([people]))[0])
    extra = instance.policy.occupancy.max_extra_bedrooms
    bedrooms = int(instance.dwellings.iloc[d]["bedrooms"])
    reunion = (
        " (incl. verwachte gezinshereniging)" if household["people"] > household["persons"] else ""
    )
    return Why(
        "size",
        f"Grootte: de woning heeft {_rooms(bedrooms)}; voor {_persons(people)}{reunion} "
        f"passen {low}–{low + extra} slaapkamers (max_extra_bedrooms = {extra}).",
    )


def _caps(instance: Instance, result: Result, h: int, d: int) -> list[str]:
    """The caps of the dwelling's area and building that are full without this household."""
    problem = instance.problem
    selected = np.asarray(result.selected, dtype=bool).copy()
    selected &= problem.pair_household != h  # as if this household were not placed
    chosen = problem.pair_dwelling[selected]
    area = int(problem.dwelling_area[d])
    code = str(instance.area_codes[area])
    out = []
    cap = int(problem.area_max_households[area])
    placed = int(np.sum(problem.dwelling_area[chosen] == area))
    if cap >= 0 and placed >= cap:
        out.append(
            f"max_households_per_area = {instance.policy.spreading.max_households_per_area} is "
            f"bereikt in {code} (nog {cap} deze periode, {placed} in dit plan)"
        )
    room = int(problem.area_max_persons[area])
    persons = int(instance.households.iloc[h]["persons"])
    in_area = problem.dwelling_area[problem.pair_dwelling] == area
    used = int(problem.pair_persons[selected & in_area].sum())
    if room >= 0 and used + persons > room:
        out.append(
            f"{_persons(persons)} meer zou {code} over de concentratiegrens brengen "
            f"(LQ {number(instance.policy.spreading.lq_threshold)}; nog ruimte voor "
            f"{max(room - used, 0)} personen)"
        )
    building = int(problem.dwelling_complex[d])
    if building >= 0 and problem.complex_max >= 0:
        in_building = int(np.sum(problem.dwelling_complex[chosen] == building))
        if in_building >= problem.complex_max:
            name = instance.dwellings.iloc[d]["complex_id"]
            out.append(f"max_per_complex = {problem.complex_max} is bereikt in complex {name}")
    return out


def _with_pair(instance: Instance, pair: int) -> Result | None:
    """The best plan in which this pair is held fixed (``None`` when none exists)."""
    problem = instance.problem
    h, d = problem.pair_household[pair], problem.pair_dwelling[pair]
    pinned = problem.pair_pinned.copy()
    pinned[(problem.pair_household == h) | (problem.pair_dwelling == d)] = False
    pinned[pair] = True
    forced = problem.replace(pair_pinned=pinned)
    if forced.violations(pinned):
        return None
    result = solve(forced, instance.policy.solver)
    return None if result.status == Status.INFEASIBLE else result


def _losers(instance: Instance, before: Result, after: Result, h: int) -> tuple[str, ...]:
    old = before.assignment(instance.problem)
    new = after.assignment(instance.problem)
    ids = instance.households["household_id"].astype(str).to_numpy()
    lost = (old >= 0) & (new < 0)
    lost[h] = False
    return tuple(ids[lost])


def _tiers(instance: Instance, result: Result, h: int, d: int, pair: int) -> Why:
    """Compare the plan with the best plan that gives this household this dwelling."""
    holder = result.assignment(instance.problem)
    ids = instance.households["household_id"].astype(str).to_numpy()
    owner = np.flatnonzero(holder == d)
    competitor = f"In dit plan gaat de woning naar {ids[owner[0]]}. " if len(owner) else ""
    caps = _caps(instance, result, h, d)
    other = _with_pair(instance, pair)
    if other is None:
        why = "; ".join(caps) or "een plafond van het beleid"
        return Why("cap", f"{competitor}Plafond: {why}.")
    losers = _losers(instance, result, other, h)
    lost = f" ({len(losers)} huishouden(s) zou(den) dan wachten)" if losers else ""
    capped = f" Plafond: {'; '.join(caps)}." if caps else ""
    t1, t2, t3 = (int(a - b) for a, b in zip(result.objective, other.objective))
    if t1 > 0:
        return Why(
            "tier1",
            f"{competitor}Met deze woning voor dit huishouden krijgen {_persons(t1)} minder een "
            f"woning{lost}: het plan huisvest eerst zoveel mogelijk personen (niveau 1).{capped}",
            losers,
        )
    if t2 > 0:
        return Why(
            "tier2",
            f"{competitor}Met deze woning voor dit huishouden wonen {t2} huishouden(s) minder "
            "buiten geconcentreerde gebieden: dat weegt na het aantal personen het zwaarst "
            f"(niveau 2).{capped}",
            losers,
        )
    if t3 > 0:
        return Why(
            "tier3",
            f"{competitor}Met deze woning voor dit huishouden is het plan minder passend "
            f"(niveau 3: interesses in de buurt, wensen, geen ongebruikte slaapkamers, "
            f"wachttijd; {t3} {'punt' if t3 == 1 else 'punten'} lager).{capped}",
            losers,
        )
    return Why(
        "tie",
        f"{competitor}Deze woning zou even goed zijn: het plan is op alle drie de niveaus gelijk; "
        "de keuze viel op volgorde. Zet hem vast als het overleg dat wil.",
        losers,
    )


def why_not(
    instance: Instance,
    result: Result,
    household_id: str,
    dwelling_id: str,
    removed: Mapping[str, str] | None = None,
) -> Why:
    """Why ``household_id`` does not get ``dwelling_id`` in this plan (in Dutch).

    Parameters
    ----------
    instance, result
        The plan as solved.
    household_id, dwelling_id
        The pair asked about.
    removed
        Ids the ledger kept off the table this month, with the reason
        (:attr:`allocatie.ledger.monthly.LedgerMonth.removed`).
    """
    removed = removed or {}
    with use_language("nl"):
        h = _index(instance.households["household_id"], household_id)
        d = _index(instance.dwellings["dwelling_id"], dwelling_id)
        if h is None:
            why = removed.get(household_id, "het huishouden staat niet in dit plan")
            return Why("household", f"Huishouden: {why}.")
        if d is None:
            why = removed.get(dwelling_id, "de woning staat niet in het aanbod van deze maand")
            return Why("offer", f"Aanbod: {why}.")
        if result.assignment(instance.problem)[h] == d:
            return Why("proposed", "Dit is de woning die het plan dit huishouden geeft.")
        pairs = instance.pairs
        match = np.flatnonzero(
            (pairs["household"].to_numpy() == h) & (pairs["dwelling"].to_numpy() == d)
        )
        if not len(match):
            return _size(instance, h, d)
        row = pairs.iloc[int(match[0])]
        broken = _rule(instance, h, d, row.to_dict())
        if broken is not None:
            return broken
        pair = int(row["problem_index"])
        problem = instance.problem
        pinned = problem.pair_pinned
        own_pin = np.flatnonzero(pinned & (problem.pair_household == h))
        if len(own_pin):
            other = instance.dwellings.iloc[int(problem.pair_dwelling[own_pin[0]])]["dwelling_id"]
            return Why("pin", f"Vastgezet: dit huishouden is vastgezet op woning {other}.")
        their_pin = np.flatnonzero(pinned & (problem.pair_dwelling == d))
        if len(their_pin):
            ids = instance.households["household_id"].astype(str).to_numpy()
            return Why(
                "pin",
                "Vastgezet: deze woning is toegezegd aan "
                f"{ids[int(problem.pair_household[their_pin[0]])]}.",
            )
        return _tiers(instance, result, h, d, pair)
