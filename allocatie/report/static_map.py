"""The print map: an A4-landscape PNG of the wijken coloured by LQ, with the placements.

:func:`write_png_map` draws the same layer and placements as the interactive
map (:mod:`allocatie.report.web_map`), in the same colours and words
(:mod:`allocatie.report.maps`), for paper: ``report.html`` embeds it and prints
it instead of the interactive map, and it is the map a council gets on paper.
Drawn in RD New (EPSG:28992) with matplotlib's Agg renderer, so no display is
needed.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Literal

import geopandas as gpd
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import Bbox

from allocatie.areas.data import RD_NEW
from allocatie.areas.segregation import is_concentrated
from allocatie.i18n import _, ngettext, number
from allocatie.report.maps import (
    CONCENTRATED_DOT,
    CONCENTRATED_DOT_EDGE,
    DOT_COLOUR,
    DOT_EDGE,
    NO_DATA_COLOUR,
    LqClass,
    area_noun,
    atomic_write,
    class_colours,
    clean_placements,
    cluster_offsets,
    cluster_radius,
    column_words,
    dot_diameter,
    gemeente_name_of,
    label_name,
    level_note,
    lq_classes,
    lq_explanation,
    map_credit,
    number_text,
    placed_per_wijk,
)

__all__ = ["A4_LANDSCAPE", "write_png_map"]

#: A4 landscape in inches.
A4_LANDSCAPE = (297 / 25.4, 210 / 25.4)
_MAP_BOX = (0.015, 0.075, 0.655, 0.83)  # left, bottom, width, height (figure fraction)
#: Where a wijk label sits relative to its point (offset in points, then this).
_VerticalAlignment = Literal["top", "center", "bottom"]


def write_png_map(
    path: Path,
    wijken: gpd.GeoDataFrame,
    placements: pd.DataFrame,
    *,
    column: str,
    threshold: float,
    title: str,
    indicator_label: str,
    credit: str = "Bron: CBS, CC-BY 4.0",
    dpi: int = 150,
) -> None:
    """A printable A4-landscape PNG: wijken coloured by LQ, placements as dots.

    Drawn in RD New (EPSG:28992) with matplotlib's Agg renderer (no display
    needed); 1754 × 1240 pixels at the default 150 dpi. Wijken at or above the
    threshold are hatched and outlined in black; dots are sized by persons,
    diamonds mark placements in a concentrated area; a key in words, a km
    scale bar, the indicator and ``credit`` are printed beside the map.

    Parameters
    ----------
    path
        Target ``.png``; written atomically.
    wijken
        From :func:`~allocatie.report.maps.wijk_layer`.
    placements
        As for :func:`~allocatie.report.web_map.interactive_map`; may be empty.
    column
        LQ column to colour by, ``"lq_before"`` or ``"lq_after"``.
    threshold
        The policy's ``lq_threshold``.
    title
        Printed above the map.
    indicator_label
        What the LQ measures, in words (see
        :func:`~allocatie.report.maps.indicator_label`).
    credit
        Source line printed at the bottom.
    dpi
        Resolution; the size stays A4 landscape.
    """
    path = Path(path)
    if column not in wijken.columns:
        raise ValueError(f"wijken has no column {column!r}")
    points = clean_placements(placements)
    classes = lq_classes(threshold)
    rd = wijken.to_crs(RD_NEW)
    lq = rd[column].astype(float)

    fig, renderer = _a4_figure(dpi)
    ax, width, metres_per_pt = _map_axes(fig, rd)
    _draw_wijken(ax, rd, class_colours(lq, threshold), is_concentrated(lq, threshold).to_numpy())
    dx, dy = cluster_offsets(points)
    dots = _draw_placements(ax, points, dx, dy, metres_per_pt)
    _png_labels(fig, ax, renderer, rd, points, cluster_radius(points, dx, dy), dots)
    _scale_bar(ax, width)

    # Title, key and credit.
    fig.text(0.015, 0.965, _wrap(title, 95), fontsize=15, fontweight="bold", va="top", ha="left")
    _png_key(
        fig,
        classes,
        threshold=threshold,
        indicator_label=indicator_label,
        gemeente_name=gemeente_name_of(rd),
        column=column,
        has_no_data=bool(lq.isna().any()),
        points=points,
        noun=area_noun(wijken) if "area_level" in wijken.columns else None,
        note=level_note(wijken),
    )
    fig.text(
        0.015,
        0.025,
        _("{credit}. Indicator: {indicator}. Threshold: LQ ≥ {threshold}.").format(
            credit=map_credit(wijken, credit),
            indicator=indicator_label,
            threshold=number_text(threshold),
        ),
        fontsize=8,
        color="#444444",
        va="bottom",
        ha="left",
    )

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    atomic_write(path, buffer.getvalue())


def _a4_figure(dpi: int) -> tuple[Figure, RendererBase]:
    """An A4-landscape figure in whole pixels (1754 × 1240 at 150 dpi) and its renderer.

    The renderer is what label placement measures text with, before saving.
    """
    size_in = (round(A4_LANDSCAPE[0] * dpi) / dpi, round(A4_LANDSCAPE[1] * dpi) / dpi)
    fig = Figure(figsize=size_in, dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    return fig, canvas.get_renderer()


def _map_axes(fig: Figure, rd: gpd.GeoDataFrame) -> tuple[Axes, float, float]:
    """The map axes, its width in metres and the metres one printed point covers.

    The extent matches the axes' physical aspect, so that 1 pt is a known
    distance on the ground and clusters can be laid out in points.
    """
    ax = fig.add_axes(_MAP_BOX)
    ax.set_axis_off()
    ax.set_facecolor("white")
    minx, miny, maxx, maxy = rd.total_bounds
    box_w_in = A4_LANDSCAPE[0] * _MAP_BOX[2]
    box_h_in = A4_LANDSCAPE[1] * _MAP_BOX[3]
    pad = 0.03 * max(maxx - minx, maxy - miny)
    width, height = (maxx - minx) + 2 * pad, (maxy - miny) + 2 * pad
    if width / height > box_w_in / box_h_in:
        height = width * box_h_in / box_w_in
    else:
        width = height * box_w_in / box_h_in
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - width / 2, cx + width / 2)
    ax.set_ylim(cy - height / 2, cy + height / 2)
    ax.set_aspect("equal", adjustable="box")
    return ax, width, width / (box_w_in * 72.0)


def _draw_wijken(ax: Axes, rd: gpd.GeoDataFrame, fill: pd.Series, concentrated: np.ndarray) -> None:
    """Wijken in their class colours; concentrated ones hatched, with a thick black outline."""
    rd.plot(ax=ax, color=fill.to_numpy(), edgecolor="#555555", linewidth=0.6, zorder=1)
    if concentrated.any():
        conc = rd[concentrated]
        conc.plot(
            ax=ax,
            facecolor="none",
            edgecolor="#000000",
            linewidth=0.0,
            hatch="///",
            zorder=2,
            alpha=0.55,
        )
        conc.boundary.plot(ax=ax, color="#000000", linewidth=2.4, zorder=3)


def _draw_placements(
    ax: Axes, points: pd.DataFrame, dx: np.ndarray, dy: np.ndarray, metres_per_pt: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Household dots (diamonds if in a concentrated area), clusters laid out in points.

    Returns the dots' centres (RD metres), or ``None`` without placements.
    """
    if not len(points):
        return None
    px = points["x"].to_numpy() + dx * metres_per_pt
    py = points["y"].to_numpy() - dy * metres_per_pt
    size = dot_diameter(points["persons"].to_numpy()) ** 2
    inside = points["area_concentrated"].to_numpy()
    ax.scatter(
        px[~inside],
        py[~inside],
        s=size[~inside],
        marker="o",
        facecolor=DOT_COLOUR,
        edgecolor=DOT_EDGE,
        linewidth=1.0,
        zorder=5,
    )
    ax.scatter(
        px[inside],
        py[inside],
        s=size[inside] * 0.8,
        marker="D",
        facecolor=CONCENTRATED_DOT,
        edgecolor=CONCENTRATED_DOT_EDGE,
        linewidth=1.2,
        zorder=5,
    )
    return px, py


def _png_labels(
    fig: Figure,
    ax: Axes,
    renderer: RendererBase,
    rd: gpd.GeoDataFrame,
    points: pd.DataFrame,
    radius: dict[tuple[float, float], float],
    dots: tuple[np.ndarray, np.ndarray] | None,
) -> None:
    """Wijk names: below (else above) a cluster on the label point; no overlaps.

    Labels are placed in priority order (wijken with placements first, then
    larger ones); a label that would overlap a placed label or a dot in both
    positions is left out rather than printed over them.
    """
    halo = [path_effects.withStroke(linewidth=2.6, foreground="white")]
    label_points = rd.geometry.representative_point()
    counts = placed_per_wijk(points, rd)["households"]
    order = np.lexsort((-rd.geometry.area.to_numpy(), -counts.to_numpy()))
    dot_boxes = _dot_boxes(fig, ax, points, dots)
    placed: list[tuple[float, float, float, float]] = []

    def clashes(box: Bbox) -> bool:
        x0, y0, x1, y1 = box.x0 - 2, box.y0, box.x1 + 2, box.y1
        return any(not (x1 < a or x0 > c or y1 < b or y0 > d) for a, b, c, d in placed + dot_boxes)

    for k in order:
        code = rd.index[k]
        pt = label_points[code]
        key = (round(pt.x), round(pt.y))
        options: list[tuple[float, _VerticalAlignment]]
        if key in radius:
            options = [(-(radius[key] + 2.0), "top"), (radius[key] + 2.0, "bottom")]
        else:
            options = [(0.0, "center"), (-(8.0), "top"), (8.0, "bottom")]
        text = ax.annotate(
            label_name(rd, code),
            xy=(pt.x, pt.y),
            xytext=(0, options[0][0]),
            textcoords="offset points",
            ha="center",
            va=options[0][1],
            fontsize=7.5,
            fontweight="bold",
            color="#111111",
            path_effects=halo,
            zorder=6,
        )
        for offset, va in options:
            text.set_position((0, offset))
            text.set_verticalalignment(va)
            box = text.get_window_extent(renderer)
            if not clashes(box):
                placed.append((box.x0, box.y0, box.x1, box.y1))
                break
        else:
            text.remove()


def _dot_boxes(
    fig: Figure, ax: Axes, points: pd.DataFrame, dots: tuple[np.ndarray, np.ndarray] | None
) -> list[tuple[float, float, float, float]]:
    """The household dots as display-pixel boxes ``(x0, y0, x1, y1)``, for label clashes."""
    if dots is None or not len(points):
        return []
    diam_px = dot_diameter(points["persons"].to_numpy()) * fig.dpi / 72.0
    centres = ax.transData.transform(np.column_stack(dots))
    return [
        (cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2) for (cx, cy), d in zip(centres, diam_px)
    ]


def _scale_bar(ax: Axes, width_m: float) -> None:
    """A km scale bar in the lower-left corner of the map axes."""
    target = width_m / 5
    length = max(v for v in (500, 1000, 2000, 5000, 10000, 20000, 50000) if v <= max(target, 500))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    left = x0 + 0.03 * (x1 - x0)
    base = y0 + 0.04 * (y1 - y0)
    tick = 0.008 * (y1 - y0)
    half = length / 2
    ax.add_patch(
        Rectangle((left, base), half, tick, facecolor="#222222", edgecolor="#222222", zorder=7)
    )
    ax.add_patch(
        Rectangle((left + half, base), half, tick, facecolor="white", edgecolor="#222222", zorder=7)
    )
    km = length / 1000
    text = f"{number(km)} km"
    ax.text(left, base + 2.2 * tick, "0", fontsize=8, ha="center", va="bottom", zorder=7)
    ax.text(left + length, base + 2.2 * tick, text, fontsize=8, ha="center", va="bottom", zorder=7)


def _png_key(
    fig: Figure,
    classes: list[LqClass],
    *,
    threshold: float,
    indicator_label: str,
    gemeente_name: str,
    column: str,
    has_no_data: bool,
    points: pd.DataFrame,
    noun: str | None = None,
    note: str = "",
) -> None:
    """The key at the right: what the LQ is, a colour bar labelled in words, markers, notes.

    ``noun`` names what is coloured (``None``: a plain wijk layer) and ``note``
    says at which level the areas are shown, as on the interactive map.
    """
    left = 0.70
    top = 0.88
    if noun is None:
        heading = _("Colour of the wijk:\nlocation quotient (LQ) {when}").format(
            when=column_words(column)
        )
    else:
        heading = _("Colour of the {area}:\nlocation quotient (LQ) {when}").format(
            area=noun, when=column_words(column)
        )
    fig.text(left, top, heading, fontsize=11, fontweight="bold", va="top")
    explain = lq_explanation(indicator_label, gemeente_name, threshold, noun)
    fig.text(left, top - 0.075, _wrap(explain, 52), fontsize=8.5, va="top", color="#222222")
    y = top - 0.19
    height = _png_colour_bar(fig, classes, has_no_data=has_no_data, left=left, top=y)
    _png_marker_key(
        fig,
        threshold=threshold,
        points=points,
        left=left,
        top=y - (height + 0.03),
        noun=noun,
        note=note,
    )


def _png_colour_bar(
    fig: Figure, classes: list[LqClass], *, has_no_data: bool, left: float, top: float
) -> float:
    """One block per class, highest on top, labelled in words; returns the bar's height."""
    entries = [(c.colour, c.words, c.range_text, c.concentrated) for c in reversed(classes)]
    if has_no_data:
        entries.append((NO_DATA_COLOUR, _("no data"), "", False))
    block_h = 0.042
    bar = fig.add_axes((left, top - block_h * len(entries), 0.028, block_h * len(entries)))
    bar.set_xlim(0, 1)
    bar.set_ylim(0, len(entries))
    bar.set_axis_off()
    for k, (colour, words, bounds, is_conc) in enumerate(entries):
        row = len(entries) - 1 - k
        bar.add_patch(
            Rectangle(
                (0, row),
                1,
                1,
                facecolor=colour,
                edgecolor="#555555",
                linewidth=0.6,
                hatch="///" if is_conc else None,
            )
        )
        fig.text(left + 0.036, top - block_h * (k + 0.5), words, fontsize=9.5, va="center")
        if bounds:
            fig.text(
                left + 0.205,
                top - block_h * (k + 0.5),
                f"LQ {bounds}",
                fontsize=9,
                va="center",
                color="#333333",
            )
    return block_h * len(entries)


def _png_marker_key(
    fig: Figure,
    *,
    threshold: float,
    points: pd.DataFrame,
    left: float,
    top: float,
    noun: str | None = None,
    note: str = "",
) -> None:
    """The outline and marker symbols explained, then the placements and the level in words."""
    if noun is None:
        outline = _("concentrated wijk (LQ ≥ {t})").format(t=number_text(threshold))
    else:
        outline = _("concentrated {area} (LQ ≥ {t})").format(area=noun, t=number_text(threshold))
    handles: list[Artist] = [
        Patch(
            facecolor="#d6604d",
            edgecolor="#000000",
            linewidth=2.2,
            hatch="///",
            label=outline,
        ),
    ]
    if len(points):
        handles += [
            _marker("o", 1, DOT_COLOUR, DOT_EDGE, _placed_label(1)),
            _marker("o", 5, DOT_COLOUR, DOT_EDGE, _placed_label(5)),
            _marker(
                "D",
                2,
                CONCENTRATED_DOT,
                CONCENTRATED_DOT_EDGE,
                _("placed in a concentrated buurt/wijk"),
            ),  # fmt: skip
        ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(left - 0.006, top),
        frameon=False,
        fontsize=9,
        handlelength=2.2,
        handleheight=1.4,
        borderaxespad=0.0,
        labelspacing=0.8,
    )
    notes = note
    if len(points):
        n = len(points)
        persons = int(points["persons"].sum())
        conc = int(points["area_concentrated"].sum())
        placed = ngettext(
            "{n} household ({persons}) placed, {conc} of them in a concentrated area.",
            "{n} households ({persons}) placed, {conc} of them in a concentrated area.",
            n,
        ).format(
            n=n,
            persons=ngettext("{n} person", "{n} persons", persons).format(n=persons),
            conc=conc,
        )
        notes = " ".join(
            part
            for part in (
                placed,
                note or _("Placements are judged per buurt; the map colours wijken."),
                _(
                    "Dwellings without an exact address stand as a small group near the "
                    "middle of their wijk."
                ),
            )
            if part
        )
    if notes:
        fig.text(left, top - 0.2, _wrap(notes, 52), fontsize=8.5, va="top", color="#222222")


def _placed_label(persons: int) -> str:
    return ngettext(
        "placed household, {n} person", "placed household, {n} persons", persons
    ).format(n=persons)


def _marker(shape: str, persons: int, face: str, edge: str, label: str) -> Line2D:
    """A key entry for a household marker, drawn at the size of ``persons``."""
    size = float(dot_diameter(np.array([persons]))[0])
    return Line2D([], [], linestyle="none", marker=shape, markerfacecolor=face,
                  markeredgecolor=edge, label=label,
                  markersize=size * (0.85 if shape == "D" else 1.0),
                  markeredgewidth=1.2 if shape == "D" else 1.0)  # fmt: skip


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False))
