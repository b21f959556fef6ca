"""Contiguous regions: hand-made municipalities with a known answer, invariants, the country."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocatie.areas.data import RD_NEW, WGS84, Areas, load_areas
from allocatie.areas.regions import (
    contiguous_regions,
    municipality_graph,
    region_is_connected,
    successors,
)

KM = 1000.0


def make_areas(cells: dict[str, tuple[float, float]], residents: dict[str, int]) -> Areas:
    """One 1 km square wijk per municipality, lower-left corners ``cells`` in km (RD)."""
    codes = sorted(cells)
    wijken = gpd.GeoDataFrame(
        {
            "wijk_name": codes,
            "gemeente_code": codes,
            "gemeente_name": [f"gemeente {c}" for c in codes],
        },
        geometry=[
            shapely.box(100 * KM + x * KM, 400 * KM + y * KM, 101 * KM + x * KM, 401 * KM + y * KM)
            for x, y in (cells[c] for c in codes)
        ],
        index=pd.Index([f"WK{c}" for c in codes], name="wijk_code"),
        crs=RD_NEW,
    ).to_crs(WGS84)
    rows = [(c, "gemeente", f"gemeente {c}", c, pd.NA, residents[c]) for c in codes]
    rows += [(f"WK{c}", "wijk", c, c, f"WK{c}", residents[c]) for c in codes]
    stats = pd.DataFrame(
        rows, columns=["code", "level", "name", "gemeente_code", "wijk_code", "residents"]
    ).set_index("code")
    stats["residents"] = stats["residents"].astype("Int64")
    stats["has_polygon"] = stats["level"].eq("wijk")
    return Areas(stats=stats, wijken=wijken, source="test")


def groups(table: pd.DataFrame) -> set[frozenset[str]]:
    return {frozenset(g) for g in table.groupby("region")["gemeente_code"].apply(list)}


# --- hand-made -------------------------------------------------------------------


def test_a_row_of_six_equal_municipalities_splits_in_halves():
    # A B C D E F side by side, one resident each, two regions. By hand: A+B, C+D and
    # E+F merge first (cheapest, ties by code), then AB+CD (ties by code): 4 against 2;
    # balancing moves D over, which leaves 3 and 3 with both regions connected.
    areas = make_areas({c: (i, 0) for i, c in enumerate("ABCDEF")}, dict.fromkeys("ABCDEF", 1))
    table = contiguous_regions(areas, 2)
    assert groups(table) == {frozenset("ABC"), frozenset("DEF")}
    assert table.groupby("region")["residents"].sum().tolist() == [3, 3]


def test_a_large_municipality_stays_alone_and_the_rest_balance():
    # B is as large as all the others together: two regions are B and the rest.
    residents = {"A": 10, "B": 40, "C": 10, "D": 10, "E": 10}
    areas = make_areas({"A": (0, 0), "B": (1, 0), "C": (1, 1), "D": (2, 0), "E": (2, 1)}, residents)
    table = contiguous_regions(areas, 2)
    assert groups(table) == {frozenset("B"), frozenset("ACDE")}


def test_regions_are_named_after_their_largest_municipality_and_numbered_north_to_south():
    residents = {"A": 5, "B": 9, "C": 5, "D": 9}
    areas = make_areas({"A": (0, 0), "B": (0, 1), "C": (0, 2), "D": (0, 3)}, residents)
    table = contiguous_regions(areas, 2)
    assert groups(table) == {frozenset("AB"), frozenset("CD")}
    region = table.set_index("gemeente_code")["region"]
    assert region["D"] == "01 gemeente D"  # C, D lie north of A, B
    assert region["A"] == "02 gemeente B"


def test_an_island_is_attached_to_the_nearest_municipality():
    # I lies 5 km east of C and 8 km from everything else: it joins C's region.
    cells = {"A": (0, 0), "B": (1, 0), "C": (2, 0), "I": (8, 0)}
    areas = make_areas(cells, {"A": 1, "B": 1, "C": 1, "I": 1})
    graph = municipality_graph(areas)
    assert nx.is_connected(graph)
    assert graph.edges["C", "I"] == {"attached": True}
    assert not graph.edges["A", "B"]
    table = contiguous_regions(areas, 2)
    assert groups(table) == {frozenset("AB"), frozenset("CI")}


def test_count_must_fit_the_municipalities():
    areas = make_areas({"A": (0, 0), "B": (1, 0)}, {"A": 1, "B": 1})
    with pytest.raises(ValueError, match="between 1 and 2"):
        contiguous_regions(areas, 3)
    assert len(groups(contiguous_regions(areas, 1))) == 1


def test_weights_replace_residents():
    # residents would split A B | C D; weights make D as heavy as A, B and C together
    areas = make_areas({c: (i, 0) for i, c in enumerate("ABCD")}, dict.fromkeys("ABCD", 1))
    table = contiguous_regions(areas, 2, weights=pd.Series({"A": 1, "B": 1, "C": 1, "D": 3}))
    assert groups(table) == {frozenset("ABC"), frozenset("D")}


# --- invariants ------------------------------------------------------------------


@st.composite
def maps(draw):
    """A random set of grid cells (one municipality each) with random residents."""
    cells = draw(st.sets(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=2, max_size=16))
    cells = sorted(cells)
    codes = [f"G{i:02d}" for i in range(len(cells))]
    residents = draw(st.lists(st.integers(0, 1000), min_size=len(cells), max_size=len(cells)))
    count = draw(st.integers(1, len(cells)))
    return dict(zip(codes, cells)), dict(zip(codes, residents)), count


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(maps())
def test_every_region_is_connected_and_every_municipality_in_exactly_one(example):
    cells, residents, count = example
    areas = make_areas(cells, residents)
    table = contiguous_regions(areas, count)
    graph = municipality_graph(areas)
    assert sorted(table["gemeente_code"]) == sorted(cells)  # each exactly once
    assert table["region"].nunique() == count
    for members in table.groupby("region")["gemeente_code"].apply(list):
        assert region_is_connected(graph, members)
    assert table.equals(contiguous_regions(areas, count))  # deterministic


# --- the bundled country ---------------------------------------------------------


@pytest.fixture(scope="module")
def national() -> pd.DataFrame:
    return contiguous_regions()


def test_the_country_in_25_connected_regions(national):
    areas = load_areas()
    graph = municipality_graph(areas)
    assert national["region"].nunique() == 25
    own = national[national["successor"].isna()]
    assert sorted(own["gemeente_code"]) == sorted(graph.nodes)  # 342, each once
    assert not national["gemeente_code"].duplicated().any()
    for members in own.groupby("region")["gemeente_code"].apply(list):
        assert region_is_connected(graph, members)


def test_the_country_is_balanced_on_residents(national):
    residents = national.groupby("region")["residents"].sum()
    target = residents.sum() / 25
    # Amsterdam alone is 1.30 targets; every other region is within 10 % of it
    assert residents.max() <= 1.31 * target
    assert residents.drop(residents.idxmax()).between(0.9 * target, 1.1 * target).all()


def test_the_country_is_the_same_on_every_run(national):
    assert national.equals(contiguous_regions())
    region = national.set_index("gemeente_code")["region"]
    # fingerprints: Twente pools together; Weesp joins Amsterdam's region
    assert region["GM0153"] == region["GM0141"] == region["GM0164"] == "08 Enschede"
    assert region["GM0457"] == region["GM0363"]


def test_former_municipalities_join_their_successor():
    merged = successors(load_areas())
    assert merged.to_dict() == {
        "GM0457": "GM0363",  # Weesp → Amsterdam
        "GM0501": "GM1992",  # Brielle, Hellevoetsluis, Westvoorne → Voorne aan Zee
        "GM0530": "GM1992",
        "GM0614": "GM1992",
    }
