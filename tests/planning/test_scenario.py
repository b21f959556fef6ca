"""Scenario files, their validation, the runner and ``allocatie scenario run``."""

from __future__ import annotations

import datetime as dt

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from allocatie.areas.data import load_areas
from allocatie.cli.scenario import scenario as scenario_group
from allocatie.inputs.errors import InputError
from allocatie.inputs.policy import Policy
from allocatie.planning.planner import SimulationSettings
from allocatie.planning.scenario import (
    BASE,
    COMPARISON_COLUMNS,
    Arrivals,
    ExtraDwellings,
    Offers,
    Run,
    Scenario,
    build_streams,
    load_scenario,
    run_scenario,
    scenario_from_dict,
)
from allocatie.planning.synth import DwellingMix, HouseholdMix
from tests import paths
from tests.paths import EXAMPLES

FIXTURES = paths.FIXTURES / "scenario"
BUNDLED = sorted((EXAMPLES).glob("*.toml"))


@pytest.fixture(scope="module")
def areas():
    return load_areas()


@pytest.fixture(scope="module")
def tiny(areas):
    return load_scenario(FIXTURES / "tiny.toml", areas)


def problems_of(name: str, areas=None) -> dict[str, str]:
    with pytest.raises(InputError) as caught:
        load_scenario(FIXTURES / name, areas)
    return {p.column or "": p.message for p in caught.value.problems}


# --------------------------------------------------------------------------
# bundled scenarios


def test_three_bundled_half_year_scenarios_load(areas):
    names = {path.name for path in BUNDLED}
    assert {
        "enschede-2019h2-halfjaar.toml",
        "almelo-2019h2-halfjaar.toml",
        "hengelo-2019h2-halfjaar.toml",
    } <= names
    for path in BUNDLED:
        loaded = load_scenario(path, areas)
        assert loaded.runs[0].name == BASE and len(loaded.runs) >= 4
        assert loaded.municipality in ("GM0153", "GM0141", "GM0164")
        for run in loaded.runs:
            for extra in run.extra_dwellings:  # only real codes of that municipality
                assert areas.stats.loc[extra.area, "gemeente_code"] == loaded.municipality


def test_enschede_taakstelling_and_variants(areas):
    loaded = load_scenario(EXAMPLES / "enschede-2019h2-halfjaar.toml", areas)
    runs = {run.name: run for run in loaded.runs}
    assert runs[BASE].policy.period.quota_persons == 52
    plus = runs["taakstelling+30%"]
    assert plus.policy.period.quota_persons == 68  # round(52 × 1.3)
    assert plus.arrivals.households == pytest.approx(runs[BASE].arrivals.households * 1.3)
    assert runs["strenger-spreiden"].policy.spreading.lq_threshold == 1.3
    assert runs["strenger-spreiden"].policy.spreading.max_per_complex == 2  # base kept
    assert runs["meer-weigeringen"].simulation.refusal_rate == 0.25
    assert runs["meer-weigeringen"].simulation.offer_days == 42


def test_hengelo_noord_variant_adds_two_bedroom_dwellings_in_noord(areas):
    loaded = load_scenario(EXAMPLES / "hengelo-2019h2-halfjaar.toml", areas)
    runs = {run.name: run for run in loaded.runs}
    base = build_streams(loaded, runs[BASE], 1, areas)
    noord = build_streams(loaded, runs["extra-tweekamer-noord"], 1, areas)
    pd.testing.assert_frame_equal(base.households, noord.households)  # shared koppelingen
    added = noord.dwellings[noord.dwellings["dwelling_id"].str.startswith("X1-")]
    assert len(added) == 20 and added["bedrooms"].eq(2).all()
    assert set(added["wijk_code"]) == {"WK016402"}
    assert added["buurt_code"].nunique() > 1  # spread over the buurten of the wijk
    assert len(noord.dwellings) == len(base.dwellings) + 20
    assert noord.forecast.supply[2] > base.forecast.supply[2]


# --------------------------------------------------------------------------
# broken files, named after their defect


def test_syntax_error_names_the_line():
    assert problems_of("syntax_error.toml") == {
        "": "TOML syntax error: Illegal character '\\n' at column 23"
    }


def test_unknown_keys_and_wrong_types_are_all_reported():
    found = problems_of("unknown_keys_and_wrong_types.toml")
    assert set(found) == {
        "extra",
        "scenario.colour",
        "scenario.seeds",
        "period.end",
        "period.quota_persons",
        "simulation.refusal_rate",
        "simulation.lookahead",
        "arrivals.persons",
        "offers.bedrooms",
    }
    assert "unknown setting" in found["scenario.colour"]
    assert "expected a date" in found["period.end"]


def test_values_out_of_range_are_all_reported():
    found = problems_of("values_out_of_range.toml")
    assert set(found) == {
        "period.end",
        "period.quota_persons",
        "simulation.meeting_day",
        "simulation.refusal_rate",
        "simulation.offer_days",
        "arrivals.single_parent_share",
        "arrivals.persons",
        "offers.concentrated_tilt",
        "policy.spreading.lq_threshold",
    }


def test_missing_required_settings_are_named():
    assert set(problems_of("missing_required_settings.toml")) == {
        "scenario.name",
        "scenario.municipality",
        "period.end",
        "period.quota_persons",
        "arrivals.households",
        "offers.dwellings",
    }


def test_variant_defects_carry_the_variant_name():
    assert set(problems_of("variant_defects.toml")) == {
        "variant[1].name",
        "variant.twice.name",
        "variant.area-outside-municipality.extra_dwellings[1].area",
        "variant.bad-extra-block.extra_dwellings[1].count",
        "variant.bad-extra-block.extra_dwellings[1].area",
        "variant.bad-policy-and-rate.quota_factor",
        "variant.bad-policy-and-rate.simulation.refusal_rate",
        "variant.bad-policy-and-rate.policy.spreading.lq_threshold",
        "variant.moves-period.period.start",
    }


def test_codes_are_checked_against_the_area_data(areas):
    found = problems_of("unknown_area_codes.toml", areas)
    assert found == {
        "variant.no-such-buurt.extra_dwellings[1].area": "unknown area code BU01649999"
    }
    assert (
        "GM9999 is not a municipality"
        in problems_of("unknown_municipality.toml", areas)["scenario.municipality"]
    )
    assert problems_of("missing_stream_file.toml", areas) == {
        "arrivals.file": "file not found: does-not-exist.csv"
    }


def test_a_variant_section_that_is_not_a_table_is_reported_not_a_crash():
    data = {
        "scenario": {"name": "s", "municipality": "GM0153"},
        "period": {"start": dt.date(2019, 7, 1), "end": dt.date(2019, 12, 31), "quota_persons": 6},
        "arrivals": {"households": 4},
        "offers": {"dwellings": 4},
        "variant": [{"name": "v", "quota_factor": 1.3, "period": 3, "arrivals": "many"}],
    }
    with pytest.raises(InputError) as caught:
        scenario_from_dict(data, "s.toml")
    assert {p.column for p in caught.value.problems} == {
        "variant.v.period",
        "variant.v.arrivals",
    }


def test_a_scaled_variant_is_checked_against_the_same_rules():
    data = {
        "scenario": {"name": "s", "municipality": "GM0153"},
        "period": {"start": dt.date(2019, 7, 1), "end": dt.date(2019, 12, 31), "quota_persons": 6},
        "arrivals": {"households": 90_000},
        "offers": {"dwellings": 4},
        "variant": [{"name": "twice", "quota_factor": 2}],
    }
    with pytest.raises(InputError) as caught:
        scenario_from_dict(data, "s.toml")
    (problem,) = caught.value.problems
    assert problem.column == "variant.twice.arrivals.households"
    assert problem.message == "must be at most 100000, got 180000.0"


# --------------------------------------------------------------------------
# every settings dataclass refuses a bad value where it is built


def _run(**changes):
    fields = {
        "name": "base",
        "description": "",
        "policy": Policy(),
        "simulation": SimulationSettings(),
        "arrivals": Arrivals(),
        "offers": Offers(),
        **changes,
    }
    return Run(**fields)


def _scenario(**changes):
    fields = {
        "name": "s",
        "title": "S",
        "municipality": "GM0153",
        "seeds": 5,
        "amenities": "none",
        "runs": (_run(),),
        "file": "s.toml",
        **changes,
    }
    return Scenario(**fields)


@pytest.mark.parametrize(
    ("build", "key"),
    [
        (lambda: SimulationSettings(meeting_day=29), "meeting_day"),
        (lambda: SimulationSettings(offer_days=-1), "offer_days"),
        (lambda: SimulationSettings(refusal_rate=1.5), "refusal_rate"),
        (lambda: SimulationSettings(lookahead="yes"), "lookahead"),
        (lambda: HouseholdMix(persons={1: 0, 2: 0}), "persons"),
        (lambda: HouseholdMix(persons={0: 1}), "persons"),
        (lambda: HouseholdMix(single_parent_share=1.2), "single_parent_share"),
        (lambda: HouseholdMix(interest_counts={9: 1}), "interest_counts"),
        (lambda: DwellingMix(rent={2: 0.0}), "rent"),
        (lambda: DwellingMix(bedrooms={11: 1}), "bedrooms"),
        (lambda: DwellingMix(concentrated_tilt=0), "concentrated_tilt"),
        (lambda: DwellingMix(corporations={"A": -1}), "corporations"),
        (lambda: DwellingMix(min_residents=-1), "min_residents"),
        (lambda: Arrivals(households=-1), "households"),
        (lambda: Arrivals(waiting_at_start=2.5), "waiting_at_start"),
        (lambda: Arrivals(mix="default"), "mix"),
        (lambda: Offers(dwellings=200_000), "dwellings"),
        (lambda: ExtraDwellings(count=0, bedrooms=2, area="WK015304"), "count"),
        (lambda: ExtraDwellings(count=5, bedrooms=11, area="WK015304"), "bedrooms"),
        (lambda: ExtraDwellings(count=5, bedrooms=2, area="Enschede-Noord"), "area"),
        (lambda: ExtraDwellings(count=5, bedrooms=2, area="WK015304", rent=0), "rent"),
        (lambda: _run(policy=None), "policy"),
        (lambda: _run(extra_dwellings=[]), "extra_dwellings"),
        (lambda: _scenario(seeds=0), "seeds"),
        (lambda: _scenario(municipality="GM153"), "municipality"),
    ],
)
def test_each_settings_dataclass_refuses_a_bad_field_when_built(build, key):
    with pytest.raises(InputError) as caught:
        build()
    assert [p.column for p in caught.value.problems] == [key]


def test_good_settings_build():
    assert _scenario().runs[0].simulation.refusal_rate == 0.0
    assert SimulationSettings(refusal_rate=1.0).refusal_rate == 1.0  # every offer refused
    assert ExtraDwellings(count=5, bedrooms=2, area="BU01530101").rent is None


# --------------------------------------------------------------------------
# running


def test_streams_from_files_reproduce_the_hand_checked_outcome(areas):
    loaded = load_scenario(FIXTURES / "from_files.toml", areas)
    result = run_scenario(loaded, areas, seeds=2)
    summary = result.summary.set_index("method")
    # the same tiny stream as tests/test_planner.py: optimised 6 of 6 persons, fcfs 4
    assert summary.loc["optimised", "persons_housed"] == 6
    assert summary.loc["fcfs", "persons_housed"] == 4
    assert result.comparison["persons_housed"].tolist() == [6, 4, 6, 4]  # no refusals


def test_same_scenario_and_seeds_give_the_same_comparison(tiny, areas):
    first = run_scenario(tiny, areas, seeds=1)
    again = run_scenario(tiny, areas, seeds=1)
    pd.testing.assert_frame_equal(first.comparison, again.comparison)
    pd.testing.assert_frame_equal(first.placements, again.placements)


# --------------------------------------------------------------------------
# command line


def invoke(*args: str):
    group = click.Group(commands={"scenario": scenario_group})
    return CliRunner().invoke(group, list(args), catch_exceptions=False)


def test_cli_runs_a_tiny_scenario_and_writes_everything(tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "scenario", "run", str(FIXTURES / "tiny.toml"), "--out", str(out), "--seeds", "2",
        "--lang", "en",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "optimised" in result.output and "fcfs" in result.output
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(comparison.columns[:3]) == ["scenario", "method", "seed"]
    assert set(COMPARISON_COLUMNS) <= set(comparison.columns)
    assert len(comparison) == 2 * 2 * 2  # runs × seeds × methods
    assert set(comparison["method"]) == {"optimised", "fcfs"}
    summary = pd.read_csv(out / "summary.csv")
    assert summary[["scenario", "method"]].values.tolist() == [
        ["base", "optimised"], ["base", "fcfs"], ["extra", "optimised"], ["extra", "fcfs"],
    ]  # fmt: skip
    assert (summary["seeds"] == 2).all()
    monthly = pd.read_csv(out / "monthly.csv")
    assert len(monthly) == 8 * 3 and {"pace_target", "pace_line"} <= set(monthly.columns)
    for name in ("cumulative.png", "placements_per_area.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
        assert (out / name).stat().st_size > 20_000


def test_cli_input_problems_exit_2_and_write_nothing(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        click.Group(commands={"scenario": scenario_group}),
        [
            "scenario",
            "run",
            str(FIXTURES / "variant_defects.toml"),
            "--out",
            str(out),
            "--lang",
            "en",
        ],  # fmt: skip
    )
    assert result.exit_code == 2
    assert "9 problems found" in result.output and "variant.twice.name" in result.output
    assert not out.exists()
    missing = CliRunner().invoke(
        click.Group(commands={"scenario": scenario_group}),
        ["scenario", "run", str(tmp_path / "nope.toml"), "--out", str(out), "--lang", "en"],
    )
    assert missing.exit_code == 2 and "file not found" in missing.output
    assert not out.exists()
