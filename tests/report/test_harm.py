"""No hidden harm: the plan beside first come, first served, household by household, and no_harm.

Hand-checked instances where the optimum treats one household worse than first come,
first served would (it waits; it gets a worse-ranked wish; a dwelling it wants less),
the rule that forbids it with its known cost, the pipeline's kpis.json and workbook,
and the property that under the rule nobody is harmed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from allocatie.cli.main import cli
from allocatie.inputs.policy import SolverSettings, policy_from_dict
from allocatie.model.builder import Instance
from allocatie.model.problem import ProblemData
from allocatie.report import harm
from allocatie.solve import Status, solve
from tests.language import english  # noqa: F401
from tests.paths import EXAMPLE
from tests.solve.conftest import random_problem

DAY = dt.date(2019, 10, 1)


def tiny_instance(
    problem: ProblemData,
    wish_rank: np.ndarray | None = None,
    *,
    no_harm: bool = False,
    rng: np.random.Generator | None = None,
) -> Instance:
    """An :class:`Instance` around ``problem`` with just the tables the comparison reads.

    Households join the queue in order (household 0 first) unless ``rng`` shuffles the
    dates; dwellings are offered in order too.
    """
    nh, nd = problem.n_households, problem.n_dwellings
    days = np.arange(nh) if rng is None else rng.permutation(nh)
    households = pd.DataFrame(
        {
            "household_id": [f"HH-{h}" for h in range(nh)],
            "linked_on": pd.to_datetime([DAY + dt.timedelta(days=int(x)) for x in days]),
        }
    )
    dwellings = pd.DataFrame(
        {
            "dwelling_id": [f"W-{d}" for d in range(nd)],
            "available_from": pd.to_datetime([DAY + dt.timedelta(days=d) for d in range(nd)]),
            "area_code": [f"BU{a:08d}" for a in problem.dwelling_area],
            "area_name": [f"Buurt {a}" for a in problem.dwelling_area],
        }
    )
    rank = np.zeros(problem.n_pairs) if wish_rank is None else np.asarray(wish_rank)
    pairs = pd.DataFrame(
        {
            "household": problem.pair_household,
            "dwelling": problem.pair_dwelling,
            "wish_rank": rank.astype(np.float32),
            "problem_index": np.arange(problem.n_pairs, dtype=np.int32),
        }
    )
    policy = policy_from_dict({"fairness": {"no_harm": no_harm}})
    return Instance(
        households, dwellings, pairs, pd.DataFrame(), policy, DAY, "test", problem,
        np.unique(dwellings["area_code"]),
    )  # fmt: skip


def problem(pairs, persons, outside=None, preference=None, n_dwellings=None) -> ProblemData:
    """Pairs (household, dwelling) sorted as given, one area, no caps, no quality."""
    h = np.array([p[0] for p in pairs])
    d = np.array([p[1] for p in pairs])
    n = len(h)
    nd = n_dwellings or int(d.max()) + 1
    return ProblemData(
        n_households=int(h.max()) + 1,
        n_dwellings=nd,
        pair_household=h,
        pair_dwelling=d,
        pair_persons=np.asarray(persons)[h],
        pair_outside=np.zeros(n, dtype=int) if outside is None else outside,
        pair_quality=np.zeros(n, dtype=int),
        pair_pinned=np.zeros(n, dtype=bool),
        pair_preference=np.zeros(n, dtype=int) if preference is None else preference,
        dwelling_area=np.zeros(nd, dtype=int),
        dwelling_complex=np.full(nd, -1),
        area_max_households=[-1],
        area_max_persons=[-1],
    )


def outcome(instance: Instance) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """The comparison, its kpis and its sheet for the instance's optimum."""
    result = solve(instance.problem)
    figures, sheet = harm.report(instance, result)
    assert sheet is not None
    return harm.compare(instance, result.selected, harm.fcfs(instance)), figures, sheet


def test_the_optimum_leaves_an_fcfs_household_waiting_and_no_harm_houses_it() -> None:
    # HH-0 (1 person) is first in the queue and takes the one dwelling under FCFS;
    # the optimum gives it to HH-1 (3 persons): HH-0 waits where FCFS houses it
    instance = tiny_instance(problem([(0, 0), (1, 0)], persons=[1, 3]))
    comparison, figures, sheet = outcome(instance)
    assert comparison["harm"].tolist() == [harm.WAITS, ""]
    assert figures["harmed_vs_fcfs"] == 1 and figures["harmed_vs_fcfs_waiting"] == 1
    assert figures["fcfs_persons_housed"] == 1
    assert sheet.iloc[0, 0] == "HH-0" and "W-0" in sheet.iloc[0, -1]
    assert "waiting" in sheet.iloc[0, -1]

    ruled = tiny_instance(instance.problem, no_harm=True)
    without = solve(ruled.problem)
    result, cost = harm.solve_no_harm(ruled, without, SolverSettings())
    assert cost["tiers_without"] == [3, 0, 0] and cost["tiers_with"] == [1, 0, 0]
    assert cost["cost"] == [2, 0, 0]  # two persons fewer housed: the price of HH-0's place
    assert harm.report(ruled, result, cost)[0]["harmed_vs_fcfs"] == 0


def test_a_worse_ranked_wish_is_harm_and_no_harm_costs_tier_2() -> None:
    # W-0 is offered first and is HH-0's first wish, but in a concentrated area;
    # W-1 (not wished) lies outside: the optimum (tier 2) takes W-1
    instance = tiny_instance(
        problem([(0, 0), (0, 1)], persons=[2], outside=np.array([0, 1])), wish_rank=[1, 0]
    )
    comparison, figures, sheet = outcome(instance)
    assert comparison["harm"].tolist() == [harm.WORSE_WISH]
    assert "worse-ranked wish" in sheet.iloc[0, -1] and "wish no. 1" in sheet.iloc[0, -1]
    result, cost = harm.solve_no_harm(instance, solve(instance.problem), SolverSettings())
    assert cost["cost"] == [0, 1, 0]
    assert result.selected.tolist() == [True, False]


def test_a_less_wanted_dwelling_is_harm() -> None:
    instance = tiny_instance(
        problem(
            [(0, 0), (0, 1)], persons=[2], outside=np.array([0, 1]),
            preference=np.array([800, 200]),
        )
    )  # fmt: skip
    comparison, figures, sheet = outcome(instance)
    assert comparison["harm"].tolist() == [harm.LESS_WANTED]
    assert "less well" in sheet.iloc[0, -1]


def test_a_household_fcfs_leaves_waiting_is_never_harmed() -> None:
    # FCFS gives the dwelling to HH-0; the optimum too: nobody is worse off
    instance = tiny_instance(problem([(0, 0), (1, 0)], persons=[3, 1]))
    comparison, figures, sheet = outcome(instance)
    assert figures["harmed_vs_fcfs"] == 0 and sheet.empty


@settings(max_examples=80, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), headroom=st.booleans())
def test_with_no_harm_nobody_is_worse_off_than_under_fcfs(seed: int, headroom: bool) -> None:
    rng = np.random.default_rng(seed)
    base = random_problem(
        rng, int(rng.integers(1, 9)), int(rng.integers(1, 9)), persons_cap=headroom, pins=True
    )
    base = base.replace(pair_preference=rng.integers(0, 3, base.n_pairs) * 500)
    instance = tiny_instance(base, rng.integers(0, 4, base.n_pairs), no_harm=True, rng=rng)
    without = solve(instance.problem)
    assume(without.status == Status.OPTIMAL)  # not a pin that breaks a cap
    result, cost = harm.solve_no_harm(instance, without, SolverSettings())
    assert result.status == Status.OPTIMAL  # FCFS's own plan satisfies the rule
    assert instance.problem.violations(result.selected) == []
    figures = harm.report(instance, result, cost)[0]
    assert figures["harmed_vs_fcfs"] == 0
    # the rule only removes plans: the solvers' optimum is never better than without it
    # (the reported tiers are after the stability pass, which may give up some tier 3)
    assert result.solver_objective <= without.solver_objective
    assert tuple(cost["tiers_with"][:2]) <= tuple(cost["tiers_without"][:2])
    assert tuple(cost["tiers_with"][:1]) >= (harm.fcfs(instance).tiers[0],)


@pytest.mark.parametrize("no_harm", [False, True])
def test_match_reports_the_comparison(tmp_path: Path, no_harm: bool) -> None:
    scenario = tmp_path / "scenario"
    shutil.copytree(EXAMPLE, scenario)
    if no_harm:
        with (scenario / "policy.toml").open("a", encoding="utf-8") as policy:
            policy.write("\n[fairness]\nno_harm = true\n")
    out = tmp_path / "out"
    run = CliRunner().invoke(
        cli, ["match", "--scenario", str(scenario), "--out", str(out), "--lang", "en"],
        catch_exceptions=False,
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    kpis = json.loads((out / "kpis.json").read_text(encoding="utf-8"))
    assert isinstance(kpis["harmed_vs_fcfs"], int) and kpis["fcfs_persons_housed"] > 0
    assert kpis["no_harm"]["on"] is no_harm
    if no_harm:
        assert kpis["harmed_vs_fcfs"] == 0
        assert set(kpis["no_harm"]) >= {"tiers_without", "tiers_with", "cost"}
        assert kpis["no_harm"]["tiers_with"] == [
            kpis["objective_tier1_persons_housed"],
            kpis["objective_tier2_outside_concentrated"],
            kpis["objective_tier3_quality"],
        ]
    sheets = pd.ExcelFile(out / "plan.xlsx").sheet_names
    assert "harm_vs_fcfs" in sheets
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "first come, first served" in report


def test_without_any_plan_in_time_the_rule_falls_back_to_fcfs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    instance = tiny_instance(problem([(0, 0), (1, 0)], persons=[1, 3]), no_harm=True)
    without = solve(instance.problem)

    def out_of_time(part: ProblemData, *args, **kwargs):
        return dataclasses.replace(
            solve(part), selected=np.zeros(part.n_pairs, dtype=bool), status=Status.UNKNOWN
        )

    monkeypatch.setattr(harm, "solve", out_of_time)
    result, cost = harm.solve_no_harm(instance, without, SolverSettings())
    assert result.status == Status.FEASIBLE
    assert result.selected.tolist() == harm.fcfs(instance).selected.tolist() == [True, False]
    assert cost["tiers_with"] == [1, 0, 0]
