"""The solvers (CP-SAT, HiGHS, flow, auto) agree with a hand-checked optimum, each other and
brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve import Method, Status, solve
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.flow import is_network, solve_flow, tier_weights
from allocatie.solve.mip import solve_mip
from tests.solve.conftest import random_problem


def three_by_three(area_cap_b: int = -1, pin: tuple[int, int] | None = None) -> ProblemData:
    """Hand-made: H0 (4 persons) fits only D0 (2 bedrooms, concentrated area A);
    H1 (1 person) fits D0, D1, D2; H2 (2 persons) fits D0, D1.
    D1 and D2 lie in area B, outside concentrated areas."""
    h = np.array([0, 1, 1, 1, 2, 2])
    d = np.array([0, 0, 1, 2, 0, 1])
    persons = np.array([4, 1, 2])[h]
    area = np.array([0, 1, 1])
    outside = np.array([0, 1])[area[d]]
    pinned = np.zeros(len(h), dtype=bool)
    if pin is not None:
        pinned[np.flatnonzero((h == pin[0]) & (d == pin[1]))] = True
    return ProblemData(
        n_households=3,
        n_dwellings=3,
        pair_household=h,
        pair_dwelling=d,
        pair_persons=persons,
        pair_outside=outside,
        pair_quality=np.array([10, 500, 900, 100, 20, 300]),
        pair_pinned=pinned,
        dwelling_area=area,
        dwelling_complex=np.full(3, -1),
        area_max_households=np.array([-1, area_cap_b]),
        area_max_persons=np.array([-1, -1]),
    )


ALL_METHODS = ("cpsat", "mip", "flow", "brute")


def run(problem: ProblemData, method: str):
    solver = {"cpsat": solve_cpsat, "mip": solve_mip, "flow": solve_flow, "brute": solve_brute}
    return solver[method](problem)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_hand_checked_everyone_housed(method):
    # Everyone can be housed: H0-D0, H1-D2, H2-D1 → 7 persons, 2 outside, quality 10+100+300.
    result = run(three_by_three(), method)
    assert result.status == Status.OPTIMAL
    assert result.objective == (7, 2, 410)
    assert result.assignment(three_by_three()).tolist() == [0, 2, 1]


@pytest.mark.parametrize("method", ALL_METHODS)
def test_hand_checked_area_cap_costs_the_smallest_household(method):
    # Area B takes one household: best is H0-D0 and H2-D1 (6 persons), H1 waits,
    # although H1-D1 has the highest quality (tier 3 never beats tier 1).
    result = run(three_by_three(area_cap_b=1), method)
    assert result.objective == (6, 1, 310)
    assert result.assignment(three_by_three(area_cap_b=1)).tolist() == [0, -1, 1]


@pytest.mark.parametrize("method", ALL_METHODS)
def test_hand_checked_pin_is_respected(method):
    # Pinning H1 to D0 leaves H0 without a dwelling: 3 persons (H1-D0, H2-D1).
    problem = three_by_three(pin=(1, 0))
    result = run(problem, method)
    assert result.assignment(problem).tolist() == [-1, 0, 1]
    assert result.objective == (3, 1, 800)


@pytest.mark.parametrize("method", ALL_METHODS)
def test_pins_that_break_a_cap_are_infeasible(method):
    problem = three_by_three(area_cap_b=0, pin=(2, 1))
    assert run(problem, method).status == Status.INFEASIBLE


def test_tier_weights_dominate_lower_tiers():
    problem = three_by_three()
    w1, w2, w3 = tier_weights(problem)
    m = 3
    assert w2 > m * 1000 * w3
    assert w1 > m * w2 + m * 1000 * w3


def test_auto_uses_flow_on_networks_and_a_mip_otherwise():
    problem = three_by_three()
    assert solve(problem).method == {Method.FLOW: 1}
    # area B may take 2 more persons, but H2 (2 persons) and H1 (1) could both go there
    knapsack = three_by_three().replace(area_max_persons=np.array([-1, 2]))
    assert not is_network(knapsack)
    assert solve(knapsack).method == {"mip-bounded": 1}
    assert solve(knapsack).objective == (6, 1, 310)  # H1 no longer fits beside H2
    for method, label in (("cpsat", Method.CPSAT), ("mip", Method.MIP)):
        plain = solve(knapsack, SolverSettings(method=method))
        assert plain.method == {label: 1} and plain.objective == (6, 1, 310)
    with pytest.raises(ValueError):
        solve_flow(knapsack)


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_households=st.integers(1, 6),
    n_dwellings=st.integers(1, 6),
    persons_cap=st.booleans(),
    pins=st.booleans(),
)
def test_cpsat_mip_flow_and_brute_force_agree(seed, n_households, n_dwellings, persons_cap, pins):
    rng = np.random.default_rng(seed)
    problem = random_problem(
        rng, n_households, n_dwellings, density=0.5, persons_cap=persons_cap, pins=pins
    )
    cpsat = solve_cpsat(problem)
    mip = solve_mip(problem)
    assert (mip.status, mip.objective) == (cpsat.status, cpsat.objective)
    if problem.n_pairs <= MAX_PAIRS:
        brute = solve_brute(problem)
        assert (cpsat.status, cpsat.objective) == (brute.status, brute.objective)
    if is_network(problem):
        flow = solve_flow(problem)
        assert (flow.status, flow.objective) == (cpsat.status, cpsat.objective)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), size=st.integers(5, 40))
def test_plans_hold_every_invariant(seed, size):
    rng = np.random.default_rng(seed)
    problem = random_problem(
        rng, size, size + 3, density=0.3, n_areas=max(size // 4, 1), persons_cap=True, pins=True
    )
    for result in (solve_cpsat(problem), solve_mip(problem), solve(problem)):
        if result.status == Status.INFEASIBLE:
            continue
        assert problem.violations(result.selected) == []
        assignment = result.assignment(problem)
        placed = assignment[assignment >= 0]
        assert len(placed) == len(set(placed.tolist()))  # each dwelling at most once
        assert result.objective == problem.tiers(result.selected)


@pytest.mark.parametrize("seed", range(3))
def test_cpsat_mip_and_flow_agree_on_city_half_year_sizes(seed):
    rng = np.random.default_rng(seed)
    problem = random_problem(rng, 120, 150, density=0.15, n_areas=30)
    assert is_network(problem)
    cpsat, mip, flow = solve_cpsat(problem), solve_mip(problem), solve_flow(problem)
    assert cpsat.status == mip.status == flow.status == Status.OPTIMAL
    assert cpsat.objective == mip.objective == flow.objective
    assert problem.violations(flow.selected) == [] and problem.violations(mip.selected) == []


@pytest.mark.parametrize("solver", [solve_cpsat, solve_mip])
def test_cpsat_and_mip_are_deterministic_for_a_seed(solver):
    rng = np.random.default_rng(11)
    problem = random_problem(rng, 40, 40, density=0.4, n_areas=6, persons_cap=True)
    first = solver(problem, seed=3).selected
    second = solver(problem, seed=3).selected
    assert np.array_equal(first, second)
