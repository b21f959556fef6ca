"""Long plans stay readable: the report pages its plan, the map caps its markers.

A national run has 200,000 households; the page must not become an 80 MB
file, and the interactive map must not carry 20,000 DOM markers.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from allocatie.areas.data import load_areas
from allocatie.i18n import use_language
from allocatie.inputs.policy import Spreading
from allocatie.report import html_report, maps, web_map

GEMEENTE = "GM0153"


def _plan(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    waiting = np.arange(n) % 50 == 0
    return pd.DataFrame(
        {
            "household_id": [f"HH-{i:06d}" for i in range(n)],
            "persons": rng.integers(1, 7, n),
            "wait_days": rng.integers(0, 400, n),
            "dwelling_id": pd.array(
                [None if w else f"W-{i:06d}" for i, w in enumerate(waiting)], dtype="string"
            ),
            "corporation": "De Woonplaats",
            "area_name": "City",
            "spreading_area": "BU01530000",
            "area_lq": 1.1,
            "area_concentrated": False,
            "reason": "Geplaatst: een zin van gemiddelde lengte over waarom dit zo is.",
        }
    )


def _points(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    return pd.DataFrame(
        {
            "household_id": [f"HH-{i:06d}" for i in range(n)],
            "dwelling_id": [f"W-{i:06d}" for i in range(n)],
            "persons": rng.integers(1, 7, n),
            "x": 257_000 + rng.normal(0, 1500, n),
            "y": 471_000 + rng.normal(0, 1500, n),
            "area_name": "City",
            "area_lq": 1.1,
            "area_concentrated": np.arange(n) % 10 == 0,
        }
    )


def test_plan_for_report_keeps_waiting_longest_first_then_placed() -> None:
    plan = _plan(1000)
    with use_language("nl"):
        shown, line = html_report.plan_for_report(plan, limit=100)
    assert len(shown) == 100
    waiting = shown["dwelling_id"].isna().to_numpy()
    assert waiting[:20].all() and not waiting[20:].any()  # 20 waiting of 1000
    assert (np.diff(shown["wait_days"].to_numpy()[:20]) <= 0).all()
    assert (np.diff(shown["wait_days"].to_numpy()[20:]) <= 0).all()
    assert line == "… en 900 meer huishoudens: zie plan.xlsx."
    assert html_report.plan_for_report(plan.head(50))[1] == ""


def test_a_200000_household_report_stays_small_and_says_what_is_left_off(tmp_path) -> None:
    areas = load_areas()
    eff = areas.stats[areas.stats["gemeente_code"].eq(GEMEENTE)]
    lq = pd.Series(1.0, index=eff.index)
    layer = maps.area_layer(areas, GEMEENTE, lq, lq, Spreading())
    plan = _plan(200_000)
    with use_language("nl"):
        rows, more = html_report.plan_for_report(plan)
        fmap = web_map.interactive_map(
            layer, _points(20_000), threshold=1.5, indicator_label="x", title="t"
        )
        out = tmp_path / "report.html"
        html_report.write_report_html(
            out,
            title="t",
            summary_html="",
            map_=fmap,
            tables={"Plan per huishouden": rows},
            notes={"Plan per huishouden": more},
        )
    text = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 2_000_000
    assert "… en 199.700 meer huishoudens: zie plan.xlsx." in text
    assert len(re.findall(r"<tr>", text)) < 400
    # the map draws at most MAX_MARKERS dots and says so
    assert text.count('"household_id"') == 0  # markers carry only short keys
    assert len(re.findall(r'"id": ?"HH-', text)) == web_map.MAX_MARKERS
    assert "De kaart toont 1.500 van de 20.000 geplaatste huishoudens" in text


def test_capped_markers_keep_every_concentrated_placement() -> None:
    points = maps.clean_placements(_points(5000))
    kept = web_map._capped(points, 1000)
    assert len(kept) == 1000
    assert kept["area_concentrated"].sum() == points["area_concentrated"].sum() == 500
