"""Merging interchangeable dwellings changes the network, never the optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allocatie.solve.aggregate
import allocatie.solve.flow
from allocatie.model.problem import ProblemData
from allocatie.solve import solve
from allocatie.solve.aggregate import expand, interchangeable
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.flow import folded_cost, solve_flow
from tests.solve.conftest import FAMILIES, headroom_problem


def alike(rng: np.random.Generator, n_households: int, kinds: int, copies: int) -> ProblemData:
    """``kinds`` kinds of dwelling, ``copies`` of each, eligibility and quality by kind.

    Every household meets every copy of a kind alike, so the copies are
    interchangeable unless a cap, a building or a pin tells them apart.
    """
    eligible = rng.random((n_households, kinds)) < 0.6
    quality = rng.integers(0, 1001, (n_households, kinds))
    kind = np.repeat(np.arange(kinds), copies)
    grid = eligible[:, kind]
    h, d = np.nonzero(grid)
    n_areas = 3
    area_of_kind = rng.integers(0, n_areas, kinds)
    persons = rng.integers(1, 6, n_households)
    pinned = np.zeros(len(h), dtype=bool)
    if len(h) and rng.random() < 0.3:
        pinned[rng.integers(0, len(h))] = True
    return ProblemData(
        n_households=n_households,
        n_dwellings=kinds * copies,
        pair_household=h,
        pair_dwelling=d,
        pair_persons=persons[h],
        pair_outside=(area_of_kind[kind[d]] > 0).astype(int),
        pair_quality=quality[h, kind[d]],
        pair_pinned=pinned,
        dwelling_area=area_of_kind[kind],
        dwelling_complex=np.where(rng.random(kinds * copies) < 0.3, area_of_kind[kind], -1),
        area_max_households=np.where(rng.random(n_areas) < 0.5, rng.integers(1, 4, n_areas), -1),
        area_max_persons=np.full(n_areas, -1),
        complex_max=int(rng.integers(-1, 3)),
    )


@pytest.fixture
def always_merge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Merge on every problem, however small (normally only from 50,000 pairs)."""
    monkeypatch.setattr(allocatie.solve.flow, "MERGE_FROM_PAIRS", 0)
    monkeypatch.setattr(allocatie.solve.aggregate, "MERGE_BELOW_SHARE", 1.0)


def test_copies_share_a_node_unless_a_cap_or_a_pin_parts_them():
    base = alike(np.random.default_rng(4), 6, kinds=3, copies=4)
    free = base.replace(
        dwelling_complex=np.full(12, -1),
        area_max_households=np.full(3, -1),
        complex_max=-1,
        pair_pinned=np.zeros(base.n_pairs, dtype=bool),
    )
    groups = interchangeable(free, folded_cost(free))
    assert len(groups.first) <= 3  # one node per kind (kinds nobody meets may share one)
    assert groups.size.sum() == 12
    capped = free.replace(area_max_households=np.array([1, 1, 1]))
    assert len(interchangeable(capped, folded_cost(capped)).first) <= 3  # copies share an area
    pin = np.zeros(free.n_pairs, dtype=bool)
    pin[0] = True
    pinned = free.replace(pair_pinned=pin)
    groups = interchangeable(pinned, folded_cost(pinned))
    alone = groups.of_dwelling[free.pair_dwelling[0]]
    assert groups.size[alone] == 1  # a pinned dwelling keeps a node of its own


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_households=st.integers(1, 8),
    kinds=st.integers(1, 4),
    copies=st.integers(1, 4),
)
def test_merged_flows_equal_unmerged_flows_and_brute_force(seed, n_households, kinds, copies):
    problem = alike(np.random.default_rng(seed), n_households, kinds, copies)
    plain = solve_flow(problem)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(allocatie.solve.flow, "MERGE_FROM_PAIRS", 0)
        patch.setattr(allocatie.solve.aggregate, "MERGE_BELOW_SHARE", 1.0)
        merged = solve_flow(problem)
    assert (merged.status, merged.objective) == (plain.status, plain.objective)
    if merged.status == "OPTIMAL":
        assert problem.violations(merged.selected) == []
        assert merged.objective == problem.tiers(merged.selected)
    if problem.n_pairs <= MAX_PAIRS:
        assert merged.objective == solve_brute(problem).objective


@settings(max_examples=200, deadline=None)
@given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1))
def test_the_auto_path_with_merging_everywhere_equals_brute_force(family, seed):
    problem = headroom_problem(np.random.default_rng(seed), family)
    if problem.n_pairs > MAX_PAIRS:
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(allocatie.solve.flow, "MERGE_FROM_PAIRS", 0)
        patch.setattr(allocatie.solve.aggregate, "MERGE_BELOW_SHARE", 1.0)
        result = solve(problem)
    brute = solve_brute(problem)
    assert (result.status, result.objective) == (brute.status, brute.objective)
    if result.status != "INFEASIBLE":
        assert problem.violations(result.selected) == []


def test_a_hash_collision_is_caught_by_the_check(monkeypatch, always_merge):
    """With a hash that says every dwelling is alike, the pair-by-pair check still keeps
    apart the dwellings that are not, and the flow stays exact."""
    monkeypatch.setattr(allocatie.solve.aggregate, "_mix", lambda x: np.zeros_like(x))
    rng = np.random.default_rng(8)
    for _ in range(30):
        problem = alike(rng, 7, kinds=3, copies=3)
        groups = interchangeable(problem, folded_cost(problem))
        cost = folded_cost(problem)
        for g in range(len(groups.first)):
            members = groups.members[groups.start[g] : groups.start[g + 1]]
            lists = [
                sorted(zip(problem.pair_household[mask].tolist(), cost[mask].tolist()))
                for mask in (problem.pair_dwelling == m for m in members)
            ]
            assert all(pairs == lists[0] for pairs in lists)
        result = solve_flow(problem)
        if problem.n_pairs <= MAX_PAIRS:
            assert result.objective == solve_brute(problem).objective


def test_expanding_hands_out_a_group_in_household_and_dwelling_order(always_merge):
    base = alike(np.random.default_rng(2), 4, kinds=1, copies=4)
    problem = base.replace(
        pair_pinned=np.zeros(base.n_pairs, dtype=bool),
        area_max_households=np.full(3, -1),
        complex_max=-1,
    )
    groups = interchangeable(problem, folded_cost(problem))
    chosen = np.ones(len(groups.pairs), dtype=bool)
    plan = expand(problem, groups, chosen)
    households = problem.pair_household[plan]
    dwellings = problem.pair_dwelling[plan]
    assert np.all(np.diff(households) > 0) and np.all(np.diff(dwellings) > 0)
    assert problem.violations(plan) == []
