"""The real entry point is exact: ``solve(problem, SolverSettings(method="auto"))`` equals
brute force on random problems whose persons headroom binds, on every branch of the auto path.

The auto path (see :mod:`allocatie.solve`) settles a part by the first of several exact steps
that suffices; a test that only ever reached the first would say nothing about the others.
So the generated instances come in families that make each branch likely, the branch taken
is read from the structured :attr:`Result.method` counts, and the test fails unless every
branch occurred, and was exact, at least once.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import allocatie.solve
from allocatie.inputs.policy import SolverSettings
from allocatie.model.problem import ProblemData
from allocatie.solve import Method, Methods, Result, Status, conservative, relaxation, solve
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.flow import is_network, solve_flow
from allocatie.solve.priced import Priced, folded
from allocatie.solve.split import components
from tests.solve.conftest import FAMILIES, headroom_problem

#: The branches of the auto path that small instances reach. Two are simulated by the
#: tests below instead: ``flow-safe-caps`` needs HiGHS and CP-SAT to run out of time,
#: which a problem this small never does, and ``flow-bounds-meet`` (the safe-caps flow
#: reaching a bound the priced flows did not) was not reached by 40,000 random instances
#: of these families once priced flows came before it (measured with doubling prices).
BRANCHES = (
    Method.FLOW,  # the part is a network
    Method.RELAXATION,  # the relaxation's plan already respects the headroom
    Method.PRICED,  # a priced flow's plan respects the headroom and meets the Lagrangian bound
    Method.MIP_BOUNDED,  # HiGHS bounded, with the best flow plan as hint
    Method.MIP,  # not even the relaxation is a network (a building spans areas)
)

#: Without HiGHS (or when it is not proven), CP-SAT takes the last two branches.
WITHOUT_HIGHS = {Method.MIP_BOUNDED: Method.CPSAT_BOUNDED, Method.MIP: Method.CPSAT}


@pytest.mark.parametrize("highs", [True, False], ids=["highs", "cpsat-only"])
def test_auto_is_exact_on_every_branch(monkeypatch: pytest.MonkeyPatch, highs: bool) -> None:
    seen: Counter[str] = Counter()
    warm: Counter[str] = Counter()
    binding = 0  # examples whose headroom makes the problem more than a network
    bounded_calls: list[tuple[ProblemData, np.ndarray | None, tuple[int, int, int] | None]] = []
    exact_name = "solve_mip" if highs else "solve_cpsat"
    real_exact = getattr(allocatie.solve, exact_name)
    branches = BRANCHES if highs else tuple(WITHOUT_HIGHS.get(b, b) for b in BRANCHES)
    bounded = Method.MIP_BOUNDED if highs else Method.CPSAT_BOUNDED

    def recording(problem: ProblemData, **kwargs: Any) -> Result:
        if kwargs.get("bounds") is not None:
            bounded_calls.append((problem, kwargs.get("hint"), kwargs.get("bounds")))
        return real_exact(problem, **kwargs)

    monkeypatch.setattr(allocatie.solve, exact_name, recording)
    if not highs:
        monkeypatch.setattr(allocatie.solve, "mip_available", lambda: False)

    @settings(max_examples=500, deadline=None)
    @given(family=st.sampled_from(FAMILIES), seed=st.integers(0, 2**32 - 1))
    def check(family: str, seed: int) -> None:
        nonlocal binding
        problem = headroom_problem(np.random.default_rng(seed), family)
        assume(problem.n_pairs <= MAX_PAIRS)
        calls_before = len(bounded_calls)
        result = solve(problem, SolverSettings(method="auto"))
        brute = solve_brute(problem)
        assert (result.status, result.objective) == (brute.status, brute.objective)
        if result.status != Status.INFEASIBLE:
            assert problem.violations(result.selected) == []
            assert result.objective == problem.tiers(result.selected)
            assert result.bound == result.objective and result.gap is None
        # one count per independent part, each by a branch listed above
        assert sum(result.method.values()) == len(components(problem))
        assert set(result.method) <= set(branches)
        # the bounded search starts from the best flow plan (feasible, under the bound) when
        # there is one; only pins that break the safe caps leave it without
        for part, hint, bounds in bounded_calls[calls_before:]:
            assert bounds is not None
            assert part.tiers(solve_brute(part).selected) <= bounds  # a true upper bound
            if hint is not None:
                assert part.violations(hint) == [] and part.tiers(hint) <= bounds
                warm["started"] += 1
            else:
                warm["cold"] += 1
        assert result.method.get(bounded, 0) == len(bounded_calls) - calls_before
        binding += not is_network(problem)
        seen.update(result.method.as_dict())

    check()
    print(f"auto-path branches (parts): {dict(seen)}; bounded search: {dict(warm)}; ", end="")
    print(f"examples beyond a network: {binding}")
    missing = [str(b) for b in branches if seen[b] == 0]
    assert not missing, f"no generated instance reached {missing}; seen {dict(seen)}"
    assert warm["started"] > 0  # the warm start was exercised, not only the bound
    assert binding >= 50  # the headroom really binds in a good share of the examples


def _stopped(status: Status, method: Method) -> Any:
    """A solver stand-in that ran out of time with ``status`` and no useful plan."""

    def stopped(problem: ProblemData, **kwargs: Any) -> Result:
        empty = np.zeros(problem.n_pairs, dtype=bool)
        return Result(empty, (0, 0, 0), status, Methods.one(method), 0.0, (status,))

    return stopped


def _knapsack() -> ProblemData:
    """Three households, a headroom that no flow settles (HiGHS is needed)."""
    from tests.solve.test_solvers import three_by_three

    return three_by_three().replace(area_max_persons=np.array([-1, 2]))


def test_an_unproven_highs_plan_is_dropped_and_cpsat_decides(monkeypatch):
    """HiGHS stopped by its wall-clock limit: its plan could differ between runs, so the
    deterministic CP-SAT search decides, from the same flow plan."""
    knapsack = _knapsack()
    assert solve(knapsack).method == {Method.MIP_BOUNDED: 1}  # the branch it replaces
    monkeypatch.setattr(allocatie.solve, "solve_mip", _stopped(Status.FEASIBLE, Method.MIP))
    result = solve(knapsack)
    assert result.method == {Method.CPSAT_BOUNDED: 1} and result.status == Status.OPTIMAL
    assert result.objective == (6, 1, 310)


def test_the_safe_caps_flow_settles_a_part_when_it_meets_the_bound(monkeypatch):
    """The priced flows stand aside (simulated: they find nothing); on a part whose
    relaxation breaks the headroom but whose safe-caps flow reaches the relaxation's
    value, that flow's plan is proven optimal without a search."""
    for seed in range(1000):
        problem = headroom_problem(np.random.default_rng(seed), "interchangeable")
        if len(components(problem)) != 1 or problem.n_pairs > MAX_PAIRS:
            continue
        relaxed = solve_flow(relaxation(problem))
        safe = solve_flow(conservative(problem))
        if problem.violations(relaxed.selected) and safe.objective == relaxed.objective:
            break
    else:
        pytest.fail("no instance where the safe caps meet the relaxation")
    nothing = Priced(None, -1, folded(problem, relaxed.selected), 0)
    monkeypatch.setattr(allocatie.solve, "price", lambda part, plan: nothing)
    result = solve(problem)
    assert result.method == {Method.BOUNDS_MEET: 1} and result.status == Status.OPTIMAL
    assert result.objective == solve_brute(problem).objective


@pytest.mark.parametrize("timed_out", [Status.FEASIBLE, Status.UNKNOWN])
def test_time_limited_searches_fall_back_to_the_best_flow_plan(monkeypatch, timed_out):
    """The one branch small problems never reach by themselves: HiGHS and CP-SAT both
    stopped by their limits with a plan worse than the best flow plan's (or none).
    Simulated, so it is checked too, and so is the bound it reports."""
    knapsack = _knapsack()
    monkeypatch.setattr(allocatie.solve, "solve_mip", _stopped(timed_out, Method.MIP))
    monkeypatch.setattr(allocatie.solve, "solve_cpsat", _stopped(timed_out, Method.CPSAT))
    result = solve(knapsack)
    assert result.method == {Method.SAFE_CAPS: 1} and result.status == Status.FEASIBLE
    assert knapsack.violations(result.selected) == [] and result.objective[0] > 0
    optimum = solve_brute(knapsack).objective
    assert result.bound is not None and optimum <= result.bound  # a true bound ...
    assert result.objective <= optimum  # (here the plan is optimal, but nothing proved it)
    assert result.gap is not None and result.gap[1] > 0  # ... and the gap is said
