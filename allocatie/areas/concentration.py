"""Which area each dwelling counts in for spreading, and whether it is concentrated.

DESIGN §3 asks for the finest level with statistics: the buurt when the
dwelling's buurt is known and large enough for its counts to mean something,
else the wijk. The location quotient is taken relative to the dwelling's own
municipality, because the taakstelling and the council's question ("are we
concentrating newcomers?") are municipal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from allocatie.areas.segregation import headroom_persons, is_concentrated, location_quotient
from allocatie.inputs.policy import Spreading

#: Columns of the frame returned by :func:`dwelling_areas`.
AREA_COLUMNS = (
    "area_code",
    "area_level",
    "area_name",
    "area_residents",
    "area_group",
    "area_share",
    "municipality_share",
    "lq",
    "concentrated",
    "headroom_persons",
)


def judged_at_buurt(buurt: pd.Series, stats: pd.DataFrame, spreading: Spreading) -> pd.Series:
    """The level rule: where a buurt is judged by its own statistics (else by its wijk's).

    A buurt counts on its own when the policy's level is ``buurt``, the buurt is
    known, and it has at least ``min_residents`` residents: below that, CBS's
    rounding to 5 makes its shares noise, so its wijk is judged instead. Every
    place that says whether an area is concentrated (matching, the ``areas``
    command) uses this one rule.

    Parameters
    ----------
    buurt
        Buurt codes (NA where unknown).
    stats
        Area statistics indexed by code, with ``residents``.
    spreading
        The policy's spreading rule (``level``, ``min_residents``).

    Returns
    -------
    pandas.Series
        Boolean, same index as ``buurt``.
    """
    residents = buurt.map(stats["residents"].astype(float)).astype(float)
    return (
        (spreading.level == "buurt")
        & buurt.notna()
        & (residents >= spreading.min_residents).fillna(False)
    )


def judged_areas(codes: pd.Series, stats: pd.DataFrame, spreading: Spreading) -> pd.DataFrame:
    """How matching judges each area of a table: the area it counts in, its LQ, concentrated.

    The ``areas`` command lists every buurt with its own location quotient;
    whether a buurt is *concentrated* must still be decided as matching decides
    it, or the table would call an 80-resident buurt concentrated that matching
    judges at wijk level. So each code is treated as the location of a dwelling
    and passed through :func:`dwelling_areas`.

    Parameters
    ----------
    codes
        Buurt or wijk codes present in ``stats``.
    stats, spreading
        As for :func:`dwelling_areas`.

    Returns
    -------
    pandas.DataFrame
        One row per code (same index as ``codes``) with :data:`AREA_COLUMNS`.
    """
    rows = stats.reindex(codes.astype(str).to_numpy())
    is_buurt = rows["level"].eq("buurt").to_numpy()
    own = rows.index.to_numpy(dtype=object)
    located = pd.DataFrame(
        {
            "buurt_code": pd.array(np.where(is_buurt, own, None), dtype="string"),
            "wijk_code": pd.array(np.where(is_buurt, rows["wijk_code"], own), dtype="string"),
            "gemeente_code": pd.array(rows["gemeente_code"].to_numpy(), dtype="string"),
        },
        index=codes.index,
    )
    return dwelling_areas(located, stats, spreading)


def dwelling_areas(
    dwellings: pd.DataFrame, stats: pd.DataFrame, spreading: Spreading
) -> pd.DataFrame:
    """Spreading area, location quotient and headroom for each dwelling.

    Parameters
    ----------
    dwellings
        Resolved dwellings with ``buurt_code`` (may be missing), ``wijk_code``
        and ``gemeente_code``.
    stats
        Area statistics indexed by code (gemeente, wijk and buurt rows) with
        ``residents`` and the policy's indicator column.
    spreading
        The policy's spreading rule.

    Returns
    -------
    pandas.DataFrame
        One row per dwelling (same index) with :data:`AREA_COLUMNS`. ``lq`` is
        ``nan`` when the area has no statistics; such an area is not marked
        concentrated, and the report says the statistics were missing.
    """
    indicator = spreading.indicator
    residents = stats["residents"].astype(float)
    group = stats[indicator].astype(float)

    buurt = dwellings["buurt_code"].astype("string")
    use_buurt = judged_at_buurt(buurt, stats, spreading)
    code = buurt.where(use_buurt, dwellings["wijk_code"].astype("string"))

    area_res = code.map(residents).astype(float).to_numpy()
    area_grp = code.map(group).astype(float).to_numpy()
    gm = dwellings["gemeente_code"].astype("string")
    gm_res = gm.map(residents).astype(float).to_numpy()
    gm_grp = gm.map(group).astype(float).to_numpy()

    lq = location_quotient(area_grp, area_res, gm_grp, gm_res)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = area_grp / area_res
        gm_share = gm_grp / gm_res
    concentrated = is_concentrated(lq, spreading.lq_threshold)
    if spreading.projected_composition:
        room = headroom_persons(area_grp, area_res, gm_share, spreading.lq_threshold)
    else:
        room = np.full(len(dwellings), np.nan)

    names = stats["name"] if "name" in stats.columns else pd.Series(dtype="string")
    return pd.DataFrame(
        {
            "area_code": code.to_numpy(dtype=object),
            "area_level": np.where(use_buurt, "buurt", "wijk"),
            "area_name": code.map(names).to_numpy(dtype=object),
            "area_residents": area_res,
            "area_group": area_grp,
            "area_share": share,
            "municipality_share": gm_share,
            "lq": lq,
            "concentrated": concentrated,
            "headroom_persons": room,
        },
        index=dwellings.index,
    )
