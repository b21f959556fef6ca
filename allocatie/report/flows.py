"""Maps between municipalities: the regions that pool, and the herkoppelingen flowing in them.

When municipalities pool their offer, a household linked to one may be housed in
another: a proposed **herkoppeling**. A council asks two things of such a plan:
which municipalities pool together, and who goes where. :func:`write_flow_map`
answers the second on paper: the municipalities of the region, and an arrow from
each sending municipality's centre to each receiving one's, as wide as the
persons it carries, labelled with their number. :func:`write_region_map` answers
the first: every region in its own colour (neighbouring regions never share one),
as ``allocatie regions --map`` draws the benchmark's contiguous regions.

Both draw municipalities as the union of their wijk polygons (the bundled data
hold no municipal layer) in RD New (EPSG:28992), A4 landscape, with matplotlib's
Agg renderer, so no display is needed; files are written atomically.
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib.patheffects as path_effects
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from allocatie.areas.data import Areas
from allocatie.i18n import _, ngettext, number
from allocatie.report.maps import atomic_write

__all__ = [
    "FLOW_COLUMNS",
    "flow_lines",
    "herkoppeling_figures",
    "herkoppeling_table",
    "municipality_shapes",
    "render_flow_map",
    "write_flow_map",
    "write_region_map",
]

#: Columns of a herkoppeling table: one row per (sending, receiving) municipality.
FLOW_COLUMNS: tuple[str, ...] = ("from_gemeente", "to_gemeente", "households", "persons")
#: A4 landscape in inches.
_A4_LANDSCAPE = (297 / 25.4, 210 / 25.4)
_MAP_BOX = (0.015, 0.07, 0.70, 0.84)
#: Widest arrow (points), for the largest flow on the map.
_MAX_WIDTH_PT = 14.0
_MIN_WIDTH_PT = 1.2
_FLOW_COLOUR = "#c0392b"
#: Qualitative fills for regions (ColorBrewer Set3 without its greys).
_REGION_FILLS = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
    "#b3de69", "#fccde5", "#ccebc5", "#ffed6f",
)  # fmt: skip
_CREDIT = "Bron: CBS, CC-BY 4.0"


def herkoppeling_table(
    households: pd.DataFrame, dwellings: pd.DataFrame, assignment: np.ndarray
) -> pd.DataFrame:
    """The herkoppelingen of a plan, one row per (sending, receiving) municipality.

    Parameters
    ----------
    households
        With ``gemeente_code`` (the municipality each is linked to) and ``persons``.
    dwellings
        With ``gemeente_code`` (the municipality each lies in).
    assignment
        Per household the index of its dwelling, ``-1`` when it waits
        (:meth:`allocatie.solve.Result.assignment`).

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_COLUMNS`, largest flow first (ties by codes); empty when
        every placed household stays in its own municipality, or the tables
        name no municipalities.
    """
    empty = pd.DataFrame({c: pd.Series([], dtype="str" if "gemeente" in c else "int64")
                          for c in FLOW_COLUMNS})  # fmt: skip
    if "gemeente_code" not in households.columns or "gemeente_code" not in dwellings.columns:
        return empty
    assignment = np.asarray(assignment, dtype=np.int64)
    placed = assignment >= 0
    home = households["gemeente_code"].astype(object).to_numpy()
    there = np.full(len(households), None, dtype=object)
    there[placed] = dwellings["gemeente_code"].astype(object).to_numpy()[assignment[placed]]
    moved = placed & ~pd.isna(home) & ~pd.isna(there)
    moved[moved] = home[moved] != there[moved]
    if not moved.any():
        return empty
    frame = pd.DataFrame(
        {
            "from_gemeente": home[moved].astype(str),
            "to_gemeente": there[moved].astype(str),
            "persons": households["persons"].to_numpy(dtype=np.int64)[moved],
        }
    )
    table = frame.groupby(["from_gemeente", "to_gemeente"], as_index=False).agg(
        households=("persons", "size"), persons=("persons", "sum")
    )
    table = table.sort_values(
        ["persons", "from_gemeente", "to_gemeente"], ascending=[False, True, True]
    )
    return (
        table[list(FLOW_COLUMNS)]
        .astype({"households": "int64", "persons": "int64"})
        .reset_index(drop=True)
    )


def municipality_shapes(areas: Areas, codes: list[str] | None = None) -> gpd.GeoDataFrame:
    """Municipal polygons in RD New: the union of each municipality's wijken.

    Parameters
    ----------
    areas
        The areas whose wijk polygons are dissolved.
    codes
        Municipalities to draw; all when ``None``.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``gemeente_code``, columns ``gemeente_name``, ``geometry`` (RD
        New), ``x``, ``y`` (a point inside the municipality, where its arrows
        start and end: ``representative_point`` rather than the centroid, which
        for a crescent-shaped municipality can lie outside it).
    """
    wijken = areas.wijken_rd.join(areas.wijken[["gemeente_name"]])
    if codes is not None:
        wijken = wijken[wijken["gemeente_code"].isin(codes)]
    # a 30 m buffer closes the slivers between the independently simplified wijken
    wijken = wijken.assign(geometry=wijken.geometry.buffer(30.0))
    shapes = wijken.dissolve(by="gemeente_code", aggfunc={"gemeente_name": "first"})
    shapes = shapes.sort_index()
    points = shapes.geometry.representative_point()
    shapes["x"] = points.x.to_numpy()
    shapes["y"] = points.y.to_numpy()
    return shapes


def flow_lines(flows: pd.DataFrame, shapes: gpd.GeoDataFrame) -> pd.DataFrame:
    """The flows with their end points, largest first, as the maps draw them.

    Rows whose municipalities are the same, or have no shape, or that carry no
    persons, are left out (a flow within a municipality is no herkoppeling).

    Returns
    -------
    pandas.DataFrame
        :data:`FLOW_COLUMNS` plus ``x0``, ``y0``, ``x1``, ``y1`` (RD metres) and
        ``width`` (points, proportional to persons, at least a thin line).
    """
    missing = [c for c in FLOW_COLUMNS if c not in flows.columns]
    if missing:
        raise ValueError(f"flows lack the columns {missing}")
    table = flows[list(FLOW_COLUMNS)].copy()
    table["persons"] = pd.to_numeric(table["persons"], errors="coerce").fillna(0)
    table["households"] = pd.to_numeric(table["households"], errors="coerce").fillna(0)
    table = table.groupby(["from_gemeente", "to_gemeente"], as_index=False, sort=True)[
        ["households", "persons"]
    ].sum()
    known = table["from_gemeente"].isin(shapes.index) & table["to_gemeente"].isin(shapes.index)
    table = table[known & (table["from_gemeente"] != table["to_gemeente"]) & (table["persons"] > 0)]
    table = table.sort_values(
        ["persons", "from_gemeente", "to_gemeente"], ascending=[False, True, True]
    ).reset_index(drop=True)
    for end, column in (("0", "from_gemeente"), ("1", "to_gemeente")):
        table["x" + end] = shapes["x"].reindex(table[column]).to_numpy()
        table["y" + end] = shapes["y"].reindex(table[column]).to_numpy()
    largest = float(table["persons"].max()) if len(table) else 1.0
    table["width"] = np.maximum(_MIN_WIDTH_PT, _MAX_WIDTH_PT * table["persons"] / largest)
    table["households"] = table["households"].astype("int64")
    table["persons"] = table["persons"].astype("int64")
    return table


def _figure(dpi: int) -> Figure:
    size = (round(_A4_LANDSCAPE[0] * dpi) / dpi, round(_A4_LANDSCAPE[1] * dpi) / dpi)
    figure = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def _axes(figure: Figure, shapes: gpd.GeoDataFrame) -> Axes:
    """Map axes framing ``shapes`` with the axes' own aspect (so 1 pt is a known distance)."""
    ax = figure.add_axes(_MAP_BOX)
    ax.set_axis_off()
    minx, miny, maxx, maxy = shapes.total_bounds
    box_w = _A4_LANDSCAPE[0] * _MAP_BOX[2]
    box_h = _A4_LANDSCAPE[1] * _MAP_BOX[3]
    pad = 0.04 * max(maxx - minx, maxy - miny, 1.0)
    width, height = (maxx - minx) + 2 * pad, (maxy - miny) + 2 * pad
    if width / height > box_w / box_h:
        height = width * box_h / box_w
    else:
        width = height * box_w / box_h
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal", adjustable="box")
    return ax


_HALO = [path_effects.withStroke(linewidth=2.5, foreground="white")]


def _png(figure: Figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def render_flow_map(
    flows: pd.DataFrame,
    areas: Areas,
    *,
    municipalities: list[str] | None = None,
    title: str | None = None,
    dpi: int = 150,
) -> bytes:
    """The flow map as PNG bytes (for embedding in ``report.html``).

    Parameters
    ----------
    flows
        A herkoppeling table (:data:`FLOW_COLUMNS`): persons linked to
        ``from_gemeente`` proposed to be housed in ``to_gemeente``.
    areas
        Where the municipalities' polygons come from.
    municipalities
        The region's municipalities, drawn even when nothing flows to or from
        them; those of ``flows`` when ``None``.
    title
        Printed above the map; a default names the herkoppelingen.
    dpi
        Resolution; the size stays A4 landscape.
    """
    codes = set(municipalities or [])
    codes |= set(flows["from_gemeente"].astype(str)) | set(flows["to_gemeente"].astype(str))
    shapes = municipality_shapes(areas, sorted(codes))
    if shapes.empty:
        raise ValueError("none of the municipalities has a polygon in the area data")
    lines = flow_lines(flows, shapes)
    figure = _figure(dpi)
    ax = _axes(figure, shapes)
    shapes.plot(ax=ax, color="#eeeeee", edgecolor="#777777", linewidth=0.8, zorder=1)
    sending = set(lines["from_gemeente"])
    receiving = set(lines["to_gemeente"])
    for code, row in shapes.iterrows():
        weight = "bold" if code in sending | receiving else "normal"
        ax.annotate(
            str(row["gemeente_name"]), (row["x"], row["y"]), xytext=(0, -9),
            textcoords="offset points", ha="center", va="top", fontsize=9,
            fontweight=weight, color="#222222", path_effects=_HALO, zorder=6,
        )  # fmt: skip
        ax.plot([row["x"]], [row["y"]], "o", color="#333333", markersize=3, zorder=5)
    pairs = set(zip(lines["from_gemeente"], lines["to_gemeente"]))
    for row in lines.itertuples(index=False):
        # two-way flows bend to opposite sides, so both arrows stay visible
        bend = 0.18 if (row.to_gemeente, row.from_gemeente) in pairs else 0.08
        arrow = FancyArrowPatch(
            (row.x0, row.y0), (row.x1, row.y1), connectionstyle=f"arc3,rad={bend}",
            arrowstyle="-|>", mutation_scale=10 + row.width, linewidth=row.width,
            color=_FLOW_COLOUR, alpha=0.75, shrinkA=6, shrinkB=8, zorder=3,
        )  # fmt: skip
        ax.add_patch(arrow)
        mx, my = _bent_middle(row.x0, row.y0, row.x1, row.y1, bend)
        ax.text(
            mx, my, number(row.persons), fontsize=9, fontweight="bold", ha="center",
            va="center", color=_FLOW_COLOUR, path_effects=_HALO, zorder=7,
        )  # fmt: skip
    heading = title or _("Proposed herkoppelingen between municipalities")
    figure.text(0.015, 0.965, heading, fontsize=15, fontweight="bold", va="top", ha="left")
    _flow_key(figure, lines)
    figure.text(0.015, 0.025, _CREDIT, fontsize=8, color="#444444", va="bottom", ha="left")
    return _png(figure, dpi)


def _bent_middle(x0: float, y0: float, x1: float, y1: float, bend: float) -> tuple[float, float]:
    """The middle of matplotlib's ``arc3`` curve from (x0, y0) to (x1, y1).

    ``arc3`` is a quadratic Bézier curve whose control point is the chord's middle
    moved by ``bend`` × (dy, −dx); the curve's middle lies halfway there.
    """
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    dx, dy = x1 - x0, y1 - y0
    return cx + bend * dy / 2, cy - bend * dx / 2


def _flow_key(figure: Figure, lines: pd.DataFrame) -> None:
    """Beside the map: what an arrow means, and the totals."""
    left = 0.735
    households = int(lines["households"].sum())
    persons = int(lines["persons"].sum())
    text = [
        _(
            "An arrow runs from the municipality the household is linked to, to the one "
            "where it is proposed to be housed; its width and number are persons."
        ),  # fmt: skip
        "",
        ngettext("{n} household", "{n} households", households).format(n=number(households))
        + ", "
        + ngettext("{n} person", "{n} persons", persons).format(n=number(persons)),
    ]
    if lines.empty:
        text.append(_("No herkoppelingen: every household is housed in its own municipality."))
    wrapped = "\n".join(_wrap(t, 40) for t in text)
    figure.text(left, 0.90, wrapped, fontsize=9.5, va="top", ha="left")
    if len(lines):
        largest = int(lines["persons"].max())
        handles = [
            Line2D([0], [0], color=_FLOW_COLOUR, linewidth=w, alpha=0.75)
            for w in (_MAX_WIDTH_PT, max(_MIN_WIDTH_PT, _MAX_WIDTH_PT / 2))
        ]
        labels = [
            ngettext("{n} person", "{n} persons", n).format(n=number(n))
            for n in (largest, max(1, math.ceil(largest / 2)))
        ]
        figure.legend(
            handles, labels, loc="upper left", bbox_to_anchor=(left, 0.62), frameon=False,
            fontsize=9, handlelength=4,
        )  # fmt: skip


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) if text else ""


def write_flow_map(
    path: Path,
    flows: pd.DataFrame,
    areas: Areas,
    *,
    municipalities: list[str] | None = None,
    title: str | None = None,
    dpi: int = 150,
) -> None:
    """Write :func:`render_flow_map` to ``path`` (PNG, atomically)."""
    data = render_flow_map(flows, areas, municipalities=municipalities, title=title, dpi=dpi)
    atomic_write(Path(path), data)


def herkoppeling_figures(outcome: Any) -> dict[str, tuple[bytes, str]]:
    """The flow map of a run for ``report.html``: heading → (PNG, caption); empty without moves.

    ``outcome`` is a matching outcome (:class:`allocatie.match.Outcome`): its
    instance's households and dwellings, its result's assignment and its areas.
    A run without a pooling region, or whose plan keeps every household in its
    own municipality, has no herkoppelingen and so no flow map.
    """
    instance = outcome.instance
    if not instance.policy.region.pooling:
        return {}
    assignment = outcome.result.assignment(instance.problem)
    flows = herkoppeling_table(instance.households, instance.dwellings, assignment)
    if flows.empty:
        return {}
    members = list(instance.policy.region.municipalities)
    png = render_flow_map(flows, outcome.areas, municipalities=members)
    households, persons = int(flows["households"].sum()), int(flows["persons"].sum())
    caption = ngettext(
        "{n} household proposed for a herkoppeling", "{n} households proposed for a herkoppeling",
        households,
    ).format(n=number(households)) + " (" + ngettext(
        "{n} person", "{n} persons", persons
    ).format(n=number(persons)) + "). " + _(
        "The plan's column 'herkoppeling' names them; the housing municipality's "
        "taakstelling receives the persons."
    )  # fmt: skip
    return {_("Herkoppelingen between municipalities"): (png, caption)}


def write_region_map(
    path: Path,
    regions: pd.DataFrame,
    areas: Areas,
    *,
    title: str | None = None,
    note: str | None = None,
    dpi: int = 150,
) -> None:
    """A PNG of the regions: each in its own colour, named at its centre.

    Parameters
    ----------
    path
        Target ``.png``; written atomically.
    regions
        A region table: columns ``gemeente_code`` and ``region`` (e.g. from
        :func:`allocatie.areas.regions.contiguous_regions` or
        :func:`allocatie.inputs.regions.read_regions`). Municipalities without
        a polygon (merged since) are skipped.
    areas
        Where the polygons come from.
    title, note
        Printed above the map and beside it.
    dpi
        Resolution; the size stays A4 landscape.
    """
    of = regions.set_index("gemeente_code")["region"].astype(str)
    shapes = municipality_shapes(areas, sorted(of.index))
    shapes["region"] = of.reindex(shapes.index).to_numpy()
    merged = shapes.dissolve(by="region").sort_index()
    touching = gpd.sjoin(
        merged[["geometry"]].assign(geometry=merged.buffer(50.0)), merged[["geometry"]],
        predicate="intersects",
    )  # fmt: skip
    graph = nx.Graph()
    graph.add_nodes_from(merged.index)
    graph.add_edges_from((a, b) for a, b in zip(touching.index, touching["region_right"]) if a != b)
    colours = nx.coloring.greedy_color(graph, strategy="largest_first")
    # greedy_color's result depends on node order only: sorted region names, so it is stable
    fill = [_REGION_FILLS[colours[r] % len(_REGION_FILLS)] for r in merged.index]

    figure = _figure(dpi)
    ax = _axes(figure, shapes)
    shapes.plot(ax=ax, color="none", edgecolor="#999999", linewidth=0.3, zorder=2)
    merged.plot(ax=ax, color=fill, edgecolor="#222222", linewidth=1.2, zorder=1)
    merged.boundary.plot(ax=ax, color="#222222", linewidth=1.2, zorder=3)
    for region, geometry in merged.geometry.items():
        point = geometry.representative_point()
        ax.text(
            point.x, point.y, str(region), fontsize=7.5, ha="center", va="center",
            path_effects=_HALO, zorder=4,
        )  # fmt: skip
    heading = title or ngettext("{n} region", "{n} regions", len(merged)).format(n=len(merged))
    figure.text(0.015, 0.965, heading, fontsize=15, fontweight="bold", va="top", ha="left")
    if note:
        figure.text(0.735, 0.90, _wrap(note, 40), fontsize=9.5, va="top", ha="left")
    figure.text(0.015, 0.025, _CREDIT, fontsize=8, color="#444444", va="bottom", ha="left")
    atomic_write(Path(path), _png(figure, dpi))
