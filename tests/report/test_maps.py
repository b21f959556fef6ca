"""The report page and the print map of the Enschede example.

Covers allocatie.report.maps (layers, colour classes, marker layout),
allocatie.report.web_map (the interactive map), allocatie.report.static_map
(the PNG) and allocatie.report.html_report.write_report_html (the page).

The real example (allocatie/examples/enschede-2019h2) is matched once per module and
rendered once; every test then reads the written files. Whether Leaflet is
inlined depends on XStatic-Leaflet being installed: the fully offline case is
tested when it is, the CDN fallback always (by hiding the package).
"""

from __future__ import annotations

import html
import re

import folium
import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from allocatie.areas.data import load_areas
from allocatie.match import Inputs, run_match
from allocatie.report import html_report, maps, static_map, web_map
from tests.paths import EXAMPLE, ROOT

REPO = ROOT
GEMEENTE = "GM0153"
ENSCHEDE_WIJKEN = {
    "WK015300": "Wijk 00 Binnensingelgebied",
    "WK015301": "Wijk 01 Hogeland - Velve",
    "WK015302": "Wijk 02 Boswinkel - Stadsveld",
    "WK015303": "Wijk 03 Twekkelerveld - T.H.T.",
    "WK015304": "Wijk 04 Enschede-Noord",
    "WK015305": "Wijk 05 Ribbelt - Stokhorst",
    "WK015306": "Wijk 06 Enschede-Zuid",
    "WK015307": "Wijk 07 Bedrijfsterreinen Enschede-West",
    "WK015308": "Wijk 08 Glanerbrug en omgeving",
    "WK015309": "Wijk 09 Landelijk gebied en kernen",
}
INDICATOR = "migration_non_western"
#: Household columns of the example that must never reach a map.
PRIVATE_COLUMNS = ("notes_intake", "interests", "preferred_areas", "excluded_areas", "linked_on")


@pytest.fixture(scope="module")
def example():
    outcome = run_match(
        Inputs(
            EXAMPLE / "households.csv",
            EXAMPLE / "dwellings.csv",
            EXAMPLE / "policy.toml",
            amenities=EXAMPLE / "amenities.csv",
            pins=EXAMPLE / "pins.csv",
            refusals=EXAMPLE / "refusals.csv",
        )
    )
    areas = load_areas()
    placements = maps.placements_table(outcome.plan, outcome.instance.dwellings)
    before = maps.wijk_lq(areas, GEMEENTE, INDICATOR)
    after = maps.wijk_lq(areas, GEMEENTE, INDICATOR, placements)
    layer = maps.wijk_layer(areas, GEMEENTE, before, after, threshold=1.5)
    return {
        "outcome": outcome,
        "areas": areas,
        "placements": placements,
        "layer": layer,
        "households": pd.read_csv(EXAMPLE / "households.csv", dtype=str, keep_default_na=False),
    }


def _map(example, **kwargs) -> folium.Map:
    return web_map.interactive_map(
        example["layer"],
        example["placements"],
        threshold=1.5,
        indicator_label=maps.indicator_label(INDICATOR),
        title="Enschede, matching 1 oktober 2019",
        **kwargs,
    )


@pytest.fixture(scope="module")
def rendered(example, tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    png = folder / "kaart.png"
    static_map.write_png_map(
        png,
        example["layer"],
        example["placements"],
        column="lq_after",
        threshold=1.5,
        title="Enschede: plaatsingen en concentratie per wijk",
        indicator_label=maps.indicator_label(INDICATOR),
    )
    report = folder / "report.html"
    wijken = example["layer"].drop(columns="geometry").reset_index()
    html_report.write_report_html(
        report,
        title="Plaatsingsvoorstel Enschede",
        summary_html="<p>20 huishoudens geplaatst.</p>",
        map_=_map(example),
        tables={"Wijken": wijken[["wijk_code", "wijk_name", "lq_before", "lq_after"]]},
        static_map=png,
    )
    return {"folder": folder, "png": png, "report": report, "text": report.read_text("utf-8")}


# --- tables -------------------------------------------------------------------


def test_layer_has_every_enschede_wijk_with_its_dutch_name(example):
    layer = example["layer"]
    assert dict(layer["wijk_name"]) == ENSCHEDE_WIJKEN
    assert layer.at["WK015306", "short_name"] == "Enschede-Zuid"
    assert layer.at["WK015303", "short_name"] == "Twekkelerveld - T.H.T."
    assert layer.crs.to_epsg() == 4326
    assert set(layer["gemeente_name"]) == {"Enschede"}


def test_layer_flags_concentrated_wijken_at_the_threshold(example):
    layer = example["layer"]
    # Only Enschede-Zuid is over 1.5 at wijk level (1.55, CBS 2022).
    assert layer.index[layer["concentrated_before"]].tolist() == ["WK015306"]
    assert layer.index[layer["concentrated_after"]].tolist() == ["WK015306"]
    areas = example["areas"]
    lower = maps.wijk_layer(areas, GEMEENTE, layer["lq_before"], threshold=1.1)
    assert set(lower.index[lower["concentrated_before"]]) == {"WK015304", "WK015306"}
    assert lower["lq_after"].isna().all() and not lower["concentrated_after"].any()


def test_wijk_lq_before_is_the_share_ratio():
    areas = load_areas()
    stats = areas.stats
    lq = maps.wijk_lq(areas, GEMEENTE, INDICATOR)
    zuid = stats.loc["WK015306"]
    city = stats.loc[GEMEENTE]
    expected = (zuid[INDICATOR] / zuid["residents"]) / (city[INDICATOR] / city["residents"])
    assert lq["WK015306"] == pytest.approx(float(expected), abs=1e-12)
    assert len(lq) == 10


def test_wijk_lq_after_counts_placed_persons_in_the_group_and_the_city():
    areas = load_areas()
    stats = areas.stats
    one = pd.DataFrame({"persons": [3, 2], "wijk_code": ["WK015305", "WK015305"]})
    lq = maps.wijk_lq(areas, GEMEENTE, INDICATOR, one)
    w, c = stats.loc["WK015305"], stats.loc[GEMEENTE]
    expected = ((w[INDICATOR] + 5) / (w["residents"] + 5)) / (
        (c[INDICATOR] + 5) / (c["residents"] + 5)
    )
    assert lq["WK015305"] == pytest.approx(float(expected), abs=1e-12)
    # Located by coordinates when the wijk code is absent: same answer.
    point = areas.wijk_points_rd.loc["WK015305"]
    by_xy = pd.DataFrame({"persons": [5], "x": [point["x"]], "y": [point["y"]]})
    assert maps.wijk_lq(areas, GEMEENTE, INDICATOR, by_xy)["WK015305"] == pytest.approx(
        lq["WK015305"]
    )


def test_placements_table_keeps_only_map_columns(example):
    placements = example["placements"]
    plan = example["outcome"].plan
    placed = plan.loc[plan["dwelling_id"].notna(), "household_id"].tolist()
    assert placements["household_id"].tolist() == placed
    assert set(placements.columns) <= set(maps.PLACEMENT_COLUMNS) | set(
        maps.OPTIONAL_PLACEMENT_COLUMNS
    )
    assert set(maps.PLACEMENT_COLUMNS) <= set(placements.columns)
    assert placements[["x", "y"]].notna().all().all()


def test_unknown_gemeente_and_missing_columns_are_explained(example):
    areas = example["areas"]
    with pytest.raises(ValueError, match="no wijk polygons"):
        maps.wijk_layer(areas, "GM9999", pd.Series(dtype=float))
    broken = example["placements"].drop(columns=["persons"])
    with pytest.raises(ValueError, match="persons"):
        web_map.interactive_map(
            example["layer"], broken, threshold=1.5, indicator_label="x", title="t"
        )


def test_lq_classes_are_contiguous_and_break_at_the_threshold():
    for threshold in (1.2, 1.5, 2.0, 3.0):
        classes = maps.lq_classes(threshold)
        assert classes[0].lower == 0 and np.isinf(classes[-1].upper)
        assert all(a.upper == b.lower for a, b in zip(classes, classes[1:]))
        assert threshold in [c.lower for c in classes]
        above = [c for c in classes if c.lower >= threshold]
        assert above and all("geconcentreerd" in c.words for c in above)
        assert not any("geconcentreerd" in c.words for c in classes if c.upper <= threshold)
    with pytest.raises(ValueError):
        maps.lq_classes(1.0)


def test_households_sharing_a_point_are_spread_apart(example):
    placements = example["placements"]
    dx, dy = maps.cluster_offsets(placements)
    key = list(zip(placements["x"].round(), placements["y"].round()))
    shared = pd.Series(key).duplicated(keep=False).to_numpy()
    assert shared.any()
    positions = {(key[i], round(dx[i], 3), round(dy[i], 3)) for i in np.flatnonzero(shared)}
    assert len(positions) == shared.sum()
    alone = ~shared
    assert np.all(dx[alone] == 0) and np.all(dy[alone] == 0)


# --- HTML ---------------------------------------------------------------------


def _contains_name(text: str, name: str) -> bool:
    return name in text or html.escape(name) in text


def test_report_contains_every_wijk_and_every_placed_household(example, rendered):
    text = rendered["text"]
    for name in ENSCHEDE_WIJKEN.values():
        assert _contains_name(text, name), name
    for household in example["placements"]["household_id"]:
        assert household in text
    plan = example["outcome"].plan
    for waiting in plan.loc[plan["dwelling_id"].isna(), "household_id"]:
        assert waiting not in text


def test_report_shows_no_other_household_data(example, rendered):
    text = rendered["text"]
    households = example["households"]
    for column in PRIVATE_COLUMNS:
        assert column not in text
    for note in households["notes_intake"]:
        if len(note) > 6:
            assert note not in text and html.escape(note) not in text


def test_report_explains_the_colours_in_words(rendered):
    text = rendered["text"]
    assert "LQ = aandeel inwoners met een niet-westerse migratieachtergrond in de wijk" in text
    assert "≥ 1,5 = geconcentreerd" in text
    assert "Bron: CBS" in text
    assert "geplaatst in een geconcentreerde buurt of wijk" in text
    assert '<html lang="nl">' in text
    assert "<h2>Wijken</h2>" in text and 'class="dataframe tabel"' in text


def test_report_embeds_the_print_map(rendered):
    assert 'src="data:image/png;base64,' in rendered["text"]


def _external_refs(text: str) -> list[str]:
    return re.findall(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"(https?:[^\"]+)\"", text)


def test_report_is_fully_offline_when_leaflet_can_be_inlined(rendered):
    pytest.importorskip("xstatic.pkg.leaflet")
    assert web_map.leaflet_inline()
    text = rendered["text"]
    assert _external_refs(text) == []
    assert "<script src=" not in text
    assert "Leaflet 1.9" in text  # the library itself, with its licence header
    assert "url(images/" not in text  # control icons inlined as data URIs


def test_report_falls_back_to_leaflet_cdn_with_data_inline(example, tmp_path, monkeypatch):
    monkeypatch.setattr(web_map, "_leaflet_assets", lambda: None)
    report = tmp_path / "report.html"
    html_report.write_report_html(
        report, title="t", summary_html="", map_=_map(example), tables={}, static_map=b"\x89PNG"
    )
    text = report.read_text("utf-8")
    refs = _external_refs(text)
    assert refs and all("leaflet@1.9.3" in ref for ref in refs)
    # No jQuery/Bootstrap/Font Awesome: only Leaflet is needed.
    assert not re.search(r"jquery|bootstrap|fontawesome", text, re.IGNORECASE)
    # All data is inline, and the page says what to do offline.
    assert "WK015306" in text and "HH-2019-001" in text
    assert "allocatie-fallback" in text and 'typeof L === "undefined"' in text


def test_background_tiles_are_optional_and_attributed(example, tmp_path):
    plain = _map(example).get_root().render()
    assert "tile.openstreetmap.org" not in plain and "L.tileLayer" not in plain
    with_tiles = _map(example, tiles="OpenStreetMap").get_root().render()
    assert "L.tileLayer" in with_tiles and "OpenStreetMap" in with_tiles


def test_household_ids_are_escaped(example, tmp_path):
    evil = example["placements"].head(1).copy()
    evil["household_id"] = "<script>alert(1)</script>"
    evil["area_name"] = "A & B <i>"
    report = tmp_path / "report.html"
    fmap = web_map.interactive_map(
        example["layer"], evil, threshold=1.5, indicator_label="x", title="<b>t</b>"
    )
    html_report.write_report_html(report, title="<t>", summary_html="", map_=fmap, tables={})
    text = report.read_text("utf-8")
    assert "<script>alert(1)" not in text
    assert "<i>" not in text and "<b>t</b>" not in text and "<t>" not in text


def test_report_write_is_atomic(example, rendered, tmp_path, monkeypatch):
    assert sorted(p.name for p in rendered["folder"].iterdir()) == ["kaart.png", "report.html"]
    report = tmp_path / "report.html"
    report.write_text("old report", encoding="utf-8")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(maps.os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        html_report.write_report_html(
            report, title="t", summary_html="", map_=_map(example), tables={}
        )
    assert report.read_text("utf-8") == "old report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_tables_render_flags_as_ja_nee_with_dutch_decimals(example, tmp_path):
    report = tmp_path / "report.html"
    table = pd.DataFrame({"wijk": ["A & B"], "geconcentreerd": [True], "lq": [1.23456]})
    html_report.write_report_html(
        report, title="t", summary_html="", map_=_map(example), tables={"Tabel": table}
    )
    text = report.read_text("utf-8")
    assert "<td>ja</td>" in text and "<td>1,23</td>" in text and "A &amp; B" in text


# --- PNG ----------------------------------------------------------------------


def test_png_is_a4_at_150_dpi_and_not_blank(rendered):
    image = imread(rendered["png"])
    assert image.shape[:2] == (1240, 1754)
    grey = image[..., :3].mean(axis=2)
    assert grey.std() > 0.1
    # The map area (left two thirds) holds colour, not just white paper.
    colours = np.unique(
        (image[200:1100, 100:1100, :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0
    )
    assert len(colours) > 50


def test_png_without_placements_and_with_missing_lq(example, tmp_path):
    layer = example["layer"].copy()
    layer.loc["WK015307", "lq_before"] = np.nan
    png = tmp_path / "leeg.png"
    static_map.write_png_map(
        png,
        layer,
        pd.DataFrame(columns=list(maps.PLACEMENT_COLUMNS)),
        column="lq_before",
        threshold=1.5,
        title="Enschede vóór het plan",
        indicator_label=maps.indicator_label(INDICATOR),
        dpi=72,
    )
    image = imread(png)
    assert image.shape[:2] == (round(210 / 25.4 * 72), round(297 / 25.4 * 72))
    assert [p.name for p in tmp_path.iterdir()] == ["leeg.png"]


def test_png_rejects_an_unknown_column(example, tmp_path):
    with pytest.raises(ValueError, match="no column"):
        static_map.write_png_map(
            tmp_path / "x.png",
            example["layer"],
            example["placements"],
            column="lq",
            threshold=1.5,
            title="t",
            indicator_label="x",
        )
    assert not any(tmp_path.iterdir())


def test_writing_a_report_leaves_the_map_unchanged(example, tmp_path):
    fmap = _map(example)
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for path in (first, second):
        html_report.write_report_html(path, title="t", summary_html="", map_=fmap, tables={})
    assert first.read_text("utf-8") == second.read_text("utf-8")
