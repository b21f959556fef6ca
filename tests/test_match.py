"""The monthly job end to end on real CBS areas: a hand-checked case and the example."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from allocatie.areas.concentration import AREA_COLUMNS
from allocatie.areas.data import load_areas
from allocatie.match import Inputs, prepare, run_match
from allocatie.model.builder import build_instance
from allocatie.solve.brute import solve_brute
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, solve_flow
from tests.language import english  # noqa: F401  (reasons read in English)
from tests.paths import EXAMPLE, FIXTURES

TINY = FIXTURES / "tiny"


def tiny_inputs() -> Inputs:
    return Inputs(TINY / "households.csv", TINY / "dwellings.csv", TINY / "policy.toml")


def example_inputs() -> Inputs:
    return Inputs.from_scenario(EXAMPLE)


def test_tiny_instance_has_the_hand_checked_plan():
    """T1 (4 p.) fits only A (2 bedrooms, concentrated Wesselerbrink NW); T3 (2 p.) fits only A
    too (B is in its excluded buurt, D is over the cap); T2 (1 p.) fits A, B and C.
    Tier 1: T1 takes A (4 > 2 persons), T2 is housed: 5 persons. Tier 2: T2 outside.
    Tier 3, no interests or wishes: quality = 1000 · (fit + waiting) / 4 with waiting =
    days / 365; T1-A: fit 1, waiting 122/365 → 334; T2-C (studio, no spare room) fit 1,
    waiting 61/365 → 292; T2-B would have fit 2/3 → 208. So T2 gets C; total 626."""
    outcome = run_match(tiny_inputs())
    plan = outcome.plan.set_index("household_id")
    assert plan["dwelling_id"].tolist()[:2] == ["A", "C"]
    assert pd.isna(plan.loc["T3", "dwelling_id"])
    assert outcome.result.objective == (5, 1, 626)
    assert plan.loc["T1", "area_concentrated"]
    assert "the only dwelling that fits went to T1" in plan.loc["T3", "reason"]
    k = outcome.kpis
    assert (k["persons_housed"], k["households_housed"], k["households_unplaced"]) == (5, 2, 1)
    assert k["households_outside_concentrated"] == 1
    assert k["quota_attainment"] == round(5 / 52, 4)
    assert (k["mean_wait_days"], k["max_wait_days"]) == (round((122 + 61 + 30) / 3, 1), 122)


def test_bundled_example_plan_is_optimal_and_explained():
    outcome = run_match(example_inputs())
    k = outcome.kpis
    assert k["solve_status"] == "OPTIMAL"
    # the generator's own max-persons bound (networkx) for this example is 47 persons
    assert k["persons_housed"] == 47
    plan = outcome.plan
    assert plan["reason"].str.len().min() > 20
    assert plan["household_id"].tolist() == outcome.instance.households["household_id"].tolist()
    assert "notes_intake" in plan.columns  # unknown columns are passed through
    pinned = plan[plan["pinned"]]
    assert len(pinned) == 1 and pinned["reason"].iloc[0].startswith("Pinned")


def rebuild(instance, households=None, dwellings=None, policy=None):
    """Build again from an instance's own validated tables (derived columns dropped)."""
    derived = [*AREA_COLUMNS, "area_index"]
    households = instance.households if households is None else households
    dwellings = instance.dwellings if dwellings is None else dwellings
    return build_instance(
        households.drop(columns=["people", "wait_days"]),
        dwellings.drop(columns=derived),
        policy or instance.policy,
        load_areas().stats,
    )


@pytest.mark.parametrize("projected", [True, False])
def test_cpsat_and_flow_agree_on_the_bundled_example(projected):
    instance, _ = prepare(example_inputs())
    spreading = replace(instance.policy.spreading, projected_composition=projected)
    instance = rebuild(instance, policy=replace(instance.policy, spreading=spreading))
    cpsat = solve_cpsat(instance.problem)
    assert cpsat.status == "OPTIMAL"
    assert is_network(instance.problem)  # the example's headroom never binds
    assert solve_flow(instance.problem).objective == cpsat.objective


@pytest.mark.parametrize("seed", range(6))
def test_brute_force_agrees_on_real_data_subsets(seed):
    """Random 5-household × 5-dwelling slices of the example, solved three ways."""
    full, _ = prepare(example_inputs())
    rng = np.random.default_rng(seed)
    households = full.households.iloc[np.sort(rng.choice(len(full.households), 5, replace=False))]
    dwellings = full.dwellings.iloc[np.sort(rng.choice(len(full.dwellings), 5, replace=False))]
    instance = rebuild(full, households, dwellings)
    brute = solve_brute(instance.problem)
    cpsat = solve_cpsat(instance.problem)
    assert (brute.status, brute.objective) == (cpsat.status, cpsat.objective)
    if is_network(instance.problem):
        assert solve_flow(instance.problem).objective == brute.objective


def test_placements_earlier_in_the_period_count_toward_the_area_cap(tmp_path):
    """With one household per area per period and Wesselerbrink NW already given one this
    period, dwelling A is closed: T1 and T3 (who fit only A) wait, T2 still gets C."""
    policy = (TINY / "policy.toml").read_text() + (
        "\n[spreading]\nmax_households_per_area = 1\n\n"
        "[spreading.placed_this_period]\nBU01530606 = 1\n"
    )
    (tmp_path / "policy.toml").write_text(policy)
    outcome = run_match(Inputs.from_scenario(TINY, policy=tmp_path / "policy.toml"))
    plan = outcome.plan.set_index("household_id")
    assert plan["dwelling_id"].isna().tolist() == [True, False, True]
    assert plan.loc["T2", "dwelling_id"] == "C"
    assert "max_households_per_area = 1 is reached in BU01530606" in plan.loc["T1", "reason"]


def test_reasons_in_dutch_for_coordinators():
    """Dutch words, Dutch decimals and Dutch money (€ 600,00) in the Dutch reasons."""
    plan = run_match(tiny_inputs(), lang="nl").plan.set_index("household_id")
    assert plan.loc["T1", "reason"].startswith("Geplaatst: A (2 slaapkamers, €\xa0600,00)")
    assert "een geconcentreerd gebied (LQ 1,82 ≥ 1,5)" in plan.loc["T1", "reason"]
    assert plan.loc["T3", "reason"].startswith("Wacht: de enige passende woning ging naar T1")


def test_reasons_follow_the_language_of_the_context():
    """Without ``lang`` the reasons are in the context's language: one mechanism for all."""
    from allocatie.i18n import use_language
    from allocatie.report.explain import explain

    outcome = run_match(tiny_inputs(), lang="en")
    reasons_en = outcome.plan.set_index("household_id")["reason"]
    assert reasons_en["T1"].startswith("Placed: A (2 bedrooms, €600.00)")
    assert "a concentrated area (LQ 1.82 ≥ 1.5)" in reasons_en["T1"]
    with use_language("nl"):
        dutch = explain(outcome.instance, outcome.result)
    assert dutch.iloc[0].startswith("Geplaatst: A (2 slaapkamers")
    with use_language("nl"):
        assert explain(outcome.instance, outcome.result, lang="en").iloc[0] == reasons_en["T1"]


@pytest.mark.parametrize("date", ["9999-12-31", "2099-01-01", "2019-01-01"])
def test_a_matching_date_outside_the_period_is_one_clear_input_problem(tmp_path, date):
    """9999-12-31 once ended in an OverflowError; 2099 reported a mean wait of 29,268 days."""
    from click.testing import CliRunner

    from allocatie.cli.main import cli

    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["match", "--scenario", str(TINY), "--date", date, "--out", str(out), "--lang", "en"]
    )
    assert result.exit_code == 2, result.output
    assert f"the matching date {date} lies outside the period 2019-07-01 to 2019-12-31" in (
        result.output
    )
    assert "unexpected" not in result.output and not out.exists()
