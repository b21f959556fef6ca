"""Areas: the neighbourhood statistics and wijk polygons placements are judged by.

The spreading rule needs, per area, how many residents live there and how many
of them count towards the policy's indicator; the geography layer needs polygons
to place dwellings given by coordinates. Both come together in :class:`Areas`,
either from the bundled CBS data (``allocatie/areas/bundled``, built by
``data/wijken/build.py``) or from a municipality's own area file, so the rest of
the package never cares where the numbers came from. ``Areas.source`` travels
into every report so the indicator's origin is always stated.

Buurt polygons (CBS 2019 borders, built by ``data/buurten/build.py``) are only
needed to draw maps, so they are read lazily, on first use of
:attr:`Areas.buurten`.
"""

from __future__ import annotations

import os
import warnings
from contextlib import ExitStack
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from allocatie.inputs.errors import InputError, Problem

#: Environment variable that points the loader at another copy of the bundled data.
DATA_DIR_ENV = "ALLOCATIE_DATA_DIR"
POLYGON_FILE = "wijken_2024.geojson.gz"
AREAS_FILE = "areas.csv"
#: Buurt polygons of 2019 (the only buurt geometry available); maps only.
BUURT_POLYGON_FILE = "buurten_2019.geojson.gz"
#: The year of the buurt borders, which every map that draws them states.
BUURT_BORDER_YEAR = 2019
WGS84 = "EPSG:4326"
#: Rijksdriehoekstelsel (RD New): metres, the CRS of every distance and area.
RD_NEW = "EPSG:28992"
BUNDLED_SOURCE = (
    "CBS Kerncijfers wijken en buurten 2022/2024 and Wijk- en Buurtkaart 2024 "
    "(Bron: CBS, CC-BY 4.0)"
)
LEVELS = ("gemeente", "wijk", "buurt")
#: Numeric columns that describe an area but are not indicator counts.
NON_INDICATOR_COLUMNS = frozenset({"residents", "residents_2024", "dwelling_stock_2024"})
#: Properties every feature of a user's area file must have.
REQUIRED_PROPERTIES = ("code", "name", "gemeente_code", "residents")

_TEXT_COLUMNS = ("code", "level", "name", "gemeente_code", "wijk_code")
_POLYGON_TYPES = ("Polygon", "MultiPolygon")
#: Keeps extracted package data alive for the process (zipped installs only).
_EXTRACTED = ExitStack()


@dataclass(frozen=True, eq=False)
class Areas:
    """Statistics per area and the wijk polygons, from one source.

    Treat the frames as read-only: the bundled instance is cached and shared by
    every caller in the process. Equality is identity (``eq=False``) so an
    ``Areas`` can key a cache.

    Attributes
    ----------
    stats
        Index ``code`` (``GM…``/``WK…``/``BU…`` for CBS data); columns ``level``
        (``gemeente``/``wijk``/``buurt``), ``name``, ``gemeente_code``,
        ``wijk_code`` (a buurt's parent, a wijk's own code, NA for gemeenten),
        ``residents`` and the indicator counts (``Int64``), for the bundled data
        also ``residents_2024`` and ``dwelling_stock_2024``, and ``has_polygon``.
    wijken
        Index ``wijk_code``; columns ``wijk_name``, ``gemeente_code``,
        ``gemeente_name``, ``geometry`` (polygons, EPSG:4326).
    source
        Human-readable origin of the numbers, quoted in reports.
    """

    stats: pd.DataFrame
    wijken: gpd.GeoDataFrame
    source: str

    @cached_property
    def wijken_rd(self) -> gpd.GeoDataFrame:
        """The wijk polygons in RD New (EPSG:28992), computed once per instance.

        Every metric operation (containment with a tolerance in metres,
        distances) happens in RD, and reprojecting 3,500 polygons costs about
        0.1 s, so it is done once and kept.
        """
        return self.wijken[["gemeente_code", "geometry"]].to_crs(RD_NEW)

    @cached_property
    def wijk_points_rd(self) -> pd.DataFrame:
        """A point inside each wijk polygon, as columns ``x``, ``y`` in RD metres.

        ``representative_point`` rather than the centroid: the centroid of a
        crescent-shaped or multi-part wijk can fall outside it, even in another
        wijk, and then a dwelling known only by its wijk would be placed in the
        wrong one.
        """
        points = self.wijken_rd.geometry.representative_point()
        return pd.DataFrame(
            {"x": points.x.to_numpy(), "y": points.y.to_numpy()},
            index=self.wijken_rd.index,
        )

    @cached_property
    def buurten(self) -> gpd.GeoDataFrame:
        """The CBS buurt polygons (2019 borders), index ``buurt_code``, EPSG:4326.

        Read on first use only (about 0.3 s), because only maps need them:
        matching judges buurten by their statistics, never by their shape. A
        user's own area file has no buurten, and a data folder given by
        ``$ALLOCATIE_DATA_DIR`` may lack the file; both give an empty frame,
        and the maps then colour wijken and say so. The borders are those of
        :data:`BUURT_BORDER_YEAR`: 12,617 of the 14,317 buurt codes of the 2022
        statistics have one (``data/buurten/join_report.csv`` lists the rest).
        """
        if self.source != BUNDLED_SOURCE:
            return _empty_buurten()
        return _load_buurten(str(bundled_data_dir()))


def bundled_data_dir() -> Path:
    """Directory of the bundled area data: ``$ALLOCATIE_DATA_DIR`` or the package's own copy.

    The data ships inside the package (``allocatie/areas/bundled``, built by
    ``data/wijken/build.py``) and is found through :mod:`importlib.resources`,
    so an installed wheel works from any folder; the variable lets a user or a
    test point at another copy without touching the code.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    bundled = resources.files("allocatie.areas") / "bundled"
    if isinstance(bundled, Path):
        return bundled
    # A zipped install: GDAL needs real files, so extract once for the process.
    return _EXTRACTED.enter_context(resources.as_file(bundled))


def load_areas(path: str | Path | None = None) -> Areas:
    """Load the bundled CBS areas, or a user's own area file.

    Parameters
    ----------
    path
        ``None`` for the bundled national data (read once per process and
        cached: about 0.2 s). Otherwise a GeoJSON or GeoPackage file of areas
        (first layer), in which every feature is one area with:

        - ``code`` (text, unique): the area's code, used as its wijk code;
        - ``name`` (text);
        - ``gemeente_code`` (text): the municipality the area belongs to;
        - ``residents`` (whole number ≥ 0);
        - one or more indicator counts (whole numbers between 0 and
          ``residents``), e.g. ``migration_non_western`` or the municipality's
          own earlier placements: every numeric property other than
          ``residents`` is taken as one;
        - optional ``gemeente_name`` (text);
        - a Polygon or MultiPolygon geometry (any CRS the file declares; none
          means EPSG:4326, as GeoJSON prescribes).

        The areas become ``wijken`` (index = ``code``) and ``stats`` rows with
        ``level`` ``"wijk"``; one ``"gemeente"`` row per ``gemeente_code`` holds
        the summed counts.

    Returns
    -------
    Areas

    Raises
    ------
    InputError
        If the file is missing or unreadable, or a required property is absent
        or invalid; each :class:`Problem` names the file and the property, and
        for per-feature problems ``line`` is the 1-based feature number.
    """
    if path is None:
        return _load_bundled(str(bundled_data_dir()))
    return _load_user(Path(path), str(path))


def indicator_columns(areas: Areas) -> list[str]:
    """Numeric count columns of ``areas.stats`` usable as a spreading indicator.

    Which one is used is a policy choice; this lists what the data offers, e.g.
    ``migration_non_western`` for the bundled CBS data.
    """
    stats = areas.stats
    return [
        column
        for column in stats.columns
        if column not in NON_INDICATOR_COLUMNS
        and pd.api.types.is_numeric_dtype(stats[column])
        and not pd.api.types.is_bool_dtype(stats[column])
    ]


@lru_cache(maxsize=4)
def _load_bundled(directory: str) -> Areas:
    """Read ``areas.csv`` and the polygon file from ``directory`` (cached)."""
    folder = Path(directory)
    csv_path, polygon_path = folder / AREAS_FILE, folder / POLYGON_FILE
    missing = [p for p in (csv_path, polygon_path) if not p.is_file()]
    if missing:
        raise InputError(
            Problem(
                str(p),
                None,
                None,
                "bundled area data not found; reinstall allocatie, or point "
                f"{DATA_DIR_ENV} at a folder with {AREAS_FILE} and {POLYGON_FILE}",
            )
            for p in missing
        )
    header = pd.read_csv(csv_path, nrows=0).columns
    numeric = [c for c in header if c not in (*_TEXT_COLUMNS, "has_polygon")]
    stats = pd.read_csv(
        csv_path,
        dtype={
            **dict.fromkeys((*_TEXT_COLUMNS, "has_polygon"), "str"),
            **dict.fromkeys(numeric, "Int64"),
        },
        keep_default_na=False,
        na_values={column: [""] for column in ("wijk_code", *numeric)},
    )
    stats["has_polygon"] = stats["has_polygon"].eq("true")
    stats = stats.set_index("code")

    wijken = gpd.read_file(f"/vsigzip/{polygon_path.as_posix()}")
    wijken = wijken.set_index("wijk_code")
    return Areas(stats=stats, wijken=wijken, source=BUNDLED_SOURCE)


def _empty_buurten() -> gpd.GeoDataFrame:
    """A buurt polygon frame with no rows (no buurt shapes for these areas)."""
    return gpd.GeoDataFrame(
        geometry=gpd.GeoSeries([], crs=WGS84),
        index=pd.Index([], name="buurt_code", dtype="str"),
    )


@lru_cache(maxsize=4)
def _load_buurten(directory: str) -> gpd.GeoDataFrame:
    """Read the bundled buurt polygons from ``directory`` (cached; empty if absent)."""
    path = Path(directory) / BUURT_POLYGON_FILE
    if not path.is_file():
        return _empty_buurten()
    buurten = gpd.read_file(f"/vsigzip/{path.as_posix()}")
    buurten["buurt_code"] = buurten["buurt_code"].astype(str)
    return buurten.set_index("buurt_code")


def _load_user(path: Path, file: str) -> Areas:
    """Read and check a user's area file; see :func:`load_areas` for the format."""
    if not path.is_file():
        raise InputError([Problem(file, None, None, "area file not found")])
    try:
        with warnings.catch_warnings():
            # Mixed-type properties are reported per feature below instead.
            warnings.filterwarnings("ignore", "Could not parse column", UserWarning)
            frame = gpd.read_file(path)
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        OSError,
        ValueError,
    ) as exc:
        reason = str(exc).split(";")[0].replace(f"'{path}'", "the file").strip()
        raise InputError(
            [
                Problem(
                    file,
                    None,
                    None,
                    f"cannot be read as GeoJSON or GeoPackage (GDAL: {reason})",
                )
            ]
        ) from exc
    frame = frame.reset_index(drop=True)
    problems = _check_user_frame(frame, file)
    if problems:
        raise InputError(problems)
    return _user_areas(frame, file)


def _feature_problems(
    mask: pd.Series | np.ndarray, frame: pd.DataFrame, file: str, column: str, text: str
) -> list[Problem]:
    """One problem per feature flagged in ``mask``; ``line`` is the feature number."""
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    codes = frame["code"] if "code" in frame else pd.Series(pd.NA, index=frame.index)
    return [
        Problem(
            file,
            int(i) + 1,
            column,
            f"{text}, got {_show(frame[column].iloc[i])} (area {_show(codes.iloc[i])})",
        )
        for i in rows
    ]


def _show(value: object) -> str:
    """Render a cell for a message: empty cells read 'empty', not 'nan'."""
    if value is None or value is pd.NA or value != value:
        return "empty"
    return repr(value) if isinstance(value, str) else str(value)


def _count_column(frame: pd.DataFrame, column: str) -> tuple[pd.Series, np.ndarray]:
    """Values of a count property as floats, and the mask of invalid ones."""
    values = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    bad = ~(np.isfinite(values) & (values >= 0) & (values == np.round(values)))
    return values, bad.to_numpy()


def _indicator_properties(frame: pd.DataFrame) -> list[str]:
    """Numeric properties that are indicator counts (all but the known ones)."""
    return [
        column
        for column in frame.columns
        if column != frame.geometry.name
        and column not in REQUIRED_PROPERTIES
        and column not in NON_INDICATOR_COLUMNS
        and pd.api.types.is_numeric_dtype(frame[column])
        and not pd.api.types.is_bool_dtype(frame[column])
    ]


def _check_user_frame(frame: gpd.GeoDataFrame, file: str) -> list[Problem]:
    """Every problem in a user's area table, all at once."""
    problems = [
        Problem(
            file,
            None,
            prop,
            f"missing required property '{prop}'; every area needs "
            + ", ".join(REQUIRED_PROPERTIES),
        )
        for prop in REQUIRED_PROPERTIES
        if prop not in frame.columns
    ]
    indicators = _indicator_properties(frame)
    if not indicators:
        problems.append(
            Problem(
                file,
                None,
                None,
                "no indicator count property: add at least one numeric property "
                "such as 'migration_non_western' (persons among 'residents')",
            )
        )
    for prop in ("code", "name", "gemeente_code"):
        if prop in frame.columns:
            text = frame[prop].astype("string").str.strip()
            problems += _feature_problems(
                text.isna() | text.eq(""), frame, file, prop, "must not be empty"
            )
    if "code" in frame.columns:
        codes = frame["code"].astype("string").str.strip()
        dup = codes.duplicated(keep=False) & codes.notna() & codes.ne("")
        problems += _feature_problems(dup, frame, file, "code", "code is not unique")
        if "gemeente_code" in frame.columns:
            clash = codes.isin(frame["gemeente_code"].astype("string").str.strip())
            problems += _feature_problems(
                clash, frame, file, "code", "area code equals a gemeente_code"
            )
    residents = None
    if "residents" in frame.columns:
        residents, residents_bad = _count_column(frame, "residents")
        problems += _feature_problems(
            residents_bad,
            frame,
            file,
            "residents",
            "must be a whole number of persons ≥ 0",
        )
    for column in indicators:
        values, bad = _count_column(frame, column)
        problems += _feature_problems(
            bad, frame, file, column, "must be a whole number of persons ≥ 0"
        )
        if residents is not None:
            over = ~bad & ~residents_bad & (values > residents).to_numpy()
            problems += _feature_problems(
                over, frame, file, column, "exceeds 'residents' of the area"
            )
    geometry = frame.geometry
    kinds = geometry.geom_type.astype("object").where(geometry.notna(), "no geometry")
    kinds = kinds.where(~geometry.is_empty | geometry.isna(), "an empty geometry")
    rows = np.flatnonzero(~kinds.isin(_POLYGON_TYPES).to_numpy())
    problems += [
        Problem(
            file,
            int(i) + 1,
            "geometry",
            f"area geometry must be a Polygon or MultiPolygon, got {kinds.iloc[i]}",
        )
        for i in rows
    ]
    return problems


def _user_areas(frame: gpd.GeoDataFrame, file: str) -> Areas:
    """Turn a checked user area table into :class:`Areas`."""
    if frame.crs is None:
        frame = frame.set_crs(WGS84)
    elif not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    indicators = _indicator_properties(frame)
    counts = ["residents", *indicators]
    code = frame["code"].astype("string").str.strip().astype("str")
    gemeente = frame["gemeente_code"].astype("string").str.strip().astype("str")
    names = frame["name"].astype("string").str.strip().astype("str")
    gemeente_name = (
        frame["gemeente_name"].astype("string").str.strip().astype("str")
        if "gemeente_name" in frame.columns
        else gemeente
    )
    wijk_rows = pd.DataFrame(
        {
            "level": "wijk",
            "name": names.to_numpy(),
            "gemeente_code": gemeente.to_numpy(),
            "wijk_code": code.to_numpy(),
        },
        index=pd.Index(code.to_numpy(), name="code", dtype="str"),
    )
    for column in counts:
        wijk_rows[column] = pd.to_numeric(frame[column]).to_numpy().astype("int64")
    wijk_rows[counts] = wijk_rows[counts].astype("Int64")
    totals = wijk_rows.groupby("gemeente_code", sort=True)[counts].sum()
    first_name = pd.Series(gemeente_name.to_numpy(), index=gemeente.to_numpy())
    gemeente_rows = pd.DataFrame(
        {
            "level": "gemeente",
            "name": first_name.groupby(level=0).first().reindex(totals.index),
            "gemeente_code": totals.index,
            "wijk_code": pd.Series(pd.NA, index=totals.index, dtype="str"),
        },
        index=totals.index.rename("code"),
    ).join(totals)
    stats = pd.concat([gemeente_rows, wijk_rows])
    stats["has_polygon"] = stats["level"].eq("wijk")
    stats = stats[["level", "name", "gemeente_code", "wijk_code", *counts, "has_polygon"]]
    stats = stats.sort_index()

    geometry = shapely.make_valid(
        frame.geometry.to_numpy(), method="structure", keep_collapsed=False
    )
    wijken = gpd.GeoDataFrame(
        {
            "wijk_name": names.to_numpy(),
            "gemeente_code": gemeente.to_numpy(),
            "gemeente_name": gemeente_name.to_numpy(),
        },
        geometry=geometry,
        crs=WGS84,
        index=pd.Index(code.to_numpy(), name="wijk_code", dtype="str"),
    ).sort_index()
    return Areas(stats=stats, wijken=wijken, source=f"user area file {file}")
