"""Build the bundled buurt polygons of allocatie from the CBS 2019 buurt layer.

Run as ``python data/buurten/build.py [--cbs DIR]``. It writes
``allocatie/areas/bundled/buurten_2019.geojson.gz`` (shipped in the wheel, read
by :func:`allocatie.areas.data.buurt_polygons`) and, beside this script,
``join_report.csv``: every buurt code of the 2022 statistics
(``allocatie/areas/bundled/areas.csv``, built by ``data/wijken/build.py``) that
has no 2019 polygon, and every 2019 polygon whose code has no 2022 statistics.

Why a separate file and a script: only the maps need buurt shapes, so they are
kept apart from the wijk polygons that matching reads (and loaded only when a
map is drawn); and the borders are those of **2019**, older than the 2022
statistics, so which codes join must be listed, never assumed. The source is
already generalised to 20 m, so the shapes are kept as they are (property
``statcode`` renamed to ``buurt_code``, invalid rings repaired, sorted by code,
5 decimals, gzip without a timestamp): rebuilding gives byte-identical output.
Bron: CBS (CC-BY 4.0).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_CBS = REPO.parent / "shared" / "data" / "cbs"
BUNDLED = REPO / "allocatie" / "areas" / "bundled"
SOURCE_FILE = "buurten_2019.geojson.gz"
OUTPUT_FILE = "buurten_2019.geojson.gz"
AREAS_FILE = "areas.csv"
REPORT_FILE = "join_report.csv"
#: The bundled file must stay small enough to ship in the wheel.
MAX_BYTES = 3_000_000


def read_buurten(path: Path) -> gpd.GeoDataFrame:
    """The 2019 buurt polygons as ``buurt_code`` + ``geometry``, repaired and sorted."""
    frame = gpd.read_file(f"/vsigzip/{path.as_posix()}")
    if frame.crs is None or not frame.crs.equals("EPSG:4326"):
        frame = frame.set_crs("EPSG:4326", allow_override=True)
    codes = frame["statcode"].astype(str).str.strip()
    if codes.duplicated().any():
        raise SystemExit(f"duplicate buurt codes in {path}")
    geometry = shapely.make_valid(frame.geometry.to_numpy(), method="structure")
    out = gpd.GeoDataFrame({"buurt_code": codes.to_numpy()}, geometry=geometry, crs="EPSG:4326")
    kinds = out.geom_type.isin(["Polygon", "MultiPolygon"])
    if not kinds.all():
        # make_valid can return a collection; keep its polygonal parts only.
        fixed = [
            shapely.union_all(
                [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
            )
            for g in out.geometry[~kinds]
        ]
        out.loc[~kinds, "geometry"] = fixed
    return out.sort_values("buurt_code").reset_index(drop=True)


def join_report(buurten: gpd.GeoDataFrame, areas_csv: Path) -> pd.DataFrame:
    """Every code that does not join between the 2022 buurt statistics and the 2019 shapes."""
    stats = pd.read_csv(areas_csv, usecols=["code", "level", "name", "gemeente_code"], dtype=str)
    stats = stats[stats["level"].eq("buurt")]
    have = set(buurten["buurt_code"])
    known = set(stats["code"])
    missing = stats[~stats["code"].isin(have)].assign(check="buurt_stats2022_without_polygon2019")
    extra = buurten.loc[~buurten["buurt_code"].isin(known), ["buurt_code"]].rename(
        columns={"buurt_code": "code"}
    )
    extra = extra.assign(
        check="buurt_polygon2019_without_stats2022",
        level="buurt",
        name="",
        gemeente_code="GM" + extra["code"].str[2:6],
    )
    columns = ["check", "code", "level", "name", "gemeente_code"]
    report = pd.concat([missing[columns], extra[columns]], ignore_index=True)
    return report.sort_values(["check", "code"]).reset_index(drop=True)


def write_polygons(buurten: gpd.GeoDataFrame, path: Path) -> None:
    """Gzip'd GeoJSON, 5 decimals (about 1 m), ``mtime=0``: byte-identical on every rebuild."""
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "buurten_2019.geojson"
        pyogrio.write_dataframe(
            buurten,
            plain,
            driver="GeoJSON",
            layer="buurten_2019",
            layer_options={"COORDINATE_PRECISION": 5, "WRITE_NAME": "NO"},
        )
        data = plain.read_bytes()
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out,
    ):
        out.write(data)


def main(argv: list[str] | None = None) -> int:
    """Build the bundled buurt polygons and the join report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cbs", type=Path, default=DEFAULT_CBS, help="directory of CBS files")
    args = parser.parse_args(argv)
    source = args.cbs / SOURCE_FILE
    if not source.is_file():
        raise SystemExit(f"missing {source}")
    buurten = read_buurten(source)
    report = join_report(buurten, BUNDLED / AREAS_FILE)
    target = BUNDLED / OUTPUT_FILE
    write_polygons(buurten, target)
    size = target.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{target} is {size:,} bytes, more than {MAX_BYTES:,}")
    report.to_csv(HERE / REPORT_FILE, index=False, lineterminator="\n", encoding="utf-8")
    print(f"wrote {len(buurten):,} buurt polygons ({size:,} bytes) to {target}")
    print(report["check"].value_counts().to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
