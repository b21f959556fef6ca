"""Pure functions over area × group counts.

Kept free of I/O, and of pandas objects except at :func:`is_concentrated`'s
edge, so that each index can be checked against reference values (PySAL
``segregation``) in isolation.

The city-wide indices follow PySAL ``segregation`` 2.5 (Massey & Denton 1988;
Reardon & Firebaugh 2002; Morrill 1991) and agree with it to machine precision
on the bundled data (``tests/reference/``). Notation for the two-group indices,
over areas i with a positive total::

    x_i  group count,   t_i  total,   y_i = t_i − x_i,   p_i = x_i / t_i,
    X = Σ x_i,   Y = Σ y_i,   T = Σ t_i,   P = X / T.

Areas with total 0 are dropped before an index is computed: they hold nobody,
so they are neither even nor uneven, and dropping them is what PySAL's
aspatial indices amount to (they weight such areas by t_i = 0). Only
:func:`location_quotients`, which answers per area, keeps them, as ``nan``. An
index that is undefined for the counts given (nobody in the group, everybody in
it, no neighbours) raises :class:`UndefinedIndexError` rather than return nan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import pandas as pd
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


@overload
def is_concentrated(lq: float | np.floating | None, threshold: float) -> bool: ...


@overload
def is_concentrated(
    lq: NDArray[np.number] | Sequence[float | None], threshold: float
) -> NDArray[np.bool_]: ...


@overload
def is_concentrated(lq: pd.Series, threshold: float) -> pd.Series: ...


def is_concentrated(
    lq: float | np.floating | None | NDArray[np.number] | Sequence[float | None] | pd.Series,
    threshold: float,
) -> bool | NDArray[np.bool_] | pd.Series:
    """Whether an area counts as concentrated: its LQ is at or above ``threshold``.

    The one definition of the spreading rule's test (DESIGN §3), for matching,
    the synthetic offers and every report, so that a plan and its map can never
    disagree about which areas are concentrated.

    A missing LQ (``nan``, ``None`` or ``pd.NA``: an area without statistics,
    or without residents to compare, see :func:`location_quotient`) is *not*
    concentrated. Nothing is known against placing there, and marking it
    concentrated would steer households away from areas merely because CBS
    publishes no counts for them; matching has always treated such areas this
    way, and the reports say separately that the statistics are missing.

    Parameters
    ----------
    lq
        One location quotient, an array-like of them, or a
        :class:`pandas.Series` of them.
    threshold
        The policy's ``lq_threshold``; an LQ equal to it is concentrated.

    Returns
    -------
    bool or numpy.ndarray or pandas.Series
        The same kind as ``lq``: a ``bool`` for a scalar (or 0-d array), a
        boolean array of the same shape for an array-like, a boolean Series
        with ``lq``'s index and name for a Series. Never missing.
    """
    if isinstance(lq, pd.Series):
        values = lq.to_numpy(dtype=np.float64, na_value=np.nan)
        return pd.Series(_at_or_over(values, threshold), index=lq.index, name=lq.name)
    concentrated = _at_or_over(_as_float(lq), threshold)
    return bool(concentrated) if concentrated.ndim == 0 else concentrated


def _as_float(lq: object) -> NDArray[np.float64]:
    """Quotients as a float array (0-d for a scalar), ``None`` and ``pd.NA`` as ``nan``."""
    values = np.asarray(lq)
    if values.dtype == object:
        values = np.where(pd.isna(values), np.nan, values)
    return values.astype(np.float64)


def _at_or_over(values: NDArray[np.float64], threshold: float) -> NDArray[np.bool_]:
    """``values >= threshold`` with ``nan`` counted as below (see :func:`is_concentrated`)."""
    return ~np.isnan(values) & (values >= threshold)


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


class UndefinedIndexError(ValueError):
    """An index has no value for these counts (e.g. the group is absent).

    A subclass of ``ValueError`` so that callers which report bad input in
    general still catch it, while a caller that can say "not defined here"
    (a municipality with no member of the indicator group) can catch it alone.
    """


def _two_group(
    group: ArrayLike, total: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate two-group counts and drop areas without residents.

    Raises ``ValueError`` for shapes that do not match, counts that are not
    finite or negative, and a group larger than its area's total: any of these
    is a data error upstream, and an index computed over it would be a silent
    lie. The group count of an area with total 0 is dropped with the area, not
    checked: CBS rounds every count to 5 on its own, so an empty business park
    can show 5 group members among 0 residents (seven buurten in the bundled
    data do).
    """
    x = np.asarray(group, dtype=np.float64)
    t = np.asarray(total, dtype=np.float64)
    if x.ndim != 1 or t.ndim != 1 or x.shape != t.shape:
        raise ValueError(
            f"group and total must be 1-D and of equal length, got shapes {x.shape} and {t.shape}"
        )
    if not (np.isfinite(x).all() and np.isfinite(t).all()):
        raise ValueError("group and total must be finite (no nan or inf)")
    if (x < 0).any() or (t < 0).any():
        raise ValueError("group and total counts must be ≥ 0")
    populated = t > 0
    over = populated & (x > t)
    if over.any():
        raise ValueError(
            f"group exceeds total in area(s) {np.flatnonzero(over)[:10].tolist()} (0-based)"
        )
    return x[populated], t[populated]


def _overall_share(x: NDArray[np.float64], t: NDArray[np.float64], index: str) -> float:
    """The group's overall share ``P``, checked to be strictly between 0 and 1.

    Evenness indices divide by ``P (1 − P)`` (or the overall entropy, zero at
    the same points): with nobody, or everybody, in the group there is no
    unevenness to measure.
    """
    total = t.sum()
    if total <= 0:
        raise UndefinedIndexError(f"{index} is undefined: no area has residents")
    share = x.sum() / total
    if share <= 0 or share >= 1:
        who = "no resident is" if share <= 0 else "every resident is"
        raise UndefinedIndexError(f"{index} is undefined: {who} in the group")
    return float(share)


def _group_total(x: NDArray[np.float64], index: str) -> float:
    """``X``, checked to be positive: exposure indices average over the group."""
    members = float(x.sum())
    if members <= 0:
        raise UndefinedIndexError(f"{index} is undefined: no resident is in the group")
    return members


def _plogp(p: NDArray[np.float64] | np.float64) -> NDArray[np.float64]:
    """``p · ln p`` with the limit ``0 · ln 0 = 0`` (an absent group adds no entropy)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(p > 0, p * np.log(p), 0.0)


def dissimilarity(group: ArrayLike, total: ArrayLike) -> float:
    """Index of dissimilarity (Duncan & Duncan's D).

    The share of the group that would have to move to another area for every
    area to have the city's share: the most quoted evenness measure, so the
    first number a coordinator is shown.

    ``D = Σ t_i |p_i − P| / (2 T P (1 − P))``, equivalently
    ``½ Σ |x_i / X − y_i / Y|``. 0 is perfect evenness, 1 complete separation.

    Parameters
    ----------
    group, total
        Group count and total population per area (1-D, equal length).
        Areas with total 0 are dropped.

    Returns
    -------
    float
        D in [0, 1].

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody or everybody is in the group.
    """
    x, t = _two_group(group, total)
    share = _overall_share(x, t, "dissimilarity")
    return float(np.sum(t * np.abs(x / t - share)) / (2 * t.sum() * share * (1 - share)))


def isolation(group: ArrayLike, total: ArrayLike) -> float:
    """Isolation index xPx*: the group share in the area of an average member.

    Measures exposure rather than evenness: the probability that a person a
    group member meets in their own area is also a member. Unlike D it grows
    with the group's overall share (its minimum is ``P``, reached under perfect
    evenness), so compare it with ``P`` rather than with 0.

    ``xPx* = Σ (x_i / X) (x_i / t_i)``.

    Parameters
    ----------
    group, total
        Group count and total population per area. Areas with total 0 are
        dropped.

    Returns
    -------
    float
        xPx* in [P, 1].

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody is in the group.
    """
    x, t = _two_group(group, total)
    members = _group_total(x, "isolation")
    return float(np.sum((x / members) * (x / t)))


def exposure(group: ArrayLike, total: ArrayLike) -> float:
    """Interaction index xPy*: the group's exposure to everybody else.

    The share of non-members in the area of an average group member — the
    everyday-contact reading of "not segregated". With two groups it is the
    complement of :func:`isolation`.

    ``xPy* = Σ (x_i / X) (y_i / t_i) = 1 − xPx*``.

    Parameters
    ----------
    group, total
        Group count and total population per area. Areas with total 0 are
        dropped.

    Returns
    -------
    float
        xPy* in [0, 1 − P].

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody is in the group.
    """
    x, t = _two_group(group, total)
    members = _group_total(x, "exposure")
    return float(np.sum((x / members) * ((t - x) / t)))


def entropy(group: ArrayLike, total: ArrayLike) -> float:
    """Theil's information theory index H for two groups.

    How much less diverse the average area is than the city, relative to the
    city's diversity; unlike D it counts every departure from evenness, not
    only moves across the city's share, and it decomposes over levels
    (buurt within wijk), which is why it is reported alongside D.

    With ``E(p) = −p ln p − (1 − p) ln(1 − p)`` (``0 ln 0 = 0``), ``E = E(P)``
    and ``E_i = E(p_i)``: ``H = Σ t_i (E − E_i) / (E T)``.

    Parameters
    ----------
    group, total
        Group count and total population per area. Areas with total 0 are
        dropped.

    Returns
    -------
    float
        H in [0, 1].

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody or everybody is in the group.
    """
    x, t = _two_group(group, total)
    share = _overall_share(x, t, "entropy")
    p = x / t
    city = -(_plogp(np.float64(share)) + _plogp(np.float64(1 - share)))
    local = -(_plogp(p) + _plogp(1 - p))
    return float(np.sum(t * (city - local)) / (city * t.sum()))


def multigroup_entropy(counts: ArrayLike) -> float:
    """Reardon & Firebaugh's multigroup information theory index H.

    The same question as :func:`entropy` for more than two groups at once
    (e.g. non-western, western and Dutch background), so that splitting the
    population further does not need another index.

    With ``c_im`` the count of group m in area i, ``t_i = Σ_m c_im``,
    ``π_im = c_im / t_i``, ``π_m = Σ_i c_im / T`` and
    ``E = −Σ_m π_m ln π_m``:
    ``H = Σ_i Σ_m t_i π_im ln(π_im / π_m) / (T E)`` (``0 ln 0 = 0``).
    For two groups it equals :func:`entropy`.

    Parameters
    ----------
    counts
        Areas × groups (2-D); each row sums to the area's total. Areas with
        total 0 are dropped, and so are groups nobody belongs to (they add
        nothing to either entropy; PySAL returns nan for them).

    Returns
    -------
    float
        H in [0, 1].

    Raises
    ------
    ValueError
        If ``counts`` is not 2-D, not finite or negative.
    UndefinedIndexError
        If fewer than two groups have members.
    """
    c = np.asarray(counts, dtype=np.float64)
    if c.ndim != 2:
        raise ValueError(f"counts must be 2-D (areas × groups), got shape {c.shape}")
    if not np.isfinite(c).all():
        raise ValueError("counts must be finite (no nan or inf)")
    if (c < 0).any():
        raise ValueError("counts must be ≥ 0")
    c = c[c.sum(axis=1) > 0]
    c = c[:, c.sum(axis=0) > 0]
    if c.shape[1] < 2:
        raise UndefinedIndexError(
            "multigroup entropy is undefined: fewer than two groups have members"
        )
    t = c.sum(axis=1)
    grand = t.sum()
    city_share = c.sum(axis=0) / grand
    city = -np.sum(_plogp(city_share))
    local_share = c / t[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(c > 0, c * np.log(local_share / city_share), 0.0)
    return float(terms.sum() / (grand * city))


def gini(group: ArrayLike, total: ArrayLike) -> float:
    """Gini segregation index: mean share difference over all pairs of persons.

    Where D looks only at which side of the city's share each area lies, G
    averages the gap between every pair of areas, weighted by their residents,
    so it reacts to how far concentrated areas are from the rest.

    ``G = Σ_i Σ_j t_i t_j |p_i − p_j| / (2 T² P (1 − P))``.

    Computed in O(n log n) by sorting areas by share (with cumulative sums)
    rather than forming the n × n matrix: the national buurt level has 14,000
    areas, for which the matrix alone would take 1.6 GB.

    Parameters
    ----------
    group, total
        Group count and total population per area. Areas with total 0 are
        dropped.

    Returns
    -------
    float
        G in [0, 1]; G ≥ D.

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody or everybody is in the group.
    """
    x, t = _two_group(group, total)
    share = _overall_share(x, t, "gini")
    p = x / t
    order = np.argsort(p, kind="stable")
    p, t = p[order], t[order]
    # For areas sorted by share, Σ_{i<j} t_i t_j (p_j − p_i)
    # = Σ_j t_j (p_j · Σ_{i<j} t_i − Σ_{i<j} t_i p_i).
    before_t = np.cumsum(t) - t
    before_tp = np.cumsum(t * p) - t * p
    pairs = np.sum(t * (p * before_t - before_tp))
    grand = t.sum()
    return float(2 * pairs / (2 * grand * grand * share * (1 - share)))


def location_quotients(group: ArrayLike, total: ArrayLike) -> NDArray[np.float64]:
    """Location quotient of every area relative to all areas given.

    ``LQ_i = (x_i / t_i) / (X / T)``: the per-area view behind the spreading
    rule (DESIGN §3: concentrated from 1.5). A thin wrapper of
    :func:`location_quotient` with the sum over the populated areas as the
    reference, so that ``Σ t_i LQ_i / T = 1`` as in PySAL.

    Parameters
    ----------
    group, total
        Group count and total population per area.

    Returns
    -------
    numpy.ndarray
        One value per area, aligned with the input. Areas with total 0 are
        kept in place (dropping them would misalign the result) and get
        ``nan``: the only nan this module returns, and it marks exactly the
        areas with nobody to compare.

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody is in the group (every quotient would be 0 / 0).
    """
    x, t = _two_group(group, total)
    if t.sum() <= 0:
        raise UndefinedIndexError("location quotients are undefined: no area has residents")
    reference = _group_total(x, "location quotients"), t.sum()
    return location_quotient(group, total, *reference)


def spatial_dissimilarity(
    group: ArrayLike, total: ArrayLike, weights: ArrayLike, *, standardize: bool = False
) -> float:
    """Morrill's adjusted dissimilarity D(adj), as PySAL's ``SpatialDissim``.

    D ignores where areas lie: a concentrated area next to mixed ones counts
    as much as one in a block of concentrated areas, although residents cross
    the boundary daily. Morrill (1991) subtracts the average share difference
    across neighbouring boundaries:

    ``D(adj) = D − Σ_i Σ_j c_ij |p_i − p_j| / Σ_i Σ_j c_ij``

    with ``c_ij`` the spatial weights (PySAL's default and ours: binary
    queen contiguity, :func:`allocatie.areas.adjacency.weights_matrix`). It is at most
    D and can be negative.

    Parameters
    ----------
    group, total
        Group count and total population per area. Areas with total 0 are
        dropped together with their rows and columns of ``weights``. (PySAL
        keeps them with share 0, which makes an empty business park look like a
        sharp contrast to its neighbours; it agrees with this function whenever
        every area has residents.)
    weights
        ``n × n`` non-negative weights in the order of the areas: a SciPy
        sparse matrix or array, or a dense array-like.
    standardize
        Row-standardise ``c_ij`` first (PySAL's ``standardize=True``, the R
        package ``seg``'s default). Areas without neighbours then contribute
        nothing; PySAL returns nan if there are any.

    Returns
    -------
    float
        D(adj) ≤ D.

    Raises
    ------
    ValueError
        Invalid counts (as for :func:`dissimilarity`), or weights of the wrong
        shape, not finite or negative.
    UndefinedIndexError
        If nobody or everybody is in the group, or no two populated areas are
        neighbours (the adjustment is then 0 / 0).
    """
    x_all = np.asarray(group, dtype=np.float64)
    t_all = np.asarray(total, dtype=np.float64)
    d = dissimilarity(x_all, t_all)
    n = t_all.shape[0]
    rows, cols, values = _weight_entries(weights, n)
    populated = t_all > 0
    keep = populated[rows] & populated[cols] & (values != 0)
    rows, cols, values = rows[keep], cols[keep], values[keep]
    if standardize:
        row_sums = np.bincount(rows, weights=values, minlength=n)
        values = values / row_sums[rows]
    denominator = values.sum()
    if denominator <= 0:
        raise UndefinedIndexError(
            "spatial dissimilarity is undefined: no two populated areas are neighbours"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(populated, x_all / t_all, 0.0)
    return float(d - np.sum(values * np.abs(p[rows] - p[cols])) / denominator)


def _weight_entries(
    weights: ArrayLike, n: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64]]:
    """Row, column and value of every stored weight, from sparse or dense input.

    Sparse input is read through its COO form without densifying (duck-typed
    on ``tocoo`` so this module needs no SciPy import).
    """
    if hasattr(weights, "tocoo"):
        coo = weights.tocoo()
        shape = tuple(coo.shape)
        rows = np.asarray(coo.row, dtype=np.intp)
        cols = np.asarray(coo.col, dtype=np.intp)
        values = np.asarray(coo.data, dtype=np.float64)
    else:
        dense = np.asarray(weights, dtype=np.float64)
        shape = dense.shape
        rows, cols = np.nonzero(dense)
        values = dense[rows, cols]
    if shape != (n, n):
        raise ValueError(f"weights must be {n} × {n} (one row per area), got shape {shape}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("weights must be finite and ≥ 0")
    return rows, cols, values


def all_indices(group: ArrayLike, total: ArrayLike) -> dict[str, float]:
    """The five city-wide two-group indices, under the keys reports use.

    Keys ``dissimilarity``, ``isolation``, ``exposure``, ``entropy``, ``gini``
    (the CLI's JSON and ``kpis.json``). One call so that before/after reports
    always show the same set.

    Raises
    ------
    ValueError
        If the counts are not 1-D of equal length, not finite or negative, or
        a group count exceeds its (positive) total.
    UndefinedIndexError
        If nobody or everybody is in the group.
    """
    return {
        "dissimilarity": dissimilarity(group, total),
        "isolation": isolation(group, total),
        "exposure": exposure(group, total),
        "entropy": entropy(group, total),
        "gini": gini(group, total),
    }
