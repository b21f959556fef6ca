"""Herkoppeling flows: the table from a plan, the arrows, and the maps in report.html."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from matplotlib.patches import ConnectionStyle

from allocatie.areas.data import load_areas
from allocatie.areas.regions import contiguous_regions
from allocatie.report.flows import (
    FLOW_COLUMNS,
    _bent_middle,
    flow_lines,
    herkoppeling_table,
    municipality_shapes,
    render_flow_map,
    write_region_map,
)
from tests.paths import EXAMPLES

TWENTE = ["GM0141", "GM0153", "GM0164"]
PNG = b"\x89PNG\r\n\x1a\n"


def test_herkoppeling_table_by_hand():
    households = pd.DataFrame(
        {
            "gemeente_code": ["GM0153", "GM0153", "GM0153", "GM0141", "GM0141", None],
            "persons": [1, 4, 2, 3, 5, 1],
        }
    )
    dwellings = pd.DataFrame({"gemeente_code": ["GM0153", "GM0141", "GM0164", "GM0141"]})
    # H0 home, H1 and H2 to Almelo and Hengelo, H3 home, H4 waits, H5 has no municipality
    assignment = np.array([0, 1, 2, 3, -1, 1])
    table = herkoppeling_table(households, dwellings, assignment)
    assert list(table.columns) == list(FLOW_COLUMNS)
    assert table.to_dict("records") == [
        {"from_gemeente": "GM0153", "to_gemeente": "GM0141", "households": 1, "persons": 4},
        {"from_gemeente": "GM0153", "to_gemeente": "GM0164", "households": 1, "persons": 2},
    ]


def test_no_herkoppelingen_give_an_empty_table():
    households = pd.DataFrame({"gemeente_code": ["GM0153"], "persons": [2]})
    dwellings = pd.DataFrame({"gemeente_code": ["GM0153"]})
    assert herkoppeling_table(households, dwellings, np.array([0])).empty
    assert herkoppeling_table(households.drop(columns="gemeente_code"), dwellings,
                              np.array([0])).empty  # fmt: skip


@pytest.fixture(scope="module")
def shapes():
    return municipality_shapes(load_areas(), TWENTE)


def test_flow_lines_widths_follow_persons(shapes):
    flows = pd.DataFrame(
        {
            "from_gemeente": ["GM0153", "GM0141", "GM0153", "GM0153", "GM0153"],
            "to_gemeente": ["GM0141", "GM0164", "GM0153", "GM0999", "GM0141"],
            "households": [1, 2, 5, 1, 1],
            "persons": [3, 4, 9, 2, 1],
        }
    )
    lines = flow_lines(flows, shapes)
    # within Enschede is no herkoppeling; GM0999 has no shape; the two 0153→0141 rows add up
    # (equal persons: ties by code, so Almelo's flow first)
    assert lines[["from_gemeente", "to_gemeente", "households", "persons"]].values.tolist() == [
        ["GM0141", "GM0164", 2, 4],
        ["GM0153", "GM0141", 2, 4],
    ]
    assert lines["width"].tolist() == [14.0, 14.0]
    start = shapes.loc["GM0153", ["x", "y"]].to_numpy(dtype=float)
    row = lines[lines["from_gemeente"] == "GM0153"].iloc[0]
    assert (row["x0"], row["y0"]) == tuple(start)
    for code in TWENTE:  # every arrow end lies inside its municipality
        point = shapes.loc[code, ["x", "y"]].to_numpy(dtype=float)
        assert shapes.loc[code, "geometry"].contains(shapely.Point(*point))


def test_label_sits_on_the_middle_of_matplotlibs_curve():
    for bend in (0.08, 0.18, -0.3):
        p0, p1 = (10.0, 20.0), (110.0, -40.0)
        path = ConnectionStyle.Arc3(rad=bend)(p0, p1)
        a, control, b = path.vertices[:3]
        expected = 0.25 * a + 0.5 * control + 0.25 * b
        assert _bent_middle(*p0, *p1, bend) == pytest.approx(tuple(expected), abs=0.01)


def test_flow_map_and_region_map_are_pngs(tmp_path):
    areas = load_areas()
    flows = pd.DataFrame({"from_gemeente": ["GM0153"], "to_gemeente": ["GM0141"],
                          "households": [2], "persons": [5]})  # fmt: skip
    assert render_flow_map(flows, areas, municipalities=TWENTE, dpi=40).startswith(PNG)
    nothing = flows.iloc[:0]
    assert render_flow_map(nothing, areas, municipalities=TWENTE, dpi=40).startswith(PNG)
    regions = contiguous_regions(areas, 25)
    twente = regions[regions["region"] == "08 Enschede"]
    write_region_map(tmp_path / "regio.png", twente, areas, dpi=40)
    assert (tmp_path / "regio.png").read_bytes().startswith(PNG)


def test_report_html_of_a_pooled_run_shows_the_flows(tmp_path):
    from allocatie.match import Inputs, run_match
    from allocatie.report.flows import herkoppeling_figures
    from allocatie.report.html_report import report_writers

    outcome = run_match(Inputs.from_scenario(EXAMPLES / "twente-2019h2"), lang="en")
    moved = outcome.plan["herkoppeling"].fillna(False).astype(bool)
    figures = herkoppeling_figures(outcome)
    if not moved.any():
        assert figures == {}
        return
    ((heading, (png, caption)),) = figures.items()
    assert png.startswith(PNG)
    assert str(int(moved.sum())) in caption
    writers = report_writers(outcome)
    writers["map.png"](tmp_path / "map.png")  # report.html embeds it
    writers["report.html"](tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"<h2>{heading}</h2>" in page
