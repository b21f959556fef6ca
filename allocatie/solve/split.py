"""Split a problem into independent parts, and put the parts' plans back together.

Municipalities share no households, dwellings, areas or buildings, so a national
problem falls apart into hundreds of small ones; so does a city whenever groups of
households compete for disjoint sets of dwellings. Solving the parts separately is
exact (no constraint links them), keeps CP-SAT models small, and lets the parts run
on several workers. Because the parts are always the same, the plan does not depend
on how many workers solve them.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from allocatie.model.problem import ProblemData


def part_of_pairs(problem: ProblemData) -> np.ndarray:
    """The independent part of each pair, numbered from 0 in the order of their first pair.

    Nodes are households, dwellings, areas and buildings; a pair links its
    household and dwelling, and a dwelling is linked to its area and building
    (they carry the shared caps).
    """
    nh, nd, na = problem.n_households, problem.n_dwellings, problem.n_areas
    d0, a0, c0 = nh, nh + nd, nh + nd + na
    building = problem.dwelling_complex
    in_building = building >= 0
    tails = np.concatenate(
        [problem.pair_household, d0 + np.arange(nd), d0 + np.flatnonzero(in_building)]
    )
    heads = np.concatenate(
        [d0 + problem.pair_dwelling, a0 + problem.dwelling_area, c0 + building[in_building]]
    )
    size = c0 + problem.n_complexes
    graph = coo_matrix((np.ones(len(tails)), (tails, heads)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    pair_label = label[problem.pair_household]
    # renumber by first pair, so part k is the k-th to appear in pair order
    _, first = np.unique(pair_label, return_index=True)
    rank = np.empty(int(label.max(initial=-1)) + 1, dtype=np.int64)
    rank[pair_label[np.sort(first)]] = np.arange(len(first))
    part: np.ndarray = rank[pair_label]
    return part


def components(problem: ProblemData) -> list[np.ndarray]:
    """Pair indices of each independent part, parts ordered by their first pair.

    See :func:`part_of_pairs` for what links pairs into one part.
    """
    part = part_of_pairs(problem)
    order = np.argsort(part, kind="stable")
    cuts = np.flatnonzero(np.diff(part[order])) + 1
    return np.split(order, cuts) if len(order) else []


def subproblem(problem: ProblemData, pairs: np.ndarray) -> ProblemData:
    """The problem restricted to ``pairs`` (one part), renumbered from 0."""
    households, h = np.unique(problem.pair_household[pairs], return_inverse=True)
    dwellings, d = np.unique(problem.pair_dwelling[pairs], return_inverse=True)
    areas, area = np.unique(problem.dwelling_area[dwellings], return_inverse=True)
    building = problem.dwelling_complex[dwellings]
    local_building = np.full(len(dwellings), -1)
    if (building >= 0).any():
        local_building[building >= 0] = np.unique(building[building >= 0], return_inverse=True)[1]
    return problem.replace(
        n_households=len(households),
        n_dwellings=len(dwellings),
        pair_household=h,
        pair_dwelling=d,
        pair_persons=problem.pair_persons[pairs],
        pair_outside=problem.pair_outside[pairs],
        pair_quality=problem.pair_quality[pairs],
        pair_pinned=problem.pair_pinned[pairs],
        dwelling_area=area,
        dwelling_complex=local_building,
        area_max_households=problem.area_max_households[areas],
        area_max_persons=problem.area_max_persons[areas],
    )
