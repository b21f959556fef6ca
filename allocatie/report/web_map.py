"""The interactive map of ``report.html``: wijken coloured by LQ, placements as markers.

:func:`interactive_map` turns a :func:`~allocatie.report.maps.wijk_layer` and a
:func:`~allocatie.report.maps.placements_table` into a :class:`folium.Map`,
built in small steps (the wijk polygons, their name labels, the household
markers, the legend and credits), each a function that returns what it made.
Colours, legend words and marker layout come from :mod:`allocatie.report.maps`,
so this map and the print map read the same.

Offline / self-contained status
-------------------------------
All data (polygons, placements, legend) is inline in the HTML. Leaflet (the
JavaScript behind folium) is inlined too when the ``XStatic-Leaflet`` package
is installed (it ships Leaflet 1.9.3's ``leaflet.js``/``leaflet.css``, byte for
byte the files folium would otherwise load from a CDN); the file then needs no
network at all. Without that package the page links Leaflet from folium's CDN:
online it works, offline the interactive map cannot start, and the page says so
and points to the print map embedded below it (see
:func:`allocatie.report.html_report.write_report_html`). jQuery, Bootstrap and
Font Awesome, which folium loads by default, are not used.
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
"""

from __future__ import annotations

import base64
import html
import json
import re
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from allocatie.areas.data import RD_NEW, WGS84
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

__all__ = ["interactive_map", "leaflet_inline"]

#: Plain map background when no tile layer is used.
BACKGROUND_COLOUR = "#e9e7e2"
#: Screen markers are drawn this much larger than print markers (pixels vs points).
_SCREEN_SCALE = 1.35
#: At most this many household markers are drawn: every marker is a DOM element,
#: and beyond a few thousand the page stutters on zoom (a national plan has
#: 200,000). The area tooltips still count every placement.
MAX_MARKERS = 1500
#: Width of the legend box on the interactive map, in pixels.
_LEGEND_WIDTH = 330

_CDN_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_CDN_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"

# ---------------------------------------------------------------------------
# Leaflet assets


@lru_cache(maxsize=1)
def _leaflet_assets() -> tuple[str, str] | None:
    """Leaflet's JS and CSS (images inlined) from XStatic-Leaflet, if installed."""
    try:
        from xstatic.pkg import leaflet as xleaflet
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
        self.leaflet_js: str | None = assets[0] if assets else None
        self.leaflet_css: str | None = assets[1] if assets else None
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


# ---------------------------------------------------------------------------
# The map, step by step


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
    max_markers: int = MAX_MARKERS,
) -> folium.Map:
    """An interactive map of the wijken coloured by LQ, with the placements.

    Parameters
    ----------
    wijken
        From :func:`~allocatie.report.maps.wijk_layer`.
    placements
        One row per placed household with
        :data:`~allocatie.report.maps.PLACEMENT_COLUMNS` (``x``, ``y`` in
        EPSG:28992), optionally ``area_code``, ``wijk_code``, ``point_exact``;
        e.g. from :func:`~allocatie.report.maps.placements_table`. Other
        columns are ignored. May be empty.
    threshold
        The policy's ``lq_threshold``.
    indicator_label
        What the LQ measures, in words (see
        :func:`~allocatie.report.maps.indicator_label`), e.g.
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
    max_markers
        At most this many household markers (those in concentrated areas
        first, then the largest households); the legend says how many are
        shown of how many, and the area tooltips count them all.

    Returns
    -------
    folium.Map
        Self-contained as far as :func:`leaflet_inline` allows; save it alone
        with ``map_.save(...)`` or embed it with
        :func:`~allocatie.report.html_report.write_report_html`.
    """
    column = _colour_column(wijken, column)
    points = clean_placements(placements)
    classes = lq_classes(threshold)
    counts = placed_per_wijk(points, wijken)
    total = len(points)
    points = _capped(points, max_markers)
    geometry = _display_geometry(wijken)
    dx, dy, radius = _screen_offsets(points)

    fmap = _base_map(geometry, height=height, tiles=tiles)
    features = _wijk_features(wijken, column, geometry, counts, threshold)
    _wijk_group(features).add_to(fmap)
    _label_group(_label_rows(wijken, counts, radius), fmap.get_name()).add_to(fmap)
    if len(points):
        _placement_group(_placement_rows(points, dx, dy, threshold)).add_to(fmap)
    legend = _legend_html(
        classes,
        threshold=threshold,
        indicator_label=indicator_label,
        gemeente_name=gemeente_name_of(wijken),
        column=column,
        has_no_data=bool(wijken[column].astype(float).isna().any()),
        has_placements=bool(len(points)),
        noun=area_noun(wijken) if "area_level" in wijken.columns else None,
        note=level_note(wijken),
        capped=(len(points), total) if len(points) < total else None,
    )
    fmap.add_child(_MapExtras(credit=map_credit(wijken, credit), title=title, legend_html=legend))
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
    # Keep the municipality clear of the title (top left) and legend (right).
    minx, miny, maxx, maxy = geometry.total_bounds
    fmap.fit_bounds(
        [[miny, minx], [maxy, maxx]],
        padding_top_left=(20, 60),
        padding_bottom_right=(_LEGEND_WIDTH + 30, 20),
    )
    return fmap


def _capped(points: pd.DataFrame, limit: int) -> pd.DataFrame:
    """At most ``limit`` placements: concentrated areas first, then larger households.

    Placements in concentrated areas are the ones a council asks about, so
    they are never the ones left off.
    """
    if len(points) <= limit:
        return points
    order = points.sort_values(
        ["area_concentrated", "persons", "household_id"],
        ascending=[False, False, True],
        kind="stable",
    )
    return order.head(max(limit, 0)).sort_index().reset_index(drop=True)


def _colour_column(wijken: gpd.GeoDataFrame, column: str | None) -> str:
    if column is not None:
        if column not in wijken.columns:
            raise ValueError(f"wijken has no column {column!r}")
        return column
    if "lq_after" in wijken.columns and wijken["lq_after"].notna().any():
        return "lq_after"
    return "lq_before"


def _display_geometry(wijken: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Polygons simplified to ~3 m and rounded to 6 decimals (≈0.1 m) for the web."""
    rd = wijken.geometry.to_crs(RD_NEW).simplify(3.0, preserve_topology=True)
    wgs = rd.to_crs(WGS84)
    rounded = shapely.transform(wgs.to_numpy(), lambda c: np.round(c, 6))
    return gpd.GeoSeries(rounded, index=wijken.index, crs=WGS84)


def _screen_offsets(
    points: pd.DataFrame,
) -> tuple[np.ndarray, np.ndarray, dict[tuple[float, float], float]]:
    """Cluster offsets and radii in screen pixels (markers are larger on screen than in print)."""
    dx, dy = cluster_offsets(points)
    radius = {k: r * _SCREEN_SCALE for k, r in cluster_radius(points, dx, dy).items()}
    return dx * _SCREEN_SCALE, dy * _SCREEN_SCALE, radius


def _base_map(geometry: gpd.GeoSeries, *, height: int, tiles: str | None) -> folium.Map:
    """An empty map centred on the wijken, Leaflet inline or from the CDN, optional tiles."""
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
        folium.TileLayer(tiles, name=_("Background map (needs internet)"), control=True).add_to(
            fmap
        )
    return fmap


def _wijk_features(
    wijken: gpd.GeoDataFrame,
    column: str,
    geometry: gpd.GeoSeries,
    counts: pd.DataFrame,
    threshold: float,
) -> dict[str, Any]:
    """The wijken as a GeoJSON FeatureCollection: fill, outline flag and tooltip per wijk."""
    lq = wijken[column].astype(float)
    before = wijken["lq_before"].astype(float) if "lq_before" in wijken else lq
    after = (
        wijken["lq_after"].astype(float)
        if "lq_after" in wijken
        else pd.Series(np.nan, index=wijken.index)
    )
    fill = class_colours(lq, threshold)
    concentrated = is_concentrated(lq, threshold)
    names = wijken["wijk_name"].astype(str)
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
    return {"type": "FeatureCollection", "features": features}


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
        lines.append(
            _("LQ before → after this plan: {before} → {after}").format(
                before=_fmt_lq(before, digits), after=_fmt_lq(after, digits)
            )
        )
    else:
        lines.append(_("LQ: {lq}").format(lq=_fmt_lq(before)))
    was = is_concentrated(before, threshold)
    will = is_concentrated(after, threshold)
    t = number_text(threshold)
    # the messages hold their own <b> markup; the values are numbers
    if will and not was:
        lines.append(_("<b>becomes concentrated</b> by this plan (LQ ≥ {t})").format(t=t))
    elif was and np.isfinite(after) and not will:
        lines.append(_("no longer concentrated after this plan (was LQ ≥ {t})").format(t=t))
    elif was:
        lines.append(_("<b>concentrated</b> (LQ ≥ {t})").format(t=t))
    elif not np.isfinite(before):
        lines.append(_("no data on the residents"))
    if households:
        placed = ngettext("{n} household", "{n} households", households).format(n=households)
        people = ngettext("{n} person", "{n} persons", persons).format(n=persons)
        lines.append(_("In this plan: {households}, {persons}").format(
            households=placed, persons=people
        ))  # fmt: skip
    else:
        lines.append(_("In this plan: no placements"))
    return "<br>".join(lines)


def _wijk_group(features: dict[str, Any]) -> folium.FeatureGroup:
    """The switchable layer of wijk polygons: class fill, thick black outline if concentrated."""
    group = folium.FeatureGroup(name=_("Wijken, colour = LQ"), control=True)
    folium.GeoJson(
        features,
        name=_("Wijken"),
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
    ).add_to(group)
    return group


def _label_rows(
    wijken: gpd.GeoDataFrame,
    counts: pd.DataFrame,
    radius: dict[tuple[float, float], float],
) -> list[dict[str, Any]]:
    """One name label per wijk, in priority order: with placements first, then larger.

    Each label sits on the wijk's representative point, below a cluster of
    markers there (or above it when that overlaps; :class:`_Labels` decides).
    """
    rows = []
    label_points = wijken.geometry.to_crs(RD_NEW).representative_point()
    label_wgs = label_points.to_crs(WGS84)
    for code in wijken.index:
        key = (round(label_points[code].x), round(label_points[code].y))
        below = round(radius[key] + 2) if key in radius else -8
        above = -round(radius[key] + 18) if key in radius else -26
        rows.append(
            {
                "lat": round(label_wgs[code].y, 6),
                "lon": round(label_wgs[code].x, 6),
                "html": (
                    f'<span data-below="{below}" data-above="{above}">'
                    f"{html.escape(label_name(wijken, code))}</span>"
                ),
            }
        )
    priority = np.lexsort(
        (-wijken.geometry.to_crs(RD_NEW).area.to_numpy(), -counts["households"].to_numpy())
    )
    return [rows[k] for k in priority]


def _label_group(rows: list[dict[str, Any]], map_name: str) -> folium.FeatureGroup:
    """The switchable layer of wijk names."""
    group = folium.FeatureGroup(name=_("Wijk names"), control=True)
    group.add_child(_Labels(rows, map_name))
    return group


def _placement_rows(
    points: pd.DataFrame, dx: np.ndarray, dy: np.ndarray, threshold: float
) -> list[dict[str, Any]]:
    """One marker per placed household: position, size, offset, shape and popup."""
    lon, lat = _to_wgs84(points["x"].to_numpy(), points["y"].to_numpy())
    diam = dot_diameter(points["persons"].to_numpy()) * _SCREEN_SCALE
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
    return rows


def _placement_popup(p: pd.Series, threshold: float) -> str:
    esc = html.escape
    area = esc(str(p["area_name"]))
    if "area_code" in p.index and isinstance(p["area_code"], str) and p["area_code"]:
        area += f" ({esc(p['area_code'])})"
    lq = _fmt_lq(p["area_lq"])
    t = number_text(threshold)
    if p["area_concentrated"]:
        status = _("<b>concentrated</b> (LQ ≥ {t})").format(t=t)
    else:
        status = esc(_("not concentrated (LQ < {t})").format(t=t))
    rows = [
        (_("Household"), esc(p["household_id"])),
        (_("Dwelling"), esc(p["dwelling_id"])),
        (_("Persons"), str(int(p["persons"]))),
        (_("Area"), area),
        (_("LQ of the area"), f"{lq}, {status}"),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    note = ""
    if "point_exact" in p.index and not p["point_exact"]:
        approx = _("Approximate location: address unknown, dot near the middle of the wijk.")
        note = f'<div class="approx">{esc(approx)}</div>'
    return f'<div class="allocatie-popup"><table>{body}</table>{note}</div>'


def _placement_group(rows: list[dict[str, Any]]) -> folium.FeatureGroup:
    """The switchable layer of household markers."""
    group = folium.FeatureGroup(name=_("Placed households"), control=True)
    group.add_child(_Placements(rows))
    return group


def _legend_html(
    classes: list[LqClass],
    *,
    threshold: float,
    indicator_label: str,
    gemeente_name: str,
    column: str,
    has_no_data: bool,
    has_placements: bool,
    noun: str | None = None,
    note: str | None = None,
    capped: tuple[int, int] | None = None,
) -> str:
    """The legend box: colour classes in words, the outline, the markers, a note.

    ``noun`` names what is coloured (:func:`~allocatie.report.maps.area_noun`;
    ``None`` for a plain wijk layer) and ``note`` says at which level the map
    shows the areas (:func:`~allocatie.report.maps.level_note`); ``capped``
    is (markers shown, households placed) when not every marker is drawn.
    """
    esc = html.escape
    rows = "".join(
        f'<tr><td><span class="swatch" style="background:{c.colour}"></span></td>'
        f"<td>{esc(c.words)}</td><td>{esc(c.range_text)}</td></tr>"
        for c in reversed(classes)
    )
    if has_no_data:
        rows += (
            f'<tr><td><span class="swatch" style="background:{NO_DATA_COLOUR}"></span></td>'
            "<td>" + esc(_("no data")) + "</td><td></td></tr>"
        )
    explanation = lq_explanation(indicator_label, gemeente_name, threshold, noun)
    if noun is None:
        summary = _("Colour of the wijk: location quotient (LQ) {when}").format(
            when=column_words(column)
        )
        outline = _("thick black outline: concentrated wijk (LQ ≥ {t})").format(
            t=number_text(threshold)
        )
    else:
        summary = _("Colour of the {area}: location quotient (LQ) {when}").format(
            area=noun, when=column_words(column)
        )
        outline = _("thick black outline: concentrated {area} (LQ ≥ {t})").format(
            area=noun, t=number_text(threshold)
        )
    parts = [
        "<details open>",
        f"<summary>{esc(summary)}</summary>",
        f'<div class="explain">{esc(explanation)}</div>',
        f"<table>{rows}",
        f'<tr><td><span class="swatch conc"></span></td><td colspan=2>{esc(outline)}</td></tr>',
    ]
    if has_placements:
        dot = _("placed household (larger = more persons)")
        diamond = _("placed in a concentrated buurt or wijk")
        parts += [
            '<tr><td><span class="legend-dot" style="width:12px;height:12px"></span></td>'
            f"<td colspan=2>{esc(dot)}</td></tr>",
            f'<tr><td><span class="legend-dia"></span></td><td colspan=2>{esc(diamond)}</td></tr>',
        ]
    parts.append("</table>")
    notes = [note or level_note(pd.DataFrame())]
    if has_placements:
        notes.append(
            _(
                "Dwellings without an exact address stand as a small group near the middle of "
                "their wijk. Click a dot for details."
            )
        )
    if capped is not None:
        notes.append(
            _(
                "The map shows {shown} of the {total} placed households as dots (those in "
                "concentrated areas first); the colours and tooltips count all of them, and "
                "plan.xlsx lists every one."
            ).format(shown=number(capped[0]), total=number(capped[1]))
        )
    parts.append(f'<div class="note">{esc(" ".join(notes))}</div>')
    parts.append("</details>")
    return "".join(parts)


def _to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=RD_NEW).to_crs(WGS84)
    return pts.x.to_numpy(), pts.y.to_numpy()


def _fmt_lq(value: float, digits: int = 2) -> str:
    return _("unknown") if value is None or not np.isfinite(value) else number(value, digits)
