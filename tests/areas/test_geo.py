"""Tests for allocatie.areas.geo: resolving dwellings to areas, and distances."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from allocatie.areas.data import Areas, load_areas
from allocatie.areas.geo import (
    amenity_distances,
    area_points,
    resolve_dwelling_areas,
    to_rd,
)
from tests import paths

FIXTURES = paths.FIXTURES / "geo"
CITY_HALL = (6.8937, 52.2215)  # Enschede stadhuis, Langestraat: in WK015300
GLANERBRUG = (6.9733, 52.2135)  # Glanerbrug centre: in WK015308
DAM = (4.8930, 52.3730)  # Amsterdam, Dam square
NORTH_SEA = (3.0, 53.5)
NA = pd.NA


@pytest.fixture(scope="session")
def national() -> Areas:
    return load_areas()


@pytest.fixture(scope="session")
def toy() -> Areas:
    """T1 | T2 share the edge lon 6.01; a ~27 m gap separates T2 and U1."""
    return load_areas(FIXTURES / "areas_good.geojson")


def to_lonlat(x: float, y: float) -> tuple[float, float]:
    return Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True).transform(x, y)


def dwellings(*rows: tuple) -> pd.DataFrame:
    """Rows of (buurt_code, wijk_code, lon, lat); lines start at 2 (header = 1)."""
    frame = pd.DataFrame(rows, columns=["buurt_code", "wijk_code", "lon", "lat"])
    frame.insert(0, "dwelling_id", [f"D{i}" for i in range(len(rows))])
    frame["buurt_code"] = frame["buurt_code"].astype("string")
    frame["wijk_code"] = frame["wijk_code"].astype("string")
    frame["lon"] = frame["lon"].astype("float64")
    frame["lat"] = frame["lat"].astype("float64")
    frame["source_line"] = np.arange(2, len(rows) + 2)
    return frame


# --- resolve_dwelling_areas: good input -------------------------------------


def test_city_hall_coordinates_fall_in_binnensingelgebied(national: Areas) -> None:
    out, problems = resolve_dwelling_areas(dwellings((NA, NA, *CITY_HALL)), national, "d.csv")
    assert problems == []
    row = out.iloc[0]
    assert row["wijk_code"] == "WK015300"
    assert row["gemeente_code"] == "GM0153"
    assert pd.isna(row["buurt_code"])
    assert bool(row["point_exact"])
    # RD coordinates of the city hall are about (257 940, 471 450)
    assert row["x"] == pytest.approx(257_937, abs=5)
    assert row["y"] == pytest.approx(471_449, abs=5)


def test_code_only_rows_get_the_wijk_point(national: Areas) -> None:
    frame = dwellings(("BU01530000", NA, np.nan, np.nan), (NA, "WK015308", np.nan, np.nan))
    out, problems = resolve_dwelling_areas(frame, national, "d.csv")
    assert problems == []
    assert list(out["wijk_code"]) == ["WK015300", "WK015308"]
    assert list(out["gemeente_code"]) == ["GM0153", "GM0153"]
    assert list(out["buurt_code"].fillna("-")) == ["BU01530000", "-"]
    assert not out["point_exact"].any()
    polygons = national.wijken_rd.geometry
    for wijk, x, y in zip(out["wijk_code"], out["x"], out["y"], strict=True):
        assert polygons[wijk].contains(shapely.Point(x, y))


def test_agreeing_codes_and_coordinates(national: Areas) -> None:
    frame = dwellings(
        ("BU01530000", "WK015300", *CITY_HALL),
        ("BU01530800", NA, *GLANERBRUG),
    )
    out, problems = resolve_dwelling_areas(frame, national, "d.csv")
    assert problems == []
    assert list(out["wijk_code"]) == ["WK015300", "WK015308"]
    assert out["point_exact"].all()


def test_output_keeps_other_columns_index_and_dtypes(national: Areas) -> None:
    frame = dwellings(("BU01530000", NA, np.nan, np.nan))
    frame["rent"] = 612.5
    frame.index = [7]
    out, _ = resolve_dwelling_areas(frame, national, "d.csv")
    assert list(out.index) == [7] and out.loc[7, "rent"] == 612.5
    assert out["wijk_code"].dtype == "string"
    assert out["x"].dtype == "float64" and out["point_exact"].dtype == bool
    assert "x" not in frame.columns  # input not modified


def test_renumbered_2022_wijk_is_kept_and_checked_by_gemeente(national: Areas) -> None:
    # WK036300 (Amsterdam, 2022) has statistics but no 2024 polygon.
    frame = dwellings(
        (NA, "WK036300", *DAM),
        ("BU03630000", NA, np.nan, np.nan),
        (NA, "WK036300", *CITY_HALL),
    )
    out, problems = resolve_dwelling_areas(frame, national, "d.csv")
    assert list(out["wijk_code"]) == ["WK036300"] * 3
    assert math.isnan(out["x"].iloc[1])  # no polygon: cannot place by code
    assert [(p.line, p.column) for p in problems] == [(4, "wijk_code")]
    assert "GM0363" in problems[0].message and "GM0153" in problems[0].message


# --- resolve_dwelling_areas: every defect, with line and column --------------

NO_POINT = (np.nan, np.nan)
DEFECTS = [
    # (row, column, fragments the message must contain)
    (("BU01539999", NA, *NO_POINT), "buurt_code", ["unknown buurt_code 'BU01539999'"]),
    ((NA, "WK015399", *NO_POINT), "wijk_code", ["unknown wijk_code 'WK015399'"]),
    ((NA, NA, *NORTH_SEA), "lon", ["lon 3, lat 53.5", "no wijk polygon"]),
    ((NA, NA, CITY_HALL[1], CITY_HALL[0]), "lon", ["look swapped"]),
    ((NA, "WK015308", *CITY_HALL), "wijk_code", ["'WK015308'", "'WK015300'"]),
    (("BU01530000", NA, *GLANERBRUG), "buurt_code", ["'BU01530000'", "'WK015308'"]),
    (("BU01530000", "WK015301", *NO_POINT), "wijk_code", ["'WK015300'", "'WK015301'"]),
]


@pytest.mark.parametrize(("row", "column", "fragments"), DEFECTS)
def test_each_defect_is_reported_with_line_and_column(
    national: Areas, row: tuple, column: str, fragments: list[str]
) -> None:
    frame = dwellings((NA, "WK015300", np.nan, np.nan), row)  # good row on line 2
    _, problems = resolve_dwelling_areas(frame, national, "dwellings.csv")
    assert len(problems) == 1
    [problem] = problems
    assert (problem.file, problem.line, problem.column) == ("dwellings.csv", 3, column)
    for fragment in fragments:
        assert fragment in problem.message


def test_all_problems_at_once(national: Areas) -> None:
    frame = dwellings((NA, "WK015300", np.nan, np.nan), *(row for row, _, _ in DEFECTS))
    out, problems = resolve_dwelling_areas(frame, national, "dwellings.csv")
    assert [(p.line, p.column) for p in problems] == [
        (3 + i, column) for i, (_, column, _) in enumerate(DEFECTS)
    ]
    assert out["wijk_code"].iloc[0] == "WK015300"


# --- boundaries, overlaps and gaps (toy areas, hand-made) --------------------


def test_point_on_shared_boundary_goes_to_smallest_code(toy: Areas) -> None:
    # (6.01, 52.0) is a corner of both T1 and T2: within neither, 0 m from both
    out, problems = resolve_dwelling_areas(dwellings((NA, NA, 6.01, 52.0)), toy, "d")
    assert problems == [] and out["wijk_code"].iloc[0] == "T1"


def test_given_code_wins_on_boundary(toy: Areas) -> None:
    out, problems = resolve_dwelling_areas(dwellings((NA, "T2", 6.01, 52.0)), toy, "d")
    assert problems == [] and out["wijk_code"].iloc[0] == "T2"


def test_point_in_overlap_goes_to_smallest_code_unless_given() -> None:
    areas = load_areas(FIXTURES / "areas_overlapping.geojson")  # overlap 6.008-6.010
    frame = dwellings((NA, NA, 6.009, 52.005), (NA, "O2", 6.009, 52.005))
    out, problems = resolve_dwelling_areas(frame, areas, "d")
    assert problems == [] and list(out["wijk_code"]) == ["O1", "O2"]


def test_gap_and_tolerance(toy: Areas) -> None:
    # 0.0001 deg of longitude at 52 N is about 6.9 m.
    frame = dwellings(
        (NA, NA, 6.0201, 52.005),  # in the T2|U1 gap, ~7 m from T2, ~20 m from U1
        (NA, NA, 6.0305, 52.005),  # ~34 m east of U1
        (NA, NA, 6.0320, 52.005),  # ~137 m east of U1
    )
    out, problems = resolve_dwelling_areas(frame, toy, "d")
    assert list(out["wijk_code"].fillna("-")) == ["T2", "U1", "-"]
    assert [(p.line, p.column) for p in problems] == [(4, "lon")]
    _, strict = resolve_dwelling_areas(frame, toy, "d", tolerance_m=0.0)
    assert [p.line for p in strict] == [2, 3, 4]


def test_buurt_codes_are_unknown_in_user_areas(toy: Areas) -> None:
    _, problems = resolve_dwelling_areas(dwellings(("BU01530000", "T1", np.nan, np.nan)), toy, "d")
    assert [(p.line, p.column) for p in problems] == [(2, "buurt_code")]


# --- area_points -------------------------------------------------------------


def test_area_points(national: Areas) -> None:
    codes = pd.Series(["BU01530000", "WK015300", "WK015399", "GM0153", "BU03630000", NA])
    x, y = area_points(codes, national)
    wijk_point = national.wijk_points_rd.loc["WK015300"]
    assert (x[0], y[0]) == (wijk_point["x"], wijk_point["y"])
    assert (x[1], y[1]) == (x[0], y[0])
    assert national.wijken_rd.geometry["WK015300"].contains(shapely.Point(x[0], y[0]))
    assert np.isnan(x[2:]).all() and np.isnan(y[2:]).all()


# --- amenity_distances -------------------------------------------------------


def amenities_at(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    """Amenities given by RD (x, y), stored as lon/lat like user input."""
    lonlat = [to_lonlat(x, y) for _, x, y in rows]
    return pd.DataFrame(
        {
            "category": [c for c, _, _ in rows],
            "lon": [p[0] for p in lonlat],
            "lat": [p[1] for p in lonlat],
        }
    )


def test_distances_by_hand() -> None:
    amenities = amenities_at(
        [
            ("werk", 256_400.0, 471_800.0),  # from P0: (-600, +800) -> 1000 m
            ("sport", 257_300.0, 471_400.0),  # from P0: (+300, +400) -> 500 m
            ("sport", 287_000.0, 471_050.0),  # from P2: (0, +50) -> 50 m
        ]
    )
    x = np.array([257_000.0, np.nan, 287_000.0])
    y = np.array([471_000.0, np.nan, 471_000.0])
    result = amenity_distances(x, y, amenities)
    assert list(result.columns) == ["sport", "werk"]
    assert list(result.index) == [0, 1, 2]
    assert result.loc[0, "sport"] == pytest.approx(500.0, abs=0.01)
    assert result.loc[0, "werk"] == pytest.approx(1000.0, abs=0.01)
    assert result.loc[2, "sport"] == pytest.approx(50.0, abs=0.01)
    assert result.loc[2, "werk"] == pytest.approx(math.hypot(30_600, 800), abs=0.01)
    assert result.loc[1].isna().all()


def test_no_amenities_gives_no_columns() -> None:
    empty = pd.DataFrame({"category": [], "lon": [], "lat": []})
    result = amenity_distances(np.array([1.0, 2.0]), np.array([1.0, 2.0]), empty)
    assert result.shape == (2, 0)


def test_amenities_without_coordinates_are_ignored() -> None:
    amenities = amenities_at([("zorg", 257_300.0, 471_400.0)])
    amenities.loc[1] = ["geloof", np.nan, np.nan]
    result = amenity_distances(np.array([257_000.0]), np.array([471_000.0]), amenities)
    assert list(result.columns) == ["zorg"]
    assert result.loc[0, "zorg"] == pytest.approx(500.0, abs=0.01)


def test_to_rd_round_trip() -> None:
    x, y = to_rd(np.array([CITY_HALL[0], np.nan]), np.array([CITY_HALL[1], np.nan]))
    assert to_lonlat(x[0], y[0]) == pytest.approx(CITY_HALL, abs=1e-7)  # ~1 cm
    assert np.isnan(x[1]) and np.isnan(y[1])


coordinate = st.floats(0.0, 5_000.0)


@settings(max_examples=30, deadline=None)
@given(
    points=st.lists(st.tuples(coordinate, coordinate), min_size=1, max_size=8),
    sites=st.lists(
        st.tuples(st.sampled_from(["sport", "werk"]), coordinate, coordinate),
        min_size=1,
        max_size=8,
    ),
)
def test_distances_match_brute_force(
    points: list[tuple[float, float]], sites: list[tuple[str, float, float]]
) -> None:
    base = np.array([250_000.0, 470_000.0])  # an RD area in Twente
    shifted = [(c, sx + base[0], sy + base[1]) for c, sx, sy in sites]
    x = np.array([p[0] for p in points]) + base[0]
    y = np.array([p[1] for p in points]) + base[1]
    result = amenity_distances(x, y, amenities_at(shifted))
    assert list(result.columns) == sorted({c for c, _, _ in sites})
    for category in result.columns:
        sx = np.array([s[1] for s in shifted if s[0] == category])
        sy = np.array([s[2] for s in shifted if s[0] == category])
        brute = np.hypot(x[:, None] - sx[None, :], y[:, None] - sy[None, :]).min(axis=1)
        np.testing.assert_allclose(result[category], brute, atol=0.01)
