"""Build the bundled area data of allocatie from the CBS source files.

Run as ``python data/wijken/build.py [--cbs DIR]``. It writes the two data
files into ``allocatie/areas/bundled/`` (shipped in the wheel) and the join
report and README next to this script:

- ``wijken_2024.geojson.gz``: the 2024 wijk polygons of the whole country
  (EPSG:4326), gzip'd GeoJSON that GDAL reads through ``/vsigzip/``;
- ``areas.csv``: one row per gemeente, wijk and buurt with the 2022 migration
  background counts and the 2024 residents and dwelling stock;
- ``join_report.csv``: every code that failed to join across the source files;
- ``README.md``: provenance, licence, formats and a summary of the join report.

Why a script and not a notebook: the spreading rule rests on these numbers, so
anyone must be able to regenerate them from the CBS files and get byte-identical
output (sorted rows, fixed float precision, gzip without a timestamp). Codes that
do not join are never dropped silently; they are listed in ``join_report.csv``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_CBS = REPO.parent / "shared" / "data" / "cbs"
#: Where the installed package finds the data (``importlib.resources``); the
#: join report and README stay here, beside this script.
BUNDLED = REPO / "allocatie" / "areas" / "bundled"

POLYGON_FILE = "wijken_2024.geojson.gz"
AREAS_FILE = "areas.csv"
REPORT_FILE = "join_report.csv"
README_FILE = "README.md"

SOURCES = {
    "wijken": "wijken_2024.geojson",
    "mig_gemeente": "gemeente_migratieachtergrond_2022.json",
    "mig_wijk": "wijk_migratieachtergrond_2022.json",
    "mig_buurt": "buurt_migratieachtergrond_2022.json",
    "kwb": "kwb_2024_gemeente_wijk.json",
}

#: Row layout of the three ``*_migratieachtergrond_2022.json`` files.
MIGRATION_ROW = [
    "code",
    "name",
    "residents",
    "migration_non_western",
    "migration_western",
    "migration_marokko",
    "migration_antillen_aruba",
    "migration_suriname",
    "migration_turkije",
]
COUNT_COLUMNS = MIGRATION_ROW[2:]
KWB_COLUMNS = {"AantalInwoners_5": "residents_2024", "Woningvoorraad_35": "dwelling_stock_2024"}
AREA_COLUMNS = [
    "code",
    "level",
    "name",
    "gemeente_code",
    "wijk_code",
    *COUNT_COLUMNS,
    *KWB_COLUMNS.values(),
    "has_polygon",
]
POLYGON_COLUMNS = ["wijk_code", "wijk_name", "gemeente_code", "gemeente_name"]

#: CBS's pseudo-wijk for territory outside the country; it is not a place anyone
#: can be housed, so it is dropped (and listed in the join report).
PSEUDO_WIJK = "WK099899"
PSEUDO_GEMEENTE = "GM0998"
#: Name CBS gives to wijken that cover large water bodies (no residents).
WATER_WIJK_NAME = "Groot water"
#: Municipalities that must join completely (the pilot region of the product).
PILOT = {"GM0153": "Enschede", "GM0141": "Almelo", "GM0164": "Hengelo"}
#: Coordinates are written with 5 decimals (about 1 m), as in the source file.
GRID_DEGREES = 1e-5

#: Join checks in report order: key -> (level, what failed to join).
CHECKS: dict[str, tuple[str, str]] = {
    "pseudo_wijk_dropped": (
        "wijk",
        "pseudo-wijk 'Buitenland' (gemeente GM0998) dropped from the polygons",
    ),
    "wijk_stats2022_without_polygon2024": (
        "wijk",
        "2022 migration wijk code with no 2024 polygon",
    ),
    "wijk_polygon2024_without_stats2022": (
        "wijk",
        "2024 polygon wijk code with no 2022 migration statistics",
    ),
    "wijk_polygon2024_without_kwb2024": (
        "wijk",
        "2024 polygon wijk code missing from kwb_2024 (residents, dwelling stock)",
    ),
    "wijk_kwb2024_without_polygon2024": (
        "wijk",
        "kwb_2024 wijk code with no 2024 polygon",
    ),
    "wijk_code_possibly_redefined": (
        "wijk",
        "joined on code, but name or residents changed so much between 2022 "
        "and 2024 that the code may now denote a different area",
    ),
    "buurt_parent_wijk_without_polygon2024": (
        "buurt",
        "2022 buurt whose parent wijk has no 2024 polygon",
    ),
    "buurt_parent_wijk_without_stats2022": (
        "buurt",
        "2022 buurt whose parent wijk is missing from the 2022 wijk table",
    ),
    "wijk_gemeente_without_stats2022": (
        "wijk",
        "2022 wijk whose gemeente is missing from the 2022 gemeente table",
    ),
    "gemeente_stats2022_without_polygon2024": (
        "gemeente",
        "2022 gemeente with no 2024 wijk polygons (merged or renamed since)",
    ),
    "gemeente_polygon2024_without_stats2022": (
        "gemeente",
        "2024 gemeente (has polygons) with no 2022 migration statistics",
    ),
    "gemeente_kwb2024_without_polygon2024": (
        "gemeente",
        "kwb_2024 gemeente with no 2024 wijk polygons",
    ),
    "gemeente_polygon2024_without_kwb2024": (
        "gemeente",
        "2024 gemeente (has polygons) missing from kwb_2024",
    ),
}


@dataclass(frozen=True)
class Sources:
    """The CBS inputs, parsed into tables keyed by CBS code."""

    polygons: gpd.GeoDataFrame
    dropped: gpd.GeoDataFrame
    mig_gemeente: pd.DataFrame
    mig_wijk: pd.DataFrame
    mig_buurt: pd.DataFrame
    kwb: pd.DataFrame


def read_migration(path: Path, prefix: str, code_length: int) -> pd.DataFrame:
    """Read a ``*_migratieachtergrond_2022.json`` file into a code-indexed table.

    The files are bare row arrays; giving the columns names here, once, keeps the
    positional layout out of the rest of the build. The codes are checked so a
    swapped file is caught before it produces plausible-looking nonsense.
    """
    table = pd.DataFrame(json.loads(path.read_text("utf-8")), columns=MIGRATION_ROW)
    codes = table["code"]
    bad = ~codes.str.startswith(prefix) | (codes.str.len() != code_length)
    if bad.any() or not codes.is_unique:
        raise SystemExit(f"{path}: unexpected or duplicate codes {list(codes[bad])}")
    table[COUNT_COLUMNS] = table[COUNT_COLUMNS].astype("Int64")
    return table.set_index("code")


def read_kwb(path: Path) -> pd.DataFrame:
    """Read residents and dwelling stock 2024 (CBS 85984NED) keyed by code."""
    raw = pd.DataFrame.from_dict(json.loads(path.read_text("utf-8")), orient="index")
    kwb = raw[list(KWB_COLUMNS)].rename(columns=KWB_COLUMNS).astype("Int64")
    kwb.index.name = "code"
    return kwb


def read_polygons(path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read the 2024 wijk polygons, repair them and split off the pseudo-wijk.

    Seventeen source polygons are invalid (self-touching rings after CBS's
    simplification); point-in-polygon joins on invalid polygons give wrong
    answers, so they are repaired with the ``structure`` method (which keeps
    shells and holes as drawn) and snapped to the 5-decimal grid of the source,
    which keeps them valid and the output deterministic.
    """
    raw = gpd.read_file(path)
    raw = raw.rename(
        columns={
            "wijkcode": "wijk_code",
            "wijknaam": "wijk_name",
            "gemeentecode": "gemeente_code",
            "gemeentenaam": "gemeente_name",
        }
    )[[*POLYGON_COLUMNS, "geometry"]]
    if not raw["wijk_code"].is_unique:
        raise SystemExit(f"{path}: duplicate wijk codes")
    geometry = shapely.make_valid(raw.geometry.values, method="structure", keep_collapsed=False)
    geometry = shapely.set_precision(geometry, GRID_DEGREES)
    polygons = raw.set_geometry(geometry, crs="EPSG:4326")
    if not (shapely.is_valid(geometry).all() and (~shapely.is_empty(geometry)).all()):
        raise SystemExit(f"{path}: polygons could not be repaired")
    polygons = polygons.sort_values("wijk_code", ignore_index=True)
    is_pseudo = polygons["wijk_code"].eq(PSEUDO_WIJK)
    return polygons[~is_pseudo].reset_index(drop=True), polygons[is_pseudo]


def read_sources(cbs: Path) -> Sources:
    """Read all CBS inputs from directory ``cbs``."""
    polygons, dropped = read_polygons(cbs / SOURCES["wijken"])
    return Sources(
        polygons=polygons,
        dropped=dropped,
        mig_gemeente=read_migration(cbs / SOURCES["mig_gemeente"], "GM", 6),
        mig_wijk=read_migration(cbs / SOURCES["mig_wijk"], "WK", 8),
        mig_buurt=read_migration(cbs / SOURCES["mig_buurt"], "BU", 10),
        kwb=read_kwb(cbs / SOURCES["kwb"]),
    )


def _level_rows(codes: pd.Index, level: str, names: pd.Series) -> pd.DataFrame:
    """Rows of one level: the union of codes seen in any source, never fewer."""
    rows = pd.DataFrame(index=pd.Index(codes.sort_values(), name="code"))
    rows["level"] = level
    rows["name"] = names.reindex(rows.index)
    rows["gemeente_code"] = "GM" + rows.index.str[2:6]
    rows["wijk_code"] = "WK" + rows.index.str[2:8] if level != "gemeente" else pd.NA
    return rows


def build_areas(src: Sources) -> pd.DataFrame:
    """Assemble ``areas.csv``: every gemeente, wijk and buurt code of any source.

    The ``name`` is the 2022 name where the 2022 migration table has the code
    (the residents and migration counts are from 2022, so the name describes
    the area they were counted in), otherwise the 2024 polygon name.
    """
    poly = src.polygons.set_index("wijk_code")
    gm_2024_names = poly.drop_duplicates("gemeente_code").set_index("gemeente_code")[
        "gemeente_name"
    ]
    kwb_gm = src.kwb.index[src.kwb.index.str.startswith("GM")]
    kwb_wk = src.kwb.index[src.kwb.index.str.startswith("WK")]

    gemeenten = _level_rows(
        src.mig_gemeente.index.union(kwb_gm).union(gm_2024_names.index),
        "gemeente",
        src.mig_gemeente["name"].combine_first(gm_2024_names),
    )
    gemeenten["gemeente_code"] = gemeenten.index
    wijken = _level_rows(
        src.mig_wijk.index.union(kwb_wk).union(poly.index),
        "wijk",
        src.mig_wijk["name"].combine_first(poly["wijk_name"]),
    )
    buurten = _level_rows(src.mig_buurt.index, "buurt", src.mig_buurt["name"])

    areas = pd.concat([gemeenten, wijken, buurten])
    counts = pd.concat([src.mig_gemeente, src.mig_wijk, src.mig_buurt])
    areas = areas.join(counts[COUNT_COLUMNS]).join(src.kwb)
    areas["has_polygon"] = areas.index.isin(poly.index) & areas["level"].eq("wijk")
    areas = areas.sort_index().reset_index()[AREA_COLUMNS]
    if areas["name"].isna().any() or not areas["code"].is_unique:
        raise SystemExit("areas: a code without a name, or a duplicate code")
    return areas


def _normalise_name(names: pd.Series) -> pd.Series:
    """Lower-case a wijk name and drop CBS's 'Wijk NN' prefix and punctuation."""
    return (
        names.str.lower()
        .str.replace(r"^wijk\s+\w{2}\b", "", regex=True)
        .str.replace(r"[^0-9a-z]", "", regex=True)
    )


def _report_rows(
    check: str, codes: pd.Index, names: pd.Series, detail: pd.Series | str = ""
) -> pd.DataFrame:
    """Join-report rows for ``codes`` failing ``check``."""
    frame = pd.DataFrame({"code": codes.sort_values()})
    frame.insert(0, "check", check)
    frame["level"] = CHECKS[check][0]
    frame["name"] = names.reindex(frame["code"]).to_numpy()
    frame["gemeente_code"] = "GM" + frame["code"].str[2:6]
    if isinstance(detail, pd.Series):
        frame["detail"] = detail.reindex(frame["code"]).fillna("").to_numpy()
    else:
        frame["detail"] = detail
    return frame


def _renumbering_hint(src: Sources, codes: pd.Index) -> pd.Series:
    """For 2022 wijk codes without a polygon: a 2024 wijk of the same gemeente
    with the same name. Listed as a hint only; a name match does not prove the
    boundaries are the same, so it is never applied to the data."""
    old = src.mig_wijk.loc[codes, ["name"]].reset_index()
    old["gemeente_code"] = "GM" + old["code"].str[2:6]
    old["key"] = _normalise_name(old["name"])
    new = src.polygons[["wijk_code", "gemeente_code", "wijk_name"]].copy()
    new["key"] = _normalise_name(new["wijk_name"])
    hits = old.merge(new, on=["gemeente_code", "key"]).drop_duplicates("code")
    return pd.Series(
        "2024 wijk with the same name: " + hits["wijk_code"].to_numpy(),
        index=hits["code"].to_numpy(),
    )


def _redefined(src: Sources) -> pd.Series:
    """Wijk codes in both 2022 and 2024 whose area probably changed.

    Flagged when residents differ by more than half and by at least 250
    persons, or when the (normalised) name differs and residents differ by more
    than 10 % and at least 50 persons. A rename alone is not flagged: many
    gemeenten only replaced "Wijk 02" by a proper name (Doetinchem: 'Wijk 02'
    6,550 residents, 'Overstegen' 6,555). A flagged code joins, but its 2022
    counts may describe a different area than its 2024 polygon.
    """
    both = src.mig_wijk.join(src.polygons.set_index("wijk_code")[["wijk_name"]], how="inner").join(
        src.kwb["residents_2024"]
    )
    r22 = both["residents"].astype("float64")
    r24 = both["residents_2024"].astype("float64")
    renamed = _normalise_name(both["name"]) != _normalise_name(both["wijk_name"])
    ratio = np.maximum(r22, r24) / np.minimum(r22, r24).clip(lower=1)
    change = (r22 - r24).abs()
    jumped = (ratio > 1.5) & (change >= 250)
    moved = renamed & (ratio > 1.1) & (change >= 50)
    flagged = both[(jumped | moved).fillna(False)]
    return (
        "2022 '"
        + flagged["name"]
        + "' "
        + flagged["residents"].astype(str)
        + " residents; 2024 '"
        + flagged["wijk_name"]
        + "' "
        + flagged["residents_2024"].astype(str)
        + " residents"
    )


def build_join_report(src: Sources) -> pd.DataFrame:
    """List every code that failed to join, one row per (check, code)."""
    poly = src.polygons.set_index("wijk_code")
    poly_wk = poly.index
    poly_gm = pd.Index(poly["gemeente_code"].unique())
    kwb_wk = src.kwb.index[src.kwb.index.str.startswith("WK")]
    kwb_gm = src.kwb.index[src.kwb.index.str.startswith("GM")]
    mig_wk = src.mig_wijk.index
    mig_gm = src.mig_gemeente.index
    buurt_parent = pd.Series("WK" + src.mig_buurt.index.str[2:8], index=src.mig_buurt.index)
    wijk_gm = pd.Series("GM" + mig_wk.str[2:6], index=mig_wk)

    wijk_names = src.mig_wijk["name"].combine_first(poly["wijk_name"])
    dropped = src.dropped.set_index("wijk_code")
    gm_names = src.mig_gemeente["name"].combine_first(
        poly.drop_duplicates("gemeente_code").set_index("gemeente_code")["gemeente_name"]
    )
    unjoined_2022 = mig_wk.difference(poly_wk)
    parts = [
        _report_rows(
            "pseudo_wijk_dropped",
            dropped.index,
            dropped["wijk_name"],
            "gemeente GM0998 'Buitenland'; not a place in the Netherlands",
        ),
        _report_rows(
            "wijk_stats2022_without_polygon2024",
            unjoined_2022,
            wijk_names,
            _renumbering_hint(src, unjoined_2022),
        ),
        _report_rows(
            "wijk_polygon2024_without_stats2022",
            poly_wk.difference(mig_wk),
            wijk_names,
        ),
        _report_rows(
            "wijk_polygon2024_without_kwb2024",
            poly_wk.difference(kwb_wk),
            wijk_names,
        ),
        _report_rows(
            "wijk_kwb2024_without_polygon2024",
            kwb_wk.difference(poly_wk),
            wijk_names,
        ),
    ]
    redefined = _redefined(src)
    parts.append(
        _report_rows("wijk_code_possibly_redefined", redefined.index, wijk_names, redefined)
    )
    no_poly = buurt_parent[~buurt_parent.isin(poly_wk)]
    no_stats = buurt_parent[~buurt_parent.isin(mig_wk)]
    parts += [
        _report_rows(
            "buurt_parent_wijk_without_polygon2024",
            no_poly.index,
            src.mig_buurt["name"],
            "parent wijk " + no_poly,
        ),
        _report_rows(
            "buurt_parent_wijk_without_stats2022",
            no_stats.index,
            src.mig_buurt["name"],
            "parent wijk " + no_stats,
        ),
        _report_rows(
            "wijk_gemeente_without_stats2022",
            wijk_gm.index[~wijk_gm.isin(mig_gm)],
            wijk_names,
        ),
        _report_rows(
            "gemeente_stats2022_without_polygon2024",
            mig_gm.difference(poly_gm),
            gm_names,
        ),
        _report_rows(
            "gemeente_polygon2024_without_stats2022",
            poly_gm.difference(mig_gm),
            gm_names,
        ),
        _report_rows(
            "gemeente_kwb2024_without_polygon2024",
            kwb_gm.difference(poly_gm),
            gm_names,
        ),
        _report_rows(
            "gemeente_polygon2024_without_kwb2024",
            poly_gm.difference(kwb_gm),
            gm_names,
        ),
    ]
    report = pd.concat([p for p in parts if len(p)], ignore_index=True)
    order = {check: i for i, check in enumerate(CHECKS)}
    return report.sort_values(
        ["check", "code"], key=lambda s: s.map(order) if s.name == "check" else s
    ).reset_index(drop=True)


def check_pilot(areas: pd.DataFrame, report: pd.DataFrame) -> dict[str, dict]:
    """Confirm the pilot municipalities join completely and return their figures.

    The product is piloted in Twente; if any of their codes failed to join the
    build stops rather than ship data that silently misses part of a city.
    """
    figures: dict[str, dict] = {}
    for gm, name in PILOT.items():
        rows = areas[areas["gemeente_code"].eq(gm)]
        wijken = rows[rows["level"].eq("wijk")]
        buurten = rows[rows["level"].eq("buurt")]
        total = rows[rows["level"].eq("gemeente")].iloc[0]
        complete = (
            wijken["has_polygon"].all()
            and wijken["residents"].notna().all()
            and wijken["dwelling_stock_2024"].notna().all()
            and buurten["wijk_code"].isin(wijken.loc[wijken["has_polygon"], "code"]).all()
            and not report["gemeente_code"].eq(gm).any()
        )
        if not complete:
            raise SystemExit(f"{gm} {name} does not join completely; see join report")
        figures[gm] = {
            "name": name,
            "residents": int(total["residents"]),
            "non_western": int(total["migration_non_western"]),
            "wijken": len(wijken),
            "first_wijk": wijken["code"].min(),
            "last_wijk": wijken["code"].max(),
            "buurten": len(buurten),
            "wijk_residents": int(wijken["residents"].sum()),
        }
    enschede = figures["GM0153"]
    expected = (160_640, 29_389, 10, 70)
    found = tuple(enschede[k] for k in ("residents", "non_western", "wijken", "buurten"))
    if found != expected:
        raise SystemExit(f"Enschede sanity figures {found} != {expected}")
    return figures


def write_polygons(polygons: gpd.GeoDataFrame, path: Path) -> None:
    """Write gzip'd GeoJSON with 5 decimals and a zero gzip timestamp.

    GeoJSON text compresses about 5x better than GeoPackage's binary doubles
    (0.75 MB against 3.1 MB), reads with no extra dependency and, gzip'd with
    ``mtime=0``, is byte-identical on every rebuild, which a GeoPackage (with
    its change timestamps) is not.
    """
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "wijken_2024.geojson"
        pyogrio.write_dataframe(
            polygons,
            plain,
            driver="GeoJSON",
            layer="wijken_2024",
            layer_options={"COORDINATE_PRECISION": 5, "WRITE_NAME": "NO"},
        )
        data = plain.read_bytes()
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out,
    ):
        out.write(data)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write a CSV deterministically: UTF-8, ``\\n`` line ends, ``true``/``false``."""
    out = table.copy()
    for column in out.columns[out.dtypes.eq(bool)]:
        out[column] = out[column].map({True: "true", False: "false"})
    out.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


SOURCE_TABLE = (
    (
        "wijk polygons (`wijken_2024.geojson.gz`)",
        "Wijk- en Buurtkaart 2024 (PDOK), simplified to about 40 m",
        "2024",
    ),
    (
        "`residents`, `migration_*`",
        "Kerncijfers wijken en buurten 2022 (StatLine 85318NED): persons by "
        "migration background, gemeente, wijk and buurt; wijk and buurt counts "
        "rounded to 5 by CBS",
        "2022",
    ),
    (
        "`residents_2024`, `dwelling_stock_2024`",
        "Kerncijfers wijken en buurten 2024 (StatLine 85984NED): "
        "`AantalInwoners_5`, `Woningvoorraad_35` (per 1 January)",
        "2024",
    ),
)
COLUMN_TABLE = (
    (
        "`code`",
        "CBS code: `GM` + 4 digits, `WK` + 6, `BU` + 8 (the last two characters "
        "of a wijk or buurt code may be letters, e.g. Amsterdam 2024 `WK0363AA`)",
    ),
    ("`level`", "`gemeente`, `wijk` or `buurt`"),
    (
        "`name`",
        "name in the 2022 table where the code is there (the year the counts "
        "describe), else the 2024 polygon name",
    ),
    ("`gemeente_code`", "`GM` + code[2:6]; a gemeente's own code"),
    (
        "`wijk_code`",
        "a wijk's own code; a buurt's parent `WK` + code[2:8]; empty for gemeenten",
    ),
    ("`residents`", "inwoners 2022 (migration table)"),
    (
        "`migration_non_western`, `migration_western`",
        "persons with a non-western / western migration background, 2022",
    ),
    (
        "`migration_marokko`, `migration_antillen_aruba`, `migration_suriname`, "
        "`migration_turkije`",
        "persons by country of migration background, 2022",
    ),
    ("`residents_2024`", "`AantalInwoners_5`, 2024; empty for buurten"),
    ("`dwelling_stock_2024`", "`Woningvoorraad_35`, 2024; empty for buurten"),
    ("`has_polygon`", "`true` for wijken with a 2024 polygon, else `false`"),
)


def _table(header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> str:
    """A Markdown table (kept as data so the source stays within line length)."""
    lines = [header, tuple("---" for _ in header), *rows]
    return "\n".join("| " + " | ".join(line) + " |" for line in lines)


def polygon_fit(polygons: gpd.GeoDataFrame) -> dict[str, float]:
    """How well the simplified polygons tile the country, measured in RD metres.

    The figures justify the boundary tolerance of ``allocatie.areas.geo``: the
    polygons were simplified one by one, so neighbours overlap in slivers and
    leave slivers of gap; a point in a gap is placed in the nearest wijk when
    that is closer than the tolerance.
    """
    rd = polygons.to_crs("EPSG:28992").geometry.to_numpy()
    left, right = gpd.GeoSeries(rd).sindex.query(rd, predicate="overlaps")
    pairs = left < right
    overlap = shapely.area(shapely.intersection(rd[left[pairs]], rd[right[pairs]]))
    union = shapely.get_parts(shapely.union_all(rd))
    rings, owner = shapely.get_rings(union, return_index=True)
    exterior = np.r_[True, owner[1:] != owner[:-1]]  # first ring of each part
    holes = shapely.polygons(rings[~exterior])
    depth = shapely.length(shapely.maximum_inscribed_circle(holes, tolerance=1.0))
    return {
        "overlap_pairs": int(pairs.sum()),
        "overlap_km2": float(overlap.sum() / 1e6),
        "gaps": len(holes),
        "gap_km2": float(shapely.area(holes).sum() / 1e6),
        "gap_depth_p99": float(np.percentile(depth, 99)),
    }


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fmt(n: int) -> str:
    return f"{n:,}"


def render_readme(
    cbs: Path,
    src: Sources,
    areas: pd.DataFrame,
    report: pd.DataFrame,
    pilot: dict[str, dict],
    fit: dict[str, float],
) -> str:
    """The data README, generated so its numbers always match the files."""
    levels = areas["level"].value_counts()
    counts = report["check"].value_counts()
    check_rows = "\n".join(
        f"| `{check}` | {CHECKS[check][1]} | {_fmt(int(counts.get(check, 0)))} |"
        for check in CHECKS
    )
    by_gm = (
        report[report["check"].isin(["wijk_stats2022_without_polygon2024"])]
        .groupby("gemeente_code")
        .size()
        .sort_index()
    )
    gm_names = areas.set_index("code")["name"]
    by_gm_text = ", ".join(f"{gm} {gm_names.get(gm, '?')} ({n})" for gm, n in by_gm.items())
    water = (
        report["check"].eq("wijk_polygon2024_without_stats2022")
        & report["name"].eq(WATER_WIJK_NAME)
    ).sum()
    no_stats = int(counts.get("wijk_polygon2024_without_stats2022", 0))
    hints = report["detail"].str.startswith("2024 wijk with the same name").sum()
    inputs = "\n".join(
        f"| `{name}` | `{_sha256(cbs / name)}` |" for name in sorted(SOURCES.values())
    )
    sizes = {
        name: ((BUNDLED if name != REPORT_FILE else HERE) / name).stat().st_size
        for name in (POLYGON_FILE, AREAS_FILE, REPORT_FILE)
    }
    pilot_rows = "\n".join(
        f"| {gm} {f['name']} | {_fmt(f['residents'])} | "
        f"{_fmt(f['non_western'])} ({100 * f['non_western'] / f['residents']:.1f} %) | "
        f"{f['wijken']} ({f['first_wijk']}–{f['last_wijk'][-2:]}) | {f['buurten']} | "
        f"{_fmt(f['wijk_residents'])} |"
        for gm, f in pilot.items()
    )
    return f"""# Bundled area data: CBS wijken and buurten

Generated by `data/wijken/build.py`; do not edit by hand (rebuild instead).

## Source and licence

**Bron: CBS.** Centraal Bureau voor de Statistiek, licensed
[CC-BY 4.0](https://creativecommons.org/licenses/by/4.0/deed.nl). Every
product or report built on these files must credit "Bron: CBS".

{_table(("used for", "CBS publication", "year"), SOURCE_TABLE)}

The copies used were taken from public mirrors of the CBS/PDOK publications
(see `shared/data/cbs/README.md`); the numbers are CBS's. Inputs (SHA-256):

| file | sha256 |
|---|---|
{inputs}

## Rebuilding

```
python data/wijken/build.py [--cbs DIR]   # DIR defaults to <repo>/../shared/data/cbs
```

The build is deterministic: rerunning it on the same inputs gives byte-identical
files. It stops with an error if Enschede, Almelo or Hengelo do not join
completely or if Enschede's sanity figures change.

## Files

The two data files live in `allocatie/areas/bundled/`, inside the package, so that an
installed wheel carries them; `allocatie.areas.data` finds them with
`importlib.resources` (the environment variable `ALLOCATIE_DATA_DIR` points it at
another copy). `join_report.csv` and this README stay here, beside the build script.

**`wijken_2024.geojson.gz`** ({_fmt(sizes[POLYGON_FILE])} bytes): gzip'd GeoJSON,
EPSG:4326, coordinates with 5 decimals, {_fmt(len(src.polygons))} features
sorted by `wijk_code`. Read with
`geopandas.read_file("/vsigzip/allocatie/areas/bundled/wijken_2024.geojson.gz")` (or
`allocatie.areas.data.load_areas()`). Properties: `wijk_code`, `wijk_name`
(2024 name), `gemeente_code`, `gemeente_name` (2024 name, e.g. "Hengelo (O.)").
Invalid source polygons were repaired (`shapely.make_valid`, method
`structure`). The pseudo-wijk `{PSEUDO_WIJK}` "Buitenland" (gemeente
`{PSEUDO_GEMEENTE}`) is **dropped**: it is not territory of the Netherlands. The
{water} "{WATER_WIJK_NAME}" wijken (large water bodies, no residents) are kept.
The polygons were simplified independently of each other, so neighbours
overlap in slivers ({_fmt(fit["overlap_pairs"])} pairs, {fit["overlap_km2"]:.0f} km² in
total) and leave slivers of gap ({_fmt(fit["gaps"])} holes in their union,
{fit["gap_km2"]:.0f} km², among them the Belgian enclaves of Baarle-Hertog, which are
real); in 99 % of the holes no point is farther than {fit["gap_depth_p99"]:.0f} m from a
polygon. `allocatie.areas.geo` therefore counts a point within 50 m of a wijk as
lying in it.

**`areas.csv`** ({_fmt(sizes[AREAS_FILE])} bytes): UTF-8, one row per code
({_fmt(int(levels["gemeente"]))} gemeenten, {_fmt(int(levels["wijk"]))} wijken,
{_fmt(int(levels["buurt"]))} buurten), sorted by `code`. A code appears if any
source has it, so the 2022 and 2024 code sets are both complete here; empty cells
mean the source for that column lacks the code.

{_table(("column", "meaning"), COLUMN_TABLE)}

The migration counts are CBS statistics about residents of an area. They serve
only as the example spreading indicator (as in the Münster/Enschede project);
households' own background is never an input. Wijk and buurt counts are rounded
to 5 by CBS, so they do not add up exactly to the gemeente totals.

**`join_report.csv`** ({_fmt(sizes[REPORT_FILE])} bytes): every code that failed a
join, one row per (check, code), columns `check, code, level, name,
gemeente_code, detail`.

## Join report

No code is dropped silently: each one below is listed in `join_report.csv`.

| check | what failed to join | codes |
|---|---|---:|
{check_rows}

Notes:
- 2022 wijk codes without a 2024 polygon, by gemeente: {by_gm_text}. Amsterdam
  renumbered all its wijken (2024 codes `WK0363AA`…); Weesp (GM0457) merged into
  Amsterdam, Brielle, Hellevoetsluis and Westvoorne (GM0501, GM0530, GM0614) into
  Voorne aan Zee (GM1992). For {hints} of these codes a 2024 wijk in the same
  gemeente has the same name; `detail` names it as a hint, but it is **not**
  applied (same name does not prove same boundaries).
- Of the {no_stats} 2024 polygons without 2022 statistics, {water} are
  "{WATER_WIJK_NAME}"; the rest are new or renumbered wijken.
- `wijk_code_possibly_redefined`: the code exists in both years, but residents
  changed by more than half (and at least 250 persons), or the name changed
  (ignoring the "Wijk NN" prefix) and residents changed by more than 10 % (and
  at least 50 persons); `detail` gives both names and resident counts. Growth of
  new-build areas also trips this check, hence "possibly".
  Their 2022 counts are attached to the code as CBS published them, but may
  describe a different area than the 2024 polygon.
- Buurten with no 2024 polygon for their parent wijk keep their statistics;
  they cannot be placed on the map by code alone (`allocatie.areas.geo.area_points`
  returns NaN for them).

## Sanity figures and the pilot municipalities

Enschede, Almelo and Hengelo join completely: every 2022 wijk has a 2024 polygon
and 2024 residents and dwelling stock, every buurt's parent wijk has a polygon,
and none of their codes appears in `join_report.csv` (checked by the build).

| gemeente | residents 2022 | non-western 2022 | wijken | buurten | sum of wijk residents |
|---|---:|---:|---|---:|---:|
{pilot_rows}
"""


def main(argv: list[str] | None = None) -> int:
    """Build every file in ``data/wijken`` from the CBS directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cbs", type=Path, default=DEFAULT_CBS, help="directory of CBS files")
    args = parser.parse_args(argv)
    cbs: Path = args.cbs
    missing = [name for name in SOURCES.values() if not (cbs / name).is_file()]
    if missing:
        raise SystemExit(f"missing CBS files in {cbs}: {', '.join(missing)}")

    src = read_sources(cbs)
    areas = build_areas(src)
    report = build_join_report(src)
    pilot = check_pilot(areas, report)

    write_polygons(src.polygons, BUNDLED / POLYGON_FILE)
    write_csv(areas, BUNDLED / AREAS_FILE)
    write_csv(report, HERE / REPORT_FILE)
    readme = render_readme(cbs, src, areas, report, pilot, polygon_fit(src.polygons))
    (HERE / README_FILE).write_text(readme, encoding="utf-8", newline="\n")
    summary = report["check"].value_counts().reindex(list(CHECKS), fill_value=0)
    print(f"wrote {len(src.polygons)} polygons, {len(areas)} area rows")
    print(summary.to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
