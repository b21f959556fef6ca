"""Tier-3 quality of each eligible pair: interests, wishes, fit and waiting time.

Each part is a number in [0, 1] so that the policy weights read as plain
ratios; their weighted mean is scaled to an integer in ``[0, QUALITY_SCALE]``.
Wishes (and, if the policy says so, interests) are ranked: a better-ranked
wish scores more, on the policy's ``rank_scores`` scale.

The household's own *preference* for a pair is the part of that score that is
its own choice — its ranked wishes and interests, with the same weights — and
not the planner's (fit, waiting). It decides whether two placed households
would rather trade dwellings (:mod:`allocatie.solve.stable`) and whether a plan
treats a household worse than first come, first served.
Integers, because both solvers must see exactly the same objective: CP-SAT
only takes integer coefficients, and the min-cost-flow cross-check folds the
tiers into one integer cost.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocatie.inputs.policy import Policy
from allocatie.model.eligibility import area_codes, area_list_rank
from allocatie.model.problem import QUALITY_SCALE  # the contract's scale; re-exported here

#: Waiting time that earns the full waiting score. A fixed horizon (not the longest wait in
#: the run) keeps a pair's score independent of who else is in the run, so solving
#: municipalities one by one, or on several machines, gives the same plan as solving them
#: together.
WAITING_HORIZON_DAYS = 365

#: Households waiting longer than this (10 weeks) are overdue under the usual agreements;
#: the monthly report and the half-year planner count them the same way.
OVERDUE_DAYS = 70

#: Names of the quality parts, in report order.
PARTS = ("interest", "wishes", "fit", "waiting")


def interest_served(
    households: pd.DataFrame,
    distances: pd.DataFrame | None,
    household: np.ndarray,
    dwelling: np.ndarray,
    radius_m: float,
    rank_scores: tuple[float, ...] | None = None,
) -> np.ndarray:
    """Share of a household's interests with a matching amenity within ``radius_m``.

    ``distances`` has one row per dwelling (positional) and one column per
    amenity category. Households without interests, and runs without
    amenities, score 0: nothing is known to be served. With ``rank_scores``
    the interests are ranked (first = most wanted) and the share is weighted:
    the ``k``-th interest weighs ``rank_scores[k-1]`` (beyond the list, its last).
    """
    if distances is None or distances.shape[1] == 0 or len(household) == 0:
        return np.zeros(len(household))
    served = distances.to_numpy(dtype=float) <= radius_m
    column = {c: i for i, c in enumerate(distances.columns)}
    wanted = households["interests"].reset_index(drop=True).explode().dropna()
    if wanted.empty:
        return np.zeros(len(household))
    interest_h = wanted.index.to_numpy()
    interest_c = wanted.map(column).fillna(-1).to_numpy(dtype=np.int64)
    weight = np.ones(len(wanted))
    if rank_scores:
        place = wanted.groupby(level=0).cumcount().to_numpy()
        weight = np.asarray(rank_scores, dtype=float)[np.minimum(place, len(rank_scores) - 1)]
    n_interests = np.bincount(interest_h, weights=weight, minlength=len(households))

    # long table: one row per (pair, interest of its household)
    pair_ids = np.arange(len(household))
    starts = np.searchsorted(interest_h, household, side="left")
    ends = np.searchsorted(interest_h, household, side="right")
    counts = ends - starts
    rows = np.repeat(pair_ids, counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    at = np.repeat(starts, counts) + offsets
    cats = interest_c[at]
    known = cats >= 0
    hit = np.zeros(len(rows), dtype=bool)
    hit[known] = served[dwelling[rows[known]], cats[known]]
    n_hit = np.bincount(rows, weights=hit * weight[at], minlength=len(household))
    total = n_interests[household]
    return np.divide(n_hit, total, out=np.zeros(len(household)), where=total > 0)


def quality_parts(
    households: pd.DataFrame,
    dwellings: pd.DataFrame,
    pairs: pd.DataFrame,
    policy: Policy,
    wait_days: np.ndarray,
    distances: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The four quality parts for each pair of ``pairs`` (columns :data:`PARTS`).

    The wishes part is the ``rank_scores`` value of the dwelling's place in
    the household's ``preferred_areas`` (0 when not wished); that place itself
    is the column ``wish_rank`` (1 = first wish, 0 = not wished), for the
    reports. The waiting part is the household's waiting time over
    :data:`WAITING_HORIZON_DAYS` (capped at 1), so that among otherwise equal
    plans the longest-waiting households are housed first (DESIGN §3, tier 1's
    tie-break).
    """
    h = pairs["household"].to_numpy()
    d = pairs["dwelling"].to_numpy()
    w = policy.weights
    ranked = w.rank_scores if w.interests_ranked else None
    interest = interest_served(households, distances, h, d, w.interest_radius_m, ranked)
    rank = area_list_rank(households["preferred_areas"], area_codes(dwellings), h, d)
    scale = np.concatenate([[0.0], np.asarray(w.rank_scores, dtype=float)])
    wishes = scale[np.minimum(rank, len(w.rank_scores))]
    extra = pairs["extra_bedrooms"].to_numpy(dtype=float)
    fit = 1.0 - extra / (policy.occupancy.max_extra_bedrooms + 1)
    waiting = np.clip(np.asarray(wait_days, dtype=float) / WAITING_HORIZON_DAYS, 0.0, 1.0)[h]
    return pd.DataFrame(
        {
            "interest": interest,
            "wishes": wishes,
            "fit": fit,
            "waiting": waiting,
            "wish_rank": rank,
        },
        index=pairs.index,
    )


def quality_score(parts: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Weighted mean of the parts as an integer in ``[0, QUALITY_SCALE]``."""
    w = policy.weights
    weights = np.array([w.interest, w.wishes, w.fit, w.waiting], dtype=float)
    if weights.sum() == 0:
        return np.zeros(len(parts), dtype=np.int64)
    mean = parts[list(PARTS)].to_numpy(dtype=float) @ (weights / weights.sum())
    return np.rint(mean * QUALITY_SCALE).astype(np.int64)


def preference_score(parts: pd.DataFrame, policy: Policy) -> np.ndarray:
    """The household's own view of each pair, an integer in ``[0, QUALITY_SCALE]``.

    The weighted mean of the parts the household chose (interests and ranked
    wishes), with the policy's weights; fit and waiting are the planner's and
    left out. All 0 when both weights are 0: then no household prefers one
    dwelling to another.
    """
    w = policy.weights
    weights = np.array([w.interest, w.wishes], dtype=float)
    if weights.sum() == 0:
        return np.zeros(len(parts), dtype=np.int64)
    mean = parts[["interest", "wishes"]].to_numpy(dtype=float) @ (weights / weights.sum())
    return np.rint(mean * QUALITY_SCALE).astype(np.int64)
