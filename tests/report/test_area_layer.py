"""The map layer draws each area at the level spreading judges it (buurt polygon or wijk).

Uses the bundled Enschede data: all 70 buurten have a 2019 polygon, so the
level rule alone decides what is drawn; a buurt code removed from the polygons
shows the fallback to the wijk.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from allocatie.areas.concentration import judged_at_buurt
from allocatie.areas.data import load_areas
from allocatie.i18n import use_language
from allocatie.inputs.policy import Spreading
from allocatie.report import maps, web_map

GEMEENTE = "GM0153"


@pytest.fixture(scope="module")
def lq() -> pd.Series:
    areas = load_areas()
    stats = areas.stats[areas.stats["gemeente_code"].eq(GEMEENTE)]
    share = stats["migration_non_western"].astype(float) / stats["residents"].astype(float)
    return share / (29_389 / 160_640)


def _buurten_of(areas, spreading: Spreading) -> pd.Index:
    stats = areas.stats
    rows = stats[stats["level"].eq("buurt") & stats["gemeente_code"].eq(GEMEENTE)]
    own = judged_at_buurt(pd.Series(rows.index, index=rows.index, dtype="string"), stats, spreading)
    return rows.index[own.to_numpy()]


def test_buurten_judged_on_their_own_are_drawn_as_buurten(lq: pd.Series) -> None:
    areas = load_areas()
    spreading = Spreading(min_residents=2000)
    layer = maps.area_layer(areas, GEMEENTE, lq, lq, spreading)
    judged = _buurten_of(areas, spreading)
    drawn = layer.index[layer["area_level"].eq("buurt")]
    assert set(drawn) == set(judged)
    assert 0 < len(judged) < 70
    # a buurt below min_residents is never drawn on its own
    small = areas.stats.loc[areas.stats["residents"].astype(float) < 2000].index
    assert not set(drawn) & set(small)
    # buurten carry their own LQ and concentration, wijken theirs
    code = drawn[0]
    assert layer.at[code, "lq_before"] == pytest.approx(lq[code])
    assert layer.at[code, "concentrated_before"] == (lq[code] >= 1.5)
    assert layer.attrs["buurten_without_polygon"] == 0


def test_wijk_level_policy_draws_only_wijken(lq: pd.Series) -> None:
    layer = maps.area_layer(load_areas(), GEMEENTE, lq, None, Spreading(level="wijk"))
    assert set(layer["area_level"]) == {"wijk"}
    assert len(layer) == 10
    with use_language("en"):
        assert "per wijk" in maps.level_note(layer)
        assert maps.map_credit(layer, "Bron: CBS") == "Bron: CBS"


def test_a_buurt_without_a_polygon_falls_back_to_its_wijk(lq: pd.Series) -> None:
    areas = load_areas()
    spreading = Spreading()
    judged = _buurten_of(areas, spreading)
    gone = judged[0]
    fewer = dataclasses.replace(areas)
    fewer.__dict__["buurten"] = areas.buurten.drop(index=gone)
    layer = maps.area_layer(fewer, GEMEENTE, lq, lq, spreading)
    assert gone not in layer.index
    wijk = areas.stats.at[gone, "wijk_code"]
    assert wijk in layer.index and layer.at[wijk, "area_level"] == "wijk"
    assert layer.attrs["buurten_without_polygon"] == 1
    with use_language("en"):
        note = maps.level_note(layer)
    assert "1 buurten judged on their own have no 2019 border" in note


def test_legend_and_credit_say_which_level_and_the_2019_borders(lq: pd.Series) -> None:
    layer = maps.area_layer(load_areas(), GEMEENTE, lq, lq, Spreading())
    with use_language("en"):
        note = maps.level_note(layer)
        credit = maps.map_credit(layer, "Bron: CBS, CC-BY 4.0")
        fmap = web_map.interactive_map(
            layer,
            pd.DataFrame(columns=list(maps.PLACEMENT_COLUMNS)),
            threshold=1.5,
            indicator_label="x",
            title="t",
        )
        page = fmap.get_root().render()
    assert "buurten (borders of 2019)" in note
    assert credit.startswith("Bron: CBS") and "buurt borders 2019" in credit
    assert "Colour of the wijk or buurt" in page and "buurt borders 2019" in page
    with use_language("nl"):
        assert "buurtgrenzen 2019" in maps.map_credit(layer, "Bron: CBS")


def test_placements_count_in_their_own_buurt(lq: pd.Series) -> None:
    areas = load_areas()
    layer = maps.area_layer(areas, GEMEENTE, lq, lq, Spreading())
    buurt = layer.index[layer["area_level"].eq("buurt")][0]
    points = pd.DataFrame(
        {"persons": [2, 3], "area_code": [buurt, "BU99999999"],
         "wijk_code": [layer.at[buurt, "wijk_code"]] * 2, "x": [0.0, 0.0], "y": [0.0, 0.0]}
    )  # fmt: skip
    counts = maps.placed_per_wijk(points, layer)
    assert counts.at[buurt, "persons"] == 2
    assert counts["persons"].sum() == 2 + 3 * int(layer.at[buurt, "wijk_code"] in layer.index)
