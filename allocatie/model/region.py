"""Build the :class:`~allocatie.solve.region.RegionData` of an instance: who belongs where.

The builder side of regional pooling (:mod:`allocatie.solve.region` solves it):
each household's municipality is its ``gemeente_code``, each dwelling's the one
its area lies in; a municipality's target is its taakstelling plus backlog minus
the persons housed so far (:meth:`~allocatie.inputs.policy.Region.target`). A
move costs the distance between the two municipalities' centres in kilometres,
the measure of how far a household is taken from its ties, which lie in the
municipality it was linked to.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from allocatie.areas.data import Areas
from allocatie.inputs.policy import Region
from allocatie.model.builder import Instance
from allocatie.solve.region import RegionData

__all__ = ["municipality_centres", "region_data"]


def municipality_centres(areas: Areas, codes: Sequence[str]) -> pd.DataFrame:
    """The centre of each municipality in RD metres (columns ``x``, ``y``; NaN when unknown).

    The mean of a point inside each of its wijken: inside the municipality, and
    where its people live rather than the middle of its fields.
    """
    points = areas.wijk_points_rd.join(areas.wijken["gemeente_code"])
    centres = points.groupby("gemeente_code")[["x", "y"]].mean()
    return centres.reindex(pd.Index(list(codes)))


def region_data(
    instance: Instance,
    municipalities: Sequence[str] | Mapping[str, str] | None = None,
    region: Region | None = None,
    areas: Areas | None = None,
) -> RegionData:
    """The municipalities, targets, herkoppelingen and move costs of ``instance``.

    Parameters
    ----------
    instance
        A built instance; its households carry ``gemeente_code``.
    municipalities
        The municipalities to account for: a list (one region), or a table of
        municipality code → region name (several regions, each solved on its own,
        e.g. a national instance cut into regions). By default the region of the
        policy when it names one, else every municipality of the instance.
    region
        Quota, backlog and housed-so-far per municipality; by default the
        policy's ``[region]``. A municipality without a quota there gets as
        target the persons of its own households (all of them housed at home).
    areas
        Area data for the municipalities' centres; without it a municipality's
        centre is the mean position of its offered dwellings (a municipality
        without any then costs nothing to move from or to).
    """
    region = instance.policy.region if region is None else region
    households, dwellings = instance.households, instance.dwellings
    home = _codes(households, "gemeente_code")
    there = _codes(dwellings, "gemeente_code")
    if municipalities is None:
        municipalities = region.municipalities or sorted(
            {c for c in home if c is not None} | {c for c in there if c is not None}
        )
    names = dict(municipalities) if isinstance(municipalities, Mapping) else None
    codes = tuple(names) if names is not None else tuple(municipalities)
    index = pd.Index(codes)
    household_municipality = index.get_indexer(pd.Series(home, dtype=object))
    dwelling_municipality = index.get_indexer(pd.Series(there, dtype=object))
    own = np.bincount(
        household_municipality[household_municipality >= 0],
        weights=households["persons"].to_numpy(dtype=float)[household_municipality >= 0],
        minlength=len(codes),
    ).astype(np.int64)
    target = np.array(
        [region.target(c) if c in region.quota else int(own[i]) for i, c in enumerate(codes)],
        dtype=np.int64,
    )
    problem = instance.problem
    penalty = np.zeros(problem.n_pairs, dtype=np.int64)
    if len(codes):
        centres = (
            municipality_centres(areas, codes)
            if areas is not None
            else _dwelling_centres(dwellings, codes)
        ).to_numpy(dtype=float)
        a = household_municipality[problem.pair_household]
        b = dwelling_municipality[problem.pair_dwelling]
        moved = (a >= 0) & (b >= 0) & (a != b)
        km = np.hypot(*(centres[a[moved]] - centres[b[moved]]).T) / 1000
        penalty[moved] = np.rint(np.nan_to_num(km, nan=0.0)).astype(np.int64)
    region_of = None
    if names is not None:
        labels = pd.Index(sorted(set(names.values())))
        region_of = labels.get_indexer([names[c] for c in codes]).astype(np.int64)
    return RegionData.of(
        problem,
        codes,
        household_municipality,
        dwelling_municipality,
        target,
        penalty,
        region_of,
    )


def _dwelling_centres(dwellings: pd.DataFrame, codes: Sequence[str]) -> pd.DataFrame:
    """Mean RD position (``x``, ``y``) of each municipality's offered dwellings."""
    if not {"x", "y", "gemeente_code"} <= set(dwellings.columns):
        return pd.DataFrame(np.nan, index=pd.Index(list(codes)), columns=["x", "y"])
    located = dwellings[["gemeente_code", "x", "y"]].astype({"x": float, "y": float})
    return located.groupby("gemeente_code")[["x", "y"]].mean().reindex(pd.Index(list(codes)))


def _codes(table: pd.DataFrame, column: str) -> np.ndarray:
    """The column's codes as objects (``None`` where empty or absent)."""
    if column not in table.columns:
        return np.full(len(table), None, dtype=object)
    values = table[column].astype(object)
    return values.where(values.notna(), None).to_numpy(dtype=object)
