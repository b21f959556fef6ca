"""Interchangeable dwellings merged into one network node: the same flow, far fewer arcs.

When a whole half year is matched at once, pairs grow with the square of a
municipality's offer: most households can take most dwellings, and many dwellings
are alike (same bedrooms, rent class, access and spreading status). Two dwellings
are *interchangeable* when every household has a pair with both or with neither,
at the same cost, and they share every cap that could tell them apart (the area's
when the area has one, the building's when buildings are capped) and neither is
pinned. Then any plan can swap them without changing its cost or breaking a rule,
so the flow may send households to the group as a whole, a node whose capacity is
its number of dwellings, and hand out the group's dwellings afterwards. The
optimum is the same, exactly; only the household → group arcs are built, one per
household and group instead of one per household and dwelling (on the stress
benchmark's largest municipality 3,225 dwellings become 80 groups and 4.6 million
pairs 77 thousand arcs).

Only dwellings are merged, never households: a household that must be housed
(``household_must``) keeps its own node and its own (closed) "unplaced" arc, so
the merged flow houses it exactly when the unmerged one does.

Groups are found by a hash of each dwelling's pairs, then *checked* pair by pair
against the group's first dwelling; a dwelling whose pairs differ (a hash
collision) keeps a node of its own. So the merge never relies on the hash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from allocatie.model.problem import ProblemData

#: Parts with fewer pairs are solved without merging (the hashing would cost more than
#: the arcs it saves, and small plans stay exactly as they were).
MERGE_FROM_PAIRS = 50_000

#: Merge only when the groups are at most this share of the dwellings.
MERGE_BELOW_SHARE = 0.8


@dataclass(frozen=True)
class Groups:
    """Interchangeable dwellings of a problem.

    Attributes
    ----------
    of_dwelling
        Group of each dwelling, numbered from 0.
    first
        Each group's first (lowest-numbered) dwelling.
    members
        Dwellings sorted by group, then number; group ``g`` is
        ``members[start[g]:start[g + 1]]``.
    start
        Offsets of the groups in ``members`` (one more than the groups).
    pairs
        The pairs of each group's first dwelling, in pair order: one arc per
        household and group.
    """

    of_dwelling: np.ndarray
    first: np.ndarray
    members: np.ndarray
    start: np.ndarray
    pairs: np.ndarray

    @property
    def size(self) -> np.ndarray:
        """Dwellings per group."""
        return np.diff(self.start)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, elementwise on ``uint64`` (wrapping arithmetic)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _pair_keys(problem: ProblemData, dwelling: np.ndarray) -> np.ndarray:
    """``household · n_dwellings + dwelling``: sorted for the problem's own pairs."""
    return problem.pair_household * problem.n_dwellings + dwelling


def interchangeable(problem: ProblemData, cost: np.ndarray) -> Groups:
    """Group the dwellings that every household and every cap treats alike under ``cost``.

    A pinned dwelling, and a dwelling with a different cap (an area with a household
    cap or a persons headroom, a capped building), never joins another's group.
    """
    nd = problem.n_dwellings
    with np.errstate(over="ignore"):
        pair_hash = _mix(
            _mix(problem.pair_household.astype(np.uint64)) ^ cost.astype(np.int64).view(np.uint64)
        )
    dwelling_hash = np.zeros(nd, dtype=np.uint64)
    np.add.at(dwelling_hash, problem.pair_dwelling, pair_hash)
    count = np.bincount(problem.pair_dwelling, minlength=nd)

    area = problem.dwelling_area
    capped_area = (problem.area_max_households >= 0) | (problem.area_max_persons >= 0)
    area_key = np.where(capped_area[area], area, -1)
    building = problem.dwelling_complex
    building_key = np.where((building >= 0) & (problem.complex_max >= 0), building, -1)
    pinned = np.zeros(nd, dtype=bool)
    pinned[problem.pair_dwelling[problem.pair_pinned]] = True
    own = np.where(pinned, np.arange(nd), -1)
    keys = np.stack([area_key, building_key, own, count, dwelling_hash.view(np.int64)], axis=1)
    _, first_index, group = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    group = group.reshape(-1)
    first = first_index[group]  # np.unique's first occurrence: the lowest-numbered dwelling

    # check every pair against the same household's pair with the group's first dwelling
    own_keys = _pair_keys(problem, problem.pair_dwelling)
    their_keys = _pair_keys(problem, first[problem.pair_dwelling])
    at = np.minimum(np.searchsorted(own_keys, their_keys), max(problem.n_pairs - 1, 0))
    same = (own_keys[at] == their_keys) & (cost[at] == cost)
    differs = np.zeros(nd, dtype=bool)
    differs[problem.pair_dwelling[~same]] = True
    if differs.any():  # a hash collision: those dwellings keep a node of their own
        group = group.copy()
        group[differs] = group.max(initial=-1) + 1 + np.arange(int(differs.sum()))
        _, group = np.unique(group, return_inverse=True)

    members = np.lexsort((np.arange(nd), group))
    start = np.searchsorted(group[members], np.arange(group.max(initial=-1) + 2))
    first_of_group = members[start[:-1]]
    leads = np.flatnonzero(problem.pair_dwelling == first_of_group[group[problem.pair_dwelling]])
    return Groups(group, first_of_group, members, start, leads)


def worth_merging(problem: ProblemData, groups: Groups) -> bool:
    """Whether the merged network is small enough to be worth its bookkeeping."""
    return len(groups.first) <= MERGE_BELOW_SHARE * problem.n_dwellings


def expand(problem: ProblemData, groups: Groups, chosen: np.ndarray) -> np.ndarray:
    """The plan (boolean per pair) from the group arcs a flow chose (boolean per group arc).

    In each group the households sent there, in household order, get its
    dwellings in dwelling order: any order would do (the dwellings are
    interchangeable), this one is the same on every run.
    """
    arcs = groups.pairs[chosen]
    household = problem.pair_household[arcs]
    group = groups.of_dwelling[problem.pair_dwelling[arcs]]
    order = np.lexsort((household, group))
    household, group = household[order], group[order]
    first_in_group = np.searchsorted(group, group, side="left")
    rank = np.arange(len(group)) - first_in_group
    dwelling = groups.members[groups.start[group] + rank]
    keys = _pair_keys(problem, problem.pair_dwelling)
    index = np.searchsorted(keys, household * problem.n_dwellings + dwelling)
    selected = np.zeros(problem.n_pairs, dtype=bool)
    selected[index] = True
    return selected
