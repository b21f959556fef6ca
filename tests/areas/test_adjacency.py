"""Queen-contiguity graph and weights matrix: hand-made squares and the bundled wijken."""

from __future__ import annotations

import json
import time

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from allocatie.areas.adjacency import DEFAULT_TOLERANCE_M, queen_graph, weights_matrix
from allocatie.areas.data import RD_NEW, Areas, load_areas
from tests.paths import REFERENCE

REFERENCE = json.loads((REFERENCE / "pysal_reference.json").read_text(encoding="utf-8"))
ENSCHEDE = [f"WK01530{i}" for i in range(10)]


def squares(cells: dict[str, tuple[float, float]], size: float = 100.0, crs=RD_NEW):
    """Squares of ``size`` m with lower-left corners ``cells`` (RD metres)."""
    frame = gpd.GeoDataFrame(
        geometry=[shapely.box(x, y, x + size, y + size) for x, y in cells.values()],
        index=list(cells),
        crs=RD_NEW,
    )
    return frame.to_crs(crs)


def grid(n: int = 3) -> gpd.GeoDataFrame:
    """An n × n grid of touching 100 m squares named 'rc' by row and column."""
    return squares({f"{r}{c}": (100.0 * c, 100.0 * r) for r in range(n) for c in range(n)})


def edges(graph: nx.Graph) -> set[frozenset]:
    return {frozenset(e) for e in graph.edges}


# --- Hand-made polygons ---------------------------------------------------------


def test_grid_neighbours_include_corners():
    graph = queen_graph(grid(), tolerance_m=0)
    assert set(graph.nodes) == {f"{r}{c}" for r in range(3) for c in range(3)}
    assert graph.degree["11"] == 8  # the centre touches all: 4 sides + 4 corners
    assert set(graph["00"]) == {"01", "10", "11"}  # a corner square
    assert graph.degree["01"] == 5
    assert graph.number_of_edges() == 20
    assert not any(graph.has_edge(n, n) for n in graph)


def test_default_tolerance_does_not_invent_neighbours_on_a_grid():
    # Squares two cells apart are 100 m from each other: far beyond 25 m.
    assert edges(queen_graph(grid())) == edges(queen_graph(grid(), tolerance_m=0))


@pytest.mark.parametrize(
    ("gap", "tolerance", "neighbours"),
    [
        (0.0, 0.0, True),  # shared side
        (-5.0, 0.0, True),  # overlap (independent simplification)
        (10.0, 0.0, False),  # a sliver of gap breaks strict contiguity…
        (10.0, DEFAULT_TOLERANCE_M, True),  # …but not the default tolerance
        (24.9, DEFAULT_TOLERANCE_M, True),
        (25.1, DEFAULT_TOLERANCE_M, False),
        (40.0, 50.0, True),
    ],
)
def test_gaps_and_overlaps(gap, tolerance, neighbours):
    pair = squares({"a": (0.0, 0.0), "b": (100.0 + gap, 0.0)})
    assert queen_graph(pair, tolerance_m=tolerance).has_edge("a", "b") is neighbours


def test_corner_gap_is_bridged():
    # b is diagonal to a with a 10 m × 10 m offset: ~14 m apart at the corners.
    pair = squares({"a": (0.0, 0.0), "b": (110.0, 110.0)})
    assert queen_graph(pair).has_edge("a", "b")
    assert not queen_graph(pair, tolerance_m=0).has_edge("a", "b")


def test_tolerance_is_in_metres_whatever_the_crs():
    near = squares({"a": (200_000.0, 450_000.0), "b": (200_110.0, 450_000.0)}, crs="EPSG:4326")
    far = squares({"a": (200_000.0, 450_000.0), "b": (200_140.0, 450_000.0)}, crs="EPSG:4326")
    assert queen_graph(near).has_edge("a", "b")  # 10 m apart
    assert not queen_graph(far).has_edge("a", "b")  # 40 m apart


def test_isolated_area_is_a_node_without_edges():
    graph = queen_graph(squares({"a": (0.0, 0.0), "b": (100.0, 0.0), "far": (5_000.0, 0.0)}))
    assert "far" in graph and graph.degree["far"] == 0


def test_multipolygon_touching_with_either_part():
    a = shapely.MultiPolygon([shapely.box(0, 0, 100, 100), shapely.box(1000, 0, 1100, 100)])
    frame = gpd.GeoDataFrame(
        geometry=[a, shapely.box(1100, 0, 1200, 100)], index=["a", "b"], crs=RD_NEW
    )
    assert queen_graph(frame, tolerance_m=0).has_edge("a", "b")


def test_row_order_does_not_matter():
    frame = grid(4)
    shuffled = frame.sample(frac=1.0, random_state=1)
    assert edges(queen_graph(shuffled)) == edges(queen_graph(frame))


def test_invalid_input_is_rejected():
    frame = grid(2)
    with pytest.raises(ValueError, match="CRS"):
        queen_graph(frame.set_crs(None, allow_override=True))
    with pytest.raises(ValueError, match="unique"):
        queen_graph(frame.set_axis(["a", "a", "b", "c"]))
    with pytest.raises(ValueError, match="without a geometry"):
        queen_graph(frame.set_geometry([shapely.Polygon(), *frame.geometry.iloc[1:]], crs=RD_NEW))
    for tolerance in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="tolerance"):
            queen_graph(frame, tolerance_m=tolerance)


def test_empty_frame_gives_empty_graph():
    graph = queen_graph(grid().iloc[:0])
    assert graph.number_of_nodes() == 0


# --- Weights matrix ---------------------------------------------------------------


def test_weights_matrix_follows_the_order():
    graph = nx.Graph([("a", "b"), ("b", "c")])
    graph.add_node("d")
    w = weights_matrix(graph, ["c", "b", "a", "d"])
    np.testing.assert_array_equal(
        w.toarray(), [[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]
    )
    assert w.format == "csr" and w.dtype == np.float64


def test_weights_matrix_of_a_subset_is_the_induced_subgraph():
    graph = nx.Graph([("a", "b"), ("b", "c"), ("a", "c")])
    np.testing.assert_array_equal(weights_matrix(graph, ["c", "a"]).toarray(), [[0, 1], [1, 0]])


def test_weights_matrix_is_binary_whatever_the_edge_data():
    graph = nx.Graph()
    graph.add_edge("a", "b", weight=7.5)
    np.testing.assert_array_equal(weights_matrix(graph, ["a", "b"]).toarray(), [[0, 1], [1, 0]])


def test_weights_matrix_rejects_unknown_and_duplicate_codes():
    graph = nx.Graph([("a", "b")])
    with pytest.raises(ValueError, match="not in the graph"):
        weights_matrix(graph, ["a", "x"])
    with pytest.raises(ValueError, match="duplicate"):
        weights_matrix(graph, ["a", "b", "a"])
    assert weights_matrix(graph, []).shape == (0, 0)


# --- The bundled wijken ------------------------------------------------------------


@pytest.fixture(scope="module")
def areas() -> Areas:
    return load_areas()


@pytest.fixture(scope="module")
def national(areas: Areas) -> nx.Graph:
    return queen_graph(areas.wijken)


def test_enschede_centre_touches_the_inner_wijken(national):
    centre = set(national["WK015300"])
    # Binnensingelgebied borders Hogeland-Velve, Boswinkel-Stadsveld,
    # Twekkelerveld, Enschede-Noord and Ribbelt-Stokhorst…
    assert {"WK015301", "WK015302", "WK015303", "WK015304", "WK015305"} <= centre
    # …but not Enschede-Zuid (1 km away), Glanerbrug or the outer wijken.
    assert not {"WK015306", "WK015307", "WK015308", "WK015309"} & centre
    # Groningen Centrum and the Amsterdam Jordaan are nodes, but far away.
    for far in ("WK001400", "WK0363AB"):
        assert far in national and far not in centre


def test_neighbours_cross_municipal_borders(national):
    # Enschede's rural wijk borders Hengelo's rural wijk.
    assert national.has_edge("WK015309", "WK016409")


def test_the_country_is_one_component(national, areas):
    # Water wijken ("Groot water") link the Wadden islands to the mainland.
    assert national.number_of_nodes() == len(areas.wijken)
    assert nx.is_connected(national)


def test_tolerance_only_adds_neighbours(areas, national):
    strict = queen_graph(areas.wijken, tolerance_m=0)
    assert edges(strict) <= edges(national)
    # The simplification gaps cost strict contiguity a few percent of the pairs.
    assert 0.9 * national.number_of_edges() < strict.number_of_edges()


@pytest.mark.parametrize("gemeente", ["GM0153", "GM0141", "GM0164"])
def test_neighbours_match_libpysal_fuzzy_contiguity(national, gemeente):
    reference = REFERENCE["municipalities"][gemeente]["wijk"]
    codes = sorted(reference["location_quotients"])
    ours = {frozenset(e) for e in national.subgraph(codes).edges}
    assert ours == {frozenset(pair) for pair in reference["queen_pairs"]}
    # libpysal's strict Queen (shared vertices) finds only a subset on simplified polygons.
    assert {frozenset(pair) for pair in reference["queen_pairs_strict"]} <= ours


def test_whole_country_is_fast(areas):
    start = time.perf_counter()
    queen_graph(areas.wijken)
    assert time.perf_counter() - start < 5.0  # about 0.3 s on 2 cores
