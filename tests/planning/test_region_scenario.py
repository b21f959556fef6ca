"""A region's half year, separate vs pooled: accounting invariants, streams, the CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.areas.data import load_areas
from allocatie.cli.main import cli
from allocatie.planning.region_scenario import run_region
from allocatie.planning.scenario import load_scenario
from tests.paths import EXAMPLES

FILES = [EXAMPLES / "enschede-2019h2-halfjaar.toml", EXAMPLES / "almelo-2019h2-halfjaar.toml"]


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def twente(areas):
    return run_region([load_scenario(f, areas) for f in FILES], areas, seed=1)


def test_both_sides_account_for_the_same_households(twente):
    s = twente.summary.set_index(["mode", "municipality"])
    for mode in ("separate", "pooled"):
        part = s.loc[mode]
        municipalities = part.drop(index="region")
        # the region is the sum of its municipalities
        for column in ("target_persons", "persons_housed", "own_persons_housed",
                       "households_waiting", "herkoppelingen_sent"):  # fmt: skip
            assert part.loc["region", column] == municipalities[column].sum()
        # persons housed in a municipality's dwellings = its own housed at home + received
        assert part.loc["region", "persons_housed"] == part.loc["region", "own_persons_housed"]
        assert municipalities["herkoppelingen_sent"].sum() == (
            municipalities["herkoppelingen_received"].sum()
        )
    separate = s.loc["separate"]
    assert (separate["herkoppelingen_sent"] == 0).all()  # alone, nobody leaves
    assert (separate["persons_housed"] == separate["own_persons_housed"]).all()
    assert s.loc[("separate", "region"), "target_persons"] == 58 + 27  # taakstelling + backlog
    assert s.loc[("pooled", "region"), "target_persons"] == 58 + 27


def test_months_add_up_to_the_half_year(twente):
    months = twente.months
    last = months.groupby(["mode", "municipality"])["persons_housed_cumulative"].last()
    housed = twente.summary.set_index(["mode", "municipality"])["persons_housed"]
    pd.testing.assert_series_equal(
        last.sort_index(), housed.sort_index(), check_names=False, check_dtype=False
    )
    assert months.groupby(["mode", "municipality"]).size().nunique() == 1  # same meetings


def test_a_region_needs_two_municipalities(areas):
    one = load_scenario(FILES[0], areas)
    with pytest.raises(ValueError, match="two or more distinct"):
        run_region([one, one], areas)


def test_cli_writes_the_comparison(tmp_path):
    out = tmp_path / "twente"
    result = CliRunner().invoke(
        cli, ["scenario", "region", *map(str, FILES), "--out", str(out), "--no-plots",
              "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(out / "region_summary.csv")
    assert set(summary["mode"]) == {"separate", "pooled"}
    assert set(summary["municipality"]) == {"GM0153", "GM0141", "region"}
    assert (out / "region_months.csv").is_file()
    assert "Separate → pooled" in result.output


def test_cli_refuses_one_municipality_twice(tmp_path):
    result = CliRunner().invoke(
        cli, ["scenario", "region", str(FILES[0]), str(FILES[0]), "--out", str(tmp_path / "x"),
              "--lang", "en"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "two or more different municipalities" in result.output
    assert not (tmp_path / "x").exists()
