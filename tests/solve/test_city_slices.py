"""On real data, the auto path equals HiGHS, CP-SAT and brute force where the headroom binds.

The random problems of :mod:`tests.solve.test_auto_path` have every kind of cap but
made-up coefficients. Here the problem is a generated Hengelo half year on the real
CBS buurten with the projected-composition rule on (its relaxation breaks the
headroom, and the priced flows settle it), and random slices of it: tiny ones
against brute force, larger ones against HiGHS and CP-SAT alone. In the slices the
headroom is cut to a third so that it binds in many of them, and every step of the
auto path beyond the network is reached.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest

from allocatie.areas.data import load_areas
from allocatie.areas.geo import resolve_dwelling_areas
from allocatie.inputs.policy import SolverSettings
from allocatie.model.builder import build_instance
from allocatie.model.problem import ProblemData
from allocatie.planning import instances
from allocatie.solve import Method, Status, solve
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.cpsat import solve_cpsat
from allocatie.solve.mip import solve_mip
from allocatie.solve.split import subproblem


@pytest.fixture(scope="module")
def hengelo() -> ProblemData:
    """Hengelo, half a year (150 persons), projected composition on: one hard part."""
    inst = instances.city("GM0164", 1, persons=150, months=6)
    spreading = dataclasses.replace(inst.policy.spreading, projected_composition=True)
    policy = dataclasses.replace(inst.policy, spreading=spreading)
    areas = load_areas()
    dwellings, _ = resolve_dwelling_areas(inst.dwellings, areas, "generated")
    return build_instance(inst.households, dwellings, policy, areas.stats).problem


def sliced(problem: ProblemData, rng: np.random.Generator, households: int, dwellings: int):
    """The pairs among a random set of households and dwellings, headroom cut to a third."""
    h = rng.choice(problem.n_households, households, replace=False)
    d = rng.choice(problem.n_dwellings, dwellings, replace=False)
    keep = np.flatnonzero(np.isin(problem.pair_household, h) & np.isin(problem.pair_dwelling, d))
    if not len(keep):
        return None
    part = subproblem(problem, keep)
    room = part.area_max_persons
    return part.replace(area_max_persons=np.where(room >= 0, room // 3, -1))


def test_the_city_is_solved_alike_by_every_method(hengelo):
    auto = solve(hengelo)
    assert auto.method == {Method.PRICED: 1}  # a headroom binds, and prices settle it
    for other in (solve_mip(hengelo), solve_cpsat(hengelo), solve(hengelo, SolverSettings("mip"))):
        assert other.status == auto.status == Status.OPTIMAL
        assert other.objective == auto.objective
    assert hengelo.violations(auto.selected) == []


def test_tiny_slices_agree_with_brute_force(hengelo):
    rng = np.random.default_rng(0)
    seen: Counter[str] = Counter()
    for _ in range(150):
        part = sliced(hengelo, rng, 5, 7)
        if part is None or part.n_pairs > MAX_PAIRS:
            continue
        result, brute = solve(part), solve_brute(part)
        assert (result.status, result.objective) == (brute.status, brute.objective)
        assert part.violations(result.selected) == []
        seen.update(result.method.as_dict())
    assert seen[Method.PRICED] > 0 and seen[Method.RELAXATION] > 0, dict(seen)


def test_larger_slices_agree_with_highs_and_cpsat_alone(hengelo):
    rng = np.random.default_rng(1)
    seen: Counter[str] = Counter()
    for _ in range(60):
        part = sliced(hengelo, rng, 14, 18)
        if part is None:
            continue
        auto, mip, cpsat = solve(part), solve_mip(part), solve_cpsat(part)
        assert auto.status == mip.status == cpsat.status == Status.OPTIMAL
        assert auto.objective == mip.objective == cpsat.objective
        for plan in (auto, mip, cpsat):
            assert part.violations(plan.selected) == []
        seen.update(auto.method.as_dict())
    assert seen[Method.PRICED] > 0 and seen[Method.MIP_BOUNDED] > 0, dict(seen)
