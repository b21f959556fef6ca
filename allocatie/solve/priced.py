"""Priced flows: the persons headroom as a price per person, certified by a bound.

The projected-composition headroom caps *persons* per area, a knapsack, so it is
no network constraint. Dropped, it leaves the relaxation (a network, an upper
bound). Instead of dropping it, it can be *priced*: every person placed in area
``a`` costs ``λ_a`` (in the folded tier weights of
:func:`~allocatie.solve.flow.tier_weights`), and the flow with those prices is
still a network. For any prices ``λ ≥ 0`` its optimum gives the Lagrangian bound

    L(λ) = F(x_λ) − Σ_a λ_a · (persons_a(x_λ) − room_a)  ≥  F(y)

for every plan ``y`` that respects every headroom, where ``F`` is the folded
objective and ``x_λ`` the priced flow's plan. So a priced plan that respects
every headroom and reaches the smallest bound seen (the relaxation's own value
is ``L(0)``) is optimal; since the folded weights order plans exactly as the
three tiers do, it is lexicographically optimal.

The prices are raised only on areas whose headroom the current plan breaks,
starting at one unit of tier 3 and doubling, until the plan respects every
headroom; then the prices on areas with room to spare are halved back, a few
rounds, to close the gap between the plan and the bound. Every step is integer
arithmetic on a deterministic flow, so the prices, the plans and the proof are
the same on every machine. On the national benchmark this settles 35 of the 45
parts where the relaxation breaks a headroom, both big cities among them (one
priced flow each), in 0.25 s together; the other 10 (at most 4,679 pairs) are
left to the MIP (:mod:`allocatie.solve.mip`) with the best plan and bound found
here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocatie.model.problem import ProblemData
from allocatie.solve.flow import flow_plan, folded_cost, tier_weights

#: Rounds of raising prices; doubling from 1 reaches the price at which no pair pays
#: for itself (then an area simply stays empty) well within this many.
MAX_ROUNDS = 64

#: Rounds of lowering the prices of areas with room to spare, once a plan respects
#: every headroom (each a flow; on the national benchmark one round proves two more
#: parts, further rounds none).
MAX_LOWERING = 1


@dataclass(frozen=True)
class Priced:
    """What the priced flows found for one part.

    Attributes
    ----------
    plan
        The best plan found that respects every headroom (boolean per pair),
        ``None`` when none was found.
    value
        Its folded objective ``F`` (Python integer), ``-1`` without a plan.
    bound
        The smallest Lagrangian bound ``L(λ)`` seen, folded; every plan that
        respects every headroom has ``F ≤ bound``.
    rounds
        Number of priced flows solved (the relaxation's not counted).
    """

    plan: np.ndarray | None
    value: int
    bound: int
    rounds: int

    @property
    def proven(self) -> bool:
        """Whether :attr:`plan` reaches :attr:`bound`: optimal for the part."""
        return self.plan is not None and self.value >= self.bound


def folded(problem: ProblemData, selected: np.ndarray) -> int:
    """The folded objective of a plan, as an exact Python integer."""
    w1, w2, w3 = tier_weights(problem)
    t1, t2, t3 = problem.tiers(selected)
    return w1 * t1 + w2 * t2 + w3 * t3


def lex_bound(problem: ProblemData, bound: int) -> tuple[int, int, int]:
    """The lexicographic bound that a folded bound implies.

    Every plan's tiers are below ``(b1, b2, b3)`` in lexicographic order when
    its folded value is at most ``bound``: tier 1 cannot exceed ``bound // w1``
    (the lower tiers add less than ``w1``), and when it equals it the rest must
    fit in the remainder, and so on.
    """
    w1, w2, w3 = tier_weights(problem)
    rest = max(bound, 0)
    b1, rest = divmod(rest, w1)
    b2, rest = divmod(rest, w2)
    return int(b1), int(b2), int(rest // w3)


def area_persons(problem: ProblemData, selected: np.ndarray) -> np.ndarray:
    """Persons a plan places in each area (pins included)."""
    area = problem.dwelling_area[problem.pair_dwelling[selected]]
    weights = problem.pair_persons[selected]
    return np.bincount(area, weights=weights, minlength=problem.n_areas).astype(np.int64)


def price(problem: ProblemData, relaxed: np.ndarray) -> Priced:
    """Price the persons headroom until a plan respects it and meets the bound.

    Parameters
    ----------
    problem
        One part whose relaxation (headroom dropped) is a network.
    relaxed
        The relaxation's optimal plan (the flow with all prices zero), already
        solved by the caller.

    Returns
    -------
    Priced
        The best plan respecting every headroom, and the smallest bound.
    """
    base = folded_cost(problem)
    room = problem.area_max_persons
    capped = room >= 0
    room_or_zero = np.where(capped, room, 0)
    pair_area = problem.dwelling_area[problem.pair_dwelling]
    # A price above the folded value of every pair keeps an area empty: never go higher.
    ceiling = int(-base.min(initial=0)) + 1
    prices = np.zeros(problem.n_areas, dtype=np.int64)

    plan: np.ndarray | None = relaxed
    best: np.ndarray | None = None
    best_value = -1
    bound = folded(problem, relaxed)
    rounds = lowering = 0
    while plan is not None:
        value = folded(problem, plan)
        persons = area_persons(problem, plan)
        bound = min(bound, value - int((prices * (persons - room_or_zero))[capped].sum()))
        over = capped & (persons > room)
        if not over.any():
            if value > best_value:
                best, best_value = plan, value
            spare = capped & (persons < room) & (prices > 0)
            if best_value >= bound or not spare.any() or lowering == MAX_LOWERING:
                break
            prices[spare] //= 2  # complementary slackness wants no price on spare room
            lowering += 1
        else:
            if rounds == MAX_ROUNDS:
                break
            prices[over] = np.minimum(np.maximum(2 * prices[over], 1), ceiling)
        rounds += 1
        plan = flow_plan(problem, base + prices[pair_area] * problem.pair_persons)
    return Priced(best, best_value, bound, rounds)
