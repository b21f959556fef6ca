"""The priced flows: their bound is a true upper bound, their plans respect the headroom."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from allocatie.solve import relaxation
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.flow import is_network, solve_flow, tier_weights
from allocatie.solve.priced import folded, lex_bound, price
from tests.solve.conftest import FAMILIES, headroom_problem


@settings(max_examples=300, deadline=None)
@given(family=st.sampled_from(FAMILIES[:2]), seed=st.integers(0, 2**32 - 1))
def test_the_lagrangian_bound_holds_and_a_proof_is_an_optimum(family, seed):
    problem = headroom_problem(np.random.default_rng(seed), family)
    assume(problem.n_pairs <= MAX_PAIRS and is_network(relaxation(problem)))
    relaxed = solve_flow(relaxation(problem))
    assume(relaxed.status == "OPTIMAL")
    priced = price(problem, relaxed.selected)
    brute = solve_brute(problem)
    if brute.status == "INFEASIBLE":
        assert priced.plan is None
        return
    best = folded(problem, brute.selected)
    assert best <= priced.bound  # no feasible plan beats the bound ...
    assert brute.objective <= lex_bound(problem, priced.bound)  # ... nor its tiers
    if priced.plan is not None:
        assert problem.violations(priced.plan) == []
        assert priced.value == folded(problem, priced.plan) <= best
    if priced.proven:
        assert priced.value == best


def test_the_folded_bound_reads_back_as_tiers():
    problem = headroom_problem(np.random.default_rng(3), "independent")
    w1, w2, _ = tier_weights(problem)
    assert lex_bound(problem, 7 * w1 + 2 * w2 + 31) == (7, 2, 31)
    assert lex_bound(problem, 7 * w1 + w2 - 1) == (7, 0, w2 - 1)
    assert lex_bound(problem, -5) == (0, 0, 0)
