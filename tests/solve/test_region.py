"""Regional pooling: hand-checked regions, brute force and CP-SAT against :func:`solve_region`."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve import solve
from allocatie.solve.region import RegionData, RegionResult, _fairest, region_key, solve_region
from tests.solve.conftest import random_problem

TWO = ("GM0001", "GM0002")


def _problem(
    pairs: list[tuple[int, int]],
    persons: list[int],
    n_dwellings: int,
    outside: list[int] | None = None,
    quality: list[int] | None = None,
) -> ProblemData:
    h = [a for a, _ in pairs]
    d = [b for _, b in pairs]
    n = len(pairs)
    return ProblemData(
        n_households=len(persons),
        n_dwellings=n_dwellings,
        pair_household=h,
        pair_dwelling=d,
        pair_persons=[persons[a] for a in h],
        pair_outside=outside if outside is not None else [1] * n,
        pair_quality=quality if quality is not None else [0] * n,
        pair_pinned=[False] * n,
        dwelling_area=list(range(n_dwellings)),
        dwelling_complex=[-1] * n_dwellings,
        area_max_households=[-1] * n_dwellings,
        area_max_persons=[-1] * n_dwellings,
    )


def _swap_region() -> tuple[ProblemData, RegionData]:
    """A has a single and a family home, B a family and a studio, each the wrong way round.

    Households: 0 single of A, 1 family (4) of A, 2 single of B, 3 family (4) of B.
    Dwellings: 0 family home in A, 1 family home in A, 2 studio in B, 3 studio in B.
    Singles fit studios, families family homes: A's single and B's family must move.
    """
    pairs = [(0, 2), (0, 3), (1, 0), (1, 1), (2, 2), (2, 3), (3, 0), (3, 1)]
    problem = _problem(pairs, [1, 4, 1, 4], 4)
    region = RegionData.of(problem, TWO, np.array([0, 0, 1, 1]), np.array([0, 0, 1, 1]), [5, 5])
    return problem, region


def test_pooling_houses_everyone_and_moves_exactly_the_mismatched() -> None:
    problem, region = _swap_region()
    out = solve_region(problem, region)
    assert out.result.status == "OPTIMAL"
    assert out.result.objective[0] == 10  # every person housed
    assert out.herkoppelingen == 2  # A's single to B, B's family to A: no more
    assert out.housed.tolist() == [8, 2]  # A's two family homes, B's two studios
    assert out.own.tolist() == [4, 1]
    assert out.received.tolist() == [4, 1]
    assert out.sent.tolist() == [1, 4]
    assert out.attainment.tolist() == [pytest.approx(8 / 5), pytest.approx(2 / 5)]


def test_separate_matching_houses_only_the_fitting() -> None:
    problem, region = _swap_region()
    home = ~region.pair_herkoppeling
    separate = problem.keep_pairs(home)
    out = solve_region(separate, RegionData.of(separate, TWO, [0, 0, 1, 1], [0, 0, 1, 1], [5, 5]))
    assert out.result.objective[0] == 5  # A's family and B's single only
    assert out.herkoppelingen == 0


def test_fairness_comes_before_spreading() -> None:
    """Two households of 2 persons; a concentrated home in A, two outside homes in B.

    Both households housed either way (4 persons). Both in B: tier 2 = 2, but A's
    attainment 0. One in A: tier 2 = 1, attainments 1 and 1. Fairness decides.
    """
    pairs = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    problem = _problem(pairs, [2, 2], 3, outside=[0, 1, 1, 0, 1, 1])
    region = RegionData.of(problem, TWO, [0, 1], [0, 1, 1], [2, 2])
    out = solve_region(problem, region)
    assert out.result.objective[:2] == (4, 1)
    assert out.housed.tolist() == [2, 2]
    assert out.result.selected[0]  # A's household in A's home, B's at home in B
    assert out.herkoppelingen == 0
    assert out.lowest_attainment == 1.0


def test_leximin_prefers_the_lower_municipality() -> None:
    """Two dwellings in B only; A's and B's households compete; B is far behind its target."""
    # households: 0 of A (3 persons), 1 of B (3 persons); one dwelling in A, one in B fit both
    problem = _problem([(0, 0), (0, 1), (1, 0), (1, 1)], [3, 3], 2, quality=[0, 1000, 1000, 0])
    region = RegionData.of(problem, TWO, [0, 1], [0, 1], [3, 6])
    out = solve_region(problem, region)
    # each municipality's dwelling houses 3 persons either way: attainment A 1, B 1/2
    assert out.result.objective[0] == 6
    assert out.housed.tolist() == [3, 3]
    # quality prefers the swap (1000 + 1000) over staying home (0 + 0)
    assert out.result.objective[2] == 2000
    assert out.herkoppelingen == 2


def test_fewest_herkoppelingen_then_shortest_moves() -> None:
    """Three municipalities; a household of A may go to B (far) or C (near), all else equal."""
    problem = _problem([(0, 0), (0, 1)], [1], 2)
    codes = ("GM0001", "GM0002", "GM0003")
    region = RegionData.of(problem, codes, [0], [1, 2], [1, 0, 0], pair_penalty=[30, 5])
    out = solve_region(problem, region)
    assert out.result.selected.tolist() == [False, True]
    assert out.penalty == 5


def test_regions_are_solved_apart() -> None:
    """Leximin within each region: region 1's shortfall does not hold region 0 back."""
    problem = _problem([(0, 0), (1, 2)], [1, 2], 3)
    codes = ("GM0001", "GM0002", "GM0003")
    region = RegionData.of(
        problem, codes, [0, 2], [0, 1, 2], [1, 1, 5], municipality_region=[0, 0, 1]
    )
    out = solve_region(problem, region)
    assert out.result.selected.all()
    assert out.table()["housed"].tolist() == [1, 0, 2]


def test_region_data_is_checked() -> None:
    problem, region = _swap_region()
    with pytest.raises(ValueError, match="pair_herkoppeling"):
        RegionData(
            region.codes,
            region.household_municipality,
            region.dwelling_municipality,
            region.target,
            np.zeros(problem.n_pairs, dtype=bool),
            region.pair_penalty,
        ).check(problem)
    with pytest.raises(ValueError, match="municipality index"):
        RegionData.of(problem, TWO, [0, 0, 1, 2], [0, 0, 1, 1], [5, 5])
    with pytest.raises(ValueError, match="target"):
        RegionData.of(problem, TWO, [0, 0, 1, 1], [0, 0, 1, 1], [5, -1])
    problem2 = _problem([(0, 0), (0, 1)], [1], 2)
    two_regions = RegionData.of(problem2, TWO, [0], [0, 1], [1, 1], municipality_region=[0, 1])
    with pytest.raises(ValueError, match="two regions"):
        solve_region(problem2, two_regions)


# -- cross-checks ----------------------------------------------------------------------


def _brute(problem: ProblemData, region: RegionData, moves_first: bool = False) -> tuple | None:
    """The best :func:`region_key` over every feasible plan (enumerated)."""
    by_household = [
        np.flatnonzero(problem.pair_household == h) for h in range(problem.n_households)
    ]
    chosen = np.zeros(problem.n_pairs, dtype=bool)
    used = np.zeros(problem.n_dwellings, dtype=bool)
    best: list[tuple] = []

    def visit(h: int) -> None:
        if h == problem.n_households:
            if not problem.violations(chosen):
                key = region_key(problem, region, chosen, moves_before_quality=moves_first)
                if not best or key > best[0]:
                    best[:] = [key]
            return
        visit(h + 1)
        for pair in by_household[h]:
            d = problem.pair_dwelling[pair]
            if not used[d]:
                chosen[pair] = used[d] = True
                visit(h + 1)
                chosen[pair] = used[d] = False

    visit(0)
    return best[0] if best else None


def _random_region(
    seed: int, persons_cap: bool, pins: bool = False
) -> tuple[ProblemData, RegionData]:
    rng = np.random.default_rng(seed)
    n_h, n_d = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    problem = random_problem(rng, n_h, n_d, density=0.45, persons_cap=persons_cap, pins=pins)
    m = int(rng.integers(2, 4))
    codes = tuple(f"GM{i:04d}" for i in range(m))
    lowest = -1 if pins else 0  # with pins, also households and dwellings of no municipality
    home = rng.integers(lowest, m, n_h)
    there = rng.integers(lowest, m, n_d)
    targets = rng.integers(0, 9, m)
    penalty = rng.integers(0, 4, problem.n_pairs)
    return problem, RegionData.of(problem, codes, home, there, targets, penalty)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), persons_cap=st.booleans(), pins=st.booleans())
def test_solve_region_matches_brute_force(seed: int, persons_cap: bool, pins: bool) -> None:
    problem, region = _random_region(seed, persons_cap, pins)
    if problem.n_pairs > 14:
        return
    out = solve_region(problem, region, SolverSettings(seed=1))
    best = _brute(problem, region)
    if best is None:  # pins that break a cap: no plan at all
        assert pins and out.result.status == "INFEASIBLE"
        return
    assert out.result.status == "OPTIMAL"
    assert not problem.violations(out.result.selected)
    assert region_key(problem, region, out.result.selected) == best


def _cpsat_key(problem: ProblemData, region: RegionData) -> tuple:
    """The same lexicographic optimum by CP-SAT, on attainment scaled to whole numbers.

    Independent of HiGHS and of the prefix-sum formulation: the leximin is found by
    maximising the ``k``-th smallest attainment, ``k = 1, 2, …``, each fixed by
    counting (at least ``f − k + 1`` municipalities reach it), in exact integers.
    """
    fair = [m for m in range(region.n_municipalities) if region.target[m] > 0]
    scale = math.lcm(*[int(region.target[m]) for m in fair]) if fair else 1
    model = cp_model.CpModel()
    x = [model.NewBoolVar(f"x{p}") for p in range(problem.n_pairs)]
    for h in range(problem.n_households):
        model.AddAtMostOne(x[p] for p in np.flatnonzero(problem.pair_household == h))
    for d in range(problem.n_dwellings):
        model.AddAtMostOne(x[p] for p in np.flatnonzero(problem.pair_dwelling == d))
    area = problem.dwelling_area[problem.pair_dwelling]
    for a in range(problem.n_areas):
        members = np.flatnonzero(area == a)
        if problem.area_max_households[a] >= 0:
            model.Add(sum(x[p] for p in members) <= int(problem.area_max_households[a]))
        if problem.area_max_persons[a] >= 0:
            model.Add(
                sum(int(problem.pair_persons[p]) * x[p] for p in members)
                <= int(problem.area_max_persons[a])
            )
    if problem.complex_max >= 0:
        building = problem.dwelling_complex[problem.pair_dwelling]
        for b in set(building[building >= 0].tolist()):
            model.Add(sum(x[p] for p in np.flatnonzero(building == b)) <= problem.complex_max)
    attainment = []
    for m in fair:
        target = int(region.target[m])
        inside = np.flatnonzero(region.dwelling_municipality[problem.pair_dwelling] == m)
        housed = sum(int(problem.pair_persons[p]) * x[p] for p in inside)
        capped = model.NewIntVar(0, target, f"c{m}")
        model.AddMinEquality(capped, [housed, target]) if len(inside) else model.Add(capped == 0)
        attainment.append((capped, scale // target))

    def best(expression: object, maximise: bool = True) -> int:
        (model.Maximize if maximise else model.Minimize)(expression)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 1
        assert solver.Solve(model) == cp_model.OPTIMAL
        return round(solver.ObjectiveValue())

    persons = best(sum(int(problem.pair_persons[p]) * x[p] for p in range(problem.n_pairs)))
    model.Add(sum(int(problem.pair_persons[p]) * x[p] for p in range(problem.n_pairs)) >= persons)
    levels: list[Fraction] = []
    for k in range(len(fair)):
        level = model.NewIntVar(0, scale, f"l{k}")
        reach = [model.NewBoolVar(f"r{k}_{i}") for i in range(len(fair))]
        for (capped, weight), r in zip(attainment, reach):
            model.Add(capped * weight >= level).OnlyEnforceIf(r)
        model.Add(sum(reach) >= len(fair) - k)
        value = best(level)
        model.Add(level >= value)
        levels.append(Fraction(value, scale))
    tail = []
    for coefficients, maximise in (
        (problem.pair_outside, True),
        (problem.pair_quality, True),
        (region.pair_herkoppeling.astype(int), False),
        (region.pair_penalty, False),
    ):
        expression = sum(int(c) * x[p] for p, c in enumerate(coefficients))
        value = best(expression, maximise)
        model.Add(expression >= value) if maximise else model.Add(expression <= value)
        tail.append(value if maximise else -value)
    return (persons, tuple(levels), *tail)


@pytest.mark.parametrize("seed", range(12))
def test_solve_region_agrees_with_cpsat(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n_h, n_d = int(rng.integers(5, 12)), int(rng.integers(5, 12))
    problem = random_problem(rng, n_h, n_d, density=0.35, persons_cap=seed % 2 == 1)
    m = 3
    region = RegionData.of(
        problem,
        ("GM0001", "GM0002", "GM0003"),
        rng.integers(0, m, n_h),
        rng.integers(0, m, n_d),
        rng.integers(1, 10, m),
        rng.integers(0, 5, problem.n_pairs),
    )
    out = solve_region(problem, region)
    assert out.result.status == "OPTIMAL"
    assert region_key(problem, region, out.result.selected) == _cpsat_key(problem, region)


def test_same_plan_every_run() -> None:
    problem, region = _random_region(7, True)
    first: RegionResult = solve_region(problem, region)
    again = solve_region(problem, region)
    assert np.array_equal(first.result.selected, again.result.selected)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_moves_before_quality_matches_brute_force(seed: int) -> None:
    problem, region = _random_region(seed, True)
    if problem.n_pairs > 14:
        return
    out = solve_region(problem, region, moves_before_quality=True)
    best = _brute(problem, region, moves_first=True)
    assert region_key(problem, region, out.result.selected, moves_before_quality=True) == best


def test_moves_before_quality_keeps_a_household_at_home() -> None:
    """Quality prefers the move; with moves first the household stays."""
    problem = _problem([(0, 0), (0, 1)], [1], 2, quality=[0, 1000])
    region = RegionData.of(problem, TWO, [0], [0, 1], [0, 0])
    assert solve_region(problem, region).herkoppelingen == 1
    assert solve_region(problem, region, moves_before_quality=True).herkoppelingen == 0


def _larger_region(seed: int) -> tuple[ProblemData, RegionData]:
    """15–30 households and dwellings in four municipalities with targets of 5–30 persons."""
    rng = np.random.default_rng(5000 + seed)
    n_h, n_d = int(rng.integers(15, 30)), int(rng.integers(15, 30))
    problem = random_problem(rng, n_h, n_d, density=0.25, persons_cap=seed % 2 == 1)
    m = 4
    region = RegionData.of(
        problem,
        tuple(f"GM000{i}" for i in range(1, m + 1)),
        rng.integers(0, m, n_h),
        rng.integers(0, m, n_d),
        rng.integers(5, 30, m),
        rng.integers(0, 5, problem.n_pairs),
    )
    return problem, region


@pytest.mark.parametrize("seed", [1, 2, 9, 10, 12])
def test_larger_regions_agree_with_cpsat(seed: int) -> None:
    """Larger regions, against CP-SAT. With HiGHS at its default feasibility tolerances
    (1e-7 and 1e-6: not below the margin at which fairness is fixed), seed 2 was
    reported OPTIMAL with a plan worse on the later tiers (presolve returned the start)."""
    problem, region = _larger_region(seed)
    out = solve_region(problem, region)
    assert out.result.status == "OPTIMAL"
    assert region_key(problem, region, out.result.selected) == _cpsat_key(problem, region)


def _fair_key(problem: ProblemData, region: RegionData, selected: np.ndarray) -> tuple:
    """Persons housed, then the sorted capped attainments: tiers 1 and 2."""
    return region_key(problem, region, selected)[:2]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 40), limit=st.sampled_from([1e-4, 0.01, 0.05]))
def test_an_unproven_plan_is_never_less_fair_than_a_known_one(seed: int, limit: float) -> None:
    """Whatever stops it, the plan is at least as fair as the tier-1 plan and the
    municipalities' own plans (when those house as many persons)."""
    problem, region = _larger_region(seed)
    limited = SolverSettings(time_limit_seconds=limit)
    out = solve_region(problem, region, limited)
    plan = out.result.selected
    assert not problem.violations(plan)
    tier_one = solve(problem, limited)  # the plan solve_region starts from (one part here)
    if tier_one.status != "OPTIMAL":
        return
    first = tier_one.selected
    assert problem.tiers(plan)[0] == problem.tiers(first)[0]
    assert _fair_key(problem, region, plan) >= _fair_key(problem, region, first)
    alone = solve(problem.keep_pairs(~region.pair_herkoppeling))
    separate = np.zeros(problem.n_pairs, dtype=bool)
    separate[np.flatnonzero(~region.pair_herkoppeling)[alone.selected]] = True
    if problem.tiers(separate)[0] == problem.tiers(first)[0]:
        assert _fair_key(problem, region, plan) >= _fair_key(problem, region, separate)


def test_fairest_prefers_the_greater_sorted_attainments() -> None:
    """Lexicographic on the sorted vector; the earlier plan on a tie."""
    problem = _problem([(0, 0), (0, 1), (1, 0), (1, 1)], [1, 1], 2)
    region = RegionData.of(problem, TWO, [0, 1], [0, 1], [1, 1])
    fair = np.array([0, 1])
    both = np.array([True, False, False, True])  # one person in each municipality
    first_only = np.array([True, False, False, False])
    assert _fairest(problem, region, fair, [first_only, both]) is both
    swapped = np.array([False, True, True, False])
    assert _fairest(problem, region, fair, [both, swapped]) is both


def test_reachable_targets_are_settled_at_once() -> None:
    """Every municipality can reach its target: attainment 1 everywhere, proven."""
    problem = _problem([(0, 0), (0, 1), (1, 0), (1, 1)], [2, 1], 2)
    region = RegionData.of(problem, TWO, [0, 0], [0, 1], [2, 1])
    out = solve_region(problem, region)
    assert out.result.status == "OPTIMAL"
    assert out.lowest_attainment == 1.0
    assert list(out.housed) == [2, 1]
