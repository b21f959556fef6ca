"""A municipality's neighbourhoods before and after a plan: indices, quotients, placements.

The council's question is not only "were households placed outside concentrated
areas?" but "what does this plan do to the city?". This module answers it with
projected counts: every placed person is added to the area's residents and, as
in the spreading rule, to the indicator group (the conservative assumption), and
the city-wide indices and each area's location quotient are computed again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse

from allocatie.areas.adjacency import queen_graph, weights_matrix
from allocatie.areas.data import Areas
from allocatie.areas.segregation import (
    UndefinedIndexError,
    all_indices,
    is_concentrated,
    location_quotient,
    spatial_dissimilarity,
)

if TYPE_CHECKING:
    from allocatie.inputs.policy import Policy

LEVELS = ("buurt", "wijk")
INDEX_KEYS = ("dissimilarity", "isolation", "exposure", "entropy", "gini")


def level_counts(
    stats: pd.DataFrame, level: str, indicator: str, gemeenten: Sequence[str]
) -> pd.DataFrame:
    """Areas of one level in the given municipalities that have residents and a count.

    Areas whose counts are missing (wijken renumbered since the statistics
    year, CBS's ``…99`` rest areas) or zero are left out: an index over them
    would be undefined, not zero. Sorted by municipality, then code.
    """
    rows = stats[(stats["level"] == level) & stats["gemeente_code"].isin(list(gemeenten))]
    counts = pd.DataFrame(
        {
            "gemeente_code": rows["gemeente_code"].astype(str),
            "name": rows["name"].astype(str),
            "residents": pd.to_numeric(rows["residents"], errors="coerce"),
            "group": pd.to_numeric(rows[indicator], errors="coerce"),
        },
        index=rows.index.astype(str),
    )
    counts = counts.dropna()
    counts = counts[counts["residents"] > 0]
    counts["group"] = np.minimum(counts["group"], counts["residents"])  # CBS rounds to 5
    counts.index.name = "code"
    return counts.reset_index().sort_values(["gemeente_code", "code"], kind="stable")


def _indices(group: np.ndarray, total: np.ndarray) -> dict[str, float | None]:
    try:
        return {k: round(v, 6) for k, v in all_indices(group, total).items()}
    except (UndefinedIndexError, ValueError):
        return dict.fromkeys(INDEX_KEYS)


_GRAPH: list[Any] = [None, None]  # [the area data, its queen graph]


def _country_graph(areas: Areas) -> nx.Graph:
    """The queen graph of all wijken, built once per area data set (0.3 s for the country)."""
    if _GRAPH[0] is not areas:
        _GRAPH[:] = [areas, queen_graph(areas.wijken)]
    return _GRAPH[1]


def _spatial(
    group: np.ndarray, total: np.ndarray, weights: scipy.sparse.csr_matrix
) -> float | None:
    """Spatial dissimilarity of one municipality, given its block of the weights matrix."""
    if weights.shape[0] < 2:
        return None
    try:
        return round(spatial_dissimilarity(group, total, weights), 6)
    except (UndefinedIndexError, ValueError):
        return None


def effects(
    areas: Areas,
    level: str,
    indicator: str,
    lq_threshold: float,
    gemeenten: Sequence[str],
    placed_households: pd.Series,
    placed_persons: pd.Series,
) -> tuple[dict[str, dict], pd.DataFrame]:
    """Indices per municipality and quotients per area, before and after placements.

    One pass over all municipalities at once: counts, placements and location
    quotients are vectorised, and only the index formulas run per municipality
    (on numpy slices), so the whole country takes about a second.

    Parameters
    ----------
    areas
        Area data (statistics and wijk polygons).
    level, indicator, lq_threshold
        ``buurt`` or ``wijk``, the count column, the concentration threshold.
    gemeenten
        Municipality codes to report.
    placed_households, placed_persons
        Placements per area code of this level.
    """
    counts = level_counts(areas.stats, level, indicator, gemeenten)
    code = counts["code"].to_numpy()
    households = placed_households.reindex(code, fill_value=0).to_numpy(dtype=np.int64)
    persons = placed_persons.reindex(code, fill_value=0).to_numpy(dtype=np.int64)
    total, group = counts["residents"].to_numpy(), counts["group"].to_numpy()
    total_after, group_after = total + persons, group + persons
    gemeente = counts["gemeente_code"].to_numpy()

    def quotients(g: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Each area's LQ relative to its own municipality's totals."""
        sums = pd.DataFrame({"m": gemeente, "g": g, "t": t}).groupby("m")[["g", "t"]]
        city = sums.transform("sum")
        return location_quotient(g, t, city["g"].to_numpy(), city["t"].to_numpy())

    lq_before = quotients(group, total)
    lq_after = quotients(group_after, total_after)
    table = pd.DataFrame(
        {
            "level": level,
            "code": code,
            "name": counts["name"].to_numpy(),
            "residents": total.astype(int),
            "indicator_count": group.astype(int),
            "share_before": np.round(group / total, 4),
            "lq_before": np.round(lq_before, 3),
            "lq_after": np.round(lq_after, 3),
            "concentrated_before": is_concentrated(lq_before, lq_threshold),
            "concentrated_after": is_concentrated(lq_after, lq_threshold),
            "households_placed": households,
            "persons_placed": persons,
            "gemeente_code": gemeente,
        }
    )
    if level == "wijk":  # one weights matrix for every wijk with a polygon; sliced below
        mapped = np.isin(code, areas.wijken.index)
        weights = weights_matrix(_country_graph(areas).subgraph(code[mapped]), code[mapped])
        position = np.cumsum(mapped) - 1  # row of each mapped wijk in ``weights``
    indices: dict[str, dict] = {}
    changes = np.r_[True, gemeente[1:] != gemeente[:-1], True]
    bounds = np.flatnonzero(changes) if len(code) else np.zeros(0, dtype=np.intp)
    for start, stop in zip(bounds[:-1], bounds[1:]):  # one municipality per slice
        part = slice(start, stop)
        before = _indices(group[part], total[part])
        after = _indices(group_after[part], total_after[part])
        if level == "wijk":
            keep = np.flatnonzero(mapped[part]) + start
            block = weights[position[keep]][:, position[keep]]
            before["spatial_dissimilarity"] = _spatial(group[keep], total[keep], block)
            after["spatial_dissimilarity"] = _spatial(group_after[keep], total_after[keep], block)
        entry = {"areas": int(stop - start), "before": before, "after": after}
        indices[str(gemeente[start])] = entry
    for missing in set(gemeenten) - set(indices):
        indices[missing] = {"areas": 0, "before": dict.fromkeys(INDEX_KEYS),
                            "after": dict.fromkeys(INDEX_KEYS)}  # fmt: skip
    return indices, table


def before_after(
    areas: Areas,
    gemeente: str,
    level: str,
    indicator: str,
    lq_threshold: float,
    placed_households: pd.Series,
    placed_persons: pd.Series,
) -> tuple[dict, pd.DataFrame]:
    """:func:`effects` for one municipality: its indices and its area table."""
    indices, table = effects(
        areas, level, indicator, lq_threshold, [gemeente], placed_households, placed_persons
    )
    return indices[gemeente], table.drop(columns="gemeente_code")


def plan_effect(
    areas: Areas,
    dwellings: pd.DataFrame,
    assignment: np.ndarray,
    persons: np.ndarray,
    policy: Policy,
) -> tuple[dict, pd.DataFrame]:
    """Before/after for every municipality the offered dwellings lie in, at both levels.

    Placements in dwellings whose buurt is unknown count at wijk level only;
    the result says how many.
    """
    placed = assignment >= 0
    chosen = dwellings.iloc[assignment[placed]]
    moved = persons[placed]
    spreading = policy.spreading
    gemeenten = sorted(dwellings["gemeente_code"].dropna().astype(str).unique())
    summary: dict = {
        "indicator": spreading.indicator,
        "lq_threshold": spreading.lq_threshold,
        "projection": "placed persons added to residents and to the indicator group",
        "placements_without_buurt": int(chosen["buurt_code"].isna().sum()),
        "municipalities": {g: {} for g in gemeenten},
    }
    tables = []
    for level in LEVELS:
        codes = chosen[f"{level}_code"].astype("string")
        known = codes.notna().to_numpy()
        households = pd.Series(1, index=codes[known].to_numpy()).groupby(level=0).sum()
        people = pd.Series(moved[known], index=codes[known].to_numpy()).groupby(level=0).sum()
        indices, table = effects(
            areas,
            level,
            spreading.indicator,
            spreading.lq_threshold,
            gemeenten,
            households,
            people,
        )
        for gemeente, entry in indices.items():
            summary["municipalities"][gemeente][level] = entry
        tables.append(table)
    table = pd.concat(tables, ignore_index=True)
    columns = ["level", "code", "name", "households_placed", "persons_placed", "lq_before",
               "lq_after"]  # fmt: skip
    summary["placements_per_area"] = table[table["households_placed"] > 0][columns].to_dict(
        orient="records"
    )
    return _clean(summary), table


def _clean(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN to None."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
