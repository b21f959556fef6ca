"""A municipality's neighbourhoods before and after a plan: indices, quotients, placements.

The council's question is not only "were households placed outside concentrated
areas?" but "what does this plan do to the city?". This module answers it with
projected counts: every placed person is added to the area's residents and, as
in the spreading rule, to the indicator group (the conservative assumption), and
the city-wide indices and each area's location quotient are computed again.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from allocatie.adjacency import queen_graph, weights_matrix
from allocatie.areas import Areas
from allocatie.segregation import (
    UndefinedIndexError,
    all_indices,
    location_quotients,
    spatial_dissimilarity,
)

LEVELS = ("buurt", "wijk")

#: Columns of the per-area table (``areas.csv``).
TABLE_COLUMNS = (
    "level",
    "code",
    "name",
    "residents",
    "indicator_count",
    "share_before",
    "lq_before",
    "lq_after",
    "concentrated_before",
    "concentrated_after",
    "households_placed",
    "persons_placed",
)


_SPLIT: list = [None, {}]  # [the stats frame, its rows by (level, gemeente)]


def _rows(stats: pd.DataFrame, level: str, gemeente: str) -> pd.DataFrame:
    """Rows of one level and municipality, from a split of the table made once."""
    if _SPLIT[0] is not stats:
        _SPLIT[:] = [stats, dict(tuple(stats.groupby(["level", "gemeente_code"], sort=False)))]
    return _SPLIT[1].get((level, gemeente), stats.iloc[:0])


def area_counts(stats: pd.DataFrame, gemeente: str, level: str, indicator: str) -> pd.DataFrame:
    """Areas of one level in one municipality that have residents and an indicator count.

    Areas whose counts are missing (wijken renumbered since the statistics
    year, CBS's ``…99`` rest areas) or zero are left out: an index over them
    would be undefined, not zero.
    """
    rows = _rows(stats, level, gemeente)
    counts = pd.DataFrame(
        {
            "name": rows["name"].astype(str),
            "residents": pd.to_numeric(rows["residents"], errors="coerce"),
            "group": pd.to_numeric(rows[indicator], errors="coerce"),
        },
        index=rows.index,
    )
    counts = counts.dropna()
    counts = counts[counts["residents"] > 0]
    counts["group"] = np.minimum(counts["group"], counts["residents"])  # CBS rounds to 5
    return counts.sort_index()


def _indices(group: np.ndarray, total: np.ndarray) -> dict[str, float | None]:
    try:
        return {k: round(v, 6) for k, v in all_indices(group, total).items()}
    except UndefinedIndexError:
        return dict.fromkeys(("dissimilarity", "isolation", "exposure", "entropy", "gini"))


_GRAPH: list = [None, None]  # [the area data, its queen graph]


def _country_graph(areas: Areas):
    """The queen graph of all wijken, built once per area data set (0.3 s for the country)."""
    if _GRAPH[0] is not areas:
        _GRAPH[:] = [areas, queen_graph(areas.wijken)]
    return _GRAPH[1]


def _spatial(counts: pd.DataFrame, group: np.ndarray, areas: Areas) -> float | None:
    """Spatial dissimilarity over the queen graph of the wijken that have polygons."""
    codes = [c for c in counts.index if c in areas.wijken.index]
    if len(codes) < 2:
        return None
    graph = _country_graph(areas).subgraph(codes)
    keep = counts.index.isin(codes)
    try:
        value = spatial_dissimilarity(
            group[keep], counts["residents"].to_numpy()[keep], weights_matrix(graph, codes)
        )
    except UndefinedIndexError:
        return None
    return round(value, 6)


def before_after(
    areas: Areas,
    gemeente: str,
    level: str,
    indicator: str,
    lq_threshold: float,
    placed_households: pd.Series,
    placed_persons: pd.Series,
) -> tuple[dict, pd.DataFrame]:
    """City-wide indices and per-area quotients before and after the placements.

    Parameters
    ----------
    areas
        Area data (statistics and wijk polygons).
    gemeente, level, indicator
        Which municipality, ``buurt`` or ``wijk``, and which count column.
    lq_threshold
        The policy's concentration threshold.
    placed_households, placed_persons
        Placements per area code of this level.

    Returns
    -------
    tuple
        The indices (``before``/``after`` dicts, plus ``spatial_dissimilarity``
        at wijk level) and one row per area.
    """
    counts = area_counts(areas.stats, gemeente, level, indicator)
    if counts.empty:  # no statistics (unknown or renumbered municipality): nothing to compare
        nothing = dict.fromkeys(("dissimilarity", "isolation", "exposure", "entropy", "gini"))
        return {"areas": 0, "before": nothing, "after": dict(nothing)}, pd.DataFrame(
            columns=TABLE_COLUMNS
        )
    households = placed_households.reindex(counts.index, fill_value=0).astype(int)
    persons = placed_persons.reindex(counts.index, fill_value=0).astype(int)
    total, group = counts["residents"].to_numpy(), counts["group"].to_numpy()
    total_after, group_after = total + persons.to_numpy(), group + persons.to_numpy()
    lq_before = location_quotients(group, total)
    lq_after = location_quotients(group_after, total_after)
    table = pd.DataFrame(
        {
            "level": level,
            "code": counts.index,
            "name": counts["name"].to_numpy(),
            "residents": total.astype(int),
            "indicator_count": group.astype(int),
            "share_before": np.round(group / total, 4),
            "lq_before": np.round(lq_before, 3),
            "lq_after": np.round(lq_after, 3),
            "concentrated_before": lq_before >= lq_threshold,
            "concentrated_after": lq_after >= lq_threshold,
            "households_placed": households.to_numpy(),
            "persons_placed": persons.to_numpy(),
        }
    )
    indices: dict = {"areas": len(counts), "before": _indices(group, total)}
    indices["after"] = _indices(group_after, total_after)
    if level == "wijk":
        indices["before"]["spatial_dissimilarity"] = _spatial(counts, group, areas)
        indices["after"]["spatial_dissimilarity"] = _spatial(counts, group_after, areas)
    return indices, table


def plan_effect(
    areas: Areas, dwellings: pd.DataFrame, assignment: np.ndarray, persons: np.ndarray, policy
) -> tuple[dict, pd.DataFrame]:
    """Before/after for every municipality the offered dwellings lie in, at both levels.

    Placements in dwellings whose buurt is unknown count at wijk level only;
    the result says how many.
    """
    placed = assignment >= 0
    chosen = dwellings.iloc[assignment[placed]]
    moved = persons[placed]
    spreading = policy.spreading
    summary: dict = {
        "indicator": spreading.indicator,
        "lq_threshold": spreading.lq_threshold,
        "projection": "placed persons added to residents and to the indicator group",
        "placements_without_buurt": int(chosen["buurt_code"].isna().sum()),
        "municipalities": {},
    }
    tables = []
    for gemeente in sorted(dwellings["gemeente_code"].dropna().astype(str).unique()):
        here = (chosen["gemeente_code"] == gemeente).to_numpy()
        summary["municipalities"][gemeente] = {}
        for level in LEVELS:
            codes = chosen[f"{level}_code"].astype("string")[here]
            known = codes.notna().to_numpy()
            households = pd.Series(1, index=codes[known]).groupby(level=0).sum()
            people = pd.Series(moved[here][known], index=codes[known]).groupby(level=0).sum()
            indices, table = before_after(
                areas,
                gemeente,
                level,
                spreading.indicator,
                spreading.lq_threshold,
                households,
                people,
            )
            summary["municipalities"][gemeente][level] = indices
            tables.append(table.assign(gemeente_code=gemeente))
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    summary["placements_per_area"] = (
        table[table["households_placed"] > 0][
            [
                "level",
                "code",
                "name",
                "households_placed",
                "persons_placed",
                "lq_before",
                "lq_after",
            ]
        ].to_dict(orient="records")
        if len(table)
        else []
    )
    return _clean(summary), table


def _clean(value):
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
