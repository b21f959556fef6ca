"""What both maps of a plan show, and how: layers, colours, legend terms, markers.

A plan is drawn twice, from the same tables and in the same colours:
:mod:`allocatie.report.web_map` makes the interactive map of ``report.html``
(:func:`~allocatie.report.web_map.interactive_map`, folium/Leaflet), and
:mod:`allocatie.report.static_map` the printable A4 PNG
(:func:`~allocatie.report.static_map.write_png_map`, matplotlib). This module
holds what they share, so the two can never disagree:

- :func:`wijk_layer` — the wijk polygons of one municipality with the location
  quotient (LQ) before and after a plan (two :class:`pandas.Series` indexed by
  wijk code, e.g. from :func:`wijk_lq`);
- :func:`placements_table` — one row per placed household, built from the plan
  and the dwellings, keeping only the columns a map may show;
- the colour classes (:func:`lq_classes`) and the words of the legends;
- the marker sizes and the layout of households that share a point.

Colours: one diverging scheme centred on LQ = 1 (blue = fewer residents of the
indicator group than in the municipality as a whole, white = about the same,
red = more), in classes named in words (:func:`lq_classes`) so the HTML legend
and the PNG key read the same. Areas at or above the threshold
(:func:`allocatie.areas.segregation.is_concentrated`) get a thick black outline
(and hatching in the PNG); placements in a concentrated area are black
diamonds, the others yellow circles, both sized by persons.

Privacy: the maps show, per placed household, only its pseudonymous
``household_id``, the ``dwelling_id``, the number of persons and the area with
its LQ. :func:`placements_table` and the map functions drop every other column
(intake notes, interests, wishes never reach a map).

Levels: placements are judged per spreading area — the buurt when it has at
least ``min_residents`` residents, else its wijk
(:func:`allocatie.areas.concentration.judged_at_buurt`). :func:`area_layer`
draws each area at that level: a buurt polygon (CBS borders of 2019, the only
buurt geometry bundled) where the buurt is judged on its own and has one, and
otherwise its wijk (the part of the wijk not covered by such buurten). The
legends say which levels are shown and that buurt borders are of 2019
(:func:`level_note`). :func:`wijk_layer` (wijken only) is kept for the
``areas`` command and the web app; there a diamond (concentrated buurt) can
sit inside a wijk that is not concentrated as a whole, and the note says so.
Dwellings known only by their wijk or buurt code sit at a point inside their
wijk; households sharing such a point are drawn as a small cluster around it,
and their popups say the location is approximate.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from allocatie.areas.concentration import judged_at_buurt
from allocatie.areas.data import BUURT_BORDER_YEAR, RD_NEW, WGS84, Areas
from allocatie.areas.segregation import is_concentrated, location_quotient
from allocatie.i18n import _, number
from allocatie.inputs.policy import Spreading
from allocatie.report.columns import indicator_label

__all__ = [
    "CONCENTRATED_DOT",
    "CONCENTRATED_DOT_EDGE",
    "DOT_COLOUR",
    "DOT_EDGE",
    "NO_DATA_COLOUR",
    "OPTIONAL_PLACEMENT_COLUMNS",
    "PLACEMENT_COLUMNS",
    "LqClass",
    "area_layer",
    "area_noun",
    "atomic_write",
    "class_colours",
    "clean_placements",
    "cluster_offsets",
    "cluster_radius",
    "column_words",
    "dot_diameter",
    "gemeente_name_of",
    "indicator_label",
    "label_name",
    "level_note",
    "map_credit",
    "lq_classes",
    "lq_explanation",
    "number_text",
    "placed_per_wijk",
    "placements_table",
    "short_name",
    "wijk_layer",
    "wijk_lq",
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

#: Fill of areas without statistics.
NO_DATA_COLOUR = "#c8c8c8"
#: Placement marker colours: outside / inside a concentrated area.
DOT_COLOUR = "#ffd21f"
DOT_EDGE = "#1a1a1a"
CONCENTRATED_DOT = "#1a1a1a"
CONCENTRATED_DOT_EDGE = "#ffd21f"

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
    #: At or above the threshold: hatched in the PNG key.
    concentrated: bool = False

    @property
    def range_text(self) -> str:
        """The class bounds as text, e.g. ``"0,8 – 1,25"`` or ``"≥ 2"`` (reader's decimals)."""
        if self.lower <= 0:
            return f"< {number_text(self.upper)}"
        if math.isinf(self.upper):
            return f"≥ {number_text(self.lower)}"
        return f"{number_text(self.lower)} – {number_text(self.upper)}"

    @property
    def label(self) -> str:
        """Words and bounds, e.g. ``"rond het gemiddelde (0,8 – 1,25)"``."""
        return f"{self.words} ({self.range_text})"


def lq_classes(threshold: float) -> list[LqClass]:
    """The LQ colour classes for a concentration ``threshold``, lowest first.

    Breaks are symmetric on a ratio scale around 1 (0.5 ↔ 2, 0.8 ↔ 1.25): an
    area with half the municipal share is as far from "average" as one with
    twice it. The threshold is always a break, so "concentrated" starts
    exactly where the spreading rule says. The words are in the current
    language (:mod:`allocatie.i18n`). Colours are ColorBrewer RdBu
    (colour-blind safe, readable in grey print thanks to the lightness ramp).
    """
    if not threshold > 1:
        raise ValueError(f"LQ threshold must be above 1, got {threshold}")
    strong = max(2.0, round(threshold * 4 / 3 * 4) / 4)
    breaks = [0.0] + [b for b in (0.5, 0.8, 1.25) if b < threshold] + [threshold, strong, math.inf]
    classes = []
    for lower, upper in zip(breaks[:-1], breaks[1:]):
        if upper <= 0.5:
            colour, words = "#4393c3", _("much lower than average")
        elif upper <= 0.8:
            colour, words = "#a6cfe5", _("lower than average")
        elif upper <= 1.25 or lower < 1:
            colour, words = "#f7f7f7", _("around the average")
        elif upper <= threshold:
            colour, words = "#f4a582", _("higher than average")
        elif upper <= strong:
            colour, words = "#d6604d", _("concentrated")
        else:
            colour, words = "#a50f15", _("strongly concentrated")
        classes.append(LqClass(lower, upper, colour, words, concentrated=lower >= threshold))
    return classes


def class_colours(lq: pd.Series, threshold: float) -> pd.Series:
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


# ---------------------------------------------------------------------------
# Words of the legends


def number_text(value: float) -> str:
    """A threshold or class bound as a reader writes it: ``1,5``, ``2``, ``0,8`` in Dutch."""
    return number(value)


def column_words(column: str) -> str:
    """Which LQ colours the map, in words: "after this plan", "before this plan" or the year."""
    words = {
        "lq_after": _("after this plan"),
        "lq_before": _("before this plan"),
        "lq": _("(CBS 2022)"),
    }
    return words.get(column, column)


def lq_explanation(
    indicator_label: str, gemeente_name: str, threshold: float, area: str | None = None
) -> str:
    """What the LQ is, in one plain sentence: the same in the HTML legend and the PNG key.

    ``area`` names what is coloured (:func:`area_noun`); ``None`` means wijk.
    """
    if gemeente_name:
        where = _("all of {gemeente}").format(gemeente=gemeente_name)
    else:
        where = _("the whole municipality")
    if area is None:
        return _(
            "LQ = share of {indicator} in the wijk ÷ share in {where}. 1 = equal to the average; "
            "≥ {threshold} = concentrated."
        ).format(indicator=indicator_label, where=where, threshold=number_text(threshold))
    return _(
        "LQ = share of {indicator} in the {area} ÷ share in {where}. 1 = equal to the average; "
        "≥ {threshold} = concentrated."
    ).format(indicator=indicator_label, area=area, where=where, threshold=number_text(threshold))


def _level_counts(layer: pd.DataFrame) -> tuple[int, int]:
    """How many areas of a layer are drawn as buurten and as wijken."""
    if "area_level" not in layer.columns:
        return 0, len(layer)
    buurten = int(layer["area_level"].eq("buurt").sum())
    return buurten, len(layer) - buurten


def area_noun(layer: pd.DataFrame) -> str:
    """What a layer colours, as a noun: "wijk", "buurt" or "wijk or buurt" (reader's language).

    The legends say "colour of the …" and "concentrated …" with it, so a reader
    knows whether a coloured shape is a buurt or a wijk.
    """
    buurten, wijken = _level_counts(layer)
    if buurten and wijken:
        return _("wijk or buurt")
    return _("buurt") if buurten else _("wijk")


def level_note(layer: pd.DataFrame) -> str:
    """One sentence on which level the map shows, and why; the same on both maps.

    For an :func:`area_layer` it counts the buurten and wijken drawn and states
    that buurt borders are of 2019; for a plain :func:`wijk_layer` it warns that
    placements may be judged per buurt while the map colours wijken.
    """
    if "area_level" not in layer.columns or "judged_level" not in layer.attrs:
        return _("Placements are judged per buurt, the map colours wijken.")
    buurten, wijken = _level_counts(layer)
    missing = int(layer.attrs.get("buurten_without_polygon", 0))
    year = BUURT_BORDER_YEAR
    if layer.attrs["judged_level"] == "wijk":
        return _("Spreading is judged per wijk (policy), so the map colours wijken.")
    if not buurten:
        return _(
            "The map colours wijken: no buurt here is judged on its own with a {year} border."
        ).format(year=year)
    text = _(
        "Every area is coloured at the level spreading judges it: {buurten} buurten "
        "(borders of {year}) and {wijken} wijken (the rest of a wijk: buurten with fewer "
        "than {min} residents count with their wijk)."
    ).format(
        buurten=buurten, wijken=wijken, year=year, min=number(layer.attrs.get("min_residents", 0))
    )
    if missing:
        text += " " + _(
            "{n} buurten judged on their own have no {year} border and are shown with their wijk."
        ).format(n=missing, year=year)
    return text


def map_credit(layer: pd.DataFrame, credit: str) -> str:
    """The data credit of a map: ``credit``, plus the year of the buurt borders if any are drawn."""
    buurten, _wijken = _level_counts(layer)
    if not buurten:
        return credit
    return _("{credit} (wijken 2024, buurt borders {year})").format(
        credit=credit, year=BUURT_BORDER_YEAR
    )


def label_name(wijken: pd.DataFrame, code: str) -> str:
    """The label of one wijk on a map: ``short_name`` if present, else shortened ``wijk_name``."""
    if "short_name" in wijken.columns:
        return str(wijken.at[code, "short_name"])
    return short_name(str(wijken.at[code, "wijk_name"]))


def short_name(name: str) -> str:
    """A wijk name without CBS's ``"Wijk 06 "`` prefix, for map labels."""
    shorter = _WIJK_PREFIX.sub("", str(name)).strip()
    return shorter or str(name)


def gemeente_name_of(wijken: pd.DataFrame) -> str:
    """The municipality's name from a :func:`wijk_layer`, ``""`` if it has none."""
    if "gemeente_name" in wijken and len(wijken):
        return str(wijken["gemeente_name"].iloc[0])
    return ""


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
        :func:`wijk_lq`). Wijken missing from a Series get ``nan`` ("no data"
        on the map). ``lq_after`` may be omitted.
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


#: A wijk's remainder (what its own-judged buurten leave) smaller than this share
#: of the wijk is a sliver between 2019 and 2024 borders, not an area: not drawn.
_REMAINDER_MIN_SHARE = 0.02
#: Slivers thinner than twice this (metres) are trimmed from a wijk's remainder.
_SLIVER_M = 25.0


def area_layer(
    areas: Areas,
    gemeente: str,
    lq_before: pd.Series,
    lq_after: pd.Series | None,
    spreading: Spreading,
) -> gpd.GeoDataFrame:
    """Each area of a municipality drawn at the level spreading judges it, with its LQ.

    A buurt that :func:`~allocatie.areas.concentration.judged_at_buurt` judges
    on its own and that has a polygon (``Areas.buurten``, CBS borders of 2019)
    is drawn as that buurt, with the buurt's LQ; everything else is drawn as
    its wijk: the wijk polygon minus those buurten (slivers where the 2019 and
    2024 borders disagree are dropped), with the wijk's LQ. So the colour
    under a marker is the LQ that decided whether its placement counts as
    concentrated.

    Parameters
    ----------
    areas
        From :func:`allocatie.areas.data.load_areas`.
    gemeente
        Municipality code, e.g. ``"GM0153"``.
    lq_before, lq_after
        Location quotient per area, indexed by code, wijk *and* buurt codes
        (e.g. ``areas.csv``'s ``lq_before``/``lq_after`` by ``code``).
        ``lq_after`` may be ``None``.
    spreading
        The policy's spreading rule (``level``, ``min_residents``,
        ``lq_threshold``).

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``area_code``, the columns of :func:`wijk_layer` (``wijk_name``
        holds the area's own CBS name, buurt or wijk) plus ``area_level``
        (``"buurt"``/``"wijk"``) and ``wijk_code``; buurten first, then
        wijken, each sorted by code. ``attrs`` holds ``threshold``,
        ``judged_level``, ``min_residents`` and ``buurten_without_polygon``
        (buurten judged on their own but drawn with their wijk).
    """
    threshold = spreading.lq_threshold
    wijken = wijk_layer(areas, gemeente, lq_before, lq_after, threshold=threshold)
    stats = areas.stats
    rows = stats[(stats["level"] == "buurt") & (stats["gemeente_code"] == gemeente)]
    rows = rows[rows["wijk_code"].isin(wijken.index)]
    own = judged_at_buurt(pd.Series(rows.index, index=rows.index, dtype="string"), stats, spreading)
    judged = rows[own.to_numpy()]
    polygons = areas.buurten
    drawn = judged[judged.index.isin(polygons.index)].sort_index()
    parts: list[gpd.GeoDataFrame] = []
    if len(drawn):
        before = pd.to_numeric(lq_before.reindex(drawn.index), errors="coerce").astype(float)
        after = (
            pd.Series(np.nan, index=drawn.index, dtype=float)
            if lq_after is None
            else pd.to_numeric(lq_after.reindex(drawn.index), errors="coerce").astype(float)
        )
        names = drawn["name"].astype(str)
        parent = wijken.loc[drawn["wijk_code"]]
        parts.append(
            gpd.GeoDataFrame(
                {
                    "wijk_name": names.to_numpy(),
                    "short_name": names.to_numpy(),
                    "gemeente_code": gemeente,
                    "gemeente_name": parent["gemeente_name"].to_numpy(),
                    "lq_before": before.to_numpy(),
                    "lq_after": after.to_numpy(),
                    "concentrated_before": is_concentrated(before, threshold).to_numpy(),
                    "concentrated_after": is_concentrated(after, threshold).to_numpy(),
                    "area_level": "buurt",
                    "wijk_code": drawn["wijk_code"].astype(str).to_numpy(),
                },
                geometry=polygons.geometry.reindex(drawn.index).to_numpy(),
                crs=WGS84,
                index=pd.Index(drawn.index, name="area_code", dtype="str"),
            )
        )
    rest = wijken.copy()
    rest["area_level"] = "wijk"
    rest["wijk_code"] = rest.index.astype(str)
    if len(drawn):
        rest_rd = rest.geometry.to_crs(RD_NEW)
        taken = gpd.GeoSeries(parts[0].geometry, crs=WGS84).to_crs(RD_NEW)
        taken_by_wijk = taken.groupby(drawn["wijk_code"].to_numpy()).agg(
            lambda g: shapely.union_all(g.to_numpy())
        )
        keep = []
        geoms = []
        for code, shape in rest_rd.items():
            if code in taken_by_wijk.index:
                left = shapely.difference(shape, taken_by_wijk[code])
                left = shapely.buffer(shapely.buffer(left, -_SLIVER_M), _SLIVER_M)
                left = shapely.intersection(left, shape)
                if left.is_empty or left.area < _REMAINDER_MIN_SHARE * shape.area:
                    keep.append(False)
                    geoms.append(shape)
                    continue
                shape = left
            keep.append(True)
            geoms.append(shape)
        rest = rest.set_geometry(gpd.GeoSeries(geoms, index=rest.index, crs=RD_NEW).to_crs(WGS84))
        rest = rest[np.array(keep, dtype=bool)]
    parts.append(rest.rename_axis("area_code"))
    layer = gpd.GeoDataFrame(pd.concat(parts), geometry="geometry", crs=WGS84)
    layer.attrs.update(
        threshold=threshold,
        judged_level=spreading.level,
        min_residents=spreading.min_residents,
        buurten_without_polygon=int(len(judged) - len(drawn)),
    )
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
    return clean_placements(merged)


def clean_placements(placements: pd.DataFrame) -> pd.DataFrame:
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
    out["area_name"] = out["area_name"].astype("string").fillna(_("unknown area")).astype(str)
    if "point_exact" in out.columns:
        out["point_exact"] = out["point_exact"].astype("boolean").fillna(False).astype(bool)
    return out


def placed_per_wijk(points: pd.DataFrame, wijken: gpd.GeoDataFrame) -> pd.DataFrame:
    """Households and persons placed per area of the layer (zeros elsewhere).

    A placement counts in its spreading area (``area_code``) where the layer
    draws that area, else in its wijk (``wijk_code`` or located by ``x``/``y``).
    """
    result = pd.DataFrame(0, index=wijken.index, columns=["households", "persons"])
    if not len(points):
        return result
    if "wijk_code" in points.columns:
        codes = points["wijk_code"].astype("string")
    else:
        codes = _locate_wijk(points, wijken[["geometry"]].to_crs(RD_NEW))
    if "area_code" in points.columns:
        # A placement counts in its own spreading area when the layer draws it.
        own = points["area_code"].astype("string")
        codes = own.where(own.isin(wijken.index).fillna(False), codes)
    grouped = points.groupby(codes.to_numpy())["persons"].agg(["size", "sum"])
    grouped.columns = ["households", "persons"]
    return grouped.reindex(wijken.index, fill_value=0).astype(int)


# ---------------------------------------------------------------------------
# Marker layout shared by both maps


def dot_diameter(persons: np.ndarray) -> np.ndarray:
    """Marker diameter (screen pixels / print points): area grows with persons."""
    return 4.0 + 5.0 * np.sqrt(np.maximum(np.asarray(persons, dtype=float), 1.0))


_GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))


def cluster_offsets(placements: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
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
    diam = dot_diameter(placements["persons"].to_numpy())
    key = list(zip(placements["x"].round(0), placements["y"].round(0)))
    groups: dict[tuple[float, float], list[int]] = {}
    for row, point in enumerate(key):
        groups.setdefault(point, []).append(row)
    for members in groups.values():
        if len(members) < 2:
            continue
        members = sorted(
            members,
            key=lambda i: (-placements["persons"].iat[i], placements["household_id"].iat[i]),
        )
        spacing = 0.62 * (float(diam[members].max()) + 2.0)
        for rank, row in enumerate(members):
            radius = spacing * math.sqrt(rank + 0.5) if rank else 0.0
            angle = rank * _GOLDEN_ANGLE - math.pi / 2
            dx[row], dy[row] = radius * math.cos(angle), radius * math.sin(angle)
    return dx, dy


def cluster_radius(
    placements: pd.DataFrame, dx: np.ndarray, dy: np.ndarray
) -> dict[tuple[float, float], float]:
    """Radius (screen units) of each cluster, keyed by the rounded point."""
    radius: dict[tuple[float, float], float] = {}
    diam = dot_diameter(placements["persons"].to_numpy())
    for i, k in enumerate(zip(placements["x"].round(0), placements["y"].round(0))):
        r = math.hypot(dx[i], dy[i]) + diam[i] / 2
        radius[k] = max(radius.get(k, 0.0), r)
    return radius


# ---------------------------------------------------------------------------
# Files


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder.

    Both maps are written this way, so a reader (or a meeting's projector)
    never sees half a file, and a failed write leaves the old one in place.
    """
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
