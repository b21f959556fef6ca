"""Lexicographic upper bounds: what a plan that is not proven is measured against.

A plan that no solver proved optimal is reported with the gap to a bound, never
silently (``kpis.json``, the summary and the report say it). A bound is a tier
tuple that no plan can beat in lexicographic order; the relaxation's optimum is
one, the priced flows give a folded one (:func:`allocatie.solve.priced.lex_bound`),
a MIP stopped by its time limit one on its open tier. When only the leading
tiers are bounded, the others are filled in with :func:`tier_maxima`, which no
plan can exceed tier by tier, so the tuple stays a valid bound; and because the
lexicographic order is preserved by addition, the parts' bounds add up to a
bound of the whole problem.

The bounds hold with households that must be housed (``household_must``) too:
those only remove plans. The one thing such a household adds here is a quick
proof that there is no plan at all (:func:`must_without_pair`).
"""

from __future__ import annotations

import numpy as np

from allocatie.model.problem import ProblemData

Tiers = tuple[int, int, int]


def tier_maxima(problem: ProblemData) -> Tiers:
    """Per tier, the sum over households of their best pair: no plan exceeds it."""
    out = []
    for coefficients in (problem.pair_persons, problem.pair_outside, problem.pair_quality):
        best = np.zeros(problem.n_households, dtype=np.int64)
        np.maximum.at(best, problem.pair_household, coefficients)
        out.append(int(best.sum()))
    return out[0], out[1], out[2]


def must_without_pair(problem: ProblemData) -> bool:
    """Whether some household every plan must house has no eligible pair: then no plan exists.

    Checked before a problem is split, because the parts are made of pairs and a
    household without any belongs to none of them.
    """
    has_pair = np.bincount(problem.pair_household, minlength=problem.n_households) > 0
    return bool((problem.household_must & ~has_pair).any())


def completed(problem: ProblemData, head: tuple[int, ...]) -> Tiers:
    """A full bound from bounds on the leading tiers, the rest from :func:`tier_maxima`."""
    rest = tier_maxima(problem)[len(head) :]
    full = (*head, *rest)
    return full[0], full[1], full[2]


def tightest(*bounds: Tiers | None) -> Tiers | None:
    """The lexicographically smallest of the bounds given (``None`` when there is none)."""
    known = [b for b in bounds if b is not None]
    return min(known) if known else None


def gap(objective: Tiers, bound: Tiers | None) -> tuple[int, int] | None:
    """``(tier, amount)``: the first tier (1-based) where the bound lies above the plan.

    ``None`` when the plan reaches the bound (proven optimal) or there is no bound.
    Lower tiers are not compared: a plan short on one tier is measured there.
    """
    if bound is None:
        return None
    for tier, (value, top) in enumerate(zip(objective, bound), start=1):
        if top != value:
            return tier, top - value
    return None
