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
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from allocatie.model.problem import ProblemData


def part_of_pairs(problem: ProblemData) -> np.ndarray:
    """The independent part of each pair, numbered from 0 in the order of their first pair.

    Nodes are households, dwellings, areas and buildings; a pair links its
    household and dwelling, and a dwelling is linked to its area and building
    (they carry the shared caps). The graph is written straight in compressed
    rows, households' rows being the pairs as they are sorted, and its weakly
    connected components are the parts: no edge list to sort or symmetrise,
    which on 16 million pairs took five times as long.
    """
    nh, nd, na = problem.n_households, problem.n_dwellings, problem.n_areas
    size = nh + nd + na + problem.n_complexes
    in_building = problem.dwelling_complex >= 0
    # a dwelling's row: its area, then its building if it has one
    per_dwelling = 1 + in_building.astype(np.int64)
    dwelling_start = np.concatenate([[0], np.cumsum(per_dwelling)])
    dwelling_links = np.empty(int(dwelling_start[-1]), dtype=np.int64)
    dwelling_links[dwelling_start[:-1]] = nh + nd + problem.dwelling_area
    building = problem.dwelling_complex[in_building]
    dwelling_links[dwelling_start[:-1][in_building] + 1] = nh + nd + na + building
    household_end = np.cumsum(np.bincount(problem.pair_household, minlength=nh))
    pairs_end = household_end[-1] if nh else 0
    indptr = np.concatenate(
        [[0], household_end, pairs_end + dwelling_start[1:],
         np.full(na + problem.n_complexes, pairs_end + dwelling_start[-1])]
    )  # fmt: skip
    index = np.int32 if size < 2**31 else np.int64  # csgraph works in 32 bits when it can
    indices = np.concatenate([nh + problem.pair_dwelling, dwelling_links]).astype(index)
    graph = csr_matrix((np.ones(len(indices), dtype=np.int8), indices, indptr), shape=(size, size))
    _, label = connected_components(graph, directed=True, connection="weak")
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
        pair_preference=problem.pair_preference[pairs],
        household_must=problem.household_must[households],
        dwelling_area=area,
        dwelling_complex=local_building,
        area_max_households=problem.area_max_households[areas],
        area_max_persons=problem.area_max_persons[areas],
    )
