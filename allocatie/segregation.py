"""Pure functions over area × group counts.

Kept free of pandas objects and I/O so that each index can be checked against
reference values (PySAL ``segregation``) in isolation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def location_quotient(
    group: ArrayLike, total: ArrayLike, ref_group: ArrayLike, ref_total: ArrayLike
) -> NDArray[np.float64]:
    """Location quotient: an area's group share relative to a reference share.

    ``LQ = (group / total) / (ref_group / ref_total)``. A value of 1 means the
    area mirrors its municipality; DESIGN §3 calls an area concentrated from
    1.5 on. Areas without residents (or a reference without the group) get
    ``nan``: there is nothing to compare, and callers must say so rather than
    guess.
    """
    group = np.asarray(group, dtype=float)
    total = np.asarray(total, dtype=float)
    ref_share = np.asarray(ref_group, dtype=float) / np.asarray(ref_total, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (group / total) / ref_share
    return np.where((total > 0) & (ref_share > 0), lq, np.nan)


def headroom_persons(
    group: ArrayLike, total: ArrayLike, ref_share: ArrayLike, lq_threshold: float
) -> NDArray[np.float64]:
    """Largest number of persons an area can receive and stay below the threshold.

    Every placed person is counted in the indicator group (the conservative
    projection), so after ``x`` placements the share is
    ``(group + x) / (total + x)``; the area stays non-concentrated while that is
    below ``lq_threshold * ref_share``. Solving for the largest integer ``x``
    gives ``ceil((t·s·total − group) / (1 − t·s)) − 1``. Returns ``inf`` where
    the threshold share is 1 or more (no count of placements can reach it) and
    ``nan`` for areas already at or over the threshold or without statistics:
    the rule only protects areas that are not yet concentrated.
    """
    group = np.asarray(group, dtype=float)
    total = np.asarray(total, dtype=float)
    limit = lq_threshold * np.asarray(ref_share, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        below = (total > 0) & (group < limit * total)
        bound = (limit * total - group) / (1.0 - limit)
        room = np.ceil(bound - 1e-9) - 1.0
    room = np.where(limit >= 1.0, np.inf, room)
    return np.where(below, np.maximum(room, 0.0), np.nan)
