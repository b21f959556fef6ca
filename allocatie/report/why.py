""" "Why not me?": the rule, cap, promise or competitor that kept a household from a dwelling.

In the meeting a corporation asks why its dwelling went to someone else, a
coordinator why a family did not get the house it hoped for, and the family
asks it too. The answer is one plain sentence that names what decided, with
the numbers, in the order a coordinator would check:

1. the dwelling is not on the table this month (let already, its building
   full for the period, not offered), or the household is not;
2. a hard rule (DESIGN §3): size, rent cap, accessibility, the matching
   window, an excluded area, an earlier refusal — the first that fails;
3. a promise: the household or the dwelling is pinned to another;
4. otherwise the pair is eligible, and the plan is *optimal*: the best plan
   that gives this household this dwelling is solved for (the pair held
   fixed), and the answer is the first tier that loses — persons housed,
   households outside concentrated areas, quality — or the cap the pair
   would break, with the household that has the dwelling now.

Only the independent part of the problem that holds the pair
(:mod:`allocatie.solve.split`) is solved again: no constraint links the parts,
so the other parts' plans and tier values cannot change, and on a national
problem a part is a city, not the country. :class:`Explainer` keeps the parts
of one plan for many questions (the workbook's sheet of alternatives,
:func:`alternatives`); :func:`why_not` asks one.

Another household is named only by its ``household_id``, and only when the
caller says its reader may see it (``others=True``: the coordinator's command
and workbook, the web meeting's screens, which only ask about dwellings the
user may see); otherwise the sentence says "another household". The
households that would lose their dwelling are counted in the sentence and
listed in :attr:`Why.losers` for a screen that may show them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from allocatie.i18n import _, money, ngettext, number, use_language
from allocatie.model.builder import Instance
from allocatie.model.eligibility import RULES, min_bedrooms
from allocatie.model.problem import ProblemData
from allocatie.solve import Result, Status, solve_part
from allocatie.solve.split import part_of_pairs, subproblem

__all__ = [
    "ALTERNATIVES",
    "ALTERNATIVES_SOLVES",
    "SOLVED_KINDS",
    "Explainer",
    "Why",
    "alternatives",
    "why_not",
]

#: Eligible dwellings shown per waiting household in the workbook, best first by its own wish.
ALTERNATIVES = 3
#: At most this many re-solves for the workbook's alternatives (the longest-waiting
#: households first), so the sheet costs a run little: on the national instance each
#: is a city's part, and 120 (88 of its 170 waiting households) add 0.2-0.3 s CPU to a
#: read-to-report of about 4.5 s, all 170 about 1 s; the sheet says when it stopped.
ALTERNATIVES_SOLVES = 120

#: The kinds whose answer comes from solving with the pair held fixed (the pair is eligible).
SOLVED_KINDS = ("cap", "tier1", "tier2", "tier3", "tie", "stability", "better")


@dataclass(frozen=True)
class Why:
    """The answer: what decided (``kind``) and the one sentence that says it.

    ``kind`` is one of ``offer``, ``household``, ``proposed``, ``size``, a
    rule of :data:`~allocatie.model.eligibility.RULES` (``fits_rent``,
    ``fits_access``, ``available``, ``not_excluded``, ``not_refused``,
    ``keeps_binding``), ``pin``, ``cap``, ``tier1``, ``tier2``, ``tier3``, ``tie``
    (equal on every tier), ``stability`` (equal on tiers 1–2; the stability pass
    of :mod:`allocatie.solve.stable` chose by the households' own wishes) or
    ``better`` (the plan was not proven optimal, and this pair would improve
    it); ``losers`` lists the households that would lose their dwelling (the
    sentence only counts them: a screen shows the ids to those who may see
    them).
    """

    kind: str
    text: str
    losers: tuple[str, ...] = ()


def _persons(n: int) -> str:
    return ngettext("{n} person", "{n} persons", n).format(n=number(n))


def _households(n: int) -> str:
    return ngettext("{n} household", "{n} households", n).format(n=number(n))


def _rooms(n: int) -> str:
    return ngettext("{n} bedroom", "{n} bedrooms", n).format(n=number(n))


def _sentence(text: str) -> str:
    """``text`` with a capital first letter (a clause moved to the front)."""
    return text[:1].upper() + text[1:]


@contextlib.contextmanager
def _language(lang: str | None) -> Iterator[None]:
    with use_language(lang) if lang is not None else contextlib.nullcontext():
        yield


@dataclass(frozen=True)
class _Solved:
    """The pair held fixed in its part: tiers before and after, who would lose, or no plan."""

    before: tuple[int, int, int]
    after: tuple[int, int, int] | None
    losers: np.ndarray


class Explainer:
    """Answers "why not?" for many pairs of one plan, the plan's parts computed once.

    Parameters
    ----------
    instance, result
        The plan as solved.
    removed
        Ids the ledger kept off the table this month, with the reason
        (:attr:`allocatie.ledger.monthly.LedgerMonth.removed`).
    others
        Whether the sentence may name another household (by its id); else it
        says "another household".
    lang
        Language of the sentences; ``None`` for the current context's.
    """

    def __init__(
        self,
        instance: Instance,
        result: Result,
        removed: Mapping[str, str] | None = None,
        *,
        others: bool = False,
        lang: str | None = None,
    ) -> None:
        self.instance = instance
        self.result = result
        self.removed = dict(removed or {})
        self.others = others
        self.lang = lang
        self.solves = 0  # re-solves so far, for a caller that budgets them

    # -- lookups, made once per plan ------------------------------------------------------

    @cached_property
    def household_ids(self) -> np.ndarray:
        """The households' ids, by position."""
        return self.instance.households["household_id"].astype(str).to_numpy()

    @cached_property
    def dwelling_ids(self) -> np.ndarray:
        """The dwellings' ids, by position."""
        return self.instance.dwellings["dwelling_id"].astype(str).to_numpy()

    @cached_property
    def _household_index(self) -> dict[str, int]:
        return _unique_index(self.household_ids)

    @cached_property
    def _dwelling_index(self) -> dict[str, int]:
        return _unique_index(self.dwelling_ids)

    @cached_property
    def assignment(self) -> np.ndarray:
        """Dwelling index per household in the plan, ``-1`` when it waits."""
        return self.result.assignment(self.instance.problem)

    @cached_property
    def _holder(self) -> np.ndarray:
        """Household index per dwelling in the plan, ``-1`` when it stays empty."""
        out = np.full(len(self.dwelling_ids), -1, dtype=np.int64)
        placed = np.flatnonzero(self.assignment >= 0)
        out[self.assignment[placed]] = placed
        return out

    @cached_property
    def _pair_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Sorted ``household × dwellings + dwelling`` keys of the pairs table, and their rows."""
        pairs = self.instance.pairs
        key = pairs["household"].to_numpy(np.int64) * max(len(self.dwelling_ids), 1)
        key = key + pairs["dwelling"].to_numpy(np.int64)
        order = np.argsort(key, kind="stable")
        return key[order], order

    @cached_property
    def _parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Part of each pair, the pairs sorted by part, and where each part starts."""
        part = part_of_pairs(self.instance.problem)
        order = np.argsort(part, kind="stable")
        starts = np.searchsorted(part[order], np.arange(int(part.max(initial=-1)) + 2))
        return part, order, starts

    def _row(self, h: int, d: int) -> int | None:
        keys, rows = self._pair_rows
        key = h * max(len(self.dwelling_ids), 1) + d
        at = int(np.searchsorted(keys, key))
        return int(rows[at]) if at < len(keys) and keys[at] == key else None

    # -- the answer -------------------------------------------------------------------------

    def why(self, household_id: str, dwelling_id: str) -> Why:
        """Why ``household_id`` does not get ``dwelling_id`` in this plan (one sentence)."""
        with _language(self.lang):
            h = self._household_index.get(household_id)
            d = self._dwelling_index.get(dwelling_id)
            if h is None:
                reason = self.removed.get(household_id, _("the household is not in this plan"))
                return Why("household", _("Household: {why}.").format(why=reason))
            if d is None:
                reason = self.removed.get(
                    dwelling_id, _("the dwelling is not in this month's offer")
                )
                return Why("offer", _("Offer: {why}.").format(why=reason))
            return self._explain(h, d)

    def why_index(self, h: int, d: int) -> Why:
        """:meth:`why` for household ``h`` and dwelling ``d`` by their positions."""
        with _language(self.lang):
            return self._explain(h, d)

    @cached_property
    def _pins(self) -> tuple[np.ndarray, np.ndarray]:
        """The dwelling each household is pinned to, and the household each dwelling is."""
        problem = self.instance.problem
        pinned = np.flatnonzero(problem.pair_pinned)
        dwelling_of = np.full(problem.n_households, -1, dtype=np.int64)
        household_of = np.full(problem.n_dwellings, -1, dtype=np.int64)
        dwelling_of[problem.pair_household[pinned]] = problem.pair_dwelling[pinned]
        household_of[problem.pair_dwelling[pinned]] = problem.pair_household[pinned]
        return dwelling_of, household_of

    @cached_property
    def _rules(self) -> dict[str, np.ndarray]:
        """The pairs table's rule columns and problem index, as arrays (rows by position)."""
        pairs = self.instance.pairs
        return {c: pairs[c].to_numpy() for c in (*RULES, "problem_index")}

    def _explain(self, h: int, d: int) -> Why:
        if self.assignment[h] == d:
            return Why("proposed", _("This is the dwelling the plan gives this household."))
        row = self._row(h, d)
        if row is None:
            return _size(self.instance, h, d)
        broken = next((rule for rule in RULES if not self._rules[rule][row]), None)
        if broken is not None:
            return _rule(self.instance, h, d, broken)
        dwelling_of, household_of = self._pins
        if dwelling_of[h] >= 0:
            other = self.dwelling_ids[int(dwelling_of[h])]
            return Why(
                "pin",
                _("Pinned: this household is pinned to dwelling {dwelling}.").format(
                    dwelling=other
                ),
            )
        if household_of[d] >= 0:
            if self.others:
                text = _("Pinned: this dwelling is promised to {household}.").format(
                    household=self.household_ids[int(household_of[d])]
                )
            else:
                text = _("Pinned: this dwelling is promised to another household.")
            return Why("pin", text)
        return self._tiers(h, d, int(self._rules["problem_index"][row]))

    def _holder_text(self, d: int) -> str:
        owner = int(self._holder[d])
        if owner < 0:
            return _("the dwelling stays empty in this plan")
        if not self.others:
            return _("the dwelling goes to another household in this plan")
        return _("the dwelling goes to {household} in this plan").format(
            household=self.household_ids[owner]
        )

    def _tiers(self, h: int, d: int, pair: int) -> Why:
        """Compare the plan with the best plan that gives this household this dwelling."""
        holder = self._holder_text(d)
        part = self._part(pair)
        caps = _caps(self.instance, self.result, h, d, part)
        solved = self._with_pair(part, pair)
        if solved.after is None:
            full = "; ".join(caps) or _("a cap of the policy leaves no plan with this pair")
            text = _(
                "Cap: {holder}, and this household cannot get it because a cap is full: {caps}."
            ).format(holder=holder, caps=full)
            return Why("cap", text)
        losers = tuple(self.household_ids[solved.losers])
        lost = ""
        if losers:
            lost = ngettext(
                ", and {n} household would wait instead",
                ", and {n} households would wait instead",
                len(losers),
            ).format(n=number(len(losers)))
        capped = _("; a cap binds as well: {caps}").format(caps="; ".join(caps)) if caps else ""
        loss = [b - a for b, a in zip(solved.before, solved.after)]
        tier = next((i for i, x in enumerate(loss) if x != 0), None)
        values = {"holder": holder, "lost": lost, "capped": capped}
        if tier is None:
            text = _(
                "{holder}; this dwelling would be just as good for this household (equal on "
                "all three tiers), so the order of the lists decided; pin it if the meeting "
                "wants it{capped}."
            )
            return Why("tie", _sentence(text.format(**values)), losers)
        stability = self.result.stability  # what the stability pass did, if it ran
        if loss[tier] < 0 and tier == 2 and stability is not None and stability.tier3_cost > 0:
            text = _(
                "{holder}; with this dwelling for this household the plan would be as good on "
                "tiers 1 and 2, and between such plans the households' own wishes decide (no "
                "two households who would both rather trade, none who would rather have an "
                "empty dwelling); pin it if the meeting wants it{capped}."
            )
            return Why("stability", _sentence(text.format(**values)), losers)
        if loss[tier] < 0:
            text = _(
                "{holder}, but this plan was not proven optimal: with this dwelling for this "
                "household it would be better on tier {tier}; pin it{capped}."
            )
            return Why("better", _sentence(text.format(tier=tier + 1, **values)), losers)
        if tier == 0:
            text = ngettext(
                "{holder}, because with this dwelling for this household {persons} fewer "
                "would be housed: the plan first houses as many persons as it can (tier 1, "
                "persons housed){lost}{capped}.",
                "{holder}, because with this dwelling for this household {persons} fewer "
                "would be housed: the plan first houses as many persons as it can (tier 1, "
                "persons housed){lost}{capped}.",
                loss[0],
            ).format(persons=_persons(loss[0]), **values)
        elif tier == 1:
            text = ngettext(
                "{holder}, because with this dwelling for this household {households} fewer "
                "would live outside concentrated areas: after the persons housed that weighs "
                "most (tier 2, outside concentrated areas){lost}{capped}.",
                "{holder}, because with this dwelling for this household {households} fewer "
                "would live outside concentrated areas: after the persons housed that weighs "
                "most (tier 2, outside concentrated areas){lost}{capped}.",
                loss[1],
            ).format(households=_households(loss[1]), **values)
        else:
            text = _(
                "{holder}, because with this dwelling for this household the plan would fit "
                "{points} less well (tier 3, quality: interests nearby, wishes, no unused "
                "bedrooms, waiting time){lost}{capped}."
            ).format(
                points=ngettext("{n} point", "{n} points", loss[2]).format(n=number(loss[2])),
                **values,
            )
        return Why(f"tier{tier + 1}", _sentence(text), losers)

    # -- solving the pair's part ----------------------------------------------------------

    def _part(self, pair: int) -> np.ndarray:
        """The pairs (indices into the problem, ascending) of the part holding ``pair``."""
        part, order, starts = self._parts
        label = int(part[pair])
        return order[starts[label] : starts[label + 1]]  # ascending: the sort was stable

    def _with_pair(self, pairs: np.ndarray, pair: int) -> _Solved:
        """The best plan of the pair's part with the pair held fixed, against the plan's."""
        problem = self.instance.problem
        sub = subproblem(problem, pairs)
        local = int(np.searchsorted(pairs, pair))
        h, d = sub.pair_household[local], sub.pair_dwelling[local]
        pinned = sub.pair_pinned.copy()
        pinned[(sub.pair_household == h) | (sub.pair_dwelling == d)] = False
        pinned[local] = True
        forced = sub.replace(pair_pinned=pinned)
        chosen = np.asarray(self.result.selected, dtype=bool)[pairs]
        before = sub.tiers(chosen)
        none = np.zeros(0, dtype=np.int64)
        # only the caps can rule the pins out before solving; households that must be
        # housed are the solver's to place
        if _pins_break_caps(forced, pinned):
            return _Solved(before, None, none)
        self.solves += 1
        other = solve_part(forced, self.instance.policy.solver)
        if other.status in (Status.INFEASIBLE, Status.UNKNOWN):
            return _Solved(before, None, none)
        placed_before = problem.pair_household[pairs[chosen]]
        placed_after = problem.pair_household[pairs[np.asarray(other.selected, dtype=bool)]]
        losers = np.setdiff1d(placed_before, placed_after)
        return _Solved(before, other.objective, losers[losers != problem.pair_household[pair]])


def _unique_index(ids: np.ndarray) -> dict[str, int]:
    """Id → position, for the ids that occur once (a repeated id answers nothing)."""
    values, first, counts = np.unique(ids, return_index=True, return_counts=True)
    return {str(v): int(i) for v, i, c in zip(values, first, counts) if c == 1}


def _pins_break_caps(problem: ProblemData, pinned: np.ndarray) -> bool:
    """Whether the pins alone break a cap (a household that must be housed is no cap)."""
    relaxed = problem.replace(household_must=np.zeros(problem.n_households, dtype=bool))
    return bool(relaxed.violations(pinned))


def _rule(instance: Instance, h: int, d: int, rule: str) -> Why:
    """The sentence for ``rule`` (one of :data:`~allocatie.model.eligibility.RULES`), broken."""
    household = instance.households.iloc[h]
    dwelling = instance.dwellings.iloc[d]
    people = int(household["people"])
    policy = instance.policy
    if rule == "fits_rent":
        cap = policy.affordability.cap_for(people)
        text = _(
            "Rent: {rent} is above the rent limit of {cap} for {persons} (passend toewijzen)."
        ).format(rent=money(float(dwelling["rent"])), cap=money(cap), persons=_persons(people))
        return Why("fits_rent", text)
    if rule == "fits_access":
        needs = []
        if bool(household["needs_accessible"]) and not bool(dwelling["accessible"]):
            needs.append(_("the household needs a wheelchair-accessible dwelling"))
        floor = household["max_floor"]
        if floor == floor and floor is not None:  # not NaN
            needs.append(
                _(
                    "the household can reach floor {most} at most without a lift; this "
                    "dwelling is on floor {floor} without a lift"
                ).format(most=int(floor), floor=int(dwelling["floor"]))
            )
        return Why("fits_access", _("Accessibility: {needs}.").format(needs="; ".join(needs)))
    if rule == "available":
        last = instance.date + dt.timedelta(days=policy.matching.window_days)
        available = dwelling["available_from"]
        when = available.date().isoformat() if hasattr(available, "date") else str(available)
        text = _(
            "Availability: the dwelling becomes free on {date}, after the end of the matching "
            "window ({last}, window_days = {days})."
        ).format(date=when, last=last.isoformat(), days=policy.matching.window_days)
        return Why("available", text)
    if rule == "not_excluded":
        text = _(
            "Excluded area: the dwelling lies in {name} ({code}), an area the household has "
            "excluded."
        ).format(name=dwelling["area_name"], code=dwelling["area_code"])
        return Why("not_excluded", text)
    if rule == "not_refused":
        return Why("not_refused", _("Refusal: the household refused this dwelling before."))
    if rule == "keeps_binding":
        text = _(
            "Binding: the household has a binding ({binding}) to its own municipality "
            "{home}; this dwelling lies in {there}."
        ).format(
            binding=household.get("binding"),
            home=household.get("gemeente_code"),
            there=dwelling.get("gemeente_code"),
        )
        return Why("keeps_binding", text)
    return Why(rule, _("Rule {rule}: this pair breaks it.").format(rule=rule))


def _size(instance: Instance, h: int, d: int) -> Why:
    household = instance.households.iloc[h]
    people = int(household["people"])
    low = int(min_bedrooms(np.array([people]))[0])
    extra = instance.policy.occupancy.max_extra_bedrooms
    bedrooms = int(instance.dwellings.iloc[d]["bedrooms"])
    reunion = ""
    if household["people"] > household["persons"]:
        reunion = _(" (incl. expected family reunification)")
    text = _(
        "Size: the dwelling has {bedrooms}; for {persons}{reunion}, {low}–{high} bedrooms "
        "fit (max_extra_bedrooms = {extra})."
    ).format(
        bedrooms=_rooms(bedrooms),
        persons=_persons(people),
        reunion=reunion,
        low=low,
        high=low + extra,
        extra=extra,
    )
    return Why("size", text)


def _caps(instance: Instance, result: Result, h: int, d: int, pairs: np.ndarray) -> list[str]:
    """The caps of the dwelling's area and building that are full without this household.

    ``pairs`` is the part holding the pair: the dwelling's area and building
    belong to it whole, so the count over the part is the count over the plan.
    """
    problem = instance.problem
    households = problem.pair_household[pairs]
    dwellings = problem.pair_dwelling[pairs]
    selected = np.asarray(result.selected, dtype=bool)[pairs] & (households != h)
    chosen = dwellings[selected]
    area = int(problem.dwelling_area[d])
    code = str(instance.area_codes[area])
    out = []
    cap = int(problem.area_max_households[area])
    placed = int(np.sum(problem.dwelling_area[chosen] == area))
    if cap >= 0 and placed >= cap:
        out.append(
            _(
                "max_households_per_area = {setting} is reached in {code} ({left} left this "
                "period, {placed} in this plan)"
            ).format(
                setting=instance.policy.spreading.max_households_per_area,
                code=code,
                left=cap,
                placed=placed,
            )
        )
    room = int(problem.area_max_persons[area])
    persons = int(instance.households["persons"].to_numpy()[h])
    in_area = problem.dwelling_area[dwellings] == area
    used = int(problem.pair_persons[pairs][selected & in_area].sum())
    if room >= 0 and used + persons > room:
        out.append(
            _(
                "{persons} more would take {code} over the concentration limit (LQ "
                "{threshold}; room left for {room})"
            ).format(
                persons=_persons(persons),
                code=code,
                threshold=number(instance.policy.spreading.lq_threshold),
                room=_persons(max(room - used, 0)),
            )
        )
    building = int(problem.dwelling_complex[d])
    if building >= 0 and problem.complex_max >= 0:
        in_building = int(np.sum(problem.dwelling_complex[chosen] == building))
        if in_building >= problem.complex_max:
            out.append(
                _("max_per_complex = {cap} is reached in building {name}").format(
                    cap=problem.complex_max, name=instance.dwellings.iloc[d]["complex_id"]
                )
            )
    return out


def why_not(
    instance: Instance,
    result: Result,
    household_id: str,
    dwelling_id: str,
    removed: Mapping[str, str] | None = None,
    *,
    others: bool = False,
    lang: str | None = None,
) -> Why:
    """Why ``household_id`` does not get ``dwelling_id`` in this plan, in one sentence.

    Parameters
    ----------
    instance, result
        The plan as solved.
    household_id, dwelling_id
        The pair asked about.
    removed
        Ids the ledger kept off the table this month, with the reason
        (:attr:`allocatie.ledger.monthly.LedgerMonth.removed`).
    others
        Whether the reader may see which household has the dwelling (its id);
        else the sentence says "another household".
    lang
        Language of the sentence; ``None`` for the current context's.
    """
    explainer = Explainer(instance, result, removed, others=others, lang=lang)
    return explainer.why(household_id, dwelling_id)


def alternatives(
    instance: Instance,
    result: Result,
    *,
    per_household: int = ALTERNATIVES,
    solves: int = ALTERNATIVES_SOLVES,
    lang: str | None = None,
) -> pd.DataFrame:
    """The waiting households' best eligible dwellings by their own wish, each with why not.

    For each household the plan leaves waiting, its ``per_household`` eligible
    offered dwellings it wants most (the household's own preference, then the
    pair's quality), with the sentence of :class:`Explainer`. The longest
    waiting come first; once ``solves`` re-solves are spent, the remaining
    households are left out and a last row says how many and how to ask
    (``allocatie why``). For the coordinator's workbook, so the other
    household is named by its id. Column names are in the language of the
    sentences (the workbook keeps names it knows, such as ``household_id``).
    """
    with _language(lang):
        columns = {
            "household_id": "household_id",
            "choice": _("choice"),
            "dwelling_id": "dwelling_id",
            "area_name": "area_name",
            "preference": _("preference"),
            "quality": "quality",
            "reason": "reason",
        }
        explainer = Explainer(instance, result, others=True)
        waiting = np.flatnonzero(explainer.assignment < 0)
        wait = instance.households["wait_days"].to_numpy()[waiting]
        waiting = waiting[np.argsort(-wait, kind="stable")]
        pairs = instance.pairs
        eligible = pairs[
            (pairs["problem_index"].to_numpy() >= 0)
            & np.isin(pairs["household"].to_numpy(), waiting)
        ]
        ranked = eligible.sort_values(
            ["household", "preference", "quality", "dwelling"],
            ascending=[True, False, False, True],
            kind="stable",
        )
        best = ranked.groupby("household", sort=False).head(per_household)
        choice = best.groupby("household", sort=False).cumcount().to_numpy() + 1
        households = best["household"].to_numpy(np.int64)
        order = np.empty(len(explainer.assignment), dtype=np.int64)
        order[waiting] = np.arange(len(waiting))
        rank = np.lexsort((choice, order[households]))  # longest waiting first, then by choice
        households, choice = households[rank], choice[rank]
        dwellings = best["dwelling"].to_numpy(np.int64)[rank]
        reasons: list[str] = []
        for h, d, c in zip(households.tolist(), dwellings.tolist(), choice.tolist()):
            if c == 1 and explainer.solves >= solves:
                break
            reasons.append(explainer.why_index(h, d).text)
        shown = len(reasons)
        left = len(np.unique(households[shown:]))
        nothing = np.setdiff1d(waiting, households)  # no eligible dwelling: nothing to solve
        nothing_text = _(
            "No offered dwelling meets this household's rules; the plan says why it waits."
        )
        names = instance.dwellings["area_name"].to_numpy()
        frame = pd.DataFrame(
            {
                "household_id": explainer.household_ids[
                    np.concatenate([households[:shown], nothing])
                ],
                "choice": pd.array([*choice[:shown], *[None] * len(nothing)], dtype="Int64"),
                "dwelling_id": [*explainer.dwelling_ids[dwellings[:shown]], *[None] * len(nothing)],
                "area_name": [*names[dwellings[:shown]], *[None] * len(nothing)],
                "preference": pd.array(
                    [*best["preference"].to_numpy()[rank][:shown], *[None] * len(nothing)],
                    dtype="Int64",
                ),
                "quality": pd.array(
                    [*best["quality"].to_numpy()[rank][:shown], *[None] * len(nothing)],
                    dtype="Int64",
                ),
                "reason": [*reasons, *[nothing_text] * len(nothing)],
                "_order": np.concatenate([order[households[:shown]], order[nothing]]),
            }
        )
        frame = frame.sort_values("_order", kind="stable").drop(columns="_order")
        if left:
            note = ngettext(
                "… and {n} more waiting household: not shown here to keep the run short; ask "
                "`allocatie why HOUSEHOLD DWELLING` for any pair.",
                "… and {n} more waiting households: not shown here to keep the run short; ask "
                "`allocatie why HOUSEHOLD DWELLING` for any pair.",
                left,
            ).format(n=number(left))
            frame = pd.concat([frame, pd.DataFrame({"reason": [note]})], ignore_index=True)
        return frame.reset_index(drop=True).rename(columns=columns)
