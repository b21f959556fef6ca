"""Tests for allocatie.areas.data: the bundled CBS data and users' own area files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from allocatie.areas.data import (
    BUNDLED_SOURCE,
    DATA_DIR_ENV,
    Areas,
    bundled_data_dir,
    indicator_columns,
    load_areas,
)
from allocatie.inputs.errors import InputError, Problem
from tests.paths import FIXTURES, ROOT

FIXTURES = FIXTURES / "geo"
ENSCHEDE_WIJKEN = [f"WK01530{i}" for i in range(10)]
MIGRATION = [
    "migration_non_western",
    "migration_western",
    "migration_marokko",
    "migration_antillen_aruba",
    "migration_suriname",
    "migration_turkije",
]


@pytest.fixture(scope="session")
def national() -> Areas:
    return load_areas()


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def problems_of(path: str) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_areas(path)
    return info.value.problems


# --- bundled national data -------------------------------------------------


def test_bundled_dir_defaults_to_the_package_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DATA_DIR_ENV, raising=False)
    assert bundled_data_dir().parts[-3:] == ("allocatie", "areas", "bundled")
    assert (bundled_data_dir() / "areas.csv").is_file()


def test_bundled_is_cached(national: Areas) -> None:
    assert load_areas() is national


def test_bundled_frames_have_documented_shape(national: Areas) -> None:
    stats, wijken = national.stats, national.wijken
    assert stats.index.name == "code" and stats.index.is_unique
    assert wijken.index.name == "wijk_code" and wijken.index.is_unique
    assert list(wijken.columns) == [
        "wijk_name",
        "gemeente_code",
        "gemeente_name",
        "geometry",
    ]
    assert wijken.crs.to_epsg() == 4326
    assert list(stats.columns) == [
        "level",
        "name",
        "gemeente_code",
        "wijk_code",
        "residents",
        *MIGRATION,
        "residents_2024",
        "dwelling_stock_2024",
        "has_polygon",
    ]
    assert set(stats["level"]) == {"gemeente", "wijk", "buurt"}
    assert stats["residents"].dtype == "Int64"
    assert stats["has_polygon"].dtype == bool
    assert "Bron: CBS" in national.source and national.source == BUNDLED_SOURCE


def test_every_polygon_has_a_stats_row_flagged_has_polygon(national: Areas) -> None:
    with_polygon = national.stats.index[national.stats["has_polygon"]]
    assert set(with_polygon) == set(national.wijken.index)
    assert len(national.wijken) == 3474  # 3,475 CBS wijken minus 'Buitenland'


def test_buitenland_pseudo_wijk_is_dropped(national: Areas) -> None:
    assert "WK099899" not in national.wijken.index
    assert "WK099899" not in national.stats.index


def test_enschede_figures(national: Areas) -> None:
    stats = national.stats
    enschede = stats.loc["GM0153"]
    assert enschede["level"] == "gemeente"
    assert enschede["residents"] == 160_640
    assert enschede["migration_non_western"] == 29_389
    assert round(100 * 29_389 / 160_640, 1) == 18.3
    polygons = national.wijken.index[national.wijken["gemeente_code"].eq("GM0153")]
    assert sorted(polygons) == ENSCHEDE_WIJKEN
    buurten = stats[stats["level"].eq("buurt") & stats["gemeente_code"].eq("GM0153")]
    assert len(buurten) == 70
    assert set(buurten["wijk_code"]) == set(ENSCHEDE_WIJKEN)
    assert stats.loc["BU01530000", "wijk_code"] == "WK015300"
    assert stats.loc["WK015300", "wijk_code"] == "WK015300"
    assert pd.isna(stats.loc["GM0153", "wijk_code"])


@pytest.mark.parametrize(
    ("gemeente", "wijken", "buurten"),
    [("GM0153", 10, 70), ("GM0141", 12, 71), ("GM0164", 10, 62)],
)
def test_pilot_municipalities_join_completely(
    national: Areas, gemeente: str, wijken: int, buurten: int
) -> None:
    stats = national.stats[national.stats["gemeente_code"].eq(gemeente)]
    wijk_rows = stats[stats["level"].eq("wijk")]
    buurt_rows = stats[stats["level"].eq("buurt")]
    assert len(wijk_rows) == wijken and len(buurt_rows) == buurten
    assert wijk_rows["has_polygon"].all()
    assert wijk_rows["residents"].notna().all()
    assert wijk_rows["dwelling_stock_2024"].notna().all()
    assert buurt_rows["wijk_code"].isin(national.wijken.index).all()


def test_renumbered_amsterdam_keeps_2022_stats_without_polygon(national: Areas) -> None:
    row = national.stats.loc["WK036300"]
    assert row["residents"] == 4550 and not row["has_polygon"]
    assert national.stats.loc["WK0363AA", "has_polygon"]
    assert pd.isna(national.stats.loc["WK0363AA", "residents"])


def test_indicator_columns_of_bundled_data(national: Areas) -> None:
    assert indicator_columns(national) == MIGRATION


def test_missing_bundled_data_names_the_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(InputError) as info:
        load_areas()
    files = {p.file for p in info.value.problems}
    assert files == {
        str(tmp_path / "areas.csv"),
        str(tmp_path / "wijken_2024.geojson.gz"),
    }


# --- the committed data matches its build script ---------------------------

BUILD = ROOT / "data" / "wijken" / "build.py"


def _build_module():
    spec = importlib.util.spec_from_file_location("wijken_build", BUILD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (_build_module().DEFAULT_CBS / "wijken_2024.geojson").is_file(),
    reason="CBS source files not available",
)
def test_committed_csvs_are_what_build_py_produces(tmp_path: Path) -> None:
    build = _build_module()
    sources = build.read_sources(build.DEFAULT_CBS)
    build.write_csv(build.build_areas(sources), tmp_path / "areas.csv")
    report = build.build_join_report(sources)
    build.write_csv(report, tmp_path / "join_report.csv")
    assert (tmp_path / "areas.csv").read_bytes() == (build.BUNDLED / "areas.csv").read_bytes()
    assert (tmp_path / "join_report.csv").read_bytes() == (
        BUILD.parent / "join_report.csv"
    ).read_bytes()
    counts = report["check"].value_counts()
    assert counts["wijk_stats2022_without_polygon2024"] == 132
    assert counts["buurt_parent_wijk_without_polygon2024"] == 626
    assert not report["gemeente_code"].isin(["GM0153", "GM0141", "GM0164"]).any()


# --- a user's own area file ------------------------------------------------


def test_user_file_becomes_wijk_and_gemeente_rows() -> None:
    areas = load_areas(fixture("areas_good.geojson"))
    stats = areas.stats
    assert list(stats.index) == ["GM9001", "GM9002", "T1", "T2", "U1"]
    assert list(stats["level"]) == ["gemeente"] * 2 + ["wijk"] * 3
    assert stats.loc["T2", "wijk_code"] == "T2"
    assert stats.loc["T2", "gemeente_code"] == "GM9001"
    # gemeente rows sum their areas: 1000 + 2000 residents, 100 + 500 indicator
    assert stats.loc["GM9001", "residents"] == 3000
    assert stats.loc["GM9001", "migration_non_western"] == 600
    assert stats.loc["GM9002", "earlier_placements"] == 1
    assert stats.loc["GM9001", "name"] == "Testdorp"
    assert list(stats["has_polygon"]) == [False, False, True, True, True]
    assert indicator_columns(areas) == ["migration_non_western", "earlier_placements"]
    assert list(areas.wijken.index) == ["T1", "T2", "U1"]
    assert areas.wijken.loc["U1", "gemeente_name"] == "Uitstad"
    assert areas.wijken.crs.to_epsg() == 4326
    assert "areas_good.geojson" in areas.source


def test_user_geopackage_in_rd_is_reprojected(tmp_path: Path) -> None:
    frame = gpd.read_file(fixture("areas_good.geojson")).to_crs("EPSG:28992")
    path = tmp_path / "areas.gpkg"
    frame.to_file(path, driver="GPKG")
    areas = load_areas(path)
    assert areas.wijken.crs.to_epsg() == 4326
    west, south, east, north = areas.wijken.total_bounds
    assert west == pytest.approx(6.0, abs=1e-6)
    assert north == pytest.approx(52.01, abs=1e-6)
    assert areas.stats.loc["GM9001", "residents"] == 3000


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere.geojson")
    assert problems_of(path) == [Problem(path, None, None, "area file not found")]


def test_unreadable_file() -> None:
    path = fixture("areas_not_geojson.geojson")
    [problem] = problems_of(path)
    assert problem.file == path and problem.line is None
    assert problem.message.startswith("cannot be read as GeoJSON or GeoPackage")


@pytest.mark.parametrize("prop", ["code", "residents"])
def test_missing_required_property(prop: str) -> None:
    path = fixture(f"areas_missing_{prop}.geojson")
    [problem] = problems_of(path)
    assert (problem.file, problem.line, problem.column) == (path, None, prop)
    assert f"missing required property '{prop}'" in problem.message


def test_no_indicator_property() -> None:
    [problem] = problems_of(fixture("areas_no_indicator.geojson"))
    assert problem.column is None and "indicator" in problem.message


def test_invalid_counts_are_reported_per_feature() -> None:
    problems = problems_of(fixture("areas_invalid_counts.geojson"))
    where = [(p.line, p.column) for p in problems]
    assert where == [
        (1, "residents"),  # -5
        (2, "residents"),  # 'veel'
        (3, "migration_non_western"),  # 600 > 500 residents
    ]
    assert "got '-5'" in problems[0].message
    assert "'veel'" in problems[1].message
    assert "600" in problems[2].message and "'U1'" in problems[2].message


def test_duplicate_code_names_both_features() -> None:
    problems = problems_of(fixture("areas_duplicate_code.geojson"))
    assert [(p.line, p.column) for p in problems] == [(1, "code"), (3, "code")]


def test_point_geometry_is_rejected() -> None:
    [problem] = problems_of(fixture("areas_point_geometry.geojson"))
    assert (problem.line, problem.column) == (2, "geometry")
    assert problem.message.endswith("got Point")
