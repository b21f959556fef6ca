"""Contiguous regions of neighbouring municipalities: the benchmark's regions.

Regional pooling lets the municipalities of a region match their households and
dwellings together. Which municipalities form a region is a user's input (a
region table, :mod:`allocatie.inputs.regions`): the bundled CBS data hold no
province, COA-region or veiligheidsregio table. To cut the national benchmark
into regions all the same, this module **constructs** regions from the bundled
polygons: about 25 (as many as there are veiligheidsregio's) groups of
neighbouring municipalities, each connected and each holding about the same
number of residents.

These regions are the benchmark's construction, not an official table: they
follow no provincial border, COA region or veiligheidsregio, and a coordinator
who pools with real partners writes their own region table
(``allocatie regions --out regio.csv`` writes this one to start from).

The construction, deterministic (no random numbers; every tie broken by the
municipality code, so every machine with the same bundled data gets the same
regions):

1. The municipality graph: two municipalities are neighbours when any of their
   wijken are (:func:`allocatie.areas.adjacency.queen_graph`); a part of the
   graph without a neighbour outside it (an island) is joined to the nearest
   municipality by polygon distance, so every region can be connected.
2. Agglomeration: starting from one region per municipality, the pair of
   neighbouring regions with the lowest merge cost is merged until ``count``
   remain. The cost is the pair's residents over the target (small regions
   merge first, which balances) plus their centroids' distance over
   :data:`COMPACT_KM` (near regions merge first, which keeps them compact).
3. Balancing: a municipality on a region's border moves to a neighbouring
   region while that lowers the sum of squared deviations of the regions'
   residents from the target and leaves its own region connected.

Municipalities of the statistics that have no wijk polygon of their own
(merged since: Weesp into Amsterdam in 2022, Brielle, Hellevoetsluis and
Westvoorne into Voorne aan Zee in 2023) join the region of the municipality
their buurten (2019 borders) now lie in, so every code a benchmark household
may carry has a region.
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from allocatie.areas.adjacency import DEFAULT_TOLERANCE_M, queen_graph
from allocatie.areas.data import RD_NEW, Areas, load_areas

__all__ = [
    "COMPACT_KM",
    "DEFAULT_REGIONS",
    "contiguous_regions",
    "municipality_graph",
    "municipality_weights",
    "region_is_connected",
    "successors",
]

#: Regions of the benchmark: the Netherlands has 25 veiligheidsregio's.
DEFAULT_REGIONS = 25
#: Distance (km) between two regions' centroids that weighs as much in the merge
#: cost as a region's worth of residents: about the radius of a region of
#: 1/25 of the country's 41,500 km².
COMPACT_KM = 40.0


def municipality_graph(areas: Areas, tolerance_m: float = DEFAULT_TOLERANCE_M) -> nx.Graph:
    """Neighbouring municipalities, every part of the graph joined to the rest.

    Parameters
    ----------
    areas
        The areas whose wijk polygons (and their ``gemeente_code``) give the
        municipalities.
    tolerance_m
        Gap bridged between neighbouring wijken, as in
        :func:`~allocatie.areas.adjacency.queen_graph`.

    Returns
    -------
    networkx.Graph
        One node per ``gemeente_code`` of the wijk polygons. An edge joins
        municipalities with neighbouring wijken; an edge with attribute
        ``attached=True`` joins a part without neighbours (an island) to the
        nearest municipality outside it, smallest part first, until the graph
        is connected. (The bundled wijken include water, so the Wadden islands
        touch the mainland and no edge is attached; a user's own area file may
        need them.)
    """
    wijken = areas.wijken
    gemeente = wijken["gemeente_code"].astype(str)
    wijk_graph = queen_graph(wijken, tolerance_m)
    graph = nx.Graph()
    graph.add_nodes_from(sorted(gemeente.unique()))
    of = gemeente.to_dict()
    graph.add_edges_from((of[u], of[v]) for u, v in wijk_graph.edges if of[u] != of[v])
    geometries = areas.wijken_rd.geometry
    while not nx.is_connected(graph):
        part = min(nx.connected_components(graph), key=lambda c: (len(c), min(c)))
        inside = gemeente.isin(part).to_numpy()
        tree = shapely.STRtree(geometries.to_numpy()[~inside])
        near, distance = tree.query_nearest(geometries.to_numpy()[inside], return_distance=True)
        outside_gemeente = gemeente.to_numpy()[~inside][near[1]]
        inside_gemeente = gemeente.to_numpy()[inside][near[0]]
        order = np.lexsort((outside_gemeente, inside_gemeente, distance))
        graph.add_edge(inside_gemeente[order[0]], outside_gemeente[order[0]], attached=True)
    return graph


def successors(areas: Areas) -> pd.Series:
    """Municipalities of the statistics without polygons → the one they now lie in.

    The statistics (2022) still count municipalities merged since; their buurten
    (2019 borders, :attr:`Areas.buurten`) lie in a wijk of the municipality that
    absorbed them. A municipality whose buurten have no polygon is left out.

    Returns
    -------
    pandas.Series
        Index the former ``gemeente_code``, values the ``gemeente_code`` of the
        wijk polygons holding most of its buurten (by a point inside each) (empty when every
        municipality has polygons, as in a user's own area file).
    """
    stats = areas.stats
    gemeenten = stats.index[stats["level"] == "gemeente"]
    former = sorted(set(gemeenten) - set(areas.wijken["gemeente_code"].astype(str)))
    buurten = areas.buurten if former else areas.buurten.iloc[:0]
    rows = stats[(stats["level"] == "buurt") & stats["gemeente_code"].isin(former)]
    shapes = buurten.reindex(rows.index.intersection(buurten.index))
    if shapes.empty:
        return pd.Series([], dtype="str", name="successor")
    points = gpd.GeoDataFrame(
        {"former": rows.loc[shapes.index, "gemeente_code"].to_numpy()},
        geometry=shapes.geometry.to_crs(RD_NEW).representative_point().to_numpy(),
        crs=RD_NEW,
    )
    inside = gpd.sjoin(points, areas.wijken_rd, predicate="within")
    votes = inside.groupby(["former", "gemeente_code"]).size().rename("n").reset_index()
    votes = votes.sort_values(["former", "n", "gemeente_code"], ascending=[True, False, True])
    best = votes.drop_duplicates("former").set_index("former")["gemeente_code"]
    return best.astype("str").rename("successor")


def municipality_weights(areas: Areas) -> pd.Series:
    """Residents per municipality of the wijk polygons, what the regions balance.

    ``residents_2024`` where the statistics have it (the bundled data: the
    municipalities as they are now), else ``residents`` plus those of the former
    municipalities now inside it (:func:`successors`); 0 where neither is known.
    """
    stats = areas.stats
    codes = pd.Index(sorted(areas.wijken["gemeente_code"].astype(str).unique()))
    residents = pd.to_numeric(stats["residents"], errors="coerce").reindex(codes)
    merged = successors(areas)
    former = pd.to_numeric(stats["residents"], errors="coerce").reindex(merged.index)
    residents = residents.add(former.groupby(merged).sum().reindex(codes), fill_value=0)
    if "residents_2024" in stats.columns:
        recent = pd.to_numeric(stats["residents_2024"], errors="coerce").reindex(codes)
        residents = recent.fillna(residents)
    return residents.fillna(0).round().astype("int64").rename("residents")


def _centroids(areas: Areas) -> dict[str, np.ndarray]:
    """A point per municipality: its wijken' points weighted by their residents (+1)."""
    points = areas.wijk_points_rd
    gemeente = areas.wijken["gemeente_code"].astype(str).reindex(points.index)
    wijk_residents = pd.to_numeric(areas.stats["residents"], errors="coerce")
    mass = wijk_residents.reindex(points.index).fillna(0).to_numpy(dtype=float) + 1.0
    frame = pd.DataFrame(
        {"g": gemeente.to_numpy(), "m": mass, "mx": points["x"] * mass, "my": points["y"] * mass}
    )
    sums = frame.groupby("g")[["m", "mx", "my"]].sum()
    return {str(g): np.array([row.mx / row.m, row.my / row.m]) for g, row in sums.iterrows()}


def _agglomerate(
    graph: nx.Graph, weights: dict[str, int], points: dict[str, np.ndarray], count: int
) -> dict[str, set[str]]:
    """Merge neighbouring regions, cheapest pair first, until ``count`` remain.

    A region is keyed by its smallest municipality code, so that the result
    depends on nothing but the codes, weights and points.
    """
    target = max(sum(weights.values()) / count, 1.0)  # all-zero weights: distance alone
    scale = COMPACT_KM * 1000.0
    members = {g: {g} for g in graph}
    weight = {g: float(weights[g]) for g in graph}
    centre = {g: (float(points[g][0]), float(points[g][1])) for g in graph}
    regions = nx.Graph(graph)

    def cost(edge: tuple[str, str]) -> tuple[float, str, str]:
        u, v = edge
        distance = math.hypot(centre[u][0] - centre[v][0], centre[u][1] - centre[v][1])
        return ((weight[u] + weight[v]) / target + distance / scale, min(u, v), max(u, v))

    while regions.number_of_nodes() > count and regions.number_of_edges():
        _, keep, drop = min(cost(e) for e in regions.edges)
        for other in list(regions.neighbors(drop)):
            if other != keep:
                regions.add_edge(keep, other)
        regions.remove_node(drop)
        total = weight[keep] + weight[drop]
        if total > 0:
            a, b = weight[keep] / total, weight[drop] / total
            centre[keep] = (
                a * centre[keep][0] + b * centre[drop][0],
                a * centre[keep][1] + b * centre[drop][1],
            )
        weight[keep] = total
        members[keep] |= members.pop(drop)
        del weight[drop], centre[drop]
    return members


def _balance(
    graph: nx.Graph, weights: dict[str, int], members: dict[str, set[str]], count: int
) -> dict[str, set[str]]:
    """Move border municipalities to a neighbouring region while balance improves.

    Each step makes the single move that lowers the sum of squared deviations
    from the target most (ties: smallest municipality code, then region key)
    among those that keep the donor region non-empty and connected; the sum
    falls strictly at every step, so the loop ends.
    """
    target = sum(weights.values()) / count
    label = {g: key for key, group in members.items() for g in group}
    weight = {key: float(sum(weights[g] for g in group)) for key, group in members.items()}
    while True:
        best: tuple[float, str, str, str] | None = None
        for g in sorted(graph):
            donor = label[g]
            if len(members[donor]) == 1:
                continue
            w = weights[g]
            for taker in sorted({label[n] for n in graph.neighbors(g)} - {donor}):
                change = (
                    (weight[donor] - w - target) ** 2
                    + (weight[taker] + w - target) ** 2
                    - (weight[donor] - target) ** 2
                    - (weight[taker] - target) ** 2
                )
                if change < -1e-9 and (best is None or change < best[0]):
                    if nx.is_connected(graph.subgraph(members[donor] - {g})):
                        best = (change, g, donor, taker)
        if best is None:
            return members
        _, g, donor, taker = best
        members[donor].remove(g)
        members[taker].add(g)
        weight[donor] -= weights[g]
        weight[taker] += weights[g]
        label[g] = taker


def region_is_connected(graph: nx.Graph, municipalities: set[str] | list[str]) -> bool:
    """Whether ``municipalities`` form one connected part of the municipality graph."""
    group = set(municipalities)
    return bool(group) and group <= set(graph) and nx.is_connected(graph.subgraph(group))


def contiguous_regions(
    areas: Areas | None = None,
    count: int = DEFAULT_REGIONS,
    *,
    weights: pd.Series | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> pd.DataFrame:
    """The benchmark's regions: ``count`` connected, balanced groups of municipalities.

    Not an official region table (the bundled data hold none): see the module
    docstring for how they are built and why.

    Parameters
    ----------
    areas
        The areas to divide; the bundled CBS data when ``None``.
    count
        How many regions (at most the number of municipalities).
    weights
        What to balance, per ``gemeente_code`` (e.g. the national instance's
        taakstelling); residents (:func:`municipality_weights`) when ``None``.
        Municipalities missing from it weigh 0.
    tolerance_m
        Gap bridged between neighbouring wijken (:func:`municipality_graph`).

    Returns
    -------
    pandas.DataFrame
        One row per municipality, sorted by region then code, columns
        ``gemeente_code``, ``gemeente_name``, ``region`` (``"07 Enschede"``:
        the regions numbered north to south by their centroid, each named after
        its most populous municipality), ``residents`` (the weight balanced; 0 for a
        former municipality, whose weight is its successor's) and ``successor``
        (for a former municipality without polygons, the municipality whose
        region it joins; NA otherwise).

    Raises
    ------
    ValueError
        If ``count`` is below 1 or above the number of municipalities.
    """
    areas = areas or load_areas()
    graph = municipality_graph(areas, tolerance_m)
    if not 1 <= count <= graph.number_of_nodes():
        raise ValueError(
            f"count must be between 1 and {graph.number_of_nodes()} municipalities, got {count}"
        )
    residents = municipality_weights(areas)
    merged = successors(areas)
    if weights is None:
        balance = residents
    else:
        given = pd.to_numeric(weights, errors="coerce").fillna(0)
        given.index = given.index.astype(str)
        folded = given.rename(index=lambda g: merged.get(g, g)).groupby(level=0).sum()
        balance = folded.reindex(residents.index).fillna(0).round().astype("int64")
    w = {str(g): int(v) for g, v in balance.items()}
    points = _centroids(areas)
    members = _balance(graph, w, _agglomerate(graph, w, points, count), count)

    names = areas.wijken.drop_duplicates("gemeente_code").set_index("gemeente_code")
    gemeente_name = names["gemeente_name"].astype(str)
    rows = []
    for group in members.values():
        ordered = sorted(group)
        mass = np.array([w[g] + 1.0 for g in ordered])
        north = float(np.average([points[g][1] for g in ordered], weights=mass))
        largest = min(ordered, key=lambda g: (-residents.get(g, 0), g))
        rows.append((-round(north), largest, ordered))
    rows.sort()
    table = []
    for number, (_, largest, ordered) in enumerate(rows, start=1):
        region = f"{number:02d} {gemeente_name.get(largest, largest)}"
        table += [(g, gemeente_name.get(g, g), region, w[g], pd.NA) for g in ordered]
    region_of = {g: r for g, _, r, _, _ in table}
    stat_names = areas.stats["name"]
    # a former municipality weighs 0 here: its weight was folded into its successor's
    table += [
        (str(f), str(stat_names.get(f, f)), region_of[s], 0, s)
        for f, s in merged.items()
        if s in region_of
    ]
    frame = pd.DataFrame(
        table, columns=["gemeente_code", "gemeente_name", "region", "residents", "successor"]
    )
    frame["successor"] = frame["successor"].astype("string")
    frame["residents"] = frame["residents"].astype("int64")
    return frame.sort_values(["region", "gemeente_code"], ignore_index=True)
