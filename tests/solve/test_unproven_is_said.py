"""A plan that is not proven optimal says so in kpis.json, with the gap to the bound."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import allocatie.match
from allocatie.match import Inputs, run_match
from allocatie.model.problem import ProblemData
from allocatie.solve import Result, Status, solve
from tests.paths import EXAMPLE


def test_kpis_carry_the_status_the_gap_and_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    proven = run_match(Inputs.from_scenario(EXAMPLE)).kpis
    assert proven["solve_status"] == "OPTIMAL"
    assert proven["solve_gap"] is None and proven["solve_gap_tier"] is None
    assert proven["solve_bound"] == [
        proven["objective_tier1_persons_housed"],
        proven["objective_tier2_outside_concentrated"],
        proven["objective_tier3_quality"],
    ]

    def short_of_the_bound(problem: ProblemData, *args: Any, **kwargs: Any) -> Result:
        """The optimal plan, reported as a time-limited one whose bound is a household higher."""
        result = solve(problem, *args, **kwargs)
        t1, t2, t3 = result.objective
        return dataclasses.replace(result, status=Status.FEASIBLE, bound=(t1, t2 + 1, t3))

    monkeypatch.setattr(allocatie.match, "solve", short_of_the_bound)
    unproven = run_match(Inputs.from_scenario(EXAMPLE)).kpis
    assert unproven["solve_status"] == "FEASIBLE"
    assert (unproven["solve_gap_tier"], unproven["solve_gap"]) == (2, 1)
    assert unproven["solve_bound"][1] == unproven["objective_tier2_outside_concentrated"] + 1
