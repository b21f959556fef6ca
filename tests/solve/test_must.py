"""Households that must be housed (``household_must``): every method houses them, or says none can.

Brute force knows the rule only through :meth:`ProblemData.violations`, so it is an
independent check of the flow (no "unplaced" arc), HiGHS (a row ``Σ x_h ≥ 1``), CP-SAT
(exactly one pair) and the auto path with its relaxation, priced and safe-caps flows.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import allocatie.solve.flow
from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve import Status, solve
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, solve_flow
from allocatie.solve.mip import solve_mip
from tests.solve.conftest import FAMILIES, headroom_problem, random_problem


def with_must(problem: ProblemData, rng: np.random.Generator, share: float) -> ProblemData:
    """``problem`` with a random ``share`` of its households marked must-house."""
    return problem.replace(household_must=rng.random(problem.n_households) < share)


def agrees_with_brute(problem: ProblemData, method: str) -> None:
    """``solve`` with ``method`` matches brute force on status and tiers, and houses every must."""
    result = solve(problem, SolverSettings(method=method))  # type: ignore[arg-type]
    brute = solve_brute(problem)
    assert (result.status, result.objective) == (brute.status, brute.objective)
    if result.status != Status.INFEASIBLE:
        assert problem.violations(result.selected) == []
        housed = np.bincount(
            problem.pair_household[result.selected], minlength=problem.n_households
        )
        assert (housed[problem.household_must] == 1).all()


@settings(max_examples=150, deadline=None)
@given(
    family=st.sampled_from(FAMILIES),
    seed=st.integers(0, 2**32 - 1),
    share=st.sampled_from([0.3, 0.6, 1.0]),
    method=st.sampled_from(["auto", "mip", "cpsat"]),
)
def test_every_method_honours_must_households(
    family: str, seed: int, share: float, method: str
) -> None:
    rng = np.random.default_rng(seed)
    problem = with_must(headroom_problem(rng, family), rng, share)
    assume(problem.n_pairs <= MAX_PAIRS)
    agrees_with_brute(problem, method)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.3, 0.6, 1.0]))
def test_the_flow_honours_must_households(seed: int, share: float) -> None:
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, int(rng.integers(1, 6)), int(rng.integers(1, 7)), pins=True)
    problem = with_must(problem, rng, share)
    assume(problem.n_pairs <= MAX_PAIRS and is_network(problem))
    agrees_with_brute(problem, "flow")


def test_merged_dwellings_keep_must_households(monkeypatch: pytest.MonkeyPatch) -> None:
    # merge interchangeable dwellings even in tiny problems: the groups must not lose a must
    monkeypatch.setattr(allocatie.solve.flow, "MERGE_FROM_PAIRS", 0)

    @settings(max_examples=100, deadline=None)
    @given(seed=st.integers(0, 2**32 - 1), share=st.sampled_from([0.3, 1.0]))
    def check(seed: int, share: float) -> None:
        rng = np.random.default_rng(seed)
        size = int(rng.integers(1, 6)), int(rng.integers(2, 8))
        problem = random_problem(
            rng, *size, n_areas=1, area_cap=False, complexes=False, density=0.8
        )
        # alike dwellings: each household's quality the same for all its dwellings
        quality = rng.integers(0, 3, problem.n_households)[problem.pair_household]
        problem = with_must(problem.replace(pair_quality=quality), rng, share)
        assume(problem.n_pairs <= MAX_PAIRS)
        result = solve_flow(problem)
        brute = solve_brute(problem)
        assert (result.status, result.objective) == (brute.status, brute.objective)
        if result.status != Status.INFEASIBLE:
            assert problem.violations(result.selected) == []

    check()


def two_for_one() -> ProblemData:
    """Two households, one dwelling both may take: household 1 (3 persons) is worth more."""
    return ProblemData(
        n_households=2,
        n_dwellings=1,
        pair_household=[0, 1],
        pair_dwelling=[0, 0],
        pair_persons=[1, 3],
        pair_outside=[0, 0],
        pair_quality=[0, 0],
        pair_pinned=[False, False],
        dwelling_area=[0],
        dwelling_complex=[-1],
        area_max_households=[-1],
        area_max_persons=[-1],
    )


@pytest.mark.parametrize("method", ["flow", "mip", "cpsat", "auto"])
def test_a_must_household_takes_the_dwelling_from_a_larger_one(method: str) -> None:
    problem = two_for_one()
    assert solve(problem, SolverSettings(method=method)).objective[0] == 3  # type: ignore[arg-type]
    must = problem.replace(household_must=[True, False])
    result = solve(must, SolverSettings(method=method))  # type: ignore[arg-type]
    assert result.status == Status.OPTIMAL and result.objective[0] == 1
    assert result.selected.tolist() == [True, False]


@pytest.mark.parametrize("method", ["flow", "mip", "cpsat", "auto"])
def test_two_must_households_for_one_dwelling_are_infeasible(method: str) -> None:
    problem = two_for_one().replace(household_must=[True, True])
    assert solve(problem, SolverSettings(method=method)).status == Status.INFEASIBLE  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "solver", [solve_flow, solve_mip, solve_cpsat, solve_brute, solve], ids=lambda f: f.__name__
)
def test_a_must_household_without_any_pair_is_infeasible(solver) -> None:
    problem = two_for_one().replace(n_households=3, household_must=[False, False, True])
    result = solver(problem)
    assert result.status == Status.INFEASIBLE
    assert not result.selected.any()
