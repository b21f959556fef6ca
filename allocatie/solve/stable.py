"""Stability inside the optimum: no two households who would rather trade, no wasted vacancy.

The tiers say how many persons are housed and how many households live outside
concentrated areas; many plans reach the same optimum on both, and the solvers
choose among them by tier 3, the planner's quality. A household sees its own
pairs differently (:attr:`~allocatie.model.problem.ProblemData.pair_preference`:
its ranked wishes and interests), and a plan is hard to defend when

* two placed households would both rather have the other's dwelling, each is
  eligible for it, and the trade keeps every cap (a *blocking swap*); or
* a placed household would rather have a dwelling left empty, it is eligible,
  and the move keeps tiers 1–2 and every cap (a *blocking vacancy*).

:func:`blocking_swaps` and :func:`blocking_vacancies` find them, vectorised over
the pairs; :func:`stabilise` trades and moves until none is left. Every step
strictly raises the preference of the households it moves and changes no other
household, so the sum of the placed households' preferences rises with each step
and the pass ends. Tiers 1–2 never fall (a step that would lower them is not a
blocking one), so an optimal plan stays optimal on them; tier 3 may fall, and
that difference is the price of stability, reported as such
(:class:`~allocatie.solve.result.Stability`). Pinned households never move and
their dwellings are never taken. Trading cycles of three or more households are
not sought: the pass removes what a household and a coordinator can see, a pair
of households or an empty dwelling.

Caps after a step: a trade leaves every area's and building's household count as
it was, but an area's persons (the projected-composition headroom) change when
the two households differ in size; a move adds a household to the new area and
building. A step that adds to a count must keep it within the cap; one that only
lowers a count is always allowed (so a plan that broke a cap is not made worse).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from allocatie.model.problem import ProblemData
from allocatie.solve.result import Stability

__all__ = ["blocking_swaps", "blocking_vacancies", "stabilise"]

#: Pairs per block of the first filter: keeps the temporaries small on millions of pairs.
_BLOCK = 1 << 18

#: A preference no pair exceeds: what a household that may not move "has".
_UNMOVABLE = np.iinfo(np.int64).max


@dataclass
class _State:
    """A plan as the pass sees it, kept up to date while steps are applied."""

    selected: np.ndarray
    #: Pair of each household in the plan, ``-1`` when it waits.
    current: np.ndarray
    #: Pair occupying each dwelling, ``-1`` when it is empty.
    occupant: np.ndarray
    #: Households holding a pinned pair (they never move).
    fixed: np.ndarray
    #: Households and persons per area, households per building (at least one entry).
    area_households: np.ndarray
    area_persons: np.ndarray
    building_households: np.ndarray

    @classmethod
    def of(cls, problem: ProblemData, selected: np.ndarray) -> _State:
        s = np.array(selected, dtype=bool)
        chosen = np.flatnonzero(s)
        current = np.full(problem.n_households, -1, dtype=np.int64)
        current[problem.pair_household[chosen]] = chosen
        occupant = np.full(problem.n_dwellings, -1, dtype=np.int64)
        occupant[problem.pair_dwelling[chosen]] = chosen
        fixed = np.zeros(problem.n_households, dtype=bool)
        fixed[problem.pair_household[problem.pair_pinned]] = True
        area = problem.dwelling_area[problem.pair_dwelling[chosen]]
        building = problem.dwelling_complex[problem.pair_dwelling[chosen]]
        return cls(
            s,
            current,
            occupant,
            fixed,
            np.bincount(area, minlength=problem.n_areas).astype(np.int64),
            np.bincount(area, weights=problem.pair_persons[chosen], minlength=problem.n_areas)
            .round()
            .astype(np.int64),
            # one entry at least, so a dwelling outside any building can index it safely
            np.bincount(building[building >= 0], minlength=max(problem.n_complexes, 1)).astype(
                np.int64
            ),
        )


def _wanted(problem: ProblemData, state: _State) -> np.ndarray:
    """Pairs whose household is placed, not pinned, and strictly prefers the pair to its own."""
    preference = problem.pair_preference
    own = np.full(problem.n_households, _UNMOVABLE, dtype=np.int64)
    movable = (state.current >= 0) & ~state.fixed
    own[movable] = preference[state.current[movable]]
    found = []
    for start in range(0, problem.n_pairs, _BLOCK):
        stop = min(start + _BLOCK, problem.n_pairs)
        better = preference[start:stop] > own[problem.pair_household[start:stop]]
        found.append(start + np.flatnonzero(better))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _find(problem: ProblemData, household: np.ndarray, dwelling: np.ndarray) -> np.ndarray:
    """The pair of each ``(household, dwelling)``, ``-1`` where it is not eligible.

    A binary search within each household's run of pairs (they are sorted by
    household, then dwelling), all lookups at once.
    """
    starts = np.searchsorted(problem.pair_household, np.arange(problem.n_households + 1))
    lo, hi = starts[household].copy(), starts[household + 1].copy()
    end = hi.copy()
    while True:
        open_ = lo < hi
        if not open_.any():
            break
        mid = (lo + hi) // 2
        less = problem.pair_dwelling[np.minimum(mid, problem.n_pairs - 1)] < dwelling
        lo = np.where(open_ & less, mid + 1, lo)
        hi = np.where(open_ & ~less, mid, hi)
    hit = lo < end
    hit[hit] = problem.pair_dwelling[lo[hit]] == dwelling[hit]
    return np.where(hit, lo, -1)


def _fits(problem: ProblemData, state: _State, area: np.ndarray, change: np.ndarray) -> np.ndarray:
    """Whether adding ``change`` persons to each ``area`` keeps its headroom (a fall does)."""
    room = problem.area_max_persons[area]
    return (change <= 0) | (room < 0) | (state.area_persons[area] + change <= room)


_Tiers12 = tuple[np.ndarray, np.ndarray]


def _not_lower(new: _Tiers12, old: _Tiers12) -> np.ndarray:
    """Whether tiers 1–2 of the new pairs are lexicographically at least those of the old."""
    return (new[0] > old[0]) | ((new[0] == old[0]) & (new[1] >= old[1]))


def _swaps(problem: ProblemData, state: _State, wanted: np.ndarray) -> np.ndarray:
    """The blocking swaps among the ``wanted`` pairs: ``(k, 2)``, the pairs each side takes."""
    occupant = state.occupant[problem.pair_dwelling[wanted]]
    taken = occupant >= 0
    mine, theirs = wanted[taken], occupant[taken]  # h takes g's dwelling; g holds it now
    g = problem.pair_household[theirs]
    keep = ~state.fixed[g]
    mine, theirs, g = mine[keep], theirs[keep], g[keep]
    h = problem.pair_household[mine]
    own = state.current[h]
    back = _find(problem, g, problem.pair_dwelling[own])  # g takes h's dwelling
    keep = (back >= 0) & (h < g)  # each trade once, from the side of its smaller household
    mine, theirs, own, back = mine[keep], theirs[keep], own[keep], back[keep]
    keep = problem.pair_preference[back] > problem.pair_preference[theirs]
    mine, theirs, own, back = mine[keep], theirs[keep], own[keep], back[keep]
    persons, outside = problem.pair_persons, problem.pair_outside
    keep = _not_lower(
        (persons[mine] + persons[back], outside[mine] + outside[back]),
        (persons[own] + persons[theirs], outside[own] + outside[theirs]),
    )
    mine, theirs, own, back = mine[keep], theirs[keep], own[keep], back[keep]
    there = problem.dwelling_area[problem.pair_dwelling[mine]]
    here = problem.dwelling_area[problem.pair_dwelling[own]]
    same = there == here
    into_there = persons[mine] - persons[theirs] + np.where(same, persons[back] - persons[own], 0)
    into_here = np.where(same, 0, persons[back] - persons[own])
    keep = _fits(problem, state, there, into_there) & _fits(problem, state, here, into_here)
    return np.stack([mine[keep], back[keep]], axis=1)


def _vacancies(problem: ProblemData, state: _State, wanted: np.ndarray) -> np.ndarray:
    """The blocking vacancies among the ``wanted`` pairs: the pairs the households move to."""
    move = wanted[state.occupant[problem.pair_dwelling[wanted]] < 0]
    own = state.current[problem.pair_household[move]]
    persons, outside = problem.pair_persons, problem.pair_outside
    keep = _not_lower((persons[move], outside[move]), (persons[own], outside[own]))
    move, own = move[keep], own[keep]
    new_d, old_d = problem.pair_dwelling[move], problem.pair_dwelling[own]
    there, here = problem.dwelling_area[new_d], problem.dwelling_area[old_d]
    same = there == here
    cap = problem.area_max_households[there]
    households_ok = same | (cap < 0) | (state.area_households[there] + 1 <= cap)
    persons_ok = _fits(problem, state, there, persons[move] - np.where(same, persons[own], 0))
    keep = households_ok & persons_ok
    if problem.complex_max >= 0:
        building, left = problem.dwelling_complex[new_d], problem.dwelling_complex[old_d]
        count = state.building_households[np.maximum(building, 0)]
        keep &= (building < 0) | (building == left) | (count + 1 <= problem.complex_max)
    return move[keep]


def blocking_swaps(problem: ProblemData, selected: np.ndarray) -> np.ndarray:
    """Every blocking swap of a plan: two households who would both rather trade.

    Two placed households ``h`` and ``g``, neither pinned, ``h`` eligible for
    ``g``'s dwelling and ``g`` for ``h``'s, each strictly preferring the other's
    (:attr:`~allocatie.model.problem.ProblemData.pair_preference`), where the trade
    keeps tiers 1–2 and every persons headroom (household and building counts do
    not change in a trade).

    Returns
    -------
    numpy.ndarray
        ``(k, 2)`` integers: per trade, the pair ``h`` takes and the pair ``g``
        takes (``h < g``), sorted by ``h``; ``len`` is the number of trades.
    """
    state = _State.of(problem, selected)
    return _swaps(problem, state, _wanted(problem, state))


def blocking_vacancies(problem: ProblemData, selected: np.ndarray) -> np.ndarray:
    """Every blocking vacancy of a plan: a household that would rather have an empty dwelling.

    A placed household, not pinned, eligible for a dwelling no household has,
    strictly preferring it, where the move keeps tiers 1–2 (its persons and
    whether the area is outside concentration) and every cap of the new area and
    building.

    Returns
    -------
    numpy.ndarray
        The pairs the households would move to, sorted by household.
    """
    state = _State.of(problem, selected)
    return _vacancies(problem, state, _wanted(problem, state))


def _apply(problem: ProblemData, state: _State, leave: list[int], take: list[int]) -> bool:
    """Apply one step if every count it raises stays within its cap; say whether it did."""
    d_out, d_in = problem.pair_dwelling[leave], problem.pair_dwelling[take]
    a_out, a_in = problem.dwelling_area[d_out], problem.dwelling_area[d_in]
    households = np.bincount(a_in, minlength=problem.n_areas) - np.bincount(
        a_out, minlength=problem.n_areas
    )
    persons = np.bincount(
        a_in, weights=problem.pair_persons[take], minlength=problem.n_areas
    ) - np.bincount(a_out, weights=problem.pair_persons[leave], minlength=problem.n_areas)
    persons = persons.round().astype(np.int64)
    for area in set(a_in.tolist()):
        cap, room = problem.area_max_households[area], problem.area_max_persons[area]
        if households[area] > 0 and 0 <= cap < state.area_households[area] + households[area]:
            return False
        if persons[area] > 0 and 0 <= room < state.area_persons[area] + persons[area]:
            return False
    b_out, b_in = problem.dwelling_complex[d_out], problem.dwelling_complex[d_in]
    size = max(problem.n_complexes, 1)
    buildings = np.bincount(b_in[b_in >= 0], minlength=size) - np.bincount(
        b_out[b_out >= 0], minlength=size
    )
    if problem.complex_max >= 0:
        for building in set(b_in[b_in >= 0].tolist()):
            count = state.building_households[building] + buildings[building]
            if buildings[building] > 0 and count > problem.complex_max:
                return False
    state.selected[leave] = False
    state.selected[take] = True
    state.occupant[d_out] = -1
    state.occupant[d_in] = take
    state.current[problem.pair_household[take]] = take
    state.area_households += households
    state.area_persons += persons
    state.building_households += buildings
    return True


def _round(problem: ProblemData, state: _State) -> tuple[int, int] | None:
    """Apply every non-conflicting blocking step found on the plan; ``None`` when none is left.

    Steps are taken largest preference gain first, then smallest loss of tier 3,
    then by household and pair index (deterministic). A step whose households or
    dwellings an earlier step of the round moved is left to the next round (its
    preference or vacancy may no longer hold); the caps are checked again for
    every step, since earlier ones changed the counts.
    """
    wanted = _wanted(problem, state)
    swaps, moves = _swaps(problem, state, wanted), _vacancies(problem, state, wanted)
    if not len(swaps) and not len(moves):
        return None
    current = state.current
    take_a = np.concatenate([swaps[:, 0], moves])
    take_b = np.concatenate([swaps[:, 1], np.full(len(moves), -1, dtype=np.int64)])
    leave_a = current[problem.pair_household[take_a]]
    leave_b = np.where(take_b >= 0, current[problem.pair_household[np.maximum(take_b, 0)]], -1)
    pref, quality = problem.pair_preference, problem.pair_quality
    second = take_b >= 0
    gain = pref[take_a] - pref[leave_a] + np.where(second, pref[take_b] - pref[leave_b], 0)
    change = quality[take_a] - quality[leave_a]
    change += np.where(second, quality[take_b] - quality[leave_b], 0)
    first = problem.pair_household[take_a]
    order = np.lexsort((take_a, second, first, -change, -gain))
    moved_households: set[int] = set()
    moved_dwellings: set[int] = set()
    done = [0, 0]
    for i in order.tolist():
        take = [int(take_a[i])] + ([int(take_b[i])] if second[i] else [])
        leave = [int(leave_a[i])] + ([int(leave_b[i])] if second[i] else [])
        households = {int(problem.pair_household[p]) for p in take}
        dwellings = {int(problem.pair_dwelling[p]) for p in take + leave}
        if households & moved_households or dwellings & moved_dwellings:
            continue
        if _apply(problem, state, leave, take):
            moved_households |= households
            moved_dwellings |= dwellings
            done[0 if second[i] else 1] += 1
    return done[0], done[1]


def stabilise(problem: ProblemData, selected: np.ndarray) -> tuple[np.ndarray, Stability]:
    """The plan after trading and moving until no blocking swap or vacancy is left.

    Parameters
    ----------
    problem
        The problem; its ``pair_preference`` is the households' view.
    selected
        A plan that holds every rule (boolean per pair).

    Returns
    -------
    tuple
        The new plan (a new array; ``selected`` is not changed) and what the pass
        did (:class:`~allocatie.solve.result.Stability`). With all preferences
        equal nobody prefers anything and the plan is returned unchanged.
    """
    start = time.perf_counter()
    before = problem.tiers(selected)
    state = _State.of(problem, selected)
    swaps = moves = 0
    if problem.n_pairs and problem.pair_preference.min() != problem.pair_preference.max():
        while (done := _round(problem, state)) is not None:
            swaps, moves = swaps + done[0], moves + done[1]
    after = problem.tiers(state.selected)
    return state.selected, Stability(swaps, moves, before, after, time.perf_counter() - start)
