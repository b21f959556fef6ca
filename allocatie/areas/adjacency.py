"""The wijk adjacency graph: which areas are neighbours (queen contiguity).

Spatial segregation indices (:func:`allocatie.areas.segregation.spatial_dissimilarity`)
ask whether a concentrated area is next to other concentrated areas or to mixed
ones; that needs to know which areas touch. Queen contiguity, the PySAL
default, calls two areas neighbours when their polygons share at least one
point, a corner included.

The bundled wijk polygons were simplified to about 40 m, each on its own, so
true neighbours may overlap in slivers or leave gaps of a few metres to a few
tens of metres along their shared boundary. Strict contiguity would drop about
one in twenty true neighbour pairs nationally (9,853 strict pairs against
10,442 within 25 m). :func:`queen_graph` therefore calls two polygons
neighbours when they are at most ``tolerance_m`` metres apart, measured in RD
New (EPSG:28992).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse
import shapely

from allocatie.areas.data import RD_NEW

#: Default gap (m) bridged between neighbours. In the bundled polygons half of
#: the pairs that are neighbours within 25 m but not strictly are less than 5 m
#: apart and 90 % less than 20 m. Raising it to 50 m adds 173 more pairs
#: nationally, most of which come that close along less than 100 m of boundary:
#: corners, where at this resolution a touch cannot be told from a near miss.
DEFAULT_TOLERANCE_M = 25.0


def queen_graph(polygons: gpd.GeoDataFrame, tolerance_m: float = DEFAULT_TOLERANCE_M) -> nx.Graph:
    """Queen-contiguity graph of areas, robust to simplification gaps.

    Parameters
    ----------
    polygons
        One row per area; the index (area codes, unique) becomes the nodes. The
        frame must declare its CRS: the tolerance is in metres, so geometries
        are projected to RD New (EPSG:28992) first. Geometries must be
        non-empty and valid (:func:`allocatie.areas.data.load_areas` repairs them).
    tolerance_m
        Two areas are neighbours when the distance between their polygons is
        at most this many metres (``0`` gives strict queen contiguity: they
        share at least a point). The default bridges the gaps the ~40 m
        simplification of the bundled polygons leaves between true
        neighbours; see :data:`DEFAULT_TOLERANCE_M`.

    Returns
    -------
    networkx.Graph
        Undirected, unweighted, no self-loops; every area is a node, including
        areas without neighbours (islands such as Wadden islands).

    Raises
    ------
    ValueError
        If the CRS is missing, the index has duplicates, a geometry is missing
        or empty, or ``tolerance_m`` is negative or not finite.

    Notes
    -----
    One bulk STRtree query over all polygons (``dwithin``, or ``intersects``
    for a zero tolerance) finds every pair at once, so the whole country
    (3,474 wijken) takes well under a second, reprojection included.
    """
    if not np.isfinite(tolerance_m) or tolerance_m < 0:
        raise ValueError(f"tolerance_m must be a finite number ≥ 0, got {tolerance_m!r}")
    if polygons.crs is None:
        raise ValueError(
            "the polygons have no CRS; set it (e.g. EPSG:4326) so the tolerance can be "
            "measured in metres"
        )
    index = polygons.index
    if index.has_duplicates:
        duplicated = index[index.duplicated()].unique().tolist()
        raise ValueError(f"area codes must be unique; duplicated: {duplicated[:10]}")
    geometries = polygons.geometry.to_crs(RD_NEW).to_numpy()
    bad = shapely.is_missing(geometries) | shapely.is_empty(geometries)
    if bad.any():
        raise ValueError(f"areas without a geometry: {index[bad].tolist()[:10]}")

    tree = shapely.STRtree(geometries)
    if tolerance_m == 0:
        left, right = tree.query(geometries, predicate="intersects")
    else:
        left, right = tree.query(geometries, predicate="dwithin", distance=tolerance_m)
    # Each pair comes back twice (and every area with itself): keep i < j.
    keep = left < right
    codes = index.to_numpy()

    graph = nx.Graph()
    graph.add_nodes_from(codes)
    graph.add_edges_from(zip(codes[left[keep]], codes[right[keep]]))
    return graph


def weights_matrix(
    graph: nx.Graph, order: Sequence[Hashable] | pd.Index
) -> scipy.sparse.csr_matrix:
    """Binary spatial weights matrix of ``graph``, rows and columns in ``order``.

    Index functions work on arrays whose i-th entry is an area; this gives the
    matching matrix ``W`` with ``W[i, j] = 1`` when areas ``order[i]`` and
    ``order[j]`` are neighbours, as PySAL's ``libpysal.weights.W.sparse`` does for
    a binary contiguity W with ``id_order = order``.

    Parameters
    ----------
    graph
        Adjacency graph, e.g. from :func:`queen_graph`; edge attributes are
        ignored (the weights are binary).
    order
        Area codes, each a node of ``graph``, without duplicates. It may be a
        subset of the nodes (one municipality out of the national graph): the
        matrix is then that of the induced subgraph.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``len(order) × len(order)``, symmetric, float64, zero diagonal.

    Raises
    ------
    ValueError
        If ``order`` has duplicates or codes that are not nodes of ``graph``.
    """
    order = list(order)
    codes = pd.Index(order)
    if codes.has_duplicates:
        raise ValueError(
            f"order has duplicate codes: {codes[codes.duplicated()].unique().tolist()[:10]}"
        )
    missing = [code for code in order if code not in graph]
    if missing:
        raise ValueError(f"codes not in the graph: {missing[:10]}")
    if not order:
        return scipy.sparse.csr_matrix((0, 0), dtype=np.float64)
    matrix = nx.to_scipy_sparse_array(
        graph, nodelist=order, weight=None, dtype=np.float64, format="csr"
    )
    return scipy.sparse.csr_matrix(matrix)
