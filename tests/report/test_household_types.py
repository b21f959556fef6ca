"""Outcomes per household type: a hand-checked plan, the bundled example, the scenario runner.

The hand-checked plan has six households and three dwellings, each dwelling
pinned to one household, so the plan is fixed whatever the solver prefers
(buurten as in ``tests/fixtures/tiny``: BU01530606 Wesselerbrink Noord-West is
concentrated, BU01530208 Ruwenbos and BU01530808 Eekmaat West are not):

====  =======  ============  ====  ========================  =============================
id    persons  reunification  wait  wishes                    plan
====  =======  ============  ====  ========================  =============================
H1    1        0             30    BU01530808; BU01530208    D1 in Ruwenbos: 2nd wish
H2    2        0             60    –                         waits
H3    3        0             90    BU01530606                D2 in Wesselerbrink: 1st wish
H4    2        3             120   BU01530606                D3 in Eekmaat West: no wish
H5    4 (needs accessible)   10    –                         waits
H6    6        0             0     –                         waits
====  =======  ============  ====  ========================  =============================
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.areas.data import load_areas
from allocatie.i18n import use_language
from allocatie.match import Inputs, Outcome, run_match
from allocatie.planning.scenario import HOUSEHOLD_TYPE_COLUMNS, load_scenario, run_scenario
from allocatie.report.household_types import (
    FIGURES,
    HOUSEHOLD_TYPES,
    by_household_type,
    household_type_frame,
    household_type_kpis,
    household_type_table,
)
from allocatie.report.outputs import write_plan
from allocatie.report.plots import write_household_types
from tests import paths

HOUSEHOLDS = """\
household_id,persons,expected_reunification,linked_on,needs_accessible,preferred_areas
H1,1,0,2019-09-01,false,BU01530808;BU01530208
H2,2,0,2019-08-02,false,
H3,3,0,2019-07-03,false,BU01530606
H4,2,3,2019-06-03,false,BU01530606
H5,4,0,2019-09-21,true,
H6,6,0,2019-10-01,false,
"""
DWELLINGS = """dwelling_id,corporation,buurt_code,bedrooms,rent,available_from
D1,Domijn,BU01530208,1,400,2019-10-01
D2,Domijn,BU01530606,2,500,2019-10-01
D3,Domijn,BU01530808,3,500,2019-10-01
"""
PINS = "household_id,dwelling_id\nH1,D1\nH3,D2\nH4,D3\n"

NAN = float("nan")
#: The table worked out by hand from the plan in the module docstring.
EXPECTED = pd.DataFrame(
    [
        ["single", 1, 1, 1, 1, 1.0, 30.0, 1.0, 1, 1.0, 2.0],
        ["couple", 1, 2, 0, 0, 0.0, 60.0, NAN, 0, NAN, NAN],
        ["family_3_4", 2, 7, 1, 3, 0.5, 50.0, 0.0, 1, 1.0, 1.0],
        ["family_5_plus", 2, 8, 1, 2, 0.5, 60.0, 1.0, 1, 0.0, NAN],
        ["needs_accessible", 1, 4, 0, 0, 0.0, 10.0, NAN, 0, NAN, NAN],
        ["expected_reunification", 1, 2, 1, 2, 1.0, 120.0, 1.0, 1, 0.0, NAN],
    ],
    columns=["household_type", *FIGURES],
)


def _hand_checked(folder: Path) -> Outcome:
    (folder / "households.csv").write_text(HOUSEHOLDS, encoding="utf-8")
    (folder / "dwellings.csv").write_text(DWELLINGS, encoding="utf-8")
    (folder / "pins.csv").write_text(PINS, encoding="utf-8")
    policy = paths.FIXTURES / "tiny" / "policy.toml"
    return run_match(Inputs.from_scenario(folder, policy=policy))


def test_the_hand_checked_plan_gives_the_hand_checked_table(tmp_path: Path) -> None:
    outcome = _hand_checked(tmp_path)
    housed = outcome.plan.set_index("household_id")["dwelling_id"]
    assert housed.dropna().to_dict() == {"H1": "D1", "H3": "D2", "H4": "D3"}
    table = household_type_table(outcome.instance, outcome.plan)
    pd.testing.assert_frame_equal(table, EXPECTED, check_dtype=False)
    # the same figures reach kpis.json, a missing figure as null
    by_type = outcome.kpis["by_household_type"]
    assert list(by_type) == list(HOUSEHOLD_TYPES)
    assert by_type["couple"]["share_outside_concentrated"] is None
    assert by_type["single"]["mean_wish_rank"] == 2.0
    pd.testing.assert_frame_equal(household_type_frame(by_type), EXPECTED, check_dtype=False)


def test_the_size_groups_split_every_household_once(tmp_path: Path) -> None:
    outcome = _hand_checked(tmp_path)
    sizes = EXPECTED.set_index("household_type").loc[list(HOUSEHOLD_TYPES[:4])]
    assert sizes["households"].sum() == len(outcome.plan)
    assert sizes["persons"].sum() == outcome.plan["persons"].sum()
    assert sizes["households_housed"].sum() == outcome.kpis["households_housed"]
    assert sizes["persons_housed"].sum() == outcome.kpis["persons_housed"]


def test_an_empty_run_has_six_rows_of_nothing() -> None:
    empty = pd.DataFrame(
        {
            "persons": np.array([], dtype=np.int64),
            "people": np.array([], dtype=np.int64),
            "needs_accessible": np.array([], dtype=bool),
            "expected_reunification": np.array([], dtype=np.int64),
            "housed": np.array([], dtype=bool),
            "wait_days": np.array([], dtype=float),
            "concentrated": pd.array([], dtype="boolean"),
            "has_wishes": np.array([], dtype=bool),
            "wish_rank": np.array([], dtype=np.int64),
        }
    )
    table = by_household_type(empty)
    assert table["households"].tolist() == [0] * 6
    figures = household_type_kpis(table)
    assert all(figures[t]["share_housed"] is None for t in HOUSEHOLD_TYPES)


# --------------------------------------------------------------------------
# the bundled example, against a count household by household


@cache
def _example() -> Outcome:
    return run_match(Inputs.from_scenario(paths.EXAMPLE))


def _counted_by_hand(outcome: Outcome) -> pd.DataFrame:
    """The table again, one household at a time from the input file and the plan's codes."""
    households = pd.read_csv(paths.EXAMPLE / "households.csv", dtype=str, keep_default_na=False)
    plan = outcome.plan.set_index("household_id")
    rows = {t: [] for t in HOUSEHOLD_TYPES}
    for row in households.itertuples(index=False):
        persons = int(row.persons)
        people = persons + int(row.expected_reunification or 0)
        types = ["single" if people == 1 else "couple" if people == 2 else
                 "family_3_4" if people <= 4 else "family_5_plus"]  # fmt: skip
        if row.needs_accessible == "true":
            types.append("needs_accessible")
        if int(row.expected_reunification or 0) > 0:
            types.append("expected_reunification")
        placed = plan.loc[row.household_id]
        housed = pd.notna(placed["dwelling_id"])
        wishes = [w for w in row.preferred_areas.split(";") if w]
        codes = {placed["buurt_code"], placed["wijk_code"], "GM0153"} if housed else set()
        rank = next((i + 1 for i, w in enumerate(wishes) if w in codes), 0)
        for t in types:
            rows[t].append((persons, housed, placed["wait_days"], placed["area_concentrated"],
                            bool(wishes), rank))  # fmt: skip
    out = []
    for t, members in rows.items():
        housed = [m for m in members if m[1]]
        wished = [m for m in housed if m[4]]
        ranked = [m[5] for m in wished if m[5] > 0]
        out.append(
            {
                "household_type": t,
                "households": len(members),
                "persons": sum(m[0] for m in members),
                "households_housed": len(housed),
                "persons_housed": sum(m[0] for m in housed),
                "share_housed": len(housed) / len(members) if members else NAN,
                "mean_wait_days": float(np.mean([m[2] for m in members])) if members else NAN,
                "share_outside_concentrated": (
                    sum(not m[3] for m in housed) / len(housed) if housed else NAN
                ),
                "housed_with_wishes": len(wished),
                "share_in_wished_area": len(ranked) / len(wished) if wished else NAN,
                "mean_wish_rank": float(np.mean(ranked)) if ranked else NAN,
            }
        )
    return pd.DataFrame(out)


def test_the_example_agrees_with_a_count_household_by_household() -> None:
    outcome = _example()
    table = household_type_table(outcome.instance, outcome.plan)
    pd.testing.assert_frame_equal(
        table, _counted_by_hand(outcome), check_dtype=False, atol=0.051
    )  # the table rounds waits to 0.1 day and shares to 0.0001
    assert table["households"].sum() > len(outcome.plan)  # the last two rows overlap


def test_kpis_workbook_and_report_carry_the_table(tmp_path: Path) -> None:
    outcome = _example()
    with use_language("nl"):
        write_plan(tmp_path, outcome)
    figures = json.loads((tmp_path / "kpis.json").read_text(encoding="utf-8"))
    assert list(figures["by_household_type"]) == list(HOUSEHOLD_TYPES)
    assert set(figures["by_household_type"]["single"]) == set(FIGURES)
    sheet = pd.read_excel(tmp_path / "plan.xlsx", sheet_name="per_huishoudtype")
    assert list(sheet.columns[:3]) == ["huishoudtype", "huishoudens", "personen"]
    assert "gezin van 5 of meer personen" in set(sheet["huishoudtype"])
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Uitkomsten per huishoudtype" in page and "verwacht gezinshereniging" in page


# --------------------------------------------------------------------------
# scenario runs


@pytest.fixture(scope="module")
def tiny_run():
    areas = load_areas()
    scenario = load_scenario(paths.FIXTURES / "scenario" / "tiny.toml", areas)
    return run_scenario(scenario, areas, seeds=1)


def test_each_variant_and_method_has_a_row_per_type(tiny_run) -> None:
    table = tiny_run.household_types
    assert list(table.columns) == [
        "scenario", "method", "household_type", "seeds", *HOUSEHOLD_TYPE_COLUMNS,
    ]  # fmt: skip
    assert len(table) == 2 * 2 * len(HOUSEHOLD_TYPES)  # runs × methods × types
    sizes = table[table["household_type"].isin(HOUSEHOLD_TYPES[:4])]
    totals = sizes.groupby(["scenario", "method"], sort=False)[
        ["households", "households_housed"]
    ].sum()
    comparison = tiny_run.comparison.set_index(["scenario", "method"])
    for column in ("households", "households_housed"):
        assert totals[column].to_dict() == comparison[column].astype(float).to_dict()


def test_the_household_types_plot_is_a_png(tiny_run, tmp_path: Path) -> None:
    path = tmp_path / "household_types.png"
    write_household_types(path, tiny_run.household_types, title="tiny")
    assert path.read_bytes()[:4] == b"\x89PNG" and path.stat().st_size > 20_000


def test_scenario_run_writes_the_table_and_the_plot(tmp_path: Path) -> None:
    import click

    from allocatie.cli.scenario import scenario as scenario_group

    out = tmp_path / "out"
    result = CliRunner().invoke(
        click.Group(commands={"scenario": scenario_group}),
        ["scenario", "run", str(paths.FIXTURES / "scenario" / "tiny.toml"), "--out", str(out),
         "--seeds", "1", "--quiet"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "household_types.csv")
    assert set(table["household_type"]) == set(HOUSEHOLD_TYPES)
    assert (out / "household_types.png").read_bytes()[:4] == b"\x89PNG"
