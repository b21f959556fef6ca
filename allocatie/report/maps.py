"""Maps for the coordinator: the interactive report page and a printable PNG.

Everything here takes plain tables, so the module never depends on the solver:

- :func:`wijk_layer` — the wijk polygons of one municipality with the location
  quotient (LQ) before and after a plan (two :class:`pandas.Series` indexed by
  wijk code, e.g. from :func:`wijk_lq`);
- :func:`placements_table` — one row per placed household, built from the plan
  and the dwellings, keeping only the columns a map may show;
- :func:`interactive_map` — a :class:`folium.Map` of the wijken coloured by LQ
  with the placements as markers;
- :func:`write_report_html` — one HTML file with title, summary, that map,
  optionally the print map, and tables;
- :func:`write_png_map` — the same map as an A4 landscape PNG for print.

Colours: one diverging scheme centred on LQ = 1 (blue = fewer residents of the
indicator group than in the municipality as a whole, white = about the same,
red = more), in classes named in words (:func:`lq_classes`) so the HTML legend
and the PNG key read the same. Areas at or above the threshold get a thick
black outline (and hatching in the PNG); placements in a concentrated area are
black diamonds, the others yellow circles, both sized by persons.

Privacy: the maps show, per placed household, only its pseudonymous
``household_id``, the ``dwelling_id``, the number of persons and the area with
its LQ. :func:`placements_table` and the map functions drop every other column
(intake notes, interests, wishes never reach a map). :func:`write_report_html`
renders its ``tables`` as given: pass only what the meeting may see.

Offline / self-contained status
-------------------------------
All data (polygons, placements, legend) is inline in the HTML. Leaflet (the
JavaScript behind folium) is inlined too when the ``XStatic-Leaflet`` package
is installed (it ships Leaflet 1.9.3's ``leaflet.js``/``leaflet.css``, byte for
byte the files folium would otherwise load from a CDN); the file then needs no
network at all. Without that package the page links Leaflet from folium's CDN:
online it works, offline the interactive map cannot start, and the page says so
and points to the print map embedded below it (``static_map``). jQuery,
Bootstrap and Font Awesome, which folium loads by default, are not used.
:func:`leaflet_inline` tells which case applies.

Background tiles are off by default (``tiles=None``): the wijken are drawn on a
plain background, named, with a scale bar. A tile layer needs internet, and
since March 2026 OpenStreetMap's tile servers have been answering pages opened
from a local file (no Referer header) with "Access blocked" tiles (folium issue
#2215), which is exactly how a coordinator opens ``report.html``.
``tiles="nlmaps.grijs"`` (Kadaster's BRT achtergrondkaart, via PDOK; untested
here, this machine has no internet) or any other folium ``tiles`` value can be
passed; it becomes a switchable layer and its attribution is shown next to
"Bron: CBS".

Printing: the page's print style hides the interactive map and prints the
embedded PNG (``static_map``) instead. A ``<noscript>`` note covers browsers
with JavaScript switched off.

There are no buurt polygons in the bundled data, so the maps show wijken.
Placements are judged per spreading area (usually the buurt), so a marker can
be a diamond (concentrated buurt) inside a wijk that is not concentrated as a
whole; the legend says so. Dwellings known only by their wijk or buurt code sit
at a point inside their wijk; households sharing such a point are drawn as a
small cluster around it, and their popups say the location is approximate.
"""

from __future__ import annotations

import base64
import copy
import html
import io
import json
import math
import os
import re
import string
import tempfile
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import folium
import geopandas as gpd
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from allocatie.areas.data import RD_NEW, WGS84, Areas
from allocatie.areas.segregation import is_concentrated, location_quotient

__all__ = [
    "PLACEMENT_COLUMNS",
    "LqClass",
    "indicator_label",
    "interactive_map",
    "leaflet_inline",
    "lq_classes",
    "placements_table",
    "short_name",
    "wijk_layer",
    "wijk_lq",
    "write_png_map",
    "write_report_html",
]

#: Columns a placements table must have (one row per placed household).
PLACEMENT_COLUMNS = (
    "household_id",
    "dwelling_id",
    "persons",
    "x",
    "y",
    "area_name",
    "area_lq",
    "area_concentrated",
)
#: Optional columns that are used when present; every other column is ignored.
OPTIONAL_PLACEMENT_COLUMNS = ("area_code", "wijk_code", "point_exact")

#: Plain-Dutch phrases for the bundled CBS indicator columns (for legends).
INDICATOR_LABELS = {
    "migration_non_western": "inwoners met een niet-westerse migratieachtergrond",
    "migration_western": "inwoners met een westerse migratieachtergrond",
    "migration_marokko": "inwoners met een Marokkaanse migratieachtergrond",
    "migration_antillen_aruba": "inwoners met een Antilliaanse of Arubaanse migratieachtergrond",
    "migration_suriname": "inwoners met een Surinaamse migratieachtergrond",
    "migration_turkije": "inwoners met een Turkse migratieachtergrond",
}

#: Fill of areas without statistics.
NO_DATA_COLOUR = "#c8c8c8"
#: Plain map background when no tile layer is used.
BACKGROUND_COLOUR = "#e9e7e2"
#: Placement marker colours: outside / inside a concentrated area.
DOT_COLOUR = "#ffd21f"
DOT_EDGE = "#1a1a1a"
CONCENTRATED_DOT = "#1a1a1a"
CONCENTRATED_DOT_EDGE = "#ffd21f"

_CDN_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_CDN_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_WIJK_PREFIX = re.compile(r"^\s*wijk\s+\d+\s*[-:]?\s*", re.IGNORECASE)


# ---------------------------------------------------------------------------
# Colour classes


@dataclass(frozen=True)
class LqClass:
    """One colour class of the LQ scale: ``lower <= LQ < upper``."""

    lower: float
    upper: float
    colour: str
    words: str

    @property
    def range_text(self) -> str:
        """The class bounds as text, e.g. ``"0.8 – 1.25"`` or ``"≥ 2"``."""
        if self.lower <= 0:
            return f"< {_num(self.upper)}"
        if math.isinf(self.upper):
            return f"≥ {_num(self.lower)}"
        return f"{_num(self.lower)} – {_num(self.upper)}"

    @property
    def label(self) -> str:
        """Words and bounds, e.g. ``"rond het gemiddelde (0.8 – 1.25)"``."""
        return f"{self.words} ({self.range_text})"


def _num(value: float) -> str:
    return f"{value:g}"


def lq_classes(threshold: float) -> list[LqClass]:
    """The LQ colour classes for a concentration ``threshold``, lowest first.

    Breaks are symmetric on a ratio scale around 1 (0.5 ↔ 2, 0.8 ↔ 1.25): an
    area with half the municipal share is as far from "average" as one with
    twice it. The threshold is always a break, so "geconcentreerd" starts
    exactly where the spreading rule says. Colours are ColorBrewer RdBu
    (colour-blind safe, readable in grey print thanks to the lightness ramp).
    """
    if not threshold > 1:
        raise ValueError(f"LQ threshold must be above 1, got {threshold}")
    strong = max(2.0, round(threshold * 4 / 3 * 4) / 4)
    breaks = [0.0] + [b for b in (0.5, 0.8, 1.25) if b < threshold] + [threshold, strong, math.inf]
    classes = []
    for lower, upper in zip(breaks[:-1], breaks[1:]):
        if upper <= 0.5:
            colour, words = "#4393c3", "veel lager dan gemiddeld"
        elif upper <= 0.8:
            colour, words = "#a6cfe5", "lager dan gemiddeld"
        elif upper <= 1.25 or lower < 1:
            colour, words = "#f7f7f7", "rond het gemiddelde"
        elif upper <= threshold:
            colour, words = "#f4a582", "hoger dan gemiddeld"
        elif upper <= strong:
            colour, words = "#d6604d", "geconcentreerd"
        else:
            colour, words = "#a50f15", "sterk geconcentreerd"
        classes.append(LqClass(lower, upper, colour, words))
    return classes


def _class_colours(lq: pd.Series, threshold: float) -> pd.Series:
    """Fill colour per value; :data:`NO_DATA_COLOUR` where LQ is missing."""
    classes = lq_classes(threshold)
    values = pd.to_numeric(lq, errors="coerce").astype(float).to_numpy()
    edges = np.array([c.upper for c in classes[:-1]])
    index = np.searchsorted(edges, values, side="right")
    colours = np.array([c.colour for c in classes], dtype=object)[
        np.minimum(index, len(classes) - 1)
    ]
    colours = np.where(np.isnan(values), NO_DATA_COLOUR, colours)
    return pd.Series(colours, index=lq.index, dtype=object)


def indicator_label(indicator: str) -> str:
    """Plain-Dutch phrase for an indicator column, for legends and titles.

    Known CBS columns get a sentence fragment ("inwoners met een niet-westerse
    migratieachtergrond"); any other column (a municipality's own indicator)
    is returned as it is.
    """
    return INDICATOR_LABELS.get(indicator, indicator)


def _label_name(wijken: pd.DataFrame, code: str) -> str:
    """The label of one wijk on a map: ``short_name`` if present, else shortened ``wijk_name``."""
    if "short_name" in wijken.columns:
        return str(wijken.at[code, "short_name"])
    return short_name(str(wijken.at[code, "wijk_name"]))


def short_name(name: str) -> str:
    """A wijk name without CBS's ``"Wijk 06 "`` prefix, for map labels."""
    shorter = _WIJK_PREFIX.sub("", str(name)).strip()
    return shorter or str(name)


# ---------------------------------------------------------------------------
# Tables


def wijk_lq(
    areas: Areas,
    gemeente: str,
    indicator: str,
    placements: pd.DataFrame | None = None,
) -> pd.Series:
    """Location quotient of ``indicator`` per wijk of ``gemeente``.

    Without ``placements`` this is the LQ before a plan. With them it is the
    projected LQ after it: every placed person is added to the wijk's
    residents *and* counted in the indicator group (the conservative
    projection of :func:`allocatie.areas.segregation.headroom_persons`), and the
    municipality's totals grow by the same amounts. Placements are assigned to
    wijken by their ``wijk_code`` column, or by locating ``x``/``y`` (RD) in
    the wijk polygons when that column is absent.

    Returns a float Series indexed by wijk code (``nan`` for wijken without
    residents), named ``"lq"``.
    """
    stats = areas.stats
    if gemeente not in stats.index:
        raise ValueError(f"unknown gemeente code {gemeente!r}")
    if indicator not in stats.columns:
        raise ValueError(f"unknown indicator {indicator!r}")
    wijken = stats[(stats["level"] == "wijk") & (stats["gemeente_code"] == gemeente)]
    residents = wijken["residents"].astype(float)
    group = wijken[indicator].astype(float)
    ref_residents = float(stats.at[gemeente, "residents"])
    ref_group = float(stats.at[gemeente, indicator])
    if placements is not None and len(placements):
        added = _persons_per_wijk(placements, areas, gemeente).reindex(wijken.index, fill_value=0)
        residents, group = residents + added, group + added
        ref_residents += float(added.sum())
        ref_group += float(added.sum())
    lq = location_quotient(group.to_numpy(), residents.to_numpy(), ref_group, ref_residents)
    return pd.Series(lq, index=wijken.index.rename("wijk_code"), name="lq")


def _persons_per_wijk(placements: pd.DataFrame, areas: Areas, gemeente: str) -> pd.Series:
    """Persons placed per wijk code, by ``wijk_code`` or by locating ``x``/``y``."""
    persons = pd.to_numeric(placements["persons"]).astype(float)
    if "wijk_code" in placements.columns:
        codes = placements["wijk_code"].astype("string")
    else:
        codes = _locate_wijk(
            placements, areas.wijken_rd[areas.wijken_rd["gemeente_code"] == gemeente]
        )
    return persons.groupby(codes.to_numpy()).sum()


def _locate_wijk(placements: pd.DataFrame, polygons_rd: gpd.GeoDataFrame) -> pd.Series:
    """Wijk code containing each placement point (RD), NA where none does."""
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(placements["x"], placements["y"]),
        index=placements.index,
        crs=RD_NEW,
    )
    joined = gpd.sjoin(points, polygons_rd[["geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    column = "index_right" if "index_right" in joined.columns else polygons_rd.index.name
    return joined[column].astype("string").reindex(placements.index)


def wijk_layer(
    areas: Areas,
    gemeente: str,
    lq_before: pd.Series,
    lq_after: pd.Series | None = None,
    *,
    threshold: float = 1.5,
) -> gpd.GeoDataFrame:
    """The wijk polygons of one municipality with their LQ before and after a plan.

    Parameters
    ----------
    areas
        From :func:`allocatie.areas.data.load_areas`.
    gemeente
        Municipality code, e.g. ``"GM0153"``.
    lq_before, lq_after
        Location quotient per wijk, indexed by wijk code (e.g. from
        :func:`wijk_lq`). Wijken missing from a Series get ``nan`` ("geen
        gegevens" on the map). ``lq_after`` may be omitted.
    threshold
        The policy's ``lq_threshold``: from this LQ on a wijk is concentrated.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``wijk_code``; columns ``wijk_name`` (CBS's Dutch name),
        ``short_name`` (without the ``"Wijk 06 "`` prefix, for labels),
        ``gemeente_code``, ``gemeente_name``, ``lq_before``, ``lq_after``
        (float, ``nan`` if not given), ``concentrated_before``,
        ``concentrated_after`` (bool; ``False`` where the LQ is unknown) and
        ``geometry`` (EPSG:4326), sorted by wijk code. ``attrs["threshold"]``
        holds ``threshold``.

    Raises
    ------
    ValueError
        If the municipality has no wijk polygons.
    """
    polygons = areas.wijken[areas.wijken["gemeente_code"] == gemeente].sort_index()
    if polygons.empty:
        raise ValueError(f"no wijk polygons for gemeente {gemeente!r}")
    index = polygons.index
    before = pd.to_numeric(lq_before.reindex(index), errors="coerce").astype(float)
    if lq_after is None:
        after = pd.Series(np.nan, index=index, dtype=float)
    else:
        after = pd.to_numeric(lq_after.reindex(index), errors="coerce").astype(float)
    layer = gpd.GeoDataFrame(
        {
            "wijk_name": polygons["wijk_name"].astype(str),
            "short_name": polygons["wijk_name"].astype(str).map(short_name),
            "gemeente_code": polygons["gemeente_code"].astype(str),
            "gemeente_name": polygons["gemeente_name"].astype(str),
            "lq_before": before,
            "lq_after": after,
            "concentrated_before": is_concentrated(before, threshold),
            "concentrated_after": is_concentrated(after, threshold),
        },
        geometry=polygons.geometry,
        crs=polygons.crs or WGS84,
        index=index.rename("wijk_code"),
    )
    layer.attrs["threshold"] = threshold
    return layer


def placements_table(plan: pd.DataFrame, dwellings: pd.DataFrame) -> pd.DataFrame:
    """The placements a map may show, from a plan and its dwellings.

    ``plan`` is the plan table (``allocatie match``'s ``plan.csv``): rows
    without a ``dwelling_id`` (households still waiting) are left out.
    ``dwellings`` must have ``dwelling_id``, ``x`` and ``y`` (RD metres) and
    may have ``point_exact``. The result has :data:`PLACEMENT_COLUMNS` plus
    ``area_code`` (from ``spreading_area``), ``wijk_code`` and ``point_exact``
    where available — nothing else from the plan, so intake notes, interests or
    wishes can never reach a map.
    """
    placed = plan[plan["dwelling_id"].notna()].copy()
    if "spreading_area" in placed.columns and "area_code" not in placed.columns:
        placed["area_code"] = placed["spreading_area"]
    keep_dw = [c for c in ("dwelling_id", "x", "y", "point_exact") if c in dwellings.columns]
    located = dwellings[keep_dw].copy()
    located["dwelling_id"] = located["dwelling_id"].astype(str)
    placed["dwelling_id"] = placed["dwelling_id"].astype(str)
    drop = [c for c in ("x", "y", "point_exact") if c in placed.columns]
    merged = placed.drop(columns=drop).merge(located, on="dwelling_id", how="left", validate="m:1")
    missing = merged.loc[merged["x"].isna() | merged["y"].isna(), "dwelling_id"].tolist()
    if missing:
        raise ValueError(f"no coordinates for dwelling(s) {', '.join(missing)}")
    return _clean_placements(merged)


def _clean_placements(placements: pd.DataFrame) -> pd.DataFrame:
    """Only the map columns, typed; raises if a required column is missing."""
    missing = [c for c in PLACEMENT_COLUMNS if c not in placements.columns]
    if missing:
        raise ValueError(
            "placements table lacks column(s) "
            + ", ".join(missing)
            + "; it needs "
            + ", ".join(PLACEMENT_COLUMNS)
        )
    columns = list(PLACEMENT_COLUMNS) + [
        c for c in OPTIONAL_PLACEMENT_COLUMNS if c in placements.columns
    ]
    out = placements[columns].copy().reset_index(drop=True)
    out["household_id"] = out["household_id"].astype(str)
    out["dwelling_id"] = out["dwelling_id"].astype(str)
    out["persons"] = pd.to_numeric(out["persons"]).astype(int)
    out["x"] = pd.to_numeric(out["x"]).astype(float)
    out["y"] = pd.to_numeric(out["y"]).astype(float)
    out["area_lq"] = pd.to_numeric(out["area_lq"], errors="coerce").astype(float)
    out["area_concentrated"] = out["area_concentrated"].astype("boolean").fillna(False).astype(bool)
    out["area_name"] = out["area_name"].astype("string").fillna("onbekend gebied").astype(str)
    if "point_exact" in out.columns:
        out["point_exact"] = out["point_exact"].astype("boolean").fillna(False).astype(bool)
    return out


# ---------------------------------------------------------------------------
# Marker layout shared by both maps


def _dot_diameter(persons: np.ndarray) -> np.ndarray:
    """Marker diameter (screen pixels / print points): area grows with persons."""
    return 4.0 + 5.0 * np.sqrt(np.maximum(np.asarray(persons, dtype=float), 1.0))


_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def _cluster_offsets(placements: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Offsets (screen units, y down) spreading households that share a point.

    Dwellings known only by their code share one point per wijk; their markers
    are laid out on a sunflower spiral around it, largest households in the
    middle. Offsets are in pixels (HTML) or points (PNG), so clusters keep their
    shape at every zoom level.
    """
    n = len(placements)
    dx, dy = np.zeros(n), np.zeros(n)
    if n == 0:
        return dx, dy
    diam = _dot_diameter(placements["persons"].to_numpy())
    key = list(zip(placements["x"].round(0), placements["y"].round(0)))
    groups: dict[tuple[float, float], list[int]] = {}
    for i, k in enumerate(key):
        groups.setdefault(k, []).append(i)
    for members in groups.values():
        if len(members) < 2:
            continue
        members = sorted(
            members,
            key=lambda i: (-placements["persons"].iat[i], placements["household_id"].iat[i]),
        )
        spacing = 0.62 * (float(diam[members].max()) + 2.0)
        for k, i in enumerate(members):
            radius = spacing * math.sqrt(k + 0.5) if k else 0.0
            angle = k * _GOLDEN_ANGLE - math.pi / 2
            dx[i], dy[i] = radius * math.cos(angle), radius * math.sin(angle)
    return dx, dy


def _cluster_radius(placements: pd.DataFrame, dx: np.ndarray, dy: np.ndarray) -> dict:
    """Radius (screen units) of each cluster, keyed by the rounded point."""
    radius: dict[tuple[float, float], float] = {}
    diam = _dot_diameter(placements["persons"].to_numpy())
    for i, k in enumerate(zip(placements["x"].round(0), placements["y"].round(0))):
        r = math.hypot(dx[i], dy[i]) + diam[i] / 2
        radius[k] = max(radius.get(k, 0.0), r)
    return radius


def _fmt_lq(value: float, digits: int = 2) -> str:
    return "onbekend" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _colour_column(wijken: gpd.GeoDataFrame, column: str | None) -> str:
    if column is not None:
        if column not in wijken.columns:
            raise ValueError(f"wijken has no column {column!r}")
        return column
    if "lq_after" in wijken.columns and wijken["lq_after"].notna().any():
        return "lq_after"
    return "lq_before"


def _column_words(column: str) -> str:
    words = {"lq_after": "na dit plan", "lq_before": "vóór dit plan", "lq": "(CBS 2022)"}
    return words.get(column, column)


# ---------------------------------------------------------------------------
# Leaflet assets


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str] | None:
    """Leaflet's JS and CSS (images inlined) from XStatic-Leaflet, if installed."""
    try:
        from xstatic.pkg import leaflet as xleaflet  # type: ignore[import-not-found]
    except ImportError:
        return None
    base = Path(xleaflet.BASE_DIR)
    try:
        js = (base / "leaflet.js").read_text(encoding="utf-8")
        css = (base / "leaflet.css").read_text(encoding="utf-8")
    except OSError:
        return None

    def data_uri(match: re.Match[str]) -> str:
        image = base / match.group(1)
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\((images/[\w.-]+\.png)\)", data_uri, css)
    # Nothing in an inline <script>/<style> may close the element early.
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)
    css = re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)
    return js, css


def leaflet_inline() -> bool:
    """True when Leaflet can be inlined (XStatic-Leaflet installed): fully offline HTML."""
    return _leaflet_assets() is not None


def _script_json(value: object) -> str:
    """JSON safe to place inside an inline ``<script>``."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


_MAP_CSS = string.Template("""
.leaflet-container.allocatie-map { background: $background;
  font: 13px/1.35 system-ui, "Segoe UI", Arial, sans-serif; }
.allocatie-legend, .allocatie-title { background: rgba(255,255,255,0.94); padding: 8px 10px;
  border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,0.35); color: #1a1a1a; }
.allocatie-title { font-size: 15px; font-weight: 600; max-width: 420px; }
.allocatie-legend { width: 310px; }
.allocatie-legend summary { font-weight: 600; cursor: pointer; }
.allocatie-legend .explain { margin: 4px 0 6px; color: #333; }
.allocatie-legend table { border-collapse: collapse; }
.allocatie-legend td { padding: 1px 4px 1px 0; vertical-align: middle; }
.allocatie-legend .swatch { display: inline-block; width: 22px; height: 14px;
  border: 1px solid #777; }
.allocatie-legend .swatch.conc { border: 3px solid #000; width: 18px; height: 10px;
  background: #d6604d; }
.allocatie-legend .legend-dot { display: inline-block; border-radius: 50%; background: $dot;
  border: 1.5px solid $dot_edge; box-sizing: border-box; vertical-align: middle; }
.allocatie-legend .legend-dia { display: inline-block; width: 11px; height: 11px; margin: 0 3px;
  transform: rotate(45deg); background: $cdot; border: 1.5px solid $cdot_edge;
  box-sizing: border-box; }
.allocatie-legend .note { margin-top: 6px; font-size: 12px; color: #444; }
.allocatie-dot div { width: 100%; height: 100%; box-sizing: border-box; border-radius: 50%;
  background: $dot; border: 1.5px solid $dot_edge; box-shadow: 0 0 0 1px rgba(255,255,255,0.7); }
.allocatie-dot.conc div { border-radius: 1px; transform: scale(0.86) rotate(45deg);
  background: $cdot; border: 2px solid $cdot_edge; }
.allocatie-label { pointer-events: none; }
.allocatie-label span { position: absolute; top: -8px; transform: translate(-50%, 0);
  white-space: nowrap; font-size: 12px; font-weight: 600; color: #1a1a1a;
  text-shadow: -1px -1px 0 #fff, 1px -1px 0 #fff, -1px 1px 0 #fff, 1px 1px 0 #fff, 0 0 3px #fff; }
.allocatie-popup th { text-align: left; padding-right: 8px; font-weight: 600; }
.allocatie-popup .approx { color: #555; font-style: italic; }
.allocatie-tooltip b { font-size: 13px; }
.allocatie-fallback { display: none; padding: 12px; background: #fff3cd;
  border: 1px solid #e0c36c; }
""").substitute(
    background=BACKGROUND_COLOUR,
    dot=DOT_COLOUR,
    dot_edge=DOT_EDGE,
    cdot=CONCENTRATED_DOT,
    cdot_edge=CONCENTRATED_DOT_EDGE,
)


class _MapExtras(MacroElement):
    """Inline assets, legend, title, scale bar and attribution for one map."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        {%- if this.leaflet_css %}<style>{{ this.leaflet_css }}</style>{% endif %}
        {%- if this.leaflet_js %}<script>{{ this.leaflet_js }}</script>{% endif %}
        <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function (map) {
            map.getContainer().classList.add("allocatie-map");
            map.attributionControl.setPrefix(false);
            map.attributionControl.addAttribution({{ this.credit }});
            L.control.scale({imperial: false, maxWidth: 160}).addTo(map);
            var title = L.control({position: "topleft"});
            title.onAdd = function () {
                var div = L.DomUtil.create("div", "allocatie-title");
                div.innerHTML = {{ this.title_html }};
                return div;
            };
            title.addTo(map);
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "allocatie-legend");
                div.innerHTML = {{ this.legend_html }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, *, credit: str, title: str, legend_html: str) -> None:
        super().__init__()
        self._name = "AllocatieExtras"
        assets = _leaflet_assets()
        self.leaflet_js, self.leaflet_css = assets if assets else (None, None)
        self.css = _MAP_CSS
        self.credit = _script_json(credit)
        self.title_html = _script_json(html.escape(title))
        self.legend_html = _script_json(legend_html)


class _Placements(MacroElement):
    """Household markers (DivIcons offset in pixels) with popups, inline data."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group) {
            var rows = {{ this.rows }};
            rows.forEach(function (p) {
                var d = p.d, h = d / 2;
                var icon = L.divIcon({
                    className: "allocatie-dot" + (p.c ? " conc" : ""),
                    html: "<div></div>",
                    iconSize: [d, d],
                    iconAnchor: [h - p.dx, h - p.dy],
                    popupAnchor: [p.dx, p.dy - h],
                    tooltipAnchor: [p.dx + h, p.dy]
                });
                L.marker([p.lat, p.lon], {icon: icon, title: p.id, alt: p.id, riseOnHover: true})
                    .bindPopup(p.popup, {maxWidth: 320})
                    .addTo(group);
            });
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[dict]) -> None:
        super().__init__()
        self._name = "AllocatiePlacements"
        self.rows = _script_json(rows)


class _Labels(MacroElement):
    """Wijk name labels that never catch the mouse, thinned so none overlap.

    Labels come in priority order (wijken with placements first, then by
    size); after every zoom a label that would overlap one already shown is
    hidden, so zooming in reveals the rest.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (group, map) {
            var markers = {{ this.rows }}.map(function (w) {
                return L.marker([w.lat, w.lon], {
                    icon: L.divIcon({className: "allocatie-label", html: w.html, iconSize: [0, 0]}),
                    interactive: false, keyboard: false
                }).addTo(group);
            });
            function overlaps(r, s) {
                return !(r.right + 2 < s.left || r.left - 2 > s.right
                         || r.bottom < s.top || r.top > s.bottom);
            }
            function thin() {
                if (!map.hasLayer(group)) { return; }
                var dots = Array.prototype.map.call(
                    map.getPane("markerPane").querySelectorAll(".allocatie-dot"),
                    function (d) { return d.getBoundingClientRect(); });
                var shown = [];
                markers.forEach(function (m) {
                    var el = m.getElement();
                    if (!el || !el.firstChild) { return; }
                    var span = el.firstChild, tops = [span.dataset.below, span.dataset.above];
                    span.style.visibility = "hidden";
                    for (var k = 0; k < tops.length; k++) {
                        span.style.top = tops[k] + "px";
                        var r = span.getBoundingClientRect();
                        if (!shown.some(function (s) { return overlaps(r, s); })
                            && !dots.some(function (s) { return overlaps(r, s); })) {
                            span.style.visibility = "visible";
                            shown.push(r);
                            return;
                        }
                    }
                });
            }
            map.on("zoomend moveend overlayadd", thin);
            group.on("add", function () { setTimeout(thin, 0); });
            map.whenReady(function () { setTimeout(thin, 0); });
        })({{ this._parent.get_name() }}, {{ this.map_name }});
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[dict], map_name: str) -> None:
        super().__init__()
        self._name = "AllocatieLabels"
        self.rows = _script_json(rows)
        self.map_name = map_name


def _legend_html(
    classes: list[LqClass],
    *,
    threshold: float,
    indicator_label: str,
    gemeente_name: str,
    column: str,
    has_no_data: bool,
    has_placements: bool,
) -> str:
    esc = html.escape
    rows = "".join(
        f'<tr><td><span class="swatch" style="background:{c.colour}"></span></td>'
        f"<td>{esc(c.words)}</td><td>{esc(c.range_text)}</td></tr>"
        for c in reversed(classes)
    )
    if has_no_data:
        rows += (
            f'<tr><td><span class="swatch" style="background:{NO_DATA_COLOUR}"></span></td>'
            "<td>geen gegevens</td><td></td></tr>"
        )
    where = f"heel {gemeente_name}" if gemeente_name else "de hele gemeente"
    parts = [
        "<details open>",
        f"<summary>Kleur van de wijk: locatiequotiënt (LQ) {esc(_column_words(column))}</summary>",
        '<div class="explain">LQ = aandeel ',
        esc(indicator_label),
        f" in de wijk ÷ aandeel in {esc(where)}. 1 = gelijk aan het gemiddelde; "
        f"≥ {esc(_num(threshold))} = geconcentreerd.</div>",
        f"<table>{rows}",
        '<tr><td><span class="swatch conc"></span></td>'
        "<td colspan=2>dikke zwarte rand: geconcentreerde wijk "
        f"(LQ ≥ {esc(_num(threshold))})</td></tr>",
    ]
    if has_placements:
        parts += [
            '<tr><td><span class="legend-dot" style="width:12px;height:12px"></span></td>'
            "<td colspan=2>geplaatst huishouden (groter = meer personen)</td></tr>",
            '<tr><td><span class="legend-dia"></span></td>'
            "<td colspan=2>geplaatst in een geconcentreerde buurt of wijk</td></tr>",
        ]
    parts.append("</table>")
    if has_placements:
        parts.append(
            '<div class="note">Plaatsingen worden per buurt beoordeeld, de kaart kleurt wijken. '
            "Woningen zonder exact adres staan als groepje bij het midden van hun wijk. "
            "Klik op een stip voor details.</div>"
        )
    parts.append("</details>")
    return "".join(parts)


def _display_geometry(wijken: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Polygons simplified to ~3 m and rounded to 6 decimals (≈0.1 m) for the web."""
    rd = wijken.geometry.to_crs(RD_NEW).simplify(3.0, preserve_topology=True)
    wgs = rd.to_crs(WGS84)
    rounded = shapely.transform(wgs.to_numpy(), lambda c: np.round(c, 6))
    return gpd.GeoSeries(rounded, index=wijken.index, crs=WGS84)


def interactive_map(
    wijken: gpd.GeoDataFrame,
    placements: pd.DataFrame,
    *,
    threshold: float,
    indicator_label: str,
    title: str,
    column: str | None = None,
    tiles: str | None = None,
    height: int = 680,
    credit: str = "Bron: CBS, CC-BY 4.0",
) -> folium.Map:
    """An interactive map of the wijken coloured by LQ, with the placements.

    Parameters
    ----------
    wijken
        From :func:`wijk_layer`.
    placements
        One row per placed household with :data:`PLACEMENT_COLUMNS` (``x``,
        ``y`` in EPSG:28992), optionally ``area_code``, ``wijk_code``,
        ``point_exact``; e.g. from :func:`placements_table`. Other columns are
        ignored. May be empty.
    threshold
        The policy's ``lq_threshold``.
    indicator_label
        What the LQ measures, in words (see :func:`indicator_label`), e.g.
        ``"inwoners met een niet-westerse migratieachtergrond"``.
    title
        Shown in the map's top-left corner.
    column
        LQ column that colours the wijken; default ``lq_after`` when it has
        values, else ``lq_before``. Tooltips always show before → after.
    tiles
        ``None`` (default): plain background, works offline. Otherwise any
        folium ``tiles`` value, e.g. ``"nlmaps.grijs"`` (Kadaster/PDOK) or
        ``"OpenStreetMap"`` (see the module docstring for why OSM tiles fail
        in a local file); it becomes a switchable background layer.
    height
        Map height in pixels; the width follows the page.
    credit
        Data attribution, shown with any tile attribution.

    Returns
    -------
    folium.Map
        Self-contained as far as :func:`leaflet_inline` allows; save it alone
        with ``map_.save(...)`` or embed it with :func:`write_report_html`.
    """
    column = _colour_column(wijken, column)
    points = _clean_placements(placements)
    classes = lq_classes(threshold)
    lq = wijken[column].astype(float)
    before = wijken["lq_before"].astype(float) if "lq_before" in wijken else lq
    after = (
        wijken["lq_after"].astype(float)
        if "lq_after" in wijken
        else pd.Series(np.nan, index=wijken.index)
    )
    fill = _class_colours(lq, threshold)
    concentrated = is_concentrated(lq, threshold)
    names = wijken["wijk_name"].astype(str)
    gemeente_name = (
        str(wijken["gemeente_name"].iloc[0]) if "gemeente_name" in wijken and len(wijken) else ""
    )

    counts = _placed_per_wijk(points, wijken)
    geometry = _display_geometry(wijken)
    features = []
    for code in wijken.index:
        tooltip = _wijk_tooltip(
            name=names[code],
            code=str(code),
            before=before[code],
            after=after[code],
            threshold=threshold,
            households=int(counts.at[code, "households"]),
            persons=int(counts.at[code, "persons"]),
        )
        features.append(
            {
                "type": "Feature",
                "id": str(code),
                "properties": {
                    "wijk_code": str(code),
                    "wijk_name": names[code],
                    "lq": None if not np.isfinite(lq[code]) else round(float(lq[code]), 3),
                    "fill": fill[code],
                    "concentrated": bool(concentrated[code]),
                    "tooltip": tooltip,
                },
                "geometry": shapely.geometry.mapping(geometry[code]),
            }
        )
    data = {"type": "FeatureCollection", "features": features}

    minx, miny, maxx, maxy = geometry.total_bounds
    fmap = folium.Map(
        location=[(miny + maxy) / 2, (minx + maxx) / 2],
        zoom_start=12,
        tiles=None,
        height=height,
        control_scale=False,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    # Instance lists: never mutate folium's shared class-level defaults.
    if leaflet_inline():
        fmap.default_js, fmap.default_css = [], []
    else:
        fmap.default_js = [("leaflet", _CDN_JS)]
        fmap.default_css = [("leaflet_css", _CDN_CSS)]
    if tiles is not None:
        folium.TileLayer(tiles, name="Achtergrondkaart (alleen met internet)", control=True).add_to(
            fmap
        )

    wijk_group = folium.FeatureGroup(name="Wijken, kleur = LQ", control=True)
    folium.GeoJson(
        data,
        name="Wijken",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.78,
            "color": "#000000" if f["properties"]["concentrated"] else "#555555",
            "weight": 3.5 if f["properties"]["concentrated"] else 1.0,
            "opacity": 1.0,
        },
        highlight_function=lambda f: {"weight": 4.5, "color": "#222222", "fillOpacity": 0.9},
        on_each_feature=JsCode(
            "function (feature, layer) {"
            " layer.bindTooltip(feature.properties.tooltip,"
            " {sticky: true, className: 'allocatie-tooltip'}); }"
        ),
        zoom_on_click=False,
    ).add_to(wijk_group)
    wijk_group.add_to(fmap)

    dx, dy = _cluster_offsets(points)
    radius = {k: r * _SCREEN_SCALE for k, r in _cluster_radius(points, dx, dy).items()}
    dx, dy = dx * _SCREEN_SCALE, dy * _SCREEN_SCALE
    label_group = folium.FeatureGroup(name="Wijknamen", control=True)
    label_rows = []
    label_points = wijken.geometry.to_crs(RD_NEW).representative_point()
    label_wgs = label_points.to_crs(WGS84)
    for code in wijken.index:
        key = (round(label_points[code].x), round(label_points[code].y))
        below = round(radius[key] + 2) if key in radius else -8
        above = -round(radius[key] + 18) if key in radius else -26
        label_rows.append(
            {
                "lat": round(label_wgs[code].y, 6),
                "lon": round(label_wgs[code].x, 6),
                "html": (
                    f'<span data-below="{below}" data-above="{above}">'
                    f"{html.escape(_label_name(wijken, code))}</span>"
                ),
            }
        )
    priority = np.lexsort(
        (-wijken.geometry.to_crs(RD_NEW).area.to_numpy(), -counts["households"].to_numpy())
    )
    label_group.add_child(_Labels([label_rows[k] for k in priority], fmap.get_name()))
    label_group.add_to(fmap)

    if len(points):
        lon, lat = _to_wgs84(points["x"].to_numpy(), points["y"].to_numpy())
        diam = _dot_diameter(points["persons"].to_numpy()) * _SCREEN_SCALE
        rows = []
        for i, p in points.iterrows():
            rows.append(
                {
                    "lat": round(float(lat[i]), 6),
                    "lon": round(float(lon[i]), 6),
                    "d": round(float(diam[i]), 1),
                    "dx": round(float(dx[i]), 1),
                    "dy": round(float(dy[i]), 1),
                    "c": bool(p["area_concentrated"]),
                    "id": p["household_id"],
                    "popup": _placement_popup(p, threshold),
                }
            )
        placement_group = folium.FeatureGroup(name="Geplaatste huishoudens", control=True)
        placement_group.add_child(_Placements(rows))
        placement_group.add_to(fmap)

    fmap.add_child(
        _MapExtras(
            credit=credit,
            title=title,
            legend_html=_legend_html(
                classes,
                threshold=threshold,
                indicator_label=indicator_label,
                gemeente_name=gemeente_name,
                column=column,
                has_no_data=bool(lq.isna().any()),
                has_placements=bool(len(points)),
            ),
        )
    )
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
    # Keep the municipality clear of the title (top left) and legend (right).
    fmap.fit_bounds(
        [[miny, minx], [maxy, maxx]],
        padding_top_left=(20, 60),
        padding_bottom_right=(_LEGEND_WIDTH + 30, 20),
    )
    return fmap


#: Screen markers are drawn this much larger than print markers (pixels vs points).
_SCREEN_SCALE = 1.35
#: Width of the legend box on the interactive map, in pixels.
_LEGEND_WIDTH = 330


def _to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=RD_NEW).to_crs(WGS84)
    return pts.x.to_numpy(), pts.y.to_numpy()


def _placed_per_wijk(points: pd.DataFrame, wijken: gpd.GeoDataFrame) -> pd.DataFrame:
    """Households and persons placed per wijk of the layer (zeros elsewhere)."""
    result = pd.DataFrame(0, index=wijken.index, columns=["households", "persons"])
    if not len(points):
        return result
    if "wijk_code" in points.columns:
        codes = points["wijk_code"].astype("string")
    else:
        codes = _locate_wijk(points, wijken[["geometry"]].to_crs(RD_NEW))
    grouped = points.groupby(codes.to_numpy())["persons"].agg(["size", "sum"])
    grouped.columns = ["households", "persons"]
    return grouped.reindex(wijken.index, fill_value=0).astype(int)


def _wijk_tooltip(
    *,
    name: str,
    code: str,
    before: float,
    after: float,
    threshold: float,
    households: int,
    persons: int,
) -> str:
    esc = html.escape
    lines = [f"<b>{esc(name)}</b> ({esc(code)})"]
    if np.isfinite(after):
        digits = 2
        if np.isfinite(before) and before != after and f"{before:.2f}" == f"{after:.2f}":
            digits = 3  # show that the plan moves the LQ, however little
        lines.append(f"LQ vóór → na dit plan: {_fmt_lq(before, digits)} → {_fmt_lq(after, digits)}")
    else:
        lines.append(f"LQ: {_fmt_lq(before)}")
    was = is_concentrated(before, threshold)
    will = is_concentrated(after, threshold)
    t = _num(threshold)
    if will and not was:
        lines.append(f"<b>wordt geconcentreerd</b> door dit plan (LQ ≥ {t})")
    elif was and np.isfinite(after) and not will:
        lines.append(f"niet meer geconcentreerd na dit plan (was LQ ≥ {t})")
    elif was:
        lines.append(f"<b>geconcentreerd</b> (LQ ≥ {t})")
    elif not np.isfinite(before):
        lines.append("geen gegevens over de inwoners")
    if households:
        word = "huishouden" if households == 1 else "huishoudens"
        pword = "persoon" if persons == 1 else "personen"
        lines.append(f"In dit plan: {households} {word}, {persons} {pword}")
    else:
        lines.append("In dit plan: geen plaatsingen")
    return "<br>".join(lines)


def _placement_popup(p: pd.Series, threshold: float) -> str:
    esc = html.escape
    area = esc(str(p["area_name"]))
    if "area_code" in p.index and isinstance(p["area_code"], str) and p["area_code"]:
        area += f" ({esc(p['area_code'])})"
    lq = _fmt_lq(p["area_lq"])
    status = (
        f"<b>geconcentreerd</b> (LQ ≥ {_num(threshold)})"
        if p["area_concentrated"]
        else f"niet geconcentreerd (LQ &lt; {_num(threshold)})"
    )
    rows = [
        ("Huishouden", esc(p["household_id"])),
        ("Woning", esc(p["dwelling_id"])),
        ("Personen", str(int(p["persons"]))),
        ("Gebied", area),
        ("LQ gebied", f"{lq}, {status}"),
    ]
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    note = ""
    if "point_exact" in p.index and not p["point_exact"]:
        note = (
            '<div class="approx">Locatie bij benadering: adres onbekend, '
            "stip bij het midden van de wijk.</div>"
        )
    return f'<div class="allocatie-popup"><table>{body}</table>{note}</div>'


# ---------------------------------------------------------------------------
# Report page


_REPORT_CSS = """
html, body { height: auto; width: auto; }
body { margin: 0 auto; max-width: 1240px; padding: 16px 24px 48px; color: #1a1a1a;
  font: 15px/1.45 system-ui, "Segoe UI", Arial, sans-serif; background: #fff; }
h1 { font-size: 24px; margin: 8px 0 12px; }
h2 { font-size: 19px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.summary { margin-bottom: 12px; }
.map-box { border: 1px solid #bbb; }
figure.print-map { margin: 16px 0; display: none; }
figure.print-map img { max-width: 100%; height: auto; border: 1px solid #ccc; }
figure.print-map figcaption { font-size: 13px; color: #555; }
table.tabel { border-collapse: collapse; font-size: 13px; margin: 6px 0 12px; }
table.tabel th, table.tabel td { border: 1px solid #ccc; padding: 3px 7px; text-align: left;
  vertical-align: top; }
table.tabel thead th { background: #f0f0f0; position: sticky; top: 0; }
table.tabel tbody tr:nth-child(even) { background: #fafafa; }
footer { margin-top: 32px; font-size: 12px; color: #666; }
@media print {
  .map-box, .allocatie-fallback { display: none !important; }
  figure.print-map { display: block; }
  body { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
}
"""

_FALLBACK_SCRIPT = """
<script>
if (typeof L === "undefined") {
  document.querySelectorAll(".allocatie-fallback, figure.print-map").forEach(function (e) {
    e.style.display = "block";
  });
  document.querySelectorAll(".map-box").forEach(function (e) { e.style.display = "none"; });
}
</script>
"""


def write_report_html(
    path: Path,
    *,
    title: str,
    summary_html: str,
    map_: folium.Map,
    tables: Mapping[str, pd.DataFrame],
    static_map: Path | bytes | None = None,
    footer: str = "Bron: CBS, CC-BY 4.0 (Kerncijfers wijken en buurten; Wijk- en Buurtkaart).",
) -> None:
    """Write one self-contained HTML report: title, summary, map, tables.

    Parameters
    ----------
    path
        Target file; written atomically (a temporary file in the same folder,
        then :func:`os.replace`), so a reader never sees half a report.
    title
        Page title and heading (escaped).
    summary_html
        Trusted HTML fragment placed under the title, as is (build it with
        escaped values).
    map_
        From :func:`interactive_map`; its scripts and data are inlined.
    tables
        Heading → table; rendered with :meth:`pandas.DataFrame.to_html`
        (escaped, no index unless it is named), in the given order.
    static_map
        Optional PNG (path or bytes, e.g. from :func:`write_png_map`)
        embedded as an image under the interactive map: it is what the page
        shows when printed, and what a reader sees if the interactive map
        cannot load.
    footer
        Source line at the bottom of the page (escaped).
    """
    path = Path(path)
    # Render a copy: folium appends to a figure on every render, and the
    # caller's map should stay as it was (e.g. to save it alone as well).
    figure = copy.deepcopy(map_.get_root())
    figure.render()
    head = figure.header.render()
    body = figure.html.render()
    script = figure.script.render()

    parts = [
        "<!DOCTYPE html>",
        '<html lang="nl">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        head,
        f"<style>{_REPORT_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(title)}</h1>",
        f'<section class="summary">{summary_html}</section>',
        '<section class="map-section">',
        "<h2>Kaart</h2>",
        '<div class="allocatie-fallback">De interactieve kaart kan niet worden geladen: deze '
        "computer heeft geen verbinding met internet en de kaartsoftware (Leaflet) zit niet in "
        "dit bestand. "
        + ("De afdrukkaart hieronder toont dezelfde gegevens." if static_map is not None else "")
        + " De tabellen verderop bevatten alle cijfers.</div>",
        '<noscript><div class="allocatie-fallback" style="display:block">JavaScript staat uit: '
        "de interactieve kaart werkt niet; de tabellen bevatten alle cijfers.</div></noscript>",
        f'<div class="map-box">{body}</div>',
    ]
    if static_map is not None:
        png = static_map if isinstance(static_map, bytes) else Path(static_map).read_bytes()
        encoded = base64.b64encode(png).decode("ascii")
        parts.append(
            '<figure class="print-map">'
            f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(title)} (afdrukkaart)">'
            "<figcaption>Afdrukkaart (dezelfde gegevens, voor print).</figcaption></figure>"
        )
    parts.append("</section>")
    for heading, table in tables.items():
        show_index = table.index.name is not None or any(
            n is not None for n in table.index.names[1:]
        )
        parts.append(f"<h2>{html.escape(str(heading))}</h2>")
        parts.append(
            _readable(table).to_html(
                escape=True,
                index=show_index,
                na_rep="–",
                border=0,
                classes="tabel",
                float_format=_fmt_number,
            )
        )
    parts += [
        f"<footer>{html.escape(footer)}</footer>",
        _FALLBACK_SCRIPT,
        f'<script>\nif (typeof L !== "undefined") {{\n{script}\n}}\n</script>',
        "</body>",
        "</html>",
    ]
    _atomic_write(path, "\n".join(parts).encode("utf-8"))


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """Booleans as ja/nee (missing stays missing), for readers who are not programmers."""
    flags = [
        c
        for c in table.columns
        if pd.api.types.is_bool_dtype(table[c]) or table[c].dtype == "boolean"
    ]
    if not flags:
        return table
    out = table.copy()
    for c in flags:
        out[c] = table[c].astype("boolean").map({True: "ja", False: "nee"}, na_action="ignore")
    return out


def _fmt_number(value: float) -> str:
    if not np.isfinite(value):
        return "–"
    if abs(value) >= 100:
        return f"{value:,.2f}".replace(",", " ")
    return f"{value:.3g}"


def _atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# ---------------------------------------------------------------------------
# PNG map for print

#: A4 landscape in inches.
A4_LANDSCAPE = (297 / 25.4, 210 / 25.4)
_MAP_BOX = (0.015, 0.075, 0.655, 0.83)  # left, bottom, width, height (figure fraction)


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
        From :func:`wijk_layer`.
    placements
        As for :func:`interactive_map`; may be empty.
    column
        LQ column to colour by, ``"lq_before"`` or ``"lq_after"``.
    threshold
        The policy's ``lq_threshold``.
    title
        Printed above the map.
    indicator_label
        What the LQ measures, in words (see :func:`indicator_label`).
    credit
        Source line printed at the bottom.
    dpi
        Resolution; the size stays A4 landscape.
    """
    path = Path(path)
    if column not in wijken.columns:
        raise ValueError(f"wijken has no column {column!r}")
    points = _clean_placements(placements)
    classes = lq_classes(threshold)
    rd = wijken.to_crs(RD_NEW)
    lq = rd[column].astype(float)
    fill = _class_colours(lq, threshold)
    concentrated = is_concentrated(lq, threshold).to_numpy()

    # Whole pixels: A4 at 150 dpi is the usual 1754 × 1240.
    size_in = (round(A4_LANDSCAPE[0] * dpi) / dpi, round(A4_LANDSCAPE[1] * dpi) / dpi)
    fig = Figure(figsize=size_in, dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes(_MAP_BOX)
    ax.set_axis_off()
    ax.set_facecolor("white")

    # Extent matching the axes' physical aspect, so 1 pt is a known distance.
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
    metres_per_pt = width / (box_w_in * 72.0)

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

    # Placements, clusters laid out in points around their shared location.
    dx, dy = _cluster_offsets(points)
    radius = _cluster_radius(points, dx, dy)
    if len(points):
        px = points["x"].to_numpy() + dx * metres_per_pt
        py = points["y"].to_numpy() - dy * metres_per_pt
        size = _dot_diameter(points["persons"].to_numpy()) ** 2
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

    _png_labels(
        fig, ax, rd, points, radius, px if len(points) else None, py if len(points) else None
    )

    _scale_bar(ax, width)

    # Title, key and credit.
    fig.text(0.015, 0.965, _wrap(title, 95), fontsize=15, fontweight="bold", va="top", ha="left")
    gemeente_name = str(rd["gemeente_name"].iloc[0]) if "gemeente_name" in rd and len(rd) else ""
    _png_key(
        fig,
        classes,
        threshold=threshold,
        indicator_label=indicator_label,
        gemeente_name=gemeente_name,
        column=column,
        has_no_data=bool(lq.isna().any()),
        points=points,
    )
    fig.text(
        0.015,
        0.025,
        f"{credit}. Indicator: {indicator_label}. Drempel: LQ ≥ {_num(threshold)}.",
        fontsize=8,
        color="#444444",
        va="bottom",
        ha="left",
    )

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    _atomic_write(path, buffer.getvalue())


def _png_labels(
    fig: Figure,
    ax,
    rd: gpd.GeoDataFrame,
    points: pd.DataFrame,
    radius: dict,
    px: np.ndarray | None,
    py: np.ndarray | None,
) -> None:
    """Wijk names: below (else above) a cluster on the label point; no overlaps.

    Labels are placed in priority order (wijken with placements first, then
    larger ones); a label that would overlap a placed label or a dot in both
    positions is left out rather than printed over them.
    """
    halo = [path_effects.withStroke(linewidth=2.6, foreground="white")]
    label_points = rd.geometry.representative_point()
    counts = _placed_per_wijk(points, rd)["households"]
    order = np.lexsort((-rd.geometry.area.to_numpy(), -counts.to_numpy()))
    renderer = fig.canvas.get_renderer()
    dots = []
    if px is not None and len(points):
        diam_px = _dot_diameter(points["persons"].to_numpy()) * fig.dpi / 72.0
        centres = ax.transData.transform(np.column_stack([px, py]))
        dots = [
            (cx - d / 2, cy - d / 2, cx + d / 2, cy + d / 2)
            for (cx, cy), d in zip(centres, diam_px)
        ]
    placed: list[tuple[float, float, float, float]] = []

    def clashes(box) -> bool:
        x0, y0, x1, y1 = box.x0 - 2, box.y0, box.x1 + 2, box.y1
        return any(not (x1 < a or x0 > c or y1 < b or y0 > d) for a, b, c, d in placed + dots)

    for k in order:
        code = rd.index[k]
        pt = label_points[code]
        key = (round(pt.x), round(pt.y))
        if key in radius:
            options = [(-(radius[key] + 2.0), "top"), (radius[key] + 2.0, "bottom")]
        else:
            options = [(0.0, "center"), (-(8.0), "top"), (8.0, "bottom")]
        text = ax.annotate(
            _label_name(rd, code),
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
            text.set_va(va)
            box = text.get_window_extent(renderer)
            if not clashes(box):
                placed.append((box.x0, box.y0, box.x1, box.y1))
                break
        else:
            text.remove()


def _scale_bar(ax, width_m: float) -> None:
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
    text = f"{km:g} km"
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
) -> None:
    """The key at the right: a colour bar labelled in words, markers, notes."""
    left = 0.70
    top = 0.88
    fig.text(
        left,
        top,
        f"Kleur van de wijk:\nlocatiequotiënt (LQ) {_column_words(column)}",
        fontsize=11,
        fontweight="bold",
        va="top",
    )
    where = f"heel {gemeente_name}" if gemeente_name else "de hele gemeente"
    explain = (
        f"LQ = aandeel {indicator_label} in de wijk ÷ aandeel in {where}. "
        f"1 = gelijk aan het gemiddelde; ≥ {_num(threshold)} = geconcentreerd."
    )
    fig.text(left, top - 0.075, _wrap(explain, 52), fontsize=8.5, va="top", color="#222222")

    # Colour bar: one block per class, highest on top, labelled in words.
    entries = [(c.colour, c.words, c.range_text) for c in reversed(classes)]
    if has_no_data:
        entries.append((NO_DATA_COLOUR, "geen gegevens", ""))
    block_h = 0.042
    y = top - 0.19
    bar = fig.add_axes((left, y - block_h * len(entries), 0.028, block_h * len(entries)))
    bar.set_xlim(0, 1)
    bar.set_ylim(0, len(entries))
    bar.set_axis_off()
    for k, (colour, words, bounds) in enumerate(entries):
        row = len(entries) - 1 - k
        is_conc = words in ("geconcentreerd", "sterk geconcentreerd")
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
        fig.text(left + 0.036, y - block_h * (k + 0.5), words, fontsize=9.5, va="center")
        if bounds:
            fig.text(
                left + 0.205,
                y - block_h * (k + 0.5),
                f"LQ {bounds}",
                fontsize=9,
                va="center",
                color="#333333",
            )
    y -= block_h * len(entries) + 0.03

    handles = [
        Patch(
            facecolor="#d6604d",
            edgecolor="#000000",
            linewidth=2.2,
            hatch="///",
            label=f"geconcentreerde wijk (LQ ≥ {_num(threshold)})",
        ),
    ]
    if len(points):

        def marker(shape: str, persons: int, face: str, edge: str, label: str) -> Line2D:
            size = float(_dot_diameter(np.array([persons]))[0])
            return Line2D([], [], linestyle="none", marker=shape, markerfacecolor=face,
                          markeredgecolor=edge, label=label,
                          markersize=size * (0.85 if shape == "D" else 1.0),
                          markeredgewidth=1.2 if shape == "D" else 1.0)  # fmt: skip

        handles += [
            marker("o", 1, DOT_COLOUR, DOT_EDGE, "geplaatst huishouden, 1 persoon"),
            marker("o", 5, DOT_COLOUR, DOT_EDGE, "geplaatst huishouden, 5 personen"),
            marker(
                "D",
                2,
                CONCENTRATED_DOT,
                CONCENTRATED_DOT_EDGE,
                "geplaatst in geconcentreerde buurt/wijk",
            ),  # fmt: skip
        ]
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(left - 0.006, y),
        frameon=False,
        fontsize=9,
        handlelength=2.2,
        handleheight=1.4,
        borderaxespad=0.0,
        labelspacing=0.8,
    )
    if len(points):
        n = len(points)
        persons = int(points["persons"].sum())
        conc = int(points["area_concentrated"].sum())
        notes = (
            f"{n} huishoudens ({persons} personen) geplaatst, "
            f"waarvan {conc} in een geconcentreerd gebied. "
            "Plaatsingen worden per buurt beoordeeld; de kaart kleurt wijken. "
            "Woningen zonder exact adres staan als groepje bij het midden van hun wijk."
        )
        fig.text(left, y - 0.2, _wrap(notes, 52), fontsize=8.5, va="top", color="#222222")


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False))
