"""Today's manual practice as a baseline: first come, first served.

At a monthly meeting without an optimiser, the coordinator takes the
household that has waited longest and gives it the first offered dwelling
that fits; then the next household, and so on. :func:`fcfs_plan` does exactly
that, under the same hard rules and caps as the optimiser, because it reads
the same :class:`~allocatie.model.problem.ProblemData`: a pair is there only if it
passes every rule, and the area, persons-headroom and building caps are
checked as the plan grows. Comparing the two on the same stream therefore
measures the value of optimising, not of a different rule book.

The half-year simulation (:func:`allocatie.planning.planner.simulate` with
``method="fcfs"``) uses it on the same streams and refusal draws as the
optimiser, and every monthly run compares its plan with it, household by
household (:mod:`allocatie.report.harm`, the ``no_harm`` rule). It lives with
the solvers, not the planner, because both the report and the planning layers
need it and it reads nothing but the problem and the two input tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocatie.model.problem import ProblemData

__all__ = ["fcfs_plan", "offer_rank", "queue_rank"]


def queue_rank(households: pd.DataFrame) -> np.ndarray:
    """Household positions in queue order: earliest ``linked_on`` first, then id.

    The id breaks ties so the order never depends on row order.
    """
    order = np.lexsort(
        (
            households["household_id"].astype(str).to_numpy(),
            households["linked_on"].to_numpy().astype("datetime64[D]"),
        )
    )
    return order.astype(np.int64)


def offer_rank(dwellings: pd.DataFrame) -> np.ndarray:
    """Rank of every dwelling in offer order: earliest ``available_from`` first, then id.

    ``rank[d]`` is the place of dwelling ``d`` in that order (0 = first).
    """
    order = np.lexsort(
        (
            dwellings["dwelling_id"].astype(str).to_numpy(),
            dwellings["available_from"].to_numpy().astype("datetime64[D]"),
        )
    )
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def fcfs_plan(problem: ProblemData, queue: np.ndarray, dwelling_rank: np.ndarray) -> np.ndarray:
    """First-come-first-served plan: each household in turn takes the first free dwelling that fits.

    Parameters
    ----------
    problem
        The month's problem; its pairs are exactly the pairs that pass every
        hard rule.
    queue
        Household positions in the order they are served (see
        :func:`queue_rank`).
    dwelling_rank
        Per dwelling its place in the offer order (see :func:`offer_rank`);
        a household gets its eligible free dwelling of lowest rank.

    Returns
    -------
    numpy.ndarray
        Boolean per pair of ``problem``: the pairs of the plan. Pinned pairs
        are placed first; a household is skipped when every dwelling that fits
        it is taken or its area or building is full. The plan never breaks a
        cap (``problem.violations`` is empty for it).

    Notes
    -----
    One pass over the households; each step is a vectorised check of that
    household's own eligible pairs, so the work is proportional to the
    number of pairs.
    """
    selected = np.zeros(problem.n_pairs, dtype=bool)
    if problem.n_pairs == 0:
        return selected
    starts = np.searchsorted(problem.pair_household, np.arange(problem.n_households), "left")
    ends = np.searchsorted(problem.pair_household, np.arange(problem.n_households), "right")
    taken = np.zeros(problem.n_dwellings, dtype=bool)
    area_households = np.zeros(problem.n_areas, dtype=np.int64)
    area_persons = np.zeros(problem.n_areas, dtype=np.int64)
    building = np.zeros(max(problem.n_complexes, 1), dtype=np.int64)
    done = np.zeros(problem.n_households, dtype=bool)

    def take(pair: int) -> None:
        dwelling = problem.pair_dwelling[pair]
        area = problem.dwelling_area[dwelling]
        selected[pair] = True
        taken[dwelling] = True
        done[problem.pair_household[pair]] = True
        area_households[area] += 1
        area_persons[area] += problem.pair_persons[pair]
        if problem.dwelling_complex[dwelling] >= 0:
            building[problem.dwelling_complex[dwelling]] += 1

    for pair in np.flatnonzero(problem.pair_pinned):
        take(int(pair))
    for household in np.asarray(queue, dtype=np.int64):
        if done[household] or starts[household] == ends[household]:
            continue
        pairs = np.arange(starts[household], ends[household])
        dwelling = problem.pair_dwelling[pairs]
        area = problem.dwelling_area[dwelling]
        complex_ = problem.dwelling_complex[dwelling]
        cap_h = problem.area_max_households[area]
        cap_p = problem.area_max_persons[area]
        fits = (
            ~taken[dwelling]
            & ((cap_h < 0) | (area_households[area] < cap_h))
            & ((cap_p < 0) | (area_persons[area] + problem.pair_persons[pairs] <= cap_p))
            & (
                (complex_ < 0)
                | (problem.complex_max < 0)
                | (building[np.maximum(complex_, 0)] < problem.complex_max)
            )
        )
        if fits.any():
            candidates = pairs[fits]
            take(int(candidates[np.argmin(dwelling_rank[problem.pair_dwelling[candidates]])]))
    return selected
