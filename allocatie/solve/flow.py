"""The network formulation: an exact min-cost flow for the default rules.

Without the projected-composition headroom (a cap in *persons*, a knapsack),
the rules are a network: source → household → dwelling → building → area →
sink, plus an "unplaced" arc per household (none for a household every plan
must house, :attr:`~allocatie.model.problem.ProblemData.household_must`: its
unit of flow has to reach a dwelling, or there is no flow). Folding the tiers into one integer
cost per pair, with each tier's weight above the largest possible total of the
tiers below it, makes the cheapest flow lexicographically optimal. This is
both the fast path and an independent check of the CP-SAT model.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from allocatie.model.problem import QUALITY_SCALE, ProblemData
from allocatie.solve.aggregate import MERGE_FROM_PAIRS, expand, interchangeable, worth_merging
from allocatie.solve.result import Method, Methods, Result, Status


def tier_weights(problem: ProblemData) -> tuple[int, int, int]:
    """Integer weights that make a weighted sum lexicographic.

    At most ``m = min(households, dwellings)`` pairs are chosen, so tier 3
    totals at most ``m · QUALITY_SCALE`` and tier 2 at most ``m``; each weight
    exceeds everything the tiers below can add up to.
    """
    m = max(min(problem.n_households, problem.n_dwellings), 1)
    w3 = 1
    w2 = m * QUALITY_SCALE + 1
    w1 = m * w2 + m * QUALITY_SCALE + 1
    return w1, w2, w3


def largest_per_area(problem: ProblemData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each area's dwellings by the largest household they could receive, largest first.

    Returns, per dwelling in that order, its area, its rank within the area
    (0 = largest) and the persons of the area's dwellings up to and including
    it. Both headroom tests read this one table: whether a headroom can bind
    (:func:`is_network`) and how many households surely fit (the safe caps of
    :func:`allocatie.solve.conservative`).
    """
    largest = np.zeros(problem.n_dwellings, dtype=np.int64)
    np.maximum.at(largest, problem.pair_dwelling, problem.pair_persons)
    order = np.lexsort((-largest, problem.dwelling_area))
    area = problem.dwelling_area[order]
    running = np.cumsum(largest[order])
    first = np.searchsorted(area, area, side="left")
    rank = np.arange(len(area)) - first
    before = np.where(first > 0, running[first - 1], 0)
    return area, rank, running - before


def _persons_cap_binds(problem: ProblemData) -> bool:
    """Whether any area's persons headroom could ever be reached.

    Sufficient test: the most persons an area could receive is, per dwelling,
    the largest eligible household, summed over its dwellings (or over its
    ``max_households_per_area`` largest).
    """
    if not (problem.area_max_persons >= 0).any():
        return False
    area, rank, within = largest_per_area(problem)
    room = problem.area_max_persons[area]
    cap = problem.area_max_households[area]
    counted = (cap < 0) | (rank < cap)
    return bool(((room >= 0) & counted & (within > room)).any())


def is_network(problem: ProblemData) -> bool:
    """Whether the min-cost flow solves ``problem`` exactly.

    Needs every building inside one area (so the building → area arcs form a
    tree) and no binding persons headroom.
    """
    has = problem.dwelling_complex >= 0
    if has.any():
        pairs = np.unique(
            np.stack([problem.dwelling_complex[has], problem.dwelling_area[has]]),
            axis=1,
        )
        if len(np.unique(pairs[0])) != pairs.shape[1]:
            return False
    return not _persons_cap_binds(problem)


def _infeasible(problem: ProblemData, seconds: float) -> Result:
    """The empty plan of a problem without any (pins that break a cap or each other)."""
    empty = np.zeros(problem.n_pairs, dtype=bool)
    return Result(
        empty, (0, 0, 0), Status.INFEASIBLE, Methods.one(Method.FLOW), seconds, (Status.INFEASIBLE,)
    )


def folded_cost(problem: ProblemData, part: np.ndarray | None = None) -> np.ndarray:
    """Per pair, minus its tiers folded with :func:`tier_weights`: the flow's arc cost.

    With ``part`` (the independent part of each pair, numbered from 0), each part
    gets the weights of its own size instead of the whole problem's. Parts share
    no constraint, so the cheapest flow is still lexicographically optimal in
    each part, hence in the whole (the tiers of a sum are the sums of the
    tiers); and the costs stay as small as the largest part needs. One flow over
    a whole country then fits OR-Tools' cost range, where the country's own
    weights (about 7 · 50,000² · 1,000 per person on the stress instance) do not.
    """
    if part is None:
        w1, w2, w3 = tier_weights(problem)
        return -(w1 * problem.pair_persons + w2 * problem.pair_outside + w3 * problem.pair_quality)
    if problem.n_pairs == 0:
        return np.zeros(0, dtype=np.int64)
    n_parts = int(part.max()) + 1
    first_of_household = np.r_[True, np.diff(problem.pair_household) != 0]
    _, first_of_dwelling = np.unique(problem.pair_dwelling, return_index=True)
    households = np.bincount(part[first_of_household], minlength=n_parts)
    dwellings = np.bincount(part[first_of_dwelling], minlength=n_parts)
    m = np.maximum(np.minimum(households, dwellings), 1).astype(np.int64)
    second = m * QUALITY_SCALE + 1  # tier_weights per part (tier 3's weight is 1)
    first = m * second + m * QUALITY_SCALE + 1
    cost: np.ndarray = (
        -(first[part] * problem.pair_persons + second[part] * problem.pair_outside)
        - problem.pair_quality
    )
    return cost


def flow_plan(problem: ProblemData, cost: np.ndarray, *, merge: bool = True) -> np.ndarray | None:
    """The plan of least total pair ``cost`` in the network of ``problem``, pins kept.

    The network's caps are the households' and dwellings' (one each), the
    buildings' and the areas' household caps; a persons headroom is ignored
    (callers decide whether it can bind). Pins are applied first: their
    households and dwellings leave the network and the capacities they use are
    taken off their building and area. Every household may stay out except
    those that must be housed (``household_must``: their household → sink arc
    has no capacity), so only pins that break a cap, or must households that
    cannot all be housed, make the network infeasible (``None``).

    One function for the exact flow (folded tier weights) and for the priced
    flows of :mod:`allocatie.solve.priced` (the same weights plus a price per
    person in some areas), so both solve exactly the same network. On a large
    part, interchangeable dwellings share one node (:mod:`allocatie.solve.aggregate`):
    the same optimum with far fewer arcs. ``merge=False`` keeps one node per
    dwelling (the bare flow the benchmarks compare against).

    Raises
    ------
    OverflowError
        When ``cost`` exceeds OR-Tools' cost range.
    """
    nh, nd, na = problem.n_households, problem.n_dwellings, problem.n_areas
    nc = problem.n_complexes
    pinned = problem.pair_pinned
    pin_h = np.zeros(nh, dtype=bool)
    pin_h[problem.pair_household[pinned]] = True
    pin_d = np.zeros(nd, dtype=bool)
    pin_d[problem.pair_dwelling[pinned]] = True
    free = ~pinned & ~pin_h[problem.pair_household] & ~pin_d[problem.pair_dwelling]

    big = nh + 1
    area_used = np.bincount(problem.dwelling_area[pin_d], minlength=na)
    area_cap = np.where(problem.area_max_households >= 0, problem.area_max_households, big)
    area_cap = area_cap - area_used
    cx = problem.dwelling_complex
    cx_used = np.bincount(cx[pin_d & (cx >= 0)], minlength=nc)
    cx_cap = np.full(nc, problem.complex_max if problem.complex_max >= 0 else big) - cx_used
    if (area_cap < 0).any() or (cx_cap < 0).any():
        return None

    # the dwelling nodes: one per dwelling, or one per group of interchangeable dwellings
    groups = None
    if merge and problem.n_pairs >= MERGE_FROM_PAIRS:
        found = interchangeable(problem, cost)
        groups = found if worth_merging(problem, found) else None
    if groups is None:
        node_dwelling, node_cap = np.arange(nd), (~pin_d).astype(np.int64)
        arc_pairs, pair_node = np.arange(problem.n_pairs), problem.pair_dwelling
    else:  # a pinned dwelling is a group of its own, closed like the dwelling itself
        node_dwelling, node_cap = groups.first, groups.size * ~pin_d[groups.first]
        arc_pairs = groups.pairs
        pair_node = groups.of_dwelling[problem.pair_dwelling[arc_pairs]]
    n_nodes = len(node_dwelling)

    # node numbering: source, sink, households, dwellings (or groups), complexes, areas
    source, sink = 0, 1
    h0, d0 = 2, 2 + nh
    c0 = d0 + n_nodes
    a0 = c0 + nc
    households = np.arange(nh)
    to_building = cx >= 0
    dwelling_head = np.where(to_building, c0 + cx, a0 + problem.dwelling_area)
    building_area = np.zeros(nc, dtype=np.int64)
    building_area[cx[to_building]] = problem.dwelling_area[to_building]
    arc_groups: list[tuple[np.ndarray, np.ndarray, np.ndarray | int, np.ndarray | int]] = [
        (np.full(nh, source), h0 + households, (~pin_h).astype(np.int64), 0),
        (h0 + households, np.full(nh, sink), (~problem.household_must).astype(np.int64), 0),
        (
            h0 + problem.pair_household[arc_pairs],
            d0 + pair_node,
            free[arc_pairs].astype(np.int64),
            cost[arc_pairs],
        ),
        (d0 + np.arange(n_nodes), dwelling_head[node_dwelling], node_cap, 0),
        (c0 + np.arange(nc), a0 + building_area, cx_cap, 0),
        (a0 + np.arange(na), np.full(na, sink), area_cap, 0),
    ]
    tails = np.concatenate([g[0] for g in arc_groups]).astype(np.int32)
    heads = np.concatenate([g[1] for g in arc_groups]).astype(np.int32)
    caps = np.concatenate([np.broadcast_to(g[2], len(g[0])) for g in arc_groups])
    costs = np.concatenate([np.broadcast_to(g[3], len(g[0])) for g in arc_groups])

    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, caps.astype(np.int64), costs.astype(np.int64)
    )
    supply = np.zeros(a0 + na, dtype=np.int64)
    supply[source] = int((~pin_h).sum())
    supply[sink] = -supply[source]
    flow.set_nodes_supplies(np.arange(len(supply), dtype=np.int32), supply)
    status = flow.solve()
    if status == flow.BAD_COST_RANGE:
        raise OverflowError(
            "tier weights folded into one cost exceed OR-Tools' cost range; "
            "solve the independent parts separately (allocatie.solve.solve does)"
        )
    if status != flow.OPTIMAL:
        return None
    first_pair_arc = 2 * nh
    used = flow.flows(arcs[first_pair_arc : first_pair_arc + len(arc_pairs)]) > 0
    selected: np.ndarray = (used if groups is None else expand(problem, groups, used)) | pinned
    return selected


def solve_flow(problem: ProblemData) -> Result:
    """Solve a network ``problem`` exactly with OR-Tools' min-cost flow.

    The tiers are folded into one cost per pair (:func:`folded_cost`), and the
    cheapest plan of :func:`flow_plan` is lexicographically optimal.

    Raises
    ------
    ValueError
        When ``problem`` is not a network (see :func:`is_network`).
    OverflowError
        When the folded weights exceed OR-Tools' cost range (one flow over a
        whole country); the independent parts never do.
    """
    if not is_network(problem):
        raise ValueError("this problem is not a network; use the CP-SAT model")
    start = time.perf_counter()
    selected = flow_plan(problem, folded_cost(problem))
    if selected is None:
        return _infeasible(problem, time.perf_counter() - start)
    return Result(
        selected=selected,
        objective=problem.tiers(selected),
        status=Status.OPTIMAL,
        method=Methods.one(Method.FLOW),
        solve_seconds=time.perf_counter() - start,
        tier_status=(Status.OPTIMAL,) * 3,
    )
