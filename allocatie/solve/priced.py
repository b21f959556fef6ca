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
headroom; then each area's price is bisected between the highest price that left
it over and the lowest that kept it within, and lowered where room is left over,
to close the gap between the best plan and the smallest bound (see :func:`price`).
Every step is integer arithmetic on a deterministic flow, so the prices, the
plans and the proof are the same on every machine. On the national benchmark
this settles 38 of the 45 parts where the relaxation breaks a headroom, both big
cities among them (one priced flow each), in 0.25 s together; the other 7 (at
most 4,679 pairs) are left to the MIP (:mod:`allocatie.solve.mip`) with the best
plan and bound found here. Twice the national instance has a 430,145-pair
Amsterdam part that HiGHS needs three minutes for; 33 priced flows prove it in
10 s, where doubling alone stopped three households short of the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocatie.model.problem import ProblemData
from allocatie.solve.flow import flow_plan, folded_cost, tier_weights

#: Priced flows per part at most. The bound, proof or not, is valid after any number.
MAX_ROUNDS = 64

#: Rounds without a better plan or bound after which the search gives up (the part
#: then most likely has no Lagrangian proof: its optimum lies below the bound).
MAX_STALL = 8


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

    First the prices of the areas over their headroom are doubled (from one unit
    of tier 3) until a plan respects every headroom, which a price above every
    pair's value guarantees. Then each area keeps a bracket: the highest price
    seen that left it over its headroom and the lowest that kept it within. An
    area over its headroom gets the bracket's middle (or a doubled price without
    one); an area with room to spare and a price has it moved down towards the
    bracket's low end (complementary slackness wants no price on spare room). The
    search stops at a proof, after :data:`MAX_ROUNDS` flows, or after
    :data:`MAX_STALL` rounds without a better plan or bound. Deterministic integer
    steps, one flow per round.

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
    too_low = np.zeros(problem.n_areas, dtype=np.int64)  # a price that left the area over
    enough = np.zeros(problem.n_areas, dtype=np.int64)  # a price that kept it within (0: none)

    plan: np.ndarray | None = relaxed
    best: np.ndarray | None = None
    best_value = -1
    bound = folded(problem, relaxed)
    rounds = stall = 0
    while plan is not None:
        value = folded(problem, plan)
        persons = area_persons(problem, plan)
        priced_bound = value - int((prices * (persons - room_or_zero))[capped].sum())
        over = capped & (persons > room)
        improved = priced_bound < bound or (not over.any() and value > best_value)
        bound = min(bound, priced_bound)
        if not over.any() and value > best_value:
            best, best_value = plan, value
        stall = 0 if improved or best is None else stall + 1  # (no plan yet: keep raising)
        if best_value >= bound or rounds == MAX_ROUNDS or stall == MAX_STALL:
            break
        within = capped & ~over & (prices > 0)
        too_low[over] = np.maximum(too_low[over], prices[over])
        enough[within] = np.where(enough[within] > 0, np.minimum(enough[within], prices[within]),
                                  prices[within])  # fmt: skip
        new = prices.copy()
        if best is None:  # first a plan within every headroom: raising only gets there
            enough[:] = 0
        unbracketed = over & (enough == 0)
        new[unbracketed] = np.minimum(np.maximum(2 * prices[unbracketed], 1), ceiling)
        bracketed = over & (enough > 0)
        new[bracketed] = (too_low[bracketed] + enough[bracketed] + 1) // 2
        spare = within & (persons < room) & (best is not None)
        new[spare] = (too_low[spare] + prices[spare]) // 2
        prices = new
        rounds += 1
        plan = flow_plan(problem, base + prices[pair_area] * problem.pair_persons)
    return Priced(best, best_value, bound, rounds)
