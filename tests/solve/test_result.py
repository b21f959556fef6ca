"""Status words and method counts: structured inside, the same plain words outside."""

from __future__ import annotations

import json
import pickle

import pytest

from allocatie.solve import Method, Methods, Status


def test_status_is_its_word():
    assert Status.OPTIMAL == "OPTIMAL" and f"{Status.FEASIBLE}" == "FEASIBLE"
    assert json.dumps({"solve_status": Status.INFEASIBLE}) == '{"solve_status": "INFEASIBLE"}'
    worst_first = sorted(Status, key=lambda s: s.severity, reverse=True)
    assert worst_first == [Status.INFEASIBLE, Status.UNKNOWN, Status.FEASIBLE, Status.OPTIMAL]


def test_methods_count_parts_in_a_fixed_order():
    parts = [Methods.one(Method.CPSAT_BOUNDED), Methods.one(Method.FLOW), Methods.one(Method.FLOW)]
    total = Methods.total(parts)
    assert total == {"flow": 2, "cpsat-bounded": 1}  # a read-only mapping, keys equal to words
    assert total["flow"] == 2 and total.get(Method.CPSAT, 0) == 0 and "brute" not in total
    assert list(total) == [Method.FLOW, Method.CPSAT_BOUNDED]  # Method order, not arrival
    assert total.as_dict() == {"flow": 2, "cpsat-bounded": 1}
    assert json.dumps(total.as_dict()) == '{"flow": 2, "cpsat-bounded": 1}'
    assert str(total) == "flow ×2 + cpsat-bounded ×1"
    assert str(Methods.total(reversed(parts))) == str(total)  # deterministic rendering
    assert str(Methods()) == "none" and len(Methods()) == 0


def test_methods_travel_between_processes_and_refuse_unknown_words():
    total = Methods(((Method.FLOW, 3), (Method.CPSAT, 1)))
    assert pickle.loads(pickle.dumps(total)) == total  # Dask workers send results back
    with pytest.raises(KeyError):
        total["simplex"]
    with pytest.raises(ValueError):
        Methods((("simplex", 1),))


def test_a_gap_is_the_first_tier_where_the_bound_lies_above_the_plan():
    from allocatie.solve.bounds import gap, tightest

    assert gap((17374, 7173, 1827064), (17374, 7174, 1827083)) == (2, 1)  # the plan
    assert gap((5, 2, 900), (6, 0, 0)) == (1, 1)  # lower tiers of the bound do not matter
    assert gap((5, 2, 900), (5, 2, 900)) is None and gap((5, 2, 900), None) is None
    assert tightest((6, 1, 10), None, (5, 9, 99)) == (5, 9, 99) and tightest(None) is None


def test_bounds_of_unproven_parts_add_up_and_a_missing_one_drops_the_total():
    import numpy as np

    from allocatie.solve import Result, merge
    from tests.solve.test_solvers import three_by_three

    problem = three_by_three()
    empty = np.zeros(problem.n_pairs, dtype=bool)

    def part(status: Status, objective, bound) -> tuple[np.ndarray, Result]:
        return np.arange(0), Result(empty[:0], objective, status, Methods(), 0.0, (), bound)

    proven = part(Status.OPTIMAL, (0, 0, 0), None)  # a proven part's bound is its objective
    short = part(Status.FEASIBLE, (0, 0, 0), (1, 0, 5))
    assert merge(problem, [proven, short], 0.0).bound == (1, 0, 5)
    assert merge(problem, [proven, short], 0.0).gap == (1, 1)
    unbounded = part(Status.FEASIBLE, (0, 0, 0), None)
    assert merge(problem, [short, unbounded], 0.0).bound is None
