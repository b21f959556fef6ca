"""Where dwellings are: area codes and coordinates resolved to wijken, and distances.

Corporations describe a dwelling by buurt code, wijk code or coordinates, and
sometimes by more than one; the spreading rule needs the area, the interest
score needs a point. This module reconciles the three, reports every
contradiction with the user's line and column, and measures distances to
amenities. Everything metric happens in RD New (EPSG:28992), the Dutch national
grid, where one unit is one metre.

The bundled polygons were simplified to about 40 m, each independently, so
neighbouring wijken overlap or leave gaps along their shared boundary. A point
closer than ``tolerance_m`` to a wijk is therefore accepted as lying in it: a
correct buurt code with a correct address near a wijk boundary must not be
reported as a contradiction.
"""

from __future__ import annotations

from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from allocatie.areas.data import RD_NEW, WGS84, Areas
from allocatie.inputs.errors import Problem

#: Distance (m) within which a point counts as lying in a wijk polygon; covers
#: the ~40 m simplification of the bundled polygons.
BOUNDARY_TOLERANCE_M = 50.0
#: Smallest tolerance used: a point exactly on a boundary is within no polygon,
#: yet must still be placed (in the smallest-code wijk it touches).
_ON_BOUNDARY_M = 1e-6


@lru_cache(maxsize=1)
def _to_rd_transformer() -> Transformer:
    """WGS84 lon/lat → RD New, built once (building it costs milliseconds)."""
    return Transformer.from_crs(WGS84, RD_NEW, always_xy=True)


def to_rd(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project WGS84 longitude/latitude (degrees) to RD New x/y (metres).

    NaN in gives NaN out, so callers need not mask absent coordinates.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    x, y = _to_rd_transformer().transform(lon, lat)
    return np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")


def _codes(frame: pd.DataFrame, column: str) -> pd.Series:
    """A code column as stripped strings with NA for absent or blank cells."""
    if column not in frame.columns:
        return pd.Series(pd.NA, index=range(len(frame)), dtype="string")
    codes = frame[column].astype("string").str.strip().reset_index(drop=True)
    return codes.mask(codes.eq(""))


def _floats(frame: pd.DataFrame, column: str) -> np.ndarray:
    """A numeric column as float64 with NaN for absent cells."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _lookup(codes: pd.Series, table: pd.Series) -> pd.Series:
    """Vectorised ``table[code]`` with NA for absent codes, as strings."""
    return codes.map(table).astype("string")


def _locate(x: np.ndarray, y: np.ndarray, areas: Areas, tolerance_m: float) -> pd.Series:
    """The wijk each RD point lies in, NA when none is within ``tolerance_m``.

    ``within`` first; points on a shared boundary or in a gap between the
    simplified polygons fall through to the nearest polygon within the
    tolerance. Ties (a point in two overlapping polygons, or exactly on a
    shared boundary) go to the smallest wijk code, so the answer never depends
    on the order of the polygons.
    """
    located = pd.Series(pd.NA, index=range(len(x)), dtype="string")
    rows = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if rows.size == 0 or len(areas.wijken) == 0:
        return located
    points = gpd.GeoDataFrame(
        {"row": rows}, geometry=gpd.points_from_xy(x[rows], y[rows]), crs=RD_NEW
    )
    polygons = areas.wijken_rd  # the cached frame, so its spatial index is reused
    inside = gpd.sjoin(points, polygons, predicate="within")[["row", "wijk_code"]]
    outside = points[~points["row"].isin(inside["row"])]
    near = gpd.sjoin_nearest(
        outside,
        polygons,
        max_distance=max(tolerance_m, _ON_BOUNDARY_M),
        distance_col="distance",
    )
    near = near.sort_values(["row", "distance", "wijk_code"])[["row", "wijk_code"]]
    best = (
        pd.concat([inside.sort_values(["row", "wijk_code"]), near])
        .drop_duplicates("row")
        .set_index("row")["wijk_code"]
    )
    located.iloc[best.index.to_numpy()] = best.to_numpy()
    return located


def _near_given(
    x: np.ndarray, y: np.ndarray, given: pd.Series, areas: Areas, tolerance_m: float
) -> np.ndarray:
    """Whether each point lies within ``tolerance_m`` of its given wijk polygon."""
    polygons = areas.wijken_rd.geometry.reindex(given.to_numpy()).to_numpy()
    points = shapely.points(x, y)
    return np.asarray(shapely.dwithin(points, polygons, tolerance_m), dtype=bool)


def _fmt(values: np.ndarray) -> list[str]:
    return [f"{v:.6g}" for v in values]


def resolve_dwelling_areas(
    dwellings: pd.DataFrame,
    areas: Areas,
    file: str,
    *,
    tolerance_m: float = BOUNDARY_TOLERANCE_M,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Give every dwelling a buurt (where known), wijk, gemeente and RD point.

    Parameters
    ----------
    dwellings
        One row per dwelling with ``dwelling_id``, ``buurt_code``, ``wijk_code``
        (text or NA), ``lon``, ``lat`` (WGS84 degrees, NaN when absent) and
        ``source_line`` (1-based line of the dwelling in the user's file). Each
        row has a buurt code, a wijk code or coordinates (the reader checks).
    areas
        Area statistics and polygons, see :func:`allocatie.areas.data.load_areas`.
    file
        The dwellings file name as the user gave it, for the problems.
    tolerance_m
        Points this close to a wijk polygon count as inside it (see module
        docstring).

    Returns
    -------
    dwellings
        A copy with ``buurt_code`` (string, NA when not given), ``wijk_code``
        (the buurt's parent wijk, else the given wijk, else the wijk containing
        the coordinates), ``gemeente_code``, ``x``, ``y`` (RD metres: from
        lon/lat when given, else a representative point of the wijk polygon;
        NaN when neither exists, e.g. a 2022 wijk renumbered since) and
        ``point_exact`` (True when x/y come from lon/lat).
    problems
        Every defect, one :class:`Problem` per bad row and defect, with
        ``source_line`` and the column concerned: unknown ``buurt_code`` or
        ``wijk_code``; a ``wijk_code`` that is not the buurt's parent;
        coordinates in no wijk polygon (column ``lon``); a code contradicting
        the coordinates (column of the code; the message names both wijken).
        A given wijk without a 2024 polygon cannot be checked against the
        coordinates beyond its gemeente, which is checked when that gemeente
        still exists.
    """
    out = dwellings.copy()
    stats = areas.stats
    level = stats["level"]
    buurt = _codes(out, "buurt_code")
    wijk = _codes(out, "wijk_code")
    lon, lat = _floats(out, "lon"), _floats(out, "lat")
    lines = out["source_line"].to_numpy()

    buurt_known = buurt.isin(stats.index[level.eq("buurt")]).to_numpy()
    wijk_known = (
        wijk.isin(stats.index[level.eq("wijk")]) | wijk.isin(areas.wijken.index)
    ).to_numpy()
    parent = _lookup(buurt, stats.loc[level.eq("buurt"), "wijk_code"])
    given = parent.where(buurt_known, wijk.where(wijk_known))
    given_column = np.where(buurt_known, "buurt_code", "wijk_code")
    given_code = buurt.where(buurt_known, wijk)
    given_has_polygon = given.isin(areas.wijken.index).to_numpy()

    has_point = np.isfinite(lon) & np.isfinite(lat)
    x, y = np.full(len(out), np.nan), np.full(len(out), np.nan)
    x[has_point], y[has_point] = to_rd(lon[has_point], lat[has_point])
    located = _locate(x, y, areas, tolerance_m)
    found = located.notna().to_numpy()

    checkable = has_point & given_has_polygon
    near_given = np.zeros(len(out), dtype=bool)
    near_given[checkable] = _near_given(
        x[checkable], y[checkable], given[checkable], areas, tolerance_m
    )
    wijk_gemeente = areas.wijken["gemeente_code"]
    given_gemeente = _lookup(given, stats["gemeente_code"])
    located_gemeente = _lookup(located, wijk_gemeente)
    other_gemeente = (
        given.notna().to_numpy()
        & ~given_has_polygon
        & has_point
        & found
        & given_gemeente.isin(wijk_gemeente).to_numpy()
        & (given_gemeente != located_gemeente).fillna(False).to_numpy()
    )

    problems: list[Problem] = []

    def report(mask: np.ndarray, column: str | np.ndarray, messages: list[str]) -> None:
        rows = np.flatnonzero(mask)
        columns = np.broadcast_to(np.asarray(column, dtype=object), (len(out),))
        problems.extend(
            Problem(file, int(lines[i]), str(columns[i]), m)
            for i, m in zip(rows, messages, strict=True)
        )

    def pick(values: pd.Series | np.ndarray, mask: np.ndarray) -> list[str]:
        return [str(v) for v in np.asarray(values, dtype=object)[mask]]

    bad = buurt.notna().to_numpy() & ~buurt_known
    report(
        bad,
        "buurt_code",
        [
            f"unknown buurt_code '{c}': the area data ({areas.source}) has no buurt with this code"
            for c in pick(buurt, bad)
        ],
    )
    bad = wijk.notna().to_numpy() & ~wijk_known
    report(
        bad,
        "wijk_code",
        [
            f"unknown wijk_code '{c}': the area data ({areas.source}) has no wijk with this code"
            for c in pick(wijk, bad)
        ],
    )
    bad = buurt_known & wijk_known & (parent != wijk).fillna(False).to_numpy()
    report(
        bad,
        "wijk_code",
        [
            f"buurt_code '{b}' lies in wijk '{p}', not in the given wijk_code '{w}'"
            for b, p, w in zip(pick(buurt, bad), pick(parent, bad), pick(wijk, bad), strict=True)
        ],
    )
    bad = has_point & ~found
    swapped = _inside_bounds(lat[bad], lon[bad], areas)
    report(
        bad,
        "lon",
        [
            f"coordinates lon {lo}, lat {la} lie in no wijk polygon (nor within "
            f"{tolerance_m:g} m of one)" + ("; lon and lat look swapped" if s else "")
            for lo, la, s in zip(_fmt(lon[bad]), _fmt(lat[bad]), swapped, strict=True)
        ],
    )
    bad = checkable & found & ~near_given
    report(
        bad,
        given_column,
        [
            f"{col} '{code}'"
            + (f" (in wijk '{g}')" if col == "buurt_code" else "")
            + f" does not match the coordinates lon {lo}, lat {la}, which lie in "
            f"wijk '{loc}', more than {tolerance_m:g} m outside wijk '{g}'"
            for col, code, g, loc, lo, la in zip(
                given_column[bad],
                pick(given_code, bad),
                pick(given, bad),
                pick(located, bad),
                _fmt(lon[bad]),
                _fmt(lat[bad]),
                strict=True,
            )
        ],
    )
    bad = other_gemeente
    report(
        bad,
        given_column,
        [
            f"{col} '{code}' belongs to gemeente '{gg}', but the coordinates "
            f"lon {lo}, lat {la} lie in wijk '{loc}' of gemeente '{lg}'"
            for col, code, gg, loc, lg, lo, la in zip(
                given_column[bad],
                pick(given_code, bad),
                pick(given_gemeente, bad),
                pick(located, bad),
                pick(located_gemeente, bad),
                _fmt(lon[bad]),
                _fmt(lat[bad]),
                strict=True,
            )
        ],
    )

    resolved = given.fillna(located)
    gemeente = _lookup(resolved, stats["gemeente_code"]).fillna(_lookup(resolved, wijk_gemeente))
    area_x, area_y = _wijk_points(resolved, areas)
    out["buurt_code"] = pd.array(buurt.to_numpy(), dtype="string")
    out["wijk_code"] = pd.array(resolved.to_numpy(), dtype="string")
    out["gemeente_code"] = pd.array(gemeente.to_numpy(), dtype="string")
    out["x"] = np.where(has_point, x, area_x)
    out["y"] = np.where(has_point, y, area_y)
    out["point_exact"] = has_point
    problems.sort(key=lambda p: (p.line or 0, p.column or "", p.message))
    return out, problems


def _inside_bounds(lon: np.ndarray, lat: np.ndarray, areas: Areas) -> np.ndarray:
    """Whether points fall in the bounding box of all wijken (a swap hint)."""
    west, south, east, north = areas.wijken.total_bounds
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _wijk_points(wijk_codes: pd.Series, areas: Areas) -> tuple[np.ndarray, np.ndarray]:
    """Representative RD point of each wijk code, NaN for wijken without polygon."""
    points = areas.wijk_points_rd.reindex(wijk_codes.to_numpy())
    return points["x"].to_numpy(dtype="float64"), points["y"].to_numpy(dtype="float64")


def area_points(codes: pd.Series, areas: Areas) -> tuple[np.ndarray, np.ndarray]:
    """RD x, y of a point inside the wijk of each buurt or wijk code.

    Places dwellings known only by code. A buurt has no polygon of its own
    (CBS buurt polygons are not bundled), so it gets its parent wijk's point.
    Unknown codes, gemeente codes and wijken without a 2024 polygon give NaN.
    """
    codes = pd.Series(codes, dtype="string").str.strip().reset_index(drop=True)
    wijk = _lookup(codes, areas.stats["wijk_code"])
    wijk = wijk.fillna(codes.where(codes.isin(areas.wijken.index)))
    return _wijk_points(wijk, areas)


def amenity_distances(x: np.ndarray, y: np.ndarray, amenities: pd.DataFrame) -> pd.DataFrame:
    """Distance in metres from each point to the nearest amenity of each category.

    Parameters
    ----------
    x, y
        RD New coordinates (metres) of the points, e.g. dwellings; NaN gives a
        NaN distance.
    amenities
        Columns ``category`` (text), ``lon``, ``lat`` (WGS84 degrees). Rows
        without a category or finite coordinates cannot be placed and are
        ignored (the amenity reader reports them).

    Returns
    -------
    pandas.DataFrame
        One row per point (``RangeIndex``), one float column per category
        present, sorted by name; no columns when there are no amenities.
        Straight-line distance in RD, the scale at which "near" is meant in
        the interest score, not walking distance.
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y, dtype="float64")
    result = pd.DataFrame(index=pd.RangeIndex(len(x)))
    if amenities.empty:
        return result
    names = amenities["category"].astype("string").str.strip()
    a_lon, a_lat = _floats(amenities, "lon"), _floats(amenities, "lat")
    usable = (
        names.ne("").fillna(False).to_numpy(dtype=bool) & np.isfinite(a_lon) & np.isfinite(a_lat)
    )
    if not usable.any():
        return result
    ax, ay = to_rd(a_lon[usable], a_lat[usable])
    category = names.to_numpy(dtype=object)[usable].astype(str)

    valid = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    queries = shapely.points(x[valid], y[valid])
    columns: dict[str, np.ndarray] = {}
    for name in sorted(set(category)):
        mask = category == name
        tree = shapely.STRtree(shapely.points(ax[mask], ay[mask]))
        (query_index, _), distance = tree.query_nearest(
            queries, return_distance=True, all_matches=False
        )
        column = np.full(len(x), np.nan)
        column[valid[query_index]] = distance
        columns[name] = column
    return pd.DataFrame(columns, index=result.index)
