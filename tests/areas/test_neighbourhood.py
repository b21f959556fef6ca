"""Before/after effects of a plan on the neighbourhoods of a municipality."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from allocatie.areas.data import load_areas
from allocatie.areas.neighbourhood import before_after
from allocatie.match import Inputs, run_match
from tests.paths import EXAMPLE, ROOT

REFERENCE = json.loads((ROOT / "tests" / "reference" / "pysal_reference.json").read_text())
EMPTY = pd.Series(dtype=int)


@pytest.mark.parametrize("gemeente", ["GM0153", "GM0141", "GM0164"])
@pytest.mark.parametrize("level", ["buurt", "wijk"])
def test_before_equals_the_pysal_reference(gemeente, level):
    indices, table = before_after(
        load_areas(), gemeente, level, "migration_non_western", 1.5, EMPTY, EMPTY
    )
    reference = REFERENCE["municipalities"][gemeente][level]
    for key in ("dissimilarity", "isolation", "exposure", "entropy", "gini"):
        assert indices["before"][key] == pytest.approx(reference[key], abs=1e-6)
    assert indices["after"] == indices["before"]  # nothing placed: nothing changes
    assert (table["lq_before"] == table["lq_after"]).all()


def test_after_adds_placed_persons_to_residents_and_group():
    # Ruwenbos BU01530208: 5 persons placed → its share becomes (g + 5) / (r + 5)
    areas = load_areas()
    persons = pd.Series({"BU01530208": 5})
    _, table = before_after(
        areas, "GM0153", "buurt", "migration_non_western", 1.5, persons.clip(upper=1), persons
    )
    row = table.set_index("code").loc["BU01530208"]
    stats = areas.stats.loc["BU01530208"]
    g, r = float(stats["migration_non_western"]), float(stats["residents"])
    city = areas.stats[
        (areas.stats["level"] == "buurt") & (areas.stats["gemeente_code"] == "GM0153")
    ]
    city_g = city["migration_non_western"].astype(float).sum() + 5
    city_r = city["residents"].astype(float).sum() + 5
    assert row["lq_after"] == pytest.approx(((g + 5) / (r + 5)) / (city_g / city_r), abs=1e-3)
    assert (row["households_placed"], row["persons_placed"]) == (1, 5)


def test_the_example_reports_before_after_and_placements_per_area():
    outcome = run_match(Inputs.from_scenario(EXAMPLE))
    seg = outcome.kpis["segregation"]
    enschede = seg["municipalities"]["GM0153"]
    assert enschede["buurt"]["areas"] == 70 and enschede["wijk"]["areas"] == 10
    assert enschede["wijk"]["before"]["spatial_dissimilarity"] == pytest.approx(
        REFERENCE["municipalities"]["GM0153"]["wijk"]["spatial_dissimilarity"], abs=1e-6
    )
    placed = outcome.plan["dwelling_id"].notna()
    wijk_rows = outcome.area_effects[outcome.area_effects["level"] == "wijk"]
    assert wijk_rows["households_placed"].sum() == placed.sum()  # every placement has a wijk
    assert wijk_rows["persons_placed"].sum() == outcome.plan.loc[placed, "persons"].sum()
    buurt_rows = outcome.area_effects[outcome.area_effects["level"] == "buurt"]
    assert buurt_rows["households_placed"].sum() == placed.sum() - seg["placements_without_buurt"]
