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
from allocatie.solve import Method, Methods, Result, Status, solve
from allocatie.solve.brute import MAX_PAIRS, solve_brute
from allocatie.solve.flow import is_network
from allocatie.solve.split import components
from tests.solve.conftest import FAMILIES, headroom_problem

#: The branches of the auto path that small instances reach. (``flow-safe-caps`` needs
#: CP-SAT to run out of time, which a problem this small never does; the last test
#: simulates it.)
BRANCHES = (
    Method.FLOW,  # the part is a network
    Method.RELAXATION,  # the relaxation's plan already respects the headroom
    Method.BOUNDS_MEET,  # the safe-caps flow reaches the relaxation's bound
    Method.CPSAT_BOUNDED,  # CP-SAT bounded by the relaxation, warm-started from the safe plan
    Method.CPSAT,  # not even the relaxation is a network (a building spans areas)
)


def test_auto_is_exact_on_every_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: Counter[str] = Counter()
    warm: Counter[str] = Counter()
    binding = 0  # examples whose headroom makes the problem more than a network
    bounded_calls: list[tuple[ProblemData, np.ndarray | None, tuple[int, int, int] | None]] = []
    real_cpsat = allocatie.solve.solve_cpsat

    def recording_cpsat(problem: ProblemData, **kwargs: Any) -> Result:
        if kwargs.get("bounds") is not None:
            bounded_calls.append((problem, kwargs.get("hint"), kwargs.get("bounds")))
        return real_cpsat(problem, **kwargs)

    monkeypatch.setattr(allocatie.solve, "solve_cpsat", recording_cpsat)

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
        # one count per independent part, each by a branch listed above
        assert sum(result.method.values()) == len(components(problem))
        assert set(result.method) <= set(BRANCHES)
        # bounded CP-SAT starts from the safe plan (feasible, under the bound) when there is
        # one; only pins that break the safe caps leave it without
        for part, hint, bounds in bounded_calls[calls_before:]:
            assert bounds is not None
            if hint is not None:
                assert part.violations(hint) == [] and part.tiers(hint) <= bounds
                warm["started"] += 1
            else:
                warm["cold"] += 1
        assert result.method.get(Method.CPSAT_BOUNDED, 0) == len(bounded_calls) - calls_before
        binding += not is_network(problem)
        seen.update(result.method.as_dict())

    check()
    print(f"auto-path branches (parts): {dict(seen)}; bounded CP-SAT: {dict(warm)}; ", end="")
    print(f"examples beyond a network: {binding}")
    missing = [str(b) for b in BRANCHES if seen[b] == 0]
    assert not missing, f"no generated instance reached {missing}; seen {dict(seen)}"
    assert warm["started"] > 0  # the warm start was exercised, not only the bound
    assert binding >= 50  # the headroom really binds in a good share of the examples


@pytest.mark.parametrize("timed_out", [Status.FEASIBLE, Status.UNKNOWN])
def test_a_time_limited_cpsat_falls_back_to_the_safe_plan(monkeypatch, timed_out):
    """The one branch small problems never reach by themselves: CP-SAT stopped by its limit
    with a plan worse than the safe-caps flow's (or none). Simulated, so it is checked too."""
    from tests.solve.test_solvers import three_by_three

    knapsack = three_by_three().replace(area_max_persons=np.array([-1, 2]))
    assert solve(knapsack).method == {Method.CPSAT_BOUNDED: 1}  # the branch it replaces

    def stopped(problem: ProblemData, **kwargs: Any) -> Result:
        empty = np.zeros(problem.n_pairs, dtype=bool)
        return Result(empty, (0, 0, 0), timed_out, Methods.one(Method.CPSAT), 0.0, (timed_out,))

    monkeypatch.setattr(allocatie.solve, "solve_cpsat", stopped)
    result = solve(knapsack)
    assert result.method == {Method.SAFE_CAPS: 1} and result.status == Status.FEASIBLE
    assert knapsack.violations(result.selected) == [] and result.objective[0] > 0
