"""No hidden harm: every household's plan beside what first come, first served gives it.

A plan that is better on the whole can still be worse for some household than
today's practice (research on outcome-based matching calls it counterfactual
harm). So every run also makes the first-come-first-served plan
(:func:`allocatie.solve.fcfs.fcfs_plan`, the same rules and caps, households in
order of ``linked_on``, dwellings in order of ``available_from``) on the same
input, and compares the two household by household. A household is *harmed*
when

* first come, first served houses it and the plan does not (it *waits*), or
* the plan houses it in a dwelling it wants less: a worse-ranked wish (a
  dwelling outside its wishes counts as worse than any wished one) or a lower
  preference (:attr:`~allocatie.model.problem.ProblemData.pair_preference`, its
  ranked wishes and interests together).

The issue also names "a longer wait". In one monthly run that is the same as
waiting: a household either gets a dwelling this month or waits for the next
run, so "waits where first come, first served houses it" covers it; over a half
year the planner's simulation compares waiting times.

:func:`at_least_as_wanted` is the one definition of "not worse off"; the
``no_harm`` rule (:func:`no_harm_problem`) keeps, for every household first come,
first served houses, exactly the pairs it calls not worse, so a plan made under
the rule harms nobody by this module's own measure.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocatie.i18n import _, ngettext
from allocatie.inputs.policy import SolverSettings
from allocatie.model.builder import Instance
from allocatie.model.problem import ProblemData
from allocatie.report.columns import header
from allocatie.solve import MapParts, Result, Status, solve
from allocatie.solve.fcfs import fcfs_plan, offer_rank, queue_rank

__all__ = [
    "Fcfs",
    "at_least_as_wanted",
    "compare",
    "fcfs",
    "figures",
    "harm_sentence",
    "harm_table",
    "household_pair",
    "no_harm_cost",
    "no_harm_problem",
    "no_harm_sentence",
    "on_full_problem",
    "sheet_name",
    "pair_wish_rank",
    "report",
    "solve_no_harm",
]

#: Why a household is worse off than under first come, first served (``""``: it is not).
WAITS, WORSE_WISH, LESS_WANTED = "waits", "worse_wish", "less_wanted"


@dataclass(frozen=True)
class Fcfs:
    """The first-come-first-served plan of an instance.

    Attributes
    ----------
    selected
        Boolean per pair of ``instance.problem``.
    tiers
        Its three objective tiers (tier 1: persons housed).
    seconds
        Time taken to make it.
    """

    selected: np.ndarray
    tiers: tuple[int, int, int]
    seconds: float


def fcfs(instance: Instance) -> Fcfs:
    """Today's practice on the run's input: queue by ``linked_on``, offer by ``available_from``."""
    start = time.perf_counter()
    queue, offer = queue_rank(instance.households), offer_rank(instance.dwellings)
    selected = fcfs_plan(instance.problem, queue, offer)
    return Fcfs(selected, instance.problem.tiers(selected), time.perf_counter() - start)


def pair_wish_rank(instance: Instance, pairs: np.ndarray | None = None) -> np.ndarray:
    """The wish rank (1 = first wish, 0 = not wished) of pairs of ``instance.problem``.

    Of every pair, or of the pair indices ``pairs`` only (a run's comparison needs
    two per household, not the millions of a national problem).
    """
    index = instance.pairs["problem_index"].to_numpy()
    row = np.flatnonzero(index >= 0)
    if not np.array_equal(index[row], np.arange(len(row))):  # the builder numbers them in order
        row = row[np.argsort(index[row], kind="stable")]
    wanted = row if pairs is None else row[np.asarray(pairs, dtype=np.int64)]
    wish = instance.pairs["wish_rank"].to_numpy()[wanted]
    rank: np.ndarray = np.nan_to_num(wish, nan=0.0).astype(np.int64)
    return rank


def household_pair(problem: ProblemData, selected: np.ndarray) -> np.ndarray:
    """Per household, the index of its pair in the plan ``selected``; -1 when it waits."""
    out = np.full(problem.n_households, -1, dtype=np.int64)
    chosen = np.flatnonzero(selected)
    out[problem.pair_household[chosen]] = chosen
    return out


def _rank_order(rank: np.ndarray) -> np.ndarray:
    """Wish ranks made comparable: lower is better, not wished (0) worse than any wish."""
    return np.where(rank > 0, rank, np.iinfo(np.int64).max)


def at_least_as_wanted(
    problem: ProblemData,
    pairs: np.ndarray,
    reference: np.ndarray,
    rank: np.ndarray,
    reference_rank: np.ndarray,
) -> np.ndarray:
    """Whether each pair in ``pairs`` is wanted at least as much as the pair in ``reference``.

    The one definition of "not worse off": a wish rank no worse (a dwelling outside
    the wishes is worse than any wished one) *and* a preference no lower. ``pairs``
    and ``reference`` are pair indices of ``problem``, element by element;
    ``rank`` and ``reference_rank`` their wish ranks (:func:`pair_wish_rank`).
    """
    preference = problem.pair_preference
    same_rank = _rank_order(rank) <= _rank_order(reference_rank)
    result: np.ndarray = same_rank & (preference[pairs] >= preference[reference])
    return result


def compare(instance: Instance, selected: np.ndarray, baseline: Fcfs) -> pd.DataFrame:
    """Per household (input order): its pair under each plan and why it is worse off, if it is.

    Columns ``fcfs_pair`` and ``plan_pair`` (pair index, -1 = waits) and ``harm``
    (:data:`WAITS`, :data:`WORSE_WISH`, :data:`LESS_WANTED` or ``""``).
    """
    problem = instance.problem
    before = household_pair(problem, baseline.selected)
    after = household_pair(problem, np.asarray(selected, dtype=bool))
    both = (before >= 0) & (after >= 0)
    worse_wish = np.zeros(problem.n_households, dtype=bool)
    less_wanted = np.zeros(problem.n_households, dtype=bool)
    rank_before = _rank_order(pair_wish_rank(instance, before[both]))
    worse_wish[both] = _rank_order(pair_wish_rank(instance, after[both])) > rank_before
    less_wanted[both] = problem.pair_preference[after[both]] < problem.pair_preference[before[both]]
    harm = np.full(problem.n_households, "", dtype=object)
    harm[less_wanted] = LESS_WANTED
    harm[worse_wish] = WORSE_WISH
    harm[(before >= 0) & (after < 0)] = WAITS
    return pd.DataFrame({"fcfs_pair": before, "plan_pair": after, "harm": harm})


def no_harm_problem(instance: Instance, baseline: Fcfs) -> tuple[ProblemData, np.ndarray]:
    """The ``no_harm`` rule: the problem in which no household is worse off than under FCFS.

    Every household first come, first served houses must be housed
    (``household_must``), and only in a dwelling it wants at least as much
    (:func:`at_least_as_wanted`); other households keep all their pairs. First come,
    first served's own plan is a plan of it, so it is always feasible.

    Returns
    -------
    tuple
        The restricted problem and the indices (into ``instance.problem``) of the
        pairs it kept, to put its plan back on the full problem.
    """
    problem = instance.problem
    before = household_pair(problem, baseline.selected)
    reference = before[problem.pair_household]
    guarded = reference >= 0
    keep = ~guarded
    pairs = np.flatnonzero(guarded)
    rank = pair_wish_rank(instance)
    keep[pairs] = at_least_as_wanted(
        problem, pairs, reference[pairs], rank[pairs], rank[reference[pairs]]
    )
    restricted = problem.keep_pairs(keep).replace(household_must=before >= 0)
    return restricted, np.flatnonzero(keep)


def on_full_problem(problem: ProblemData, result: Result, kept: np.ndarray) -> Result:
    """``result`` of the restricted problem, its plan as a selection of ``problem``'s pairs."""
    selected = np.zeros(problem.n_pairs, dtype=bool)
    selected[kept[np.asarray(result.selected, dtype=bool)]] = True
    return dataclasses.replace(result, selected=selected)


def no_harm_cost(without: Result, with_rule: Result) -> dict[str, Any]:
    """``kpis.json``'s ``no_harm``: the tiers with and without the rule, and what it costs."""
    return {
        "on": True,
        "tiers_without": list(without.objective),
        "tiers_with": list(with_rule.objective),
        "cost": [a - b for a, b in zip(without.objective, with_rule.objective)],
        "solve_seconds_without": round(without.solve_seconds, 4),
        "solve_seconds_with": round(with_rule.solve_seconds, 4),
    }


def solve_no_harm(
    instance: Instance,
    unguarded: Result,
    settings: SolverSettings,
    map_parts: MapParts | None = None,
) -> tuple[Result, dict[str, Any]]:
    """The plan under the ``no_harm`` rule, and what the rule costs against ``unguarded``.

    Solves :func:`no_harm_problem` with the same settings as the plan without the
    rule, and returns its result on the full problem's pairs (so it is reported
    like any other) with :func:`no_harm_cost`. The restricted problem always has a
    plan (first come, first served's); should a time limit stop the solvers before
    they find one, that plan is returned, ``FEASIBLE``, with the bound they found.
    """
    baseline = fcfs(instance)
    restricted, kept = no_harm_problem(instance, baseline)
    guarded = on_full_problem(
        instance.problem, solve(restricted, settings, map_parts=map_parts), kept
    )
    if guarded.status not in (Status.OPTIMAL, Status.FEASIBLE):
        # out of time before any plan: first come, first served's own plan keeps the rule
        guarded = dataclasses.replace(
            guarded,
            selected=baseline.selected,
            objective=baseline.tiers,
            status=Status.FEASIBLE,
            tier_status=(Status.FEASIBLE,),
            stability=None,
        )
    return guarded, no_harm_cost(unguarded, guarded)


def report(
    instance: Instance, result: Result, no_harm: dict[str, Any] | None = None
) -> tuple[dict[str, Any], pd.DataFrame | None]:
    """What a run reports of the comparison: ``kpis.json`` figures and the workbook sheet.

    ``no_harm`` is :func:`solve_no_harm`'s cost when the rule was applied; without it
    the figures say whether the policy has the rule on. No comparison (``None``
    figures, no sheet) for a run without a plan.
    """
    rule = no_harm or {"on": bool(instance.policy.fairness.no_harm)}
    if result.status not in (Status.OPTIMAL, Status.FEASIBLE):
        return {"harmed_vs_fcfs": None, "no_harm": rule}, None
    baseline = fcfs(instance)
    comparison = compare(instance, result.selected, baseline)
    return {**figures(comparison, baseline), "no_harm": rule}, harm_table(instance, comparison)


def _area(instance: Instance, dwelling: np.ndarray) -> pd.Series:
    """``Name (code)`` of each dwelling's spreading area; empty for -1."""
    d = instance.dwellings
    text = d["area_name"].astype(str) + " (" + d["area_code"].astype(str) + ")"
    out = pd.Series(pd.NA, index=range(len(dwelling)), dtype="string")
    has = dwelling >= 0
    out[has] = text.to_numpy()[dwelling[has]]
    return out


def _wish_text(rank: int) -> str:
    """The wish a dwelling meets: "its wish no. 2" or "an area it did not wish for"."""
    if rank > 0:
        return _("its wish no. {rank}").format(rank=rank)
    return _("an area it did not wish for")


def _why(harm: str, before: tuple[str, str, int], after: tuple[str, str, int] | None) -> str:
    """The plain sentence of the harm sheet: what FCFS gives, what the plan gives instead."""
    dwelling, area, rank = before
    fcfs_text = _(
        "First come, first served gives this household dwelling {dwelling} in {area}, {wish}"
    ).format(dwelling=dwelling, area=area, wish=_wish_text(rank))
    if harm == WAITS or after is None:
        return fcfs_text + "; " + _("this plan leaves it waiting this month.")
    dwelling, area, rank = after
    if harm == WORSE_WISH:
        rest = _("this plan gives it dwelling {dwelling} in {area}, {wish}, a worse-ranked wish.")
    else:
        rest = _(
            "this plan gives it dwelling {dwelling} in {area}, {wish}, which fits its wishes "
            "and interests less well."
        )
    return fcfs_text + "; " + rest.format(dwelling=dwelling, area=area, wish=_wish_text(rank))


def harm_table(instance: Instance, comparison: pd.DataFrame) -> pd.DataFrame:
    """The workbook sheet: each harmed household, what FCFS gives it, what the plan gives, why.

    Headers in the run's language; households only by their ``household_id``.
    """
    problem = instance.problem
    harmed = comparison[comparison["harm"] != ""]
    ids = instance.dwellings["dwelling_id"].astype(str).to_numpy()

    def side(pairs: np.ndarray) -> tuple[pd.Series, pd.Series, pd.Series]:
        dwelling = np.where(pairs >= 0, problem.pair_dwelling[np.maximum(pairs, 0)], -1)
        dwelling_id = pd.Series(np.where(dwelling >= 0, ids[np.maximum(dwelling, 0)], None),
                                dtype="string")  # fmt: skip
        wish = pd.Series(pair_wish_rank(instance, np.maximum(pairs, 0))).astype("Int64")
        wish[pairs < 0] = pd.NA
        return dwelling_id, _area(instance, dwelling), wish

    before = side(harmed["fcfs_pair"].to_numpy())
    after = side(harmed["plan_pair"].to_numpy())
    why = [
        _why(
            h,
            (str(before[0][i]), str(before[1][i]), int(before[2][i])),
            None
            if pd.isna(after[0][i])
            else (str(after[0][i]), str(after[1][i]), int(after[2][i])),
        )
        for i, h in enumerate(harmed["harm"])
    ]
    household_id = instance.households["household_id"].astype(str).to_numpy()
    return pd.DataFrame(
        {
            header("household_id"): household_id[harmed.index.to_numpy()],
            _("FCFS dwelling"): before[0].to_numpy(),
            _("FCFS area"): before[1].to_numpy(),
            _("FCFS wish rank (0 = not wished)"): before[2].to_numpy(),
            _("plan dwelling"): after[0].to_numpy(),
            _("plan area"): after[1].to_numpy(),
            _("plan wish rank (0 = not wished)"): after[2].to_numpy(),
            _("why"): why,
        }
    )


def figures(comparison: pd.DataFrame, baseline: Fcfs) -> dict[str, Any]:
    """``kpis.json``'s comparison with first come, first served.

    No time in it: reporting the same plan again must give the same figures (the web
    meeting's kept plan); :attr:`Fcfs.seconds` is for the benchmarks.
    """
    harm = comparison["harm"]
    return {
        "harmed_vs_fcfs": int((harm != "").sum()),
        "harmed_vs_fcfs_waiting": int((harm == WAITS).sum()),
        "fcfs_persons_housed": baseline.tiers[0],
        "fcfs_households_housed": int((comparison["fcfs_pair"] >= 0).sum()),
    }


def harm_sentence(k: dict[str, Any]) -> str | None:
    """One sentence for the summary: how many households this plan treats worse than FCFS."""
    if k.get("harmed_vs_fcfs") is None:
        return None
    harmed = k["harmed_vs_fcfs"]
    if harmed == 0:
        text = _(
            "Compared with first come, first served ({persons} persons housed) no household "
            "is worse off."
        )
    else:
        text = ngettext(
            "Compared with first come, first served ({persons} persons housed) {harmed} "
            "household is worse off ({waiting} of them waiting); see the sheet '{sheet}'.",
            "Compared with first come, first served ({persons} persons housed) {harmed} "
            "households are worse off ({waiting} of them waiting); see the sheet '{sheet}'.",
            harmed,
        )
    return text.format(
        persons=k["fcfs_persons_housed"],
        harmed=harmed,
        waiting=k.get("harmed_vs_fcfs_waiting", 0),
        sheet=sheet_name(),
    )


def no_harm_sentence(k: dict[str, Any]) -> str | None:
    """One sentence on the ``no_harm`` rule and what it cost on tiers 1–3 (``None`` when off)."""
    rule = k.get("no_harm") or {}
    if not rule.get("on"):
        return None
    cost = rule["cost"]
    return _(
        "No household worse off than under first come, first served (no_harm): this costs "
        "{persons} persons housed, {outside} households outside concentrated areas and "
        "{quality} quality points."
    ).format(persons=cost[0], outside=cost[1], quality=cost[2])


def sheet_name() -> str:
    """The workbook sheet listing the harmed households (at most 31 characters)."""
    return _("harm_vs_fcfs")
